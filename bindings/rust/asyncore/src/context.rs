//! Task-local context variables (Python's contextvars).

use std::marker::PhantomData;
use std::ptr;
use std::sync::Arc;

use asyncore_sys as sys;

use crate::error::{check, Result};
use crate::runtime::current_loop_raw;
use crate::value::{peek, OutValue};

/// A context variable holding a `T`. Each task sees a copy of the context
/// current when it was spawned: a value set in a task is seen by the tasks
/// and callbacks it creates afterwards, never by its parent.
///
/// A closure run by [`crate::to_thread`] runs in a copy of the spawning
/// task's context (asyncio.to_thread copies the contextvars): there `get`
/// reads the task's values and `set` changes the copy only. A variable can
/// reach a worker only when `T` is `Send + Sync` (the variable is `Send`
/// exactly then), since the worker clones and drops values off the loop's
/// thread.
pub struct ContextVar<T> {
    key: sys::ac_context_key,
    _t: PhantomData<Arc<T>>,
}

/// The loop whose context the calling code sees: the running loop, or none
/// in a worker of to_thread (the library then finds the job's copy).
fn context_loop() -> *mut sys::ac_loop {
    current_loop_raw().unwrap_or(ptr::null_mut())
}

/// A failure of a context call: with no loop and no worker copy there is
/// no context at all (asyncio would have no running loop either).
fn context_check(raw: *mut sys::ac_loop, rc: i32) -> Result<i32> {
    match current_loop_raw() {
        Err(no_loop) if raw.is_null() && rc == sys::AC_EINVAL => Err(no_loop),
        _ => check(rc),
    }
}

impl<T: Clone + 'static> ContextVar<T> {
    /// A new variable (a new key, distinct from every other).
    pub fn new() -> Result<Self> {
        let mut key = 0;
        check(unsafe { sys::ac_context_key_new(&mut key) })?;
        Ok(ContextVar { key, _t: PhantomData })
    }

    /// Sets the variable in the current context (the running task's).
    pub fn set(&self, v: T) -> Result<()> {
        let raw = context_loop();
        let out = OutValue::new(v);
        context_check(raw, unsafe { sys::ac_context_set(raw, self.key, &out.raw) })?;
        out.stored();
        Ok(())
    }

    /// The value in the current context (cloned), or None when unset.
    pub fn get(&self) -> Option<T> {
        let raw = context_loop();
        let mut v: sys::ac_value = unsafe { std::mem::zeroed() };
        if unsafe { sys::ac_context_get(raw, self.key, &mut v) } != 1 {
            return None;
        }
        // Native kinds are copied out; boxed values are borrowed and cloned.
        unsafe {
            if let Some(r) = peek::<T>(&v) {
                return Some(r.clone());
            }
            crate::value::copy_native::<T>(&v)
        }
    }

    /// Removes the variable from the current context; true if it was set.
    pub fn delete(&self) -> Result<bool> {
        let raw = context_loop();
        context_check(raw, unsafe { sys::ac_context_delete(raw, self.key) }).map(|n| n == 1)
    }
}
