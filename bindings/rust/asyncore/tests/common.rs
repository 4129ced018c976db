// Shared helpers for the integration tests (included with `mod common`).
#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use asyncore::Loop;

/// A virtual-clock loop: sleeps cost no real time, runs are deterministic.
pub fn vloop() -> Loop {
    Loop::builder().virtual_clock(true).build().expect("loop")
}

/// An ordered record of what happened, shared by the tasks of a test.
#[derive(Clone, Default)]
pub struct Trace(Rc<RefCell<Vec<String>>>);

impl Trace {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn push(&self, s: impl Into<String>) {
        self.0.borrow_mut().push(s.into());
    }
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
    pub fn joined(&self) -> String {
        self.take().join(" ")
    }
}

/// Counts drops of the values it hands out.
#[derive(Clone, Default)]
pub struct DropCounter(Rc<RefCell<usize>>);

pub struct Counted(DropCounter);

impl Drop for Counted {
    fn drop(&mut self) {
        *self.0 .0.borrow_mut() += 1;
    }
}

impl DropCounter {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn make(&self) -> Counted {
        Counted(self.clone())
    }
    pub fn drops(&self) -> usize {
        *self.0.borrow()
    }
}
