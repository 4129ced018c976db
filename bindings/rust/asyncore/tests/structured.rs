// Structured concurrency: gather_settled, wait_for, shield, wait,
// as_completed, timeout scopes, task groups.
mod common;

use asyncore::{
    as_completed, gather_settled, shield, sleep, spawn, task_group, timeout, timeout_at, wait, wait_for, Error,
    ErrorKind, WaitMode, WaitSets,
};
use std::future::Future;

use common::{vloop, Trace};

async fn worker(delay: f64, fail: bool) -> asyncore::Result<i64> {
    sleep(delay).await?;
    if fail {
        Err(Error::host(format!("failed after {delay}")))
    } else {
        Ok(delay as i64)
    }
}

#[test]
fn gather_settled_reports_every_outcome_in_order() {
    let lp = vloop();
    let r = lp
        .run_until_complete(async { gather_settled(vec![worker(2.0, false), worker(1.0, true), worker(3.0, false)]).await })
        .unwrap();
    assert_eq!(r, vec![Ok(2), Err(Error::host("failed after 1")), Ok(3)]);
    assert_eq!(lp.time(), 3.0);
}

#[test]
fn gather_of_nothing_is_empty() {
    let lp = vloop();
    let r = lp.run_until_complete(async { asyncore::gather(Vec::<std::future::Ready<asyncore::Result<i64>>>::new()).await });
    assert_eq!(r.unwrap(), Vec::<i64>::new());
}

#[test]
fn wait_for_in_time_gives_the_result() {
    let lp = vloop();
    assert_eq!(lp.run_until_complete(async { wait_for(5.0, worker(1.0, false)).await }).unwrap(), 1);
    assert_eq!(lp.time(), 1.0);
}

#[test]
fn wait_for_cancels_runs_cleanup_then_times_out() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    let r: Result<(), Error> = lp.run_until_complete(async move {
        let tr2 = tr.clone();
        let r = wait_for(2.5, async move {
            for i in 1..=5 {
                if let Err(e) = sleep(1.0).await {
                    tr2.push(format!("cancelled at {}", asyncore::time()));
                    return Err(e);
                }
                tr2.push(format!("tick{i}"));
            }
            Ok(())
        })
        .await;
        tr.push(format!("main at {}", asyncore::time()));
        r
    });
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(t.joined(), "tick1 tick2 cancelled at 2.5 main at 2.5");
}

#[test]
fn wait_for_keeps_an_error_of_the_task() {
    let lp = vloop();
    let r = lp.run_until_complete(async { wait_for(5.0, worker(1.0, true)).await });
    assert_eq!(r.unwrap_err(), Error::host("failed after 1"));
}

#[test]
fn shield_protects_the_work_from_the_awaiters_cancellation() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let tr2 = tr.clone();
        let tr3 = tr.clone();
        let awaiter = spawn(async move {
            let r = shield(async move {
                sleep(3.0).await?;
                tr3.push(format!("work done at {}", asyncore::time()));
                Ok(7i64)
            })
            .await;
            tr2.push(format!("awaiter got {:?}", r.as_ref().map_err(|e| e.name())));
            r
        });
        sleep(1.0).await?;
        awaiter.cancel();
        let _ = awaiter.await;
        sleep(5.0).await?;
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "awaiter got Err(\"AC_ECANCELLED\") work done at 3");
}

#[test]
fn wait_partitions_by_mode() {
    let lp = vloop();
    let r = lp
        .run_until_complete(async {
            let a = spawn(worker(3.0, false));
            let b = spawn(worker(1.0, false));
            let c = spawn(worker(2.0, true));
            let first = wait(&[&a, &b, &c], WaitMode::FirstCompleted, None).await?;
            let t1 = asyncore::time();
            let exc = wait(&[&a, &b, &c], WaitMode::FirstException, None).await?;
            let t2 = asyncore::time();
            let timed = wait(&[&a, &b, &c], WaitMode::AllCompleted, Some(0.5)).await?;
            let t3 = asyncore::time();
            let all = wait(&[&a, &b, &c], WaitMode::AllCompleted, None).await?;
            let _ = c.await;
            Ok((first, t1, exc, t2, timed, t3, all, asyncore::time()))
        })
        .unwrap();
    let sets = |d: &[usize], p: &[usize]| WaitSets { done: d.to_vec(), pending: p.to_vec() };
    assert_eq!(r.0, sets(&[1], &[0, 2]));
    assert_eq!(r.1, 1.0);
    assert_eq!(r.2, sets(&[1, 2], &[0]));
    assert_eq!(r.3, 2.0);
    assert_eq!(r.4, sets(&[1, 2], &[0]));
    assert_eq!(r.5, 2.5);
    assert_eq!(r.6, sets(&[0, 1, 2], &[]));
    assert_eq!(r.7, 3.0);
}

#[test]
fn as_completed_reports_in_finishing_order_then_times_out() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let mut it = as_completed(vec![worker(3.0, false), worker(1.0, true), worker(2.0, false), worker(9.0, false)], Some(5.0))?;
        while let Some((i, r)) = it.next().await {
            let what = match r {
                Ok(v) => format!("ok {v}"),
                Err(e) => e.name(),
            };
            tr.push(format!("{}:{what}@{}", i as isize, asyncore::time()));
        }
        // Let the slow task finish before the loop goes.
        sleep(5.0).await
    })
    .unwrap();
    assert_eq!(t.joined(), "1:AC_EHOST@1 2:ok 2@2 0:ok 3@3 -1:ETIMEDOUT@5");
}

#[test]
fn a_timeout_scope_turns_its_own_cancellation_into_timeout() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let r = timeout(2.0, async {
            sleep(1.0).await?;
            tr.push("first sleep done");
            sleep(5.0).await?;
            tr.push("unreachable");
            Ok(())
        })
        .await;
        tr.push(format!("{} at {}", r.unwrap_err().name(), asyncore::time()));
        // The task is not left cancelled: it goes on normally.
        sleep(1.0).await?;
        tr.push(format!("still running at {}", asyncore::time()));
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "first sleep done ETIMEDOUT at 2 still running at 3");
}

#[test]
fn a_timeout_not_reached_changes_nothing() {
    let lp = vloop();
    let r = lp.run_until_complete(async { timeout(5.0, worker(1.0, false)).await });
    assert_eq!(r.unwrap(), 1);
    let r = lp.run_until_complete(async { timeout_at(asyncore::time() + 5.0, worker(1.0, true)).await });
    assert_eq!(r.unwrap_err(), Error::host("failed after 1"));
}

#[test]
fn nested_timeouts_each_see_their_own_deadline() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    let r = lp.run_until_complete(async move {
        let outer = timeout(1.0, async {
            let inner = timeout(5.0, sleep(10.0)).await;
            // The outer deadline cancelled us: the inner scope passes the
            // cancellation through instead of calling it its own timeout.
            tr.push(format!("inner {}", inner.as_ref().unwrap_err().name()));
            inner
        })
        .await;
        Ok((outer.map_err(|e| e.name()), asyncore::time()))
    });
    assert_eq!(r.unwrap(), (Err("ETIMEDOUT".to_string()), 1.0));
    assert_eq!(t.joined(), "inner AC_ECANCELLED");
}

#[test]
fn an_outside_cancellation_stays_a_cancellation_inside_a_timeout() {
    let lp = vloop();
    let r: Result<(), Error> = lp.run_until_complete(async {
        let h = spawn(async { timeout(5.0, sleep(10.0)).await });
        sleep(1.0).await?;
        h.cancel();
        h.await
    });
    assert!(r.unwrap_err().is_cancelled());
}

#[test]
fn a_task_group_waits_for_all_and_returns_the_body_value() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    let r = lp.run_until_complete(async move {
        let tr_body = tr.clone();
        let v = task_group(|tg| async move {
            let tr = tr_body;
            for d in [2.0, 1.0] {
                let tr = tr.clone();
                tg.spawn(async move {
                    sleep(d).await?;
                    tr.push(format!("child {d}"));
                    Ok(())
                })?;
            }
            tr.push("body done");
            Ok("body")
        })
        .await?;
        tr.push(format!("group done at {}", asyncore::time()));
        Ok(v)
    });
    assert_eq!(r.unwrap(), "body");
    assert_eq!(t.joined(), "body done child 1 child 2 group done at 2");
}

#[test]
fn a_failing_child_cancels_its_siblings_and_the_body() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    let r: Result<(), Error> = lp.run_until_complete(async move {
        let tr_body = tr.clone();
        let r = task_group(|tg| async move {
            let tr1 = tr_body.clone();
            tg.spawn(async move {
                let r = sleep(5.0).await;
                tr1.push(format!("sibling {}", if r.is_err() { "cancelled" } else { "done" }));
                r
            })?;
            tg.spawn(worker(1.0, true))?;
            tg.spawn(worker(1.0, true))?;
            let r = sleep(10.0).await;
            tr_body.push(format!("body {}", if r.is_err() { "cancelled" } else { "done" }));
            r
        })
        .await;
        tr.push(format!("at {}", asyncore::time()));
        // The group's cancellation of this task was taken back.
        sleep(1.0).await?;
        r
    });
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Group);
    assert_eq!(e.message(), "unhandled errors in a TaskGroup (2 sub-exceptions)");
    assert_eq!(e.children(), &[Error::host("failed after 1"), Error::host("failed after 1")]);
    assert_eq!(t.joined(), "sibling cancelled body cancelled at 1");
}

#[test]
fn a_failing_body_cancels_the_children_and_is_a_child_error() {
    let lp = vloop();
    let r: Result<(), Error> = lp.run_until_complete(async {
        task_group(|tg| async move {
            tg.spawn(sleep(5.0))?;
            sleep(1.0).await?;
            Err::<(), _>(Error::host("body broke"))
        })
        .await
    });
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Group);
    assert_eq!(e.children(), &[Error::host("body broke")]);
    assert_eq!(lp.time(), 1.0);
}

#[test]
fn spawning_into_a_finished_group_is_refused() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let mut keep = None;
        task_group(|tg| {
            keep = Some(tg.clone());
            async { Ok(()) }
        })
        .await?;
        let tg = keep.unwrap();
        Ok(tg.spawn(async { Ok(()) }).err().map(|e| e.to_string()))
    });
    // asyncio: RuntimeError('TaskGroup is finished').
    assert_eq!(r.unwrap(), Some("RuntimeError: TaskGroup is finished".to_string()));
}

#[test]
fn a_timeout_reports_whether_it_expired() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let mut t = Box::pin(timeout(1.0, sleep(5.0)));
        let r = std::future::poll_fn(|cx| t.as_mut().poll(cx)).await;
        Ok((r.map_err(|e| e.name()), t.expired()))
    });
    assert_eq!(r.unwrap(), (Err("ETIMEDOUT".to_string()), true));
}
