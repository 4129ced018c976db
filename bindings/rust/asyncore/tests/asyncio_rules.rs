// asyncio's rules the crate follows where it used to differ: the class and
// message of every error, the timeout's cause, cancellations without a
// message, wait_for as asyncio 3.12 writes it, and awaits of a future of
// another loop.
mod common;

use std::error::Error as _;

use asyncore::{
    current_task, gather, sleep, spawn, task_group, timeout, wait_for, Barrier, Condition, Error, ErrorKind, Event,
    JoinHandle, Lock, Loop, LoopFuture, Queue, Result, Semaphore, TimeoutScope,
};
use common::{vloop, Trace};

/// What `f` fails with, as Python prints the exception.
fn failure<T>(r: Result<T>) -> String {
    match r {
        Ok(_) => "no error".into(),
        Err(e) => e.to_string(),
    }
}

// ---- the class and message of each condition (asyncio's) ----

#[test]
fn runtime_errors_have_asyncio_class_and_message() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let lock = Lock::new()?;
        let cond = Condition::new(None)?;
        let scope = TimeoutScope::after(Some(5.0))?;
        let me = current_task().expect("in a task");
        Ok(vec![
            failure(lock.release()),
            failure(cond.wait().await),
            failure(cond.notify(1)),
            failure(scope.reschedule(None)),
            failure(me.wait().await),
        ])
    });
    assert_eq!(
        r.unwrap(),
        vec![
            "RuntimeError: Lock is not acquired.",
            "RuntimeError: cannot wait on un-acquired lock",
            "RuntimeError: cannot notify on un-acquired lock",
            "RuntimeError: Timeout has not been entered",
            "RuntimeError: Task cannot await on itself",
        ]
    );
    let e = Error::from_code(asyncore::sys::AC_EMISUSE);
    assert_eq!(e.kind(), ErrorKind::Runtime);
}

#[test]
fn a_closed_or_running_loop_is_a_runtime_error() {
    let lp = vloop();
    let inner = vloop();
    let raw = lp.as_raw() as usize;
    let r = lp.run_until_complete(async move {
        // SAFETY: the loop outlives this run.
        let rc = unsafe { asyncore::sys::ac_loop_run_forever(raw as *mut _) };
        Ok((Error::from_call(rc).kind(), failure(asyncore::run(async { Ok(()) }))))
    });
    let (running, nested_run) = r.unwrap();
    assert_eq!(running, ErrorKind::Runtime);
    assert_eq!(nested_run, "RuntimeError: asyncio.run() cannot be called from a running event loop");
    inner.close().unwrap();
    let e = inner.call_soon(|| ()).err().expect("refused");
    assert_eq!((e.kind(), e.class_name()), (ErrorKind::Runtime, "RuntimeError".to_string()));
}

#[test]
fn value_errors_have_asyncio_class_and_message() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let bounded = Semaphore::bounded(1)?;
        let q = Queue::<i64>::new(0)?;
        Ok(vec![
            failure(Semaphore::new(-1)),
            failure(Barrier::new(0)),
            failure(bounded.release()),
            failure(q.task_done()),
        ])
    });
    assert_eq!(
        r.unwrap(),
        vec![
            "ValueError: Semaphore initial value must be >= 0",
            "ValueError: parties must be >= 1",
            "ValueError: BoundedSemaphore released too many times",
            "ValueError: task_done() called too many times",
        ]
    );
}

#[test]
fn invalid_state_queue_and_barrier_errors() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let f = LoopFuture::<i64>::new()?;
        f.set_result(1)?;
        let set_again = f.set_result(2).unwrap_err();
        let q = Queue::<i64>::new(1)?;
        let empty = q.get_nowait().unwrap_err();
        q.put_nowait(1).map_err(|(e, _)| e)?;
        let full = q.put_nowait(2).map_err(|(e, _)| e).unwrap_err();
        q.shutdown(false)?;
        q.get_nowait()?;
        let shut = q.get().await.unwrap_err();
        let bar = Barrier::new(2)?;
        bar.abort()?;
        let broken = bar.wait().await.unwrap_err();
        Ok(vec![set_again, empty, full, shut, broken])
    });
    let errs = r.unwrap();
    let kinds: Vec<ErrorKind> = errs.iter().map(Error::kind).collect();
    assert_eq!(
        kinds,
        vec![
            ErrorKind::InvalidState,
            ErrorKind::QueueEmpty,
            ErrorKind::QueueFull,
            ErrorKind::QueueShutDown,
            ErrorKind::BrokenBarrier
        ]
    );
    let shown: Vec<String> = errs.iter().skip(1).take(3).map(Error::to_string).collect();
    // asyncio raises the queue exceptions without a message.
    assert_eq!(shown, vec!["QueueEmpty", "QueueFull", "QueueShutDown"]);
    assert_eq!(errs[0].class_name(), "InvalidStateError");
}

#[test]
fn a_group_error_is_an_exception_group_of_the_failures() {
    let lp = vloop();
    let r: Result<()> = lp.run_until_complete(async {
        task_group(|tg| async move {
            tg.spawn(async {
                sleep(1.0).await?;
                Err::<(), _>(Error::new(ErrorKind::Value, "child failed"))
            })?;
            Ok(())
        })
        .await
    });
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Group);
    assert_eq!(e.to_string(), "ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)");
    let children: Vec<String> = e.children().iter().map(Error::to_string).collect();
    assert_eq!(children, vec!["ValueError: child failed"]);
}

#[test]
fn os_errors_keep_their_errno_class() {
    let e = Error::with_message(asyncore::sys::AC_ECONNRESET, "peer reset");
    assert_eq!(e.kind(), ErrorKind::Os(std::io::ErrorKind::ConnectionReset));
    assert_eq!(e.to_string(), "ConnectionResetError: peer reset");
    let io = Error::from(std::io::Error::from_raw_os_error(32));
    assert_eq!((io.code(), io.class_name()), (asyncore::sys::AC_EPIPE, "BrokenPipeError".to_string()));
}

// ---- (7) the scope's TimeoutError: no message, its cause the cancellation ----

#[test]
fn a_timeout_error_has_no_message_and_the_cancellation_as_cause() {
    let lp = vloop();
    let r: Result<()> = lp.run_until_complete(async { timeout(1.0, sleep(5.0)).await });
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(e.to_string(), "TimeoutError");
    let cause = e.source().expect("a cause");
    assert_eq!(cause.to_string(), "CancelledError");
    assert!(e.cause().is_some_and(Error::is_cancelled));
    // A plain TimeoutError made from the code has no message either.
    assert_eq!(Error::from_code(asyncore::sys::AC_ETIMEDOUT).to_string(), "TimeoutError");
}

// ---- (10) cancel() without a message ----

#[test]
fn a_cancel_without_a_message_has_an_empty_message() {
    let lp = vloop();
    let seen = Trace::new();
    let s = seen.clone();
    let r: Result<()> = lp.run_until_complete(async move {
        let t = spawn(async move {
            if let Err(e) = sleep(10.0).await {
                s.push(format!("inside: [{}] {}", e.message(), e));
                return Err(e);
            }
            Ok(())
        });
        sleep(1.0).await?;
        t.cancel();
        t.await
    });
    let e = r.unwrap_err();
    assert_eq!((e.message(), e.to_string()), ("", "CancelledError".to_string()));
    assert_eq!(seen.take(), vec!["inside: [] CancelledError"]);
}

// ---- wait_for as asyncio 3.12 writes it ----

#[test]
fn wait_for_runs_a_future_inside_the_calling_task() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let caller = current_task();
        wait_for(2.0, async move {
            let same = current_task() == caller;
            sleep(1.0).await?;
            Ok(same)
        })
        .await
    });
    assert!(r.unwrap());
}

#[test]
fn wait_for_zero_never_starts_a_future_and_cancels_a_task() {
    let lp = vloop();
    let started = Trace::new();
    let s = started.clone();
    let r = lp.run_until_complete(async move {
        let coro = wait_for(0.0, async move {
            s.push("started");
            Ok(1i64)
        })
        .await
        .unwrap_err();
        let task = spawn(sleep(5.0));
        let on_task = wait_for(-1.0, task.clone()).await.unwrap_err();
        Ok((coro, on_task, task.is_cancelled()))
    });
    let (coro, on_task, cancelled) = r.unwrap();
    assert!(started.take().is_empty());
    assert!(coro.is_timeout() && coro.cause().is_some_and(Error::is_cancelled));
    assert!(on_task.is_timeout() && cancelled);
}

#[test]
fn wait_for_a_done_task_does_not_suspend() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let done = spawn(async { Ok(3i64) });
        sleep(0.0).await?;
        let tb = tr.clone();
        spawn(async move {
            tb.push("bystander");
            Ok(())
        });
        tr.push(format!("got {}", wait_for(5.0, done).await?));
        sleep(0.0).await?;
        tr.push("after yield");
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "got 3 bystander after yield");
}

// ---- (24) a future of another loop ----

#[test]
fn awaiting_a_task_of_another_loop_fails_at_once() {
    let lp = vloop();
    let other = vloop();
    let foreign: JoinHandle<()> = other.spawn(async { sleep(1.0).await });
    let kept = foreign.clone();
    let r = lp.run_until_complete(async move {
        // A timeout around it must not be needed: the await fails at once.
        let e = timeout(5.0, foreign).await.unwrap_err();
        Ok((e, asyncore::time()))
    });
    let (e, at) = r.unwrap();
    assert_eq!(e.to_string(), "RuntimeError: Task got Future attached to a different loop");
    assert_eq!(at, 0.0);
    // The task itself is fine on its own loop.
    other.run_until_complete(kept).unwrap();
}

#[test]
fn awaiting_a_future_of_a_dropped_loop_fails_at_once() {
    let lp = vloop();
    let f = {
        let gone = Loop::builder().virtual_clock(true).build().unwrap();
        LoopFuture::<i64>::new_in(&gone).unwrap()
    };
    let r = lp.run_until_complete(async move { gather([f]).await.map(|_| ()) });
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Value);
    // Awaited directly, with no timer around it and nothing else pending:
    // the error comes at once, at virtual time 0 (a hang would never end).
    let f2 = {
        let gone = Loop::builder().virtual_clock(true).build().unwrap();
        LoopFuture::<i64>::new_in(&gone).unwrap()
    };
    let r = lp.run_until_complete(async move {
        let e = f2.await.unwrap_err();
        Ok((e, asyncore::time()))
    });
    let (e, at) = r.unwrap();
    assert_eq!(e.kind(), ErrorKind::Runtime);
    assert_eq!(e.to_string(), "RuntimeError: Task got Future attached to a different loop");
    assert_eq!(at, 0.0);
    // Under a timeout the same error, before the timeout's timer is due.
    let f3 = {
        let gone = Loop::builder().virtual_clock(true).build().unwrap();
        LoopFuture::<i64>::new_in(&gone).unwrap()
    };
    let r = lp.run_until_complete(async move {
        let e = timeout(5.0, f3).await.unwrap_err();
        Ok((e, asyncore::time()))
    });
    let (e, at) = r.unwrap();
    assert_eq!(e.to_string(), "RuntimeError: Task got Future attached to a different loop");
    assert_eq!(at, 0.0);
}

#[test]
fn an_event_of_a_closed_loop_reports_it() {
    let lp = vloop();
    let ev = lp.run_until_complete(async { Event::new() }).unwrap();
    lp.close().unwrap();
    assert_eq!(ev.set().unwrap_err().kind(), ErrorKind::Runtime);
}
