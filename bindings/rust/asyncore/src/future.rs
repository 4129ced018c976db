//! Loop futures made from Rust (asyncio.Future), and sleep.

use std::ffi::CString;
use std::future::Future;
use std::marker::PhantomData;
use std::os::raw::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr;
use std::task::{Context, Poll};

use asyncore_sys as sys;

use crate::awaiting::{copied_outcome, exception_now, result_now, Await};
use crate::time::IntoDelay;
use crate::error::{check, check_count, Error, Result};
use crate::runtime::{current_loop_raw, run_callback, CallbackResult, Loop, LoopScope};
use crate::task::{yield_now, YieldNow};
use crate::value::OutValue;

/// A loop future (asyncio.Future) carrying a `T`: completed once with a
/// value, an error or a cancellation; awaiting it gives the outcome (the
/// value moves out to the first awaiter). Clones share the same future.
pub struct LoopFuture<T> {
    aw: Await,
    _t: PhantomData<fn() -> T>,
}

impl<T: 'static> LoopFuture<T> {
    /// A pending future on the current loop.
    pub fn new() -> Result<Self> {
        Self::new_on_raw(current_loop_raw()?)
    }

    /// A pending future on `lp`.
    pub fn new_in(lp: &Loop) -> Result<Self> {
        Self::new_on_raw(lp.as_raw())
    }

    fn new_on_raw(raw: *mut sys::ac_loop) -> Result<Self> {
        let mut f = ptr::null_mut();
        check(unsafe { sys::ac_future_new(raw, &mut f) })?;
        Ok(unsafe { Self::from_owned(f) })
    }

    /// Wraps a future, taking over one reference.
    ///
    /// # Safety
    /// `f` is live; its result, if any, is a `T` (see the value module).
    pub unsafe fn from_owned(f: *mut sys::ac_future) -> Self {
        LoopFuture { aw: Await::from_owned(f), _t: PhantomData }
    }

    /// The raw future (borrowed).
    pub fn as_raw(&self) -> *mut sys::ac_future {
        self.aw.raw()
    }

    /// Completes with a value; `Err(Usage)` if already done.
    pub fn set_result(&self, v: T) -> Result<()> {
        let out = OutValue::new(v);
        check(unsafe { sys::ac_future_set_result(self.as_raw(), &out.raw) })?;
        out.stored();
        Ok(())
    }

    /// Completes with an error (use [`LoopFuture::cancel`] to cancel).
    pub fn set_error(&self, e: &Error) -> Result<()> {
        let raw = e.to_raw();
        if raw.is_null() {
            return Err(Error::from_code(sys::AC_ENOMEM));
        }
        let rc = unsafe { sys::ac_future_set_error(self.as_raw(), raw) };
        unsafe { sys::ac_error_unref(raw) };
        check(rc).map(|_| ())
    }

    /// Cancels a pending future; true if cancelled now.
    pub fn cancel(&self, message: Option<&str>) -> bool {
        let c = message.map(|m| CString::new(m.replace('\0', " ")).unwrap_or_default());
        unsafe { sys::ac_future_cancel(self.as_raw(), c.as_ref().map_or(ptr::null(), |c| c.as_ptr())) == 1 }
    }

    /// True once done.
    pub fn done(&self) -> bool {
        self.aw.is_done()
    }

    /// True if cancelled.
    pub fn cancelled(&self) -> bool {
        unsafe { sys::ac_future_cancelled(self.as_raw()) == 1 }
    }

    /// A copy of the outcome once done, leaving the result in place for
    /// other readers; None while pending. For the native kinds (`()`,
    /// `i64`, `f64`, `Vec<u8>`, `String`); another `T` gives `Err(Usage)`.
    pub fn peek_result(&self) -> Option<Result<T>> {
        self.done().then(|| unsafe { copied_outcome::<T>(self.as_raw()) })
    }

    /// The result without waiting (asyncio's `result()`): native values are
    /// copied, others move out; `Err(InvalidState)` while pending; the
    /// error or the cancellation once failed or cancelled.
    pub fn result(&self) -> Result<T> {
        unsafe { result_now::<T>(self.as_raw()) }
    }

    /// asyncio's `exception()`: `Ok(None)` after a result, `Ok(Some(e))`
    /// after an error, `Err(Cancelled)` once cancelled, `Err(InvalidState)`
    /// while pending.
    pub fn exception(&self) -> Result<Option<Error>> {
        unsafe { exception_now(self.as_raw()) }
    }

    /// Runs `f` once the future is done (asyncio's `add_done_callback`):
    /// through the loop, never inline, soon if it is already done; in the
    /// context current now. On the loop's thread. An error `f` returns (or
    /// a panic) goes to the loop's exception handler.
    pub fn add_done_callback<R: CallbackResult>(&self, f: impl FnOnce() -> R + 'static) -> Result<()> {
        add_done_callback_raw(self.as_raw(), f)
    }

    /// Adds the function `f` as a done-callback, called with this future
    /// (asyncio's `add_done_callback(fn)`); unlike a closure, it can be
    /// removed by [`LoopFuture::remove_done_callback`].
    pub fn add_done_callback_fn(&self, f: fn(&LoopFuture<T>)) -> Result<()> {
        check(unsafe {
            sys::ac_future_add_done_callback(self.as_raw(), Some(call_fn::<T>), f as *mut c_void, None)
        })
        .map(|_| ())
    }

    /// Removes every registration of `f` not yet scheduled (asyncio's
    /// `remove_done_callback`); returns how many were removed.
    pub fn remove_done_callback(&self, f: fn(&LoopFuture<T>)) -> Result<usize> {
        check_count(unsafe { sys::ac_future_remove_done_callback(self.as_raw(), Some(call_fn::<T>), f as *mut c_void) })
    }

    /// A completer another thread may use to complete this future.
    pub fn completer(&self) -> Completer<T>
    where
        T: Send,
    {
        Completer { f: unsafe { sys::ac_future_ref(self.as_raw()) }, _t: PhantomData }
    }
}

/// The done-callback of [`LoopFuture::add_done_callback_fn`]: `ud` is the
/// function (one trampoline per `T`, so a registration is found again by
/// its function).
unsafe extern "C" fn call_fn<T: 'static>(fut: *mut sys::ac_future, ud: *mut c_void) {
    // SAFETY: ud is a `fn(&LoopFuture<T>)` (add_done_callback_fn).
    let f = std::mem::transmute::<*mut c_void, fn(&LoopFuture<T>)>(ud);
    let l = sys::ac_future_get_loop(fut);
    let _scope = LoopScope::enter(l);
    let me = LoopFuture::<T>::from_owned(sys::ac_future_ref(fut));
    run_callback(l, || {
        f(&me);
        Ok(())
    });
}

/// Adds a closure as a done-callback of `fut` (through the loop, never
/// inline); an error it returns or a panic goes to the exception handler.
pub(crate) fn add_done_callback_raw<R: CallbackResult>(
    fut: *mut sys::ac_future,
    f: impl FnOnce() -> R + 'static,
) -> Result<()> {
    type Callback = Option<Box<dyn FnOnce() -> Result<()>>>;
    unsafe extern "C" fn call(fut: *mut sys::ac_future, ud: *mut c_void) {
        let cb = &mut *(ud as *mut Callback);
        if let Some(f) = cb.take() {
            // The callback may use the current loop (time, spawn ...).
            let l = sys::ac_future_get_loop(fut);
            let _scope = LoopScope::enter(l);
            run_callback(l, f);
        }
    }
    unsafe extern "C" fn free(ud: *mut c_void) {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(ud as *mut Callback))));
    }
    let b: Box<dyn FnOnce() -> Result<()>> = Box::new(move || f().into_result());
    let ud = Box::into_raw(Box::new(Some(b))) as *mut c_void;
    // On failure free_ud already ran.
    check(unsafe { sys::ac_future_add_done_callback(fut, Some(call), ud, Some(free)) }).map(|_| ())
}

impl<T: 'static> Clone for LoopFuture<T> {
    fn clone(&self) -> Self {
        unsafe { Self::from_owned(sys::ac_future_ref(self.as_raw())) }
    }
}

impl<T: 'static> Future for LoopFuture<T> {
    type Output = Result<T>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let this = self.get_mut();
        unsafe { this.aw.poll_outcome::<T>(cx) }
    }
}

impl<T> Unpin for LoopFuture<T> {}

/// Completes a [`LoopFuture`] from any thread (ac_future_complete_threadsafe).
/// Dropped without completing, it cancels the future.
pub struct Completer<T: Send + 'static> {
    f: *mut sys::ac_future,
    _t: PhantomData<fn(T)>,
}

// SAFETY: the reference was taken on the loop's thread and is given up
// through the thread-safe completion, as the C contract requires.
unsafe impl<T: Send + 'static> Send for Completer<T> {}

impl<T: Send + 'static> Completer<T> {
    /// Completes the future with `r` (on its loop's thread, soon). `Err`
    /// (RuntimeError) when the loop is closed: the future stays pending.
    pub fn complete(mut self, r: Result<T>) -> Result<()> {
        self.finish(r)
    }

    fn finish(&mut self, r: Result<T>) -> Result<()> {
        let f = std::mem::replace(&mut self.f, ptr::null_mut());
        if f.is_null() {
            return Ok(());
        }
        // On failure the reference stays ours, and it may only be dropped
        // on the loop's thread: it is left to the loop (a closed loop
        // releases its objects with its thread).
        let rc = unsafe {
            match r {
                Ok(v) => {
                    let out = OutValue::new(v);
                    // The pointer's destructor is taken over in every case.
                    let rc = sys::ac_future_complete_threadsafe(f, 0, &out.raw, ptr::null());
                    out.stored();
                    rc
                }
                Err(e) => {
                    let msg = CString::new(e.message().replace('\0', " ")).unwrap_or_default();
                    sys::ac_future_complete_threadsafe(f, e.code(), ptr::null(), msg.as_ptr())
                }
            }
        };
        check(rc).map(|_| ())
    }
}

impl<T: Send + 'static> Drop for Completer<T> {
    fn drop(&mut self) {
        let _ = self.finish(Err(Error::cancelled("completer dropped")));
    }
}

/// Sleeps `delay` (a `Duration`, or seconds) on the current loop's clock (asyncio.sleep); 0 or
/// less yields one iteration. Cancelling the task cancels the sleep, which then gives
/// `Err(Error::Cancelled)`.
pub fn sleep(delay: impl IntoDelay) -> Sleep {
    let seconds = delay.seconds();
    // asyncio: a delay of 0 or less is sleep(0).
    Sleep { state: if seconds <= 0.0 { SleepState::Zero(yield_now()) } else { SleepState::Start(seconds) } }
}

/// The future of [`sleep`]; the timer starts at the first poll.
pub struct Sleep {
    state: SleepState,
}

/// Kept as small as a task's own state should be (one per sleeping task).
enum SleepState {
    /// Not polled yet: the duration.
    Start(f64),
    /// The library's sleep future.
    Wait(Await),
    /// sleep(0): the library's zero sleep is a future already done, which
    /// an await here would not suspend on; a bare yield is what it means.
    Zero(YieldNow),
}

impl Future for Sleep {
    type Output = Result<()>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        if let SleepState::Start(seconds) = self.state {
            let raw = match current_loop_raw() {
                Ok(r) => r,
                Err(e) => return Poll::Ready(Err(e)),
            };
            let mut f = ptr::null_mut();
            if let Err(e) = check(unsafe { sys::ac_sleep(raw, seconds, &mut f) }) {
                return Poll::Ready(Err(e));
            }
            self.state = SleepState::Wait(unsafe { Await::owning_operation(f) });
        }
        match &mut self.state {
            SleepState::Wait(aw) => unsafe { aw.poll_outcome::<()>(cx) },
            SleepState::Zero(y) => Pin::new(y).poll(cx),
            SleepState::Start(_) => unreachable!(),
        }
    }
}
