// Tasks: ordering, results, errors, panics, handles, drop behaviour.
mod common;

use asyncore::{sleep, spawn, yield_now, Error, ErrorKind, Loop};
use common::{vloop, DropCounter, Trace};

#[test]
fn tasks_run_concurrently_on_the_virtual_clock() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        tr.push("start");
        let greet = |name: &'static str, delay: f64, tr: Trace| async move {
            sleep(delay).await?;
            tr.push(format!("{name}@{}", asyncore::time()));
            Ok(())
        };
        let a = spawn(greet("Alice", 2.0, tr.clone()));
        let b = spawn(greet("Bob", 1.0, tr.clone()));
        a.await?;
        b.await?;
        tr.push("end");
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "start Bob@1 Alice@2 end");
    assert_eq!(lp.time(), 2.0);
}

#[test]
fn ready_tasks_run_in_fifo_order_and_yield_interleaves() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let hs: Vec<_> = ["a", "b", "c"]
            .into_iter()
            .map(|n| {
                let tr = tr.clone();
                spawn(async move {
                    tr.push(format!("{n}1"));
                    yield_now().await?;
                    tr.push(format!("{n}2"));
                    Ok(())
                })
            })
            .collect();
        tr.push("spawned");
        for h in hs {
            h.await?;
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "spawned a1 b1 c1 a2 b2 c2");
}

#[test]
fn call_soon_and_tasks_share_one_fifo() {
    let lp = vloop();
    let t = Trace::new();
    let (a, b) = (t.clone(), t.clone());
    lp.call_soon(move || a.push("cb1")).unwrap();
    let tr = t.clone();
    let h = lp.spawn(async move {
        tr.push("task");
        Ok(())
    });
    lp.call_soon(move || b.push("cb2")).unwrap();
    lp.run_until_complete(h).unwrap();
    assert_eq!(t.joined(), "cb1 task cb2");
}

#[test]
fn results_of_every_kind_come_back() {
    let lp = vloop();
    #[derive(Debug, PartialEq)]
    struct Point {
        x: i32,
        y: i32,
    }
    let out = lp
        .run_until_complete(async {
            let i = spawn(async { Ok(42i64) });
            let f = spawn(async { Ok(2.5f64) });
            let s = spawn(async { Ok(String::from("hi")) });
            let v = spawn(async { Ok(vec![1u8, 2, 3]) });
            let p = spawn(async { Ok(Point { x: 1, y: 2 }) });
            let u = spawn(async { Ok(()) });
            Ok((i.await?, f.await?, s.await?, v.await?, p.await?, u.await?))
        })
        .unwrap();
    assert_eq!(out, (42, 2.5, "hi".to_string(), vec![1, 2, 3], Point { x: 1, y: 2 }, ()));
}

#[test]
fn an_error_returned_by_a_task_fails_it() {
    let lp = vloop();
    let r: Result<(), Error> = lp.run_until_complete(async {
        let h = spawn(async {
            sleep(1.0).await?;
            Err::<(), _>(Error::host("boom"))
        });
        h.await
    });
    let e = r.unwrap_err();
    assert_eq!(e, Error::host("boom"));
    assert_eq!(e.kind(), ErrorKind::Host);
    assert_eq!(e.name(), "AC_EHOST");
}

#[test]
fn os_and_runtime_codes_keep_their_code_and_message() {
    let lp = vloop();
    let r: Result<(), Error> = lp.run_until_complete(async {
        spawn(async { Err::<(), _>(Error::with_message(asyncore::sys::AC_EEMPTY, "nothing")) }).await
    });
    let e = r.unwrap_err();
    assert_eq!(e.code(), asyncore::sys::AC_EEMPTY);
    assert_eq!(e.message(), "nothing");
    assert_eq!(e.kind(), ErrorKind::QueueEmpty);
    let os = Error::from_code(asyncore::sys::AC_ECONNRESET);
    assert_eq!(os.kind(), ErrorKind::Os(std::io::ErrorKind::ConnectionReset));
    assert_eq!(os.name(), "ECONNRESET");
}

#[test]
fn a_panic_in_a_task_becomes_a_host_error() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    let r: Result<i64, Error> = lp.run_until_complete(async move {
        let h = spawn(async {
            sleep(0.5).await?;
            if asyncore::time() > 0.0 {
                panic!("kaboom");
            }
            Ok(1i64)
        });
        let r = h.await;
        tr.push("after");
        r
    });
    assert_eq!(r.unwrap_err(), Error::host("task panicked: kaboom"));
    assert_eq!(t.joined(), "after");
}

#[test]
fn a_panicking_main_task_fails_run_until_complete() {
    let lp = vloop();
    let r: Result<(), Error> = lp.run_until_complete(async { panic!("at {}", 3) });
    assert_eq!(r.unwrap_err(), Error::host("task panicked: at 3"));
    // The loop is still usable.
    assert_eq!(lp.run_until_complete(async { Ok(7i64) }).unwrap(), 7);
}

#[test]
fn dropping_a_handle_neither_cancels_nor_leaks() {
    let lp = vloop();
    let t = Trace::new();
    let drops = DropCounter::new();
    let (tr, d) = (t.clone(), drops.clone());
    lp.run_until_complete(async move {
        let held = d.make();
        let h = spawn(async move {
            let _held = held;
            sleep(1.0).await?;
            tr.push("detached task finished");
            Ok(())
        });
        drop(h);
        sleep(2.0).await?;
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "detached task finished");
    assert_eq!(drops.drops(), 1);
}

#[test]
fn an_unread_result_is_dropped_once() {
    let drops = DropCounter::new();
    {
        let lp = vloop();
        let d = drops.clone();
        let h = lp.spawn(async move { Ok(d.make()) });
        lp.run_until_complete(async { sleep(0.0).await }).unwrap();
        assert!(h.is_finished());
        assert_eq!(drops.drops(), 0);
        drop(h);
        assert_eq!(drops.drops(), 1);
    }
    assert_eq!(drops.drops(), 1);
}

#[test]
fn a_result_taken_is_dropped_once_by_its_reader() {
    let drops = DropCounter::new();
    let lp = vloop();
    let d = drops.clone();
    let v = lp.run_until_complete(async move { spawn(async move { Ok(d.make()) }).await }).unwrap();
    assert_eq!(drops.drops(), 0);
    drop(v);
    assert_eq!(drops.drops(), 1);
    drop(lp);
    assert_eq!(drops.drops(), 1);
}

#[test]
fn closing_the_loop_drops_pending_tasks_once() {
    let drops = DropCounter::new();
    let lp = vloop();
    let messages = Trace::new();
    let m = messages.clone();
    lp.set_exception_handler(move |msg, _| m.push(msg)).unwrap();
    let d = drops.clone();
    let h = lp.spawn(async move {
        let _held = d.make();
        sleep(100.0).await?;
        Ok(())
    });
    lp.run_until_complete(async { sleep(1.0).await }).unwrap();
    assert_eq!(drops.drops(), 0);
    lp.close().unwrap();
    // The handle still holds the task (and so its future) ...
    assert_eq!(drops.drops(), 0);
    assert!(!h.is_finished());
    // ... until it goes.
    drop(h);
    assert_eq!(drops.drops(), 1);
    drop(lp);
    assert_eq!(drops.drops(), 1);
    assert_eq!(messages.take(), vec!["Task was destroyed but it is pending".to_string()]);
}

#[test]
fn an_error_nobody_reads_goes_to_the_exception_handler() {
    let lp = vloop();
    let seen = Trace::new();
    let s = seen.clone();
    lp.set_exception_handler(move |msg, err| s.push(format!("{msg}: {}", err.map(|e| e.to_string()).unwrap_or_default())))
        .unwrap();
    lp.run_until_complete(async {
        drop(spawn(async { Err::<(), _>(Error::host("lost")) }));
        sleep(1.0).await
    })
    .unwrap();
    assert_eq!(seen.take(), vec!["Task exception was never retrieved: Exception: lost".to_string()]);
}

#[test]
fn a_panic_in_a_callback_is_reported_not_propagated() {
    let lp = vloop();
    let seen = Trace::new();
    let s = seen.clone();
    lp.set_exception_handler(move |msg, e| s.push(format!("{msg}: {}", e.map(|e| e.to_string()).unwrap_or_default())))
        .unwrap();
    lp.call_soon(|| -> asyncore::Result<()> { panic!("in callback") }).unwrap();
    lp.run_until_complete(async { sleep(0.0).await }).unwrap();
    assert_eq!(seen.take(), vec!["Exception in callback: Exception: callback panicked: in callback".to_string()]);
}

#[test]
fn task_names_and_reentrant_runs() {
    let lp = vloop();
    let h = lp.spawn(async { Ok(()) });
    assert!(h.name().starts_with("Task-"));
    h.set_name("worker").unwrap();
    assert_eq!(h.name(), "worker");
    lp.run_until_complete(h).unwrap();
    let raw = lp.as_raw() as usize;
    let r: Result<(), Error> = lp.run_until_complete(async move {
        // A run inside a run is refused (asyncio: loop already running).
        let rc = unsafe { asyncore::sys::ac_loop_run_forever(raw as *mut _) };
        Err(Error::from_code(rc))
    });
    assert_eq!(r.unwrap_err().code(), asyncore::sys::AC_ERUNNING);
}

#[test]
fn spawn_outside_a_loop_is_a_usage_error() {
    let r = asyncore::try_spawn(async { Ok(()) });
    assert_eq!(r.err().map(|e| e.kind()), Some(ErrorKind::Runtime));
}

#[test]
fn host_stepping_runs_due_work_only() {
    let lp = Loop::new().unwrap();
    let t = Trace::new();
    let tr = t.clone();
    lp.call_later(1000.0, move || tr.push("late")).unwrap();
    let tr = t.clone();
    lp.call_soon(move || tr.push("soon")).unwrap();
    let rep = lp.step(0.0).unwrap();
    assert_eq!(rep.ran, 1);
    assert!(rep.pending);
    assert!(rep.next_deadline.unwrap() > lp.time());
    assert_eq!(t.joined(), "soon");
}

#[test]
fn run_is_asyncio_run() {
    let t = Trace::new();
    let tr = t.clone();
    let v = asyncore::run_with(Loop::builder().virtual_clock(true), async move {
        let tr2 = tr.clone();
        // Left running by main: cancelled at the end, and its cleanup runs.
        spawn(async move {
            match sleep(100.0).await {
                Err(e) if e.is_cancelled() => tr2.push("background cancelled"),
                _ => tr2.push("background ran"),
            }
            Ok(())
        });
        sleep(1.0).await?;
        tr.push("main done");
        Ok(5i64)
    })
    .unwrap();
    assert_eq!(v, 5);
    assert_eq!(t.joined(), "main done background cancelled");
}

#[test]
fn loop_settings_and_introspection() {
    let lp = vloop();
    assert!(!lp.is_running());
    assert!(!lp.debug());
    lp.set_debug(true).unwrap();
    assert!(lp.debug());
    lp.set_slow_callback_duration(1.0).unwrap();
    lp.set_ready_budget(16).unwrap();
    assert_eq!(lp.set_ready_budget(0).unwrap_err().code(), asyncore::sys::AC_EINVAL);
    assert!(lp.backend_fd().unwrap() >= 0);
    let t = Trace::new();
    let tr = t.clone();
    lp.call_at(5.0, move || tr.push("at 5")).unwrap();
    let raw = lp.as_raw() as usize;
    let h = lp.spawn(async move {
        sleep(10.0).await?;
        let running = unsafe { asyncore::sys::ac_loop_is_running(raw as *mut _) } == 1;
        Ok(running)
    });
    h.set_name("sleeper").unwrap();
    assert!(lp.run_until_complete(h).unwrap());
    assert_eq!(t.joined(), "at 5");
    assert_eq!(lp.current_task_name(), None);
}

/// n tasks spawned at once, then awaited in turn: the sum of 0..n.
async fn burst(n: i64) -> asyncore::Result<i64> {
    let hs: Vec<_> = (0..n).map(|i| spawn(async move { Ok(i) })).collect();
    let mut sum = 0;
    for h in hs {
        sum += h.await?;
    }
    Ok(sum)
}

#[test]
fn trim_gives_back_what_a_burst_of_tasks_left() {
    let lp = vloop();
    assert_eq!(lp.run_until_complete(burst(20_000)).unwrap(), 199_990_000);
    let n = asyncore::trim();
    // The C call tells whether the runtime keeps a pool here at all.
    let probe = unsafe { asyncore::sys::ac_trim() };
    if probe == i64::from(asyncore::sys::AC_ENOTSUP) {
        assert_eq!(n, 0);
        return;
    }
    // 20,000 task blocks (with their futures' state): megabytes.
    assert!(n >= 1 << 20, "gave back {n} bytes");
    // And the pool serves again.
    assert_eq!(lp.run_until_complete(burst(1000)).unwrap(), 499_500);
}
