// The binding as Rust code uses it: awaits of another loop fail at once,
// Duration/Instant times, Mutex<T>, select/race, JoinSet, channels.
mod common;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use asyncore::*;
// The built-in #[test] (the glob above brings #[asyncore::test] in).
use core::prelude::v1::test;
use common::vloop;

const DIFFERENT_LOOP: &str = "RuntimeError: Task got Future attached to a different loop";

// ---- awaiting what belongs to another loop ----

/// Each await of something of loop `b` inside a task of loop `a` fails at
/// once: `a`'s virtual clock has not moved (the 5 s timeout never had to
/// fire) and `b` never ran (its task never started).
#[test]
fn cross_loop_awaits_fail_at_once() {
    let a = vloop();
    let b = vloop();
    let b_ran = Rc::new(Cell::new(false));
    let flag = b_ran.clone();
    let b_task = b.spawn(async move {
        flag.set(true);
        Ok(7)
    });
    let b_future: LoopFuture<i64> = LoopFuture::new_in(&b).unwrap();
    let b_lock = Lock::new_in(&b).unwrap();
    let held = b_lock.try_lock().unwrap();
    let b_mutex = Mutex::new_in(&b, 0).unwrap();
    let _held_mutex = b_mutex.try_lock().unwrap();

    let outcomes = a
        .run_until_complete(async move {
            let mut out = Vec::new();
            let f = b_future.clone();
            out.push(timeout(Duration::from_secs(5), f).await.map(|_| ()));
            out.push(timeout(Duration::from_secs(5), b_task).await.map(|_| ()));
            out.push(timeout(Duration::from_secs(5), b_lock.lock()).await.map(|_| ()));
            out.push(timeout(Duration::from_secs(5), b_mutex.lock()).await.map(|_| ()));
            // Inside a combinator of this crate too.
            out.push(match select(b_future, sleep(Duration::from_secs(5))).await {
                Either::Left(r) => r.map(|_| ()),
                Either::Right(_) => Ok(()),
            });
            Ok(out)
        })
        .unwrap();
    assert_eq!(outcomes.len(), 5);
    for r in outcomes {
        assert_eq!(r.unwrap_err().to_string(), DIFFERENT_LOOP);
    }
    assert_eq!(a.time(), 0.0, "the awaits failed without waiting");
    assert!(!b_ran.get(), "loop b never ran");
    drop(held);
}

#[test]
fn awaiting_a_future_of_a_dropped_loop_fails_at_once() {
    let a = vloop();
    let b = vloop();
    let f: LoopFuture<i64> = LoopFuture::new_in(&b).unwrap();
    drop(b);
    let e = a.run_until_complete(async move { timeout(Duration::from_secs(5), f).await }).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Runtime);
    assert_eq!(a.time(), 0.0);
}

/// A run or block_on inside a task is refused before its future starts
/// (asyncio refuses a nested run_until_complete the same way).
#[test]
fn nested_runs_are_refused_and_never_start() {
    let a = Rc::new(vloop());
    let started = Rc::new(Cell::new(0));
    let (a2, s) = (a.clone(), started.clone());
    let msgs = a
        .run_until_complete(async move {
            let mut msgs = Vec::new();
            let s1 = s.clone();
            msgs.push(a2.block_on(async move {
                s1.set(s1.get() + 1);
                Ok(())
            }));
            let other = vloop();
            let s2 = s.clone();
            msgs.push(other.block_on(async move {
                s2.set(s2.get() + 1);
                Ok(())
            }));
            let s3 = s.clone();
            msgs.push(run(async move {
                s3.set(s3.get() + 1);
                Ok(())
            }));
            Ok(msgs.into_iter().map(|r| r.unwrap_err().to_string()).collect::<Vec<_>>())
        })
        .unwrap();
    assert_eq!(
        msgs,
        [
            "RuntimeError: This event loop is already running",
            "RuntimeError: Cannot run the event loop while another loop is running",
            "RuntimeError: asyncio.run() cannot be called from a running event loop",
        ]
    );
    assert_eq!(started.get(), 0);
}

// ---- Duration and Instant ----

#[test]
fn durations_and_instants() {
    let l = vloop();
    let start = l.now();
    let r = l
        .run_until_complete(async {
            let t0 = now();
            sleep(Duration::from_millis(1500)).await?;
            let slept = now() - t0;
            let late = timeout_at(now() + Duration::from_millis(250), sleep(Duration::from_secs(10))).await;
            let on_time = timeout(Duration::from_secs(1), async {
                sleep(Duration::from_millis(10)).await?;
                Ok(5)
            })
            .await?;
            let w = wait_for(Duration::from_millis(100), sleep(Duration::from_secs(1))).await;
            Ok((slept, late.unwrap_err().kind(), on_time, w.unwrap_err().kind(), time()))
        })
        .unwrap();
    assert_eq!(r.0, Duration::from_millis(1500));
    assert_eq!(r.1, ErrorKind::Timeout);
    assert_eq!(r.2, 5);
    assert_eq!(r.3, ErrorKind::Timeout);
    assert!((r.4 - 1.86).abs() < 1e-9, "{}", r.4);
    assert_eq!(l.now() - start, Duration::from_millis(1860));
    // call_later/call_at take a Duration / an Instant.
    let seen = Rc::new(RefCell::new(Vec::new()));
    let (s1, s2) = (seen.clone(), seen.clone());
    l.call_later(Duration::from_millis(20), move || s1.borrow_mut().push("later")).unwrap();
    let at = l.now() + Duration::from_millis(10);
    l.call_at(at, move || s2.borrow_mut().push("at")).unwrap();
    l.run_until_complete(sleep(Duration::from_millis(30))).unwrap();
    assert_eq!(*seen.borrow(), ["at", "later"]);
}

// ---- Mutex<T> ----

#[test]
fn mutex_guards_its_data_in_fifo_order() {
    let l = vloop();
    let order = l
        .run_until_complete(async {
            let m = Rc::new(Mutex::new(Vec::<usize>::new())?);
            let first = m.lock().await?;
            let mut tasks = Vec::new();
            for i in 0..5 {
                let m = m.clone();
                tasks.push(spawn(async move {
                    let mut g = m.lock().await?;
                    // Held across an await: nobody else gets in meanwhile.
                    let n = g.len();
                    sleep(Duration::from_millis(1)).await?;
                    g.push(i * 10 + n);
                    Ok(())
                }));
            }
            yield_now().await?;
            assert!(m.is_locked());
            drop(first);
            gather(tasks).await?;
            let v = m.lock().await?.clone();
            Ok(v)
        })
        .unwrap();
    assert_eq!(order, [0, 11, 22, 33, 44]);
}

#[test]
fn a_cancelled_mutex_waiter_never_keeps_the_lock() {
    let l = vloop();
    let v = l
        .run_until_complete(async {
            let m = Rc::new(Mutex::new(1)?);
            let g = m.lock().await?;
            let m2 = m.clone();
            let waiter = spawn(async move {
                *m2.lock().await? += 100;
                Ok(())
            });
            yield_now().await?;
            waiter.cancel();
            drop(g);
            let r = waiter.clone().await;
            assert!(r.unwrap_err().is_cancelled());
            // A waiter that timed out gives nothing back either.
            let g = m.lock().await?;
            let m3 = m.clone();
            let t = timeout(Duration::from_millis(5), async move { m3.lock().await.map(|_| ()) }).await;
            assert!(t.unwrap_err().is_timeout());
            drop(g);
            let value = *m.try_lock().expect("free").deref_value();
            Ok(value)
        })
        .unwrap();
    assert_eq!(v, 1);
}

trait DerefValue<T> {
    fn deref_value(&self) -> &T;
}
impl<T> DerefValue<T> for MutexGuard<'_, T> {
    fn deref_value(&self) -> &T {
        self
    }
}

// ---- select and race ----

/// The receive loses the race after it was handed the message: dropping
/// it gives the message back, and the next receive returns it.
#[test]
fn a_lost_select_takes_no_message() {
    let l = vloop();
    let got = l
        .run_until_complete(async {
            let (tx, mut rx) = channel::<String>(0)?;
            let other: LoopFuture<i64> = LoopFuture::new()?;
            let (o, tx2) = (other.clone(), tx.clone());
            // In one loop iteration: the message goes to the waiting
            // receive, then the other future completes.
            spawn(async move {
                sleep(Duration::from_millis(5)).await?;
                tx2.send("hello".to_string()).await?;
                o.set_result(1)?;
                Ok(())
            });
            let first = match select(other, rx.recv()).await {
                Either::Left(v) => format!("other {}", v?),
                Either::Right(m) => format!("message {:?}", m?),
            };
            // (Bounded: were the message lost, this would wait for ever.)
            let next = timeout(Duration::from_secs(1), rx.recv()).await?;
            drop(tx);
            let end = rx.recv().await?;
            Ok((first, next, end))
        })
        .unwrap();
    assert_eq!(got, ("other 1".to_string(), Some("hello".to_string()), None));
}

#[test]
fn select_macro_and_race_drop_the_losers() {
    let l = vloop();
    let (arm, winner, dropped) = l
        .run_until_complete(async {
            let (tx, mut rx) = channel::<i32>(4)?;
            let arm = select! {
                m = rx.recv() => format!("message {:?}", m?),
                _ = sleep(Duration::from_millis(50)) => "timed out".to_string(),
            };
            tx.send(3).await?;
            assert_eq!(rx.recv().await?, Some(3));
            // race: the shortest sleep wins; the others are dropped before
            // the output is given (their end never runs).
            let ended = Rc::new(Cell::new(0));
            let sleeper = |ms: u64, ended: Rc<Cell<i32>>| async move {
                sleep(Duration::from_millis(ms)).await?;
                ended.set(ended.get() + 1);
                Ok::<u64, Error>(ms)
            };
            let (i, v) = race(vec![
                sleeper(30, ended.clone()),
                sleeper(10, ended.clone()),
                sleeper(20, ended.clone()),
            ])
            .await;
            sleep(Duration::from_millis(50)).await?;
            Ok((arm, (i, v?), ended.get()))
        })
        .unwrap();
    assert_eq!(arm, "timed out");
    assert_eq!(winner, (1, 10));
    assert_eq!(dropped, 1);
    assert!((l.time() - 0.11).abs() < 1e-9);
}

// ---- JoinSet ----

#[test]
fn join_set_of_many_tasks_joins_each_in_the_order_they_finish() {
    // 2,000 tasks finishing in reverse spawn order: each join_next waits
    // over all the tasks left and maps what finished back to its place.
    const N: u64 = 2000;
    let l = vloop();
    let order = l
        .run_until_complete(async {
            let mut set = JoinSet::new();
            for i in 0..N {
                set.spawn(async move {
                    sleep(Duration::from_millis(N - i)).await?;
                    Ok(i)
                });
            }
            let mut order = Vec::new();
            while let Some(r) = set.join_next().await {
                order.push(r?);
            }
            Ok(order)
        })
        .unwrap();
    assert_eq!(order, (0..N).rev().collect::<Vec<_>>());
}

#[test]
fn join_set_of_many_tasks_in_a_scrambled_order() {
    // 30,000 tasks finishing in an order unrelated to the spawn order (a
    // permutation of the delays): a join over every task left at each
    // join_next would take some 450 million task visits here.
    const N: u64 = 30_000;
    let delay = |i: u64| (i * 7919) % N; // 7919 is prime: a permutation
    let l = vloop();
    let (order, lens) = l
        .run_until_complete(async move {
            let mut set = JoinSet::new();
            for i in 0..N {
                set.spawn(async move {
                    sleep(Duration::from_micros(delay(i) + 1)).await?;
                    Ok(i)
                });
            }
            let (mut order, mut lens) = (Vec::new(), Vec::new());
            while let Some(r) = set.join_next().await {
                order.push(r?);
                if order.len() % 10_000 == 0 {
                    lens.push(set.len());
                }
            }
            Ok((order, lens))
        })
        .unwrap();
    let mut expected: Vec<u64> = (0..N).collect();
    expected.sort_by_key(|&i| delay(i));
    assert_eq!(order, expected);
    assert_eq!(lens, [20_000, 10_000, 0]);
}

#[test]
fn join_set_keeps_a_task_whose_join_was_dropped_and_forgets_what_shutdown_removed() {
    let l = vloop();
    let got = l
        .run_until_complete(async {
            let mut got = Vec::new();
            let mut set = JoinSet::new();
            set.spawn(async {
                sleep(Duration::from_millis(20)).await?;
                Ok("late")
            });
            // A join given up (the sleep wins the select) loses nothing.
            match select(set.join_next(), sleep(Duration::from_millis(10))).await {
                Either::Left(_) => got.push("joined too early".to_string()),
                Either::Right(r) => {
                    r?;
                    got.push(format!("gave up with {} left", set.len()));
                }
            }
            got.push(set.join_next().await.unwrap()?.to_string());
            // A task that finished before it came in is joined at once.
            let done = spawn(async { Ok("done before") });
            sleep(Duration::from_millis(1)).await?;
            assert!(done.is_finished());
            set.insert(done);
            got.push(set.join_next().await.unwrap()?.to_string());
            // Shutdown cancels and forgets; the set is usable again, and a
            // removed task's end is not reported.
            let removed = set.spawn(async {
                sleep(Duration::from_millis(5)).await?;
                Ok("removed")
            });
            set.shutdown();
            assert!(set.is_empty() && set.join_next().await.is_none());
            set.spawn(async {
                sleep(Duration::from_millis(50)).await?;
                Ok("after shutdown")
            });
            got.push(set.join_next().await.unwrap()?.to_string());
            got.push(format!("removed: cancelled {}", removed.await.unwrap_err().is_cancelled()));
            assert!(set.join_next().await.is_none());
            Ok(got)
        })
        .unwrap();
    assert_eq!(
        got,
        ["gave up with 1 left", "late", "done before", "after shutdown", "removed: cancelled true"]
    );
}

#[test]
fn join_set_gives_outcomes_as_they_finish_and_cancels_on_drop() {
    let l = vloop();
    let (order, survived) = l
        .run_until_complete(async {
            let mut set = JoinSet::new();
            for (name, ms) in [("slow", 30u64), ("fail", 20), ("fast", 10)] {
                set.spawn(async move {
                    sleep(Duration::from_millis(ms)).await?;
                    if name == "fail" {
                        return Err(Error::new(ErrorKind::Value, "bad"));
                    }
                    Ok(name)
                });
            }
            assert_eq!(set.len(), 3);
            let mut order = Vec::new();
            while let Some(r) = set.join_next().await {
                order.push(match r {
                    Ok(n) => n.to_string(),
                    Err(e) => e.to_string(),
                });
            }
            assert!(set.join_next().await.is_none());
            // Dropping a set cancels what is left.
            let survived = Rc::new(Cell::new(false));
            let mut set2 = JoinSet::new();
            let s = survived.clone();
            let h = set2.spawn(async move {
                sleep(Duration::from_millis(10)).await?;
                s.set(true);
                Ok(())
            });
            drop(set2);
            assert!(h.await.unwrap_err().is_cancelled());
            Ok((order, survived.get()))
        })
        .unwrap();
    assert_eq!(order, ["fast", "ValueError: bad", "slow"]);
    assert!(!survived);
}

// ---- channel ----

#[test]
fn channel_closes_when_every_sender_is_dropped() {
    let l = vloop();
    let got = l
        .run_until_complete(async {
            let (tx, mut rx) = channel::<u32>(2)?;
            let mut producers = Vec::new();
            for id in 0..2u32 {
                let tx = tx.clone();
                producers.push(spawn(async move {
                    for k in 0..3 {
                        tx.send(id * 10 + k).await?;
                        sleep(Duration::from_millis(1)).await?;
                    }
                    Ok(())
                }));
            }
            drop(tx);
            let mut got = Vec::new();
            while let Some(m) = rx.recv().await? {
                got.push(m);
            }
            gather(producers).await?;
            Ok(got)
        })
        .unwrap();
    assert_eq!(got, [0, 10, 1, 11, 2, 12]);
}

#[test]
fn sends_fail_once_the_receiver_is_gone() {
    let l = vloop();
    let r = l
        .run_until_complete(async {
            let (tx, rx) = channel::<u32>(1)?;
            tx.send(1).await?;
            // Full: this send waits, then fails when the receiver goes.
            let tx2 = tx.clone();
            let blocked = spawn(async move { tx2.send(2).await });
            yield_now().await?;
            drop(rx);
            let e = blocked.await.unwrap_err();
            let (e2, back) = tx.try_send(3).unwrap_err();
            Ok((e.to_string(), e2.kind(), back, tx.is_closed()))
        })
        .unwrap();
    assert_eq!(r, ("QueueShutDown: channel closed".to_string(), ErrorKind::QueueShutDown, 3, true));
}

// ---- errors of any type ----

#[derive(Debug)]
struct Low;
impl std::fmt::Display for Low {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("disk on fire")
    }
}
impl std::error::Error for Low {}

#[derive(Debug)]
struct High(Low);
impl std::fmt::Display for High {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("could not save")
    }
}
impl std::error::Error for High {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

async fn save() -> std::result::Result<u32, High> {
    sleep(Duration::from_millis(1)).await.map_err(|_| High(Low))?;
    Err(High(Low))
}

/// A task returning its own error type: the awaiter gets the very error
/// back (downcast), with its source chain, through the library.
#[test]
fn tasks_fail_with_errors_of_any_type_and_keep_the_chain() {
    let l = vloop();
    let e = l.run_until_complete(async { spawn(fallible(save())).await }).unwrap_err();
    assert_eq!(e.to_string(), "Exception: could not save");
    assert!(e.downcast_ref::<High>().is_some());
    let chain: Vec<String> = std::iter::successors(std::error::Error::source(&e), |s| s.source())
        .map(|s| s.to_string())
        .collect();
    assert_eq!(chain, ["disk on fire"]);
    assert_eq!(e.cause().map(|c| c.message().to_string()), Some("disk on fire".to_string()));
    // `?` takes io errors and the standard library's, and boxed ones.
    let r = l.run_until_complete(async {
        let n: i64 = "12x".parse()?;
        Ok(n)
    });
    assert_eq!(r.unwrap_err().to_string(), "Exception: invalid digit found in string");
    let r = l.run_until_complete(async {
        std::fs::read("/nonexistent/file")?;
        Ok(())
    });
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Os(std::io::ErrorKind::NotFound));
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(High(Low));
    let e = Error::from(boxed);
    assert!(e.downcast_ref::<High>().is_some());
    // Ours through io::Error and back is the same error.
    let io: std::io::Error = Error::new(ErrorKind::Value, "bad").into();
    assert_eq!(Error::from(io), Error::new(ErrorKind::Value, "bad"));
}
