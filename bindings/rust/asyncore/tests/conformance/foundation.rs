//! Scenarios 01-56: callbacks, timers, futures, tasks, cancellation,
//! context, structured concurrency, threads, primitives and queues.

use super::*;

// ==== foundation (01-24) ====

pub fn s01() {
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        let l2 = l.clone();
        l.call_soon(move || {
            tr!("A");
            l2.call_soon(|| tr!("D")).expect("call_soon");
        })?;
        l.call_soon(|| tr!("B"))?;
        l.call_soon(|| tr!("C"))?;
        sleep(1.0).await?;
        trt!("main: done");
        Ok(())
    });
}

pub fn s02() {
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        l.call_later(0.2, || trt!("late"))?;
        l.call_later(0.1, || trt!("first"))?;
        l.call_later(0.1, || trt!("second"))?;
        sleep(1.0).await?;
        trt!("main: done");
        Ok(())
    });
}

pub fn s03() {
    let lp = vloop();
    run_main(&lp, async move {
        let f = LoopFuture::<i64>::new()?;
        let r = f.clone();
        f.add_done_callback(move || tr!("cb1: result={}", r.peek_result().unwrap().unwrap()))?;
        f.set_result(7)?;
        tr!("main: set_result returned");
        let r = f.clone();
        f.add_done_callback(move || tr!("cb2: result={}", r.peek_result().unwrap().unwrap()))?;
        tr!("main: add after done returned");
        sleep(0.0).await?;
        tr!("main: resumed");
        Ok(())
    });
}

async fn woke(name: &'static str, delay: f64) -> Result<()> {
    sleep(delay).await?;
    trt!("{name}: woke");
    Ok(())
}

pub fn s04() {
    let lp = vloop();
    run_main(&lp, async {
        let a = spawn(woke("A", 2.0));
        let b = spawn(woke("B", 1.0));
        a.await?;
        b.await?;
        trt!("main: done");
        Ok(())
    });
}

pub fn s05() {
    let lp = vloop();
    run_main(&lp, async {
        woke("A", 2.0).await?;
        woke("B", 1.0).await?;
        trt!("main: done");
        Ok(())
    });
}

pub fn s06() {
    let lp = vloop();
    run_main(&lp, async {
        let p = spawn(async {
            sleep(1.0).await?;
            Ok(42i64)
        });
        // Every waiter awaits the same task and reads the same result.
        let waiter = |name: &'static str, p: JoinHandle<i64>| async move {
            let r = p.await?;
            trt!("{name}: got {r}");
            Ok(())
        };
        let w1 = spawn(waiter("W1", p.clone()));
        let w2 = spawn(waiter("W2", p.clone()));
        w1.await?;
        w2.await?;
        tr!("main: cancel after done -> {}", p.cancel() as i32);
        Ok(())
    });
}

pub fn s07() {
    let lp = vloop();
    run_main(&lp, async {
        let t = spawn(async {
            sleep(1.0).await?;
            Err::<(), _>(Error::with_message(sys::AC_ECONNRESET, "peer reset"))
        });
        if let Err(e) = t.await {
            trt!("main: caught {}: {}", e.name(), e.message());
        }
        Ok(())
    });
}

pub fn s08() {
    let lp = vloop();
    run_main(&lp, async {
        let t = spawn(async {
            tr!("T: started");
            Ok(())
        });
        tr!("main: cancel -> {}", t.cancel() as i32);
        if let Err(e) = t.await {
            if e.is_cancelled() {
                tr!("main: T cancelled");
            }
        }
        Ok(())
    });
}

pub fn s09() {
    let lp = vloop();
    run_main(&lp, async {
        let t = shared(spawn(async {
            tr!("T: sleeping");
            let r = sleep(10.0).await;
            if let Err(e) = &r {
                if e.is_cancelled() {
                    trt!("T: cancelled ({})", e.message());
                }
            }
            trt!("T: cleanup");
            r
        }));
        sleep(1.0).await?;
        t.borrow().cancel_with(Some("stop"));
        if let Err(e) = join(&t).await {
            if e.is_cancelled() {
                trt!("main: T cancelled ({}), cancelled={}", e.message(), t.borrow().is_cancelled() as i32);
            }
        }
        Ok(())
    });
}

pub fn s10() {
    let lp = vloop();
    run_main(&lp, async {
        let t = shared(spawn(async {
            if sleep(10.0).await.is_err() {
                trt!("T: swallowed");
            }
            sleep(1.0).await?;
            Ok(5i64)
        }));
        sleep(1.0).await?;
        t.borrow().cancel();
        let r = join(&t).await?;
        trt!("main: T returned {r}, cancelling={}", t.borrow().cancelling());
        Ok(())
    });
}

pub fn s11() {
    let lp = vloop();
    run_main(&lp, async {
        let t = spawn(async {
            sleep(1.0).await?;
            trt!("T: ran to the end");
            Ok(1i64)
        });
        t.cancel();
        tr!("main: cancelling={}", t.cancelling());
        tr!("main: uncancel -> {}", t.uncancel());
        let r = t.await?;
        trt!("main: T returned {r}");
        Ok(())
    });
}

pub fn s12() {
    let lp = vloop();
    run_main(&lp, async {
        let i = shared(spawn(async {
            let r = sleep(10.0).await;
            if r.is_err() {
                trt!("inner: cancelled");
            }
            r
        }));
        let i2 = i.clone();
        let o = shared(spawn(async move {
            let r = join(&i2).await;
            if r.is_err() {
                trt!("outer: cancelled");
            }
            r
        }));
        sleep(1.0).await?;
        o.borrow().cancel();
        if join(&o).await.is_err() {
            trt!("main: outer cancelled, inner cancelled={}", i.borrow().is_cancelled() as i32);
        }
        Ok(())
    });
}

pub fn s13() {
    let lp = vloop();
    run_main(&lp, async {
        let t = shared(spawn(async {
            cancel_current(None);
            tr!("T: cancel requested");
            Ok(3i64)
        }));
        if let Err(e) = join(&t).await {
            if e.is_cancelled() {
                tr!("main: T cancelled={}", t.borrow().is_cancelled() as i32);
            }
        }
        Ok(())
    });
}

pub fn s14() {
    let lp = vloop();
    run_main(&lp, async {
        let t = spawn(async {
            cancel_current(None);
            let r = sleep(5.0).await;
            if r.is_err() {
                tr!("T: cancelled at its await");
            }
            r
        });
        if t.await.is_err() {
            tr!("main: T cancelled");
        }
        Ok(())
    });
}

async fn spinner(name: &'static str) -> Result<()> {
    for i in 0..3 {
        tr!("{name} {i}");
        sleep(0.0).await?;
    }
    Ok(())
}

pub fn s15() {
    let lp = vloop();
    run_main(&lp, async {
        let a = spawn(spinner("A"));
        let b = spawn(spinner("B"));
        a.await?;
        b.await?;
        Ok(())
    });
}

pub fn s16() {
    let lp = vloop();
    run_main(&lp, async {
        let e = spawn_eager(async {
            tr!("E: first step");
            sleep(1.0).await?;
            trt!("E: done");
            Ok(())
        });
        tr!("main: after create");
        e.await
    });
}

pub fn s17() {
    let lp = vloop();
    run_main(&lp, async {
        let k = Rc::new(ContextVar::<String>::new()?);
        let child = |name: &'static str, k: Rc<ContextVar<String>>| async move {
            tr!("{name} sees {}", k.get().unwrap_or_else(|| "none".into()));
            k.set(name.into())?;
            Ok(())
        };
        k.set("main".into())?;
        let c1 = spawn(child("C1", k.clone()));
        k.set("main2".into())?;
        let c2 = spawn(child("C2", k.clone()));
        c1.await?;
        c2.await?;
        tr!("main sees {}", k.get().unwrap_or_else(|| "none".into()));
        Ok(())
    });
}

pub fn s18() {
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        let k = Rc::new(ContextVar::<String>::new()?);
        k.set("one".into())?;
        let k1 = k.clone();
        l.call_soon(move || tr!("cb1 sees {}", k1.get().unwrap_or_else(|| "none".into())))?;
        k.set("two".into())?;
        let k2 = k.clone();
        l.call_soon(move || tr!("cb2 sees {}", k2.get().unwrap_or_else(|| "none".into())))?;
        sleep(0.0).await?;
        Ok(())
    });
}

pub fn s19() {
    let lp = vloop();
    let r = lp.run_main(async {
        spawn(async {
            let r = sleep(100.0).await;
            if r.is_err() {
                trt!("L: cancelled");
            }
            r
        });
        sleep(1.0).await?;
        Ok(7i64)
    });
    match r {
        Ok(v) => tr!("run returned {v}"),
        Err(e) => tr!("main failed: {}", e.name()),
    }
}

pub fn s20() {
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        l.set_exception_handler(|_msg, err| {
            trt!("handler: {}", err.map_or_else(|| "none".into(), |e| e.name()));
        })?;
        spawn(async {
            sleep(1.0).await?;
            Err::<(), _>(econnreset())
        });
        sleep(2.0).await?;
        trt!("main: done");
        Ok(())
    });
}

pub fn s21() {
    let lp = vloop();
    run_main(&lp, async {
        trt!("start");
        sleep(1.5).await?;
        trt!("after 1.5");
        sleep(0.25).await?;
        trt!("after 0.25");
        Ok(())
    });
}

pub fn s22() {
    let lp = vloop();
    run_main(&lp, async {
        let f = LoopFuture::<i64>::new()?;
        let g = f.clone();
        let w = shared(spawn(async move {
            let r = g.await;
            if let Err(e) = &r {
                if e.is_cancelled() {
                    trt!("W: cancelled ({})", e.message());
                }
            }
            r
        }));
        sleep(1.0).await?;
        f.cancel(Some("bye"));
        if join(&w).await.is_err() {
            trt!("main: W cancelled={}", w.borrow().is_cancelled() as i32);
        }
        Ok(())
    });
}

pub fn s23() {
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        let t = spawn(async move {
            tr!("T: my name is {}", l.current_task_name().unwrap_or_default());
            Ok(())
        });
        t.set_name("worker-1")?;
        t.await
    });
}

pub fn s24() {
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        let h = l.call_later(1.0, || trt!("dropped"))?;
        let _kept = l.call_later(1.0, || trt!("kept"))?;
        tr!("main: cancel -> {}", h.cancel() as i32);
        sleep(2.0).await?;
        trt!("main: done");
        Ok(())
    });
}

// ==== structured concurrency (25-41) ====

pub fn s25() {
    let lp = vloop();
    run_main(&lp, async {
        let r = gather([worker("A", 3.0, 30), worker("B", 1.0, 10), worker("C", 2.0, 20)]).await?;
        trt!("main: results=[{}, {}, {}]", r[0], r[1], r[2]);
        Ok(())
    });
}

pub fn s26() {
    let lp = vloop();
    run_main(&lp, async {
        let bb = spawn(worker("B", 2.0, 2));
        // gather wraps the coroutine in a task and waits for the task given.
        let f = spawn(failing(1.0, sys::AC_ECONNRESET));
        if let Err(e) = gather([f, bb.clone()]).await {
            trt!("main: gather failed with {}", e.name());
        }
        let r = bb.await?;
        trt!("main: B returned {r}");
        Ok(())
    });
}

pub fn s27() {
    let lp = vloop();
    run_main(&lp, async {
        let items: Vec<Boxed<i64>> =
            vec![Box::pin(failing(1.0, sys::AC_ECONNRESET)), Box::pin(worker("B", 2.0, 2))];
        let r = gather_settled(items).await?;
        let r0 = r[0].as_ref().map_or_else(Error::name, |v| v.to_string());
        let r1 = r[1].as_ref().map_or_else(Error::name, |v| v.to_string());
        trt!("main: results=[{r0}, {r1}]");
        Ok(())
    });
}

pub fn s28() {
    let lp = vloop();
    run_main(&lp, async {
        let w = spawn(async { gather([sleeper("A"), sleeper("B")]).await });
        sleep(1.0).await?;
        w.cancel();
        if w.await.is_err() {
            trt!("main: waiter cancelled");
        }
        Ok(())
    });
}

pub fn s29() {
    let lp = vloop();
    run_main(&lp, async {
        let a = spawn(worker("A", 2.0, 0));
        let b = spawn(worker("B", 1.0, 0));
        let c = spawn(worker("C", 3.0, 0));
        let s = wait(&[&a, &b, &c], WaitMode::FirstCompleted, None).await?;
        let all = ["A", "B", "C"];
        trt!("main: done=[{}] pending=[{}]", names(&all, &s.done), names(&all, &s.pending));
        Ok(())
    });
}

pub fn s30() {
    let lp = vloop();
    run_main(&lp, async {
        let a = spawn(worker("A", 2.0, 0));
        let b = spawn(worker("B", 1.0, 0));
        let c = spawn(worker("C", 3.0, 0));
        let s = wait(&[&a, &b, &c], WaitMode::AllCompleted, Some(1.5)).await?;
        let all = ["A", "B", "C"];
        trt!("main: done=[{}] pending=[{}]", names(&all, &s.done), names(&all, &s.pending));
        a.await?;
        trt!("main: A still finished");
        Ok(())
    });
}

pub fn s31() {
    let lp = vloop();
    run_main(&lp, async {
        let mut it = as_completed([worker("A", 3.0, 30), worker("B", 1.0, 10), worker("C", 2.0, 20)], None)?;
        while let Some((_, r)) = it.next().await {
            trt!("main: next={}", r?);
        }
        Ok(())
    });
}

pub fn s32() {
    let lp = vloop();
    run_main(&lp, async {
        let long = async {
            let body = async {
                for i in 1..=5 {
                    sleep(1.0).await?;
                    trt!("T: {i}");
                }
                Ok(())
            };
            let r: Result<()> = body.await;
            if let Err(e) = &r {
                if e.is_cancelled() {
                    trt!("T: cancelled");
                }
            }
            trt!("T: cleanup");
            r
        };
        if let Err(e) = wait_for(2.5, long).await {
            if matches!(e, Error::Timeout { .. }) {
                trt!("main: timed out");
            }
        }
        Ok(())
    });
}

pub fn s33() {
    let lp = vloop();
    run_main(&lp, async {
        let r = wait_for(2.0, worker("A", 1.0, 5)).await?;
        trt!("main: got {r}");
        Ok(())
    });
}

pub fn s34() {
    let lp = vloop();
    run_main(&lp, async {
        if let Err(Error::Timeout { .. }) = timeout(1.5, sleep(10.0)).await {
            trt!("main: timed out");
        }
        tr!("main: cancelling={}", current_cancelling());
        Ok(())
    });
}

pub fn s35() {
    let lp = vloop();
    run_main(&lp, async {
        let outer = timeout(1.0, async {
            match timeout(5.0, sleep(10.0)).await {
                Err(Error::Timeout { .. }) => {
                    trt!("inner: timed out");
                    Ok(())
                }
                Err(e) if e.is_cancelled() => {
                    trt!("inner: cancelled");
                    Err(e)
                }
                r => r,
            }
        });
        if let Err(Error::Timeout { .. }) = outer.await {
            trt!("outer: timed out");
        }
        Ok(())
    });
}

pub fn s36() {
    let lp = vloop();
    run_main(&lp, async {
        let w = spawn(async {
            sleep(3.0).await?;
            trt!("work: done");
            Ok(9i64)
        });
        let ws = w.clone();
        let s = spawn(async move { shield(ws).await.map(|_| ()) });
        sleep(1.0).await?;
        s.cancel();
        if s.await.is_err() {
            trt!("main: shielded waiter cancelled");
        }
        let r = w.await?;
        trt!("main: work returned {r}");
        Ok(())
    });
}

pub fn s37() {
    let lp = vloop();
    run_main(&lp, async {
        task_group(|tg| async move {
            tg.spawn(worker("A", 2.0, 0))?;
            tg.spawn(worker("B", 1.0, 0))?;
            Ok(())
        })
        .await?;
        trt!("main: group done");
        Ok(())
    });
}

pub fn s38() {
    let lp = vloop();
    run_main(&lp, async {
        let r = task_group(|tg| async move {
            tg.spawn(sleeper("B"))?;
            tg.spawn(failing(1.0, sys::AC_ECONNRESET))?;
            let r = sleep(100.0).await;
            if r.is_err() {
                trt!("body: cancelled");
            }
            r
        })
        .await;
        if let Err(e @ Error::Group { .. }) = r {
            trt!("main: {}: {}", e.message(), codes(e.children()));
        }
        Ok(())
    });
}

pub fn s39() {
    let lp = vloop();
    run_main(&lp, async {
        let r = task_group(|tg| async move {
            tg.spawn(failing(1.0, sys::AC_ECONNRESET))?;
            tg.spawn(failing(1.0, sys::AC_EPIPE))?;
            Ok(())
        })
        .await;
        if let Err(e @ Error::Group { .. }) = r {
            trt!("main: {} errors: {}", e.children().len(), codes(e.children()));
        }
        Ok(())
    });
}

pub fn s40() {
    let lp = vloop();
    run_main(&lp, async {
        let r = task_group(|tg| async move {
            tg.spawn(sleeper("B"))?;
            sleep(1.0).await?;
            Err::<(), _>(Error::from_code(sys::AC_EINVAL))
        })
        .await;
        if let Err(e @ Error::Group { .. }) = r {
            trt!("main: {} errors: {}", e.children().len(), codes(e.children()));
        }
        Ok(())
    });
}

pub fn s41() {
    let lp = vloop();
    run_main(&lp, async {
        let p = spawn(async {
            task_group(|tg| async move {
                tg.spawn(sleeper("A"))?;
                tg.spawn(sleeper("B"))?;
                Ok(())
            })
            .await
        });
        sleep(1.0).await?;
        p.cancel();
        if p.await.is_err() {
            trt!("main: parent cancelled");
        }
        Ok(())
    });
}

// ==== threads (42-45) ====

pub fn s42() {
    let lp = vloop();
    run_main(&lp, async {
        let r = to_thread(|| Ok(42i64)).await?;
        tr!("main: got {r}");
        Ok(())
    });
}

pub fn s43() {
    let lp = vloop();
    run_main(&lp, async {
        if let Err(e) = to_thread(|| Err::<i64, _>(Error::from_code(sys::AC_EPIPE))).await {
            tr!("main: caught {}", e.name());
        }
        Ok(())
    });
}

pub fn s44() {
    let lp = vloop();
    run_main(&lp, async {
        let f = TsFuture::<i64>::new()?;
        let g = f.clone();
        let th = std::thread::spawn(move || g.set_result(7));
        let r = f.wait_async().await?;
        tr!("main: got {r}");
        th.join().expect("thread")?;
        Ok(())
    });
}

pub fn s45() {
    let lp = vloop();
    let handle = lp.handle();
    run_main(&lp, async move {
        let done = LoopFuture::<()>::new()?;
        let completer = done.completer();
        let loop_thread = std::thread::current().id();
        let th = std::thread::spawn(move || {
            handle.call_soon_threadsafe(move || {
                tr!("callback: on the loop thread={}", (std::thread::current().id() == loop_thread) as i32);
                completer.complete(Ok(()))
            })
        });
        done.await?;
        tr!("main: done");
        th.join().expect("thread")?;
        Ok(())
    });
}

// ==== primitives and queues (46-56) ====

async fn holder(lock: Lock, name: &'static str) -> Result<()> {
    trt!("{name} wants");
    let _g = acquire(&lock).await?;
    trt!("{name} holds");
    sleep(1.0).await?;
    trt!("{name} releases");
    Ok(())
}

pub fn s46() {
    let lp = vloop();
    run_main(&lp, async {
        let lock = Lock::new()?;
        gather([holder(lock.clone(), "A"), holder(lock.clone(), "B"), holder(lock.clone(), "C")]).await?;
        Ok(())
    });
}

async fn holder_reporting(lock: Lock, name: &'static str) -> Result<()> {
    let r = holder(lock, name).await;
    if let Err(e) = &r {
        if e.is_cancelled() {
            trt!("{name}: cancelled");
        }
    }
    r
}

pub fn s47() {
    let lp = vloop();
    run_main(&lp, async {
        let lock = Lock::new()?;
        acquire(&lock).await?.forget();
        let w = spawn(holder_reporting(lock.clone(), "W"));
        let n = spawn(holder_reporting(lock.clone(), "N"));
        sleep(1.0).await?;
        w.cancel();
        lock.release()?;
        gather_settled([w, n]).await?;
        trt!("main: locked={}", lock.locked() as i32);
        Ok(())
    });
}

pub fn s48() {
    let lp = vloop();
    run_main(&lp, async {
        let sem = Semaphore::new(2)?;
        let inside = Rc::new(Cell::new(0));
        let most = Rc::new(Cell::new(0));
        let worker = |i: i32| {
            let (sem, inside, most) = (sem.clone(), inside.clone(), most.clone());
            async move {
                let _g = acquire_permit(&sem).await?;
                inside.set(inside.get() + 1);
                most.set(most.get().max(inside.get()));
                trt!("W{i} in (inside={})", inside.get());
                sleep(1.0).await?;
                inside.set(inside.get() - 1);
                trt!("W{i} out");
                Ok(())
            }
        };
        gather([worker(0), worker(1), worker(2), worker(3)]).await?;
        trt!("main: max inside={}", most.get());
        Ok(())
    });
}

pub fn s49() {
    let lp = vloop();
    run_main(&lp, async {
        let ev = Event::new()?;
        let waiter = |name: &'static str, ev: Event| async move {
            ev.wait().await?;
            trt!("{name} woke");
            Ok(())
        };
        let a = spawn(waiter("A", ev.clone()));
        let b = spawn(waiter("B", ev.clone()));
        sleep(2.0).await?;
        ev.set()?;
        a.await?;
        b.await?;
        trt!("main: is_set={}", ev.is_set() as i32);
        Ok(())
    });
}

pub fn s50() {
    let lp = vloop();
    run_main(&lp, async {
        let cond = Condition::new(None)?;
        let waiter = |name: &'static str, cond: Condition| async move {
            let _g = cond.lock().await?;
            cond.wait().await?;
            trt!("{name} notified");
            Ok(())
        };
        let w1 = spawn(waiter("W1", cond.clone()));
        let w2 = spawn(waiter("W2", cond.clone()));
        sleep(1.0).await?;
        {
            let _g = cond.lock().await?;
            cond.notify(1)?;
        }
        sleep(1.0).await?;
        {
            let _g = cond.lock().await?;
            cond.notify_all()?;
        }
        w1.await?;
        w2.await?;
        Ok(())
    });
}

pub fn s51() {
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<i64>::new(0)?;
        for v in 1..=3 {
            q.put_nowait(v).map_err(|(e, _)| e)?;
        }
        let qc = q.clone();
        let _c = spawn(async move {
            for _ in 0..3 {
                let v = qc.get().await?;
                trt!("got {v}");
                sleep(1.0).await?;
                qc.task_done()?;
            }
            Ok(())
        });
        q.join().await?;
        trt!("main: joined");
        Ok(())
    });
}

pub fn s52() {
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<i64>::new(1)?;
        let (qp, qc) = (q.clone(), q.clone());
        let producer: Boxed<()> = Box::pin(async move {
            for i in 0..3 {
                qp.put(i).await?;
                trt!("put {i}");
            }
            Ok(())
        });
        let consumer: Boxed<()> = Box::pin(async move {
            sleep(1.0).await?;
            for _ in 0..3 {
                let v = qc.get().await?;
                trt!("got {v}");
                sleep(1.0).await?;
            }
            Ok(())
        });
        gather([producer, consumer]).await?;
        Ok(())
    });
}

pub fn s53() {
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<i64>::new(0)?;
        let getter = |name: &'static str, q: Queue<i64>| async move {
            match q.get().await {
                Ok(v) => {
                    trt!("{name}: got {v}");
                    Ok(())
                }
                Err(e) => {
                    if e.is_cancelled() {
                        trt!("{name}: cancelled");
                    }
                    Err(e)
                }
            }
        };
        let g1 = spawn(getter("G1", q.clone()));
        let g2 = spawn(getter("G2", q.clone()));
        sleep(1.0).await?;
        q.put_nowait(42).map_err(|(e, _)| e)?;
        g1.cancel();
        gather_settled([g1, g2]).await?;
        Ok(())
    });
}

pub fn s54() {
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<i64>::new(0)?;
        let qg = q.clone();
        let g = spawn(async move {
            if let Err(e) = qg.get().await {
                if e.code() == sys::AC_ESHUTDOWN {
                    trt!("G: shut down");
                }
            }
            Ok(())
        });
        sleep(1.0).await?;
        q.shutdown(false)?;
        g.await?;
        if let Err(e) = q.put(1).await {
            trt!("main: put refused {}", e.name());
        }
        Ok(())
    });
}

pub fn s55() {
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<String>::priority(0)?;
        for (p, s) in [(5, "five"), (1, "one"), (5, "five again")] {
            q.put_priority_nowait(p, s.to_string()).map_err(|(e, _)| e)?;
        }
        for _ in 0..3 {
            let v = q.get().await?;
            trt!("got {v}");
        }
        Ok(())
    });
}

pub fn s56() {
    let lp = vloop();
    run_main(&lp, async {
        let barrier = Barrier::new(3)?;
        let party = |name: &'static str, delay: f64, b: Barrier| async move {
            sleep(delay).await?;
            let i = b.wait().await?;
            trt!("{name} passed index={i}");
            Ok(())
        };
        gather([party("A", 2.0, barrier.clone()), party("B", 1.0, barrier.clone()), party("C", 3.0, barrier.clone())])
            .await?;
        Ok(())
    });
}
