//! asyncio's loop.add_reader / add_writer / remove_reader / remove_writer
//! (asyncore/fdwatch.h): a closure called on the loop whenever a
//! descriptor the caller owns is readable (writable), until removed.
//! For a task, [`crate::fs::wait_readable`] and
//! [`crate::fs::wait_writable`] are the awaitable forms.
//!
//! One reader and one writer per descriptor per loop: adding again
//! replaces the closure (the old one is dropped). Callbacks are
//! level-triggered and run from the loop's ready queue, never inside the
//! add call; one that panics or returns an error is reported to the
//! loop's exception handler and stays registered. A descriptor closed
//! while watched is dropped by the loop and reported once with `-EBADF`
//! (remove before closing). The loop never closes the descriptor.

use std::os::raw::c_void;
use std::os::unix::io::RawFd;
use std::panic::{catch_unwind, AssertUnwindSafe};

use asyncore_sys as sys;

use crate::error::{check, Result};
use crate::runtime::{current_loop_raw, run_callback, CallbackResult, LoopScope};

type Watch = Box<dyn FnMut() -> Result<()>>;

unsafe extern "C" fn on_ready(l: *mut sys::ac_loop, ud: *mut c_void) {
    // The library defers free_ud while the callback runs, so the closure
    // stays alive even if it removes itself.
    let w = &mut *(ud as *mut Watch);
    let _scope = LoopScope::enter(l);
    run_callback(l, w);
}

unsafe extern "C" fn free_watch(ud: *mut c_void) {
    let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(ud as *mut Watch))));
}

type AddFn = unsafe extern "C" fn(*mut sys::ac_loop, i32, sys::ac_callback_fn, *mut c_void, sys::ac_free_fn) -> i32;

fn add<R: CallbackResult>(add: AddFn, fd: RawFd, mut f: impl FnMut() -> R + 'static) -> Result<()> {
    let l = current_loop_raw()?;
    let w: Watch = Box::new(move || f().into_result());
    let ud = Box::into_raw(Box::new(w)) as *mut c_void;
    // On failure free_ud has run.
    check(unsafe { add(l, fd, Some(on_ready), ud, Some(free_watch)) }).map(|_| ())
}

/// Calls `f` on the current loop whenever `fd` is readable, until
/// [`remove_reader`]. Replaces the descriptor's earlier reader.
/// Errors: `-EBADF` (not an open descriptor), `-EPERM` (a regular file),
/// `AC_EINVAL` (negative fd), no running loop.
pub fn add_reader<R: CallbackResult>(fd: RawFd, f: impl FnMut() -> R + 'static) -> Result<()> {
    add(sys::ac_loop_add_reader, fd, f)
}

/// Calls `f` whenever `fd` is writable, until [`remove_writer`].
pub fn add_writer<R: CallbackResult>(fd: RawFd, f: impl FnMut() -> R + 'static) -> Result<()> {
    add(sys::ac_loop_add_writer, fd, f)
}

/// Removes the descriptor's reader: true if there was one (its closure is
/// dropped), false if not.
pub fn remove_reader(fd: RawFd) -> Result<bool> {
    check(unsafe { sys::ac_loop_remove_reader(current_loop_raw()?, fd) }).map(|r| r == 1)
}

/// Removes the descriptor's writer: true if there was one.
pub fn remove_writer(fd: RawFd) -> Result<bool> {
    check(unsafe { sys::ac_loop_remove_writer(current_loop_raw()?, fd) }).map(|r| r == 1)
}
