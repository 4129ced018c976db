//! Task groups (asyncio.TaskGroup): structured concurrency.

use std::future::Future;
use std::pin::Pin;
use std::ptr;
use std::task::{Context, Poll};

use asyncore_sys as sys;

use crate::awaiting::Await;
use crate::error::{check, Error, Result};
use crate::task::{current_task_raw, spawn_with, withdraw_stale_cancel, JoinHandle, TaskCreator};

/// A group of tasks that the body of [`task_group`] spawns into; cheap to
/// clone (every clone is the same group).
pub struct TaskGroup {
    raw: *mut sys::ac_taskgroup,
}

impl Clone for TaskGroup {
    fn clone(&self) -> Self {
        TaskGroup { raw: unsafe { sys::ac_taskgroup_ref(self.raw) } }
    }
}

impl Drop for TaskGroup {
    fn drop(&mut self) {
        unsafe { sys::ac_taskgroup_unref(self.raw) };
    }
}

impl TaskGroup {
    /// Spawns a task into the group. Refused (`Err(Usage)`) once the group
    /// finished or is shutting down after a failure.
    pub fn spawn<F, T>(&self, fut: F) -> Result<JoinHandle<T>>
    where
        F: Future<Output = Result<T>> + 'static,
        T: 'static,
    {
        let tg = self.raw;
        // The group's loop is the loop of the join future (the group itself).
        let l = unsafe { sys::ac_future_get_loop(tg as *mut sys::ac_future) };
        spawn_with(
            l,
            fut,
            TaskCreator {
                copy: &mut |step, init, size, free, out| unsafe {
                    sys::ac_taskgroup_spawn_copy(tg, step, init, size, free, 0, out, ptr::null_mut())
                },
                boxed: &mut |step, state, free, out| unsafe { sys::ac_taskgroup_spawn(tg, step, state, free, 0, out) },
            },
        )
    }

    /// Tasks of the group not yet done.
    pub fn size(&self) -> usize {
        unsafe { sys::ac_taskgroup_size(self.raw) }.max(0) as usize
    }
}

/// Runs `body` with a new task group, then waits for every task of the
/// group (asyncio's `async with TaskGroup() as tg:`).
///
/// The first task to fail cancels the others and the body; the result is
/// then `Err(Error::Group { children })` with the failures in the order
/// they happened (the body's own error last). Otherwise the body's value.
pub fn task_group<B, Fut, R>(body: B) -> TaskGroupRun<B, Fut, R>
where
    B: FnOnce(TaskGroup) -> Fut,
    Fut: Future<Output = Result<R>>,
{
    TaskGroupRun { state: State::Start(Some(body)), tg: ptr::null_mut(), level: 0 }
}

enum State<B, Fut, R> {
    Start(Option<B>),
    Body(Fut),
    Join(Await, Option<R>),
    Done,
}

/// The future of [`task_group`].
pub struct TaskGroupRun<B, Fut, R> {
    state: State<B, Fut, R>,
    tg: *mut sys::ac_taskgroup,
    level: i64,
}

impl<B, Fut, R> Future for TaskGroupRun<B, Fut, R>
where
    B: FnOnce(TaskGroup) -> Fut,
    Fut: Future<Output = Result<R>>,
{
    type Output = Result<R>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<R>> {
        // SAFETY: the body future is pinned in place inside `state` and
        // never moved while in State::Body.
        let this = unsafe { self.get_unchecked_mut() };
        loop {
            match &mut this.state {
                State::Start(body) => {
                    let body = body.take().unwrap();
                    let Some(task) = current_task_raw() else {
                        this.state = State::Done;
                        return Poll::Ready(Err(Error::with_message(
                            sys::AC_ESTATE,
                            "task_group() must be awaited inside a task",
                        )));
                    };
                    let mut tg = ptr::null_mut();
                    if let Err(e) = check(unsafe { sys::ac_taskgroup_new(task, &mut tg) }) {
                        this.state = State::Done;
                        return Poll::Ready(Err(e));
                    }
                    this.tg = tg;
                    this.level = unsafe { sys::ac_task_cancelling(task) };
                    let handle = TaskGroup { raw: unsafe { sys::ac_taskgroup_ref(tg) } };
                    this.state = State::Body(body(handle));
                }
                State::Body(fut) => {
                    let r = std::task::ready!(unsafe { Pin::new_unchecked(fut) }.poll(cx));
                    let (code, err, value) = match r {
                        Ok(v) => (0, ptr::null_mut(), Some(v)),
                        Err(e) => (e.code(), e.to_raw(), None),
                    };
                    let mut join = ptr::null_mut();
                    let rc = unsafe { sys::ac_taskgroup_join(this.tg, code, err, &mut join) };
                    unsafe { sys::ac_error_unref(err) };
                    if let Err(e) = check(rc) {
                        this.state = State::Done;
                        return Poll::Ready(Err(e));
                    }
                    this.state = State::Join(unsafe { Await::from_owned(join) }, value);
                }
                State::Join(aw, value) => {
                    let polled = std::task::ready!(aw.poll(cx));
                    let f = aw.raw();
                    let r = unsafe {
                        if let Err(e) = polled {
                            Err(e)
                        } else if sys::ac_future_state_of(f) as u32 == sys::AC_FUTURE_RESULT {
                            Ok(value.take())
                        } else {
                            Err(Error::from_raw(sys::ac_future_error(f)))
                        }
                    };
                    this.state = State::Done;
                    // The group took its own cancellation of the parent back.
                    withdraw_stale_cancel(this.level);
                    return Poll::Ready(match r {
                        Ok(Some(v)) => Ok(v),
                        // The body failed but the group did not report it.
                        Ok(None) => Err(Error::from_code(sys::AC_ECANCELLED)),
                        Err(e) => Err(e),
                    });
                }
                State::Done => panic!("task_group polled after completion"),
            }
        }
    }
}

impl<B, Fut, R> Drop for TaskGroupRun<B, Fut, R> {
    fn drop(&mut self) {
        if !self.tg.is_null() {
            unsafe { sys::ac_taskgroup_unref(self.tg) };
        }
    }
}
