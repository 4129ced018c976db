//! Timeout scopes (asyncio.timeout): a deadline around any stretch of
//! awaits in the current task.

use std::future::Future;
use std::pin::Pin;
use std::ptr;
use std::task::{Context, Poll};

use asyncore_sys as sys;

use crate::error::{check, Error, Result};
use crate::runtime::current_loop_raw;
use crate::time::{IntoDeadline, IntoDelay};
use crate::task::{current_task_raw, withdraw_stale_cancel};

fn deadline_arg(when: Option<f64>) -> f64 {
    when.unwrap_or(f64::INFINITY)
}

/// A timeout scope (asyncio's `Timeout`, made by `asyncio.timeout` or
/// `asyncio.timeout_at`): a deadline, fixed when the scope is made, that
/// [`TimeoutScope::run`] puts around a stretch of awaits of the current
/// task. It may be entered once; it can be asked [`when`](Self::when) and
/// [`expired`](Self::expired) after, and moved with
/// [`reschedule`](Self::reschedule) while entered. Clones are the same
/// scope.
pub struct TimeoutScope {
    raw: *mut sys::ac_timeout,
    /// Its loop (borrowed; the scope keeps the loop alive).
    lp: *mut sys::ac_loop,
}

impl Clone for TimeoutScope {
    fn clone(&self) -> Self {
        TimeoutScope { raw: unsafe { sys::ac_timeout_ref(self.raw) }, lp: self.lp }
    }
}

impl Drop for TimeoutScope {
    fn drop(&mut self) {
        unsafe { sys::ac_timeout_unref(self.raw) };
    }
}

impl TimeoutScope {
    /// A scope of the current loop expiring `delay` seconds from now
    /// (asyncio.timeout); None: no deadline; a negative delay is already
    /// due.
    pub fn after(delay: Option<f64>) -> Result<TimeoutScope> {
        Self::after_on(current_loop_raw()?, delay)
    }

    /// A scope of the current loop expiring at loop time `when`
    /// (asyncio.timeout_at); None: no deadline.
    pub fn at(when: Option<f64>) -> Result<TimeoutScope> {
        Self::at_on(current_loop_raw()?, when)
    }

    fn after_on(l: *mut sys::ac_loop, delay: Option<f64>) -> Result<TimeoutScope> {
        let mut raw = ptr::null_mut();
        check(unsafe { sys::ac_timeout_new(l, deadline_arg(delay), &mut raw) })?;
        Ok(TimeoutScope { raw, lp: l })
    }

    fn at_on(l: *mut sys::ac_loop, when: Option<f64>) -> Result<TimeoutScope> {
        let mut raw = ptr::null_mut();
        check(unsafe { sys::ac_timeout_new_at(l, deadline_arg(when), &mut raw) })?;
        Ok(TimeoutScope { raw, lp: l })
    }

    /// The raw scope (borrowed).
    pub fn as_raw(&self) -> *mut sys::ac_timeout {
        self.raw
    }

    /// The deadline in loop time; None when there is none.
    pub fn when(&self) -> Option<f64> {
        let w = unsafe { sys::ac_timeout_when(self.raw) };
        w.is_finite().then_some(w)
    }

    /// The deadline as an `Instant`; None when there is none.
    pub fn deadline(&self) -> Option<std::time::Instant> {
        self.when().map(|w| crate::time::instant_on(self.lp, w))
    }

    /// Moves the deadline to `when` (an `Instant`, or loop time).
    pub fn reschedule_at(&self, when: impl IntoDeadline) -> Result<()> {
        self.reschedule(Some(when.loop_time(self.lp)))
    }

    /// True once the deadline passed while the scope was entered (it
    /// cancelled its task).
    pub fn expired(&self) -> bool {
        unsafe { sys::ac_timeout_expired(self.raw) == 1 }
    }

    /// Moves the deadline to loop time `when` (None: no deadline) while
    /// the scope is entered (asyncio's `reschedule`); `Err` (RuntimeError)
    /// before it is entered, once it expired or was left.
    pub fn reschedule(&self, when: Option<f64>) -> Result<()> {
        check(unsafe { sys::ac_timeout_reschedule(self.raw, deadline_arg(when)) }).map(|_| ())
    }

    /// Runs `fut` inside the current task under this scope (asyncio's
    /// `async with scope:`); see [`timeout`].
    pub fn run<F, T>(&self, fut: F) -> Timeout<F>
    where
        F: Future<Output = Result<T>>,
    {
        Timeout::new(fut, Deadline::Scope(self.clone()))
    }
}

enum Deadline {
    /// The scope is made when first polled (no loop was current at the
    /// call).
    After(f64),
    At(f64),
    /// A deadline to place on the loop's clock when first polled.
    Later(Box<dyn FnOnce(*mut sys::ac_loop) -> f64>),
    Scope(TimeoutScope),
}

/// Runs `fut` (inside the current task, not as a new one) with a deadline
/// `delay` seconds from now (asyncio.timeout; a negative delay is due at
/// once). When it passes, the task is cancelled: the await in progress
/// gives `Err(Cancelled)`, and once `fut` has finished, the scope turns
/// that cancellation into `Err(Error::Timeout)`, whose cause is the
/// cancellation. A cancellation from elsewhere stays a cancellation; a
/// body that swallows the cancellation and finishes gives its own outcome.
pub fn timeout<F, T>(delay: impl IntoDelay, fut: F) -> Timeout<F>
where
    F: Future<Output = Result<T>>,
{
    let delay = delay.seconds();
    let deadline = match current_loop_raw().and_then(|l| TimeoutScope::after_on(l, Some(delay))) {
        Ok(s) => Deadline::Scope(s),
        Err(_) => Deadline::After(delay),
    };
    Timeout::new(fut, deadline)
}

/// As [`timeout`], with a deadline: an `Instant`, or loop time
/// (asyncio.timeout_at).
pub fn timeout_at<F, T>(when: impl IntoDeadline, fut: F) -> Timeout<F>
where
    F: Future<Output = Result<T>>,
{
    match current_loop_raw() {
        Ok(l) => Timeout::new(fut, Deadline::At(when.loop_time(l))),
        // Placed on the loop's clock when first polled.
        Err(_) => Timeout::new(fut, Deadline::Later(Box::new(move |l| when.loop_time(l)))),
    }
}

/// The future of [`timeout`] and [`TimeoutScope::run`].
pub struct Timeout<F> {
    fut: F,
    deadline: Deadline,
    /// The task's cancelling() count when the scope was entered.
    level: i64,
    entered: bool,
    finished: bool,
}

impl<F> Timeout<F> {
    fn new(fut: F, deadline: Deadline) -> Self {
        Timeout { fut, deadline, level: 0, entered: false, finished: false }
    }

    /// A scope of `delay` seconds made when first polled (wait_for).
    pub(crate) fn lazy(delay: f64, fut: F) -> Self {
        Timeout::new(fut, Deadline::After(delay))
    }

    /// The future the scope runs.
    pub(crate) fn inner_ref(&self) -> &F {
        &self.fut
    }

    fn scope(&self) -> Option<&TimeoutScope> {
        match &self.deadline {
            Deadline::Scope(s) => Some(s),
            _ => None,
        }
    }

    fn enter(&mut self) -> Result<()> {
        let Some(task) = current_task_raw() else {
            return Err(Error::with_message(sys::AC_EMISUSE, "Timeout should be used inside a task"));
        };
        let l = unsafe { sys::ac_task_get_loop(task) };
        match self.deadline {
            Deadline::After(d) => self.deadline = Deadline::Scope(TimeoutScope::after_on(l, Some(d))?),
            Deadline::At(w) => self.deadline = Deadline::Scope(TimeoutScope::at_on(l, Some(w))?),
            Deadline::Later(_) => {
                let Deadline::Later(f) = std::mem::replace(&mut self.deadline, Deadline::At(0.0)) else {
                    unreachable!()
                };
                self.deadline = Deadline::Scope(TimeoutScope::at_on(l, Some(f(l)))?)
            }
            Deadline::Scope(_) => {}
        }
        let scope = self.scope().expect("made above").raw;
        self.level = unsafe { sys::ac_task_cancelling(task) };
        check(unsafe { sys::ac_timeout_enter(scope, task) })?;
        self.entered = true;
        Ok(())
    }

    /// Leaves the scope with the body's outcome; returns what to act on:
    /// `Ok(None)` the outcome stands, `Ok(Some(e))` the scope's
    /// TimeoutError, `Err(e)` the exit was refused.
    fn exit(&mut self, outcome: i32) -> Result<Option<Error>> {
        if !self.entered {
            return Ok(None);
        }
        self.entered = false;
        let scope = self.scope().expect("entered").raw;
        let rc = unsafe { sys::ac_timeout_exit(scope, outcome) };
        withdraw_stale_cancel(self.level);
        if rc == outcome {
            Ok(None)
        } else if rc == sys::AC_ETIMEDOUT {
            let e = unsafe { sys::ac_timeout_error(scope) };
            Ok(Some(if e.is_null() { Error::timeout() } else { unsafe { Error::from_raw(e) } }))
        } else {
            Err(Error::from_call(rc))
        }
    }

    /// The deadline in loop time, once the scope is made (None: none).
    pub fn when(&self) -> Option<f64> {
        self.scope().and_then(TimeoutScope::when)
    }

    /// True once the deadline passed while the scope was entered (also
    /// after the scope was left).
    pub fn expired(&self) -> bool {
        self.scope().is_some_and(TimeoutScope::expired)
    }

    /// The scope, once made (for reschedule, when, expired).
    pub fn timeout_scope(&self) -> Option<TimeoutScope> {
        self.scope().cloned()
    }

    /// Moves the deadline to loop time `when` (asyncio's reschedule);
    /// before the scope is made, changes the deadline it will have.
    pub fn reschedule(self: Pin<&mut Self>, when: f64) -> Result<()> {
        // SAFETY: only the unpinned fields are touched.
        let this = unsafe { self.get_unchecked_mut() };
        match &this.deadline {
            Deadline::Scope(s) => s.reschedule(Some(when)),
            _ => {
                this.deadline = Deadline::At(when);
                Ok(())
            }
        }
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
        if !this.entered {
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
        Poll::Ready(match this.exit(code) {
            Ok(None) => r,
            Ok(Some(timeout)) => Err(timeout),
            Err(e) => Err(e),
        })
    }
}

impl<F> Drop for Timeout<F> {
    fn drop(&mut self) {
        // Dropped before its future finished: leave the scope as if the
        // stretch was cancelled.
        let _ = self.exit(sys::AC_ECANCELLED);
    }
}
