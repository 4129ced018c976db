//! Queues of Rust values (asyncio.Queue, LifoQueue, PriorityQueue, with
//! shutdown). Items are moved in and out: each is dropped exactly once, by
//! whoever takes it, or by the queue.

use std::marker::PhantomData;
use std::ptr;

use asyncore_sys as sys;

use crate::error::{check, Error, Result};
use crate::net::Op;
use crate::runtime::current_loop_raw;
use crate::value::{take, OutValue};

/// A queue of `T`. Clones share it; the last drop fails pending
/// operations with `AC_ECLOSED` and drops the items left.
pub struct Queue<T> {
    raw: *mut sys::ac_queue,
    _t: PhantomData<fn(T) -> T>,
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Self {
        Queue { raw: unsafe { sys::ac_queue_ref(self.raw) }, _t: PhantomData }
    }
}

impl<T> Drop for Queue<T> {
    fn drop(&mut self) {
        unsafe { sys::ac_queue_unref(self.raw) };
    }
}

impl<T: 'static> Queue<T> {
    fn make(kind: u32, maxsize: usize) -> Result<Self> {
        let mut raw = ptr::null_mut();
        check(unsafe { sys::ac_queue_new(current_loop_raw()?, kind as i32, maxsize, &mut raw) })?;
        Ok(Queue { raw, _t: PhantomData })
    }

    /// A FIFO queue as asyncio's `Queue(maxsize)`: a maxsize of 0 or less
    /// means no limit ([`Queue::maxsize`] gives it back as given).
    pub fn with_maxsize(maxsize: i64) -> Result<Self> {
        Self::make(sys::AC_QUEUE_FIFO, maxsize as usize)
    }

    /// A LIFO queue as asyncio's `LifoQueue(maxsize)`.
    pub fn lifo_with_maxsize(maxsize: i64) -> Result<Self> {
        Self::make(sys::AC_QUEUE_LIFO, maxsize as usize)
    }

    /// A priority queue as asyncio's `PriorityQueue(maxsize)`.
    pub fn priority_with_maxsize(maxsize: i64) -> Result<Self> {
        Self::make(sys::AC_QUEUE_PRIORITY, maxsize as usize)
    }
    /// A FIFO queue of the current loop (maxsize 0: unbounded).
    pub fn new(maxsize: usize) -> Result<Self> {
        Self::make(sys::AC_QUEUE_FIFO, maxsize)
    }
    /// A LIFO queue.
    pub fn lifo(maxsize: usize) -> Result<Self> {
        Self::make(sys::AC_QUEUE_LIFO, maxsize)
    }
    /// A priority queue: lowest priority first, FIFO among equals.
    pub fn priority(maxsize: usize) -> Result<Self> {
        Self::make(sys::AC_QUEUE_PRIORITY, maxsize)
    }

    /// The raw queue (borrowed).
    pub fn as_raw(&self) -> *mut sys::ac_queue {
        self.raw
    }

    /// Puts `item`, waiting while the queue is full. Fails with
    /// `AC_ESHUTDOWN` once shut down (the item is dropped then).
    pub fn put(&self, item: T) -> Op<()> {
        self.put_with(item, None)
    }

    /// Puts with a priority (priority queues only).
    pub fn put_priority(&self, priority: i64, item: T) -> Op<()> {
        self.put_with(item, Some(priority))
    }

    fn put_with(&self, item: T, priority: Option<i64>) -> Op<()> {
        let v = OutValue::new(item);
        // Room in the queue: put at once, as asyncio's put does, without a
        // future (the same as ac_queue_put then, which waits only when full).
        let rc = unsafe {
            match priority {
                None => sys::ac_queue_put_nowait(self.raw, &v.raw),
                Some(p) => sys::ac_queue_put_priority_nowait(self.raw, p, &v.raw),
            }
        };
        if rc == 0 {
            v.stored();
            return Op::done(Ok(()));
        }
        let op = Op::start(|f| unsafe {
            match priority {
                None => sys::ac_queue_put(self.raw, &v.raw, f),
                Some(p) => sys::ac_queue_put_priority(self.raw, p, &v.raw, f),
            }
        });
        if op.started() {
            v.stored();
        }
        op
    }

    /// Puts without waiting; on failure (`AC_EFULL`, `AC_ESHUTDOWN`) the
    /// item comes back with the error.
    pub fn put_nowait(&self, item: T) -> std::result::Result<(), (Error, T)> {
        self.put_nowait_with(item, None)
    }

    /// As put_nowait, with a priority (priority queues only).
    pub fn put_priority_nowait(&self, priority: i64, item: T) -> std::result::Result<(), (Error, T)> {
        self.put_nowait_with(item, Some(priority))
    }

    fn put_nowait_with(&self, item: T, priority: Option<i64>) -> std::result::Result<(), (Error, T)> {
        let v = OutValue::new(item);
        let rc = unsafe {
            match priority {
                None => sys::ac_queue_put_nowait(self.raw, &v.raw),
                Some(p) => sys::ac_queue_put_priority_nowait(self.raw, p, &v.raw),
            }
        };
        if rc == 0 {
            v.stored();
            Ok(())
        } else {
            Err((Error::from_code(rc), v.into_inner::<T>().expect("the value made from the item")))
        }
    }

    /// Takes the next item, waiting while the queue is empty; fails with
    /// `AC_ESHUTDOWN` when shut down and empty.
    pub fn get(&self) -> Op<T> {
        // An item ready: take it at once, as asyncio's get does, without a
        // future (the same as ac_queue_get then, which waits only when empty).
        let mut v: sys::ac_value = unsafe { std::mem::zeroed() };
        if unsafe { sys::ac_queue_get_nowait(self.raw, &mut v, ptr::null_mut()) } == 0 {
            return Op::done(unsafe { take::<T>(&mut v) }.ok_or_else(|| {
                Error::with_message(sys::AC_EINVAL, "the result is not of the expected type, or was already taken")
            }));
        }
        Op::start(|f| unsafe { sys::ac_queue_get(self.raw, f) })
    }

    /// Takes the next item without waiting (`AC_EEMPTY` when none).
    pub fn get_nowait(&self) -> Result<T> {
        let mut v: sys::ac_value = unsafe { std::mem::zeroed() };
        check(unsafe { sys::ac_queue_get_nowait(self.raw, &mut v, ptr::null_mut()) })?;
        unsafe { take::<T>(&mut v) }.ok_or_else(|| Error::with_message(sys::AC_EINVAL, "an item of another type"))
    }

    /// Marks one item taken by a get as processed; `Err` (ValueError
    /// "task_done() called too many times") past the items put.
    pub fn task_done(&self) -> Result<()> {
        check(unsafe { sys::ac_queue_task_done(self.raw) }).map(|_| ())
    }

    /// Waits until every item put was marked done.
    pub fn join(&self) -> Op<()> {
        Op::start(|f| unsafe { sys::ac_queue_join(self.raw, f) })
    }

    /// Shuts the queue down (asyncio 3.13); `immediate` drops the items
    /// left.
    pub fn shutdown(&self, immediate: bool) -> Result<()> {
        check(unsafe { sys::ac_queue_shutdown(self.raw, immediate as i32) }).map(|_| ())
    }

    /// True once shut down.
    pub fn is_shutdown(&self) -> bool {
        unsafe { sys::ac_queue_is_shutdown(self.raw) == 1 }
    }

    /// Items in the queue.
    pub fn qsize(&self) -> usize {
        unsafe { sys::ac_queue_qsize(self.raw) }.max(0) as usize
    }

    /// True when empty.
    pub fn empty(&self) -> bool {
        unsafe { sys::ac_queue_empty(self.raw) == 1 }
    }

    /// True when full.
    pub fn full(&self) -> bool {
        unsafe { sys::ac_queue_full(self.raw) == 1 }
    }

    /// The maxsize given at creation (0 or less: no limit).
    pub fn maxsize(&self) -> i64 {
        unsafe { sys::ac_queue_maxsize(self.raw) }
    }
}
