// Cancellation: delivered at the awaited loop future, with its message;
// swallowing it; before the first step; on a task parked on several
// futures; finishing with a cancellation undelivered.
mod common;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use asyncore::{checkpoint, sleep, spawn, yield_now, Error, LoopFuture};
use common::{vloop, Trace};

#[test]
fn cancel_interrupts_the_sleep_and_the_task_ends_cancelled() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let tr2 = tr.clone();
        let h = spawn(async move {
            tr2.push("start");
            let r = sleep(10.0).await;
            tr2.push(format!("sleep -> {}", r.as_ref().map(|_| "ok".to_string()).unwrap_or_else(|e| e.name())));
            tr2.push("cleanup");
            r?;
            tr2.push("unreachable");
            Ok(())
        });
        sleep(1.0).await?;
        assert!(h.cancel());
        let r = h.await;
        tr.push(format!("joined at {} -> {:?}", asyncore::time(), r));
        Ok(())
    })
    .unwrap();
    assert_eq!(
        t.take(),
        vec![
            "start",
            "sleep -> AC_ECANCELLED",
            "cleanup",
            "joined at 1 -> Err(Cancelled { message: \"\", cause: None })"
        ]
    );
}

#[test]
fn the_cancel_message_reaches_the_awaiter() {
    let lp = vloop();
    let r: Result<(), Error> = lp.run_until_complete(async {
        let h = spawn(async { sleep(5.0).await });
        sleep(1.0).await?;
        h.cancel_with(Some("enough"));
        h.await
    });
    assert_eq!(r.unwrap_err(), Error::cancelled("enough"));
}

#[test]
fn the_cancel_message_reaches_a_task_cancelled_while_ready() {
    // T0 yields (sleep(0)); T1 cancels it with a message while it is
    // ready: asyncio's CancelledError carries the message, though nothing
    // T0 awaited failed.
    let lp = vloop();
    let r: Result<String, Error> = lp.run_until_complete(async {
        let t0 = spawn(async {
            let r = sleep(0.0).await;
            Ok(match r {
                Err(e) => format!("{}: {}", e.name(), e.message()),
                Ok(()) => "ok".to_string(),
            })
        });
        let h = t0.clone();
        let _t1 = spawn(async move {
            h.cancel_with(Some("m1"));
            Ok(())
        });
        t0.await
    });
    assert_eq!(r.unwrap(), "AC_ECANCELLED: m1");
}

#[test]
fn a_task_may_swallow_its_cancellation() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let h = spawn(async {
            match sleep(5.0).await {
                Err(e) if e.is_cancelled() => Ok(-1i64),
                other => other.map(|_| 1),
            }
        });
        sleep(1.0).await?;
        h.cancel();
        let v = h.await?;
        Ok((v, asyncore::time()))
    });
    assert_eq!(r.unwrap(), (-1, 1.0));
}

#[test]
fn a_task_cancelled_before_its_first_step_never_runs() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    let r: Result<(), Error> = lp.run_until_complete(async move {
        let h = spawn(async move {
            tr.push("ran");
            Ok(())
        });
        h.cancel();
        h.await
    });
    assert!(r.unwrap_err().is_cancelled());
    assert!(t.take().is_empty());
}

#[test]
fn cancelling_a_task_that_awaits_a_task_cancels_both() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let tr_in = tr.clone();
        let inner = spawn(async move {
            let r = sleep(10.0).await;
            tr_in.push(format!("inner {}", r.is_err()));
            r
        });
        let tr_out = tr.clone();
        let outer = spawn(async move {
            let r = inner.await;
            tr_out.push(format!("outer {:?}", r.as_ref().err().map(|e| e.name())));
            r
        });
        sleep(1.0).await?;
        outer.cancel();
        let r = outer.await;
        tr.push(format!("main {}", r.unwrap_err().name()));
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "inner true outer Some(\"AC_ECANCELLED\") main AC_ECANCELLED");
}

/// Polls two futures, Ready when both are (a tiny join without a runtime).
struct Both<A: Future, B: Future> {
    a: Pin<Box<A>>,
    b: Pin<Box<B>>,
    ra: Option<A::Output>,
    rb: Option<B::Output>,
}

impl<A: Future, B: Future> Future for Both<A, B>
where
    A::Output: Unpin,
    B::Output: Unpin,
{
    type Output = (A::Output, B::Output);
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = unsafe { self.get_unchecked_mut() };
        if this.ra.is_none() {
            if let Poll::Ready(v) = this.a.as_mut().poll(cx) {
                this.ra = Some(v);
            }
        }
        if this.rb.is_none() {
            if let Poll::Ready(v) = this.b.as_mut().poll(cx) {
                this.rb = Some(v);
            }
        }
        if this.ra.is_some() && this.rb.is_some() {
            Poll::Ready((this.ra.take().unwrap(), this.rb.take().unwrap()))
        } else {
            Poll::Pending
        }
    }
}

fn both<A: Future, B: Future>(a: A, b: B) -> Both<A, B> {
    Both { a: Box::pin(a), b: Box::pin(b), ra: None, rb: None }
}

#[test]
fn a_task_waiting_on_two_futures_gets_woken_by_either() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let f = LoopFuture::<i64>::new()?;
        let setter = f.clone();
        spawn(async move {
            sleep(1.0).await?;
            setter.set_result(9)?;
            Ok(())
        });
        let (x, s) = both(f, sleep(3.0)).await;
        Ok((x?, s.is_ok(), asyncore::time()))
    });
    assert_eq!(r.unwrap(), (9, true, 3.0));
}

#[test]
fn cancel_reaches_a_task_parked_on_two_futures() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let tr2 = tr.clone();
        let h = spawn(async move {
            let (a, b) = both(sleep(5.0), sleep(7.0)).await;
            tr2.push(format!("{} {}", a.is_err(), b.is_err()));
            a.and(b)
        });
        sleep(1.0).await?;
        h.cancel();
        let r = h.await;
        tr.push(format!("{} at {}", r.unwrap_err().name(), asyncore::time()));
        Ok(())
    })
    .unwrap();
    // The first pending sleep takes the cancellation; the second then runs
    // out (the task was not cancelled twice), as asyncio would.
    assert_eq!(t.joined(), "true false AC_ECANCELLED at 7");
}

#[test]
fn a_cancellation_not_delivered_ends_the_task_cancelled() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    let r: Result<i64, Error> = lp.run_until_complete(async move {
        let h = spawn(async move {
            // A pure-Rust wait (no loop future polled while cancelled).
            let mut n = 0;
            std::future::poll_fn(|cx| {
                n += 1;
                if n < 3 {
                    cx.waker().wake_by_ref();
                    Poll::Pending
                } else {
                    Poll::Ready(())
                }
            })
            .await;
            tr.push("finished the computation");
            Ok(1i64)
        });
        yield_now().await?;
        h.cancel();
        h.await
    });
    assert!(r.unwrap_err().is_cancelled());
    assert_eq!(t.joined(), "finished the computation");
}

#[test]
fn checkpoint_delivers_a_pending_cancellation() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let tr2 = tr.clone();
        let h = spawn(async move {
            tr2.push(format!("first {:?}", checkpoint().is_ok()));
            // Cancelled while ready: the yield is where it is delivered.
            let y = yield_now().await;
            tr2.push(format!("yield {:?}", y.is_ok()));
            // Delivered once: the next checkpoint passes.
            tr2.push(format!("second {:?}", checkpoint().is_ok()));
            y
        });
        yield_now().await?;
        h.cancel();
        let r = h.await;
        tr.push(r.unwrap_err().name());
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "first true yield false second true AC_ECANCELLED");
}

#[test]
fn cancelling_uncancel_counts() {
    let lp = vloop();
    lp.run_until_complete(async {
        let h = spawn(async { sleep(1.0).await });
        assert_eq!(h.cancelling(), 0);
        h.cancel();
        h.cancel();
        assert_eq!(h.cancelling(), 2);
        assert_eq!(h.uncancel(), 1);
        let _ = h.await;
        Ok(())
    })
    .unwrap();
}

#[test]
fn a_cancelled_loop_future_gives_cancelled() {
    let lp = vloop();
    let r: Result<i64, Error> = lp.run_until_complete(async {
        let f = LoopFuture::<i64>::new()?;
        let g = f.clone();
        spawn(async move {
            sleep(1.0).await?;
            g.cancel(Some("nope"));
            Ok(())
        });
        f.await
    });
    assert_eq!(r.unwrap_err(), Error::cancelled("nope"));
}

#[test]
fn a_cancellation_arriving_with_the_result_wins_and_leaves_the_result() {
    // asyncio: a task cancelled while ready to resume with a result sees
    // CancelledError; the result stays in the future.
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let f = LoopFuture::<i64>::new()?;
        let g = f.clone();
        let h = spawn(g);
        yield_now().await?; // h now awaits f directly
        f.set_result(5)?;
        h.cancel();
        let r = h.await;
        Ok((r.map_err(|e| e.name()), f.await?))
    });
    assert_eq!(r.unwrap(), (Err("AC_ECANCELLED".to_string()), 5));
}
