// The bounded shutdown (run, run_main, Loop::shutdown): a task that
// swallows its cancellation is abandoned and reported, so neither can hang;
// and a step's time budget.
mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use asyncore::{run_with, sleep, spawn, ContextSubject, Error, Loop, LoopFuture, SHUTDOWN_TIMEOUT};
use common::{vloop, DropCounter, Trace};

/// Swallows every cancellation: waits again on a future nobody completes
/// (`on_future`) or sleeps in a loop.
async fn stubborn(on_future: bool, trace: Trace, _held: common::Counted) -> asyncore::Result<()> {
    loop {
        let r = if on_future {
            LoopFuture::<()>::new()?.await
        } else {
            sleep(1.0).await
        };
        if let Err(e) = r {
            trace.push(format!("ignored {}", e.name()));
        }
    }
}

type Reports = Rc<RefCell<Vec<String>>>;

fn record(lp: &Loop) -> Reports {
    let reports: Reports = Rc::default();
    let r = reports.clone();
    lp.set_exception_handler_ctx(move |ctx| {
        let subject = if ctx.subject == ContextSubject::Task { "task" } else { "other" };
        r.borrow_mut().push(format!(
            "{} ({}, {})",
            ctx.message,
            ctx.task_name.as_deref().unwrap_or("-"),
            subject
        ));
    })
    .unwrap();
    reports
}

fn abandons(on_future: bool) {
    let lp = vloop();
    let reports = record(&lp);
    let t = Trace::new();
    let drops = DropCounter::new();
    let h = lp.spawn(stubborn(on_future, t.clone(), drops.make()));
    h.set_name("stubborn").unwrap();
    let tr = t.clone();
    lp.spawn(async move {
        let r = sleep(100.0).await;
        tr.push(format!("polite: {}", r.as_ref().map(|_| "ok".to_string()).unwrap_or_else(|e| e.name())));
        r
    });
    lp.step(0.0).unwrap();
    assert_eq!(lp.shutdown(Duration::from_millis(100)).unwrap(), 1);
    assert!(lp.is_closed());
    assert_eq!(t.take(), vec!["ignored AC_ECANCELLED", "polite: AC_ECANCELLED"]);
    assert_eq!(
        reports.borrow().clone(),
        vec!["Task was destroyed but it is pending (stubborn, task)".to_string()]
    );
    assert!(!h.is_finished());
    assert!(lp.shutdown(Duration::from_secs(1)).is_err());
    // The abandoned task's future goes, with what it holds, with the last
    // reference to the task.
    assert_eq!(drops.drops(), 0);
    drop(h);
    assert_eq!(drops.drops(), 1);
}

#[test]
fn shutdown_abandons_a_task_waiting_again_on_a_future() {
    abandons(true);
}

#[test]
fn shutdown_abandons_a_task_sleeping_in_a_loop() {
    abandons(false);
}

#[test]
fn run_returns_when_a_task_swallows_its_cancellation() {
    let t = Trace::new();
    let tr = t.clone();
    let drops = DropCounter::new();
    let d = drops.clone();
    let r = run_with(
        Loop::builder().virtual_clock(true).shutdown_timeout(Duration::from_millis(100)),
        async move {
            let h = spawn(stubborn(false, tr, d.make()));
            h.set_name("stubborn")?;
            sleep(0.0).await?;
            Ok(7)
        },
    );
    // It returns; the abandoned task is reported (to stderr: the default
    // handler) and its future dropped.
    assert_eq!(r.unwrap(), 7);
    assert_eq!(t.take(), vec!["ignored AC_ECANCELLED"]);
    assert_eq!(drops.drops(), 1);
}

#[test]
fn shutdown_returns_zero_when_every_task_ends_and_reports_failures() {
    let lp = vloop();
    let reports = record(&lp);
    lp.spawn(async {
        let _ = sleep(100.0).await;
        Err::<(), _>(Error::with_message(asyncore_sys::AC_EINVAL, "cleanup failed"))
    })
    .set_name("failing")
    .unwrap();
    lp.step(0.0).unwrap();
    assert_eq!(lp.shutdown(SHUTDOWN_TIMEOUT).unwrap(), 0);
    assert_eq!(
        reports.borrow().clone(),
        vec!["unhandled exception during asyncio.run() shutdown (failing, task)".to_string()]
    );
}

#[test]
fn shutdown_is_refused_inside_a_run() {
    let lp = vloop();
    let raw = lp.as_raw() as usize;
    let r = lp.run_until_complete(async move {
        let rc = unsafe { asyncore_sys::ac_loop_shutdown(raw as *mut asyncore_sys::ac_loop, 1.0) };
        Ok(rc)
    });
    assert_eq!(r.unwrap(), asyncore_sys::AC_ERUNNING as i64);
    assert!(!lp.is_closed());
}

#[test]
fn time_budget_spreads_a_burst_over_steps() {
    let lp = Loop::new().unwrap();
    let order: Rc<RefCell<Vec<usize>>> = Rc::default();
    for i in 0..1000 {
        let o = order.clone();
        lp.call_soon(move || {
            // At least 20 µs of real time.
            let end = Instant::now() + Duration::from_micros(20);
            while Instant::now() < end {}
            o.borrow_mut().push(i);
        })
        .unwrap();
    }
    lp.set_time_budget(Duration::from_millis(2)).unwrap();
    let (mut steps, mut most) = (0, 0);
    while order.borrow().len() < 1000 && steps < 5000 {
        let ran = lp.step(0.0).unwrap().ran;
        assert!(ran >= 1);
        most = most.max(ran);
        steps += 1;
    }
    assert_eq!(*order.borrow(), (0..1000).collect::<Vec<_>>());
    // Each callback takes at least 20 µs: a 2 ms budget is spent after 100.
    assert!(most <= 101, "a step ran {most} callbacks");
    assert!(steps >= 10);
    lp.set_time_budget(Duration::ZERO).unwrap();
    let count = Rc::new(RefCell::new(0));
    for _ in 0..50 {
        let c = count.clone();
        lp.call_soon(move || *c.borrow_mut() += 1).unwrap();
    }
    assert_eq!(lp.step(0.0).unwrap().ran, 50);
    assert_eq!(*count.borrow(), 50);
}
