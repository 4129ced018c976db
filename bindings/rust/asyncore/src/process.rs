//! Child processes, signals, pipes and terminals: a [`Command`] builder
//! (as `std::process::Command`) that spawns a [`Child`] whose pipes are
//! ordinary [`Stream`]s (asyncio's create_subprocess_exec/_shell), a
//! [`Signals`] stream of signal numbers (asyncio's add_signal_handler), and
//! streams over pipe and terminal descriptors (connect_read_pipe,
//! connect_write_pipe).
//!
//! Dropping a `Child` never blocks and never signals the child: the loop
//! reaps it when it exits. Dropping the future of [`Child::wait`] or
//! [`Child::communicate`] (a timeout, a cancelled task) leaves it running.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::ffi::CString;
use std::os::fd::{IntoRawFd, OwnedFd, RawFd};
use std::os::raw::{c_char, c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::rc::Rc;

use asyncore_sys as sys;

use crate::error::{check, Error, Result};
use crate::future::LoopFuture;
use crate::net::{Op, Stream};
use crate::runtime::current_loop_raw;

fn cstring(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::with_message(sys::AC_EINVAL, "string contains a NUL byte"))
}

/// Where a standard stream of the child goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stdio {
    /// The parent's (the default).
    Inherit,
    /// A pipe: the parent's end is a [`Stream`] on the [`Child`].
    Piped,
    /// /dev/null.
    Null,
    /// stderr only: wherever stdout goes (asyncio's STDOUT).
    Stdout,
    /// A descriptor of the caller (the child gets a copy).
    Fd(RawFd),
}

impl Stdio {
    fn mode(self) -> c_int {
        match self {
            Stdio::Inherit => sys::AC_PROCESS_INHERIT as c_int,
            Stdio::Piped => sys::AC_PROCESS_PIPE as c_int,
            Stdio::Null => sys::AC_PROCESS_DEVNULL as c_int,
            Stdio::Stdout => sys::AC_PROCESS_STDOUT as c_int,
            Stdio::Fd(fd) => fd,
        }
    }
}

/// How to start a child: a program and its arguments, or a shell command
/// line ([`Command::shell`]).
#[derive(Clone, Debug)]
pub struct Command {
    argv: Vec<String>,
    shell: Option<String>,
    env: Option<Vec<(String, String)>>,
    cwd: Option<String>,
    stdio: [Stdio; 3],
}

impl Command {
    /// `program` (looked up in PATH when it has no '/').
    pub fn new(program: &str) -> Command {
        Command { argv: vec![program.to_owned()], shell: None, env: None, cwd: None, stdio: [Stdio::Inherit; 3] }
    }
    /// A command line for /bin/sh -c (asyncio's create_subprocess_shell).
    pub fn shell(command: &str) -> Command {
        let mut c = Command::new("/bin/sh");
        c.shell = Some(command.to_owned());
        c
    }
    pub fn arg(&mut self, a: &str) -> &mut Command {
        self.argv.push(a.to_owned());
        self
    }
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<str>>(&mut self, args: I) -> &mut Command {
        for a in args {
            self.argv.push(a.as_ref().to_owned());
        }
        self
    }
    /// Adds or replaces one variable of the child's environment (which
    /// starts as this process's).
    pub fn env(&mut self, key: &str, value: &str) -> &mut Command {
        let env = self.env.get_or_insert_with(|| std::env::vars().collect());
        env.retain(|(k, _)| k != key);
        env.push((key.to_owned(), value.to_owned()));
        self
    }
    /// An empty environment for the child (then [`Command::env`] adds).
    pub fn env_clear(&mut self) -> &mut Command {
        self.env = Some(Vec::new());
        self
    }
    pub fn current_dir(&mut self, dir: &str) -> &mut Command {
        self.cwd = Some(dir.to_owned());
        self
    }
    pub fn stdin(&mut self, s: Stdio) -> &mut Command {
        self.stdio[0] = s;
        self
    }
    pub fn stdout(&mut self, s: Stdio) -> &mut Command {
        self.stdio[1] = s;
        self
    }
    pub fn stderr(&mut self, s: Stdio) -> &mut Command {
        self.stdio[2] = s;
        self
    }

    /// Starts the child on the current loop. A program that is not there
    /// is an error of kind ENOENT (asyncio's FileNotFoundError).
    pub fn spawn(&self) -> Result<Child> {
        let lp = current_loop_raw()?;
        let argv: Vec<CString> = match &self.shell {
            Some(cmd) => vec![cstring("/bin/sh")?, cstring("-c")?, cstring(cmd)?],
            None => self.argv.iter().map(|a| cstring(a)).collect::<Result<_>>()?,
        };
        let mut argv_p: Vec<*const c_char> = argv.iter().map(|a| a.as_ptr()).collect();
        argv_p.push(ptr::null());
        let env: Option<Vec<CString>> = match &self.env {
            Some(vars) => Some(vars.iter().map(|(k, v)| cstring(&format!("{k}={v}"))).collect::<Result<_>>()?),
            None => None,
        };
        let mut env_p: Vec<*const c_char> = env.iter().flatten().map(|e| e.as_ptr()).collect();
        env_p.push(ptr::null());
        let cwd = self.cwd.as_deref().map(cstring).transpose()?;
        let mut o: sys::ac_process_options = unsafe { std::mem::zeroed() };
        unsafe { sys::ac_process_options_init(&mut o) };
        o.stdin_mode = self.stdio[0].mode();
        o.stdout_mode = self.stdio[1].mode();
        o.stderr_mode = self.stdio[2].mode();
        o.env = if env.is_some() { env_p.as_ptr() as *mut *const c_char as _ } else { ptr::null_mut() };
        o.cwd = cwd.as_ref().map_or(ptr::null(), |c| c.as_ptr());
        let mut raw = ptr::null_mut();
        check(unsafe { sys::ac_process_exec(lp, argv_p.as_ptr() as _, &o, &mut raw) })?;
        let pipe = |s: *mut sys::ac_stream| {
            if s.is_null() {
                None
            } else {
                Some(unsafe { Stream::from_owned(sys::ac_stream_ref(s)) })
            }
        };
        Ok(Child {
            stdin: pipe(unsafe { sys::ac_process_stdin(raw) }),
            stdout: pipe(unsafe { sys::ac_process_stdout(raw) }),
            stderr: pipe(unsafe { sys::ac_process_stderr(raw) }),
            raw,
        })
    }
}

/// What [`Child::communicate`] collected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// The returncode: the exit status, or -N when signal N ended it.
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// A running (or finished) child. Its pipes are public fields, as
/// `std::process::Child`'s (take them to keep them past the child).
pub struct Child {
    raw: *mut sys::ac_process,
    pub stdin: Option<Stream>,
    pub stdout: Option<Stream>,
    pub stderr: Option<Stream>,
}

impl Drop for Child {
    fn drop(&mut self) {
        // Never blocks, never signals the child.
        unsafe { sys::ac_process_unref(self.raw) };
    }
}

impl Child {
    /// The child's process id.
    pub fn id(&self) -> u32 {
        unsafe { sys::ac_process_pid(self.raw) as u32 }
    }
    /// The returncode once it exited (-N for signal N), else None.
    pub fn try_wait(&self) -> Option<i32> {
        let mut code: c_int = 0;
        (unsafe { sys::ac_process_returncode(self.raw, &mut code) } == 1).then_some(code)
    }
    /// The returncode once the child exits.
    pub fn wait(&self) -> Op<i64> {
        Op::start(|f| unsafe { sys::ac_process_wait(self.raw, f) })
    }
    /// Writes `input`, closes stdin, reads stdout and stderr to EOF, waits
    /// (asyncio's communicate). Put it in a timeout scope for a limit.
    pub async fn communicate(&self, input: &[u8]) -> Result<Output> {
        let status = Op::<i64>::start(|f| unsafe {
            sys::ac_process_communicate(self.raw, input.as_ptr() as *const c_void, input.len(), f)
        })
        .await?;
        let mut out: sys::ac_value = unsafe { std::mem::zeroed() };
        let mut err: sys::ac_value = unsafe { std::mem::zeroed() };
        check(unsafe { sys::ac_process_take_output(self.raw, &mut out, &mut err) })?;
        let bytes = |v: &mut sys::ac_value| unsafe {
            let b = v.u.bytes;
            let r = if b.len == 0 { Vec::new() } else { std::slice::from_raw_parts(b.data as *const u8, b.len).to_vec() };
            sys::ac_value_clear(v);
            r
        };
        Ok(Output { status: status as i32, stdout: bytes(&mut out), stderr: bytes(&mut err) })
    }
    pub fn send_signal(&self, sig: i32) -> Result<()> {
        check(unsafe { sys::ac_process_send_signal(self.raw, sig) }).map(|_| ())
    }
    /// SIGTERM.
    pub fn terminate(&self) -> Result<()> {
        check(unsafe { sys::ac_process_terminate(self.raw) }).map(|_| ())
    }
    /// SIGKILL.
    pub fn kill(&self) -> Result<()> {
        check(unsafe { sys::ac_process_kill(self.raw) }).map(|_| ())
    }
    pub fn as_raw(&self) -> *mut sys::ac_process {
        self.raw
    }
}

/// Signals of the current loop as a stream of numbers: each listed signal
/// is handled (replacing the loop's handler for it) while this lives.
/// Signals that came while nobody waited are kept, in order.
pub struct Signals {
    lp: *mut sys::ac_loop,
    sigs: Vec<i32>,
    state: Rc<RefCell<SignalState>>,
}

#[derive(Default)]
struct SignalState {
    queued: VecDeque<i32>,
    waiter: Option<LoopFuture<i64>>,
}

unsafe extern "C" fn on_signal(_lp: *mut sys::ac_loop, sig: c_int, ud: *mut c_void) -> c_int {
    let state = &*(ud as *const Rc<RefCell<SignalState>>);
    let r = catch_unwind(AssertUnwindSafe(|| {
        let mut st = state.borrow_mut();
        match st.waiter.take() {
            Some(w) if !w.done() => {
                let _ = w.set_result(sig as i64);
            }
            _ => st.queued.push_back(sig),
        }
    }));
    if r.is_err() {
        sys::AC_EHOST as c_int
    } else {
        0
    }
}
unsafe extern "C" fn free_state(ud: *mut c_void) {
    drop(Box::from_raw(ud as *mut Rc<RefCell<SignalState>>));
}

impl Signals {
    /// Handles `sigs` (libc numbers: 2 SIGINT, 15 SIGTERM …). SIGKILL and
    /// SIGSTOP are refused (a RuntimeError-class error).
    pub fn new(sigs: &[i32]) -> Result<Signals> {
        let lp = current_loop_raw()?;
        let mut s = Signals { lp, sigs: Vec::new(), state: Rc::new(RefCell::new(SignalState::default())) };
        for &sig in sigs {
            let ud = Box::into_raw(Box::new(s.state.clone())) as *mut c_void;
            check(unsafe { sys::ac_loop_add_signal_handler(lp, sig, Some(on_signal), ud, Some(free_state)) })?;
            s.sigs.push(sig);
        }
        Ok(s)
    }
    /// The next signal.
    pub async fn recv(&mut self) -> Result<i32> {
        let w = {
            let mut st = self.state.borrow_mut();
            if let Some(sig) = st.queued.pop_front() {
                return Ok(sig);
            }
            let w = LoopFuture::<i64>::new()?;
            st.waiter = Some(w.clone());
            w
        };
        Ok(w.await? as i32)
    }
}

/// One signal as a stream (as tokio's `signal(kind)`).
pub fn signal(sig: i32) -> Result<Signals> {
    Signals::new(&[sig])
}

impl Drop for Signals {
    fn drop(&mut self) {
        for &sig in &self.sigs {
            unsafe { sys::ac_loop_remove_signal_handler(self.lp, sig) };
        }
        if let Some(w) = self.state.borrow_mut().waiter.take() {
            w.cancel(None);
        }
    }
}

fn pipe_stream(fd: OwnedFd, f: unsafe extern "C" fn(*mut sys::ac_loop, c_int, *mut *mut sys::ac_stream) -> c_int) -> Result<Stream> {
    let lp = current_loop_raw()?;
    let mut s = ptr::null_mut();
    // The stream owns the descriptor from here on, also on failure.
    check(unsafe { f(lp, fd.into_raw_fd(), &mut s) })?;
    Ok(unsafe { Stream::from_owned(s) })
}

/// asyncio's connect_read_pipe: a Stream reading `fd` (a pipe, FIFO,
/// socket or character device).
pub fn connect_read_pipe(fd: OwnedFd) -> Result<Stream> {
    pipe_stream(fd, sys::ac_pipe_connect_read)
}
/// asyncio's connect_write_pipe. Writing once the reader is gone is an
/// EPIPE error, never SIGPIPE.
pub fn connect_write_pipe(fd: OwnedFd) -> Result<Stream> {
    pipe_stream(fd, sys::ac_pipe_connect_write)
}

/// A terminal as a Stream, with raw mode and its size.
pub struct Tty {
    pub stream: Stream,
}

impl Tty {
    pub fn open(fd: OwnedFd) -> Result<Tty> {
        Ok(Tty { stream: pipe_stream(fd, sys::ac_tty_open)? })
    }
    pub fn set_raw(&self, raw: bool) -> Result<()> {
        check(unsafe { sys::ac_tty_set_raw(self.stream.as_raw(), raw as c_int) }).map(|_| ())
    }
    /// (columns, rows)
    pub fn winsize(&self) -> Result<(u16, u16)> {
        let (mut c, mut r) = (0, 0);
        check(unsafe { sys::ac_tty_get_winsize(self.stream.as_raw(), &mut c, &mut r) })?;
        Ok((c as u16, r as u16))
    }
}
