//! Errors: the Rust face of `ac_error` and of the negative `AC_E*` codes.
//!
//! Every error has asyncio's class ([`ErrorKind`], from the code: what
//! `ac_err_class` names), asyncio's message where asyncio has one, an
//! optional cause (`raise ... from ...`; [`std::error::Error::source`]) and,
//! for a task group, the children. It prints as Python prints the class and
//! the message: "ValueError: parties must be >= 1", or the class alone when
//! the message is empty ("TimeoutError").

use std::ffi::{CStr, CString};
use std::fmt;
use std::sync::Arc;

use asyncore_sys as sys;

/// The result of every fallible operation of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// asyncio's exception class for an error (what `ac_err_class` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// `asyncio.CancelledError` (`AC_ECANCELLED`).
    Cancelled,
    /// `TimeoutError` (`AC_ETIMEDOUT`): a deadline passed.
    Timeout,
    /// `asyncio.InvalidStateError` (`AC_ESTATE`): a future already done, a
    /// result not set yet.
    InvalidState,
    /// `RuntimeError` (`AC_EMISUSE`, `AC_ECLOSED`, `AC_ERUNNING`,
    /// `AC_EWRONGTHREAD`, `AC_ESTOPPED`, `AC_EINTERNAL`): misuse, a closed
    /// or running loop.
    Runtime,
    /// `ValueError` (`AC_EINVAL`): a value out of range.
    Value,
    /// `asyncio.QueueEmpty` (`AC_EEMPTY`).
    QueueEmpty,
    /// `asyncio.QueueFull` (`AC_EFULL`).
    QueueFull,
    /// `asyncio.QueueShutDown` (`AC_ESHUTDOWN`).
    QueueShutDown,
    /// `asyncio.BrokenBarrierError` (`AC_EBROKEN`).
    BrokenBarrier,
    /// `ExceptionGroup` (`AC_EGROUP`): see [`Error::children`].
    Group,
    /// `asyncio.IncompleteReadError` (`AC_EINCOMPLETE`).
    IncompleteRead,
    /// `asyncio.LimitOverrunError` (`AC_ELIMIT`).
    LimitOverrun,
    /// An error raised by host code (`AC_EHOST`): a Rust error or a panic
    /// (Python's plain `Exception`).
    Host,
    /// `OSError` and its subclasses: an operating-system or libuv
    /// condition, with Rust's kind for the errno.
    Os(std::io::ErrorKind),
}

/// The optional cause of an error (Python's `__cause__`).
pub type Cause = Option<Box<Error>>;

/// An error of the runtime or of a task, with what `ac_error` carries: the
/// code, the message, the cause and, for a task group, the children.
///
/// The variants are families of codes; [`Error::kind`] is asyncio's class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The operation or task was cancelled (`AC_ECANCELLED`), with the
    /// cancel message (empty when none was given).
    Cancelled { message: String, cause: Cause },
    /// A deadline passed (`AC_ETIMEDOUT`); the message is empty as
    /// asyncio's, and a timeout scope's error has the cancellation it
    /// replaced as its cause.
    Timeout { message: String, cause: Cause },
    /// An operating-system or libuv condition (a negated errno).
    Os { code: i32, message: String, cause: Cause },
    /// Misuse: an invalid value (ValueError), state (InvalidStateError) or
    /// call (RuntimeError: wrong thread, closed, running, misuse).
    Usage { code: i32, message: String, cause: Cause },
    /// One or more tasks of a group failed (`AC_EGROUP`).
    Group { message: String, children: Vec<Error>, cause: Cause },
    /// Raised by host code: a Rust error or a panic (`AC_EHOST`). An error
    /// of any type made into this one by [`Error::other`] is kept as
    /// `source` (read it back with [`Error::downcast_ref`]); it travels with
    /// the error through the library, e.g. from a failed task to the
    /// awaiter of its handle.
    Host { message: String, cause: Cause, source: Option<HostSource> },
    /// Another condition of the library (`AC_EEMPTY`, `AC_ESHUTDOWN`,
    /// `AC_EBROKEN` ...).
    Runtime { code: i32, message: String, cause: Cause },
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

/// asyncio's exception class for `code`, e.g. "QueueEmpty" (`ac_err_class`).
pub fn err_class(code: i32) -> String {
    // SAFETY: thread-safe, never NULL.
    static_str(unsafe { sys::ac_err_class(code) })
}

/// The message asyncio gives the condition `code` when nothing says more:
/// none for a cancellation, a timeout and the queue conditions (asyncio
/// raises them bare), the library's description otherwise.
fn default_message(code: i32) -> String {
    match code {
        sys::AC_ECANCELLED | sys::AC_ETIMEDOUT | sys::AC_EEMPTY | sys::AC_EFULL | sys::AC_ESHUTDOWN => {
            String::new()
        }
        _ => strerror(code),
    }
}

/// Why the call that just returned `code` on this thread failed, in
/// asyncio's words (`ac_last_error_message`), or the default message.
pub(crate) fn last_message(code: i32) -> String {
    // SAFETY: thread-local static storage, never NULL for a known code.
    let m = static_str(unsafe { sys::ac_last_error_message(code) });
    if m == strerror(code) {
        default_message(code)
    } else {
        m
    }
}

/// The family variant a code belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Cancelled,
    Timeout,
    Os,
    Usage,
    Group,
    Host,
    Runtime,
}

fn family_of(code: i32) -> Family {
    match code {
        sys::AC_ECANCELLED => Family::Cancelled,
        sys::AC_ETIMEDOUT => Family::Timeout,
        sys::AC_EINVAL
        | sys::AC_ESTATE
        | sys::AC_EWRONGTHREAD
        | sys::AC_ECLOSED
        | sys::AC_ERUNNING
        | sys::AC_EMISUSE => Family::Usage,
        sys::AC_EGROUP => Family::Group,
        sys::AC_EHOST => Family::Host,
        c if c > -10000 => Family::Os,
        _ => Family::Runtime,
    }
}

fn kind_of(code: i32) -> ErrorKind {
    match code {
        sys::AC_ECANCELLED => ErrorKind::Cancelled,
        sys::AC_ETIMEDOUT => ErrorKind::Timeout,
        sys::AC_ESTATE => ErrorKind::InvalidState,
        sys::AC_EINVAL => ErrorKind::Value,
        sys::AC_EEMPTY => ErrorKind::QueueEmpty,
        sys::AC_EFULL => ErrorKind::QueueFull,
        sys::AC_ESHUTDOWN => ErrorKind::QueueShutDown,
        sys::AC_EBROKEN => ErrorKind::BrokenBarrier,
        sys::AC_EGROUP => ErrorKind::Group,
        sys::AC_EINCOMPLETE => ErrorKind::IncompleteRead,
        sys::AC_ELIMIT => ErrorKind::LimitOverrun,
        sys::AC_EHOST => ErrorKind::Host,
        c if c < 0 && c > -10000 => ErrorKind::Os(std::io::Error::from_raw_os_error(-c).kind()),
        _ => ErrorKind::Runtime,
    }
}

/// The code an error of `kind` is made with by [`Error::new`].
fn code_of_kind(kind: ErrorKind) -> i32 {
    use std::io::ErrorKind as K;
    match kind {
        ErrorKind::Cancelled => sys::AC_ECANCELLED,
        ErrorKind::Timeout => sys::AC_ETIMEDOUT,
        ErrorKind::InvalidState => sys::AC_ESTATE,
        ErrorKind::Runtime => sys::AC_EMISUSE,
        ErrorKind::Value => sys::AC_EINVAL,
        ErrorKind::QueueEmpty => sys::AC_EEMPTY,
        ErrorKind::QueueFull => sys::AC_EFULL,
        ErrorKind::QueueShutDown => sys::AC_ESHUTDOWN,
        ErrorKind::BrokenBarrier => sys::AC_EBROKEN,
        ErrorKind::Group => sys::AC_EGROUP,
        ErrorKind::IncompleteRead => sys::AC_EINCOMPLETE,
        ErrorKind::LimitOverrun => sys::AC_ELIMIT,
        ErrorKind::Host => sys::AC_EHOST,
        ErrorKind::Os(k) => -(match k {
            K::NotFound => libc_errno::ENOENT,
            K::PermissionDenied => libc_errno::EACCES,
            K::ConnectionRefused => libc_errno::ECONNREFUSED,
            K::ConnectionReset => libc_errno::ECONNRESET,
            K::ConnectionAborted => libc_errno::ECONNABORTED,
            K::NotConnected => libc_errno::ENOTCONN,
            K::AddrInUse => libc_errno::EADDRINUSE,
            K::AddrNotAvailable => libc_errno::EADDRNOTAVAIL,
            K::BrokenPipe => libc_errno::EPIPE,
            K::AlreadyExists => libc_errno::EEXIST,
            K::WouldBlock => libc_errno::EAGAIN,
            K::TimedOut => libc_errno::ETIMEDOUT,
            K::Interrupted => libc_errno::EINTR,
            K::Unsupported => libc_errno::ENOTSUP,
            K::OutOfMemory => libc_errno::ENOMEM,
            K::InvalidInput => libc_errno::EINVAL,
            _ => libc_errno::EIO,
        }),
    }
}

/// The errno values `code_of_kind` needs (Linux), without a libc crate.
mod libc_errno {
    pub const ENOENT: i32 = 2;
    pub const EINTR: i32 = 4;
    pub const EIO: i32 = 5;
    pub const EAGAIN: i32 = 11;
    pub const ENOMEM: i32 = 12;
    pub const EACCES: i32 = 13;
    pub const EEXIST: i32 = 17;
    pub const EINVAL: i32 = 22;
    pub const EPIPE: i32 = 32;
    pub const ENOTSUP: i32 = 95;
    pub const EADDRINUSE: i32 = 98;
    pub const EADDRNOTAVAIL: i32 = 99;
    pub const ECONNABORTED: i32 = 103;
    pub const ECONNRESET: i32 = 104;
    pub const ENOTCONN: i32 = 107;
    pub const ETIMEDOUT: i32 = 110;
    pub const ECONNREFUSED: i32 = 111;
}

impl Error {
    /// An error for a negative code with asyncio's default message for it
    /// (none for a cancellation, a timeout, the queue conditions; the
    /// library's description otherwise).
    pub fn from_code(code: i32) -> Error {
        Error::with_message(code, default_message(code))
    }

    /// An error for the code a call of the library just returned on this
    /// thread, with the call's reason in asyncio's words
    /// (`ac_last_error_message`): what `check` gives.
    pub fn from_call(code: i32) -> Error {
        Error::with_message(code, last_message(code))
    }

    /// An error for a negative code with a message of your own.
    pub fn with_message(code: i32, message: impl Into<String>) -> Error {
        let message = message.into();
        let cause = None;
        match family_of(code) {
            Family::Cancelled => Error::Cancelled { message, cause },
            Family::Timeout => Error::Timeout { message, cause },
            Family::Usage => Error::Usage { code, message, cause },
            Family::Group => Error::Group { message, children: Vec::new(), cause },
            Family::Host => Error::Host { message, cause, source: None },
            Family::Os => Error::Os { code, message, cause },
            Family::Runtime => Error::Runtime { code, message, cause },
        }
    }

    /// An error of asyncio's class `kind` with `message`, e.g.
    /// `Error::new(ErrorKind::Value, "bad reply")` for
    /// `ValueError('bad reply')`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::with_message(code_of_kind(kind), message)
    }

    /// A host error (`AC_EHOST`) carrying `message`: how Rust code fails a
    /// task with its own reason.
    pub fn host(message: impl Into<String>) -> Error {
        Error::Host { message: message.into(), cause: None, source: None }
    }

    /// An error of any type as ours, keeping it (and so its source chain):
    /// a host error (`Exception` to asyncio) with its message, whose causes
    /// are the messages of its sources, and which gives the error itself
    /// back through [`Error::downcast_ref`]. One of ours is returned as is.
    ///
    /// `result.map_err(Error::other)?` turns any error into ours; a task
    /// returning its own error type is spawned through [`crate::fallible`].
    pub fn other<E: std::error::Error + Send + Sync + 'static>(e: E) -> Error {
        Error::from_boxed(Box::new(e))
    }

    /// As [`Error::other`], for an error already boxed.
    pub fn from_boxed(e: Box<dyn std::error::Error + Send + Sync + 'static>) -> Error {
        let e = match e.downcast::<Error>() {
            Ok(ours) => return *ours,
            Err(e) => e,
        };
        let mut cause: Cause = None;
        let mut chain = Vec::new();
        let mut s = e.source();
        while let Some(x) = s {
            chain.push(x.to_string());
            s = x.source();
        }
        for m in chain.into_iter().rev() {
            cause = Some(Box::new(Error::Host { message: m, cause, source: None }));
        }
        Error::Host { message: e.to_string(), cause, source: Some(HostSource(Arc::from(e))) }
    }

    /// The error of type `E` this one was made from by [`Error::other`].
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match self {
            Error::Host { source: Some(s), .. } => s.0.downcast_ref::<E>(),
            _ => None,
        }
    }

    /// A cancellation with a message (empty: none).
    pub fn cancelled(message: impl Into<String>) -> Error {
        Error::Cancelled { message: message.into(), cause: None }
    }

    /// A `TimeoutError` (empty message, as asyncio's).
    pub fn timeout() -> Error {
        Error::Timeout { message: String::new(), cause: None }
    }

    /// A group error with these children.
    pub fn group(message: impl Into<String>, children: Vec<Error>) -> Error {
        Error::Group { message: message.into(), children, cause: None }
    }

    /// This error with `cause` as its cause (Python's `raise self from
    /// cause`).
    pub fn with_cause(mut self, cause: Error) -> Error {
        *self.cause_slot() = Some(Box::new(cause));
        self
    }

    fn cause_slot(&mut self) -> &mut Cause {
        match self {
            Error::Cancelled { cause, .. }
            | Error::Timeout { cause, .. }
            | Error::Os { cause, .. }
            | Error::Usage { cause, .. }
            | Error::Group { cause, .. }
            | Error::Host { cause, .. }
            | Error::Runtime { cause, .. } => cause,
        }
    }

    /// The negative code (`AC_E*` or a negated errno).
    pub fn code(&self) -> i32 {
        match self {
            Error::Cancelled { .. } => sys::AC_ECANCELLED,
            Error::Timeout { .. } => sys::AC_ETIMEDOUT,
            Error::Group { .. } => sys::AC_EGROUP,
            Error::Host { .. } => sys::AC_EHOST,
            Error::Os { code, .. } | Error::Usage { code, .. } | Error::Runtime { code, .. } => *code,
        }
    }

    /// asyncio's class of the error.
    pub fn kind(&self) -> ErrorKind {
        kind_of(self.code())
    }

    /// The name of asyncio's class, as Python prints it: "CancelledError",
    /// "ValueError", "QueueEmpty", "ConnectionResetError" ...
    pub fn class_name(&self) -> String {
        err_class(self.code())
    }

    /// The message (asyncio's where it has one; may be empty).
    pub fn message(&self) -> &str {
        match self {
            Error::Cancelled { message, .. }
            | Error::Timeout { message, .. }
            | Error::Os { message, .. }
            | Error::Usage { message, .. }
            | Error::Group { message, .. }
            | Error::Host { message, .. }
            | Error::Runtime { message, .. } => message,
        }
    }

    /// The cause (Python's `__cause__`), if any.
    pub fn cause(&self) -> Option<&Error> {
        match self {
            Error::Cancelled { cause, .. }
            | Error::Timeout { cause, .. }
            | Error::Os { cause, .. }
            | Error::Usage { cause, .. }
            | Error::Group { cause, .. }
            | Error::Host { cause, .. }
            | Error::Runtime { cause, .. } => cause.as_deref(),
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

    /// True for a cancellation.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Error::Cancelled { .. })
    }

    /// True for a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// Reads a borrowed `ac_error` (with its cause and children).
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
            let n = sys::ac_error_child_count(err).max(0) as usize;
            for i in 0..n {
                children.push(Error::from_raw(sys::ac_error_child(err, i)));
            }
        }
        if let Error::Host { source, .. } = &mut e {
            let mut v: sys::ac_value = std::mem::zeroed();
            if sys::ac_error_payload(err, &mut v) == 0 {
                *source = crate::value::borrow_tagged::<HostSource>(&v).cloned();
            }
        }
        let cause = sys::ac_error_cause(err);
        // A cause chain is finite (each error holds its cause); a loop
        // would be a bug of the library, so the depth is bounded anyway.
        if !cause.is_null() && !std::ptr::eq(cause, err) {
            *e.cause_slot() = Some(Box::new(Error::from_raw(cause)));
        }
        e
    }

    /// A new `ac_error` (one reference, the caller's) with this code,
    /// message, cause and children; NULL when out of memory.
    pub fn to_raw(&self) -> *mut sys::ac_error {
        let msg = CString::new(self.message().replace('\0', " ")).unwrap_or_default();
        let cause = self.cause().map_or(std::ptr::null_mut(), Error::to_raw);
        let mut out = std::ptr::null_mut();
        // SAFETY: valid arguments; out receives a reference; the error
        // takes its own reference to the cause.
        let rc = unsafe { sys::ac_error_new(self.code(), msg.as_ptr(), cause, &mut out) };
        unsafe { sys::ac_error_unref(cause) };
        if rc != 0 {
            return std::ptr::null_mut();
        }
        if let Error::Host { source: Some(src), .. } = self {
            // The error object travels as the payload (its own reference).
            let v = crate::value::OutValue::new(src.clone());
            // SAFETY: out is ours; the error takes the value on success.
            if unsafe { sys::ac_error_set_payload(out, &v.raw) } == 0 {
                v.stored();
            }
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
    /// "Class: message" as Python prints the exception, or "Class" alone
    /// when the message is empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message().is_empty() {
            write!(f, "{}", self.class_name())
        } else {
            write!(f, "{}: {}", self.class_name(), self.message())
        }
    }
}

impl std::error::Error for Error {
    /// The cause; for an error made by [`Error::other`], the source of the
    /// error it was made from (so the chain is that error's own).
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        if let Error::Host { source: Some(s), .. } = self {
            return s.0.source();
        }
        self.cause().map(|c| c as &(dyn std::error::Error + 'static))
    }
}

/// The error of another type an [`Error::Host`] was made from (shared:
/// clones of the error share it). Equal when it is the same error.
#[derive(Clone)]
pub struct HostSource(Arc<dyn std::error::Error + Send + Sync + 'static>);

impl HostSource {
    /// The error.
    pub fn get(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl fmt::Debug for HostSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl PartialEq for HostSource {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for HostSource {}

impl From<Error> for std::io::Error {
    /// An OS error becomes that errno; another keeps ours inside
    /// (`get_ref` / `into_inner` give it back).
    fn from(e: Error) -> std::io::Error {
        match e {
            Error::Os { code, .. } if code < 0 => std::io::Error::from_raw_os_error(-code),
            e => std::io::Error::other(e),
        }
    }
}

impl From<Box<dyn std::error::Error + Send + Sync + 'static>> for Error {
    fn from(e: Box<dyn std::error::Error + Send + Sync + 'static>) -> Error {
        Error::from_boxed(e)
    }
}

/// The standard library's errors a task meets most, so `?` takes them.
macro_rules! from_std_errors {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Error {
                Error::other(e)
            }
        }
    )*};
}
from_std_errors!(
    std::fmt::Error,
    std::num::ParseIntError,
    std::num::ParseFloatError,
    std::num::TryFromIntError,
    std::str::Utf8Error,
    std::string::FromUtf8Error,
    std::ffi::NulError
);

impl From<std::io::Error> for Error {
    /// An OS error keeps its errno; another becomes the closest class.
    fn from(e: std::io::Error) -> Error {
        if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            // One of ours carried through io (an AsyncRead of a stream).
            if let Some(inner) = e.into_inner() {
                if let Ok(ours) = inner.downcast::<Error>() {
                    return *ours;
                }
            }
            return Error::from_code(sys::AC_EINTERNAL);
        }
        match e.raw_os_error() {
            Some(errno) if errno > 0 => Error::with_message(-errno, strerror(-errno)),
            _ => Error::new(ErrorKind::Os(e.kind()), e.to_string()),
        }
    }
}

/// Turns a return code into a Result: a negative code becomes the error of
/// the call that just returned it, with its reason in asyncio's words.
pub(crate) fn check(rc: i32) -> Result<i32> {
    if rc < 0 {
        Err(Error::from_call(rc))
    } else {
        Ok(rc)
    }
}

/// The same for a call that returns a count (the contract's counts are
/// 64-bit; codes fit in 32 bits).
pub(crate) fn check_count(rc: i64) -> Result<usize> {
    if rc < 0 {
        Err(Error::from_call(rc as i32))
    } else {
        Ok(rc as usize)
    }
}
