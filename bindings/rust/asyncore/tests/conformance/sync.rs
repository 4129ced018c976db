//! Scenarios 57-98: locks, semaphores, events, conditions, barriers,
//! queues.
//!
//! `await lock.acquire()` is `lock.lock().await?.forget()` (the hold is
//! kept until `release()`), `async with lock:` a guard in a block.

use super::*;

// ---- 57-60 locks ----

pub fn s57() {
    let lp = vloop();
    run_main(&lp, async {
        let lock = Lock::new()?;
        if let Some(e) = catch(lock.release(), ErrorKind::Runtime)? {
            trt!("fresh lock: {}", describe(&e));
        }
        lock.lock().await?.forget();
        trt!("acquired: locked={}", b(lock.locked()));
        lock.release()?;
        trt!("released: locked={}", b(lock.locked()));
        if let Some(e) = catch(lock.release(), ErrorKind::Runtime)? {
            trt!("released again: {}", describe(&e));
        }
        Ok(())
    });
}

pub fn s58() {
    async fn waiter(lock: Lock) -> Result<()> {
        trt!("W wants");
        lock.lock().await?.forget();
        trt!("W holds: locked={}", b(lock.locked()));
        sleep(1.0).await?;
        trt!("W releases");
        lock.release()
    }
    let lp = vloop();
    run_main(&lp, async {
        let lock = Lock::new()?;
        lock.lock().await?.forget();
        let w = spawn(waiter(lock.clone()));
        sleep(1.0).await?;
        lock.release()?;
        trt!("main released: locked={}", b(lock.locked()));
        lock.lock().await?.forget();
        trt!("main holds again: locked={}", b(lock.locked()));
        lock.release()?;
        w.await
    });
}

pub fn s59() {
    async fn holder(lock: Lock, name: &'static str) -> Result<()> {
        trt!("{name} wants");
        match lock.lock().await {
            Ok(g) => g.forget(),
            Err(e) => {
                if e.is_cancelled() {
                    trt!("{name}: cancelled");
                }
                return Err(e);
            }
        }
        trt!("{name} holds");
        sleep(1.0).await?;
        trt!("{name} releases");
        lock.release()
    }
    let lp = vloop();
    run_main(&lp, async {
        let lock = Lock::new()?;
        lock.lock().await?.forget();
        let a = spawn(holder(lock.clone(), "A"));
        let bb = spawn(holder(lock.clone(), "B"));
        sleep(1.0).await?;
        lock.release()?; // wakes A ...
        a.cancel(); // ... which is cancelled before it runs
        if catch(a.await, ErrorKind::Cancelled)?.is_some() {
            trt!("main: A ended cancelled");
        }
        bb.await?;
        trt!("main: locked={}", b(lock.locked()));
        Ok(())
    });
}

pub fn s60() {
    let lp = vloop();
    run_main(&lp, async {
        let t = spawn(async {
            trt!("other task runs");
            Ok(())
        });
        let lock = Lock::new()?;
        lock.lock().await?.forget();
        trt!("lock acquired");
        let sem = Semaphore::new(1)?;
        sem.acquire().await?.forget();
        trt!("semaphore acquired");
        let ev = Event::new()?;
        ev.set()?;
        ev.wait().await?;
        trt!("event waited");
        let q = Queue::<i64>::new(1)?;
        q.put(5).await?;
        trt!("put 5");
        let v = q.get().await?;
        trt!("got {v}");
        q.task_done()?;
        q.join().await?;
        trt!("joined");
        let cond = Condition::new(None)?;
        cond.lock().await?.forget();
        let r = cond.wait_for_value(|| 7).await?;
        trt!("wait_for returned {r}");
        cond.release()?;
        let bar = Barrier::new(1)?;
        let i = bar.wait().await?;
        trt!("barrier passed: index={i}");
        t.await
    });
}

// ---- 61-63 events ----

pub fn s61() {
    async fn waiter(ev: Event, name: &'static str) -> Result<()> {
        trt!("{name} waits");
        ev.wait().await?;
        trt!("{name} woke: is_set={}", b(ev.is_set()));
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let ev = Event::new()?;
        let a = spawn(waiter(ev.clone(), "A"));
        sleep(1.0).await?;
        ev.set()?;
        ev.clear()?;
        trt!("main: set then clear, is_set={}", b(ev.is_set()));
        let bb = spawn(waiter(ev.clone(), "B"));
        a.await?;
        sleep(1.0).await?;
        ev.set()?;
        ev.set()?;
        trt!("main: set twice, is_set={}", b(ev.is_set()));
        bb.await
    });
}

pub fn s62() {
    async fn waiter(ev: Event, name: &'static str) -> Result<()> {
        trt!("{name} waits");
        ev.wait().await?;
        trt!("{name} passed");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let ev = Event::new()?;
        let a = spawn(waiter(ev.clone(), "A"));
        let bb = spawn(waiter(ev.clone(), "B"));
        sleep(1.0).await?;
        let c = spawn(waiter(ev.clone(), "C"));
        ev.set()?;
        trt!("main: set");
        a.await?;
        bb.await?;
        c.await
    });
}

pub fn s63() {
    async fn waiter(ev: Event, name: &'static str) -> Result<()> {
        if let Err(e) = ev.wait().await {
            if e.is_cancelled() {
                trt!("{name}: cancelled");
            }
            return Err(e);
        }
        trt!("{name} passed");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let ev = Event::new()?;
        let a = spawn(waiter(ev.clone(), "A"));
        let bb = spawn(waiter(ev.clone(), "B"));
        sleep(1.0).await?;
        ev.set()?;
        a.cancel();
        if catch(a.await, ErrorKind::Cancelled)?.is_some() {
            trt!("main: A ended cancelled");
        }
        bb.await?;
        trt!("main: is_set={}", b(ev.is_set()));
        Ok(())
    });
}

// ---- 64-70 conditions ----

pub fn s64() {
    async fn waiter(cond: Condition, name: &'static str) -> Result<()> {
        let _g = cond.lock().await?;
        trt!("{name} waits");
        cond.wait().await?;
        trt!("{name} woke: locked={}", b(cond.locked()));
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let cond = Condition::new(None)?;
        let tasks: Vec<_> = ["A", "B", "C"].into_iter().map(|n| spawn(waiter(cond.clone(), n))).collect();
        sleep(1.0).await?;
        {
            let _g = cond.lock().await?;
            cond.notify(1)?;
            trt!("main: notify(1)");
            sleep(1.0).await?;
            trt!("main: releases");
        }
        sleep(1.0).await?;
        {
            let _g = cond.lock().await?;
            cond.notify(5)?;
            trt!("main: notify(5)");
        }
        for t in tasks {
            t.await?;
        }
        trt!("main: locked={}", b(cond.locked()));
        Ok(())
    });
}

pub fn s65() {
    async fn waiter(cond: Condition, name: &'static str) -> Result<()> {
        let _g = cond.lock().await?;
        trt!("{name} waits");
        cond.wait().await?;
        trt!("{name} woke");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let cond = Condition::new(None)?;
        let a = spawn(waiter(cond.clone(), "A"));
        let bb = spawn(waiter(cond.clone(), "B"));
        sleep(1.0).await?;
        let c;
        {
            let _g = cond.lock().await?;
            cond.notify_all()?;
            trt!("main: notify_all");
            c = spawn(waiter(cond.clone(), "C"));
        }
        a.await?;
        bb.await?;
        sleep(1.0).await?;
        {
            let _g = cond.lock().await?;
            cond.notify_all()?;
            trt!("main: notify_all again");
        }
        c.await
    });
}

pub fn s66() {
    let lp = vloop();
    run_main(&lp, async {
        let items: Rc<RefCell<Vec<i64>>> = Rc::new(RefCell::new(Vec::new()));
        let cond = Condition::new(None)?;
        let (cc, it) = (cond.clone(), items.clone());
        let c = spawn(async move {
            let _g = cc.lock().await?;
            let n = cc
                .wait_for_value(move || {
                    let n = it.borrow().len() as i64;
                    trt!("predicate: {n} items");
                    if n >= 2 {
                        n
                    } else {
                        0
                    }
                })
                .await?;
            trt!("consumer: wait_for returned {n}, locked={}", b(cc.locked()));
            Ok(())
        });
        for i in 0..2 {
            sleep(1.0).await?;
            let _g = cond.lock().await?;
            items.borrow_mut().push(i);
            cond.notify(1)?;
            trt!("main: added item {i}");
        }
        c.await
    });
}

pub fn s67() {
    let lp = vloop();
    run_main(&lp, async {
        let cond = Condition::new(None)?;
        if let Some(e) = catch(cond.wait().await, ErrorKind::Runtime)? {
            trt!("wait: {}", describe(&e));
        }
        if let Some(e) = catch(cond.notify(1), ErrorKind::Runtime)? {
            trt!("notify: {}", describe(&e));
        }
        if let Some(e) = catch(cond.notify_all(), ErrorKind::Runtime)? {
            trt!("notify_all: {}", describe(&e));
        }
        let r = cond.wait_for_value(|| 3).await?;
        trt!("wait_for(true) returned {r}, locked={}", b(cond.locked()));
        if let Some(e) = catch(cond.wait_for_value(|| 0).await, ErrorKind::Runtime)? {
            trt!("wait_for(false): {}", describe(&e));
        }
        Ok(())
    });
}

pub fn s68() {
    async fn waiter(cond: Condition) -> Result<()> {
        let _g = cond.lock().await?;
        trt!("W waits");
        if let Err(e) = cond.wait().await {
            if e.is_cancelled() {
                trt!("W cancelled: locked={}", b(cond.locked()));
            }
            return Err(e);
        }
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let cond = Condition::new(None)?;
        let w = spawn(waiter(cond.clone()));
        sleep(1.0).await?;
        cond.lock().await?.forget();
        trt!("main holds the lock; cancels W");
        w.cancel();
        sleep(1.0).await?;
        trt!("main releases");
        cond.release()?;
        if catch(w.await, ErrorKind::Cancelled)?.is_some() {
            trt!("main: W ended cancelled");
        }
        trt!("main: locked={}", b(cond.locked()));
        Ok(())
    });
}

pub fn s69() {
    async fn waiter(cond: Condition, name: &'static str) -> Result<()> {
        let _g = cond.lock().await?;
        trt!("{name} waits");
        if let Err(e) = cond.wait().await {
            if e.is_cancelled() {
                trt!("{name}: cancelled");
            }
            return Err(e);
        }
        trt!("{name} notified");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let cond = Condition::new(None)?;
        let a = spawn(waiter(cond.clone(), "A"));
        let bb = spawn(waiter(cond.clone(), "B"));
        sleep(1.0).await?;
        {
            let _g = cond.lock().await?;
            cond.notify(1)?;
            a.cancel();
            trt!("main: notify(1), cancel A");
        }
        sleep(1.0).await?;
        trt!("main: B done={}", b(bb.done()));
        if !bb.done() {
            let _g = cond.lock().await?;
            cond.notify_all()?;
        }
        if catch(a.await, ErrorKind::Cancelled)?.is_some() {
            trt!("main: A ended cancelled");
        }
        bb.await
    });
}

pub fn s70() {
    async fn waiter(cond: Condition) -> Result<()> {
        let _g = cond.lock().await?;
        trt!("W waits");
        cond.wait().await?;
        trt!("W notified");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let lock = Lock::new()?;
        let cond = Condition::new(Some(&lock))?;
        lock.lock().await?.forget();
        trt!("lock held: cond.locked={}", b(cond.locked()));
        lock.release()?;
        {
            let _g = cond.lock().await?;
            trt!("cond held: lock.locked={}", b(lock.locked()));
        }
        let w = spawn(waiter(cond.clone()));
        sleep(1.0).await?;
        trt!("W waiting: lock.locked={}", b(lock.locked()));
        {
            let _g = lock.lock().await?;
            cond.notify(1)?;
            trt!("main: notify under the lock");
        }
        w.await?;
        trt!("main: lock.locked={}", b(lock.locked()));
        Ok(())
    });
}

// ---- 71-76 semaphores ----

pub fn s71() {
    let lp = vloop();
    run_main(&lp, async {
        if let Some(e) = catch(Semaphore::new(-1), ErrorKind::Value)? {
            trt!("Semaphore(-1): {}", describe(&e));
        }
        let sem = Semaphore::bounded(2)?;
        sem.acquire().await?.forget();
        sem.release()?;
        trt!("acquired and released: locked={}", b(sem.locked()));
        if let Some(e) = catch(sem.release(), ErrorKind::Value)? {
            trt!("extra release: {}", describe(&e));
        }
        sem.acquire().await?.forget();
        trt!("one taken: locked={}", b(sem.locked()));
        sem.acquire().await?.forget();
        trt!("two taken: locked={}", b(sem.locked()));
        Ok(())
    });
}

pub fn s72() {
    async fn repeat(sem: Semaphore) -> Result<()> {
        sem.acquire().await?.forget();
        trt!("A holds");
        sleep(1.0).await?;
        sem.release()?;
        trt!("A released: locked={}", b(sem.locked()));
        sem.acquire().await?.forget();
        trt!("A holds again");
        sleep(1.0).await?;
        sem.release()
    }
    async fn once(sem: Semaphore, name: &'static str) -> Result<()> {
        sem.acquire().await?.forget();
        trt!("{name} holds");
        sleep(1.0).await?;
        sem.release()
    }
    let lp = vloop();
    run_main(&lp, async {
        let sem = Semaphore::new(1)?;
        let tasks = [spawn(repeat(sem.clone())), spawn(once(sem.clone(), "B")), spawn(once(sem.clone(), "C"))];
        for t in tasks {
            t.await?;
        }
        trt!("main: locked={}", b(sem.locked()));
        Ok(())
    });
}

pub fn s73() {
    async fn first(sem: Semaphore) -> Result<()> {
        sem.acquire().await?.forget();
        trt!("A acquired");
        spawn(async {
            trt!("D runs");
            Ok(())
        });
        Ok(())
    }
    async fn releaser(sem: Semaphore) -> Result<()> {
        sem.release()?;
        sem.release()?;
        sem.release()?;
        trt!("R released three: locked={}", b(sem.locked()));
        sem.acquire().await?.forget();
        trt!("R acquired");
        Ok(())
    }
    async fn newcomer(sem: Semaphore) -> Result<()> {
        sem.acquire().await?.forget();
        trt!("B acquired");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let sem = Semaphore::new(0)?;
        let _a = spawn(first(sem.clone()));
        sleep(1.0).await?;
        let _r = spawn(releaser(sem.clone()));
        let _b = spawn(newcomer(sem.clone()));
        sleep(1.0).await?;
        trt!("main: locked={}", b(sem.locked()));
        Ok(())
    });
}

async fn sem_worker(sem: Semaphore, name: &'static str) -> Result<()> {
    if let Err(e) = sem.acquire().await.map(Guard::forget) {
        if e.is_cancelled() {
            trt!("{name}: cancelled");
        }
        return Err(e);
    }
    trt!("{name} acquired");
    Ok(())
}

pub fn s74() {
    let lp = vloop();
    run_main(&lp, async {
        let sem = Semaphore::new(0)?;
        let a = spawn(sem_worker(sem.clone(), "A"));
        let bb = spawn(sem_worker(sem.clone(), "B"));
        sleep(1.0).await?;
        sem.release()?; // wakes A ...
        a.cancel(); // ... which is cancelled before it runs
        if catch(a.await, ErrorKind::Cancelled)?.is_some() {
            trt!("main: A ended cancelled");
        }
        bb.await?;
        trt!("main: locked={}", b(sem.locked()));
        sem.release()?;
        trt!("main: released, locked={}", b(sem.locked()));
        Ok(())
    });
}

pub fn s75() {
    let lp = vloop();
    run_main(&lp, async {
        let sem = Semaphore::new(0)?;
        let tasks: Vec<_> = ["A", "B", "C", "D"].into_iter().map(|n| spawn(sem_worker(sem.clone(), n))).collect();
        sleep(1.0).await?;
        tasks[0].cancel();
        tasks[1].cancel();
        sem.release()?;
        sleep(1.0).await?;
        trt!("main: C done={} D done={}", b(tasks[2].done()), b(tasks[3].done()));
        sem.release()?;
        for t in tasks {
            pass_cancelled(t.await)?;
        }
        trt!("main: locked={}", b(sem.locked()));
        Ok(())
    });
}

pub fn s76() {
    async fn worker(sem: Semaphore, name: &'static str) -> Result<()> {
        trt!("{name} wants");
        sem.acquire().await?.forget();
        trt!("{name} acquired");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let sem = Semaphore::new(0)?;
        let a = spawn(worker(sem.clone(), "A"));
        let bb = spawn(worker(sem.clone(), "B"));
        sleep(1.0).await?;
        sem.release()?;
        let x = spawn(worker(sem.clone(), "X"));
        sem.release()?;
        a.await?;
        bb.await?;
        sleep(1.0).await?;
        trt!("main: X done={}", b(x.done()));
        sem.release()?;
        x.await
    });
}

// ---- 77-83 barriers ----

pub fn s77() {
    async fn party(bar: Barrier, name: &'static str, delay: f64) -> Result<()> {
        sleep(delay).await?;
        trt!("{name} arrives: n_waiting={}", bar.n_waiting());
        let i = bar.wait().await?;
        trt!("{name} passed: index={i}");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let bar = Barrier::new(3)?;
        let tasks = [
            spawn(party(bar.clone(), "A", 2.0)),
            spawn(party(bar.clone(), "B", 1.0)),
            spawn(party(bar.clone(), "C", 3.0)),
        ];
        for t in tasks {
            t.await?;
        }
        trt!("main: parties={} n_waiting={} broken={}", bar.parties(), bar.n_waiting(), b(bar.broken()));
        let one = Barrier::new(1)?;
        let i = one.wait().await?;
        let j = one.wait().await?;
        trt!("main: Barrier(1) passed twice: index={i}, {j}");
        Ok(())
    });
}

pub fn s78() {
    async fn party(bar: Barrier, name: &'static str) -> Result<()> {
        trt!("{name} arrives: n_waiting={}", bar.n_waiting());
        let i = bar.wait().await?;
        trt!("{name} passed: index={i}");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let bar = Barrier::new(2)?;
        let tasks: Vec<_> = ["A", "B", "C", "D"].into_iter().map(|n| spawn(party(bar.clone(), n))).collect();
        for t in tasks {
            t.await?;
        }
        trt!("main: n_waiting={} broken={}", bar.n_waiting(), b(bar.broken()));
        Ok(())
    });
}

pub fn s79() {
    async fn party(bar: Barrier, name: &'static str, delay: f64) -> Result<()> {
        sleep(delay).await?;
        let i = match bar.wait().await {
            Ok(i) => i,
            Err(e) => {
                if e.is_cancelled() {
                    trt!("{name}: cancelled");
                }
                return Err(e);
            }
        };
        trt!("{name} passed: index={i}");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let bar = Barrier::new(3)?;
        let a = spawn(party(bar.clone(), "A", 0.0));
        let x = spawn(party(bar.clone(), "X", 1.0));
        sleep(2.0).await?;
        trt!("main: n_waiting={}, cancels X", bar.n_waiting());
        x.cancel();
        pass_cancelled(x.await)?;
        trt!("main: n_waiting={}", bar.n_waiting());
        let c = spawn(party(bar.clone(), "C", 1.0));
        let d = spawn(party(bar.clone(), "D", 2.0));
        for t in [a, c, d] {
            t.await?;
        }
        trt!("main: n_waiting={} broken={}", bar.n_waiting(), b(bar.broken()));
        Ok(())
    });
}

pub fn s80() {
    async fn party(bar: Barrier, name: &'static str) -> Result<()> {
        if let Some(e) = catch(bar.wait().await, ErrorKind::BrokenBarrier)? {
            trt!("{name}: {}", describe(&e));
        }
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let bar = Barrier::new(3)?;
        let a = spawn(party(bar.clone(), "A"));
        let c = spawn(party(bar.clone(), "B"));
        sleep(1.0).await?;
        bar.abort()?;
        trt!("main: aborted, broken={} n_waiting={}", b(bar.broken()), bar.n_waiting());
        a.await?;
        c.await?;
        if let Some(e) = catch(bar.wait().await, ErrorKind::BrokenBarrier)? {
            trt!("main: later wait: {}", describe(&e));
        }
        Ok(())
    });
}

pub fn s81() {
    async fn party(bar: Barrier, name: &'static str, delay: f64) -> Result<()> {
        sleep(delay).await?;
        let i = match bar.wait().await {
            Ok(i) => i,
            Err(e) if e.kind() == ErrorKind::BrokenBarrier => {
                trt!("{name}: {}", describe(&e));
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        trt!("{name} passed: index={i}");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let bar = Barrier::new(3)?;
        let first: Vec<_> = ["A", "B"].into_iter().map(|n| spawn(party(bar.clone(), n, 0.0))).collect();
        sleep(1.0).await?;
        bar.reset()?;
        trt!("main: reset");
        for t in first {
            t.await?;
        }
        trt!("main: broken={} n_waiting={}", b(bar.broken()), bar.n_waiting());
        let again: Vec<_> =
            [("X", 1.0), ("Y", 2.0), ("Z", 3.0)].into_iter().map(|(n, d)| spawn(party(bar.clone(), n, d))).collect();
        for t in again {
            t.await?;
        }
        Ok(())
    });
}

pub fn s82() {
    let lp = vloop();
    run_main(&lp, async {
        for n in [0, -4] {
            if let Some(e) = catch(Barrier::new(n), ErrorKind::Value)? {
                trt!("Barrier({n}): {}", describe(&e));
            }
        }
        trt!("Barrier(1): parties={}", Barrier::new(1)?.parties());
        Ok(())
    });
}

pub fn s83() {
    async fn party(bar: Barrier, name: &'static str) -> Result<()> {
        let i = match bar.wait().await {
            Ok(i) => i,
            Err(e) => {
                if e.is_cancelled() {
                    trt!("{name}: cancelled");
                }
                return Err(e);
            }
        };
        trt!("{name} passed: index={i}");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let bar = Barrier::new(2)?;
        let a = spawn(party(bar.clone(), "A"));
        sleep(1.0).await?;
        let i = bar.wait().await?;
        trt!("main passed: index={i}; cancels A");
        a.cancel();
        if catch(a.await, ErrorKind::Cancelled)?.is_some() {
            trt!("main: A ended cancelled");
        }
        trt!("main: broken={} n_waiting={}", b(bar.broken()), bar.n_waiting());
        let c = spawn(party(bar.clone(), "C"));
        sleep(1.0).await?;
        let i = bar.wait().await?;
        trt!("main passed again: index={i}");
        c.await
    });
}

// ---- 84-98 queues ----

fn take_now<T: 'static>(q: &Queue<T>) -> Result<T> {
    q.get_nowait()
}

fn put_now<T: 'static>(q: &Queue<T>, item: T) -> Result<()> {
    q.put_nowait(item).map_err(|(e, _)| e)
}

pub fn s84() {
    async fn putter(q: Queue<String>, name: &'static str, item: &'static str) -> Result<()> {
        if let Err(e) = q.put(item.to_string()).await {
            if e.is_cancelled() {
                trt!("{name}: cancelled, qsize={}", q.qsize());
            }
            return Err(e);
        }
        trt!("{name}: put {item}, qsize={}", q.qsize());
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<String>::new(1)?;
        put_now(&q, "x".to_string())?;
        let p1 = spawn(putter(q.clone(), "P1", "a"));
        let p2 = spawn(putter(q.clone(), "P2", "b"));
        sleep(1.0).await?;
        trt!("main: got {}", take_now(&q)?); // frees the slot: P1 is woken ...
        p1.cancel(); // ... and cancelled before it runs
        sleep(1.0).await?;
        trt!("main: P1 cancelled={} P2 done={}, qsize={}", b(p1.is_cancelled()), b(p2.done()), q.qsize());
        spawn(putter(q.clone(), "P1 again", "a"));
        sleep(1.0).await?;
        trt!("main: got {}", take_now(&q)?);
        sleep(1.0).await?;
        let v = take_now(&q)?;
        trt!("main: got {v}, qsize={}", q.qsize());
        Ok(())
    });
}

async fn named_getter(q: Queue<i64>, name: &'static str) -> Result<()> {
    let v = match q.get().await {
        Ok(v) => v,
        Err(e) => {
            if e.is_cancelled() {
                trt!("{name}: cancelled, qsize={}", q.qsize());
            }
            return Err(e);
        }
    };
    trt!("{name}: got {v}");
    Ok(())
}

pub fn s85() {
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<i64>::new(0)?;
        let g = spawn(named_getter(q.clone(), "G"));
        sleep(1.0).await?;
        put_now(&q, 1)?; // wakes G ...
        put_now(&q, 2)?;
        g.cancel(); // ... which is cancelled before it runs
        if catch(g.await, ErrorKind::Cancelled)?.is_some() {
            trt!("main: G ended cancelled");
        }
        spawn(named_getter(q.clone(), "G2")).await?;
        spawn(named_getter(q.clone(), "G3")).await?;
        trt!("main: qsize={}", q.qsize());
        Ok(())
    });
}

pub fn s86() {
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<i64>::new(0)?;
        let qg = q.clone();
        let g = spawn(async move {
            let v = qg.get().await?;
            trt!("G: got {v}");
            Ok(())
        });
        sleep(1.0).await?;
        put_now(&q, 1)?;
        match q.get_nowait() {
            Ok(v) => trt!("main: get_nowait -> {v}"),
            Err(e) if e.kind() == ErrorKind::QueueEmpty => trt!("main: get_nowait -> QueueEmpty"),
            Err(e) => return Err(e),
        }
        sleep(1.0).await?;
        trt!("main: G done={}, qsize={}", b(g.done()), q.qsize());
        put_now(&q, 2)?;
        g.await
    });
}

pub fn s87() {
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<String>::new(1)?;
        put_now(&q, "x".to_string())?;
        let qp = q.clone();
        let p = spawn(async move {
            qp.put("p".to_string()).await?;
            trt!("P: put p, qsize={}", qp.qsize());
            Ok(())
        });
        sleep(1.0).await?;
        trt!("main: got {}", take_now(&q)?);
        match put_now(&q, "m".to_string()) {
            Ok(()) => trt!("main: put_nowait m done"),
            Err(e) if e.kind() == ErrorKind::QueueFull => trt!("main: put_nowait m -> QueueFull"),
            Err(e) => return Err(e),
        }
        sleep(1.0).await?;
        let done = b(p.done());
        trt!("main: P done={done}, got {}", take_now(&q)?);
        p.clone().await?;
        trt!("main: got {}", take_now(&q)?);
        Ok(())
    });
}

pub fn s88() {
    let lp = vloop();
    run_main(&lp, async {
        for size in [0i64, -1] {
            let q = Queue::<i64>::with_maxsize(size)?;
            for i in 0..5 {
                q.put(i).await?;
            }
            put_now(&q, 5)?;
            trt!("Queue({size}): maxsize={} qsize={} full={}", q.maxsize(), q.qsize(), b(q.full()));
        }
        Ok(())
    });
}

pub fn s89() {
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<i64>::new(1)?;
        if let Some(e) = catch(q.get_nowait(), ErrorKind::QueueEmpty)? {
            trt!("get_nowait on empty: {}", describe(&e));
        }
        put_now(&q, 1)?;
        if let Some(e) = catch(put_now(&q, 2), ErrorKind::QueueFull)? {
            trt!("put_nowait on full: {}, qsize={}", describe(&e), q.qsize());
        }
        trt!("got {}", take_now(&q)?);
        q.task_done()?;
        if let Some(e) = catch(q.task_done(), ErrorKind::Value)? {
            trt!("task_done again: {}", describe(&e));
        }
        q.join().await?;
        trt!("joined");
        Ok(())
    });
}

pub fn s90() {
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<String>::new(1)?;
        put_now(&q, "a".to_string())?;
        let qp = q.clone();
        let p = spawn(async move {
            if let Some(e) = catch(qp.put("b".to_string()).await, ErrorKind::QueueShutDown)? {
                trt!("P: {}", describe(&e));
            }
            Ok(())
        });
        let qj = q.clone();
        let j = spawn(async move {
            qj.join().await?;
            trt!("J: joined");
            Ok(())
        });
        sleep(1.0).await?;
        q.shutdown(false)?;
        trt!("main: shut down, qsize={}", q.qsize());
        p.await?;
        trt!("main: got {}", q.get().await?);
        if let Some(e) = catch(q.get().await, ErrorKind::QueueShutDown)? {
            trt!("main: get: {}", describe(&e));
        }
        if let Some(e) = catch(q.get_nowait(), ErrorKind::QueueShutDown)? {
            trt!("main: get_nowait: {}", describe(&e));
        }
        if let Some(e) = catch(put_now(&q, "c".to_string()), ErrorKind::QueueShutDown)? {
            trt!("main: put_nowait: {}", describe(&e));
        }
        sleep(1.0).await?;
        trt!("main: J done={}", b(j.done()));
        q.task_done()?;
        j.await
    });
}

pub fn s91() {
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<String>::new(0)?;
        for item in ["a", "b", "c"] {
            put_now(&q, item.to_string())?;
        }
        trt!("main: got {}", q.get().await?);
        let qj = q.clone();
        let j = spawn(async move {
            qj.join().await?;
            trt!("J: joined");
            Ok(())
        });
        sleep(1.0).await?;
        q.shutdown(true)?;
        trt!("main: shut down now, qsize={}", q.qsize());
        if let Some(e) = catch(q.get().await, ErrorKind::QueueShutDown)? {
            trt!("main: get: {}", describe(&e));
        }
        if let Some(e) = catch(q.put("d".to_string()).await, ErrorKind::QueueShutDown)? {
            trt!("main: put: {}", describe(&e));
        }
        sleep(1.0).await?;
        trt!("main: J done={}", b(j.done()));
        q.task_done()?;
        j.await?;
        q.join().await?;
        trt!("main: joined after shutdown");
        if let Some(e) = catch(q.task_done(), ErrorKind::Value)? {
            trt!("main: task_done: {}", describe(&e));
        }
        Ok(())
    });
}

pub fn s92() {
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<i64>::lifo(0)?;
        let qg = q.clone();
        let g = spawn(async move {
            let v = qg.get().await?;
            trt!("G: got {v}");
            Ok(())
        });
        sleep(1.0).await?;
        for i in [1, 3, 2] {
            q.put(i).await?;
        }
        g.await?;
        let mut items = Vec::new();
        for _ in 0..2 {
            items.push(q.get().await?.to_string());
        }
        trt!("main: got {}", items.join(", "));
        for i in [4, 5, 6] {
            put_now(&q, i)?;
        }
        let items: Vec<String> = (0..3).map(|_| take_now(&q).map(|v| v.to_string())).collect::<Result<_>>()?;
        trt!("main: got {}", items.join(", "));
        Ok(())
    });
}

pub fn s93() {
    async fn joiner(q: Queue<i64>, name: &'static str) -> Result<()> {
        q.join().await?;
        trt!("{name}: joined");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<i64>::new(0)?;
        q.join().await?;
        trt!("main: join on a fresh queue returned");
        put_now(&q, 1)?;
        put_now(&q, 2)?;
        let j1 = spawn(joiner(q.clone(), "J1"));
        let j2 = spawn(joiner(q.clone(), "J2"));
        take_now(&q)?;
        take_now(&q)?;
        sleep(1.0).await?;
        q.task_done()?;
        trt!("main: one task_done");
        sleep(1.0).await?;
        q.task_done()?;
        trt!("main: second task_done");
        j1.await?;
        j2.await
    });
}

pub fn s94() {
    async fn putter(q: Queue<String>, name: &'static str, item: &'static str) -> Result<()> {
        if let Err(e) = q.put(item.to_string()).await {
            if e.is_cancelled() {
                trt!("{name}: cancelled");
            }
            return Err(e);
        }
        trt!("{name}: put {item}");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<String>::new(1)?;
        let tasks: Vec<_> = [("A", "a"), ("B", "b"), ("C", "c"), ("D", "d")]
            .into_iter()
            .map(|(n, i)| spawn(putter(q.clone(), n, i)))
            .collect();
        sleep(1.0).await?;
        tasks[2].cancel();
        sleep(1.0).await?;
        let mut got = Vec::new();
        while got.len() < 3 {
            got.push(q.get().await?);
        }
        trt!("main: got {}, qsize={}", got.join(", "), q.qsize());
        for t in tasks {
            pass_cancelled(t.await)?;
        }
        Ok(())
    });
}

pub fn s95() {
    async fn getter(q: Queue<i64>, name: &'static str) -> Result<()> {
        let v = match q.get().await {
            Ok(v) => v,
            Err(e) => {
                if e.is_cancelled() {
                    trt!("{name}: cancelled");
                }
                return Err(e);
            }
        };
        trt!("{name}: got {v}");
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<i64>::new(0)?;
        let tasks: Vec<_> = ["G1", "G2", "G3", "G4"].into_iter().map(|n| spawn(getter(q.clone(), n))).collect();
        sleep(1.0).await?;
        tasks[1].cancel();
        sleep(1.0).await?;
        for i in [10, 20, 30] {
            put_now(&q, i)?;
        }
        for t in tasks {
            pass_cancelled(t.await)?;
        }
        trt!("main: qsize={}", q.qsize());
        Ok(())
    });
}

pub fn s96() {
    async fn putter(q: Queue<String>, prio: i64, name: &'static str) -> Result<()> {
        q.put_priority(prio, name.to_string()).await?;
        trt!("put {name} (priority {prio}), qsize={}", q.qsize());
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let q = Queue::<String>::priority(2)?;
        q.put_priority(5, "five".to_string()).await?;
        q.put_priority(3, "three".to_string()).await?;
        let p = spawn(putter(q.clone(), 1, "one"));
        sleep(1.0).await?;
        trt!("main: full={}", b(q.full()));
        let name = q.get().await?;
        trt!("main: got {name}");
        p.await?;
        let mut got = Vec::new();
        while !q.empty() {
            got.push(take_now(&q)?);
        }
        trt!("main: got {}", got.join(", "));
        Ok(())
    });
}

pub fn s97() {
    let lp = vloop();
    run_main(&lp, async {
        let empty = Queue::<String>::new(0)?;
        let full = Queue::<String>::new(1)?;
        put_now(&full, "x".to_string())?;
        let qg = empty.clone();
        let g = spawn(async move {
            match qg.get().await {
                Ok(v) => trt!("G: got {v}"),
                Err(e) if e.kind() == ErrorKind::QueueShutDown => trt!("G: {}", describe(&e)),
                Err(e) => return Err(e),
            }
            Ok(())
        });
        let qp = full.clone();
        let p = spawn(async move {
            match qp.put("y".to_string()).await {
                Ok(()) => trt!("P: put y"),
                Err(e) if e.kind() == ErrorKind::QueueShutDown => trt!("P: {}, qsize={}", describe(&e), qp.qsize()),
                Err(e) => return Err(e),
            }
            Ok(())
        });
        sleep(1.0).await?;
        empty.shutdown(true)?;
        full.shutdown(true)?;
        trt!("main: shut down, qsize={}", full.qsize());
        g.await?;
        p.await?;
        full.join().await?;
        trt!("main: joined");
        Ok(())
    });
}

pub fn s98() {
    async fn lock_waiter(lock: Lock) -> Result<()> {
        match wait_for(1.0, lock.lock()).await {
            Ok(g) => {
                g.forget();
                trt!("W: acquired");
            }
            Err(e) if e.is_timeout() => trt!("W: timed out, locked={}", b(lock.locked())),
            Err(e) => return Err(e),
        }
        Ok(())
    }
    async fn get_waiter(q: Queue<i64>) -> Result<()> {
        match wait_for(1.0, q.get()).await {
            Ok(v) => trt!("G: got {v}"),
            Err(e) if e.is_timeout() => trt!("G: timed out, qsize={}", q.qsize()),
            Err(e) => return Err(e),
        }
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let lock = Lock::new()?;
        let q = Queue::<i64>::new(0)?;
        lock.lock().await?.forget();
        let w = spawn(lock_waiter(lock.clone()));
        let g = spawn(get_waiter(q.clone()));
        sleep(2.0).await?;
        lock.release()?;
        put_now(&q, 7)?;
        trt!("main: released, locked={}; put 7, qsize={}", b(lock.locked()), q.qsize());
        w.await?;
        g.await
    });
}
