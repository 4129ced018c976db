//! Task-local context variables (Python's contextvars).

use std::marker::PhantomData;

use asyncore_sys as sys;

use crate::error::{check, Result};
use crate::runtime::current_loop_raw;
use crate::value::{peek, OutValue};

/// A context variable holding a `T`. Each task sees a copy of the context
/// current when it was spawned: a value set in a task is seen by the tasks
/// and callbacks it creates afterwards, never by its parent.
pub struct ContextVar<T> {
    key: sys::ac_context_key,
    _t: PhantomData<fn() -> T>,
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
        let raw = current_loop_raw()?;
        let out = OutValue::new(v);
        check(unsafe { sys::ac_context_set(raw, self.key, &out.raw) })?;
        out.stored();
        Ok(())
    }

    /// The value in the current context (cloned), or None when unset.
    pub fn get(&self) -> Option<T> {
        let raw = current_loop_raw().ok()?;
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
        let raw = current_loop_raw()?;
        check(unsafe { sys::ac_context_delete(raw, self.key) }).map(|n| n == 1)
    }
}
