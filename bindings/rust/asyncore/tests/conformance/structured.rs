//! Scenarios 140-179: timeout scopes, wait_for, gather, wait,
//! as_completed, shield, TaskGroup.
//!
//! `async with asyncio.timeout(d) as scope:` is
//! `TimeoutScope::after(Some(d))?` and `scope.run(async { body })`;
//! `async with asyncio.TaskGroup() as tg:` is `task_group(|tg| body)`.

use asyncore::{current_task, TimeoutScope};

use super::*;

fn ms(w: f64) -> i64 {
    (w * 1000.0).round() as i64
}

fn when(scope: &TimeoutScope) -> String {
    scope.when().map_or_else(|| "none".into(), |w| ms(w).to_string())
}

fn cause_code(e: &Error) -> String {
    e.cause().map_or_else(|| "none".into(), code)
}

// ---- 140-151 timeout scopes ----

pub fn s140() {
    let lp = vloop();
    run_main(&lp, async {
        let scope = TimeoutScope::after(Some(0.0))?;
        let r = scope
            .run(async {
                trt!("body: entered");
                sleep(1.0).await?;
                trt!("body: after the sleep");
                Ok(())
            })
            .await;
        if let Some(e) = catch(r, ErrorKind::Timeout)? {
            trt!("main: caught {}", code(&e));
        }
        trt!("main: expired={}", b(scope.expired()));
        Ok(())
    });
}

pub fn s141() {
    let lp = vloop();
    run_main(&lp, async {
        sleep(2.0).await?;
        let scopes = [
            ("timeout_at(now - 1)", TimeoutScope::at(Some(asyncore::time() - 1.0))?),
            ("timeout(-1)", TimeoutScope::after(Some(-1.0))?),
        ];
        for (label, scope) in scopes {
            let r = scope
                .run(async {
                    sleep(1.0).await?;
                    trt!("{label}: after the sleep");
                    Ok(())
                })
                .await;
            if let Some(e) = catch(r, ErrorKind::Timeout)? {
                trt!(
                    "{label}: caught {} when={} expired={}",
                    code(&e),
                    ms(scope.when().unwrap_or(f64::NAN)),
                    b(scope.expired())
                );
            }
        }
        Ok(())
    });
}

pub fn s142() {
    let lp = vloop();
    run_main(&lp, async {
        let scope = TimeoutScope::after(Some(0.0))?;
        let r = scope
            .run(async {
                spawn(async {
                    trt!("other: ran");
                    Ok(())
                });
                sleep(0.0).await?;
                trt!("body: after sleep(0)");
                Ok(())
            })
            .await;
        if let Some(e) = catch(r, ErrorKind::Timeout)? {
            trt!("main: caught {}", code(&e));
        }
        trt!("main: expired={}", b(scope.expired()));
        Ok(())
    });
}

pub fn s143() {
    let lp = vloop();
    run_main(&lp, async {
        let scope = TimeoutScope::after(Some(0.0))?;
        let me = current_task().expect("in a task");
        let r = scope
            .run(async {
                me.cancel();
                sleep(1.0).await?;
                trt!("body: after the sleep");
                Ok(())
            })
            .await;
        match r {
            Ok(()) => {}
            Err(e) if e.is_timeout() => trt!("main: caught TimeoutError {}", code(&e)),
            Err(e) if e.is_cancelled() => trt!("main: caught {}", code(&e)),
            Err(e) => return Err(e),
        }
        trt!("main: expired={} cancelling={}", b(scope.expired()), me.cancelling());
        Ok(())
    });
}

pub fn s144() {
    let lp = vloop();
    run_main(&lp, async {
        if let Some(e) = catch(timeout(1.0, sleep(5.0)).await, ErrorKind::Timeout)? {
            trt!("main: caught {} cause={}", code(&e), cause_code(&e));
        }
        Ok(())
    });
}

pub fn s145() {
    let lp = vloop();
    run_main(&lp, async {
        let scope = TimeoutScope::after(Some(5.0))?;
        match scope.reschedule(Some(asyncore::time() + 1.0)) {
            Ok(()) => trt!("main: rescheduled"),
            Err(e) => trt!("main: reschedule refused: {}", describe(&e)),
        }
        if catch(scope.run(sleep(10.0)).await, ErrorKind::Timeout)?.is_some() {
            trt!("main: timed out");
        }
        Ok(())
    });
}

pub fn s146() {
    let lp = vloop();
    run_main(&lp, async {
        let scope = TimeoutScope::after(Some(5.0))?;
        let uses = async {
            scope
                .run(async {
                    let nested = scope
                        .run(async {
                            trt!("main: entered while active");
                            Ok(())
                        })
                        .await;
                    if let Some(e) = catch_exception(nested)? {
                        trt!("main: nested enter refused: {}", describe(&e));
                    }
                    sleep(1.0).await
                })
                .await?;
            trt!("main: first use done");
            scope
                .run(async {
                    trt!("main: entered again");
                    Ok(())
                })
                .await
        };
        if let Some(e) = catch_exception(uses.await)? {
            trt!("main: {}", describe(&e));
        }
        trt!("main: expired={}", b(scope.expired()));
        Ok(())
    });
}

pub fn s147() {
    fn try_reschedule(label: &str, scope: &TimeoutScope) -> Result<()> {
        if let Some(e) = catch(scope.reschedule(None), ErrorKind::Runtime)? {
            trt!("{label}: {}", describe(&e));
        } else {
            trt!("{label}: rescheduled");
        }
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let done = TimeoutScope::after(Some(5.0))?;
        done.run(sleep(1.0)).await?;
        try_reschedule("after exit", &done)?;
        let expired = TimeoutScope::after(Some(1.0))?;
        let r = expired
            .run(async {
                match sleep(5.0).await {
                    Err(e) if e.is_cancelled() => {
                        try_reschedule("while expiring", &expired)?;
                        Err(e)
                    }
                    r => r,
                }
            })
            .await;
        if catch(r, ErrorKind::Timeout)?.is_some() {
            trt!("main: timed out");
        }
        try_reschedule("after expiry", &expired)
    });
}

pub fn s148() {
    let lp = vloop();
    run_main(&lp, async {
        let me = current_task().expect("in a task");
        let scope = TimeoutScope::after(Some(1.0))?;
        scope
            .run(async {
                if catch(sleep(5.0).await, ErrorKind::Cancelled)?.is_some() {
                    trt!("body: cancelled, carrying on");
                }
                trt!("body: cancelling={}", me.cancelling());
                Ok(())
            })
            .await?;
        trt!("main: left the scope expired={} cancelling={}", b(scope.expired()), me.cancelling());
        sleep(1.0).await?;
        trt!("main: next await ran");
        Ok(())
    });
}

pub fn s149() {
    let lp = vloop();
    run_main(&lp, async {
        let scope = TimeoutScope::after(None)?;
        let r = scope
            .run(async {
                trt!("A: when={}", when(&scope));
                scope.reschedule(Some(asyncore::time() + 1.0))?;
                trt!("A: when={}", when(&scope));
                sleep(5.0).await
            })
            .await;
        if let Some(e) = catch(r, ErrorKind::Timeout)? {
            trt!("A: caught {}", code(&e));
        }
        let scope = TimeoutScope::after(Some(1.0))?;
        scope
            .run(async {
                scope.reschedule(Some(asyncore::time() + 3.0))?;
                sleep(2.0).await?;
                trt!("B: still inside, when={}", when(&scope));
                scope.reschedule(None)?;
                sleep(5.0).await?;
                trt!("B: done, when={} expired={}", when(&scope), b(scope.expired()));
                Ok(())
            })
            .await
    });
}

pub fn s150() {
    let lp = vloop();
    run_main(&lp, async {
        let outer = TimeoutScope::after(Some(1.0))?;
        let r = outer
            .run(async {
                let inner = TimeoutScope::after(Some(1.0))?;
                let r = inner.run(sleep(5.0)).await;
                if let Err(e) = &r {
                    trt!("inner: {} expired={}", code(e), b(inner.expired()));
                }
                r
            })
            .await;
        if let Some(e) = catch(r, ErrorKind::Timeout)? {
            trt!("outer: {} expired={}", code(&e), b(outer.expired()));
        }
        trt!("main: cancelling={}", current_task().expect("in a task").cancelling());
        Ok(())
    });
}

pub fn s151() {
    async fn worker() -> Result<()> {
        match sleep(10.0).await {
            Err(e) if e.is_cancelled() => {
                trt!("worker: cancelled, cancelling={}", current_task().expect("in a task").cancelling());
                if let Err(e2) = timeout(1.0, sleep(5.0)).await {
                    trt!("worker: cleanup ended with {}", code(&e2));
                }
                Err(e)
            }
            r => r,
        }
    }
    let lp = vloop();
    run_main(&lp, async {
        let t = spawn(worker());
        sleep(1.0).await?;
        t.cancel();
        if catch(t.await, ErrorKind::Cancelled)?.is_some() {
            trt!("main: worker cancelled");
        }
        Ok(())
    });
}

// ---- 152-159 wait_for ----

pub fn s152() {
    async fn work() -> Result<i64> {
        trt!("work: started");
        sleep(1.0).await?;
        Ok(1)
    }
    let lp = vloop();
    run_main(&lp, async {
        match wait_for(0.0, work()).await {
            Ok(_) => trt!("main: got a result"),
            Err(e) if e.is_timeout() => trt!("main: caught {} cause={}", code(&e), cause_code(&e)),
            Err(e) => return Err(e),
        }
        sleep(2.0).await?;
        trt!("main: done");
        Ok(())
    });
}

pub fn s153() {
    async fn work(name: &'static str, delay: f64) -> Result<i64> {
        if let Err(e) = sleep(delay).await {
            if e.is_cancelled() {
                trt!("{name}: cancelled");
            }
            return Err(e);
        }
        Ok(7)
    }
    let lp = vloop();
    run_main(&lp, async {
        let slow = spawn(work("slow", 5.0));
        let quick = spawn(work("quick", 0.0));
        sleep(1.0).await?;
        if let Some(e) = catch(wait_for(-1.0, slow.clone()).await, ErrorKind::Timeout)? {
            trt!("main: slow -> {} cancelled={}", code(&e), b(slow.is_cancelled()));
        }
        trt!("main: quick -> {}", wait_for(-1.0, quick.clone()).await?);
        Ok(())
    });
}

pub fn s154() {
    let lp = vloop();
    run_main(&lp, async {
        let done = spawn(async { Ok(3i64) });
        sleep(0.0).await?;
        spawn(async {
            trt!("bystander: ran");
            Ok(())
        });
        trt!("main: timeout 0 -> {}", wait_for(0.0, done.clone()).await?);
        trt!("main: timeout 5 -> {}", wait_for(5.0, done.clone()).await?);
        trt!("main: before yielding");
        sleep(0.0).await?;
        trt!("main: done");
        Ok(())
    });
}

pub fn s155() {
    let lp = vloop();
    run_main(&lp, async {
        spawn(async {
            trt!("bystander: ran");
            Ok(())
        });
        let caller = current_task();
        let r = wait_for(2.0, async move {
            trt!("work: started, in the caller task={}", b(current_task() == caller));
            sleep(1.0).await?;
            Ok(5i64)
        })
        .await?;
        trt!("main: got {r}");
        Ok(())
    });
}

pub fn s156() {
    async fn inner() -> Result<()> {
        match sleep(10.0).await {
            Err(e) if e.is_cancelled() => {
                trt!("inner: cancelled");
                Err(e)
            }
            r => r,
        }
    }
    async fn waiter(t: JoinHandle<()>) -> Result<()> {
        if let Err(e) = wait_for(5.0, t).await {
            trt!("waiter: {}", code(&e));
            return Err(e);
        }
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let t = spawn(inner());
        let w = spawn(waiter(t.clone()));
        sleep(1.0).await?;
        w.cancel();
        sleep(0.5).await?;
        trt!("main: waiter cancelled={} inner cancelled={}", b(w.is_cancelled()), b(t.is_cancelled()));
        Ok(())
    });
}

pub fn s157() {
    async fn stubborn() -> Result<i64> {
        match sleep(10.0).await {
            Err(e) if e.is_cancelled() => {
                trt!("stubborn: cancelled, returning 42 anyway");
                sleep(0.5).await?;
            }
            r => r?,
        }
        Ok(42)
    }
    let lp = vloop();
    run_main(&lp, async {
        let r = wait_for(1.0, spawn(stubborn())).await?;
        trt!("main: got {r}");
        Ok(())
    });
}

pub fn s158() {
    async fn fragile() -> Result<()> {
        let _ = sleep(10.0).await;
        // `finally: raise`: the cleanup's error replaces the cancellation.
        trt!("fragile: cleaning up");
        Err(Error::new(ErrorKind::Value, "cleanup failed"))
    }
    let lp = vloop();
    run_main(&lp, async {
        if let Err(e) = wait_for(1.0, spawn(fragile())).await {
            trt!("main: caught {}", describe(&e));
        }
        Ok(())
    });
}

pub fn s159() {
    let lp = vloop();
    run_main(&lp, async {
        let task = spawn(async {
            sleep(1.0).await?;
            trt!("work: finished");
            Ok(9i64)
        });
        let guard = shield(task.clone());
        if let Some(e) = catch(wait_for(0.0, guard.clone()).await, ErrorKind::Timeout)? {
            trt!("main: caught {}", code(&e));
        }
        trt!("main: shield cancelled={} task done={}", b(guard.cancelled()), b(task.done()));
        trt!("main: task -> {}", task.await?);
        Ok(())
    });
}

// ---- 160-165 gather ----

async fn named_work(name: &'static str, delay: f64, value: i64) -> Result<i64> {
    sleep(delay).await?;
    trt!("{name}: finished");
    Ok(value)
}

async fn value_after(v: i64, delay: f64) -> Result<i64> {
    sleep(delay).await?;
    Ok(v)
}

pub fn s160() {
    let lp = vloop();
    run_main(&lp, async {
        let a = spawn(named_work("A", 1.0, 1));
        let bb = spawn(named_work("B", 2.0, 2));
        let mut g = gather([a.clone(), bb.clone()]);
        sleep(0.5).await?;
        a.cancel();
        if let Some(e) = catch((&mut g).await, ErrorKind::Cancelled)? {
            trt!("main: gather raised {}", code(&e));
        }
        trt!("main: gather cancelled={} done={}", b(g.cancelled()), b(g.done()));
        trt!("main: B -> {}", bb.await?);
        Ok(())
    });
}

pub fn s161() {
    let lp = vloop();
    run_main(&lp, async {
        let a = spawn(value_after(1, 1.0));
        let bb = spawn(value_after(2, 5.0));
        let c = spawn(value_after(3, 2.0));
        let mut g = gather_settled([a, bb.clone(), c]);
        sleep(0.5).await?;
        bb.cancel();
        let results = (&mut g).await?;
        let shown: Vec<String> =
            results.iter().map(|r| r.as_ref().map_or_else(|e| e.class_name(), |v| v.to_string())).collect();
        trt!("main: results=[{}]", shown.join(", "));
        trt!("main: gather cancelled={}", b(g.cancelled()));
        Ok(())
    });
}

pub fn s162() {
    async fn work(name: &'static str, delay: f64) -> Result<()> {
        match sleep(delay).await {
            Err(e) if e.is_cancelled() => {
                trt!("{name}: cancelled");
                return Err(e);
            }
            r => r?,
        }
        trt!("{name}: finished");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let a = spawn(work("A", 1.0));
        let bb = spawn(work("B", 5.0));
        let mut g = gather_settled([a, bb.clone()]);
        sleep(2.0).await?;
        trt!("main: cancel -> {}", b(g.cancel()));
        if let Some(e) = catch((&mut g).await, ErrorKind::Cancelled)? {
            trt!("main: gather raised {}", code(&e));
        }
        trt!("main: gather cancelled={} B cancelled={}", b(g.cancelled()), b(bb.is_cancelled()));
        trt!("main: cancel again -> {}", b(g.cancel()));
        Ok(())
    });
}

pub fn s163() {
    let lp = vloop();
    run_main(&lp, async {
        let t = spawn(value_after(4, 1.0));
        let results = gather([t.clone(), t.clone()]).await?;
        trt!("main: results=[{}, {}]", results[0], results[1]);
        let u = spawn(value_after(5, 5.0));
        let mut g = gather([u.clone(), u.clone()]);
        sleep(1.0).await?;
        g.cancel();
        trt!("main: after gather.cancel(), cancelling={}", u.cancelling());
        if catch((&mut g).await, ErrorKind::Cancelled)?.is_some() {
            trt!("main: gather cancelled={} task cancelled={}", b(g.cancelled()), b(u.is_cancelled()));
        }
        Ok(())
    });
}

pub fn s164() {
    let lp = vloop();
    run_main(&lp, async {
        spawn(async {
            trt!("bystander: ran");
            Ok(())
        });
        let g = gather(Vec::<JoinHandle<i64>>::new());
        trt!("main: done before awaiting={}", b(g.done()));
        let results = g.await?;
        let shown: Vec<String> = results.iter().map(i64::to_string).collect();
        trt!("main: results=[{}] count={}", shown.join(", "), results.len());
        let results = gather_settled(Vec::<JoinHandle<i64>>::new()).await?;
        trt!("main: with return_exceptions count={}", results.len());
        sleep(0.0).await?;
        trt!("main: done");
        Ok(())
    });
}

pub fn s165() {
    let lp = vloop();
    run_main(&lp, async {
        let a = spawn(async { Ok(1i64) });
        let bb = spawn(async { Ok(2i64) });
        sleep(0.0).await?;
        spawn(async {
            trt!("bystander: ran");
            Ok(())
        });
        let g = gather([a, bb]);
        trt!("main: gather done at once={}", b(g.done()));
        let results = g.await?;
        trt!("main: results=[{}, {}]", results[0], results[1]);
        sleep(0.0).await?;
        trt!("main: done");
        Ok(())
    });
}

// ---- 166-170 wait, as_completed ----

/// The names of the tasks at `idx` (indices into `all`), sorted.
fn sorted_names(all: &[&str], idx: &[usize]) -> String {
    let mut v: Vec<&str> = idx.iter().map(|&i| all[i]).collect();
    v.sort_unstable();
    v.join(", ")
}

fn named<T: 'static>(h: JoinHandle<T>, name: &str) -> Result<JoinHandle<T>> {
    h.set_name(name)?;
    Ok(h)
}

pub fn s166() {
    async fn work(name: &'static str, delay: f64, fail: bool) -> Result<()> {
        sleep(delay).await?;
        if fail {
            return Err(Error::new(ErrorKind::Value, name));
        }
        trt!("{name}: finished");
        Ok(())
    }
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        let a = named(spawn(work("A", 3.0, false)), "A")?;
        let bb = named(spawn(work("B", 1.0, true)), "B")?;
        let c = named(spawn(work("C", 5.0, false)), "C")?;
        let cc = c.clone();
        l.call_later(0.5, move || {
            cc.cancel();
        })?;
        let s = wait(&[&a, &bb, &c], WaitMode::FirstException, None).await?;
        let all = ["A", "B", "C"];
        trt!("main: done=[{}] pending=[{}]", sorted_names(&all, &s.done), sorted_names(&all, &s.pending));
        let e = bb.exception()?.expect("B failed");
        trt!("main: B raised {}, A cancelled={}", describe(&e), b(a.is_cancelled()));
        a.await
    });
}

pub fn s167() {
    async fn work(name: &'static str, delay: f64, fail: bool) -> Result<String> {
        sleep(delay).await?;
        if fail {
            return Err(Error::new(ErrorKind::Value, format!("{name} failed")));
        }
        Ok(name.to_string())
    }
    let lp = vloop();
    run_main(&lp, async {
        let a = named(spawn(work("A", 2.0, false)), "A")?;
        let bb = named(spawn(work("B", 1.0, true)), "B")?;
        let s = wait(&[&a, &bb], WaitMode::AllCompleted, None).await?;
        let all = ["A", "B"];
        trt!("main: all: done=[{}] pending=[{}]", sorted_names(&all, &s.done), sorted_names(&all, &s.pending));
        trt!("main: B -> {}", describe(&bb.exception()?.expect("B failed")));
        let c = named(spawn(work("C", 1.0, false)), "C")?;
        let d = named(spawn(work("D", 2.0, false)), "D")?;
        let s = wait(&[&c, &d, &c], WaitMode::FirstException, None).await?;
        let all = ["C", "D", "C"];
        trt!(
            "main: first exception: done=[{}] pending=[{}] count={}",
            sorted_names(&all, &s.done),
            sorted_names(&all, &s.pending),
            s.done.len()
        );
        Ok(())
    });
}

pub fn s168() {
    async fn work(name: &'static str, delay: i64) -> Result<i64> {
        sleep(delay as f64).await?;
        trt!("{name}: finished");
        Ok(delay)
    }
    let lp = vloop();
    run_main(&lp, async {
        let a = named(spawn(work("A", 2)), "A")?;
        let bb = named(spawn(work("B", 3)), "B")?;
        let s = wait(&[&a, &bb], WaitMode::FirstCompleted, Some(1.0)).await?;
        let all = ["A", "B"];
        trt!("main: done=[{}] pending=[{}]", sorted_names(&all, &s.done), sorted_names(&all, &s.pending));
        trt!("main: A cancelled={} B cancelled={}", b(a.is_cancelled()), b(bb.is_cancelled()));
        trt!("main: B -> {}", bb.await?);
        Ok(())
    });
}

pub fn s169() {
    let lp = vloop();
    run_main(&lp, async {
        let a = spawn(value_after(1, 2.0));
        let bb = spawn(value_after(2, 1.0));
        let mut got = Vec::new();
        let mut it = as_completed([a.clone(), bb, a], None)?;
        while let Some((_, r)) = it.next().await {
            got.push(r?);
            trt!("main: next={}", got[got.len() - 1]);
        }
        trt!("main: steps={}", got.len());
        Ok(())
    });
}

pub fn s170() {
    async fn work(v: i64, delay: f64) -> Result<i64> {
        sleep(delay).await?;
        trt!("work {v}: finished");
        Ok(v)
    }
    let lp = vloop();
    run_main(&lp, async {
        let a = spawn(work(1, 1.0));
        let bb = spawn(work(2, 3.0));
        let mut it = as_completed([a, bb.clone()], Some(2.0))?;
        while let Some((_, r)) = it.next().await {
            match r {
                Ok(v) => trt!("main: next={v}"),
                Err(e) if e.is_timeout() => {
                    trt!("main: caught {}", code(&e));
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        trt!("main: B cancelled={}", b(bb.is_cancelled()));
        trt!("main: B -> {}", bb.await?);
        Ok(())
    });
}

// ---- 171-172 shield ----

pub fn s171() {
    async fn waiter(guard: asyncore::Watched<i64>) -> Result<()> {
        if let Err(e) = guard.await {
            if e.is_cancelled() {
                trt!("waiter: {}", code(&e));
            }
            return Err(e);
        }
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let inner = spawn(async {
            sleep(2.0).await?;
            trt!("work: finished");
            Ok(9i64)
        });
        let guard = shield(inner.clone());
        let w = spawn(waiter(guard.clone()));
        sleep(1.0).await?;
        w.cancel();
        sleep(0.5).await?;
        trt!(
            "main: shield cancelled={} inner cancelling={} done={}",
            b(guard.cancelled()),
            inner.cancelling(),
            b(inner.done())
        );
        trt!("main: inner -> {}", inner.await?);
        Ok(())
    });
}

pub fn s172() {
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        let a = spawn(async {
            sleep(1.0).await?;
            Err::<(), _>(Error::new(ErrorKind::Value, "inner failed"))
        });
        if let Some(e) = catch(shield(a.clone()).await, ErrorKind::Value)? {
            let same = a.exception()?.is_some_and(|x| x == e);
            trt!("main: caught {} same={}", describe(&e), b(same));
        }
        let bb = spawn(async { sleep(10.0).await });
        let guard = shield(bb.clone());
        l.call_later(1.0, move || {
            bb.cancel();
        })?;
        if let Some(e) = catch(guard.clone().await, ErrorKind::Cancelled)? {
            trt!("main: caught {} shield cancelled={}", code(&e), b(guard.cancelled()));
        }
        Ok(())
    });
}

// ---- 173-179 TaskGroup ----

async fn fail_after(delay: f64, message: &'static str) -> Result<()> {
    sleep(delay).await?;
    Err(Error::new(ErrorKind::Value, message))
}

async fn idle(name: &'static str) -> Result<()> {
    match sleep(10.0).await {
        Err(e) if e.is_cancelled() => {
            trt!("{name}: cancelled");
            Err(e)
        }
        r => r,
    }
}

/// An error and, for a group, its children, as the scenarios print them.
fn tree(e: &Error) -> String {
    if e.kind() == ErrorKind::Group {
        let children: Vec<String> = e.children().iter().map(tree).collect();
        format!("{} [{}]", describe(e), children.join(", "))
    } else {
        describe(e)
    }
}

pub fn s173() {
    let lp = vloop();
    run_main(&lp, async {
        let me = current_task().expect("in a task");
        let me2 = me.clone();
        let r = task_group(|tg| async move {
            tg.spawn(idle("idle"))?;
            tg.spawn(fail_after(1.0, "child failed"))?;
            match sleep(5.0).await {
                Err(e) if e.is_cancelled() => {
                    trt!("body: cancelled, cancelling={}", me2.cancelling());
                    Err(e)
                }
                r => r,
            }
        })
        .await;
        if let Some(e) = catch(r, ErrorKind::Group)? {
            trt!("main: {}", tree(&e));
        }
        trt!("main: cancelling={}", me.cancelling());
        sleep(1.0).await?;
        trt!("main: next await ran");
        Ok(())
    });
}

pub fn s174() {
    let lp = vloop();
    run_main(&lp, async {
        let me = current_task().expect("in a task");
        let r = task_group(|tg| async move {
            tg.spawn(fail_after(1.0, "child failed"))?;
            match sleep(5.0).await {
                Err(e) if e.is_cancelled() => Err(Error::with_message(sys::AC_ECONNRESET, "body failed")),
                r => r,
            }
        })
        .await;
        if let Some(e) = catch(r, ErrorKind::Group)? {
            trt!("main: {}", tree(&e));
        }
        trt!("main: cancelling={}", me.cancelling());
        Ok(())
    });
}

pub fn s175() {
    /// The class and the reason after the group's name, as the scenario
    /// prints them ("RuntimeError (is finished)").
    fn why(e: &Error) -> String {
        let m = e.message();
        let reason = m.rsplit("> ").next().unwrap_or(m);
        format!("{} ({})", e.class_name(), reason.strip_prefix("TaskGroup ").unwrap_or(reason))
    }
    async fn noop() -> Result<()> {
        Ok(())
    }
    async fn late(tg: asyncore::TaskGroup) -> Result<()> {
        match sleep(5.0).await {
            Err(e) if e.is_cancelled() => {
                match tg.spawn(noop()) {
                    Ok(_) => trt!("late: created a task"),
                    Err(r) if r.kind() == ErrorKind::Runtime => trt!("late: refused: {}", why(&r)),
                    Err(r) => return Err(r),
                }
                Err(e)
            }
            r => r,
        }
    }
    let lp = vloop();
    run_main(&lp, async {
        let r = task_group(|tg| async move {
            tg.spawn(fail_after(1.0, "child failed"))?;
            tg.spawn(late(tg.clone()))?;
            Ok(())
        })
        .await;
        if let Some(e) = catch(r, ErrorKind::Group)? {
            trt!("main: {}", describe(&e));
        }
        let mut kept = None;
        task_group(|done| {
            kept = Some(done.clone());
            async move {
                done.spawn(noop())?;
                Ok(())
            }
        })
        .await?;
        match kept.expect("the group").spawn(noop()) {
            Ok(_) => trt!("main: created a task"),
            Err(e) if e.kind() == ErrorKind::Runtime => trt!("main: refused: {}", why(&e)),
            Err(e) => return Err(e),
        }
        Ok(())
    });
}

/// 176 and 177: a group inside a group, either or both failing; with
/// `cancel_after`, the outer task is cancelled from outside right after
/// the last child failed.
async fn nested(label: &'static str, inner_fails: bool, outer_fails: bool, cancel_after: bool) -> Result<()> {
    let me = current_task().expect("in a task");
    let me2 = me.clone();
    let r = task_group(|outer| async move {
        let o = if outer_fails {
            outer.spawn(fail_after(1.0, "outer child"))?
        } else {
            outer.spawn(idle("outer child"))?
        };
        task_group(|inner| async move {
            let i = if inner_fails {
                inner.spawn(fail_after(1.0, "inner child"))?
            } else {
                inner.spawn(idle("inner child"))?
            };
            if cancel_after {
                // The outside cancel comes right after the last child failed.
                let target = if inner_fails { i.task() } else { o.task() };
                target.add_done_callback(move || {
                    me2.cancel();
                })?;
            }
            sleep(5.0).await
        })
        .await
    })
    .await;
    if let Err(e) = r {
        trt!("{label}: {}", tree(&e));
    }
    trt!("{label}: cancelling={}", me.cancelling());
    if cancel_after {
        match sleep(0.0).await {
            Ok(()) => trt!("{label}: next await ran"),
            Err(e) if e.is_cancelled() => trt!("{label}: next await cancelled"),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

pub fn s176() {
    let lp = vloop();
    run_main(&lp, async {
        spawn(nested("inner error", true, false, false)).await?;
        spawn(nested("outer error", false, true, false)).await?;
        spawn(nested("both errors", true, true, false)).await
    });
}

pub fn s177() {
    let lp = vloop();
    run_main(&lp, async {
        spawn(nested("inner error", true, false, true)).await?;
        spawn(nested("outer error", false, true, true)).await?;
        spawn(nested("both errors", true, true, true)).await
    });
}

pub fn s178() {
    async fn child(name: &'static str, delay: f64) -> Result<()> {
        match sleep(delay).await {
            Err(e) if e.is_cancelled() => {
                trt!("{name}: cancelled, cleaning up");
                sleep(0.5).await?;
                trt!("{name}: cleaned up");
                return Err(e);
            }
            r => r?,
        }
        trt!("{name}: finished");
        Ok(())
    }
    async fn parent() -> Result<()> {
        let me = current_task().expect("in a task");
        let r = task_group(|tg| async move {
            tg.spawn(child("A", 1.0))?;
            tg.spawn(child("B", 5.0))?;
            Ok(())
        })
        .await;
        if let Err(e) = &r {
            if e.is_cancelled() {
                trt!("parent: {} cancelling={}", code(e), me.cancelling());
            }
        }
        r
    }
    let lp = vloop();
    run_main(&lp, async {
        let t = spawn(parent());
        sleep(2.0).await?;
        t.cancel();
        if catch(t.clone().await, ErrorKind::Cancelled)?.is_some() {
            trt!("main: parent cancelled={}", b(t.is_cancelled()));
        }
        Ok(())
    });
}

pub fn s179() {
    async fn leaf(name: &'static str, delay: f64) -> Result<()> {
        sleep(delay).await?;
        trt!("{name}: finished");
        Ok(())
    }
    async fn root(tg: asyncore::TaskGroup) -> Result<()> {
        sleep(1.0).await?;
        tg.spawn(leaf("leaf 1", 1.0))?;
        tg.spawn(leaf("leaf 2", 2.0))?;
        trt!("root: added two tasks");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        task_group(|tg| async move {
            tg.spawn(root(tg.clone()))?;
            trt!("body: done");
            Ok(())
        })
        .await?;
        trt!("main: group done");
        Ok(())
    });
}
