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
use std::time::{Duration, Instant};

use asyncore_sys as sys;

use crate::error::{check, check_count, Error, Result};
use crate::task::{spawn_raw, JoinHandle};
use crate::time::{instant_on, IntoDeadline, IntoDelay};

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

/// What a callback may return: nothing, or a `Result` whose error is
/// reported to the loop's exception handler, as asyncio reports an
/// exception a callback raised ("Exception in callback").
pub trait CallbackResult {
    /// The outcome as a Result.
    fn into_result(self) -> Result<()>;
}

impl CallbackResult for () {
    fn into_result(self) -> Result<()> {
        Ok(())
    }
}

impl CallbackResult for Result<()> {
    fn into_result(self) -> Result<()> {
        self
    }
}

/// What an exception-handler report is about: the entry asyncio's context
/// dict has besides "message" and "exception".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextSubject {
    /// Nothing else.
    None,
    /// A future or task whose error nobody retrieved ("future").
    Future,
    /// A task (asyncio.run's shutdown: "task").
    Task,
    /// A callback that failed ("handle").
    Handle,
}

/// What the loop's exception handler receives (asyncio's context dict).
#[derive(Debug, Clone)]
pub struct ExceptionContext {
    /// The description ("Task exception was never retrieved" ...).
    pub message: String,
    /// The error, if any ("exception").
    pub exception: Option<Error>,
    /// What else the context names.
    pub subject: ContextSubject,
    /// The name of the task the report is about (a task that failed or
    /// was abandoned while the loop shut down, a task whose error nobody
    /// read), if it is about one.
    pub task_name: Option<String>,
}

impl ExceptionContext {
    /// The keys asyncio's context dict would hold, sorted.
    pub fn keys(&self) -> Vec<&'static str> {
        let mut k = vec!["message"];
        if self.exception.is_some() {
            k.push("exception");
        }
        match self.subject {
            ContextSubject::None => {}
            ContextSubject::Future => k.push("future"),
            ContextSubject::Task => k.push("task"),
            ContextSubject::Handle => k.push("handle"),
        }
        k.sort_unstable();
        k
    }
}

thread_local! {
    /// The subject of a report this crate makes, read by the handler it
    /// calls (the C handler only knows of a future).
    static REPORT_SUBJECT: Cell<Option<ContextSubject>> = const { Cell::new(None) };
}

/// Whether a report's subject (ac_loop_exception_subject) is "task".
unsafe fn is_task_subject(subject: *const c_char) -> bool {
    !subject.is_null() && CStr::from_ptr(subject).to_bytes() == b"task"
}

/// How long [`run`] and [`Loop::run_main`] give the tasks left when the
/// main one ends to finish once cancelled (the C library's
/// AC_RUN_SHUTDOWN_TIMEOUT).
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// Calls the loop's exception handler (ac_loop_call_exception_handler).
pub(crate) fn report(
    raw: *mut sys::ac_loop,
    message: &str,
    error: Option<&Error>,
    subject: ContextSubject,
    future: *mut sys::ac_future,
) {
    let msg = cstring(message);
    let err = error.map_or(ptr::null_mut(), Error::to_raw);
    let prev = REPORT_SUBJECT.with(|c| c.replace(Some(subject)));
    unsafe { sys::ac_loop_call_exception_handler(raw, msg.as_ptr(), err, future) };
    REPORT_SUBJECT.with(|c| c.set(prev));
    unsafe { sys::ac_error_unref(err) };
}

/// Runs a callback: a panic or an error it returns goes to the loop's
/// exception handler (asyncio's Handle._run), never further.
pub(crate) fn run_callback(raw: *mut sys::ac_loop, f: impl FnOnce() -> Result<()>) {
    let e = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => return,
        Ok(Err(e)) => e,
        Err(p) => Error::host(format!("callback panicked: {}", panic_message(&*p))),
    };
    report(raw, "Exception in callback", Some(&e), ContextSubject::Handle, ptr::null_mut());
}

/// Options for a new loop.
#[derive(Debug, Default, Clone, Copy)]
pub struct LoopBuilder {
    virtual_clock: bool,
    debug: bool,
    shutdown_timeout: Option<Duration>,
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
    /// How long [`run_with`] gives the tasks left to finish once cancelled
    /// (default [`SHUTDOWN_TIMEOUT`]); those still pending then are
    /// abandoned (see [`Loop::shutdown`]).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = Some(timeout);
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

    /// The loop's present as an `Instant` (see [`crate::now`]): on a
    /// virtual clock it moves only as the loop advances it.
    pub fn now(&self) -> Instant {
        instant_on(self.raw, self.time())
    }

    /// The `Instant` of loop time `t` (a [`CallbackHandle::when`], a
    /// [`StepReport::next_deadline`]).
    pub fn instant_at(&self, t: f64) -> Instant {
        instant_on(self.raw, t)
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
    /// outcome (asyncio's `run_until_complete`); refused (RuntimeError)
    /// while the loop runs or once it is closed.
    pub fn run_until_complete<F, T>(&self, fut: F) -> Result<T>
    where
        F: Future<Output = Result<T>> + 'static,
        T: 'static,
    {
        // Refused before the task is made, so `fut` never starts (asyncio:
        // "This event loop is already running", "Cannot run the event loop
        // while another loop is running").
        let running = CURRENT_LOOP.with(|c| c.get());
        // (A closed loop is refused as closed first, as asyncio checks.)
        if !running.is_null() && !self.is_closed() {
            return Err(Error::with_message(
                sys::AC_ERUNNING,
                if running == self.raw {
                    "This event loop is already running"
                } else {
                    "Cannot run the event loop while another loop is running"
                },
            ));
        }
        let mut handle = spawn_raw(self.raw, fut)?;
        let rc = {
            let _scope = LoopScope::enter(self.raw);
            unsafe { sys::ac_loop_run_until_complete(self.raw, crate::task::task_future(handle.as_raw())) }
        };
        if rc < 0 && !handle.is_finished() {
            // Refused (running, closed): the task must not run later.
            let e = Error::from_call(rc);
            handle.cancel();
            return Err(e);
        }
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

    /// asyncio.run on this loop: runs `main` to completion, then shuts the
    /// loop down ([`Loop::shutdown`] with [`SHUTDOWN_TIMEOUT`]).
    pub fn run_main<F, T>(&self, main: F) -> Result<T>
    where
        F: Future<Output = Result<T>> + 'static,
        T: 'static,
    {
        self.run_main_within(main, SHUTDOWN_TIMEOUT)
    }

    fn run_main_within<F, T>(&self, main: F, timeout: Duration) -> Result<T>
    where
        F: Future<Output = Result<T>> + 'static,
        T: 'static,
    {
        let result = self.run_until_complete(main);
        if self.shutdown(timeout).is_err() {
            let _ = self.close();
        }
        result
    }

    /// asyncio.run's exit, bounded (ac_loop_shutdown): cancels every task
    /// left, runs the loop until they have finished or `timeout` of real
    /// time has passed, reports each that failed while cancelled
    /// ("unhandled exception during asyncio.run() shutdown"), waits (within
    /// the same time) for work on other threads a future still waits for,
    /// then closes the loop. Tasks still pending then ignored their
    /// cancellation: they are abandoned — reported ("Task was destroyed but
    /// it is pending"), never polled again, their futures dropped — and
    /// their number is returned. RuntimeError while the loop runs or
    /// another runs on this thread, or once it is closed.
    pub fn shutdown(&self, timeout: Duration) -> Result<usize> {
        let _scope = LoopScope::enter(self.raw);
        check_count(unsafe { sys::ac_loop_shutdown(self.raw, timeout.as_secs_f64().min(1e18)) })
    }

    /// A step ([`Loop::step`]) starts no more callbacks once `budget` of
    /// real time has passed since its first one, so that a burst of new
    /// tasks spreads over a host's frames (`Duration::ZERO`: no budget).
    pub fn set_time_budget(&self, budget: Duration) -> Result<()> {
        check(unsafe { sys::ac_loop_set_time_budget(self.raw, budget.as_secs_f64()) }).map(|_| ())
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
    pub fn step(&self, max_block: impl IntoDelay) -> Result<StepReport> {
        let _scope = LoopScope::enter(self.raw);
        let mut pending = 0;
        let mut next = -1.0;
        let ran = check_count(unsafe { sys::ac_loop_step(self.raw, max_block.seconds(), &mut pending, &mut next) })?;
        Ok(StepReport {
            ran,
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

    /// Runs `f` once on the loop, after the callbacks already ready. An
    /// error `f` returns (or a panic) goes to the exception handler.
    pub fn call_soon<R: CallbackResult>(&self, f: impl FnOnce() -> R + 'static) -> Result<CallbackHandle> {
        self.schedule(None, f)
    }

    /// Runs `f` once at `when` (an `Instant`, or loop time).
    pub fn call_at<R: CallbackResult>(
        &self,
        when: impl IntoDeadline,
        f: impl FnOnce() -> R + 'static,
    ) -> Result<CallbackHandle> {
        let when = when.loop_time(self.raw);
        let ud = boxed_callback(f);
        let mut h = ptr::null_mut();
        check(unsafe { sys::ac_loop_call_at(self.raw, when, Some(run_boxed), ud, Some(free_boxed), &mut h) })?;
        Ok(CallbackHandle { raw: h, timer: true })
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
    pub fn set_slow_callback_duration(&self, duration: impl IntoDelay) -> Result<()> {
        check(unsafe { sys::ac_loop_set_slow_callback_duration(self.raw, duration.seconds()) }).map(|_| ())
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

    /// Every pending task of this loop and what it awaits (`ac_loop_dump`):
    /// an await tree as text, one line per task, each under the task
    /// awaiting it. On the loop's thread, in or out of its tasks and
    /// callbacks.
    pub fn dump(&self) -> Result<String> {
        dump_raw(self.raw, sys::AC_DUMP_TEXT)
    }

    /// The same as JSON lines: one object per task (id, name, state,
    /// cancelling, awaits, awaited_by).
    pub fn dump_json(&self) -> Result<String> {
        dump_raw(self.raw, sys::AC_DUMP_JSON)
    }

    /// The loop's counters (`ac_loop_get_stats`).
    pub fn stats(&self) -> Result<sys::ac_loop_stats> {
        stats_raw(self.raw)
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

    /// Runs `f` once after `delay` (a `Duration`, or seconds).
    pub fn call_later<R: CallbackResult>(
        &self,
        delay: impl IntoDelay,
        f: impl FnOnce() -> R + 'static,
    ) -> Result<CallbackHandle> {
        self.schedule(Some(delay.seconds()), f)
    }

    fn schedule<R: CallbackResult>(&self, delay: Option<f64>, f: impl FnOnce() -> R + 'static) -> Result<CallbackHandle> {
        if let Some(d) = delay.filter(|d| *d < 0.0) {
            // asyncio's call_later is call_at(time() + delay): a negative
            // delay is a deadline already past.
            return self.call_at(self.time() + d, f);
        }
        let ud = boxed_callback(f);
        let mut h = ptr::null_mut();
        // SAFETY: on failure free_ud ran.
        let rc = unsafe {
            match delay {
                None => sys::ac_loop_call_soon(self.raw, Some(run_boxed), ud, Some(free_boxed), &mut h),
                Some(d) => sys::ac_loop_call_later(self.raw, d, Some(run_boxed), ud, Some(free_boxed), &mut h),
            }
        };
        check(rc)?;
        Ok(CallbackHandle { raw: h, timer: delay.is_some() })
    }

    /// A thread-safe handle for posting work to this loop from any thread.
    pub fn handle(&self) -> LoopHandle {
        LoopHandle { raw: unsafe { sys::ac_loop_ref(self.raw) } }
    }

    /// Replaces the exception handler: `f(message, error)` receives what
    /// nobody else could (errors never retrieved, tasks destroyed pending,
    /// errors and panics of callbacks).
    pub fn set_exception_handler(&self, mut f: impl FnMut(&str, Option<Error>) + 'static) -> Result<()> {
        self.set_exception_handler_ctx(move |ctx| f(&ctx.message, ctx.exception.clone()))
    }

    /// As [`Loop::set_exception_handler`], with asyncio's whole context
    /// (what the report is about as well).
    pub fn set_exception_handler_ctx(&self, f: impl FnMut(&ExceptionContext) + 'static) -> Result<()> {
        type Handler = Box<dyn FnMut(&ExceptionContext)>;
        unsafe extern "C" fn call(
            _l: *mut sys::ac_loop,
            message: *const c_char,
            error: *mut sys::ac_error,
            f: *mut sys::ac_future,
            ud: *mut c_void,
        ) {
            let h = &mut *(ud as *mut Handler);
            let msg = if message.is_null() { String::new() } else { CStr::from_ptr(message).to_string_lossy().into_owned() };
            let err = (!error.is_null()).then(|| Error::from_raw(error));
            let subject = REPORT_SUBJECT.with(|c| c.take()).unwrap_or_else(|| {
                if f.is_null() {
                    ContextSubject::None
                } else if is_task_subject(sys::ac_loop_exception_subject(_l)) {
                    // The library's own reports about a task (a leftover of
                    // the shutdown, a task destroyed while pending).
                    ContextSubject::Task
                } else {
                    ContextSubject::Future
                }
            });
            let task = if f.is_null() { ptr::null_mut() } else { sys::ac_future_as_task(f) };
            let task_name = (!task.is_null()).then(|| {
                let name = sys::ac_task_get_name(task);
                if name.is_null() {
                    String::new()
                } else {
                    CStr::from_ptr(name).to_string_lossy().into_owned()
                }
            });
            let ctx = ExceptionContext { message: msg, exception: err, subject, task_name };
            let _ = catch_unwind(AssertUnwindSafe(|| h(&ctx)));
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

type BoxedCallback = Option<Box<dyn FnOnce() -> Result<()>>>;

fn boxed_callback<R: CallbackResult>(f: impl FnOnce() -> R + 'static) -> *mut c_void {
    let b: Box<dyn FnOnce() -> Result<()>> = Box::new(move || f().into_result());
    Box::into_raw(Box::new(Some(b))) as *mut c_void
}

unsafe extern "C" fn run_boxed(l: *mut sys::ac_loop, ud: *mut c_void) {
    let slot = &mut *(ud as *mut BoxedCallback);
    if let Some(f) = slot.take() {
        let _scope = LoopScope::enter(l);
        run_callback(l, f);
    }
}

unsafe extern "C" fn free_boxed(ud: *mut c_void) {
    let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(ud as *mut BoxedCallback))));
}

/// A scheduled callback; cancel it before it runs. Loop thread only.
pub struct CallbackHandle {
    raw: *mut sys::ac_call,
    /// A timer (call_later, call_at), not a call_soon.
    timer: bool,
}

impl CallbackHandle {
    /// Cancels the callback; true if this call cancelled it.
    pub fn cancel(&self) -> bool {
        unsafe { sys::ac_call_cancel(self.raw) == 1 }
    }
    /// True once cancelled.
    pub fn cancelled(&self) -> bool {
        unsafe { sys::ac_call_cancelled(self.raw) == 1 }
    }
    /// The loop time a timer is due, which may be past, even negative on
    /// a virtual clock (None for call_soon).
    pub fn when(&self) -> Option<f64> {
        self.timer.then(|| unsafe { sys::ac_call_when(self.raw) })
    }
}

impl Drop for CallbackHandle {
    fn drop(&mut self) {
        unsafe { sys::ac_call_unref(self.raw) };
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
    pub fn call_soon_threadsafe<R: CallbackResult>(&self, f: impl FnOnce() -> R + Send + 'static) -> Result<()> {
        let ud = boxed_callback(f);
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
    run_with(LoopBuilder::default(), main)
}

/// As [`run`], on a loop with the given options.
pub fn run_with<F, T>(options: LoopBuilder, main: F) -> Result<T>
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    if !CURRENT_LOOP.with(|c| c.get()).is_null() {
        // asyncio.run refuses before making a loop; `main` never starts.
        return Err(Error::with_message(
            sys::AC_EMISUSE,
            "asyncio.run() cannot be called from a running event loop",
        ));
    }
    options.build()?.run_main_within(main, options.shutdown_timeout.unwrap_or(SHUTDOWN_TIMEOUT))
}

fn dump_raw(raw: *mut sys::ac_loop, format: u32) -> Result<String> {
    let mut p: *mut c_char = ptr::null_mut();
    check(unsafe { sys::ac_loop_dump(raw, format as i32, &mut p) })?;
    let s = unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
    unsafe { sys::ac_free(p as *mut c_void) };
    Ok(s)
}

fn stats_raw(raw: *const sys::ac_loop) -> Result<sys::ac_loop_stats> {
    // SAFETY: plain counters; all zeros is a valid value.
    let mut st: sys::ac_loop_stats = unsafe { std::mem::zeroed() };
    check(unsafe { sys::ac_loop_get_stats(raw, &mut st, std::mem::size_of::<sys::ac_loop_stats>()) })?;
    Ok(st)
}

/// [`Loop::dump`] of the loop running the calling task.
pub fn dump() -> Result<String> {
    dump_raw(current_loop_raw()?, sys::AC_DUMP_TEXT)
}

/// [`Loop::dump_json`] of the loop running the calling task.
pub fn dump_json() -> Result<String> {
    dump_raw(current_loop_raw()?, sys::AC_DUMP_JSON)
}

/// [`Loop::stats`] of the loop running the calling task.
pub fn stats() -> Result<sys::ac_loop_stats> {
    stats_raw(current_loop_raw()?)
}

/// The current loop's time (the loop running the calling task).
pub fn time() -> f64 {
    match current_loop_raw() {
        Ok(raw) => unsafe { sys::ac_loop_time(raw) },
        Err(_) => -1.0,
    }
}
