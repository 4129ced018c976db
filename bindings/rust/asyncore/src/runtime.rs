//! The event loop: `Loop`, running futures on it, plain callbacks, and the
//! thread-safe `LoopHandle`.

use std::any::Any;
use std::cell::Cell;
use std::ffi::{CStr, CString};
use std::future::Future;
use std::marker::PhantomData;
use std::os::raw::{c_char, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use asyncore_sys as sys;

use crate::awaiting::Await;
use crate::error::{check, Error, Result};
use crate::task::{spawn_raw, JoinHandle};

thread_local! {
    /// The loop whose Rust code (a task step, a callback, a run) is running
    /// on this thread, or null.
    static CURRENT_LOOP: Cell<*mut sys::ac_loop> = const { Cell::new(ptr::null_mut()) };
}

/// Makes `raw` the current loop until dropped (restoring the previous one).
pub(crate) struct LoopScope {
    prev: *mut sys::ac_loop,
}

impl LoopScope {
    #[inline]
    pub(crate) fn enter(raw: *mut sys::ac_loop) -> LoopScope {
        LoopScope { prev: CURRENT_LOOP.with(|c| c.replace(raw)) }
    }
}

impl Drop for LoopScope {
    #[inline]
    fn drop(&mut self) {
        CURRENT_LOOP.with(|c| c.set(self.prev));
    }
}

/// The current loop, or a usage error outside any loop.
#[inline]
pub(crate) fn current_loop_raw() -> Result<*mut sys::ac_loop> {
    let raw = CURRENT_LOOP.with(|c| c.get());
    if raw.is_null() {
        Err(Error::with_message(sys::AC_EMISUSE, "no running event loop"))
    } else {
        Ok(raw)
    }
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}

fn cstring(s: &str) -> CString {
    CString::new(s.replace('\0', " ")).unwrap_or_default()
}

/// Reports a panic caught in a callback to the loop's exception handler.
fn report_panic(raw: *mut sys::ac_loop, what: &str, payload: &(dyn Any + Send)) {
    let msg = cstring(&format!("{what} panicked: {}", panic_message(payload)));
    unsafe { sys::ac_loop_call_exception_handler(raw, msg.as_ptr(), ptr::null_mut(), ptr::null_mut()) };
}

/// Options for a new loop.
#[derive(Debug, Default, Clone, Copy)]
pub struct LoopBuilder {
    virtual_clock: bool,
    debug: bool,
}

impl LoopBuilder {
    /// Virtual clock: time stands still while there is work and jumps to
    /// the next timer when there is none (sleeps cost no real time).
    pub fn virtual_clock(mut self, on: bool) -> Self {
        self.virtual_clock = on;
        self
    }
    /// Debug mode (slow-callback warnings, thread checks).
    pub fn debug(mut self, on: bool) -> Self {
        self.debug = on;
        self
    }
    /// Creates the loop, owned by the calling thread.
    pub fn build(self) -> Result<Loop> {
        let mut flags = sys::AC_LOOP_DEFAULT;
        if self.virtual_clock {
            flags |= sys::AC_LOOP_VIRTUAL_CLOCK;
        }
        if self.debug {
            flags |= sys::AC_LOOP_DEBUG;
        }
        let mut raw = ptr::null_mut();
        check(unsafe { sys::ac_loop_new(flags, &mut raw) })?;
        Ok(Loop { raw, _not_send: PhantomData })
    }
}

/// What one [`Loop::step`] did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepReport {
    /// Callbacks run.
    pub ran: usize,
    /// Work remains (ready callbacks, timers, handles).
    pub pending: bool,
    /// Loop time of the next timer, if any.
    pub next_deadline: Option<f64>,
}

/// An event loop (one per thread). Not `Send`: it stays on the thread that
/// made it, and so do the tasks it runs, which therefore need not be
/// `Send`. Dropping the loop closes it.
pub struct Loop {
    raw: *mut sys::ac_loop,
    _not_send: PhantomData<*mut ()>,
}

impl Loop {
    /// A loop on the real monotonic clock.
    pub fn new() -> Result<Loop> {
        LoopBuilder::default().build()
    }

    /// Options: `Loop::builder().virtual_clock(true).build()`.
    pub fn builder() -> LoopBuilder {
        LoopBuilder::default()
    }

    /// The raw loop (borrowed).
    pub fn as_raw(&self) -> *mut sys::ac_loop {
        self.raw
    }

    /// The loop's clock in seconds (virtual time starts at 0).
    pub fn time(&self) -> f64 {
        unsafe { sys::ac_loop_time(self.raw) }
    }

    /// Spawns a task on this loop (it starts when the loop runs).
    pub fn spawn<F, T>(&self, fut: F) -> JoinHandle<T>
    where
        F: Future<Output = Result<T>> + 'static,
        T: 'static,
    {
        spawn_raw(self.raw, fut).unwrap_or_else(|e| panic!("Loop::spawn: {e}"))
    }

    /// Runs the loop until `fut` (run as a task) completes and returns its
    /// outcome (asyncio's `run_until_complete`).
    pub fn run_until_complete<F, T>(&self, fut: F) -> Result<T>
    where
        F: Future<Output = Result<T>> + 'static,
        T: 'static,
    {
        let mut handle = spawn_raw(self.raw, fut)?;
        let rc = {
            let _scope = LoopScope::enter(self.raw);
            unsafe { sys::ac_loop_run_until_complete(self.raw, sys::ac_task_future(handle.as_raw())) }
        };
        match handle.try_result() {
            Some(r) => r,
            None => Err(Error::from_code(if rc < 0 { rc } else { sys::AC_ESTATE })),
        }
    }

    /// Alias of [`Loop::run_until_complete`].
    pub fn block_on<F, T>(&self, fut: F) -> Result<T>
    where
        F: Future<Output = Result<T>> + 'static,
        T: 'static,
    {
        self.run_until_complete(fut)
    }

    /// asyncio.run on this loop: runs `main` to completion, then cancels
    /// the tasks still pending and lets them finish, then closes the loop.
    pub fn run_main<F, T>(&self, main: F) -> Result<T>
    where
        F: Future<Output = Result<T>> + 'static,
        T: 'static,
    {
        let result = self.run_until_complete(main);
        self.cancel_all_and_wait();
        let _ = self.close();
        result
    }

    fn cancel_all_and_wait(&self) {
        unsafe extern "C" fn collect(t: *mut sys::ac_task, ud: *mut c_void) {
            let v = &mut *(ud as *mut Vec<*mut sys::ac_task>);
            v.push(sys::ac_task_ref(t));
        }
        let mut tasks: Vec<*mut sys::ac_task> = Vec::new();
        unsafe { sys::ac_loop_foreach_task(self.raw, Some(collect), &mut tasks as *mut _ as *mut c_void) };
        if tasks.is_empty() {
            return;
        }
        for &t in &tasks {
            unsafe { sys::ac_task_cancel(t, ptr::null()) };
        }
        // SAFETY: each Await takes over the reference collected above.
        let waits: Vec<Await> = tasks.iter().map(|&t| unsafe { Await::from_owned(sys::ac_task_future(t)) }).collect();
        let _ = self.run_until_complete(async move {
            for mut w in waits {
                std::future::poll_fn(|cx| w.poll(cx).map(|_| ())).await;
                // Errors of cancelled tasks are expected; read them so that
                // they are not reported as never retrieved.
                unsafe { sys::ac_future_error(w.raw()) };
            }
            Ok(())
        });
    }

    /// Runs until [`Loop::stop`].
    pub fn run_forever(&self) -> Result<()> {
        let _scope = LoopScope::enter(self.raw);
        check(unsafe { sys::ac_loop_run_forever(self.raw) }).map(|_| ())
    }

    /// Asks the running loop to return after the ready callbacks.
    pub fn stop(&self) -> Result<()> {
        check(unsafe { sys::ac_loop_stop(self.raw) }).map(|_| ())
    }

    /// One iteration for a host that owns its frame loop: polls I/O (at most
    /// `max_block` seconds), runs due timers and ready callbacks.
    pub fn step(&self, max_block: f64) -> Result<StepReport> {
        let _scope = LoopScope::enter(self.raw);
        let mut pending = 0;
        let mut next = -1.0;
        let ran = check(unsafe { sys::ac_loop_step(self.raw, max_block, &mut pending, &mut next) })?;
        Ok(StepReport {
            ran: ran as usize,
            pending: pending != 0,
            next_deadline: (next >= 0.0).then_some(next),
        })
    }

    /// Closes the loop (idempotent; also done on drop): pending tasks are
    /// dropped, callbacks discarded.
    pub fn close(&self) -> Result<()> {
        let rc = unsafe { sys::ac_loop_close(self.raw) };
        if rc == sys::AC_ECLOSED {
            return Ok(());
        }
        check(rc).map(|_| ())
    }

    /// True once closed.
    pub fn is_closed(&self) -> bool {
        unsafe { sys::ac_loop_is_closed(self.raw) == 1 }
    }

    /// Runs `f` once on the loop, after the callbacks already ready.
    pub fn call_soon(&self, f: impl FnOnce() + 'static) -> Result<CallbackHandle> {
        self.schedule(None, f)
    }

    /// Runs `f` once at loop time `when`.
    pub fn call_at(&self, when: f64, f: impl FnOnce() + 'static) -> Result<CallbackHandle> {
        let ud = Box::into_raw(Box::new(Some(Box::new(f) as Box<dyn FnOnce()>))) as *mut c_void;
        let mut h = ptr::null_mut();
        check(unsafe { sys::ac_loop_call_at(self.raw, when, Some(run_boxed), ud, Some(free_boxed), &mut h) })?;
        Ok(CallbackHandle { raw: h })
    }

    /// True while a run or step is in progress.
    pub fn is_running(&self) -> bool {
        unsafe { sys::ac_loop_is_running(self.raw) == 1 }
    }

    /// Debug mode: slow callbacks are reported, threads checked.
    pub fn set_debug(&self, on: bool) -> Result<()> {
        check(unsafe { sys::ac_loop_set_debug(self.raw, on as i32) }).map(|_| ())
    }

    /// True in debug mode.
    pub fn debug(&self) -> bool {
        unsafe { sys::ac_loop_get_debug(self.raw) == 1 }
    }

    /// Callbacks slower than this (seconds) are reported in debug mode.
    pub fn set_slow_callback_duration(&self, seconds: f64) -> Result<()> {
        check(unsafe { sys::ac_loop_set_slow_callback_duration(self.raw, seconds) }).map(|_| ())
    }

    /// At most this many ready callbacks run between two I/O polls.
    pub fn set_ready_budget(&self, budget: u32) -> Result<()> {
        check(unsafe { sys::ac_loop_set_ready_budget(self.raw, budget) }).map(|_| ())
    }

    /// For hosts that poll: libuv's backend fd, readable when the loop has
    /// I/O to process.
    pub fn backend_fd(&self) -> Result<i32> {
        check(unsafe { sys::ac_loop_backend_fd(self.raw) })
    }

    /// For hosts that poll: how long (ms) they may block before stepping;
    /// 0 when callbacks are ready, -1 when nothing is due.
    pub fn backend_timeout(&self) -> i32 {
        unsafe { sys::ac_loop_backend_timeout(self.raw) }
    }

    /// The name of the task running on this loop, if any.
    pub fn current_task_name(&self) -> Option<String> {
        let t = unsafe { sys::ac_loop_current_task(self.raw) };
        if t.is_null() {
            return None;
        }
        let p = unsafe { sys::ac_task_name(t) };
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    }

    /// Runs `f` once after `delay` seconds.
    pub fn call_later(&self, delay: f64, f: impl FnOnce() + 'static) -> Result<CallbackHandle> {
        self.schedule(Some(delay), f)
    }

    fn schedule(&self, delay: Option<f64>, f: impl FnOnce() + 'static) -> Result<CallbackHandle> {
        let ud = Box::into_raw(Box::new(Some(Box::new(f) as Box<dyn FnOnce()>))) as *mut c_void;
        let mut h = ptr::null_mut();
        // SAFETY: on failure free_ud ran.
        let rc = unsafe {
            match delay {
                None => sys::ac_loop_call_soon(self.raw, Some(run_boxed), ud, Some(free_boxed), &mut h),
                Some(d) => sys::ac_loop_call_later(self.raw, d, Some(run_boxed), ud, Some(free_boxed), &mut h),
            }
        };
        check(rc)?;
        Ok(CallbackHandle { raw: h })
    }

    /// A thread-safe handle for posting work to this loop from any thread.
    pub fn handle(&self) -> LoopHandle {
        LoopHandle { raw: unsafe { sys::ac_loop_ref(self.raw) } }
    }

    /// Replaces the exception handler: `f(message, error)` receives what
    /// nobody else could (errors never retrieved, tasks destroyed pending,
    /// panics in callbacks).
    pub fn set_exception_handler(&self, f: impl FnMut(&str, Option<Error>) + 'static) -> Result<()> {
        type Handler = Box<dyn FnMut(&str, Option<Error>)>;
        unsafe extern "C" fn call(
            _l: *mut sys::ac_loop,
            message: *const c_char,
            error: *mut sys::ac_error,
            _f: *mut sys::ac_future,
            ud: *mut c_void,
        ) {
            let h = &mut *(ud as *mut Handler);
            let msg = if message.is_null() { String::new() } else { CStr::from_ptr(message).to_string_lossy().into_owned() };
            let err = (!error.is_null()).then(|| Error::from_raw(error));
            let _ = catch_unwind(AssertUnwindSafe(|| h(&msg, err)));
        }
        unsafe extern "C" fn free(ud: *mut c_void) {
            let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(ud as *mut Handler))));
        }
        let ud = Box::into_raw(Box::new(Box::new(f) as Handler)) as *mut c_void;
        check(unsafe { sys::ac_loop_set_exception_handler(self.raw, Some(call), ud, Some(free)) }).map(|_| ())
    }
}

impl Drop for Loop {
    fn drop(&mut self) {
        unsafe {
            sys::ac_loop_close(self.raw);
            sys::ac_loop_unref(self.raw);
        }
    }
}

type BoxedCallback = Option<Box<dyn FnOnce()>>;

unsafe extern "C" fn run_boxed(l: *mut sys::ac_loop, ud: *mut c_void) {
    let slot = &mut *(ud as *mut BoxedCallback);
    if let Some(f) = slot.take() {
        let _scope = LoopScope::enter(l);
        if let Err(p) = catch_unwind(AssertUnwindSafe(f)) {
            report_panic(l, "callback", &*p);
        }
    }
}

unsafe extern "C" fn free_boxed(ud: *mut c_void) {
    let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(ud as *mut BoxedCallback))));
}

/// A scheduled callback; cancel it before it runs. Loop thread only.
pub struct CallbackHandle {
    raw: *mut sys::ac_handle,
}

impl CallbackHandle {
    /// Cancels the callback; true if this call cancelled it.
    pub fn cancel(&self) -> bool {
        unsafe { sys::ac_handle_cancel(self.raw) == 1 }
    }
    /// True once cancelled.
    pub fn cancelled(&self) -> bool {
        unsafe { sys::ac_handle_cancelled(self.raw) == 1 }
    }
    /// The loop time a timer is due (None for call_soon).
    pub fn when(&self) -> Option<f64> {
        let w = unsafe { sys::ac_handle_when(self.raw) };
        (w >= 0.0).then_some(w)
    }
}

impl Drop for CallbackHandle {
    fn drop(&mut self) {
        unsafe { sys::ac_handle_unref(self.raw) };
    }
}

/// A reference to a loop that any thread may hold, to post work to it.
pub struct LoopHandle {
    raw: *mut sys::ac_loop,
}

// SAFETY: only thread-safe functions are called through it (ref/unref,
// call_soon_threadsafe).
unsafe impl Send for LoopHandle {}
unsafe impl Sync for LoopHandle {}

impl Clone for LoopHandle {
    fn clone(&self) -> Self {
        LoopHandle { raw: unsafe { sys::ac_loop_ref(self.raw) } }
    }
}

impl Drop for LoopHandle {
    fn drop(&mut self) {
        unsafe { sys::ac_loop_unref(self.raw) };
    }
}

impl LoopHandle {
    pub(crate) fn as_raw(&self) -> *mut sys::ac_loop {
        self.raw
    }

    /// Runs `f` on the loop's thread, in submission order; if the loop
    /// closes first, `f` is dropped without running.
    pub fn call_soon_threadsafe(&self, f: impl FnOnce() + Send + 'static) -> Result<()> {
        let ud = Box::into_raw(Box::new(Some(Box::new(f) as Box<dyn FnOnce()>))) as *mut c_void;
        check(unsafe { sys::ac_loop_call_soon_threadsafe(self.raw, Some(run_boxed), ud, Some(free_boxed)) }).map(|_| ())
    }

    /// Asks the loop to stop, from any thread.
    pub fn stop(&self) -> Result<()> {
        let raw = self.raw as usize;
        self.call_soon_threadsafe(move || unsafe {
            sys::ac_loop_stop(raw as *mut sys::ac_loop);
        })
    }
}

/// asyncio.run: a new loop runs `main` to completion, cancels what is left,
/// closes. `virtual_clock` as [`LoopBuilder::virtual_clock`].
pub fn run<F, T>(main: F) -> Result<T>
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    Loop::new()?.run_main(main)
}

/// As [`run`], on a loop with the given options.
pub fn run_with<F, T>(options: LoopBuilder, main: F) -> Result<T>
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    options.build()?.run_main(main)
}

/// The current loop's time (the loop running the calling task).
pub fn time() -> f64 {
    match current_loop_raw() {
        Ok(raw) => unsafe { sys::ac_loop_time(raw) },
        Err(_) => -1.0,
    }
}
