//! Scenarios 100-131: futures, tasks, cancellation, callbacks, context,
//! the loop, errors; 180: work on other threads and the virtual clock.

use asyncore::{all_tasks, current_task, ExceptionContext, Task};

use super::*;

fn keys(ctx: &ExceptionContext) -> String {
    ctx.keys().join(", ")
}

// ---- 100-105 futures ----

pub fn s100() {
    let lp = vloop();
    run_main(&lp, async {
        let f = LoopFuture::<i64>::new()?;
        f.set_result(1)?;
        if let Some(e) = catch(f.set_result(2), ErrorKind::InvalidState)? {
            tr!("set_result again: {}", describe(&e));
        }
        if let Some(e) = catch(f.set_error(&Error::new(ErrorKind::Value, "late")), ErrorKind::InvalidState)? {
            tr!("set_exception after result: {}", describe(&e));
        }
        tr!("result still {}", f.result()?);
        let g = LoopFuture::<i64>::new()?;
        g.cancel(None);
        if let Some(e) = catch(g.set_result(3), ErrorKind::InvalidState)? {
            tr!("set_result after cancel: {}", describe(&e));
        }
        tr!("cancelled={}", b(g.cancelled()));
        Ok(())
    });
}

pub fn s101() {
    let lp = vloop();
    run_main(&lp, async {
        let f = LoopFuture::<i64>::new()?;
        if let Some(e) = catch(f.result(), ErrorKind::InvalidState)? {
            tr!("result() pending: {}", describe(&e));
        }
        if let Some(e) = catch(f.exception(), ErrorKind::InvalidState)? {
            tr!("exception() pending: {}", describe(&e));
        }
        f.set_error(&Error::new(ErrorKind::Value, "bad value"))?;
        let e = f.exception()?.expect("failed");
        tr!("exception() failed: {}", describe(&e));
        if let Some(e) = catch(f.result(), ErrorKind::Value)? {
            tr!("result() failed: {}", describe(&e));
        }
        let g = LoopFuture::<i64>::new()?;
        g.cancel(None);
        if let Some(e) = catch(g.result(), ErrorKind::Cancelled)? {
            tr!("result() cancelled: {}", describe(&e));
        }
        if let Some(e) = catch(g.exception(), ErrorKind::Cancelled)? {
            tr!("exception() cancelled: {}", describe(&e));
        }
        Ok(())
    });
}

pub fn s102() {
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        let f = LoopFuture::<i64>::new()?;
        let named = |name: &'static str, f: &LoopFuture<i64>| {
            let f = f.clone();
            move || -> Result<()> {
                tr!("{name}: result={}", f.result()?);
                Ok(())
            }
        };
        f.add_done_callback(named("cb1", &f))?;
        f.add_done_callback(named("cb2", &f))?;
        f.set_result(5)?;
        tr!("main: set_result returned");
        l.call_soon(|| tr!("soon: X"))?;
        f.add_done_callback(named("cb3", &f))?;
        tr!("main: cb3 added");
        sleep(0.0).await?;
        tr!("main: resumed");
        Ok(())
    });
}

pub fn s103() {
    fn cb_a(_f: &LoopFuture<()>) {
        tr!("A ran");
    }
    fn cb_b(_f: &LoopFuture<()>) {
        tr!("B ran");
    }
    let lp = vloop();
    run_main(&lp, async {
        let f = LoopFuture::<()>::new()?;
        for cb in [cb_a, cb_b, cb_a, cb_b, cb_a] {
            f.add_done_callback_fn(cb)?;
        }
        tr!("remove A -> {}", f.remove_done_callback(cb_a)?);
        tr!("remove A again -> {}", f.remove_done_callback(cb_a)?);
        f.set_result(())?;
        tr!("remove B after done -> {}", f.remove_done_callback(cb_b)?);
        sleep(0.0).await?;
        tr!("main: done");
        Ok(())
    });
}

pub fn s104() {
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        l.set_exception_handler_ctx(|ctx| {
            trt!(
                "handler: {}; keys={}; error={}",
                ctx.message,
                keys(ctx),
                ctx.exception.as_ref().map_or_else(|| "none".into(), code)
            );
        })?;
        let read = LoopFuture::<()>::new()?;
        read.set_error(&Error::with_message(sys::AC_ECONNRESET, "peer reset"))?;
        trt!("main: read error={}", code(&read.exception()?.expect("failed")));
        drop(read);
        trt!("main: dropped the read one");
        let unread = LoopFuture::<()>::new()?;
        unread.set_error(&Error::with_message(sys::AC_EPIPE, "pipe closed"))?;
        drop(unread);
        trt!("main: dropped the unread one");
        Ok(())
    });
}

pub fn s105() {
    async fn fail(delay: f64) -> Result<()> {
        sleep(delay).await?;
        Err(Error::with_message(sys::AC_ECONNRESET, "peer reset"))
    }
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        l.set_exception_handler_ctx(|ctx| {
            trt!(
                "handler: {}; keys={}; error={}",
                ctx.message,
                keys(ctx),
                ctx.exception.as_ref().map_or_else(|| "none".into(), code)
            );
        })?;
        let awaited = spawn(fail(1.0));
        spawn(fail(2.0));
        if let Some(e) = catch(awaited.await, ErrorKind::Os(std::io::ErrorKind::ConnectionReset))? {
            trt!("main: caught {}", code(&e));
        }
        sleep(5.0).await?;
        trt!("main: done");
        Ok(())
    });
}

// ---- 106-113 cancellation ----

pub fn s106() {
    async fn body(name: &'static str) -> Result<()> {
        if let Err(e) = sleep(10.0).await {
            if e.is_cancelled() {
                trt!("{name}: sees {} (str empty={})", describe(&e), b(e.message().is_empty()));
            }
            return Err(e);
        }
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        for (name, message) in [("T1", None), ("T2", Some("stop now"))] {
            let t = spawn(body(name));
            sleep(1.0).await?;
            t.cancel_with(message);
            if let Some(e) = catch(t.await, ErrorKind::Cancelled)? {
                trt!("main: {name} gave {}", describe(&e));
            }
        }
        let early = spawn(async {
            tr!("never printed");
            Ok(())
        });
        early.cancel_with(Some("too early"));
        if let Some(e) = catch(early.await, ErrorKind::Cancelled)? {
            trt!("main: T3 gave {}", describe(&e));
        }
        Ok(())
    });
}

pub fn s107() {
    async fn inner(name: &'static str) -> Result<()> {
        if let Err(e) = sleep(10.0).await {
            if e.is_cancelled() {
                trt!("{name}: {}", describe(&e));
            }
            return Err(e);
        }
        Ok(())
    }
    async fn outer(name: &'static str, inner_task: JoinHandle<()>) -> Result<()> {
        if let Err(e) = inner_task.await {
            if e.is_cancelled() {
                trt!("{name}: {}", describe(&e));
            }
            return Err(e);
        }
        Ok(())
    }
    async fn chain(cancel_outer: bool, message: &'static str) -> Result<()> {
        let bb = spawn(inner("B"));
        let a = spawn(outer("A", bb.clone()));
        sleep(1.0).await?;
        if cancel_outer {
            a.cancel_with(Some(message));
        } else {
            bb.cancel_with(Some(message));
        }
        if let Some(e) = catch(a.clone().await, ErrorKind::Cancelled)? {
            trt!("main: {}; A cancelled={} B cancelled={}", describe(&e), b(a.is_cancelled()), b(bb.is_cancelled()));
        }
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        chain(true, "from the top").await?;
        chain(false, "from the bottom").await
    });
}

pub fn s108() {
    async fn body() -> Result<()> {
        if let Err(e) = sleep(10.0).await {
            if e.is_cancelled() {
                let me = current_task().expect("in a task");
                trt!("T: {}; cancelling={}", describe(&e), me.cancelling());
                trt!("T: uncancel -> {}", me.uncancel());
            }
            return Err(e);
        }
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let t = spawn(body());
        sleep(1.0).await?;
        trt!("main: cancel -> {}", b(t.cancel_with(Some("first"))));
        trt!("main: cancel -> {}", b(t.cancel_with(Some("second"))));
        trt!("main: cancelling={}", t.cancelling());
        if let Some(e) = catch(t.clone().await, ErrorKind::Cancelled)? {
            trt!("main: {}", describe(&e));
        }
        let again = b(t.cancel());
        trt!("main: cancel done -> {again}; cancelling={}", t.cancelling());
        Ok(())
    });
}

pub fn s109() {
    async fn stubborn() -> Result<String> {
        let me = current_task().expect("in a task");
        if let Err(e) = sleep(10.0).await {
            if !e.is_cancelled() {
                return Err(e);
            }
            trt!("T: swallowed, cancelling={}", me.cancelling());
        }
        sleep(2.0).await?;
        trt!("T: slept 2 more");
        trt!("T: uncancel -> {}", me.uncancel());
        Ok("kept going".to_string())
    }
    let lp = vloop();
    run_main(&lp, async {
        let t = spawn(stubborn());
        sleep(1.0).await?;
        t.cancel();
        let result = t.clone().await?;
        trt!("main: {result}; cancelled={} cancelling={}", b(t.is_cancelled()), t.cancelling());
        Ok(())
    });
}

pub fn s110() {
    async fn body(done: LoopFuture<i64>, pending: LoopFuture<i64>) -> Result<String> {
        let me = current_task().expect("in a task");
        tr!("T: cancel self -> {}", b(me.cancel()));
        tr!("T: done future gave {}", done.await?);
        match pending.clone().await {
            Ok(_) => {}
            Err(e) if e.is_cancelled() => {
                tr!("T: cancelled at the pending await; future cancelled={}", b(pending.cancelled()))
            }
            Err(e) => return Err(e),
        }
        Ok("survived".to_string())
    }
    let lp = vloop();
    run_main(&lp, async {
        let done = LoopFuture::<i64>::new()?;
        done.set_result(7)?;
        let pending = LoopFuture::<i64>::new()?;
        let t = spawn(body(done, pending));
        tr!("main: T returned {}", t.await?);
        Ok(())
    });
}

pub fn s111() {
    let lp = vloop();
    run_main(&lp, async {
        let q = spawn(async { Ok("quick result".to_string()) });
        tr!("main: awaited pending task: {}", q.clone().await?);
        let bb = spawn(async {
            tr!("B: runs");
            Ok(())
        });
        let f = LoopFuture::<i64>::new()?;
        f.set_result(11)?;
        tr!("main: done future: {}", f.await?);
        tr!("main: done task: {}", q.clone().await?);
        tr!("main: done task again: {}", q.clone().await?);
        sleep(0.0).await?;
        tr!("main: after sleep(0)");
        bb.await
    });
}

pub fn s112() {
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        l.call_soon(|| trt!("cb X"))?;
        sleep(0.0).await?;
        trt!("main: after sleep(0)");
        l.call_soon(|| trt!("cb Y"))?;
        sleep(-1.0).await?;
        trt!("main: after sleep(-1)");
        sleep(0.5).await?;
        trt!("main: after sleep(0.5)");
        Ok(())
    });
}

pub fn s113() {
    let lp = vloop();
    run_main(&lp, async {
        let t = spawn(async {
            let me = current_task().expect("in a task");
            if let Some(e) = catch(me.wait().await, ErrorKind::Runtime)? {
                tr!("T: {}: {}", e.class_name(), e.message().split(':').next().unwrap_or(""));
            }
            Ok("recovered".to_string())
        });
        tr!("main: T returned {}", t.await?);
        Ok(())
    });
}

// ---- 114-116 the loop ----

pub fn s114() {
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        let run = asyncore::run(async {
            tr!("never printed");
            Ok(())
        });
        match run {
            Ok(()) => tr!("run: ran"),
            Err(e) if e.kind() == ErrorKind::Runtime => tr!("run: {}", describe(&e)),
            Err(e) => return Err(e),
        }
        let fut = LoopFuture::<()>::new()?;
        match l.run_until_complete(fut.clone()) {
            Ok(()) => tr!("run_until_complete, same loop: ran"),
            Err(e) if e.kind() == ErrorKind::Runtime => tr!("run_until_complete, same loop: {}", describe(&e)),
            Err(e) => return Err(e),
        }
        let other = Loop::builder().virtual_clock(true).build()?;
        let other_fut = LoopFuture::<()>::new_in(&other)?;
        let of = other_fut.clone();
        other.call_soon(move || of.set_result(()))?;
        match other.run_until_complete(other_fut) {
            Ok(()) => tr!("run_until_complete, other loop: ran"),
            Err(e) if e.kind() == ErrorKind::Runtime => tr!("run_until_complete, other loop: {}", describe(&e)),
            Err(e) => return Err(e),
        }
        other.close()?;
        tr!("main: still running={}, fut done={}", b(l.is_running()), b(fut.done()));
        Ok(())
    });
}

pub fn s115() {
    let lp = vloop();
    run_main(&lp, async {
        let other = Loop::builder().virtual_clock(true).build()?;
        let fut = LoopFuture::<()>::new_in(&other)?;
        tr!("new loop: closed={}", b(other.is_closed()));
        other.close()?;
        tr!("after close: closed={}", b(other.is_closed()));
        if let Some(e) = catch(other.call_soon(|| tr!("never printed")), ErrorKind::Runtime)? {
            tr!("call_soon: {}", describe(&e));
        }
        if let Some(e) = catch(other.call_later(1.0, || tr!("never printed")), ErrorKind::Runtime)? {
            tr!("call_later: {}", describe(&e));
        }
        if let Some(e) = catch(other.run_until_complete(fut), ErrorKind::Runtime)? {
            tr!("run_until_complete: {}", describe(&e));
        }
        other.close()?;
        tr!("closed twice: closed={}", b(other.is_closed()));
        Ok(())
    });
}

pub fn s116() {
    async fn leftover() -> Result<()> {
        match sleep(100.0).await {
            Err(e) if e.is_cancelled() => {
                trt!("L: cancelled, cleanup fails");
                Err(Error::new(ErrorKind::Value, "cleanup failed"))
            }
            r => r,
        }
    }
    let lp = vloop();
    let l = lp.clone();
    let r = lp.run_main(async move {
        l.set_exception_handler_ctx(|ctx| {
            tr!(
                "handler: {}; keys={}; error={}",
                ctx.message,
                keys(ctx),
                ctx.exception.as_ref().map_or_else(|| "none".into(), describe)
            );
        })?;
        spawn(leftover());
        sleep(1.0).await?;
        trt!("main: returns");
        Ok(7i64)
    });
    if let Err(e) = r {
        tr!("main failed: {}", e.name());
    }
}

// ---- 117-120 context ----

fn k_get(k: &ContextVar<String>) -> String {
    k.get().unwrap_or_else(|| "unset".into())
}

pub fn s117() {
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        let k = Rc::new(ContextVar::<String>::new()?);
        let show = |name: &'static str, k: &Rc<ContextVar<String>>| {
            let k = k.clone();
            move || trt!("{name} sees {}", k_get(&k))
        };
        k.set("main".into())?;
        let (kw, lw) = (k.clone(), l.clone());
        spawn(async move {
            kw.set("worker".into())?;
            lw.call_soon(show("soon", &kw))?;
            lw.call_later(1.0, show("later", &kw))?;
            let f = LoopFuture::<()>::new()?;
            f.add_done_callback(show("done-callback", &kw))?;
            kw.set("worker, changed".into())?;
            f.set_result(())?;
            show("worker", &kw)();
            Ok(())
        })
        .await?;
        show("main", &k)();
        sleep(2.0).await
    });
}

pub fn s118() {
    let lp = vloop();
    run_main(&lp, async {
        let k = Rc::new(ContextVar::<String>::new()?);
        k.set("before create".into())?;
        let kc = k.clone();
        let t = spawn(async move {
            tr!("C sees {}", k_get(&kc));
            kc.set("child".into())?;
            let kg = kc.clone();
            spawn(async move {
                tr!("G sees {}", k_get(&kg));
                Ok(())
            })
            .await?;
            tr!("C still sees {}", k_get(&kc));
            Ok(())
        });
        k.set("after create".into())?;
        t.await?;
        tr!("main sees {}", k_get(&k));
        Ok(())
    });
}

pub fn s119() {
    let lp = vloop();
    run_main(&lp, async {
        let k = std::sync::Arc::new(ContextVar::<String>::new()?);
        k.set("main".into())?;
        let kj = k.clone();
        spawn(async move {
            kj.set("job".into())?;
            let kr = kj.clone();
            tr!("worker read {}", to_thread(move || Ok(k_get(&kr))).await?);
            let kw = kj.clone();
            let set = to_thread(move || {
                kw.set("worker".into())?;
                Ok(k_get(&kw))
            })
            .await?;
            tr!("worker set {set}");
            tr!("job sees {}", k_get(&kj));
            Ok(())
        })
        .await?;
        tr!("main sees {}", k_get(&k));
        Ok(())
    });
}

pub fn s120() {
    let lp = vloop();
    run_main(&lp, async {
        let work = || -> Result<()> {
            let reset = Error::with_message(sys::AC_ECONNRESET, "peer reset");
            Err(Error::new(ErrorKind::Value, "bad reply").with_cause(reset))
        };
        if let Some(e) = catch(to_thread(work).await, ErrorKind::Value)? {
            tr!("main: {}: {}", code(&e), e.message());
            match e.cause() {
                Some(c) => tr!("main: cause {}: {}", code(c), c.message()),
                None => tr!("main: cause none"),
            }
        }
        Ok(())
    });
}

// ---- 121-124 timers and handles ----

pub fn s121() {
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        l.call_later(1.0, || trt!("A: call_later(1)"))?;
        l.call_at(1.0, || trt!("B: call_at(1)"))?;
        let dropped = l.call_later(0.5, || trt!("never printed"))?;
        l.call_at(2.0, || trt!("C: call_at(2)"))?;
        l.call_later(2.0, || trt!("D: call_later(2)"))?;
        dropped.cancel();
        trt!("main: dropped cancelled={}", b(dropped.cancelled()));
        sleep(3.0).await?;
        trt!("main: done");
        Ok(())
    });
}

pub fn s122() {
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        l.call_later(0.0, || tr!("timer: call_later(0)"))?;
        l.call_soon(|| tr!("soon 1"))?;
        l.call_soon(|| tr!("soon 2"))?;
        sleep(0.0).await?;
        tr!("main: after sleep(0)");
        sleep(0.0).await?;
        tr!("main: after second sleep(0)");
        Ok(())
    });
}

fn when_ms(h: &asyncore::CallbackHandle) -> String {
    h.when().map_or_else(|| "none".into(), |w| ((w * 1000.0).round() as i64).to_string())
}

pub fn s123() {
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        let zero = l.call_later(0.0, || trt!("zero"))?;
        let neg = l.call_later(-1.0, || trt!("negative"))?;
        let past = l.call_at(l.time() - 5.0, || trt!("past"))?;
        trt!("main: when {}, {}, {}", when_ms(&zero), when_ms(&neg), when_ms(&past));
        sleep(1.0).await?;
        trt!("main: done");
        Ok(())
    });
}

pub fn s124() {
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        let soon = l.call_soon(|| trt!("never printed"))?;
        let later = l.call_later(1.5, || trt!("never printed"))?;
        let kept = l.call_later(2.5, || trt!("kept: ran"))?;
        trt!("main: cancelled={}, when={}, {}", b(soon.cancelled()), when_ms(&later), when_ms(&kept));
        soon.cancel();
        later.cancel();
        later.cancel();
        trt!("main: cancelled={}, {}, {}", b(soon.cancelled()), b(later.cancelled()), b(kept.cancelled()));
        sleep(3.0).await?;
        trt!("main: done");
        Ok(())
    });
}

// ---- 125-126 eager tasks ----

pub fn s125() {
    let lp = vloop();
    run_main(&lp, async {
        let t = spawn_eager(async {
            tr!("E: runs");
            Ok(5i64)
        });
        tr!("main: created, done={}", b(t.done()));
        t.add_done_callback(|| tr!("E: callback"))?;
        tr!("main: awaited {}", t.await?);
        sleep(0.0).await?;
        tr!("main: after sleep(0)");
        Ok(())
    });
}

pub fn s126() {
    let lp = vloop();
    run_main(&lp, async {
        let k = Rc::new(ContextVar::<String>::new()?);
        let me = current_task().expect("in a task");
        k.set("main".into())?;
        let (ke, main_task) = (k.clone(), me.clone());
        let t = spawn_eager(async move {
            let me = current_task().expect("in a task");
            tr!("E: first step, is main={}, sees {}", b(me == main_task), k_get(&ke));
            ke.set("eager".into())?;
            sleep(0.0).await?;
            tr!("E: second step, sees {}", k_get(&ke));
            Ok(())
        });
        tr!("main: created, current is main={}, sees {}", b(current_task() == Some(me)), k_get(&k));
        t.await?;
        tr!("main: done");
        Ok(())
    });
}

// ---- 127-130 ----

pub fn s127() {
    let lp = vloop();
    run_main(&lp, async {
        let f = LoopFuture::<()>::new()?;
        let fc = f.clone();
        f.add_done_callback(move || tr!("callback: cancelled={}", b(fc.cancelled())))?;
        tr!("cancel -> {}", b(f.cancel(Some("first"))));
        tr!("cancel again -> {}", b(f.cancel(Some("second"))));
        tr!("done={} cancelled={}", b(f.done()), b(f.cancelled()));
        if let Some(e) = catch(f.result(), ErrorKind::Cancelled)? {
            tr!("result(): {}", describe(&e));
        }
        let g = LoopFuture::<i64>::new()?;
        g.set_result(4)?;
        let cancelled = b(g.cancel(None));
        tr!("cancel a done future -> {cancelled}; result={}", g.result()?);
        sleep(0.0).await
    });
}

pub fn s128() {
    async fn waiter(name: &'static str, t: JoinHandle<String>) -> Result<()> {
        trt!("{name}: got {}", t.await?);
        Ok(())
    }
    let lp = vloop();
    run_main(&lp, async {
        let t = spawn(async {
            sleep(1.0).await?;
            Ok("w".to_string())
        });
        t.add_done_callback(|| trt!("cb1"))?;
        let w = spawn(waiter("W", t.clone()));
        sleep(0.5).await?;
        t.add_done_callback(|| trt!("cb2"))?;
        trt!("main: got {}", t.clone().await?);
        w.await
    });
}

pub fn s129() {
    async fn child(delay: f64) -> Result<Option<Task>> {
        sleep(delay).await?;
        Ok(current_task())
    }
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        let me = current_task().expect("in a task");
        l.call_soon(|| trt!("callback: current is None={}", b(current_task().is_none())))?;
        let a = spawn(child(1.0));
        let bb = spawn(child(2.0));
        let tasks = all_tasks();
        trt!("main: all_tasks={}, main in it={}", tasks.len(), b(tasks.contains(&me)));
        let saw = a.clone().await?;
        trt!("main: A saw itself={}", b(saw.is_some_and(|t| a == t)));
        trt!("main: all_tasks={}", all_tasks().len());
        bb.await?;
        trt!("main: all_tasks={}, current is main={}", all_tasks().len(), b(current_task() == Some(me)));
        Ok(())
    });
}

pub fn s130() {
    fn bad(what: &str) -> Result<()> {
        Err(Error::new(ErrorKind::Value, format!("{what} failed")))
    }
    let lp = vloop();
    let l = lp.clone();
    run_main(&lp, async move {
        l.set_exception_handler_ctx(|ctx| {
            tr!(
                "handler: keys={}; error={}",
                keys(ctx),
                ctx.exception.as_ref().map_or_else(|| "none".into(), describe)
            );
        })?;
        l.call_soon(|| bad("callback"))?;
        l.call_soon(|| tr!("next callback runs"))?;
        let f = LoopFuture::<()>::new()?;
        f.add_done_callback(|| bad("done-callback"))?;
        f.add_done_callback(|| tr!("next done-callback runs"))?;
        f.set_result(())?;
        sleep(0.0).await?;
        tr!("main: done");
        Ok(())
    });
}

// ---- 131 run() finishes the iteration in which main completes ----

pub fn s131() {
    let lp = vloop();
    let r = lp.run_main(async {
        spawn(async {
            trt!("other: started");
            let r = sleep(1.0).await;
            if r.is_err() {
                trt!("other: cancelled");
            }
            r
        });
        trt!("main: done");
        Ok(3i64)
    });
    match r {
        Ok(v) => tr!("run returned {v}"),
        Err(e) => tr!("main failed: {}", e.name()),
    }
}

// ---- 180 to_thread work holds the virtual clock ----

pub fn s180() {
    let lp = vloop();
    run_main(&lp, async {
        let sleeper = spawn(async {
            trt!("sleeper: sleeping 10");
            sleep(10.0).await?;
            trt!("sleeper: woke");
            Ok(())
        });
        sleep(0.0).await?;
        let r = to_thread(|| {
            // Real work, in real time: the virtual clock waits for it.
            std::thread::sleep(std::time::Duration::from_millis(20));
            Ok(7i64)
        })
        .await?;
        trt!("main: job gave {r}");
        sleeper.await?;
        trt!("main: done");
        Ok(())
    });
}
