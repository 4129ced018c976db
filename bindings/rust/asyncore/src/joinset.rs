//! `JoinSet`: a set of tasks of one output type, joined in the order they
//! finish; dropping the set cancels the tasks still running.
//!
//! Each task in the set has a done-callback that queues the task's key in
//! the set's list of finished tasks and wakes the joiner: `join_next`
//! takes the first key of that list, so joining n tasks costs O(n log n)
//! in all, not a wait over every task left at each join.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::ffi::c_void;
use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::{Rc, Weak};
use std::task::{Poll, Waker};

use crate::error::{check, Result};
use crate::sys;
use crate::task::{spawn, JoinHandle};

/// What the tasks' done-callbacks share with the set.
#[derive(Default)]
struct Finished {
    /// Keys of the tasks that finished, in the order their callbacks ran.
    keys: VecDeque<u64>,
    /// The task waiting in `join_next`, if one is.
    waker: Option<Waker>,
}

/// Tasks spawned into a set and collected as they finish (Tokio's
/// `JoinSet`; asyncio's `as_completed` over tasks one owns). Dropping the
/// set cancels the tasks not joined yet.
pub struct JoinSet<T: 'static> {
    /// The tasks not joined yet, by key (keys grow with each insertion,
    /// so the map's order is the order the tasks came in).
    tasks: BTreeMap<u64, JoinHandle<T>>,
    next_key: u64,
    finished: Rc<RefCell<Finished>>,
}

impl<T: 'static> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet { tasks: BTreeMap::new(), next_key: 0, finished: Rc::default() }
    }
}

/// The done-callback's data: the set's list (weakly: a dropped set's
/// callbacks do nothing) and the task's key.
type Note = (Weak<RefCell<Finished>>, u64);

unsafe extern "C" fn note_finished(_fut: *mut sys::ac_future, ud: *mut c_void) {
    // No panic may cross into C.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let (set, key) = &*(ud as *const Note);
        let Some(set) = set.upgrade() else { return };
        let waker = match set.try_borrow_mut() {
            Ok(mut f) => {
                f.keys.push_back(*key);
                f.waker.take()
            }
            Err(_) => None, // never borrowed across a callback
        };
        if let Some(w) = waker {
            w.wake();
        }
    }));
}

unsafe extern "C" fn free_note(ud: *mut c_void) {
    let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(ud as *mut Note))));
}

impl<T: 'static> JoinSet<T> {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Spawns `fut` as a task of the current loop, into the set.
    pub fn spawn<F>(&mut self, fut: F) -> JoinHandle<T>
    where
        F: Future<Output = Result<T>> + 'static,
    {
        let h = spawn(fut);
        self.insert(h.clone());
        h
    }

    /// Adds a task spawned elsewhere (e.g. by a task group) to the set.
    pub fn insert(&mut self, task: JoinHandle<T>) {
        let key = self.next_key;
        self.next_key += 1;
        let note = Box::into_raw(Box::new((Rc::downgrade(&self.finished), key))) as *mut c_void;
        // SAFETY: the task is live (the handle's reference); on failure
        // free_note has run.
        let added = check(unsafe {
            sys::ac_future_add_done_callback(task.as_raw().cast(), Some(note_finished), note, Some(free_note))
        });
        if added.is_err() {
            // Out of memory for the callback: the task is still joined, as
            // if it had finished now (its handle waits for it when joined).
            self.finished.borrow_mut().keys.push_back(key);
        }
        self.tasks.insert(key, task);
    }

    /// Tasks in the set (not joined yet).
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// True when no task is left to join.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Waits for the next task to finish and gives its outcome; `None`
    /// when the set is empty. Tasks come out in the order they finished
    /// (the order their done-callbacks ran). Dropping the returned future
    /// before it completes loses nothing: the task stays in the set.
    pub async fn join_next(&mut self) -> Option<Result<T>> {
        loop {
            if self.tasks.is_empty() {
                return None;
            }
            let finished = &self.finished;
            let key = poll_fn(|cx| {
                let mut f = finished.borrow_mut();
                match f.keys.pop_front() {
                    Some(k) => Poll::Ready(k),
                    None => {
                        match &f.waker {
                            Some(w) if w.will_wake(cx.waker()) => {}
                            _ => f.waker = Some(cx.waker().clone()),
                        }
                        Poll::Pending
                    }
                }
            })
            .await;
            // A key of a task removed since (shutdown) is skipped.
            if let Some(h) = self.tasks.remove(&key) {
                return Some(h.await);
            }
        }
    }

    /// Waits for every task; their outcomes in the order they finished.
    pub async fn join_all(&mut self) -> Vec<Result<T>> {
        let mut out = Vec::with_capacity(self.tasks.len());
        while let Some(r) = self.join_next().await {
            out.push(r);
        }
        out
    }

    /// Cancels every task of the set, in the order they came in (they stay
    /// in it: join them to see how they ended).
    pub fn abort_all(&self) {
        for t in self.tasks.values() {
            t.cancel();
        }
    }

    /// Removes every task from the set and cancels them.
    pub fn shutdown(&mut self) {
        self.abort_all();
        self.tasks.clear();
        // The removed tasks' callbacks find no set.
        self.finished = Rc::default();
    }
}

impl<T: 'static> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}
