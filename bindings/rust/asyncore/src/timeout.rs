//! Timeout scopes (asyncio.timeout): a deadline around any stretch of
//! awaits in the current task.

use std::future::Future;
use std::pin::Pin;
use std::ptr;
use std::task::{Context, Poll};

use asyncore_sys as sys;

use crate::error::{check, Error, Result};
use crate::task::{current_task_raw, withdraw_stale_cancel};

enum Deadline {
    After(f64),
    At(f64),
}

/// Runs `fut` (inside the current task, not as a new one) with a deadline
/// `delay` seconds from the first poll (asyncio.timeout). When it passes,
/// the task is cancelled: the await in progress gives `Err(Cancelled)`,
/// and once `fut` has finished, the scope turns that cancellation into
/// `Err(Error::Timeout)`. A cancellation from elsewhere stays a
/// cancellation.
pub fn timeout<F, T>(delay: f64, fut: F) -> Timeout<F>
where
    F: Future<Output = Result<T>>,
{
    Timeout { fut, deadline: Deadline::After(delay), scope: ptr::null_mut(), level: 0, finished: false, expired: false }
}

/// As [`timeout`], with a deadline in loop time (asyncio.timeout_at).
pub fn timeout_at<F, T>(when: f64, fut: F) -> Timeout<F>
where
    F: Future<Output = Result<T>>,
{
    Timeout { fut, deadline: Deadline::At(when), scope: ptr::null_mut(), level: 0, finished: false, expired: false }
}

/// The future of [`timeout`].
pub struct Timeout<F> {
    fut: F,
    deadline: Deadline,
    scope: *mut sys::ac_timeout,
    /// The task's cancelling() count when the scope was entered.
    level: i32,
    finished: bool,
    /// Whether the deadline had passed, recorded when the scope was left.
    expired: bool,
}

impl<F> Timeout<F> {
    fn enter(&mut self) -> Result<()> {
        let task = current_task_raw()
            .ok_or_else(|| Error::with_message(sys::AC_ESTATE, "timeout() must be awaited inside a task"))?;
        let l = unsafe { sys::ac_task_get_loop(task) };
        let mut scope = ptr::null_mut();
        check(unsafe {
            match self.deadline {
                Deadline::After(d) => sys::ac_timeout_new(l, d, &mut scope),
                Deadline::At(w) => sys::ac_timeout_new_at(l, w, &mut scope),
            }
        })?;
        self.level = unsafe { sys::ac_task_cancelling(task) };
        if let Err(e) = check(unsafe { sys::ac_timeout_enter(scope, task) }) {
            unsafe { sys::ac_timeout_unref(scope) };
            return Err(e);
        }
        self.scope = scope;
        Ok(())
    }

    fn exit(&mut self, outcome: i32) -> i32 {
        let scope = std::mem::replace(&mut self.scope, ptr::null_mut());
        if scope.is_null() {
            return outcome;
        }
        self.expired = unsafe { sys::ac_timeout_expired(scope) } == 1;
        let rc = unsafe { sys::ac_timeout_exit(scope, outcome) };
        unsafe { sys::ac_timeout_unref(scope) };
        withdraw_stale_cancel(self.level);
        rc
    }

    /// The deadline in loop time, once the scope is entered.
    pub fn when(&self) -> Option<f64> {
        (!self.scope.is_null()).then(|| unsafe { sys::ac_timeout_when(self.scope) })
    }

    /// True once the deadline passed while the scope was entered (also
    /// after the scope was left).
    pub fn expired(&self) -> bool {
        self.expired || (!self.scope.is_null() && unsafe { sys::ac_timeout_expired(self.scope) } == 1)
    }

    /// Moves the deadline to loop time `when` (asyncio's reschedule).
    pub fn reschedule(self: Pin<&mut Self>, when: f64) -> Result<()> {
        // SAFETY: only the unpinned fields are touched.
        let this = unsafe { self.get_unchecked_mut() };
        if this.scope.is_null() {
            this.deadline = Deadline::At(when);
            return Ok(());
        }
        check(unsafe { sys::ac_timeout_reschedule(this.scope, when) }).map(|_| ())
    }
}

impl<F, T> Future for Timeout<F>
where
    F: Future<Output = Result<T>>,
{
    type Output = Result<T>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        // SAFETY: `fut` is never moved; the other fields are plain data.
        let this = unsafe { self.get_unchecked_mut() };
        assert!(!this.finished, "Timeout polled after completion");
        if this.scope.is_null() {
            if let Err(e) = this.enter() {
                this.finished = true;
                return Poll::Ready(Err(e));
            }
        }
        let r = std::task::ready!(unsafe { Pin::new_unchecked(&mut this.fut) }.poll(cx));
        this.finished = true;
        let code = match &r {
            Ok(_) => 0,
            Err(e) => e.code(),
        };
        Poll::Ready(if this.exit(code) == sys::AC_ETIMEDOUT {
            Err(Error::Timeout { message: "the timeout expired".into() })
        } else {
            r
        })
    }
}

impl<F> Drop for Timeout<F> {
    fn drop(&mut self) {
        // Dropped before its future finished: leave the scope as if the
        // stretch was cancelled.
        self.exit(sys::AC_ECANCELLED);
    }
}
