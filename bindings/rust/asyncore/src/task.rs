//! Rust futures as loop tasks: the step function, the wakers, JoinHandle.
//!
//! A spawned future lives in a `TaskState` that the C task owns (its
//! `free_state` drops it exactly once). The loop calls `step`, which polls
//! the future once:
//!
//! * `Ready(Ok(v))` stores `v` as the task's result, `Ready(Err(e))` fails
//!   the task with `e` (cancelled for `Error::Cancelled`), a panic fails it
//!   with `AC_EHOST` and the panic message.
//! * `Pending` parks the task. If, during the poll, exactly one loop future
//!   was found pending (a sleep, a JoinHandle, a queue get ...) and no waker
//!   clone exists, the task awaits that future directly (`ac_task_await`):
//!   no allocation, and cancelling the task cancels that future, as in
//!   asyncio. Otherwise the task awaits a private *wake future*, which the
//!   task's waker completes; every loop future seen in the poll gets a
//!   done-callback that wakes the task.
//!
//! Wakers: the waker handed to `poll` is borrowed (it points at the task's
//! header); cloning it creates, once per task, a shared `WakeCell` (an Arc)
//! that outlives the task safely. A wake on the loop's thread acts at once;
//! a wake from another thread is posted with ac_loop_call_soon_threadsafe,
//! coalesced so that many wakes post one callback.
//!
//! Cancellation: when a step resumes with AC_ECANCELLED that no awaited loop
//! future reports itself (the wake future was cancelled, or the task was
//! cancelled while ready), the task records a pending cancellation. The
//! next loop future the task polls while that future is still pending is
//! cancelled (as asyncio cancels the future a task awaits) and the task
//! resumes once it is done: at once for a sleep or a plain future, after
//! its cleanup for a task. A future that is already done keeps its result
//! (a queue item is never lost). A task that finishes with the
//! cancellation still undelivered ends cancelled.

use std::cell::{Cell, UnsafeCell};
use std::ffi::{CStr, CString};
use std::future::Future;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::os::raw::{c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use asyncore_sys as sys;

use crate::awaiting::{copied_outcome, exception_now, outcome, result_now, Await};
use crate::future::add_done_callback_raw;
use crate::error::{Error, Result};
use crate::runtime::{current_loop_raw, panic_message, CallbackResult, LoopScope};
use crate::value::OutValue;

static NEXT_THREAD: AtomicU64 = AtomicU64::new(1);
thread_local! {
    static THREAD_TOKEN: u64 = NEXT_THREAD.fetch_add(1, Ordering::Relaxed);
    /// The step being polled on this thread, or null.
    static STEP: Cell<*mut StepCtx> = const { Cell::new(ptr::null_mut()) };
    /// The task whose future is being dropped on this thread, or null.
    static DROPPING: Cell<*const Header> = const { Cell::new(ptr::null()) };
}

/// A number identifying the calling thread (never reused, unlike a
/// ThreadId it is cheap to read).
pub(crate) fn thread_token() -> u64 {
    THREAD_TOKEN.with(|t| *t)
}

/// The part of a task's state that does not depend on the future's type.
/// Lives inside the C task's state; touched only on the loop's thread,
/// except `cell` (atomic), `token` and `loop_` (immutable). Kept small (one
/// per task): what only cancellations need lives apart, made on first use.
pub(crate) struct Header {
    loop_: *mut sys::ac_loop,
    /// The loop thread's token; set by the first step (a task may be made
    /// on another thread: run_threadsafe), read by wakers during polls.
    token: AtomicU64,
    /// The wake future the task is parked on (our reference), or null.
    wake: Cell<*mut sys::ac_future>,
    /// The shared wake cell (an `Arc<WakeCell>` turned raw), made on the
    /// first waker clone; null until then.
    cell: AtomicPtr<WakeCell>,
    /// The rarely used part, or null.
    cold: Cell<*mut Cold>,
    /// POLLING, WOKEN, CANCEL_PENDING.
    flags: Cell<u8>,
}

/// True while the step polls the future: a wake then means "poll again".
const POLLING: u8 = 1;
/// Woken during the poll.
const WOKEN: u8 = 2;
/// A cancellation not yet delivered to the Rust code (its message is in
/// `Cold::cancel_message`).
const CANCEL_PENDING: u8 = 4;

#[derive(Default)]
struct Cold {
    cancel_message: String,
    /// Futures whose result the task must not take: the task resumed from
    /// them cancelled, and the library passed what they were handed (a
    /// lock, a permit, a queue item) on. Each holds a reference; an Await
    /// of one of them resolves to the cancellation instead.
    revoked: Vec<*mut sys::ac_future>,
    /// Loop futures holding a `wake_on_done` registration for this task
    /// (one reference each), so a park does not register twice on a
    /// future polled again and again (a shutdown future in a select loop):
    /// the registration ends when the future completes (wake_on_done).
    watching: Vec<*mut sys::ac_future>,
}

/// What clones of a task's waker point at. Outlives the task: `header` is
/// cleared when the task's state is dropped.
struct WakeCell {
    loop_: *mut sys::ac_loop, // one reference, dropped with the cell
    token: u64,
    header: Cell<*const Header>, // loop thread only
    /// A wake-up posted from another thread has not run yet.
    remote_pending: AtomicBool,
}

// SAFETY: `header` is read and written only on the loop's thread (checked
// with `token`); the loop reference is thread-safe (atomic count), and
// ac_loop_call_soon_threadsafe may be called from any thread.
unsafe impl Send for WakeCell {}
unsafe impl Sync for WakeCell {}

impl Drop for WakeCell {
    fn drop(&mut self) {
        // SAFETY: thread-safe unref of the reference taken at creation.
        unsafe { sys::ac_loop_unref(self.loop_) };
    }
}

impl Header {
    fn new(loop_: *mut sys::ac_loop) -> Header {
        Header {
            loop_,
            token: AtomicU64::new(0),
            wake: Cell::new(ptr::null_mut()),
            cell: AtomicPtr::new(ptr::null_mut()),
            cold: Cell::new(ptr::null_mut()),
            flags: Cell::new(0),
        }
    }

    #[inline]
    fn flag(&self, f: u8) -> bool {
        self.flags.get() & f != 0
    }

    #[inline]
    fn set_flag(&self, f: u8, on: bool) {
        let v = self.flags.get();
        self.flags.set(if on { v | f } else { v & !f });
    }

    /// Clears `f`, returning whether it was set.
    #[inline]
    fn take_flag(&self, f: u8) -> bool {
        let v = self.flags.get();
        self.flags.set(v & !f);
        v & f != 0
    }

    /// Runs `f` on the cold part, made on first use. Loop thread only;
    /// `f` must not call back into the task (it only moves data).
    fn with_cold<R>(&self, f: impl FnOnce(&mut Cold) -> R) -> R {
        let mut p = self.cold.get();
        if p.is_null() {
            p = Box::into_raw(Box::default());
            self.cold.set(p);
        }
        // SAFETY: ours, freed only with the header; no other reference to
        // it is alive while `f` runs (f does not reenter).
        f(unsafe { &mut *p })
    }

    /// The wake cell, made on first use (possibly from another thread that
    /// clones the waker while the step polls).
    fn wake_cell(&self) -> *const WakeCell {
        let p = self.cell.load(Ordering::Acquire);
        if !p.is_null() {
            return p;
        }
        let fresh = Arc::into_raw(Arc::new(WakeCell {
            // SAFETY: the loop outlives its tasks; ref is thread-safe.
            loop_: unsafe { sys::ac_loop_ref(self.loop_) },
            token: self.token.load(Ordering::Relaxed),
            header: Cell::new(self),
            remote_pending: AtomicBool::new(false),
        })) as *mut WakeCell;
        match self.cell.compare_exchange(ptr::null_mut(), fresh, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => fresh,
            Err(existing) => {
                // SAFETY: ours, never published.
                unsafe { drop(Arc::from_raw(fresh)) };
                existing
            }
        }
    }

    /// True when some waker clone exists besides the header's own hold.
    #[inline]
    fn has_waker_clones(&self) -> bool {
        let p = self.cell.load(Ordering::Acquire);
        if p.is_null() {
            return false;
        }
        // SAFETY: the header holds one count, so the Arc is alive.
        let arc = ManuallyDrop::new(unsafe { Arc::from_raw(p) });
        Arc::strong_count(&arc) > 1
    }

    /// If `f` was revoked (see `Cold::revoked`), forgets it and returns true.
    #[inline]
    pub(crate) fn take_revoked(&self, f: *mut sys::ac_future) -> bool {
        !self.cold.get().is_null() && self.take_revoked_slow(f)
    }

    fn take_revoked_slow(&self, f: *mut sys::ac_future) -> bool {
        let found = self.with_cold(|c| c.revoked.iter().position(|&x| x == f).map(|i| c.revoked.swap_remove(i)).is_some());
        if found {
            // SAFETY: the reference taken when it was revoked (released
            // after the borrow ends: it may run Rust destructors).
            unsafe { sys::ac_future_unref(f) };
        }
        found
    }

    /// True if `f` holds a live wake registration for this task.
    fn watches(&self, f: *mut sys::ac_future) -> bool {
        !self.cold.get().is_null() && self.with_cold(|c| c.watching.contains(&f))
    }

    /// `f` completed: its registration ended.
    fn forget_watch(&self, f: *mut sys::ac_future) {
        if self.cold.get().is_null() {
            return;
        }
        let found = self.with_cold(|c| c.watching.iter().position(|&x| x == f).map(|i| c.watching.swap_remove(i)).is_some());
        if found {
            // SAFETY: the reference kept with the registration (its
            // done-callback holds another while it runs).
            unsafe { sys::ac_future_unref(f) };
        }
    }

    /// Takes the pending cancellation, if any, as the error to deliver.
    #[inline]
    pub(crate) fn take_cancel(&self) -> Option<Error> {
        if self.take_flag(CANCEL_PENDING) {
            Some(Error::cancelled(self.with_cold(|c| std::mem::take(&mut c.cancel_message))))
        } else {
            None
        }
    }

    /// Withdraws a cancellation recorded but not delivered.
    fn clear_cancel(&self) {
        if self.take_flag(CANCEL_PENDING) {
            self.with_cold(|c| c.cancel_message.clear());
        }
    }
}

impl Drop for Header {
    #[inline]
    fn drop(&mut self) {
        // Most tasks end with nothing of these left.
        if !self.cold.get().is_null() || !self.wake.get().is_null() || !self.cell.get_mut().is_null() {
            self.release_parts();
        }
    }
}

impl Header {
    #[cold]
    fn release_parts(&mut self) {
        let c = self.cold.replace(ptr::null_mut());
        if !c.is_null() {
            // SAFETY: ours (Box::into_raw in `with_cold`).
            let c = unsafe { Box::from_raw(c) };
            for &f in c.revoked.iter().chain(&c.watching) {
                // SAFETY: references taken when revoked or registered.
                unsafe { sys::ac_future_unref(f) };
            }
        }
        let w = self.wake.replace(ptr::null_mut());
        if !w.is_null() {
            // SAFETY: our reference to the wake future.
            unsafe { sys::ac_future_unref(w) };
        }
        let p = std::mem::replace(self.cell.get_mut(), ptr::null_mut());
        if !p.is_null() {
            // SAFETY: loop thread (states are dropped by the loop); the cell
            // stops pointing at us, then we drop our count.
            unsafe {
                (*p).header.set(ptr::null());
                drop(Arc::from_raw(p));
            }
        }
    }
}

/// Wakes a task on its loop's thread.
fn wake_local(h: &Header) {
    if h.flag(POLLING) {
        h.set_flag(WOKEN, true);
        return;
    }
    let w = h.wake.get();
    // SAFETY: `w` is our live reference; completing it schedules the step.
    if !w.is_null() && unsafe { sys::ac_future_done(w) } == 0 {
        unsafe { sys::ac_future_set_result_none(w) };
    }
    // Otherwise the task awaits a loop future directly (then no waker clone
    // existed when it parked, so no wake can come from elsewhere), or it is
    // already scheduled.
}

unsafe fn wake_cell_by_ref(cell: *const WakeCell) {
    let c = &*cell;
    if thread_token() == c.token {
        let h = c.header.get();
        if !h.is_null() {
            wake_local(&*h);
        }
        return;
    }
    // Another thread: post one wake-up; later ones coalesce until it ran.
    if c.remote_pending.swap(true, Ordering::AcqRel) {
        return;
    }
    Arc::increment_strong_count(cell);
    // On failure (loop closed) free_ud has run already; the next wake may
    // try again.
    if sys::ac_loop_call_soon_threadsafe(c.loop_, Some(remote_wake), cell as *mut c_void, Some(release_cell)) < 0 {
        c.remote_pending.store(false, Ordering::Release);
    }
}

unsafe extern "C" fn remote_wake(_loop: *mut sys::ac_loop, ud: *mut c_void) {
    let c = &*(ud as *const WakeCell);
    c.remote_pending.store(false, Ordering::Release);
    let h = c.header.get();
    if !h.is_null() {
        wake_local(&*h);
    }
}

unsafe extern "C" fn release_cell(ud: *mut c_void) {
    Arc::decrement_strong_count(ud as *const WakeCell);
}

/// Done-callback that wakes a task (ud: a counted WakeCell).
unsafe extern "C" fn wake_on_done(f: *mut sys::ac_future, ud: *mut c_void) {
    // Done-callbacks run on the loop's thread: the header may be read.
    let h = (*(ud as *const WakeCell)).header.get();
    if !h.is_null() {
        (*h).forget_watch(f);
    }
    wake_cell_by_ref(ud as *const WakeCell);
}

// The borrowed waker of a step: data is the task's Header.
static TASK_VTABLE: RawWakerVTable =
    RawWakerVTable::new(task_waker_clone, task_waker_wake, task_waker_wake, task_waker_drop);
// Owned clones: data is a counted WakeCell.
static CELL_VTABLE: RawWakerVTable =
    RawWakerVTable::new(cell_waker_clone, cell_waker_wake, cell_waker_wake_by_ref, cell_waker_drop);

unsafe fn task_waker_clone(data: *const ()) -> RawWaker {
    let cell = (*(data as *const Header)).wake_cell();
    Arc::increment_strong_count(cell);
    RawWaker::new(cell as *const (), &CELL_VTABLE)
}
unsafe fn task_waker_wake(data: *const ()) {
    let h = &*(data as *const Header);
    if thread_token() == h.token.load(Ordering::Relaxed) {
        wake_local(h);
    } else {
        wake_cell_by_ref(h.wake_cell());
    }
}
unsafe fn task_waker_drop(_data: *const ()) {}
unsafe fn cell_waker_clone(data: *const ()) -> RawWaker {
    Arc::increment_strong_count(data as *const WakeCell);
    RawWaker::new(data, &CELL_VTABLE)
}
unsafe fn cell_waker_wake(data: *const ()) {
    wake_cell_by_ref(data as *const WakeCell);
    Arc::decrement_strong_count(data as *const WakeCell);
}
unsafe fn cell_waker_wake_by_ref(data: *const ()) {
    wake_cell_by_ref(data as *const WakeCell);
}
unsafe fn cell_waker_drop(data: *const ()) {
    Arc::decrement_strong_count(data as *const WakeCell);
}

/// What one poll of a task learns: the loop futures found pending while
/// polled with the task's own waker (each with a reference we hold).
pub(crate) struct StepCtx {
    header: *const Header,
    task: *mut sys::ac_task,
    /// The first one (the only one, usually), then the others.
    first: *mut sys::ac_future,
    rest: Vec<*mut sys::ac_future>,
}

impl StepCtx {
    #[inline]
    fn push(&mut self, f: *mut sys::ac_future) {
        if self.first.is_null() {
            self.first = f;
        } else {
            self.rest.push(f);
        }
    }

    /// The only future found, if exactly one was.
    #[inline]
    fn take_single(&mut self) -> Option<*mut sys::ac_future> {
        (!self.first.is_null() && self.rest.is_empty()).then(|| std::mem::replace(&mut self.first, ptr::null_mut()))
    }

    fn drain(&mut self) -> impl Iterator<Item = *mut sys::ac_future> + '_ {
        let first = std::mem::replace(&mut self.first, ptr::null_mut());
        (!first.is_null()).then_some(first).into_iter().chain(self.rest.drain(..))
    }
}

/// A task's future: the task itself, converted (the C header promises that
/// `ac_task_future(t)` is `t`'s own address), without a call.
#[inline]
pub(crate) fn task_future(t: *mut sys::ac_task) -> *mut sys::ac_future {
    t.cast()
}

/// The step being polled on this thread, if any.
#[inline]
pub(crate) fn current_step() -> Option<&'static mut StepCtx> {
    let s = STEP.with(|s| s.get());
    // SAFETY: set only for the duration of a poll, on this thread.
    (!s.is_null()).then(|| unsafe { &mut *s })
}

/// Wakes the task `cx` belongs to: at once when it is the task being
/// polled here (the step polls again), else through the waker.
#[inline]
pub(crate) fn wake_by_ref(cx: &Context<'_>) {
    match current_step() {
        Some(s) if s.is_own(cx) => s.header().set_flag(WOKEN, true),
        _ => cx.waker().wake_by_ref(),
    }
}

impl StepCtx {
    /// True when `cx` is this task's own waker.
    #[inline]
    pub(crate) fn is_own(&self, cx: &Context<'_>) -> bool {
        let w = cx.waker();
        w.data() == self.header as *const () && ptr::eq(w.vtable(), &TASK_VTABLE)
    }
    /// The future of the task being polled (the task itself).
    #[inline]
    pub(crate) fn task_future(&self) -> *mut sys::ac_future {
        task_future(self.task)
    }
    /// The loop of the task being polled.
    #[inline]
    pub(crate) fn loop_raw(&self) -> *mut sys::ac_loop {
        self.header().loop_
    }
    pub(crate) fn header(&self) -> &Header {
        // SAFETY: alive during the poll.
        unsafe { &*self.header }
    }
    /// Records a pending loop future the task could await directly.
    pub(crate) fn await_candidate(&mut self, f: *mut sys::ac_future) {
        // SAFETY: f is live; we keep a reference until the step ends.
        self.push(unsafe { sys::ac_future_ref(f) });
    }
}

/// The header of the task being polled on this thread, if any.
#[inline]
pub(crate) fn current_header() -> Option<&'static Header> {
    let s = STEP.with(|s| s.get());
    // SAFETY: as in step_for.
    (!s.is_null()).then(|| unsafe { &*(*s).header })
}

/// The header of the task being polled, or whose future is being dropped.
pub(crate) fn polling_or_dropping_header() -> Option<&'static Header> {
    current_header().or_else(|| {
        let d = DROPPING.with(|d| d.get());
        // SAFETY: set only while the state it belongs to is dropped.
        (!d.is_null()).then(|| unsafe { &*d })
    })
}

pub(crate) struct TaskState<F> {
    header: Header,
    future: UnsafeCell<Option<F>>,
}

impl<F> TaskState<F> {
    fn boxed(loop_: *mut sys::ac_loop, fut: F) -> *mut TaskState<F> {
        Box::into_raw(Box::new(TaskState { header: Header::new(loop_), future: UnsafeCell::new(Some(fut)) }))
    }
}

/// Drops the future of a task state first, while its task's header is
/// still there to be asked (an acquire dropped unread must know if it was
/// revoked).
unsafe fn drop_future_first<F>(st: &TaskState<F>) {
    if (*st.future.get()).is_some() {
        let prev = DROPPING.with(|d| d.replace(&st.header));
        let _ = catch_unwind(AssertUnwindSafe(|| drop((*st.future.get()).take())));
        DROPPING.with(|d| d.set(prev));
    }
}

/// Frees a boxed task state (`new_state`).
pub(crate) unsafe extern "C" fn free_state<F>(state: *mut c_void) {
    // Dropping the future runs Rust code: no panic may cross into C.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let st = Box::from_raw(state as *mut TaskState<F>);
        drop_future_first(&st);
        drop(st);
    }));
}

/// Drops a task state that lives in the task's own block
/// (`ac_task_new_copy`): the library frees the memory.
unsafe extern "C" fn drop_state_in_place<F>(state: *mut c_void) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let st = state as *mut TaskState<F>;
        drop_future_first(&*st);
        ptr::drop_in_place(st);
    }));
}

/// The alignment the library gives a copied state block.
const COPY_ALIGN: usize = 16;

/// A step resumes cancelled: learns whether the cancellation reaches the
/// Rust code through the future it awaited, or must be delivered later.
#[cold]
unsafe fn resumed_cancelled(task: *mut sys::ac_task, h: &Header, w: *mut sys::ac_future) {
    let awaited = sys::ac_task_awaited(task);
    if !awaited.is_null() && awaited != w && sys::ac_future_state_of(awaited) == sys::AC_FUTURE_RESULT as c_int {
        // Cancelled while ready to resume with a result: the task sees
        // the cancellation instead (asyncio), and the library already
        // passed on what the future was handed.
        let r = sys::ac_future_ref(awaited);
        h.with_cold(|c| c.revoked.push(r));
    }
    // A loop future awaited directly reports its own cancellation: one
    // cancelled, or one that failed with a cancellation error (a gather
    // whose child was cancelled, asyncio's "the outer future is not
    // cancelled").
    let reports_itself = !awaited.is_null()
        && awaited != w
        && match sys::ac_future_state_of(awaited) as u32 {
            sys::AC_FUTURE_CANCELLED => true,
            sys::AC_FUTURE_ERROR => sys::ac_error_code(sys::ac_future_error(awaited)) == sys::AC_ECANCELLED,
            _ => false,
        };
    if !reports_itself {
        // The cancellation being delivered, with cancel()'s message, also
        // when the task was cancelled while ready and nothing it awaited
        // failed.
        let err = sys::ac_task_outcome_error(task);
        let msg = if err.is_null() { ptr::null() } else { sys::ac_error_message(err) };
        let msg = if msg.is_null() { String::new() } else { CStr::from_ptr(msg).to_string_lossy().into_owned() };
        h.with_cold(|c| c.cancel_message = msg);
        h.set_flag(CANCEL_PENDING, true);
    }
}

pub(crate) unsafe extern "C" fn step<F, T>(task: *mut sys::ac_task, state: *mut c_void) -> c_int
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    let st = &*(state as *const TaskState<F>);
    let h = &st.header;
    if h.token.load(Ordering::Relaxed) == 0 {
        // First step (a task made elsewhere learns its thread).
        h.token.store(thread_token(), Ordering::Relaxed);
    }

    // Resume: learn whether a cancellation arrived that no Rust code sees.
    let w = h.wake.replace(ptr::null_mut());
    if sys::ac_task_outcome(task) == sys::AC_ECANCELLED {
        resumed_cancelled(task, h, w);
    }
    if !w.is_null() {
        sys::ac_future_unref(w);
    }

    let slot = &mut *st.future.get();
    let Some(fut) = slot.as_mut() else {
        return sys::AC_STEP_DONE as c_int;
    };
    let waker = ManuallyDrop::new(Waker::from_raw(RawWaker::new(h as *const Header as *const (), &TASK_VTABLE)));
    let mut cx = Context::from_waker(&waker);
    let mut ctx = StepCtx { header: h, task, first: ptr::null_mut(), rest: Vec::new() };
    let prev = STEP.with(|s| s.replace(&mut ctx));
    let scope = LoopScope::enter(h.loop_);
    h.set_flag(POLLING, true);
    let polled = catch_unwind(AssertUnwindSafe(|| Pin::new_unchecked(&mut *fut).poll(&mut cx)));
    h.set_flag(POLLING, false);
    drop(scope);
    STEP.with(|s| s.set(prev));

    match polled {
        Ok(Poll::Pending) => park(task, h, &mut ctx),
        Ok(Poll::Ready(res)) => {
            release_all(&mut ctx);
            finish(task, h, res)
        }
        Err(payload) => {
            release_all(&mut ctx);
            let msg = format!("task panicked: {}", panic_message(&*payload));
            drop(payload);
            // The future is poisoned: drop it now, never poll it again.
            let _ = catch_unwind(AssertUnwindSafe(|| *slot = None));
            let c = CString::new(msg.replace('\0', " ")).unwrap_or_default();
            sys::ac_task_fail(task, sys::AC_EHOST, c.as_ptr())
        }
    }
}

#[inline]
fn release_all(ctx: &mut StepCtx) {
    if ctx.first.is_null() {
        return;
    }
    for f in ctx.drain() {
        // SAFETY: references taken by await_candidate.
        unsafe { sys::ac_future_unref(f) };
    }
}

#[inline]
unsafe fn park(task: *mut sys::ac_task, h: &Header, ctx: &mut StepCtx) -> c_int {
    if h.take_flag(WOKEN) {
        // Woken during the poll (yield_now, a ready channel): run again
        // after the callbacks already ready, as asyncio's sleep(0).
        release_all(ctx);
        return sys::AC_STEP_YIELD as c_int;
    }
    if !h.has_waker_clones() {
        if let Some(f) = ctx.take_single() {
            // The only thing that can wake us is this future: await it directly.
            return sys::ac_task_await_owned(task, f);
        }
    }
    park_general(task, h, ctx)
}

/// Parks on a wake future, with done-callbacks on what the poll saw pending.
unsafe fn park_general(task: *mut sys::ac_task, h: &Header, ctx: &mut StepCtx) -> c_int {
    let futures: Vec<_> = ctx.drain().collect();
    let mut failed = 0;
    for f in futures {
        if failed == 0 && !h.watches(f) {
            let cell = h.wake_cell();
            Arc::increment_strong_count(cell);
            // On failure free_ud has run (the count is given back).
            let rc = sys::ac_future_add_done_callback(f, Some(wake_on_done), cell as *mut c_void, Some(release_cell));
            if rc < 0 {
                failed = rc;
            } else {
                // The candidate's reference stays with the registration.
                h.with_cold(|c| c.watching.push(f));
                continue;
            }
        }
        sys::ac_future_unref(f);
    }
    if failed < 0 {
        // The task could not be woken by what it waits on: it fails with
        // the reason rather than wait forever.
        return failed;
    }
    let mut w = ptr::null_mut();
    let rc = sys::ac_future_new(h.loop_, &mut w);
    if rc < 0 {
        return rc;
    }
    h.wake.set(w);
    sys::ac_task_await(task, w)
}

unsafe fn finish<T: 'static>(task: *mut sys::ac_task, h: &Header, res: Result<T>) -> c_int {
    match res {
        Ok(v) => {
            if let Some(e) = h.take_cancel() {
                // asyncio: finishing with a cancellation still pending ends
                // the task cancelled.
                drop(v);
                return raise(task, &e);
            }
            return_value(task, v)
        }
        Err(e) => raise(task, &e),
    }
}

/// Stores `v` as the task's result; returns what the step returns.
#[inline]
unsafe fn return_value<T: 'static>(task: *mut sys::ac_task, v: T) -> c_int {
    // The native kinds that need no allocation go straight in.
    if let Some(r) = crate::value::small(&v) {
        return match r {
            crate::value::Small::Unit => sys::AC_STEP_DONE as c_int, // NONE
            crate::value::Small::Int(i) => sys::ac_task_return_int64(task, i),
            crate::value::Small::Double(d) => sys::ac_task_return_double(task, d),
        };
    }
    let out = OutValue::new(v);
    let rc = sys::ac_task_return(task, &out.raw);
    if rc == sys::AC_STEP_DONE as c_int {
        out.stored();
    }
    rc
}

unsafe fn raise(task: *mut sys::ac_task, e: &Error) -> c_int {
    let raw = e.to_raw();
    if raw.is_null() {
        return e.code();
    }
    let rc = sys::ac_task_raise(task, raw);
    sys::ac_error_unref(raw);
    rc
}

/// How a task is created: `ac_task_new_copy` (the state is moved into
/// the task's own block) or `ac_task_new` (a boxed state), or the
/// taskgroup's variants with the same arguments.
pub(crate) struct TaskCreator<'a> {
    pub copy: &'a mut dyn FnMut(sys::ac_step_fn, *const c_void, usize, sys::ac_free_fn, *mut *mut sys::ac_task) -> c_int,
    pub boxed: &'a mut dyn FnMut(sys::ac_step_fn, *mut c_void, sys::ac_free_fn, *mut *mut sys::ac_task) -> c_int,
}

/// Spawns `fut` as a task of the loop `raw`, made by `create`: one
/// allocation (task and state together) unless the state needs more
/// alignment than the library's block gives.
pub(crate) fn spawn_with<F, T>(raw: *mut sys::ac_loop, fut: F, create: TaskCreator<'_>) -> Result<JoinHandle<T>>
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    let mut task = ptr::null_mut();
    let rc = if std::mem::align_of::<TaskState<F>>() <= COPY_ALIGN {
        let state = ManuallyDrop::new(TaskState { header: Header::new(raw), future: UnsafeCell::new(Some(fut)) });
        let init = &*state as *const TaskState<F> as *const c_void;
        // The bits move into the task's block; on failure the library has
        // dropped them in place here. Either way `state` is not dropped.
        (create.copy)(
            Some(step::<F, T>),
            init,
            std::mem::size_of::<TaskState<F>>(),
            Some(drop_state_in_place::<F>),
            &mut task,
        )
    } else {
        let state = TaskState::boxed(raw, fut);
        // On failure free_state has run (the state is gone).
        (create.boxed)(Some(step::<F, T>), state as *mut c_void, Some(free_state::<F>), &mut task)
    };
    crate::error::check(rc)?;
    Ok(unsafe { JoinHandle::from_owned(task) })
}

/// A boxed task state for `fut` on the loop `raw`, with the step and
/// free functions that go with it (for creators that are not a JoinHandle).
pub(crate) fn new_state<F, T>(raw: *mut sys::ac_loop, fut: F) -> (sys::ac_step_fn, *mut c_void, sys::ac_free_fn)
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    let state = TaskState::boxed(raw, fut);
    (Some(step::<F, T>), state as *mut c_void, Some(free_state::<F>))
}

/// Spawns a task of the current loop that runs its first step at once,
/// inside this call, up to its first suspension (asyncio's eager task
/// factory); it is then scheduled as any task. A task that finishes in
/// that step is done when this returns.
///
/// # Panics
/// When no loop runs on this thread, or the loop refuses the task.
pub fn spawn_eager<F, T>(fut: F) -> JoinHandle<T>
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    let raw = current_loop_raw().unwrap_or_else(|e| panic!("asyncore::spawn_eager: {e}"));
    let (step, state, free) = new_state(raw, fut);
    let mut task = ptr::null_mut();
    // The state may already be freed on return (a task done in its first
    // step), so it is not touched here. On failure free_state has run.
    let rc = unsafe { sys::ac_task_new(raw, step, state, free, sys::AC_TASK_EAGER, &mut task) };
    if let Err(e) = crate::error::check(rc) {
        panic!("asyncore::spawn_eager: {e}");
    }
    unsafe { JoinHandle::from_owned(task) }
}

/// Requests cancellation of the task being polled on this thread, with an
/// optional message (asyncio's `current_task().cancel()`): its next await
/// of a loop future gives `Err(Cancelled)`, and if it finishes first it
/// ends cancelled. False outside a task.
pub fn cancel_current(message: Option<&str>) -> bool {
    let Some(t) = current_task_raw() else {
        return false;
    };
    let c = message.map(|m| CString::new(m.replace('\0', " ")).unwrap_or_default());
    // SAFETY: the task is alive while its step polls; message copied.
    unsafe { sys::ac_task_cancel(t, c.as_ref().map_or(ptr::null(), |c| c.as_ptr())) == 1 }
}

/// Spawns `fut` as a task of the loop `raw`.
pub(crate) fn spawn_raw<F, T>(raw: *mut sys::ac_loop, fut: F) -> Result<JoinHandle<T>>
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    spawn_with(
        raw,
        fut,
        TaskCreator {
            copy: &mut |step, init, size, free, out| unsafe {
                sys::ac_task_new_copy(raw, step, init, size, free, 0, out, ptr::null_mut())
            },
            boxed: &mut |step, state, free, out| unsafe { sys::ac_task_new(raw, step, state, free, 0, out) },
        },
    )
}

/// The task whose step is polling on this thread, if any (borrowed).
pub(crate) fn current_task_raw() -> Option<*mut sys::ac_task> {
    let s = STEP.with(|s| s.get());
    // SAFETY: as in step_for.
    (!s.is_null()).then(|| unsafe { (*s).task })
}

/// After a scope (a timeout, a task group) took its cancellation request
/// back: if the task's count is back to `level`, a cancellation recorded
/// but not yet delivered was the scope's, and is withdrawn.
pub(crate) fn withdraw_stale_cancel(level: i64) {
    if let (Some(h), Some(t)) = (current_header(), current_task_raw()) {
        if h.flag(CANCEL_PENDING) && unsafe { sys::ac_task_cancelling(t) } <= level {
            h.clear_cancel();
        }
    }
}

/// Spawns a future as a task of the current loop (the loop running the
/// calling task or callback), like `asyncio.create_task`. The future need
/// not be `Send`: it stays on the loop's thread. The task runs even if the
/// handle is dropped.
///
/// # Panics
/// When no loop runs on this thread, or the loop refuses the task.
pub fn spawn<F, T>(fut: F) -> JoinHandle<T>
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    try_spawn(fut).unwrap_or_else(|e| panic!("asyncore::spawn: {e}"))
}

/// As [`spawn`], returning the error instead of panicking.
pub fn try_spawn<F, T>(fut: F) -> Result<JoinHandle<T>>
where
    F: Future<Output = Result<T>> + 'static,
    T: 'static,
{
    spawn_raw(current_loop_raw()?, fut)
}

/// A task of the loop: awaiting it gives the task's result, its error, or
/// `Err(Error::Cancelled)` if it was cancelled. Dropping the handle neither
/// cancels the task nor leaks it (the loop holds the task until it is done).
pub struct JoinHandle<T> {
    task: *mut sys::ac_task,
    aw: Await,
    _t: PhantomData<fn() -> T>,
}

impl<T: 'static> JoinHandle<T> {
    /// Wraps a task, taking over one reference.
    ///
    /// # Safety
    /// `task` is a live task whose result (if any) is a value of type `T`
    /// made by this crate, or a native value of that type.
    pub unsafe fn from_owned(task: *mut sys::ac_task) -> JoinHandle<T> {
        JoinHandle { task, aw: Await::from_owned(task_future(task)), _t: PhantomData }
    }

    /// The raw task (borrowed).
    pub fn as_raw(&self) -> *mut sys::ac_task {
        self.task
    }

    /// Requests cancellation (asyncio's `Task.cancel`); true if requested,
    /// false if the task is already done.
    pub fn cancel(&self) -> bool {
        self.cancel_with(None)
    }

    /// Requests cancellation with a message.
    pub fn cancel_with(&self, message: Option<&str>) -> bool {
        // SAFETY: live task.
        unsafe { cancel_raw(self.task, message) }
    }

    /// Pending cancellation requests (asyncio's `Task.cancelling`).
    pub fn cancelling(&self) -> usize {
        unsafe { sys::ac_task_cancelling(self.task) }.max(0) as usize
    }

    /// Takes one cancellation request back (asyncio's `Task.uncancel`).
    pub fn uncancel(&self) -> usize {
        unsafe { sys::ac_task_uncancel(self.task) }.max(0) as usize
    }

    /// True once the task finished (result, error or cancelled).
    pub fn is_finished(&self) -> bool {
        unsafe { sys::ac_future_done(self.aw.raw()) == 1 }
    }

    /// True if the task ended cancelled.
    pub fn is_cancelled(&self) -> bool {
        unsafe { sys::ac_future_cancelled(self.aw.raw()) == 1 }
    }

    /// The task's name ("Task-N" unless set).
    pub fn name(&self) -> String {
        let p = unsafe { sys::ac_task_name(self.task) };
        if p.is_null() {
            String::new()
        } else {
            unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
        }
    }

    /// Renames the task.
    pub fn set_name(&self, name: &str) -> Result<()> {
        let c = CString::new(name.replace('\0', " ")).unwrap_or_default();
        crate::error::check(unsafe { sys::ac_task_set_name(self.task, c.as_ptr()) }).map(|_| ())
    }

    /// The task's id: its creation order, as [`Loop::dump`](crate::Loop::dump) shows it.
    pub fn id(&self) -> u64 {
        unsafe { sys::ac_task_get_id(self.task) }
    }

    /// A copy of a finished task's outcome, leaving the result for other
    /// readers (awaiting tasks, [`JoinHandle::try_result`]); None while it
    /// runs. For the native kinds (`()`, `i64`, `f64`, `Vec<u8>`,
    /// `String`); another `T` gives `Err(Usage)`.
    pub fn peek_result(&self) -> Option<Result<T>> {
        self.is_finished().then(|| unsafe { copied_outcome::<T>(self.aw.raw()) })
    }

    /// The outcome of a finished task without waiting (moves the result
    /// out); None while it runs.
    pub fn try_result(&mut self) -> Option<Result<T>> {
        self.is_finished().then(|| unsafe { outcome::<T>(self.aw.raw()) })
    }
}

impl<T: 'static> JoinHandle<T> {
    /// The task as an untyped [`Task`] (asyncio's task object).
    pub fn task(&self) -> Task {
        Task { raw: unsafe { sys::ac_task_ref(self.task) } }
    }

    /// True once the task finished (asyncio's `done()`).
    pub fn done(&self) -> bool {
        self.is_finished()
    }

    /// The result without waiting (asyncio's `result()`): native values
    /// are copied, others move out; `Err(InvalidState)` while it runs.
    pub fn result(&self) -> Result<T> {
        unsafe { result_now::<T>(self.aw.raw()) }
    }

    /// asyncio's `exception()`: `Ok(None)` after a result, `Ok(Some(e))`
    /// after an error, `Err(Cancelled)` once cancelled, `Err(InvalidState)`
    /// while it runs.
    pub fn exception(&self) -> Result<Option<Error>> {
        unsafe { exception_now(self.aw.raw()) }
    }

    /// Runs `f` once the task is done (asyncio's `add_done_callback`).
    pub fn add_done_callback<R: CallbackResult>(&self, f: impl FnOnce() -> R + 'static) -> Result<()> {
        add_done_callback_raw(self.aw.raw(), f)
    }
}

impl<T: 'static> Clone for JoinHandle<T> {
    /// Another handle of the same task: every handle may await it (native
    /// results are copied to each; another type moves to the first).
    fn clone(&self) -> Self {
        unsafe { JoinHandle::from_owned(sys::ac_task_ref(self.task)) }
    }
}

impl<T: 'static> Future for JoinHandle<T> {
    type Output = Result<T>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let this = self.get_mut();
        // SAFETY: once done, the future holds a T (see from_owned).
        unsafe { this.aw.poll_outcome::<T>(cx) }
    }
}

impl<T> Unpin for JoinHandle<T> {}

/// Yields to the loop once: the task runs again after the callbacks that
/// are already ready (asyncio's `await sleep(0)`). A cancellation pending
/// for the task is delivered here.
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future of [`yield_now`].
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = Result<()>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        if let Some(h) = current_header() {
            if let Some(e) = h.take_cancel() {
                return Poll::Ready(Err(e));
            }
        }
        if self.yielded {
            return Poll::Ready(Ok(()));
        }
        self.yielded = true;
        wake_by_ref(cx);
        Poll::Pending
    }
}

/// Pending cancellation requests of the task being polled on this thread
/// (asyncio's `current_task().cancelling()`); 0 outside a task.
pub fn current_cancelling() -> usize {
    match current_task_raw() {
        // SAFETY: the task is alive while its step polls.
        Some(t) => unsafe { sys::ac_task_cancelling(t) }.max(0) as usize,
        None => 0,
    }
}

/// A cancellation checkpoint: `Err(Error::Cancelled)` if a cancellation of
/// the current task is pending (and delivers it), `Ok(())` otherwise.
pub fn checkpoint() -> Result<()> {
    match current_header().and_then(|h| h.take_cancel()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A task of the loop, whatever its result's type (asyncio's task object
/// as [`current_task`] and [`all_tasks`] see it). Clones and handles of the
/// same task compare equal.
pub struct Task {
    raw: *mut sys::ac_task,
}

impl Clone for Task {
    fn clone(&self) -> Self {
        Task { raw: unsafe { sys::ac_task_ref(self.raw) } }
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        unsafe { sys::ac_task_unref(self.raw) };
    }
}

impl PartialEq for Task {
    fn eq(&self, other: &Task) -> bool {
        self.raw == other.raw
    }
}

impl Eq for Task {}

impl std::fmt::Debug for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Task({})", self.name())
    }
}

impl<T: 'static> PartialEq<Task> for JoinHandle<T> {
    fn eq(&self, other: &Task) -> bool {
        self.task == other.raw
    }
}

impl Task {
    /// The raw task (borrowed).
    pub fn as_raw(&self) -> *mut sys::ac_task {
        self.raw
    }

    /// The task's name ("Task-N" unless set).
    pub fn name(&self) -> String {
        let p = unsafe { sys::ac_task_name(self.raw) };
        if p.is_null() {
            String::new()
        } else {
            unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
        }
    }

    /// Renames the task.
    pub fn set_name(&self, name: &str) -> Result<()> {
        let c = CString::new(name.replace('\0', " ")).unwrap_or_default();
        crate::error::check(unsafe { sys::ac_task_set_name(self.raw, c.as_ptr()) }).map(|_| ())
    }

    /// The task's id: its creation order, as [`Loop::dump`](crate::Loop::dump) shows it.
    pub fn id(&self) -> u64 {
        unsafe { sys::ac_task_get_id(self.raw) }
    }

    /// Requests cancellation (asyncio's `cancel()`); true if requested,
    /// false if the task is already done.
    pub fn cancel(&self) -> bool {
        self.cancel_with(None)
    }

    /// Requests cancellation with a message.
    pub fn cancel_with(&self, message: Option<&str>) -> bool {
        // SAFETY: live task.
        unsafe { cancel_raw(self.raw, message) }
    }

    /// Pending cancellation requests (asyncio's `cancelling()`).
    pub fn cancelling(&self) -> usize {
        unsafe { sys::ac_task_cancelling(self.raw) }.max(0) as usize
    }

    /// Takes one cancellation request back (asyncio's `uncancel()`).
    pub fn uncancel(&self) -> usize {
        unsafe { sys::ac_task_uncancel(self.raw) }.max(0) as usize
    }

    /// True once the task finished.
    pub fn done(&self) -> bool {
        unsafe { sys::ac_future_done(task_future(self.raw)) == 1 }
    }

    /// True if the task ended cancelled.
    pub fn cancelled(&self) -> bool {
        unsafe { sys::ac_future_cancelled(task_future(self.raw)) == 1 }
    }

    /// asyncio's `exception()` (see [`JoinHandle::exception`]).
    pub fn exception(&self) -> Result<Option<Error>> {
        unsafe { exception_now(task_future(self.raw)) }
    }

    /// Runs `f` once the task is done (asyncio's `add_done_callback`).
    pub fn add_done_callback<R: CallbackResult>(&self, f: impl FnOnce() -> R + 'static) -> Result<()> {
        add_done_callback_raw(task_future(self.raw), f)
    }

    /// Waits for the task (asyncio's `await task`, the result left for
    /// its handles): `Ok(())` once it returned, its error, or the
    /// cancellation. A task cannot wait for itself (RuntimeError).
    pub fn wait(&self) -> TaskWait {
        // SAFETY: a new reference, owned by the Await.
        TaskWait { aw: unsafe { Await::from_owned(sys::ac_future_ref(task_future(self.raw))) } }
    }
}

/// The future of [`Task::wait`].
pub struct TaskWait {
    aw: Await,
}

impl Future for TaskWait {
    type Output = Result<()>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let aw = &mut self.aw;
        std::task::ready!(aw.poll(cx))?;
        Poll::Ready(unsafe { exception_now(aw.raw()) }.and_then(|e| e.map_or(Ok(()), Err)))
    }
}

/// The task running on the current loop (asyncio.current_task()): None in
/// a plain callback or outside any loop.
pub fn current_task() -> Option<Task> {
    let l = current_loop_raw().ok()?;
    let t = unsafe { sys::ac_loop_current_task(l) };
    (!t.is_null()).then(|| Task { raw: unsafe { sys::ac_task_ref(t) } })
}

/// The tasks of the current loop not yet done, in creation order
/// (asyncio.all_tasks()); empty outside any loop.
pub fn all_tasks() -> Vec<Task> {
    unsafe extern "C" fn collect(t: *mut sys::ac_task, ud: *mut c_void) {
        let v = &mut *(ud as *mut Vec<Task>);
        v.push(Task { raw: sys::ac_task_ref(t) });
    }
    let mut out = Vec::new();
    if let Ok(l) = current_loop_raw() {
        unsafe { sys::ac_loop_foreach_task(l, Some(collect), &mut out as *mut Vec<Task> as *mut c_void) };
    }
    out
}

/// `ac_task_cancel` with an optional message (copied; NUL bytes become
/// spaces): true if the cancellation was requested.
///
/// # Safety
/// `task` is a live task.
unsafe fn cancel_raw(task: *mut sys::ac_task, message: Option<&str>) -> bool {
    let c = message.map(|m| CString::new(m.replace('\0', " ")).unwrap_or_default());
    sys::ac_task_cancel(task, c.as_ref().map_or(ptr::null(), |c| c.as_ptr())) == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A future polled at each turn of a select loop, with another loop
    /// future pending beside it, keeps one wake registration for the
    /// task, not one per turn.
    #[test]
    fn a_future_polled_again_and_again_is_registered_once() {
        use std::time::Duration;
        let lp = crate::Loop::builder().virtual_clock(true).build().unwrap();
        let never: crate::LoopFuture<()> = crate::LoopFuture::new_in(&lp).unwrap();
        let n = never.clone();
        let registered = lp
            .run_until_complete(async move {
                let mut never = n;
                for _ in 0..1000 {
                    match crate::select(&mut never, crate::sleep(Duration::from_millis(1))).await {
                        crate::Either::Left(_) => unreachable!(),
                        crate::Either::Right(r) => r?,
                    }
                }
                let h = current_header().unwrap();
                let cell = h.wake_cell() as *mut c_void;
                // SAFETY: a live future; the count of this task's registrations.
                let k = unsafe { sys::ac_future_remove_done_callback(never.as_raw(), Some(wake_on_done), cell) };
                let watched = h.watches(never.as_raw());
                Ok((k, watched))
            })
            .unwrap();
        assert_eq!(registered, (1, true));
        drop(never);
    }

    /// A task's own state is one per task: it stays small.
    #[test]
    fn task_state_stays_small() {
        assert!(std::mem::size_of::<Header>() <= 48, "{}", std::mem::size_of::<Header>());
        assert!(std::mem::size_of::<crate::Sleep>() <= 24, "{}", std::mem::size_of::<crate::Sleep>());
        assert!(std::mem::size_of::<TaskState<crate::Sleep>>() <= 72);
    }
}

