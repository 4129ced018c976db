// Primitives and queues holding Rust values.
mod common;

use std::future::Future;
use std::task::Poll;

use asyncore::{sleep, spawn, yield_now, Barrier, Condition, Event, Lock, Queue, Semaphore};
use common::{vloop, DropCounter, Trace};

#[test]
fn lock_is_fifo_and_the_guard_releases() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let lock = Lock::new()?;
        let hs: Vec<_> = (0..3)
            .map(|i| {
                let (lock, tr) = (lock.clone(), tr.clone());
                spawn(async move {
                    let _g = lock.lock().await?;
                    tr.push(format!("in{i}"));
                    sleep(1.0).await?;
                    tr.push(format!("out{i}"));
                    Ok(())
                })
            })
            .collect();
        for h in hs {
            h.await?;
        }
        assert!(!lock.locked());
        let g = lock.try_lock().unwrap();
        assert!(lock.try_lock().is_none());
        drop(g);
        assert!(!lock.locked());
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "in0 out0 in1 out1 in2 out2");
    assert_eq!(lp.time(), 3.0);
}

#[test]
fn an_acquire_dropped_after_the_lock_was_handed_over_gives_it_back() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let lock = Lock::new()?;
        let g = lock.lock().await?;
        let waiter = lock.lock();
        let mut waiter = Box::pin(waiter);
        // Queue the waiter (its first poll queues it; the second finds it
        // still waiting).
        std::future::poll_fn(|cx| {
            let _ = waiter.as_mut().poll(cx);
            Poll::Ready(())
        })
        .await;
        std::future::poll_fn(|cx| {
            let _ = waiter.as_mut().poll(cx);
            Poll::Ready(())
        })
        .await;
        drop(g); // handed to the waiter ...
        yield_now().await?;
        drop(waiter); // ... which is dropped unread: it gives the lock back
        Ok(lock.locked())
    });
    assert!(!r.unwrap());
}

#[test]
fn a_cancelled_waiter_loses_no_wake_up() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let lock = Lock::new()?;
        let g = lock.lock().await?;
        let (l1, l2, tr1, tr2) = (lock.clone(), lock.clone(), tr.clone(), tr.clone());
        let a = spawn(async move {
            let r = l1.lock().await;
            tr1.push(format!("a {}", r.is_ok()));
            Ok(())
        });
        let b = spawn(async move {
            let _g = l2.lock().await?;
            tr2.push("b got it");
            Ok(())
        });
        sleep(1.0).await?;
        a.cancel();
        drop(g);
        a.await?;
        b.await?;
        tr.push(format!("locked {}", lock.locked()));
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "a false b got it locked false");
}

#[test]
fn semaphores_count_and_bound() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let s = Semaphore::bounded(2)?;
        let p1 = s.acquire().await?;
        let p2 = s.try_acquire().unwrap();
        let none = s.try_acquire().is_none();
        let locked = s.locked();
        drop(p1);
        drop(p2);
        let over = s.release().map_err(|e| e.to_string());
        Ok((none, locked, s.value(), over))
    });
    // asyncio: ValueError('BoundedSemaphore released too many times').
    assert_eq!(r.unwrap(), (true, true, 2, Err("ValueError: BoundedSemaphore released too many times".to_string())));
}

#[test]
fn event_wakes_every_waiter() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let ev = Event::new()?;
        let hs: Vec<_> = (0..3)
            .map(|i| {
                let (ev, tr) = (ev.clone(), tr.clone());
                spawn(async move {
                    ev.wait().await?;
                    tr.push(format!("w{i}@{}", asyncore::time()));
                    Ok(())
                })
            })
            .collect();
        sleep(2.0).await?;
        ev.set()?;
        for h in hs {
            h.await?;
        }
        assert!(ev.is_set());
        ev.clear()?;
        assert!(!ev.is_set());
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "w0@2 w1@2 w2@2");
}

#[test]
fn condition_wait_and_notify() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let cond = Condition::new(None)?;
        let ready = std::rc::Rc::new(std::cell::Cell::new(false));
        let (c2, r2, tr2) = (cond.clone(), ready.clone(), tr.clone());
        let waiter = spawn(async move {
            let _g = c2.lock().await?;
            let r3 = r2.clone();
            c2.wait_for(move || r3.get()).await?;
            tr2.push(format!("saw ready at {} locked {}", asyncore::time(), c2.locked()));
            Ok(())
        });
        sleep(1.0).await?;
        {
            let _g = cond.lock().await?;
            ready.set(true);
            cond.notify_all()?;
        }
        waiter.await?;
        tr.push(format!("locked {}", cond.locked()));
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "saw ready at 1 locked true locked false");
}

#[test]
fn barrier_releases_a_full_round() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let b = Barrier::new(3)?;
        let hs: Vec<_> = (0..3)
            .map(|i| {
                let b = b.clone();
                spawn(async move {
                    sleep(i as f64).await?;
                    b.wait().await
                })
            })
            .collect();
        let mut idx = Vec::new();
        for h in hs {
            idx.push(h.await?);
        }
        Ok((idx, asyncore::time(), b.parties(), b.broken()))
    });
    assert_eq!(r.unwrap(), (vec![0, 1, 2], 2.0, 3, false));
}

#[test]
fn queues_fifo_lifo_priority() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let f = Queue::<String>::new(0)?;
        let l = Queue::<i64>::lifo(0)?;
        let p = Queue::<&'static str>::priority(0)?;
        for i in 0..3 {
            f.put(format!("f{i}")).await?;
            l.put(i).await?;
        }
        p.put_priority(5, "low").await?;
        p.put_priority(1, "high").await?;
        p.put_priority(5, "low2").await?;
        let mut out = Vec::new();
        for _ in 0..3 {
            out.push(format!("{} {} {}", f.get().await?, l.get().await?, p.get().await?));
        }
        Ok(out)
    });
    assert_eq!(r.unwrap(), vec!["f0 2 high", "f1 1 low", "f2 0 low2"]);
}

#[test]
fn bounded_queue_nowait_and_waiting_puts() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let q = Queue::<Vec<u8>>::new(1)?;
        q.put_nowait(b"a".to_vec()).map_err(|(e, _)| e)?;
        let (e, back) = q.put_nowait(b"b".to_vec()).unwrap_err();
        tr.push(format!("{} {}", e.name(), String::from_utf8(back).unwrap()));
        assert!(q.full());
        let q2 = q.clone();
        let tr2 = tr.clone();
        let putter = spawn(async move {
            q2.put(b"c".to_vec()).await?;
            tr2.push(format!("put c at {}", asyncore::time()));
            Ok(())
        });
        sleep(1.0).await?;
        tr.push(String::from_utf8(q.get().await?).unwrap());
        putter.await?;
        tr.push(String::from_utf8(q.get_nowait()?).unwrap());
        tr.push(q.get_nowait().unwrap_err().name());
        Ok(())
    })
    .unwrap();
    assert_eq!(t.joined(), "AC_EFULL b a put c at 1 c AC_EEMPTY");
}

#[test]
fn join_waits_for_task_done_and_shutdown_ends_gets() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let q = Queue::<i64>::new(0)?;
        q.put(1).await?;
        q.put(2).await?;
        let q2 = q.clone();
        let worker = spawn(async move {
            let mut sum = 0;
            loop {
                match q2.get().await {
                    Ok(v) => {
                        sleep(1.0).await?;
                        sum += v;
                        q2.task_done()?;
                    }
                    Err(e) if e.code() == asyncore::sys::AC_ESHUTDOWN => return Ok(sum),
                    Err(e) => return Err(e),
                }
            }
        });
        q.join().await?;
        let joined_at = asyncore::time();
        q.shutdown(false)?;
        let put_after = q.put(3).await.map_err(|e| e.name());
        Ok((worker.await?, joined_at, put_after, q.is_shutdown()))
    });
    assert_eq!(r.unwrap(), (3, 2.0, Err("AC_ESHUTDOWN".to_string()), true));
}

#[test]
fn queued_items_are_dropped_exactly_once() {
    let drops = DropCounter::new();
    let lp = vloop();
    let d = drops.clone();
    lp.run_until_complete(async move {
        let q = Queue::new(0)?;
        for _ in 0..3 {
            q.put(d.make()).await?;
        }
        let taken = q.get().await?;
        drop(taken);
        assert_eq!(d.drops(), 1);
        q.shutdown(true)?; // drops the two left
        assert_eq!(d.drops(), 3);
        Ok(())
    })
    .unwrap();
    assert_eq!(drops.drops(), 3);
    let d = drops.clone();
    lp.run_until_complete(async move {
        let q = Queue::new(0)?;
        q.put(d.make()).await?;
        drop(q); // the queue goes with its item
        Ok(())
    })
    .unwrap();
    assert_eq!(drops.drops(), 4);
}

#[test]
fn a_getter_cancelled_with_its_item_in_hand_puts_it_back() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let q = Queue::<i64>::new(0)?;
        let q2 = q.clone();
        let getter = spawn(async move { q2.get().await });
        yield_now().await?; // the getter waits
        q.put(7).await?; // handed to the getter ...
        getter.cancel(); // ... which is cancelled before it resumes
        let r = getter.await;
        Ok((r.map_err(|e| e.name()), q.get_nowait()?))
    });
    assert_eq!(r.unwrap(), (Err("AC_ECANCELLED".to_string()), 7));
}

#[test]
fn a_free_lock_is_taken_at_once_without_suspending() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let lock = Lock::new()?;
        let tb = tr.clone();
        let b = spawn(async move {
            tb.push("b1");
            yield_now().await?;
            tb.push("b2");
            Ok(())
        });
        let acquire = lock.lock();
        tr.push(format!("taken at once {}", lock.locked()));
        // asyncio's rule: a free lock does not suspend; b has not run yet.
        let g = acquire.await?;
        tr.push("a has it");
        drop(g);
        tr.push(format!("released {}", !lock.locked()));
        b.await
    })
    .unwrap();
    assert_eq!(t.joined(), "taken at once true a has it released true b1 b2");
}

#[test]
fn a_contended_acquire_resumes_when_handed_over_without_an_extra_trip() {
    // As a C task awaiting the acquire future: the waiter is scheduled when
    // the lock is handed to it, not before.
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    lp.run_until_complete(async move {
        let lock = Lock::new()?;
        let g = lock.lock().await?;
        let (l2, tw, tx) = (lock.clone(), tr.clone(), tr.clone());
        let w = spawn(async move {
            tw.push("w asks");
            let _g = l2.lock().await?;
            tw.push("w has it");
            Ok(())
        });
        let x = spawn(async move {
            for i in 1..=3 {
                tx.push(format!("x{i}"));
                yield_now().await?;
            }
            Ok(())
        });
        yield_now().await?; // w queues, x runs once
        drop(g); // handed to w, which is scheduled now: after x
        tr.push("main released");
        yield_now().await?;
        tr.push("main back");
        w.await?;
        x.await
    })
    .unwrap();
    assert_eq!(t.joined(), "w asks x1 main released x2 w has it main back x3");
}

#[test]
fn a_semaphore_permit_taken_at_once_and_dropped_unread_is_given_back() {
    let lp = vloop();
    let r = lp.run_until_complete(async {
        let sem = Semaphore::new(1)?;
        let a = sem.acquire();
        let taken = sem.value();
        drop(a); // never awaited: the permit comes back
        let after_drop = sem.value();
        let g = sem.acquire().await?;
        let held = sem.value();
        drop(g);
        Ok((taken, after_drop, held, sem.value()))
    });
    assert_eq!(r.unwrap(), (0, 1, 0, 1));
}

#[test]
fn puts_with_room_and_gets_of_a_ready_item_do_not_suspend() {
    let lp = vloop();
    let t = Trace::new();
    let tr = t.clone();
    let drops = DropCounter::new();
    let d = drops.clone();
    lp.run_until_complete(async move {
        let q = Queue::new(2)?;
        let tb = tr.clone();
        let b = spawn(async move {
            tb.push("b");
            Ok(())
        });
        q.put(d.make()).await?;
        q.put(d.make()).await?;
        tr.push(format!("put 2 {}", q.qsize()));
        let first = q.get().await?;
        tr.push(format!("got 1 {}", q.qsize()));
        drop(first);
        // An operation made but never awaited: the item it took goes with it.
        drop(q.get());
        tr.push(format!("dropped {} {}", d.drops(), q.qsize()));
        b.await?;
        // The queue is empty: a get waits for the next put.
        let q2 = q.clone();
        let tg = tr.clone();
        let g = spawn(async move {
            let v = q2.get().await?;
            tg.push("getter woke");
            drop(v);
            Ok(())
        });
        yield_now().await?;
        tr.push("putting");
        q.put(d.make()).await?;
        tr.push("put done");
        g.await
    })
    .unwrap();
    assert_eq!(t.joined(), "put 2 2 got 1 1 dropped 2 0 b putting put done getter woke");
    assert_eq!(drops.drops(), 3);
}
