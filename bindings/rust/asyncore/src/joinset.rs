//! `JoinSet`: a set of tasks of one output type, joined in the order they
//! finish; dropping the set cancels the tasks still running.

use std::future::Future;

use crate::combinators::{wait, WaitMode, Waitable};
use crate::error::Result;
use crate::task::{spawn, JoinHandle};

/// Tasks spawned into a set and collected as they finish (Tokio's
/// `JoinSet`; asyncio's `as_completed` over tasks one owns). Dropping the
/// set cancels the tasks not joined yet.
pub struct JoinSet<T: 'static> {
    tasks: Vec<JoinHandle<T>>,
}

impl<T: 'static> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet { tasks: Vec::new() }
    }
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
        self.tasks.push(h.clone());
        h
    }

    /// Adds a task spawned elsewhere (e.g. by a task group) to the set.
    pub fn insert(&mut self, task: JoinHandle<T>) {
        self.tasks.push(task);
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
    /// when the set is empty. Among tasks finished together, the one
    /// spawned first comes first.
    pub async fn join_next(&mut self) -> Option<Result<T>> {
        if self.tasks.is_empty() {
            return None;
        }
        let i = match self.tasks.iter().position(|t| t.is_finished()) {
            Some(i) => i,
            None => {
                let items: Vec<&dyn Waitable> = self.tasks.iter().map(|t| t as &dyn Waitable).collect();
                match wait(&items, WaitMode::FirstCompleted, None).await {
                    Ok(sets) => sets.done.into_iter().min().unwrap_or(0),
                    Err(e) => return Some(Err(e)),
                }
            }
        };
        let h = self.tasks.remove(i);
        Some(h.await)
    }

    /// Waits for every task; their outcomes in the order they finished.
    pub async fn join_all(&mut self) -> Vec<Result<T>> {
        let mut out = Vec::with_capacity(self.tasks.len());
        while let Some(r) = self.join_next().await {
            out.push(r);
        }
        out
    }

    /// Cancels every task of the set (they stay in it: join them to see
    /// how they ended).
    pub fn abort_all(&self) {
        for t in &self.tasks {
            t.cancel();
        }
    }

    /// Removes every task from the set and cancels them.
    pub fn shutdown(&mut self) {
        self.abort_all();
        self.tasks.clear();
    }
}

impl<T: 'static> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}
