//! Threads: blocking closures on worker threads (asyncio.to_thread),
//! thread-safe futures (concurrent.futures.Future), and tasks started on a
//! loop from any thread (asyncio.run_coroutine_threadsafe).

use std::future::Future;
use std::marker::PhantomData;
use std::os::raw::{c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr;
use std::task::{Context, Poll};

use asyncore_sys as sys;

use crate::awaiting::{outcome, Await};
use crate::error::{check, Error, Result};
use crate::runtime::{current_loop_raw, panic_message, LoopHandle};
use crate::task::new_state;
use crate::value::{take, OutValue};

/// A closure waiting for, or having run on, a worker; the library frees it
/// on the loop's thread after the work returned.
struct Work<F, T> {
    f: Option<F>,
    _t: PhantomData<fn() -> T>,
}

unsafe extern "C" fn run_work<F, T>(ud: *mut c_void, result: *mut sys::ac_value) -> c_int
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    let w = &mut *(ud as *mut Work<F, T>);
    let Some(f) = w.f.take() else {
        return sys::AC_ESTATE;
    };
    // The outcome travels as one boxed Result, so that an error keeps its
    // message and a panic becomes a host error.
    let r: Result<T> = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => Err(Error::host(format!("worker panicked: {}", panic_message(&*p)))),
    };
    let out = OutValue::new(r);
    *result = out.raw;
    out.stored();
    0
}

unsafe extern "C" fn free_work<F, T>(ud: *mut c_void) {
    let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(ud as *mut Work<F, T>))));
}

/// Runs the blocking closure `f` on libuv's worker pool and gives its
/// result (asyncio.to_thread). The loop goes on meanwhile. Cancelling the
/// awaiting task before the work started keeps it from running; once
/// started it runs to its end and its result is dropped.
pub fn to_thread<F, T>(f: F) -> ToThread<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    submit(f, ptr::null_mut())
}

fn submit<F, T>(f: F, ex: *mut sys::ac_executor) -> ToThread<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    let made = current_loop_raw().and_then(|raw| {
        let ud = Box::into_raw(Box::new(Work::<F, T> { f: Some(f), _t: PhantomData })) as *mut c_void;
        let mut out = ptr::null_mut();
        // On failure free_ud has run.
        check(unsafe { sys::ac_to_thread(raw, Some(run_work::<F, T>), ud, Some(free_work::<F, T>), ex, &mut out) })?;
        Ok(unsafe { Await::owning_operation(out) })
    });
    match made {
        Ok(aw) => ToThread { aw: Some(aw), failed: None, _t: PhantomData },
        Err(e) => ToThread { aw: None, failed: Some(e), _t: PhantomData },
    }
}

/// The future of [`to_thread`]. Dropping it before it is done cancels the
/// work if it has not started.
pub struct ToThread<T> {
    aw: Option<Await>,
    failed: Option<Error>,
    _t: PhantomData<fn() -> T>,
}

impl<T> Unpin for ToThread<T> {}

impl<T: Send + 'static> Future for ToThread<T> {
    type Output = Result<T>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        if let Some(e) = self.failed.take() {
            return Poll::Ready(Err(e));
        }
        let aw = self.aw.as_mut().expect("polled after completion");
        let r = std::task::ready!(aw.poll(cx)).and_then(|()| unsafe { outcome::<Result<T>>(aw.raw()) }).and_then(|r| r);
        self.aw = None;
        Poll::Ready(r)
    }
}

/// A dedicated pool of worker threads (a ThreadPoolExecutor). Any thread
/// may hold and use it; dropping the last handle shuts it down without
/// waiting (queued work still runs).
pub struct Executor {
    raw: *mut sys::ac_executor,
}

// SAFETY: executors are thread-safe (atomic counts, any-thread calls).
unsafe impl Send for Executor {}
unsafe impl Sync for Executor {}

impl Executor {
    /// A pool of `threads` workers (1 to 1024), started now.
    pub fn new(threads: u32) -> Result<Executor> {
        let mut raw = ptr::null_mut();
        check(unsafe { sys::ac_executor_new(threads, &mut raw) })?;
        Ok(Executor { raw })
    }

    /// Runs `f` on this pool (loop thread; see [`to_thread`]).
    pub fn run<F, T>(&self, f: F) -> ToThread<T>
    where
        F: FnOnce() -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        submit(f, self.raw)
    }

    /// Stops accepting work; `wait` blocks until the workers exited,
    /// `cancel_pending` cancels the work not yet started.
    pub fn shutdown(&self, wait: bool, cancel_pending: bool) -> Result<()> {
        let mut flags = sys::AC_EXECUTOR_DEFAULT;
        if wait {
            flags |= sys::AC_EXECUTOR_WAIT;
        }
        if cancel_pending {
            flags |= sys::AC_EXECUTOR_CANCEL_PENDING;
        }
        check(unsafe { sys::ac_executor_shutdown(self.raw, flags) }).map(|_| ())
    }
}

impl Clone for Executor {
    fn clone(&self) -> Self {
        Executor { raw: unsafe { sys::ac_executor_ref(self.raw) } }
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        unsafe { sys::ac_executor_unref(self.raw) };
    }
}

/// A future any thread may complete, wait on (blocking) or read
/// (concurrent.futures.Future); a task awaits it with [`TsFuture::wait_async`].
pub struct TsFuture<T> {
    raw: *mut sys::ac_tsfuture,
    _t: PhantomData<fn() -> T>,
}

// SAFETY: every ac_tsfuture function is thread-safe; values are Send.
unsafe impl<T: Send> Send for TsFuture<T> {}
unsafe impl<T: Send> Sync for TsFuture<T> {}

impl<T> Clone for TsFuture<T> {
    fn clone(&self) -> Self {
        TsFuture { raw: unsafe { sys::ac_tsfuture_ref(self.raw) }, _t: PhantomData }
    }
}

impl<T> Drop for TsFuture<T> {
    fn drop(&mut self) {
        unsafe { sys::ac_tsfuture_unref(self.raw) };
    }
}

impl<T: Send + 'static> TsFuture<T> {
    /// A pending future.
    pub fn new() -> Result<Self> {
        let mut raw = ptr::null_mut();
        check(unsafe { sys::ac_tsfuture_new(&mut raw) })?;
        Ok(TsFuture { raw, _t: PhantomData })
    }

    /// Completes with a value (from any thread); `Err(Usage)` if done.
    pub fn set_result(&self, v: T) -> Result<()> {
        let out = OutValue::new(v);
        check(unsafe { sys::ac_tsfuture_set_result(self.raw, &out.raw) })?;
        out.stored();
        Ok(())
    }

    /// Completes with an error (use cancel to cancel).
    pub fn set_error(&self, e: &Error) -> Result<()> {
        let raw = e.to_raw();
        let rc = unsafe { sys::ac_tsfuture_set_error(self.raw, raw) };
        unsafe { sys::ac_error_unref(raw) };
        check(rc).map(|_| ())
    }

    /// Cancels it; true if cancelled now.
    pub fn cancel(&self) -> bool {
        unsafe { sys::ac_tsfuture_cancel(self.raw, ptr::null()) == 1 }
    }

    /// True once done.
    pub fn done(&self) -> bool {
        unsafe { sys::ac_tsfuture_done(self.raw) == 1 }
    }

    /// True if cancelled.
    pub fn cancelled(&self) -> bool {
        unsafe { sys::ac_tsfuture_cancelled(self.raw) == 1 }
    }

    /// Blocks this thread until done or `timeout` seconds passed (None:
    /// forever), then moves the outcome out. Never call it on a thread
    /// running the loop that would complete it.
    pub fn wait(&self, timeout: Option<f64>) -> Result<T> {
        check(unsafe { sys::ac_tsfuture_wait(self.raw, timeout.unwrap_or(-1.0)) })?;
        self.take()
    }

    fn take(&self) -> Result<T> {
        let mut v: sys::ac_value = unsafe { std::mem::zeroed() };
        match unsafe { sys::ac_tsfuture_take_result(self.raw, &mut v) } {
            0 => unsafe { take::<T>(&mut v) }
                .ok_or_else(|| Error::with_message(sys::AC_EINVAL, "the result is not of the expected type, or was already taken")),
            _ => Err(unsafe { Error::from_raw(sys::ac_tsfuture_error(self.raw)) }),
        }
    }

    /// A future of the current loop that completes with this one's outcome
    /// (asyncio.wrap_future); cancelling it cancels this one.
    pub fn wait_async(&self) -> TsWait<T> {
        let made = current_loop_raw().and_then(|raw| {
            let mut out = ptr::null_mut();
            check(unsafe { sys::ac_tsfuture_wrap(self.raw, raw, &mut out) })?;
            Ok(unsafe { Await::owning_operation(out) })
        });
        let (aw, failed) = match made {
            Ok(aw) => (Some(aw), None),
            Err(e) => (None, Some(e)),
        };
        TsWait { ts: self.clone(), aw, failed }
    }
}

/// The future of [`TsFuture::wait_async`].
pub struct TsWait<T> {
    ts: TsFuture<T>,
    aw: Option<Await>,
    failed: Option<Error>,
}

impl<T> Unpin for TsWait<T> {}

impl<T: Send + 'static> Future for TsWait<T> {
    type Output = Result<T>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        if let Some(e) = self.failed.take() {
            return Poll::Ready(Err(e));
        }
        let this = &mut *self;
        let aw = this.aw.as_mut().expect("polled after completion");
        let ts = &this.ts;
        let r = std::task::ready!(aw.poll(cx)).and_then(|()| unsafe {
            if sys::ac_future_state_of(aw.raw()) == sys::AC_FUTURE_RESULT as i32 {
                // The loop future only borrows a pointer result: move the
                // value out of the thread-safe future that owns it.
                ts.take()
            } else {
                Err(Error::from_raw(sys::ac_future_error(aw.raw())))
            }
        });
        self.aw = None;
        Poll::Ready(r)
    }
}

/// A future made on the loop's thread by a closure sent there: the future
/// itself need not be Send.
enum Deferred<M, F> {
    Make(Option<M>),
    Run(F),
}

impl<M, F, T> Future for Deferred<M, F>
where
    M: FnOnce() -> F,
    F: Future<Output = Result<T>>,
{
    type Output = Result<T>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        // SAFETY: the inner future is pinned once made and never moved.
        let this = unsafe { self.get_unchecked_mut() };
        if let Deferred::Make(m) = this {
            let make = m.take().expect("Deferred polled after a panic");
            *this = Deferred::Run(make());
        }
        match this {
            Deferred::Run(f) => unsafe { Pin::new_unchecked(f) }.poll(cx),
            Deferred::Make(_) => unreachable!(),
        }
    }
}

impl LoopHandle {
    /// From any thread: sends `make` to this handle's loop, where it makes
    /// a future (which need not be Send) that runs as a task; gives a
    /// thread-safe future of its outcome (asyncio.run_coroutine_threadsafe).
    /// Cancelling that future cancels the task; if the loop closes first it
    /// fails with `AC_ECLOSED`.
    pub fn spawn<M, F, T>(&self, make: M) -> Result<TsFuture<T>>
    where
        M: FnOnce() -> F + Send + 'static,
        F: Future<Output = Result<T>> + 'static,
        T: Send + 'static,
    {
        let (step, state, free) = new_state(self.as_raw(), Deferred::Make(Some(make)));
        let mut out = ptr::null_mut();
        // On failure free_state has run (here, on this thread: M is Send).
        check(unsafe { sys::ac_run_threadsafe(self.as_raw(), step, state, free, &mut out) })?;
        Ok(TsFuture { raw: out, _t: PhantomData })
    }
}

impl<T> TsFuture<T> {
    /// The raw handle (borrowed).
    pub fn as_raw(&self) -> *mut sys::ac_tsfuture {
        self.raw
    }
}

