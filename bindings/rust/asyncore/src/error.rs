//! Errors: the Rust face of `ac_error` and of the negative `AC_E*` codes.

use std::ffi::{CStr, CString};
use std::fmt;

use asyncore_sys as sys;

/// The result of every fallible operation of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The broad family of an error (`ac_error_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// An operating-system or libuv condition.
    Os,
    /// `AC_ECANCELLED`.
    Cancelled,
    /// `AC_ETIMEDOUT`.
    Timeout,
    /// Invalid argument, state or thread; closed; already running.
    Usage,
    /// `AC_EGROUP`: see [`Error::children`].
    Group,
    /// `AC_EHOST`: raised by host code (a Rust error or panic).
    Host,
    /// Any other condition of the library.
    Runtime,
}

/// An error of the runtime or of a task, with what `ac_error` carries:
/// the code, the message and, for a task group, the children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The operation or task was cancelled (`AC_ECANCELLED`), with the
    /// cancel message (empty when none was given).
    Cancelled { message: String },
    /// A deadline passed (`AC_ETIMEDOUT`).
    Timeout { message: String },
    /// An operating-system or libuv condition (a negated errno).
    Os { code: i32, message: String },
    /// Misuse: invalid argument or state, wrong thread, closed, running.
    Usage { code: i32, message: String },
    /// One or more tasks of a group failed (`AC_EGROUP`).
    Group { message: String, children: Vec<Error> },
    /// Raised by host code: a Rust error or a panic (`AC_EHOST`).
    Host { message: String },
    /// Another condition of the library (`AC_EEMPTY`, `AC_ESHUTDOWN` ...).
    Runtime { code: i32, message: String },
}

fn static_str(p: *const std::os::raw::c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: the library hands out NUL-terminated strings.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// The library's description of `code` (`ac_strerror`).
pub fn strerror(code: i32) -> String {
    // SAFETY: thread-safe, never NULL.
    static_str(unsafe { sys::ac_strerror(code) })
}

/// The name of `code`, e.g. "AC_ECANCELLED" (`ac_err_name`).
pub fn err_name(code: i32) -> String {
    // SAFETY: thread-safe, never NULL.
    static_str(unsafe { sys::ac_err_name(code) })
}

fn kind_of(code: i32) -> ErrorKind {
    match code {
        sys::AC_ECANCELLED => ErrorKind::Cancelled,
        sys::AC_ETIMEDOUT => ErrorKind::Timeout,
        sys::AC_EINVAL | sys::AC_ESTATE | sys::AC_EWRONGTHREAD | sys::AC_ECLOSED
        | sys::AC_ERUNNING => ErrorKind::Usage,
        sys::AC_EGROUP => ErrorKind::Group,
        sys::AC_EHOST => ErrorKind::Host,
        c if c > -10000 => ErrorKind::Os,
        _ => ErrorKind::Runtime,
    }
}

impl Error {
    /// An error for a negative code, with the library's description as
    /// its message.
    pub fn from_code(code: i32) -> Error {
        Error::with_message(code, strerror(code))
    }

    /// An error for a negative code with a message of your own.
    pub fn with_message(code: i32, message: impl Into<String>) -> Error {
        let message = message.into();
        match kind_of(code) {
            ErrorKind::Cancelled => Error::Cancelled { message },
            ErrorKind::Timeout => Error::Timeout { message },
            ErrorKind::Usage => Error::Usage { code, message },
            ErrorKind::Group => Error::Group { message, children: Vec::new() },
            ErrorKind::Host => Error::Host { message },
            ErrorKind::Os => Error::Os { code, message },
            ErrorKind::Runtime => Error::Runtime { code, message },
        }
    }

    /// A host error (`AC_EHOST`) carrying `message`: how Rust code fails a
    /// task with its own reason.
    pub fn host(message: impl Into<String>) -> Error {
        Error::Host { message: message.into() }
    }

    /// A cancellation with a message.
    pub fn cancelled(message: impl Into<String>) -> Error {
        Error::Cancelled { message: message.into() }
    }

    /// The negative code (`AC_E*` or a negated errno).
    pub fn code(&self) -> i32 {
        match self {
            Error::Cancelled { .. } => sys::AC_ECANCELLED,
            Error::Timeout { .. } => sys::AC_ETIMEDOUT,
            Error::Group { .. } => sys::AC_EGROUP,
            Error::Host { .. } => sys::AC_EHOST,
            Error::Os { code, .. } | Error::Usage { code, .. } | Error::Runtime { code, .. } => {
                *code
            }
        }
    }

    /// The family of the error.
    pub fn kind(&self) -> ErrorKind {
        kind_of(self.code())
    }

    /// The message (the code's description when none was given).
    pub fn message(&self) -> &str {
        match self {
            Error::Cancelled { message }
            | Error::Timeout { message }
            | Error::Os { message, .. }
            | Error::Usage { message, .. }
            | Error::Group { message, .. }
            | Error::Host { message }
            | Error::Runtime { message, .. } => message,
        }
    }

    /// The failures a group error aggregates, in order; empty otherwise.
    pub fn children(&self) -> &[Error] {
        match self {
            Error::Group { children, .. } => children,
            _ => &[],
        }
    }

    /// The code's name, e.g. "AC_ECANCELLED".
    pub fn name(&self) -> String {
        err_name(self.code())
    }

    /// True for [`Error::Cancelled`].
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Error::Cancelled { .. })
    }

    /// Reads a borrowed `ac_error` (with its children).
    ///
    /// # Safety
    /// `err` is NULL or a live `ac_error`.
    pub unsafe fn from_raw(err: *const sys::ac_error) -> Error {
        if err.is_null() {
            return Error::from_code(sys::AC_EINTERNAL);
        }
        let code = sys::ac_error_code(err);
        let message = static_str(sys::ac_error_message(err));
        let mut e = Error::with_message(code, message);
        if let Error::Group { children, .. } = &mut e {
            let n = sys::ac_error_child_count(err);
            for i in 0..n {
                children.push(Error::from_raw(sys::ac_error_child(err, i)));
            }
        }
        e
    }

    /// A new `ac_error` (one reference, the caller's) with this code,
    /// message and children; NULL when out of memory.
    pub fn to_raw(&self) -> *mut sys::ac_error {
        let msg = CString::new(self.message().replace('\0', " ")).unwrap_or_default();
        let mut out = std::ptr::null_mut();
        // SAFETY: valid arguments; out receives a reference.
        let rc = unsafe { sys::ac_error_new(self.code(), msg.as_ptr(), std::ptr::null_mut(), &mut out) };
        if rc != 0 {
            return std::ptr::null_mut();
        }
        for child in self.children() {
            let c = child.to_raw();
            if !c.is_null() {
                // SAFETY: both live; the error is not shared yet.
                unsafe {
                    sys::ac_error_add_child(out, c);
                    sys::ac_error_unref(c);
                }
            }
        }
        out
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.message())?;
        for child in self.children() {
            write!(f, "\n  {}", child.to_string().replace('\n', "\n  "))?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Turns a return code into a Result: negative codes become errors.
pub(crate) fn check(rc: i32) -> Result<i32> {
    if rc < 0 {
        Err(Error::from_code(rc))
    } else {
        Ok(rc)
    }
}
