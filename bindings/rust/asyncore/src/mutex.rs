//! `Mutex<T>`: data guarded by the loop's FIFO lock ([`Lock`]); the
//! guard gives access to the data and releases the lock when dropped.

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};

use crate::error::Result;
use crate::runtime::Loop;
use crate::sync::{Guard, Lock};

/// Data only reachable while holding the lock: waiters get it in the order
/// they asked (FIFO, as asyncio's Lock), and a waiter that is cancelled or
/// dropped never leaves the lock held. Share it between tasks of its loop
/// with an `Rc`.
///
/// ```no_run
/// use std::rc::Rc;
/// # asyncore::run(async {
/// let total = Rc::new(asyncore::Mutex::new(0u64)?);
/// let t = total.clone();
/// asyncore::spawn(async move { *t.lock().await? += 1; Ok(()) }).await?;
/// assert_eq!(*total.lock().await?, 1);
/// # Ok(()) }).unwrap();
/// ```
pub struct Mutex<T: ?Sized> {
    lock: Lock,
    data: UnsafeCell<T>,
}

impl<T> Mutex<T> {
    /// An unlocked mutex of the current loop holding `value`.
    pub fn new(value: T) -> Result<Mutex<T>> {
        Ok(Mutex { lock: Lock::new()?, data: UnsafeCell::new(value) })
    }

    /// An unlocked mutex of `lp` holding `value`.
    pub fn new_in(lp: &Loop, value: T) -> Result<Mutex<T>> {
        Ok(Mutex { lock: Lock::new_in(lp)?, data: UnsafeCell::new(value) })
    }

    /// The data, the mutex consumed.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock (FIFO); the guard derefs to the data and
    /// releases the lock when dropped. Errors as the lock's acquire (a
    /// cancellation, a lock of another loop).
    pub async fn lock(&self) -> Result<MutexGuard<'_, T>> {
        let guard = self.lock.lock().await?;
        Ok(MutexGuard { _guard: guard, mutex: self })
    }

    /// The guard if the lock is free and nobody waits for it.
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.lock.try_lock().map(|guard| MutexGuard { _guard: guard, mutex: self })
    }

    /// The data through an exclusive borrow (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// True while held.
    pub fn is_locked(&self) -> bool {
        self.lock.locked()
    }

    /// The lock under the data.
    pub fn raw_lock(&self) -> &Lock {
        &self.lock
    }
}

/// Access to a [`Mutex`]'s data; the lock is released when it is dropped.
#[must_use = "the lock is released at once if the guard is not kept"]
pub struct MutexGuard<'a, T: ?Sized> {
    _guard: Guard<Lock>,
    mutex: &'a Mutex<T>,
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the lock is held by this guard: no other guard exists.
        unsafe { &*self.mutex.data.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as deref, and this borrow is exclusive.
        unsafe { &mut *self.mutex.data.get() }
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}
