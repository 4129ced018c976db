// Wakers: wake-ups from other threads, waker clones kept across polls,
// loop futures polled by another executor, completers, context variables.
mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;

use asyncore::{sleep, spawn, ContextVar, Error, LoopFuture};
use common::{vloop, Trace};

/// A one-shot slot filled by another thread; its future keeps the waker.
#[derive(Default)]
struct Slot {
    value: Option<i64>,
    waker: Option<Waker>,
}

struct SlotFuture(Arc<Mutex<Slot>>);

impl Future for SlotFuture {
    type Output = i64;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<i64> {
        let mut s = self.0.lock().unwrap();
        match s.value.take() {
            Some(v) => Poll::Ready(v),
            None => {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

#[test]
fn a_wake_from_another_thread_resumes_the_task() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let slot = Arc::new(Mutex::new(Slot::default()));
        let s2 = slot.clone();
        let th = thread::spawn(move || {
            // Wait until the task parked with its waker, then fill the slot.
            loop {
                let mut s = s2.lock().unwrap();
                if let Some(w) = s.waker.take() {
                    s.value = Some(11);
                    drop(s);
                    w.wake();
                    break;
                }
                drop(s);
                thread::yield_now();
            }
        });
        let v = SlotFuture(slot).await;
        th.join().unwrap();
        Ok(v)
    });
    assert_eq!(r.unwrap(), 11);
}

#[test]
fn many_remote_wakes_coalesce_and_none_is_lost() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let mut total = 0;
        for round in 0..50i64 {
            let slot = Arc::new(Mutex::new(Slot::default()));
            let s2 = slot.clone();
            let th = thread::spawn(move || loop {
                let mut s = s2.lock().unwrap();
                if let Some(w) = s.waker.clone() {
                    s.value = Some(round);
                    drop(s);
                    // Several wakes for one event.
                    w.wake_by_ref();
                    w.wake_by_ref();
                    w.wake();
                    break;
                }
                drop(s);
                thread::yield_now();
            });
            total += SlotFuture(slot).await;
            th.join().unwrap();
        }
        Ok(total)
    });
    assert_eq!(r.unwrap(), (0..50).sum::<i64>());
}

#[test]
fn a_waker_kept_from_an_earlier_poll_still_wakes() {
    // The task keeps a waker clone in a Rust structure while it also waits
    // on a loop future: the step must not bypass the waker.
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let slot = Arc::new(Mutex::new(Slot::default()));
        let s2 = slot.clone();
        let waiter = spawn(async move {
            let v = SlotFuture(s2).await;
            Ok(v)
        });
        sleep(1.0).await?;
        let w = slot.lock().unwrap().waker.take().unwrap();
        slot.lock().unwrap().value = Some(3);
        w.wake();
        let v = waiter.await?;
        tr.push(format!("{v} at {}", asyncore::time()));
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "3 at 1");
}

#[test]
fn a_completer_on_another_thread_completes_a_loop_future() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let f = LoopFuture::<String>::new()?;
        let c = f.completer();
        let th = thread::spawn(move || c.complete(Ok("from thread".to_string())));
        let v = f.await?;
        th.join().unwrap()?;
        Ok(v)
    });
    assert_eq!(r.unwrap(), "from thread");
}

#[test]
fn a_dropped_completer_cancels_the_future() {
    let lp = vloop();
    let r: Result<i64, Error> = lp.run_until_complete(async {
        let f = LoopFuture::<i64>::new()?;
        let c = f.completer();
        thread::spawn(move || drop(c)).join().unwrap();
        f.await
    });
    assert!(r.unwrap_err().is_cancelled());
}

#[test]
fn a_completer_error_keeps_code_and_message() {
    let lp = vloop();
    let r: Result<i64, Error> = lp.run_until_complete(async {
        let f = LoopFuture::<i64>::new()?;
        let c = f.completer();
        thread::spawn(move || c.complete(Err(Error::with_message(asyncore::sys::AC_ECONNRESET, "peer left"))))
            .join()
            .unwrap()?;
        f.await
    });
    let e = r.unwrap_err();
    assert_eq!((e.code(), e.message()), (asyncore::sys::AC_ECONNRESET, "peer left"));
}

struct CountingWaker(AtomicUsize);
impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_loop_future_polled_with_a_foreign_waker_wakes_it() {
    let lp = vloop();
    let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let waker = Waker::from(counter.clone());
    let f = LoopFuture::<i64>::new_in(&lp).unwrap();
    let mut g = f.clone();
    let mut cx = Context::from_waker(&waker);
    assert!(Pin::new(&mut g).poll(&mut cx).is_pending());
    // Polling again with the same waker registers nothing new.
    assert!(Pin::new(&mut g).poll(&mut cx).is_pending());
    f.set_result(5).unwrap();
    assert_eq!(counter.0.load(Ordering::SeqCst), 0, "done-callbacks never run inline");
    lp.step(0.0).unwrap();
    assert_eq!(counter.0.load(Ordering::SeqCst), 1);
    match Pin::new(&mut g).poll(&mut cx) {
        Poll::Ready(v) => assert_eq!(v.unwrap(), 5),
        Poll::Pending => panic!("should be ready"),
    }
}

#[test]
fn dropping_a_loop_future_removes_its_registration() {
    let lp = vloop();
    let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let waker = Waker::from(counter.clone());
    let f = LoopFuture::<i64>::new_in(&lp).unwrap();
    let mut g = f.clone();
    assert!(Pin::new(&mut g).poll(&mut Context::from_waker(&waker)).is_pending());
    drop(g);
    // The registration held a waker clone: it is released.
    assert_eq!(Arc::strong_count(&counter), 2);
    f.set_result(1).unwrap();
    lp.step(0.0).unwrap();
    assert_eq!(counter.0.load(Ordering::SeqCst), 0);
}

#[test]
fn context_vars_are_inherited_by_child_tasks_not_parents() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let var = Arc::new(ContextVar::<String>::new()?);
        let id = ContextVar::<i64>::new()?;
        var.set("parent".into())?;
        id.set(1)?;
        let (v2, tr2) = (var.clone(), tr.clone());
        spawn(async move {
            tr2.push(format!("child sees {:?}", v2.get()));
            v2.set("child".into())?;
            tr2.push(format!("child set {:?}", v2.get()));
            Ok(())
        })
        .await?;
        tr.push(format!("parent sees {:?} {:?}", var.get(), id.get()));
        assert!(id.delete()?);
        tr.push(format!("deleted {:?}", id.get()));
        Ok(())
    })
    .unwrap();
    assert_eq!(
        t.take(),
        vec![
            "child sees Some(\"parent\")",
            "child set Some(\"child\")",
            "parent sees Some(\"parent\") Some(1)",
            "deleted None"
        ]
    );
}

#[test]
fn loop_handle_posts_work_from_another_thread() {
    let lp = vloop();
    let h = lp.handle();
    let done = LoopFuture::<i64>::new_in(&lp).unwrap();
    let d = done.clone();
    // The future is loop-thread only: the closure carries it as an address
    // and completes it on the loop's thread.
    let addr = Box::into_raw(Box::new(d)) as usize;
    let th = thread::spawn(move || {
        h.call_soon_threadsafe(move || {
            let d = unsafe { Box::from_raw(addr as *mut LoopFuture<i64>) };
            d.set_result(77).unwrap();
        })
        .unwrap();
    });
    let v = lp.run_until_complete(done).unwrap();
    th.join().unwrap();
    assert_eq!(v, 77);
}
