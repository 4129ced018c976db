// Threads: to_thread, executors, thread-safe futures, tasks started from
// other threads.
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use asyncore::{sleep, spawn, to_thread, Error, Executor, Loop, TsFuture};
use common::{vloop, Trace};

#[test]
fn to_thread_gives_the_closure_result_while_the_loop_runs() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    // The loop runs on this thread; the work must run on another one.
    let loop_thread = thread::current().id();
    let worker = Arc::new(Mutex::new(None));
    let w = worker.clone();
    let v = lp
        .run_until_complete(async move {
            let started = TsFuture::<()>::new()?;
            let s = started.clone();
            let work = to_thread(move || {
                *w.lock().unwrap() = Some(thread::current().id());
                s.set_result(())?;
                thread::sleep(Duration::from_millis(50));
                Ok(vec![1u8, 2, 3])
            });
            started.wait_async().await?;
            let tr2 = tr.clone();
            spawn(async move {
                sleep(0.5).await?;
                tr2.push("sleep done");
                Ok(())
            })
            .await?;
            let v = work.await?;
            tr.push("work done");
            Ok(v)
        })
        .unwrap();
    assert_eq!(v, vec![1, 2, 3]);
    assert_eq!(t.joined(), "sleep done work done");
    let ran_on = worker.lock().unwrap().expect("the work ran");
    assert_ne!(ran_on, loop_thread, "to_thread ran the work on the loop's thread");
}

#[test]
fn to_thread_keeps_errors_and_turns_panics_into_host_errors() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let e1 = to_thread(|| Err::<i64, _>(Error::with_message(asyncore::sys::AC_ENOENT, "no such file"))).await;
        let e2 = to_thread(|| -> asyncore::Result<i64> { panic!("worker blew up") }).await;
        Ok((e1.unwrap_err(), e2.unwrap_err()))
    });
    let (e1, e2) = r.unwrap();
    assert_eq!((e1.code(), e1.message()), (asyncore::sys::AC_ENOENT, "no such file"));
    assert_eq!(e2, Error::host("worker panicked: worker blew up"));
}

#[test]
fn work_cancelled_before_it_started_never_runs() {
    let lp = vloop();
    let ran = Arc::new(AtomicUsize::new(0));
    let r2 = ran.clone();
    let r = lp.run_until_complete(async move {
        let ex = Executor::new(1)?;
        let gate = TsFuture::<()>::new()?;
        let (g, started) = (gate.clone(), TsFuture::<()>::new()?);
        let s = started.clone();
        // The only worker blocks until we open the gate.
        let first = ex.run(move || {
            s.set_result(())?;
            g.wait(None)?;
            Ok(1i64)
        });
        started.wait_async().await?;
        let r3 = r2.clone();
        let second = spawn(ex.run(move || {
            r3.fetch_add(1, Ordering::SeqCst);
            Ok(2i64)
        }));
        asyncore::yield_now().await?;
        second.cancel();
        let second_outcome = second.await;
        gate.set_result(())?;
        let first_outcome = first.await?;
        ex.shutdown(true, false)?;
        Ok((first_outcome, second_outcome.map_err(|e| e.name())))
    });
    assert_eq!(r.unwrap(), (1, Err("AC_ECANCELLED".to_string())));
    assert_eq!(ran.load(Ordering::SeqCst), 0);
}

#[test]
fn a_thread_safe_future_set_on_another_thread_wakes_a_task() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let ts = TsFuture::<String>::new()?;
        let t2 = ts.clone();
        let th = thread::spawn(move || t2.set_result("hello from a thread".to_string()).unwrap());
        let v = ts.wait_async().await?;
        th.join().unwrap();
        Ok(v)
    });
    assert_eq!(r.unwrap(), "hello from a thread");
}

#[test]
fn a_thread_safe_future_times_out_and_cancels() {
    let ts = TsFuture::<i64>::new().unwrap();
    assert_eq!(ts.wait(Some(0.0)).unwrap_err().kind(), asyncore::ErrorKind::Timeout);
    assert!(ts.cancel());
    assert!(ts.wait(None).unwrap_err().is_cancelled());
}

#[test]
fn a_task_started_from_another_thread_reports_back() {
    let lp = Loop::builder().virtual_clock(true).build().unwrap();
    let handle = lp.handle();
    let th = thread::spawn(move || {
        let ts = handle
            .spawn(|| async {
                sleep(1.0).await?;
                Ok(asyncore::time() as i64 + 41)
            })
            .unwrap();
        let v = ts.wait(None);
        handle.stop().unwrap();
        v
    });
    lp.run_forever().unwrap();
    assert_eq!(th.join().unwrap().unwrap(), 42);
}
