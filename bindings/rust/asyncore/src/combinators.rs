//! Waiting on several tasks at once: gather, wait_for, shield, wait,
//! as_completed (asyncio's), over the library's combinators.
//!
//! What they are given is asyncio's "awaitable": a loop future (a
//! [`JoinHandle`], a [`LoopFuture`], a shield) is used itself; any other
//! Rust future is spawned as a task first (asyncio wraps coroutines in tasks
//! the same way), except by [`wait_for`], which runs it inside the caller's
//! task as asyncio 3.12 does. Results are read from the futures
//! themselves: native values are copied (every reader gets them), other
//! values move out to the first reader.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::ptr;
use std::task::{Context, Poll};

use asyncore_sys as sys;

use crate::awaiting::{outcome, Await, FutRef};
use crate::time::IntoDelay;
use crate::error::{check, check_count, Error, Result};
use crate::future::LoopFuture;
use crate::runtime::current_loop_raw;
use crate::task::{try_spawn, JoinHandle};
use crate::timeout::Timeout;

/// A loop future that combinators can watch.
pub trait Waitable {
    /// The raw future (borrowed).
    fn raw_future(&self) -> *mut sys::ac_future;
}

impl<T: 'static> Waitable for JoinHandle<T> {
    fn raw_future(&self) -> *mut sys::ac_future {
        crate::task::task_future(self.as_raw())
    }
}

impl<T: 'static> Waitable for LoopFuture<T> {
    fn raw_future(&self) -> *mut sys::ac_future {
        self.as_raw()
    }
}

impl<T: 'static> Waitable for Watched<T> {
    fn raw_future(&self) -> *mut sys::ac_future {
        self.aw.as_ref().map_or(ptr::null_mut(), Await::raw)
    }
}

impl<T: 'static> Waitable for Gather<T> {
    fn raw_future(&self) -> *mut sys::ac_future {
        self.aw.as_ref().map_or(ptr::null_mut(), Await::raw)
    }
}

/// The loop future `f` is, when it is one of this crate's loop futures of
/// `T` (a JoinHandle, a LoopFuture, a shield): asyncio's "a Future, not a
/// coroutine".
pub(crate) fn loop_future_of<F: 'static, T: 'static>(f: &F) -> Option<*mut sys::ac_future> {
    let any = f as &dyn Any;
    if let Some(h) = any.downcast_ref::<JoinHandle<T>>() {
        return Some(h.raw_future());
    }
    if let Some(h) = any.downcast_ref::<LoopFuture<T>>() {
        return Some(h.as_raw());
    }
    if let Some(h) = any.downcast_ref::<Watched<T>>() {
        return h.aw.as_ref().map(Await::raw);
    }
    None
}

/// asyncio's ensure_future: the loop future `f` is, or a task running it.
fn ensure_future<F, T>(f: F) -> Result<FutRef>
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    if let Some(raw) = loop_future_of::<F, T>(&f) {
        // SAFETY: `f` holds the future alive until the new reference is taken.
        return Ok(unsafe { FutRef::new_ref(raw) });
    }
    let h = try_spawn(f)?;
    Ok(unsafe { FutRef::new_ref(h.raw_future()) })
}

fn ensure_all<I, F, T>(futures: I) -> Result<Vec<FutRef>>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    futures.into_iter().map(ensure_future).collect()
}

/// The outcome of the combinator future `f` once done: Ok(()) for a
/// result, else its error.
unsafe fn combined(f: *mut sys::ac_future) -> Result<()> {
    match sys::ac_future_state_of(f) as u32 {
        sys::AC_FUTURE_RESULT => Ok(()),
        _ => Err(Error::from_raw(sys::ac_future_error(f))),
    }
}

fn cancel_raw(f: *mut sys::ac_future, message: Option<&str>) -> bool {
    let c = message.map(|m| std::ffi::CString::new(m.replace('\0', " ")).unwrap_or_default());
    !f.is_null() && unsafe { sys::ac_future_cancel(f, c.as_ref().map_or(ptr::null(), |c| c.as_ptr())) } == 1
}

// ---- gather ----

/// Gathers the futures' results in argument order (asyncio.gather): a
/// task, a loop future or a shield is waited for itself (the same task may
/// be given twice); any other future is spawned as a task of the current
/// loop now, in order.
///
/// The first failure is returned as soon as it happens; the other tasks
/// keep running. A child cancelled alone fails the gather with a
/// cancellation error (the gather itself is not cancelled); cancelling the
/// gather ([`Gather::cancel`], or cancelling the task that awaits it)
/// cancels every child not yet done. The gather is made at once: a gather
/// of children already done is done when made.
pub fn gather<I, F, T>(futures: I) -> Gather<T>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    Gather::new(ensure_all(futures), 0)
}

/// As [`gather`] with `return_exceptions=True`: waits for every child and
/// gives each one's outcome, errors and cancellations included.
pub fn gather_settled<I, F, T>(futures: I) -> GatherSettled<T>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    GatherSettled(Gather::new(ensure_all(futures), sys::AC_GATHER_RETURN_EXCEPTIONS))
}

/// The future of [`gather`] (asyncio's gathering future).
pub struct Gather<T> {
    items: Vec<FutRef>,
    aw: Option<Await>,
    failed: Option<Error>,
    _t: PhantomData<fn() -> T>,
}

impl<T: 'static> Gather<T> {
    fn new(items: Result<Vec<FutRef>>, flags: u32) -> Self {
        let mut g = Gather { items: Vec::new(), aw: None, failed: None, _t: PhantomData };
        match items.and_then(|items| Self::combine(&items, flags).map(|aw| (items, aw))) {
            Ok((items, aw)) => {
                g.items = items;
                g.aw = Some(aw);
            }
            Err(e) => g.failed = Some(e),
        }
        g
    }

    fn combine(items: &[FutRef], flags: u32) -> Result<Await> {
        let raw = current_loop_raw()?;
        let raws: Vec<*mut sys::ac_future> = items.iter().map(FutRef::raw).collect();
        let mut out = ptr::null_mut();
        check(unsafe { sys::ac_gather(raw, raws.as_ptr(), raws.len(), flags, &mut out) })?;
        Ok(unsafe { Await::from_owned(out) })
    }

    fn raw(&self) -> *mut sys::ac_future {
        self.aw.as_ref().map_or(ptr::null_mut(), Await::raw)
    }

    /// True once done (asyncio's `done()`).
    pub fn done(&self) -> bool {
        let f = self.raw();
        f.is_null() || unsafe { sys::ac_future_done(f) } == 1
    }

    /// True if the gather itself was cancelled.
    pub fn cancelled(&self) -> bool {
        let f = self.raw();
        !f.is_null() && unsafe { sys::ac_future_cancelled(f) } == 1
    }

    /// Cancels the gather: every child not yet done is cancelled (once per
    /// argument); true if the request was made.
    pub fn cancel(&self) -> bool {
        cancel_raw(self.raw(), None)
    }

    /// As [`Gather::cancel`], with a message.
    pub fn cancel_with(&self, message: &str) -> bool {
        cancel_raw(self.raw(), Some(message))
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
        let items = std::mem::take(&mut self.items);
        Poll::Ready(r.and_then(|()| items.iter().map(|f| unsafe { outcome::<T>(f.raw()) }).collect()))
    }
}

/// The future of [`gather_settled`].
pub struct GatherSettled<T>(Gather<T>);

impl<T: 'static> GatherSettled<T> {
    /// True once done.
    pub fn done(&self) -> bool {
        self.0.done()
    }
    /// True if the gather itself was cancelled.
    pub fn cancelled(&self) -> bool {
        self.0.cancelled()
    }
    /// Cancels the gather and its children not yet done.
    pub fn cancel(&self) -> bool {
        self.0.cancel()
    }
}

impl<T: 'static> Future for GatherSettled<T> {
    type Output = Result<Vec<Result<T>>>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let g = &mut self.0;
        let r = std::task::ready!(g.poll_done(cx));
        let items = std::mem::take(&mut g.items);
        Poll::Ready(r.map(|()| items.iter().map(|f| unsafe { outcome::<T>(f.raw()) }).collect()))
    }
}

// ---- shield ----

/// The future of [`shield`]: mirrors the shielded future, except that
/// cancelling it (or the task awaiting it) does not cancel that one.
pub struct Watched<T> {
    inner: Option<FutRef>,
    aw: Option<Await>,
    failed: Option<Error>,
    _t: PhantomData<fn() -> T>,
}

impl<T> Unpin for Watched<T> {}

impl<T: 'static> Clone for Watched<T> {
    /// The same shield (asyncio shares the future object).
    fn clone(&self) -> Self {
        Watched {
            inner: self.inner.as_ref().map(|f| unsafe { FutRef::new_ref(f.raw()) }),
            aw: self.aw.as_ref().map(|a| unsafe { Await::from_owned(sys::ac_future_ref(a.raw())) }),
            failed: self.failed.clone(),
            _t: PhantomData,
        }
    }
}

impl<T: 'static> Watched<T> {
    /// True once done.
    pub fn done(&self) -> bool {
        self.aw.as_ref().is_none_or(Await::is_done)
    }

    /// True if the shield itself was cancelled.
    pub fn cancelled(&self) -> bool {
        self.aw.as_ref().is_some_and(|a| unsafe { sys::ac_future_cancelled(a.raw()) } == 1)
    }

    /// Cancels the shield (not what it guards); true if cancelled now.
    pub fn cancel(&self) -> bool {
        cancel_raw(self.aw.as_ref().map_or(ptr::null_mut(), Await::raw), None)
    }
}

impl<T: 'static> Future for Watched<T> {
    type Output = Result<T>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        if let Some(e) = self.failed.take() {
            return Poll::Ready(Err(e));
        }
        let aw = self.aw.as_mut().expect("polled after completion");
        std::task::ready!(aw.poll(cx))?;
        let f = aw.raw();
        let r = unsafe {
            if sys::ac_future_state_of(f) as u32 == sys::AC_FUTURE_RESULT {
                // The shield copied the outcome; a value of another type
                // is moved out of the future it guards, which owns it.
                match &self.inner {
                    Some(inner) if sys::ac_future_done(inner.raw()) == 1 => outcome::<T>(inner.raw()),
                    _ => outcome::<T>(f),
                }
            } else {
                Err(Error::from_raw(sys::ac_future_error(f)))
            }
        };
        Poll::Ready(r)
    }
}

/// asyncio.shield: a future that mirrors `fut`, except that cancelling it
/// (or the task awaiting it) does not cancel `fut`: the awaiter gets
/// `Err(Cancelled)`, the work goes on. A task or loop future is shielded
/// itself; any other future runs as a new task.
pub fn shield<F, T>(fut: F) -> Watched<T>
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    let made = ensure_future(fut).and_then(|inner| {
        let raw = current_loop_raw()?;
        let mut out = ptr::null_mut();
        check(unsafe { sys::ac_shield(raw, inner.raw(), &mut out) })?;
        Ok((inner, unsafe { Await::from_owned(out) }))
    });
    match made {
        Ok((inner, aw)) => Watched { inner: Some(inner), aw: Some(aw), failed: None, _t: PhantomData },
        Err(e) => Watched { inner: None, aw: None, failed: Some(e), _t: PhantomData },
    }
}

// ---- wait_for ----

/// asyncio.wait_for (3.12): waits for `fut` at most `timeout` seconds.
///
/// * A Rust future runs inside the calling task, under a timeout scope
///   (no new task): when the deadline passes its await in progress is
///   cancelled, and once it has finished the result is
///   `Err(Error::Timeout)` whose cause is the cancellation. If it swallows
///   the cancellation and finishes, its outcome is given.
/// * A task or loop future is awaited under the same scope, so its
///   cancellation reaches it; one already done gives its outcome without
///   suspending.
/// * `timeout <= 0`: a Rust future never starts (`Err(Timeout)` at once); a
///   task or loop future not yet done is cancelled and waited for, then
///   gives `Err(Timeout)` if it ended cancelled (else its outcome).
pub fn wait_for<F, T>(timeout: impl IntoDelay, fut: F) -> WaitFor<F, T>
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    let timeout = timeout.seconds();
    WaitFor { inner: Timeout::lazy(timeout, fut), timeout, state: WaitForState::Start, _t: PhantomData }
}

enum WaitForState {
    Start,
    /// Under the timeout scope.
    Scoped,
    /// timeout <= 0 on a loop future: cancelled, waiting until it is done.
    Cancelling(Await),
    Done,
}

/// The future of [`wait_for`].
pub struct WaitFor<F, T> {
    inner: Timeout<F>,
    timeout: f64,
    state: WaitForState,
    _t: PhantomData<fn() -> T>,
}

impl<F, T> Future for WaitFor<F, T>
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    type Output = Result<T>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        // SAFETY: `inner` is never moved out; the rest is plain data.
        let this = unsafe { self.get_unchecked_mut() };
        if let WaitForState::Start = this.state {
            if this.timeout > 0.0 || this.timeout.is_nan() {
                this.state = WaitForState::Scoped;
            } else {
                match loop_future_of::<F, T>(this.inner.inner_ref()) {
                    None => {
                        // asyncio wraps the coroutine in a task and cancels
                        // it before its first step: it never starts.
                        this.state = WaitForState::Done;
                        return Poll::Ready(Err(Error::timeout().with_cause(Error::cancelled(""))));
                    }
                    Some(raw) => {
                        if unsafe { sys::ac_future_done(raw) } == 1 {
                            this.state = WaitForState::Done;
                            return Poll::Ready(unsafe { outcome::<T>(raw) });
                        }
                        cancel_raw(raw, None);
                        this.state = WaitForState::Cancelling(unsafe { Await::from_owned(sys::ac_future_ref(raw)) });
                    }
                }
            }
        }
        match &mut this.state {
            WaitForState::Scoped => {
                let r = std::task::ready!(unsafe { Pin::new_unchecked(&mut this.inner) }.poll(cx));
                this.state = WaitForState::Done;
                Poll::Ready(r)
            }
            WaitForState::Cancelling(aw) => {
                std::task::ready!(aw.poll(cx))?;
                let raw = aw.raw();
                let r = unsafe {
                    if sys::ac_future_cancelled(raw) == 1 {
                        Err(Error::timeout().with_cause(Error::from_raw(sys::ac_future_error(raw))))
                    } else {
                        outcome::<T>(raw)
                    }
                };
                this.state = WaitForState::Done;
                Poll::Ready(r)
            }
            _ => panic!("wait_for polled after completion"),
        }
    }
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
/// limit), without cancelling anything (asyncio.wait). A future given
/// twice counts once (under its first index).
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
    let (aw, failed) = match made {
        Ok(aw) => (Some(aw), None),
        Err(e) => (None, Some(e)),
    };
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
        // Each reported future's position among the inputs: a map when there
        // are many (a scan per future would make a wait over n inputs cost
        // n² here, and a JoinSet's join_next is such a wait).
        let positions: Option<HashMap<*mut sys::ac_future, usize>> = (self.raws.len() > 16)
            .then(|| self.raws.iter().enumerate().rev().map(|(i, &r)| (r, i)).collect());
        let r = unsafe { combined(w) }.and_then(|()| unsafe {
            let index = |f: *mut sys::ac_future| match &positions {
                Some(m) => m.get(&f).copied().unwrap_or(usize::MAX),
                None => self.raws.iter().position(|&r| r == f).unwrap_or(usize::MAX),
            };
            let nd = check_count(sys::ac_wait_done_count(w))?;
            let np = check_count(sys::ac_wait_pending_count(w))?;
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

/// The outcomes in the order they finish (asyncio.as_completed):
/// `next().await` gives `Some((index, outcome))` until every input was
/// reported, then None; after `timeout` the inputs not finished give
/// `(usize::MAX, Err(Error::Timeout))`. An input given twice is reported
/// once, under its first index.
pub struct AsCompleted<T> {
    items: Vec<FutRef>,
    raw: *mut sys::ac_as_completed,
    _t: PhantomData<fn() -> T>,
}

/// Reports the futures as they finish: tasks and loop futures are watched
/// themselves, other futures are spawned as tasks first.
pub fn as_completed<I, F, T>(futures: I, timeout: Option<f64>) -> Result<AsCompleted<T>>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    let items = ensure_all(futures)?;
    let raws: Vec<*mut sys::ac_future> = items.iter().map(FutRef::raw).collect();
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
    Ok(AsCompleted { items, raw, _t: PhantomData })
}

impl<T: 'static> AsCompleted<T> {
    /// The next input to finish: its index and outcome; None when all were
    /// reported.
    pub async fn next(&mut self) -> Option<(usize, Result<T>)> {
        let mut f = ptr::null_mut();
        match unsafe { sys::ac_as_completed_next(self.raw, &mut f) } {
            1 => {}
            0 => return None,
            rc => return Some((usize::MAX, Err(Error::from_call(rc)))),
        }
        let mut aw = unsafe { Await::from_owned(f) };
        if let Err(e) = std::future::poll_fn(|cx| aw.poll(cx)).await {
            return Some((usize::MAX, Err(e)));
        }
        let index = unsafe { sys::ac_as_completed_index(aw.raw()) };
        if index < 0 {
            return Some((usize::MAX, unsafe { combined(aw.raw()) }.and(Err(Error::timeout()))));
        }
        let i = index as usize;
        Some((i, unsafe { outcome::<T>(self.items[i].raw()) }))
    }
}

impl<T> Drop for AsCompleted<T> {
    fn drop(&mut self) {
        unsafe { sys::ac_as_completed_unref(self.raw) };
    }
}
