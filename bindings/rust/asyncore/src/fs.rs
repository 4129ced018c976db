//! Files (asyncore/fs.h) and any descriptor (asyncore/fdwatch.h): requests
//! as futures, a buffered [`File`] that reads like a [`crate::Stream`], and
//! asyncio's readiness waits and `sock_*` operations on a socket the caller
//! owns. Errors keep their errno (`Error::code`, `ErrorKind::Os`) and
//! Python's message with the path; `std::io::Error::from` turns one into
//! an `io::Error` of the same errno.

use std::ffi::CString;
use std::os::unix::io::RawFd;
use std::ptr;

use asyncore_sys as sys;

use crate::error::{check, Error, Result};
use crate::net::Op;
use crate::runtime::current_loop_raw;

pub use crate::fdwatch::{add_reader, add_writer, remove_reader, remove_writer};

fn cstring(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::with_message(sys::AC_EINVAL, "string contains a NUL byte"))
}

fn on_loop<T: 'static>(
    start: impl FnOnce(*mut sys::ac_loop, *mut *mut sys::ac_future) -> i32,
) -> Op<T> {
    match current_loop_raw() {
        Ok(l) => Op::start(|f| start(l, f)),
        Err(e) => Op::done(Err(e)),
    }
}

fn with_path<T: 'static>(
    path: &str,
    start: impl FnOnce(*mut sys::ac_loop, *const std::os::raw::c_char, *mut *mut sys::ac_future) -> i32,
) -> Op<T> {
    match cstring(path) {
        Ok(p) => on_loop(|l, f| start(l, p.as_ptr(), f)),
        Err(e) => Op::done(Err(e)),
    }
}

/// open(2) flags of Python's open() mode ("r", "w", "a", "x", with "+").
pub fn open_flags(mode: &str) -> Result<i32> {
    let m = cstring(mode)?;
    let mut flags = 0;
    check(unsafe { sys::ac_fs_open_flags(m.as_ptr(), &mut flags) })?;
    Ok(flags)
}

/// Opens `path` with open(2) flags; the descriptor (the caller closes it).
pub fn open(path: &str, flags: i32, mode: i32) -> Op<i64> {
    with_path(path, |l, p, f| unsafe {
        sys::ac_fs_open(l, p, flags, mode, f)
    })
}
pub fn close(fd: RawFd) -> Op<()> {
    on_loop(|l, f| unsafe { sys::ac_fs_close(l, fd, f) })
}
/// Up to `n` bytes at `offset` (pread), or at the position with `None`.
pub fn read(fd: RawFd, n: usize, offset: Option<u64>) -> Op<Vec<u8>> {
    let off = offset.map_or(-1, |o| o as i64);
    on_loop(|l, f| unsafe { sys::ac_fs_read(l, fd, n, off, f) })
}
/// Writes all of `data` (copied now); the count written.
pub fn write(fd: RawFd, data: &[u8], offset: Option<u64>) -> Op<i64> {
    let off = offset.map_or(-1, |o| o as i64);
    on_loop(|l, f| unsafe { sys::ac_fs_write(l, fd, data.as_ptr().cast(), data.len(), off, f) })
}
pub fn fsync(fd: RawFd) -> Op<()> {
    on_loop(|l, f| unsafe { sys::ac_fs_fsync(l, fd, f) })
}
pub fn rename(from: &str, to: &str) -> Op<()> {
    match cstring(to) {
        Ok(t) => with_path(from, move |l, p, f| unsafe {
            sys::ac_fs_rename(l, p, t.as_ptr(), f)
        }),
        Err(e) => Op::done(Err(e)),
    }
}
pub fn unlink(path: &str) -> Op<()> {
    with_path(path, |l, p, f| unsafe { sys::ac_fs_unlink(l, p, f) })
}
pub fn mkdir(path: &str, mode: i32) -> Op<()> {
    with_path(path, |l, p, f| unsafe { sys::ac_fs_mkdir(l, p, mode, f) })
}
pub fn rmdir(path: &str) -> Op<()> {
    with_path(path, |l, p, f| unsafe { sys::ac_fs_rmdir(l, p, f) })
}
/// Copies up to `len` bytes of `in_fd` from `offset` to `out_fd`; the count.
pub fn sendfile(out_fd: RawFd, in_fd: RawFd, offset: u64, len: usize) -> Op<i64> {
    on_loop(|l, f| unsafe { sys::ac_fs_sendfile(l, out_fd, in_fd, offset as i64, len, f) })
}

/// The names in a directory, sorted, without "." and "..".
pub async fn scandir(path: &str) -> Result<Vec<String>> {
    let all: Vec<u8> = with_path(path, |l, p, f| unsafe { sys::ac_fs_scandir(l, p, f) }).await?;
    Ok(all
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect())
}

fn stat_of(bytes: Vec<u8>) -> Result<sys::ac_stat> {
    if bytes.len() != std::mem::size_of::<sys::ac_stat>() {
        return Err(Error::with_message(sys::AC_EINVAL, "not a stat result"));
    }
    Ok(unsafe { ptr::read_unaligned(bytes.as_ptr().cast()) })
}
pub async fn stat(path: &str) -> Result<sys::ac_stat> {
    stat_of(with_path(path, |l, p, f| unsafe { sys::ac_fs_stat(l, p, f) }).await?)
}
pub async fn lstat(path: &str) -> Result<sys::ac_stat> {
    stat_of(with_path(path, |l, p, f| unsafe { sys::ac_fs_lstat(l, p, f) }).await?)
}
pub async fn fstat(fd: RawFd) -> Result<sys::ac_stat> {
    stat_of(on_loop(|l, f| unsafe { sys::ac_fs_fstat(l, fd, f) }).await?)
}

/// A buffered file; dropping it writes out what is buffered and closes it
/// in the background (it never blocks).
pub struct File {
    raw: *mut sys::ac_file,
}

impl Drop for File {
    fn drop(&mut self) {
        unsafe { sys::ac_file_unref(self.raw) };
    }
}

impl File {
    /// Opens `path` with Python's open() `mode`.
    pub async fn open(path: &str, mode: &str) -> Result<File> {
        let (p, m) = (cstring(path)?, cstring(mode)?);
        let l = current_loop_raw()?;
        let mut raw = ptr::null_mut();
        let mut opened = ptr::null_mut();
        check(unsafe { sys::ac_file_open(l, p.as_ptr(), m.as_ptr(), &mut raw, &mut opened) })?;
        let file = File { raw };
        let mut once = Some(opened);
        Op::<()>::start(move |f| {
            unsafe { *f = once.take().unwrap() };
            0
        })
        .await?;
        Ok(file)
    }
    /// Up to `n` bytes; empty at the end of the file.
    pub fn read(&self, n: usize) -> Op<Vec<u8>> {
        Op::start(|f| unsafe { sys::ac_file_read(self.raw, n, f) })
    }
    pub fn read_to_end(&self) -> Op<Vec<u8>> {
        self.read(usize::MAX)
    }
    /// A line with its "\n"; empty at the end of the file.
    pub fn read_line(&self) -> Op<Vec<u8>> {
        Op::start(|f| unsafe { sys::ac_file_readline(self.raw, f) })
    }
    pub fn read_until(&self, sep: &[u8]) -> Op<Vec<u8>> {
        Op::start(|f| unsafe {
            sys::ac_file_readuntil(self.raw, sep.as_ptr().cast(), sep.len(), f)
        })
    }
    pub fn write(&self, data: &[u8]) -> Result<()> {
        check(unsafe { sys::ac_file_write(self.raw, data.as_ptr().cast(), data.len()) }).map(|_| ())
    }
    pub fn drain(&self) -> Op<()> {
        Op::start(|f| unsafe { sys::ac_file_drain(self.raw, f) })
    }
    pub fn close(&self) -> Op<()> {
        Op::start(|f| unsafe { sys::ac_file_close(self.raw, f) })
    }
    pub fn fileno(&self) -> Result<RawFd> {
        check(unsafe { sys::ac_file_fileno(self.raw) })
    }
}

/// Completes once `fd` is readable (asyncio: a reader's readiness).
pub fn wait_readable(fd: RawFd) -> Op<()> {
    on_loop(|l, f| unsafe { sys::ac_wait_readable(l, fd, f) })
}
pub fn wait_writable(fd: RawFd) -> Op<()> {
    on_loop(|l, f| unsafe { sys::ac_wait_writable(l, fd, f) })
}
/// asyncio's loop.sock_recv on a non-blocking socket.
pub fn sock_recv(fd: RawFd, n: usize) -> Op<Vec<u8>> {
    on_loop(|l, f| unsafe { sys::ac_sock_recv(l, fd, n, f) })
}
pub fn sock_sendall(fd: RawFd, data: &[u8]) -> Op<()> {
    on_loop(|l, f| unsafe { sys::ac_sock_sendall(l, fd, data.as_ptr().cast(), data.len(), f) })
}
pub fn sock_connect(fd: RawFd, address: &str) -> Op<()> {
    match cstring(address) {
        Ok(a) => on_loop(move |l, f| unsafe { sys::ac_sock_connect(l, fd, a.as_ptr(), f) }),
        Err(e) => Op::done(Err(e)),
    }
}
/// The accepted descriptor (non-blocking), owned by the caller.
pub fn sock_accept(fd: RawFd) -> Op<i64> {
    on_loop(|l, f| unsafe { sys::ac_sock_accept(l, fd, f) })
}
