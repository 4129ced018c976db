//! Synchronization primitives (asyncio's Lock, Event, Condition,
//! Semaphore, BoundedSemaphore, Barrier): FIFO-fair, and no wake-up is
//! lost when a waiter is cancelled.

use std::future::Future;
use std::pin::Pin;
use std::ptr;
use std::task::{Context, Poll};

use asyncore_sys as sys;

use crate::awaiting::{outcome, Await};
use crate::error::{check, check_count, Error, Result};
use crate::net::Op;
use crate::runtime::{current_loop_raw, Loop};

fn loop_of(lp: Option<&Loop>) -> Result<*mut sys::ac_loop> {
    match lp {
        Some(l) => Ok(l.as_raw()),
        None => current_loop_raw(),
    }
}

macro_rules! handle {
    ($name:ident, $raw:ty, $ref:path, $unref:path) => {
        impl Clone for $name {
            fn clone(&self) -> Self {
                $name { raw: unsafe { $ref(self.raw) } }
            }
        }
        impl Drop for $name {
            fn drop(&mut self) {
                unsafe { $unref(self.raw) };
            }
        }
        impl $name {
            /// The raw handle (borrowed).
            pub fn as_raw(&self) -> *mut $raw {
                self.raw
            }
        }
    };
}

/// Something an acquire hands over and a guard gives back.
pub trait Releasable: Clone {
    /// Gives one hold back (the lock, a permit).
    fn release_one(&self);
}

/// The future of an acquire: resolves to a guard that gives the hold back
/// when dropped. If it is dropped after the hold was handed over but
/// before it was read, it gives the hold back itself, so nothing leaks.
///
/// As in asyncio, an acquire of a free hold does not suspend: the hold is
/// taken when the acquire is made and the first poll returns the guard.
/// When the hold is not free, the acquire queues (FIFO) and the task waits
/// until the hold is handed over, as a C task awaiting the acquire future
/// does.
pub struct Acquire<R: Releasable> {
    aw: Option<Await>,
    /// Refused by the library (boxed: rare, and the future stays small).
    failed: Option<Box<Error>>,
    /// Given to the guard (taken then).
    owner: Option<R>,
    /// The hold was free and is ours already.
    held: bool,
}

impl<R: Releasable> Unpin for Acquire<R> {}

impl<R: Releasable> Acquire<R> {
    /// `try_now` takes the hold if free (1), else 0 (or an error code, that
    /// `start` reports again); `start` makes the waiting acquire.
    fn start(owner: R, try_now: impl FnOnce() -> i32, start: impl FnOnce(*mut *mut sys::ac_future) -> i32) -> Self {
        let mut a = Acquire { aw: None, failed: None, owner: Some(owner), held: false };
        if try_now() == 1 {
            a.held = true;
            return a;
        }
        let mut f = ptr::null_mut();
        match check(start(&mut f)) {
            Ok(_) => a.aw = Some(unsafe { Await::owning_operation(f) }),
            Err(e) => a.failed = Some(Box::new(e)),
        }
        a
    }
}

impl<R: Releasable> Future for Acquire<R> {
    type Output = Result<Guard<R>>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(e) = self.failed.take() {
            return Poll::Ready(Err(*e));
        }
        if self.held {
            self.held = false;
            return Poll::Ready(Ok(Guard { owner: self.owner.take() }));
        }
        let aw = self.aw.as_mut().expect("polled after completion");
        let done = std::task::ready!(aw.poll(cx));
        // An acquire's result is no value: holding one is the whole
        // answer (a failure or a cancellation is read as an error).
        let r = done.and_then(|()| unsafe {
            if sys::ac_future_state_of(aw.raw()) == sys::AC_FUTURE_RESULT as i32 {
                Ok(())
            } else {
                outcome::<()>(aw.raw())
            }
        });
        self.aw = None;
        Poll::Ready(r.map(|()| Guard { owner: self.owner.take() }))
    }
}

impl<R: Releasable> Drop for Acquire<R> {
    fn drop(&mut self) {
        let Some(owner) = self.owner.as_ref() else {
            return;
        };
        if self.held {
            owner.release_one();
        } else if let Some(aw) = self.aw.as_mut() {
            if aw.holds_unread_result() {
                owner.release_one();
            }
        }
    }
}

/// A hold on a lock or a semaphore permit, given back on drop.
pub struct Guard<R: Releasable> {
    owner: Option<R>,
}

impl<R: Releasable> Guard<R> {
    /// Keeps the hold past the guard (give it back with `release`).
    pub fn forget(mut self) {
        self.owner = None;
    }
}

impl<R: Releasable> Drop for Guard<R> {
    fn drop(&mut self) {
        if let Some(o) = self.owner.take() {
            o.release_one();
        }
    }
}

/// asyncio.Lock.
pub struct Lock {
    raw: *mut sys::ac_lock,
}
handle!(Lock, sys::ac_lock, sys::ac_lock_ref, sys::ac_lock_unref);

impl Releasable for Lock {
    fn release_one(&self) {
        unsafe { sys::ac_lock_release(self.raw) };
    }
}

impl Lock {
    /// An unlocked lock of the current loop.
    pub fn new() -> Result<Lock> {
        Self::make(None)
    }
    /// An unlocked lock of `lp`.
    pub fn new_in(lp: &Loop) -> Result<Lock> {
        Self::make(Some(lp))
    }
    fn make(lp: Option<&Loop>) -> Result<Lock> {
        let mut raw = ptr::null_mut();
        check(unsafe { sys::ac_lock_new(loop_of(lp)?, &mut raw) })?;
        Ok(Lock { raw })
    }
    /// Waits for the lock (`async with lock:`); the guard releases it.
    pub fn lock(&self) -> Acquire<Lock> {
        Acquire::start(self.clone(), || unsafe { sys::ac_lock_try_acquire(self.raw) }, |f| unsafe {
            sys::ac_lock_acquire(self.raw, f)
        })
    }
    /// Takes the lock if free (and nobody waits).
    pub fn try_lock(&self) -> Option<Guard<Lock>> {
        (unsafe { sys::ac_lock_try_acquire(self.raw) } == 1).then(|| Guard { owner: Some(self.clone()) })
    }
    /// Releases a lock held without a guard (see [`Guard::forget`]);
    /// `Err` (RuntimeError "Lock is not acquired.") when it is not held.
    pub fn release(&self) -> Result<()> {
        check(unsafe { sys::ac_lock_release(self.raw) }).map(|_| ())
    }
    /// True when held.
    pub fn locked(&self) -> bool {
        unsafe { sys::ac_lock_locked(self.raw) == 1 }
    }
}

/// asyncio.Semaphore (and BoundedSemaphore).
pub struct Semaphore {
    raw: *mut sys::ac_semaphore,
}
handle!(Semaphore, sys::ac_semaphore, sys::ac_semaphore_ref, sys::ac_semaphore_unref);

impl Releasable for Semaphore {
    fn release_one(&self) {
        unsafe { sys::ac_semaphore_release(self.raw) };
    }
}

impl Semaphore {
    /// A semaphore of the current loop with `value` permits.
    pub fn new(value: i64) -> Result<Semaphore> {
        let mut raw = ptr::null_mut();
        check(unsafe { sys::ac_semaphore_new(current_loop_raw()?, value, &mut raw) })?;
        Ok(Semaphore { raw })
    }
    /// A bounded semaphore: releasing past `value` is refused.
    pub fn bounded(value: i64) -> Result<Semaphore> {
        let mut raw = ptr::null_mut();
        check(unsafe { sys::ac_semaphore_new_bounded(current_loop_raw()?, value, &mut raw) })?;
        Ok(Semaphore { raw })
    }
    /// Waits for a permit; the guard gives it back.
    pub fn acquire(&self) -> Acquire<Semaphore> {
        Acquire::start(self.clone(), || unsafe { sys::ac_semaphore_try_acquire(self.raw) }, |f| unsafe {
            sys::ac_semaphore_acquire(self.raw, f)
        })
    }
    /// Takes a permit if one is free.
    pub fn try_acquire(&self) -> Option<Guard<Semaphore>> {
        (unsafe { sys::ac_semaphore_try_acquire(self.raw) } == 1).then(|| Guard { owner: Some(self.clone()) })
    }
    /// Returns a permit held without a guard; `Err` (ValueError) past the
    /// bound of a bounded semaphore.
    pub fn release(&self) -> Result<()> {
        check(unsafe { sys::ac_semaphore_release(self.raw) }).map(|_| ())
    }
    /// Free permits.
    pub fn value(&self) -> i64 {
        unsafe { sys::ac_semaphore_value(self.raw) }
    }
    /// True when an acquire would wait.
    pub fn locked(&self) -> bool {
        unsafe { sys::ac_semaphore_locked(self.raw) == 1 }
    }
}

/// asyncio.Event.
pub struct Event {
    raw: *mut sys::ac_event,
}
handle!(Event, sys::ac_event, sys::ac_event_ref, sys::ac_event_unref);

impl Event {
    /// An event (not set) of the current loop.
    pub fn new() -> Result<Event> {
        let mut raw = ptr::null_mut();
        check(unsafe { sys::ac_event_new(current_loop_raw()?, &mut raw) })?;
        Ok(Event { raw })
    }
    /// Waits until set.
    pub fn wait(&self) -> Op<()> {
        Op::start(|f| unsafe { sys::ac_event_wait(self.raw, f) })
    }
    /// Sets it, waking every waiter; `Err` (RuntimeError) once the loop is
    /// closed.
    pub fn set(&self) -> Result<()> {
        check(unsafe { sys::ac_event_set(self.raw) }).map(|_| ())
    }
    /// Clears it.
    pub fn clear(&self) -> Result<()> {
        check(unsafe { sys::ac_event_clear(self.raw) }).map(|_| ())
    }
    /// True when set.
    pub fn is_set(&self) -> bool {
        unsafe { sys::ac_event_is_set(self.raw) == 1 }
    }
}

/// asyncio.Condition, used as asyncio's: acquire, wait / wait_for,
/// notify, release. A wait completes (also when cancelled) with the lock
/// held again, so release after it in every case.
pub struct Condition {
    raw: *mut sys::ac_condition,
}
handle!(Condition, sys::ac_condition, sys::ac_condition_ref, sys::ac_condition_unref);

impl Releasable for Condition {
    fn release_one(&self) {
        unsafe { sys::ac_condition_release(self.raw) };
    }
}

type Predicate = Box<dyn FnMut() -> bool>;

unsafe extern "C" fn call_predicate(ud: *mut std::os::raw::c_void) -> i32 {
    let p = &mut *(ud as *mut Predicate);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(p)).unwrap_or(true) as i32
}

unsafe extern "C" fn free_predicate(ud: *mut std::os::raw::c_void) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(Box::from_raw(ud as *mut Predicate))));
}

impl Condition {
    /// A condition of the current loop over its own lock, or over `lock`.
    pub fn new(lock: Option<&Lock>) -> Result<Condition> {
        let mut raw = ptr::null_mut();
        check(unsafe {
            sys::ac_condition_new(current_loop_raw()?, lock.map_or(ptr::null_mut(), |l| l.raw), &mut raw)
        })?;
        Ok(Condition { raw })
    }
    /// Waits for the lock; the guard releases it.
    pub fn lock(&self) -> Acquire<Condition> {
        Acquire::start(
            self.clone(),
            || unsafe { sys::ac_lock_try_acquire(sys::ac_condition_lock(self.raw)) },
            |f| unsafe { sys::ac_condition_acquire(self.raw, f) },
        )
    }
    /// True when the lock is held.
    pub fn locked(&self) -> bool {
        unsafe { sys::ac_condition_locked(self.raw) == 1 }
    }
    /// Releases the lock, waits for a notification, re-acquires the lock.
    /// Hold the lock (a guard) while awaiting it; do not drop it pending
    /// except through the task's cancellation.
    pub fn wait(&self) -> Op<()> {
        Op::start(|f| unsafe { sys::ac_condition_wait(self.raw, f) }).keep_on_drop()
    }
    /// Waits until `pred()` holds (checked with the lock held).
    pub fn wait_for(&self, pred: impl FnMut() -> bool + 'static) -> Op<i64> {
        let ud = Box::into_raw(Box::new(Box::new(pred) as Predicate)) as *mut std::os::raw::c_void;
        Op::start(|f| unsafe {
            sys::ac_condition_wait_for(self.raw, Some(call_predicate), ud, Some(free_predicate), f)
        })
        .keep_on_drop()
    }
    /// Waits until `pred()` gives a nonzero value (asyncio's `wait_for`
    /// with a predicate returning a value), which the wait gives back.
    pub fn wait_for_value(&self, pred: impl FnMut() -> i64 + 'static) -> Op<i64> {
        type ValuePredicate = Box<dyn FnMut() -> i64>;
        unsafe extern "C" fn call(ud: *mut std::os::raw::c_void) -> i32 {
            let p = &mut *(ud as *mut ValuePredicate);
            // The library keeps an int: a value that does not fit is kept
            // as "true".
            let v = std::panic::catch_unwind(std::panic::AssertUnwindSafe(p)).unwrap_or(1);
            i32::try_from(v).unwrap_or(1)
        }
        unsafe extern "C" fn free(ud: *mut std::os::raw::c_void) {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                drop(Box::from_raw(ud as *mut ValuePredicate))
            }));
        }
        let ud = Box::into_raw(Box::new(Box::new(pred) as ValuePredicate)) as *mut std::os::raw::c_void;
        Op::start(|f| unsafe { sys::ac_condition_wait_for(self.raw, Some(call), ud, Some(free), f) }).keep_on_drop()
    }
    /// Releases the lock held without a guard (see [`Guard::forget`]);
    /// `Err` (RuntimeError) when it is not held.
    pub fn release(&self) -> Result<()> {
        check(unsafe { sys::ac_condition_release(self.raw) }).map(|_| ())
    }
    /// Wakes up to `n` waiters; returns how many. The lock must be held.
    pub fn notify(&self, n: usize) -> Result<usize> {
        check_count(unsafe { sys::ac_condition_notify(self.raw, i64::try_from(n).unwrap_or(i64::MAX)) })
    }
    /// Wakes every waiter. The lock must be held.
    pub fn notify_all(&self) -> Result<usize> {
        check_count(unsafe { sys::ac_condition_notify_all(self.raw) })
    }
}

/// asyncio.Barrier.
pub struct Barrier {
    raw: *mut sys::ac_barrier,
}
handle!(Barrier, sys::ac_barrier, sys::ac_barrier_ref, sys::ac_barrier_unref);

impl Barrier {
    /// A barrier for `parties` tasks, of the current loop.
    pub fn new(parties: i64) -> Result<Barrier> {
        let mut raw = ptr::null_mut();
        check(unsafe { sys::ac_barrier_new(current_loop_raw()?, parties, &mut raw) })?;
        Ok(Barrier { raw })
    }
    /// Waits until `parties` tasks wait; gives this one's arrival index.
    pub fn wait(&self) -> Op<i64> {
        Op::start(|f| unsafe { sys::ac_barrier_wait(self.raw, f) })
    }
    /// Back to empty; pending waits fail with `AC_EBROKEN`
    /// (BrokenBarrierError).
    pub fn reset(&self) -> Result<()> {
        check(unsafe { sys::ac_barrier_reset(self.raw) }).map(|_| ())
    }
    /// Breaks it until reset: pending and later waits fail with
    /// BrokenBarrierError.
    pub fn abort(&self) -> Result<()> {
        check(unsafe { sys::ac_barrier_abort(self.raw) }).map(|_| ())
    }
    /// True when broken.
    pub fn broken(&self) -> bool {
        unsafe { sys::ac_barrier_broken(self.raw) == 1 }
    }
    /// Tasks waiting in this round.
    pub fn n_waiting(&self) -> i64 {
        unsafe { sys::ac_barrier_n_waiting(self.raw) }
    }
    /// The number of parties.
    pub fn parties(&self) -> i64 {
        unsafe { sys::ac_barrier_parties(self.raw) }
    }
}
