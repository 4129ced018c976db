//! Waiting on several tasks at once: gather, wait_for, shield, wait,
//! as_completed (asyncio's), over the library's combinators.
//!
//! Rust futures passed in are spawned as tasks first (asyncio wraps
//! coroutines in tasks the same way); results are moved out of the tasks
//! themselves, so a value of any type comes back exactly once.

use std::future::Future;
use std::pin::Pin;
use std::ptr;
use std::task::{Context, Poll};

use asyncore_sys as sys;

use crate::awaiting::{outcome, Await};
use crate::error::{check, Error, Result};
use crate::runtime::current_loop_raw;
use crate::task::{try_spawn, JoinHandle};

/// A loop future that combinators can watch.
pub trait Waitable {
    /// The raw future (borrowed).
    fn raw_future(&self) -> *mut sys::ac_future;
}

impl<T: 'static> Waitable for JoinHandle<T> {
    fn raw_future(&self) -> *mut sys::ac_future {
        unsafe { sys::ac_task_future(self.as_raw()) }
    }
}

impl<T: 'static> Waitable for crate::LoopFuture<T> {
    fn raw_future(&self) -> *mut sys::ac_future {
        self.as_raw()
    }
}

fn spawn_all<I, F, T>(futures: I) -> Result<Vec<JoinHandle<T>>>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    futures.into_iter().map(try_spawn).collect()
}

fn failed_or<T>(r: Result<T>) -> (Option<T>, Option<Error>) {
    match r {
        Ok(v) => (Some(v), None),
        Err(e) => (None, Some(e)),
    }
}

/// The outcome of the combinator future `f` once done: Ok(()) for a
/// result, else its error.
unsafe fn combined(f: *mut sys::ac_future) -> Result<()> {
    match sys::ac_future_state_of(f) as u32 {
        sys::AC_FUTURE_RESULT => Ok(()),
        _ => Err(Error::from_raw(sys::ac_future_error(f))),
    }
}

// ---- gather ----

/// Runs every future as a task of the current loop (spawned now, in order)
/// and resolves to their results in the same order (asyncio.gather).
///
/// The first failure is returned as soon as it happens; the other tasks
/// keep running. Cancelling the task that awaits the gather cancels every
/// task not yet done.
pub fn gather<I, F, T>(futures: I) -> Gather<T>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    Gather::new(spawn_all(futures), 0)
}

/// As [`gather`] with `return_exceptions=True`: waits for every task and
/// gives each one's outcome, errors and cancellations included.
pub fn gather_settled<I, F, T>(futures: I) -> GatherSettled<T>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    GatherSettled(Gather::new(spawn_all(futures), sys::AC_GATHER_RETURN_EXCEPTIONS))
}

/// The future of [`gather`].
pub struct Gather<T> {
    handles: Vec<JoinHandle<T>>,
    aw: Option<Await>,
    failed: Option<Error>,
}

impl<T: 'static> Gather<T> {
    fn new(handles: Result<Vec<JoinHandle<T>>>, flags: u32) -> Self {
        let (handles, failed) = failed_or(handles);
        let handles = handles.unwrap_or_default();
        let mut g = Gather { handles, aw: None, failed };
        if g.failed.is_none() {
            match Self::combine(&g.handles, flags) {
                Ok(aw) => g.aw = Some(aw),
                Err(e) => g.failed = Some(e),
            }
        }
        g
    }

    fn combine(handles: &[JoinHandle<T>], flags: u32) -> Result<Await> {
        let raw = current_loop_raw()?;
        let items: Vec<*mut sys::ac_future> = handles.iter().map(|h| h.raw_future()).collect();
        let mut out = ptr::null_mut();
        check(unsafe { sys::ac_gather(raw, items.as_ptr(), items.len(), flags, &mut out) })?;
        Ok(unsafe { Await::from_owned(out) })
    }

    fn poll_done(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        if let Some(e) = self.failed.take() {
            return Poll::Ready(Err(e));
        }
        let aw = self.aw.as_mut().expect("gather polled after completion");
        aw.poll(cx).map(|r| r.and_then(|()| unsafe { combined(aw.raw()) }))
    }
}

impl<T> Unpin for Gather<T> {}

impl<T: 'static> Future for Gather<T> {
    type Output = Result<Vec<T>>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Vec<T>>> {
        let r = std::task::ready!(self.poll_done(cx));
        let handles = std::mem::take(&mut self.handles);
        self.aw = None;
        Poll::Ready(r.and_then(|()| handles.into_iter().map(|mut h| h.try_result().unwrap()).collect()))
    }
}

/// The future of [`gather_settled`].
pub struct GatherSettled<T>(Gather<T>);

impl<T: 'static> Future for GatherSettled<T> {
    type Output = Result<Vec<Result<T>>>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let g = &mut self.0;
        let r = std::task::ready!(g.poll_done(cx));
        let handles = std::mem::take(&mut g.handles);
        g.aw = None;
        Poll::Ready(r.map(|()| handles.into_iter().map(|mut h| h.try_result().unwrap()).collect()))
    }
}

// ---- wait_for / shield: one task, one watcher ----

/// A task plus the library future watching it; resolves to the task's
/// outcome when the watcher completes with a result.
pub struct Watched<T> {
    handle: Option<JoinHandle<T>>,
    aw: Option<Await>,
    failed: Option<Error>,
}

impl<T> Unpin for Watched<T> {}

impl<T: 'static> Watched<T> {
    fn new<F>(fut: F, watch: impl FnOnce(*mut sys::ac_loop, *mut sys::ac_future, *mut *mut sys::ac_future) -> i32) -> Self
    where
        F: Future<Output = Result<T>> + 'static,
    {
        let made = try_spawn(fut).and_then(|h| {
            let raw = current_loop_raw()?;
            let mut out = ptr::null_mut();
            check(watch(raw, h.raw_future(), &mut out))?;
            Ok((h, unsafe { Await::from_owned(out) }))
        });
        match made {
            Ok((h, aw)) => Watched { handle: Some(h), aw: Some(aw), failed: None },
            Err(e) => Watched { handle: None, aw: None, failed: Some(e) },
        }
    }
}

impl<T: 'static> Future for Watched<T> {
    type Output = Result<T>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        if let Some(e) = self.failed.take() {
            return Poll::Ready(Err(e));
        }
        let aw = self.aw.as_mut().expect("polled after completion");
        if let Err(e) = std::task::ready!(aw.poll(cx)) {
            self.aw = None;
            self.handle = None;
            return Poll::Ready(Err(e));
        }
        let f = aw.raw();
        let r = unsafe {
            if sys::ac_future_state_of(f) as u32 == sys::AC_FUTURE_RESULT {
                // The watcher copied the outcome; the value itself is moved
                // out of the task, which owns it.
                let h = self.handle.as_mut().unwrap();
                if h.is_finished() {
                    outcome::<T>(h.raw_future())
                } else {
                    outcome::<T>(f)
                }
            } else {
                Err(Error::from_raw(sys::ac_future_error(f)))
            }
        };
        self.aw = None;
        self.handle = None;
        Poll::Ready(r)
    }
}

/// Runs `fut` as a task with a deadline of `timeout` seconds
/// (asyncio.wait_for): on time, its outcome; else the task is cancelled,
/// its cleanup runs, and the result is `Err(Error::Timeout)`.
pub fn wait_for<F, T>(timeout: f64, fut: F) -> Watched<T>
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    Watched::new(fut, |l, f, out| unsafe { sys::ac_wait_for(l, f, timeout, out) })
}

/// Runs `fut` as a task that cancelling the awaiter does not cancel
/// (asyncio.shield): the awaiter gets `Err(Cancelled)`, the work goes on.
pub fn shield<F, T>(fut: F) -> Watched<T>
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    Watched::new(fut, |l, f, out| unsafe { sys::ac_shield(l, f, out) })
}

// ---- wait ----

/// When [`wait`] completes (asyncio's FIRST_COMPLETED ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitMode {
    AllCompleted,
    FirstCompleted,
    FirstException,
}

/// Which of the futures given to [`wait`] are done, and which pending
/// (indices into the slice, in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitSets {
    pub done: Vec<usize>,
    pub pending: Vec<usize>,
}

/// Waits until `mode` is satisfied or `timeout` seconds pass (None: no
/// limit), without cancelling anything (asyncio.wait).
pub fn wait(items: &[&dyn Waitable], mode: WaitMode, timeout: Option<f64>) -> Wait {
    let raws: Vec<*mut sys::ac_future> = items.iter().map(|w| w.raw_future()).collect();
    let mode = match mode {
        WaitMode::AllCompleted => sys::AC_WAIT_ALL_COMPLETED,
        WaitMode::FirstCompleted => sys::AC_WAIT_FIRST_COMPLETED,
        WaitMode::FirstException => sys::AC_WAIT_FIRST_EXCEPTION,
    } as i32;
    let made = current_loop_raw().and_then(|raw| {
        let mut out = ptr::null_mut();
        check(unsafe {
            sys::ac_wait(raw, raws.as_ptr(), raws.len(), mode, timeout.unwrap_or(f64::INFINITY), &mut out)
        })?;
        Ok(unsafe { Await::from_owned(out) })
    });
    let (aw, failed) = failed_or(made);
    Wait { raws, aw, failed }
}

/// The future of [`wait`].
pub struct Wait {
    raws: Vec<*mut sys::ac_future>,
    aw: Option<Await>,
    failed: Option<Error>,
}

impl Unpin for Wait {}

impl Future for Wait {
    type Output = Result<WaitSets>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<WaitSets>> {
        if let Some(e) = self.failed.take() {
            return Poll::Ready(Err(e));
        }
        let aw = self.aw.as_mut().expect("polled after completion");
        if let Err(e) = std::task::ready!(aw.poll(cx)) {
            self.aw = None;
            return Poll::Ready(Err(e));
        }
        let w = aw.raw();
        let r = unsafe { combined(w) }.and_then(|()| unsafe {
            let index = |f: *mut sys::ac_future| self.raws.iter().position(|&r| r == f).unwrap_or(usize::MAX);
            let nd = check(sys::ac_wait_done_count(w))? as usize;
            let np = check(sys::ac_wait_pending_count(w))? as usize;
            Ok(WaitSets {
                done: (0..nd).map(|i| index(sys::ac_wait_done_at(w, i))).collect(),
                pending: (0..np).map(|i| index(sys::ac_wait_pending_at(w, i))).collect(),
            })
        });
        self.aw = None;
        Poll::Ready(r)
    }
}

// ---- as_completed ----

/// The tasks' outcomes in the order they finish (asyncio.as_completed):
/// `next().await` gives `Some((index, outcome))` until every task was
/// reported, then None; after `timeout` the tasks not finished give
/// `(usize::MAX, Err(Error::Timeout))`.
pub struct AsCompleted<T> {
    handles: Vec<JoinHandle<T>>,
    raw: *mut sys::ac_as_completed,
}

/// Spawns the futures as tasks and reports them as they finish.
pub fn as_completed<I, F, T>(futures: I, timeout: Option<f64>) -> Result<AsCompleted<T>>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    let handles = spawn_all(futures)?;
    let raws: Vec<*mut sys::ac_future> = handles.iter().map(|h| h.raw_future()).collect();
    let mut raw = ptr::null_mut();
    check(unsafe {
        sys::ac_as_completed_new(
            current_loop_raw()?,
            raws.as_ptr(),
            raws.len(),
            timeout.unwrap_or(f64::INFINITY),
            &mut raw,
        )
    })?;
    Ok(AsCompleted { handles, raw })
}

impl<T: 'static> AsCompleted<T> {
    /// The next task to finish: its index and outcome; None when all were
    /// reported.
    pub async fn next(&mut self) -> Option<(usize, Result<T>)> {
        let mut f = ptr::null_mut();
        match unsafe { sys::ac_as_completed_next(self.raw, &mut f) } {
            1 => {}
            0 => return None,
            rc => return Some((usize::MAX, Err(Error::from_code(rc)))),
        }
        let mut aw = unsafe { Await::from_owned(f) };
        if let Err(e) = std::future::poll_fn(|cx| aw.poll(cx)).await {
            return Some((usize::MAX, Err(e)));
        }
        let index = unsafe { sys::ac_as_completed_index(aw.raw()) };
        if index < 0 {
            return Some((usize::MAX, unsafe { combined(aw.raw()) }.and(Err(Error::from_code(sys::AC_ETIMEDOUT)))));
        }
        let i = index as usize;
        Some((i, unsafe { outcome::<T>(self.handles[i].raw_future()) }))
    }
}

impl<T> Drop for AsCompleted<T> {
    fn drop(&mut self) {
        unsafe { sys::ac_as_completed_unref(self.raw) };
    }
}
