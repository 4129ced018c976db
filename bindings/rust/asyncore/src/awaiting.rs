//! Awaiting a loop future (`ac_future`) from Rust: the piece every
//! future-like type of this crate (JoinHandle, LoopFuture, Sleep, queue and
//! lock operations ...) is built on.

use std::ffi::CString;
use std::os::raw::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::task::{Context, Poll, Waker};

use asyncore_sys as sys;

use crate::error::{Error, Result};
use crate::task::{current_step, polling_or_dropping_header};
use crate::value;

/// One reference to an `ac_future` plus what is needed to be woken when it
/// completes.
///
/// Polled by a task of the future's loop with the task's own waker, it
/// registers nothing: it tells the step, which awaits the future directly
/// or registers a wake-up itself. Polled with any other waker (inside a
/// combinator that makes its own wakers, or by another executor), it adds a
/// done-callback holding a clone of that waker.
pub(crate) struct Await {
    fut: *mut sys::ac_future,
    /// The registered waker (a Box<Waker> given as the callback's ud), or
    /// null. Valid while the future is pending: a done future has moved its
    /// callbacks to the ready queue, which then owns the box.
    reg: *mut Waker,
    /// Cancel the future when this is dropped before it completed (for
    /// operations this owns: a sleep, a queue get ...).
    cancel_on_drop: bool,
    /// The result was revoked (see Header::revoked): not ours to take.
    revoked: bool,
    /// Seen done by `poll` (a done future stays done).
    done: bool,
}

unsafe extern "C" fn wake_boxed(_f: *mut sys::ac_future, ud: *mut c_void) {
    let w = &*(ud as *const Waker);
    let _ = catch_unwind(AssertUnwindSafe(|| w.wake_by_ref()));
}

unsafe extern "C" fn free_boxed(ud: *mut c_void) {
    let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(ud as *mut Waker))));
}

impl Await {
    /// Takes over one reference to `fut`.
    ///
    /// # Safety
    /// `fut` is a live future the caller owns a reference to.
    pub(crate) unsafe fn from_owned(fut: *mut sys::ac_future) -> Await {
        Await { fut, reg: ptr::null_mut(), cancel_on_drop: false, revoked: false, done: false }
    }

    /// As from_owned, cancelling the future if dropped while pending.
    pub(crate) unsafe fn owning_operation(fut: *mut sys::ac_future) -> Await {
        Await { fut, reg: ptr::null_mut(), cancel_on_drop: true, revoked: false, done: false }
    }

    pub(crate) fn set_cancel_on_drop(&mut self, on: bool) {
        self.cancel_on_drop = on;
    }

    pub(crate) fn raw(&self) -> *mut sys::ac_future {
        self.fut
    }

    /// True when the future holds a result this side has a right to (not
    /// revoked): for operations that must hand back what they were given
    /// (a lock, a permit) when dropped unread.
    pub(crate) fn holds_unread_result(&mut self) -> bool {
        if self.revoked {
            return false;
        }
        if let Some(h) = polling_or_dropping_header() {
            if h.take_revoked(self.fut) {
                self.revoked = true;
                return false;
            }
        }
        unsafe { sys::ac_future_state_of(self.fut) == sys::AC_FUTURE_RESULT as i32 }
    }

    #[inline]
    pub(crate) fn is_done(&self) -> bool {
        self.done || unsafe { sys::ac_future_done(self.fut) == 1 }
    }

    fn unregister(&mut self) {
        if !self.reg.is_null() {
            // SAFETY: while the future is pending our registration is in its
            // list and the box is ours to remove; once done it is not.
            unsafe {
                if sys::ac_future_done(self.fut) == 0 {
                    sys::ac_future_remove_done_callback(self.fut, Some(wake_boxed), self.reg as *mut c_void);
                }
            }
            self.reg = ptr::null_mut();
        }
    }

    /// Ready once the future is done: Ok (read its outcome then), or the
    /// task's cancellation, which replaces a result the task resumed from
    /// cancelled (the library passed that result on).
    #[inline]
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        self.poll_small(cx).map(|r| r.map_err(|e| *e))
    }

    /// As `poll`, then the outcome read as `T` (moving a result out).
    ///
    /// # Safety
    /// Once done, the future holds a `T` (or a native value of that type).
    #[inline]
    pub(crate) unsafe fn poll_outcome<T: 'static>(&mut self, cx: &mut Context<'_>) -> Poll<Result<T>> {
        match self.poll_small(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(())) => Poll::Ready(outcome::<T>(self.fut)),
            Poll::Ready(Err(e)) => Poll::Ready(Err(*e)),
        }
    }

    /// `poll` with a result that fits in registers (the error is rare).
    fn poll_small(&mut self, cx: &mut Context<'_>) -> Poll<std::result::Result<(), Box<Error>>> {
        let step = current_step();
        if let Some(s) = &step {
            let h = s.header();
            if h.take_revoked(self.fut) {
                self.unregister();
                self.revoked = true;
                return Poll::Ready(Err(Box::new(h.take_cancel().unwrap_or_else(|| Error::cancelled("")))));
            }
        }
        if self.is_done() {
            self.done = true;
            self.unregister();
            return Poll::Ready(Ok(()));
        }
        if let Some(s) = &step {
            // asyncio: a task cannot wait on a future of another loop (a
            // second loop of this thread, or one dropped since; nothing
            // would ever wake the task), nor on itself.
            if s.loop_raw() != unsafe { sys::ac_future_get_loop(self.fut) } {
                return Poll::Ready(Err(Box::new(Error::with_message(
                    sys::AC_EMISUSE,
                    "Task got Future attached to a different loop",
                ))));
            }
            if s.task_future() == self.fut {
                return Poll::Ready(Err(Box::new(Error::with_message(
                    sys::AC_EMISUSE,
                    "Task cannot await on itself",
                ))));
            }
        }
        // Of this loop (checked above): the task's own waker may await it
        // directly.
        if let Some(step) = step.filter(|s| s.is_own(cx)) {
            self.unregister();
            if let Some(e) = step.header().take_cancel() {
                // Deliver the task's cancellation here as asyncio does: cancel
                // the awaited future and resume when it is done (at once for
                // a plain future or a sleep; a task first runs its cleanup,
                // and may even swallow the cancellation).
                let msg = CString::new(e.message().replace('\0', " ")).unwrap_or_default();
                unsafe { sys::ac_future_cancel(self.fut, msg.as_ptr()) };
                if self.is_done() {
                    return Poll::Ready(Ok(()));
                }
            }
            step.await_candidate(self.fut);
            return Poll::Pending;
        }
        if !self.reg.is_null() && unsafe { (*self.reg).will_wake(cx.waker()) } {
            return Poll::Pending;
        }
        self.unregister();
        let b = Box::into_raw(Box::new(cx.waker().clone()));
        // SAFETY: on failure free_ud already released the box.
        let rc = unsafe {
            sys::ac_future_add_done_callback(self.fut, Some(wake_boxed), b as *mut c_void, Some(free_boxed))
        };
        if rc < 0 {
            // Nothing would ever wake the poller (the future's loop is
            // closed ...): the await fails now instead of hanging.
            return Poll::Ready(Err(Box::new(Error::from_call(rc))));
        }
        self.reg = b;
        Poll::Pending
    }
}

impl Drop for Await {
    fn drop(&mut self) {
        self.unregister();
        unsafe {
            if self.cancel_on_drop && !self.is_done() {
                sys::ac_future_cancel(self.fut, ptr::null());
            }
            sys::ac_future_unref(self.fut);
        }
    }
}

/// Reads a done future's outcome as `T`, moving a result out.
///
/// # Safety
/// `f` is a live future.
pub(crate) unsafe fn outcome<T: 'static>(f: *mut sys::ac_future) -> Result<T> {
    let mut v: sys::ac_value = std::mem::zeroed();
    let rc = sys::ac_future_result(f, &mut v);
    if rc == 0 {
        if let Some(x) = value::take_small::<T>(&v) {
            return Ok(x);
        }
        // A native value (bytes, a string) is copied, and stays for the
        // future's other readers (asyncio hands every awaiter the result);
        // a Rust value of another type moves out to the first.
        if v.kind as u32 != sys::AC_VALUE_POINTER {
            if let Some(x) = value::copy_any::<T>(&v) {
                return Ok(x);
            }
        } else {
            let mut owned: sys::ac_value = std::mem::zeroed();
            if sys::ac_future_take_result(f, &mut owned) == 0 {
                if let Some(x) = value::take::<T>(&mut owned) {
                    return Ok(x);
                }
            }
        }
        return Err(Error::with_message(
            sys::AC_EINVAL,
            "the result is not of the expected type, or was already taken",
        ));
    }
    // Failed or cancelled (the future's own error), pending, or misuse.
    let e = sys::ac_future_error(f);
    Err(if e.is_null() { Error::from_code(rc) } else { Error::from_raw(e) })
}

/// Copies a done future's outcome as `T` without moving the result out, so
/// that every reader sees it (a native kind only: `()`, `i64`, `f64`,
/// `Vec<u8>`, `String`; another type gives `Err(Usage)`).
///
/// # Safety
/// `f` is a live future.
pub(crate) unsafe fn copied_outcome<T: 'static>(f: *mut sys::ac_future) -> Result<T> {
    match sys::ac_future_state_of(f) as u32 {
        sys::AC_FUTURE_RESULT => {
            let mut v: sys::ac_value = std::mem::zeroed();
            let rc = sys::ac_future_result(f, &mut v);
            if rc < 0 {
                return Err(Error::from_code(rc));
            }
            value::copy_native::<T>(&v).ok_or_else(|| {
                Error::with_message(sys::AC_EINVAL, "the result is not a native value of the expected type")
            })
        }
        sys::AC_FUTURE_ERROR | sys::AC_FUTURE_CANCELLED => Err(Error::from_raw(sys::ac_future_error(f))),
        _ => Err(Error::from_code(sys::AC_ESTATE)),
    }
}

/// One reference to a loop future, released on drop (a combinator's hold
/// on what it combines).
pub(crate) struct FutRef(*mut sys::ac_future);

impl FutRef {
    /// Takes a new reference to `f`.
    ///
    /// # Safety
    /// `f` is a live future.
    pub(crate) unsafe fn new_ref(f: *mut sys::ac_future) -> FutRef {
        FutRef(sys::ac_future_ref(f))
    }

    pub(crate) fn raw(&self) -> *mut sys::ac_future {
        self.0
    }
}

impl Drop for FutRef {
    fn drop(&mut self) {
        // SAFETY: our reference.
        unsafe { sys::ac_future_unref(self.0) };
    }
}

/// asyncio's `Future.result()` without waiting: the outcome of a done
/// future (native values copied), `Err` (InvalidStateError, the library's
/// reason) while pending.
///
/// # Safety
/// `f` is a live future whose result, if any, is a `T`.
pub(crate) unsafe fn result_now<T: 'static>(f: *mut sys::ac_future) -> Result<T> {
    if sys::ac_future_done(f) != 1 {
        let rc = sys::ac_future_result(f, ptr::null_mut());
        return Err(Error::from_call(if rc < 0 { rc } else { sys::AC_ESTATE }));
    }
    outcome::<T>(f)
}

/// asyncio's `Future.exception()`: `Ok(None)` for a result, `Ok(Some(e))`
/// for an error, `Err(Cancelled)` when cancelled, `Err` (InvalidStateError)
/// while pending.
///
/// # Safety
/// `f` is a live future.
pub(crate) unsafe fn exception_now(f: *mut sys::ac_future) -> Result<Option<Error>> {
    match sys::ac_future_state_of(f) as u32 {
        sys::AC_FUTURE_RESULT => Ok(None),
        sys::AC_FUTURE_ERROR => Ok(Some(Error::from_raw(sys::ac_future_error(f)))),
        sys::AC_FUTURE_CANCELLED => Err(Error::from_raw(sys::ac_future_error(f))),
        _ => {
            let mut e = ptr::null_mut();
            let rc = sys::ac_future_exception(f, &mut e);
            Err(Error::from_call(if rc < 0 { rc } else { sys::AC_ESTATE }))
        }
    }
}
