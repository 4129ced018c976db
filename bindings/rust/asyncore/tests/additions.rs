// Eager tasks, self-cancellation, done-callbacks and shared results.
mod common;

use asyncore::{cancel_current, sleep, spawn, spawn_eager, yield_now, Error, LoopFuture};
use common::{vloop, Trace};

#[test]
fn an_eager_task_runs_its_first_step_inside_spawn() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let tr2 = tr.clone();
        let e = spawn_eager(async move {
            tr2.push("first");
            sleep(1.0).await?;
            tr2.push(format!("done@{}", asyncore::time()));
            Ok(5i64)
        });
        tr.push("created");
        assert_eq!(e.await?, 5);
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "first created done@1");
}

#[test]
fn an_eager_task_that_finishes_at_once_is_done_on_return() {
    let lp = vloop();
    lp.run_until_complete(async {
        let mut e = spawn_eager(async { Ok(7i64) });
        assert!(e.is_finished());
        assert_eq!(e.try_result().unwrap()?, 7);
        Ok(())
    })
    .unwrap();
}

#[test]
fn cancel_current_cancels_the_next_await_or_the_finish() {
    let lp = vloop();
    lp.run_until_complete(async {
        let at_await = spawn(async {
            assert!(cancel_current(Some("me")));
            let r = sleep(5.0).await;
            assert_eq!(r.as_ref().map_err(Error::message), Err("me"));
            r
        });
        assert!(at_await.await.unwrap_err().is_cancelled());
        let at_finish = spawn(async {
            cancel_current(None);
            Ok(3i64)
        });
        assert!(at_finish.await.unwrap_err().is_cancelled());
        Ok(())
    })
    .unwrap();
    assert!(!cancel_current(None), "outside a task");
}

#[test]
fn done_callbacks_run_through_the_loop_never_inline() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let f = LoopFuture::<i64>::new()?;
        let (g, tr1) = (f.clone(), tr.clone());
        f.add_done_callback(move || tr1.push(format!("cb1={}", g.peek_result().unwrap().unwrap())))?;
        f.set_result(7)?;
        tr.push("set");
        let (g, tr2) = (f.clone(), tr.clone());
        f.add_done_callback(move || tr2.push(format!("cb2={}", g.peek_result().unwrap().unwrap())))?;
        tr.push("added");
        yield_now().await?;
        tr.push("resumed");
        // The result is still there for the awaiter.
        assert_eq!(f.await?, 7);
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "set added cb1=7 cb2=7 resumed");
}

#[test]
fn sleep_zero_yields_to_what_is_ready() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    let l = std::rc::Rc::new(lp);
    let l2 = l.clone();
    l.run_until_complete(async move {
        let tr1 = tr.clone();
        l2.call_soon(move || tr1.push("callback"))?;
        sleep(0.0).await?;
        tr.push("resumed");
        // A cancellation pending is delivered there.
        let c = spawn(async {
            cancel_current(None);
            sleep(0.0).await
        });
        assert!(c.await.unwrap_err().is_cancelled());
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "callback resumed");
}

#[test]
fn peek_result_copies_and_leaves_the_result() {
    let lp = vloop();
    lp.run_until_complete(async {
        let mut h = spawn(async { Ok(42i64) });
        assert!(h.peek_result().is_none(), "pending");
        yield_now().await?;
        yield_now().await?;
        assert_eq!(h.peek_result().unwrap()?, 42);
        assert_eq!(h.peek_result().unwrap()?, 42);
        assert_eq!(h.try_result().unwrap()?, 42);
        // A non-native type cannot be copied.
        let s = spawn(async { Ok(vec![1u32]) });
        yield_now().await?;
        yield_now().await?;
        assert_eq!(s.peek_result().unwrap().unwrap_err().name(), "EINVAL");
        let failed = spawn(async { Err::<i64, _>(Error::from_code(asyncore::sys::AC_EPIPE)) });
        yield_now().await?;
        yield_now().await?;
        assert_eq!(failed.peek_result().unwrap().unwrap_err().name(), "EPIPE");
        Ok(())
    })
    .unwrap();
}
