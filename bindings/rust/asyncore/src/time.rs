//! Times given to the loop: a delay is a [`Duration`] (or, as asyncio
//! writes it, an `f64` of seconds), a deadline an [`Instant`] (or an `f64`
//! of the loop's clock, [`Loop::time`](crate::Loop::time)). Times read back
//! from the loop come as `Instant` through [`now`] and
//! [`Loop::now`](crate::Loop::now).
//!
//! An `Instant` is placed on the loop's clock by its distance from the
//! present: on a loop with a virtual clock, `now() + d` is the loop time
//! `time() + d` as well.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use asyncore_sys as sys;

use crate::runtime::current_loop_raw;

mod sealed {
    pub trait Sealed {}
    impl Sealed for std::time::Duration {}
    impl Sealed for std::time::Instant {}
    impl Sealed for f64 {}
}

/// A delay: a [`Duration`], or an `f64` of seconds (asyncio's unit; 0 or
/// less is "now").
pub trait IntoDelay: sealed::Sealed + Copy + 'static {
    /// The delay in seconds.
    fn seconds(self) -> f64;
}

impl IntoDelay for Duration {
    fn seconds(self) -> f64 {
        self.as_secs_f64()
    }
}

impl IntoDelay for f64 {
    fn seconds(self) -> f64 {
        self
    }
}

/// A deadline: an [`Instant`], or an `f64` of the loop's clock.
pub trait IntoDeadline: sealed::Sealed + Copy + 'static {
    /// The deadline on the clock of `lp` (seconds).
    #[doc(hidden)]
    fn loop_time(self, lp: *mut sys::ac_loop) -> f64;
}

impl IntoDeadline for f64 {
    fn loop_time(self, _lp: *mut sys::ac_loop) -> f64 {
        self
    }
}

impl IntoDeadline for Instant {
    fn loop_time(self, lp: *mut sys::ac_loop) -> f64 {
        let base = anchor(lp);
        if self >= base {
            (self - base).as_secs_f64()
        } else {
            -(base - self).as_secs_f64()
        }
    }
}

thread_local! {
    /// Per loop, the `Instant` of its time 0, fixed at the first
    /// conversion: a loop's instants stay consistent with its clock (a
    /// virtual one included) for its whole life.
    static ANCHORS: RefCell<HashMap<usize, Instant>> = RefCell::new(HashMap::new());
}

fn anchor(lp: *mut sys::ac_loop) -> Instant {
    ANCHORS.with(|a| {
        *a.borrow_mut().entry(lp as usize).or_insert_with(|| {
            // SAFETY: a live loop (the caller's).
            let t = unsafe { sys::ac_loop_time(lp) };
            let here = Instant::now();
            here.checked_sub(Duration::from_secs_f64(t.clamp(0.0, 1e9))).unwrap_or(here)
        })
    })
}

/// The `Instant` of loop time `t` on the loop `lp`.
pub(crate) fn instant_on(lp: *mut sys::ac_loop, t: f64) -> Instant {
    let base = anchor(lp);
    if t >= 0.0 {
        base + Duration::from_secs_f64(t.min(1e12))
    } else {
        base.checked_sub(Duration::from_secs_f64((-t).min(1e9))).unwrap_or(base)
    }
}

/// The current loop's present as an `Instant`: its `time()`, which on a
/// virtual clock moves only as the loop advances it (on such a loop, make
/// deadlines from `now()`, not from `Instant::now()`); the real
/// `Instant::now()` outside a loop.
pub fn now() -> Instant {
    match current_loop_raw() {
        // SAFETY: the running loop.
        Ok(lp) => instant_on(lp, unsafe { sys::ac_loop_time(lp) }),
        Err(_) => Instant::now(),
    }
}
