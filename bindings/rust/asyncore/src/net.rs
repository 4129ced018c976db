//! Network I/O: TCP and Unix streams (asyncio's open_connection and
//! StreamReader/StreamWriter in one object), servers (start_server), UDP
//! endpoints and name resolution.

use std::ffi::{CStr, CString};
use std::future::Future;
use std::os::raw::{c_char, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr;
use std::task::{Context, Poll};

use asyncore_sys as sys;

use crate::awaiting::{outcome, Await};
use crate::error::{check, Error, Result};
use crate::runtime::current_loop_raw;
use crate::task::spawn_raw;

mod sockopt;
pub use sockopt::{ConnectOptions, KeepAlive, ListenOptions, UdpOptions};

fn cstring(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::with_message(sys::AC_EINVAL, "string contains a NUL byte"))
}

/// Takes a string the library allocated (ac_free) into a Rust String.
unsafe fn owned_string(p: *mut c_char) -> String {
    let s = CStr::from_ptr(p).to_string_lossy().into_owned();
    sys::ac_free(p as *mut c_void);
    s
}

/// A library operation in flight: the future it handed out, read as `T`
/// when done. Dropping it cancels the operation (a pending read keeps its
/// bytes in the stream's buffer).
pub struct Op<T> {
    state: OpState<T>,
}

/// Small (it is moved into the futures that await it): the rare failure
/// is boxed.
enum OpState<T> {
    /// The future the library handed out.
    Wait(Await),
    /// Completed at once, without a future (a queue get or put that did
    /// not wait).
    Ready(T),
    /// Refused by the library.
    Failed(Box<Error>),
    /// The outcome was given.
    Taken,
}

impl<T> Unpin for Op<T> {}

impl<T: 'static> Op<T> {
    pub(crate) fn start(start: impl FnOnce(*mut *mut sys::ac_future) -> i32) -> Op<T> {
        let mut f = ptr::null_mut();
        match check(start(&mut f)) {
            Ok(_) => Op { state: OpState::Wait(unsafe { Await::owning_operation(f) }) },
            Err(e) => Op::failed(e),
        }
    }

    fn failed(e: Error) -> Op<T> {
        Op { state: OpState::Failed(Box::new(e)) }
    }

    /// An operation that completed at once with `r`.
    pub(crate) fn done(r: Result<T>) -> Op<T> {
        match r {
            Ok(v) => Op { state: OpState::Ready(v) },
            Err(e) => Op::failed(e),
        }
    }

    /// True when the library accepted the operation.
    pub(crate) fn started(&self) -> bool {
        matches!(self.state, OpState::Wait(_))
    }

    /// The result of an operation that finished but was not read yet
    /// (taken out, so that dropping the operation does not drop it), or
    /// None: for a dropped race loser that must give back what it took.
    pub(crate) fn take_unread(mut self) -> Option<T> {
        match std::mem::replace(&mut self.state, OpState::Taken) {
            OpState::Ready(v) => Some(v),
            OpState::Wait(mut aw) => {
                if aw.holds_unread_result() {
                    unsafe { outcome::<T>(aw.raw()) }.ok()
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// Dropping this operation pending leaves it running (for a
    /// condition's wait, which must end with the lock held).
    pub(crate) fn keep_on_drop(mut self) -> Self {
        if let OpState::Wait(aw) = &mut self.state {
            aw.set_cancel_on_drop(false);
        }
        self
    }
}

impl<T: 'static> Future for Op<T> {
    type Output = Result<T>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let r = match &mut self.state {
            OpState::Wait(aw) => std::task::ready!(unsafe { aw.poll_outcome::<T>(cx) }),
            OpState::Taken => panic!("polled after completion"),
            _ => match std::mem::replace(&mut self.state, OpState::Taken) {
                OpState::Ready(v) => return Poll::Ready(Ok(v)),
                OpState::Failed(e) => return Poll::Ready(Err(*e)),
                _ => unreachable!(),
            },
        };
        self.state = OpState::Taken;
        Poll::Ready(r)
    }
}

/// One connection: a buffered reader and writer. Clones share the stream;
/// dropping the last one closes it (after sending what is buffered).
pub struct Stream {
    raw: *mut sys::ac_stream,
}

impl Clone for Stream {
    fn clone(&self) -> Self {
        Stream { raw: unsafe { sys::ac_stream_ref(self.raw) } }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        unsafe { sys::ac_stream_unref(self.raw) };
    }
}

impl Stream {
    /// Opens a TCP connection (asyncio.open_connection).
    pub async fn connect(host: &str, port: u16) -> Result<Stream> {
        let host = cstring(host)?;
        let raw = current_loop_raw()?;
        Self::finish_connect(|s, f| unsafe { sys::ac_stream_connect_tcp(raw, host.as_ptr(), port.into(), s, f) }).await
    }

    /// Opens a Unix-domain connection (asyncio.open_unix_connection).
    pub async fn connect_unix(path: &str) -> Result<Stream> {
        let path = cstring(path)?;
        let raw = current_loop_raw()?;
        Self::finish_connect(|s, f| unsafe { sys::ac_stream_connect_unix(raw, path.as_ptr(), s, f) }).await
    }

    async fn finish_connect(
        start: impl FnOnce(*mut *mut sys::ac_stream, *mut *mut sys::ac_future) -> i32,
    ) -> Result<Stream> {
        let mut s = ptr::null_mut();
        let mut f = ptr::null_mut();
        check(start(&mut s, &mut f))?;
        let stream = Stream { raw: s };
        Op::<()> { state: OpState::Wait(unsafe { Await::owning_operation(f) }) }.await?;
        Ok(stream)
    }

    /// Wraps a stream, taking over one reference.
    ///
    /// # Safety
    /// `raw` is a live stream.
    pub unsafe fn from_owned(raw: *mut sys::ac_stream) -> Stream {
        Stream { raw }
    }

    /// The raw stream (borrowed).
    pub fn as_raw(&self) -> *mut sys::ac_stream {
        self.raw
    }

    /// Up to `n` bytes, at least 1 unless at EOF (then empty).
    pub fn read(&self, n: usize) -> Op<Vec<u8>> {
        Op::start(|f| unsafe { sys::ac_stream_read(self.raw, n, f) })
    }

    /// Everything until EOF (asyncio's read(-1)).
    pub fn read_to_end(&self) -> Op<Vec<u8>> {
        self.read(usize::MAX)
    }

    /// Exactly `n` bytes; `AC_EINCOMPLETE` if EOF comes first.
    pub fn read_exact(&self, n: usize) -> Op<Vec<u8>> {
        Op::start(|f| unsafe { sys::ac_stream_readexactly(self.raw, n, f) })
    }

    /// A line with its "\n" (the partial line at EOF, possibly empty).
    pub fn read_line(&self) -> Op<Vec<u8>> {
        Op::start(|f| unsafe { sys::ac_stream_readline(self.raw, f) })
    }

    /// Bytes up to and including `sep`; `AC_ELIMIT` past the limit (the
    /// bytes stay buffered), `AC_EINCOMPLETE` at EOF.
    pub fn read_until(&self, sep: &[u8]) -> Op<Vec<u8>> {
        Op::start(|f| unsafe { sys::ac_stream_readuntil(self.raw, sep.as_ptr() as *const c_void, sep.len(), f) })
    }

    /// True at EOF with an empty buffer.
    pub fn at_eof(&self) -> bool {
        unsafe { sys::ac_stream_at_eof(self.raw) == 1 }
    }

    /// Bytes in the read buffer.
    pub fn buffered(&self) -> usize {
        unsafe { sys::ac_stream_buffered(self.raw) }.max(0) as usize
    }

    /// The reader's buffer limit.
    pub fn set_limit(&self, limit: usize) -> Result<()> {
        check(unsafe { sys::ac_stream_set_limit(self.raw, limit) }).map(|_| ())
    }

    /// Queues bytes for sending; never waits (see [`Stream::drain`]).
    pub fn write(&self, data: &[u8]) -> Result<()> {
        check(unsafe { sys::ac_stream_write(self.raw, data.as_ptr() as *const c_void, data.len()) }).map(|_| ())
    }

    /// Waits until the write buffer is below its low water mark.
    pub fn drain(&self) -> Op<()> {
        Op::start(|f| unsafe { sys::ac_stream_drain(self.raw, f) })
    }

    /// Water marks of the write buffer (0, 0: the defaults).
    pub fn set_write_buffer_limits(&self, high: usize, low: usize) -> Result<()> {
        check(unsafe { sys::ac_stream_set_write_buffer_limits(self.raw, high, low) }).map(|_| ())
    }

    /// Bytes written but not yet handed to the kernel.
    pub fn write_buffer_size(&self) -> usize {
        unsafe { sys::ac_stream_write_buffer_size(self.raw) }.max(0) as usize
    }

    /// Half-closes after the buffered bytes are sent (the peer reads EOF).
    pub fn write_eof(&self) -> Result<()> {
        check(unsafe { sys::ac_stream_write_eof(self.raw) }).map(|_| ())
    }

    /// Starts closing (buffered bytes are sent first).
    pub fn close(&self) {
        unsafe { sys::ac_stream_close(self.raw) };
    }

    /// True once closing started.
    pub fn is_closing(&self) -> bool {
        unsafe { sys::ac_stream_is_closing(self.raw) == 1 }
    }

    /// Waits until the socket is closed.
    pub fn wait_closed(&self) -> Op<()> {
        Op::start(|f| unsafe { sys::ac_stream_wait_closed(self.raw, f) })
    }

    /// The peer's address ("host:port", "[v6]:port" or a socket path).
    pub fn peer_address(&self) -> Result<String> {
        let mut p = ptr::null_mut();
        check(unsafe { sys::ac_stream_peer_address(self.raw, &mut p) })?;
        Ok(unsafe { owned_string(p) })
    }

    /// The local address.
    pub fn local_address(&self) -> Result<String> {
        let mut p = ptr::null_mut();
        check(unsafe { sys::ac_stream_local_address(self.raw, &mut p) })?;
        Ok(unsafe { owned_string(p) })
    }
}

type ConnectionHandler = Box<dyn FnMut(Stream)>;

unsafe extern "C" fn on_connection(_srv: *mut sys::ac_server, stream: *mut sys::ac_stream, ud: *mut c_void) {
    let h = &mut *(ud as *mut ConnectionHandler);
    let s = Stream { raw: sys::ac_stream_ref(stream) };
    if let Err(p) = catch_unwind(AssertUnwindSafe(|| h(s))) {
        let msg = CString::new(format!("connection handler panicked: {}", crate::runtime::panic_message(&*p)))
            .unwrap_or_default();
        let l = sys::ac_stream_get_loop(stream);
        sys::ac_loop_call_exception_handler(l, msg.as_ptr(), ptr::null_mut(), ptr::null_mut());
    }
}

unsafe extern "C" fn free_handler(ud: *mut c_void) {
    let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(ud as *mut ConnectionHandler))));
}

/// A listening socket (asyncio.start_server). Dropping the last handle
/// closes it; accepted connections stay open.
pub struct Server {
    raw: *mut sys::ac_server,
}

impl Clone for Server {
    fn clone(&self) -> Self {
        Server { raw: unsafe { sys::ac_server_ref(self.raw) } }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        unsafe { sys::ac_server_unref(self.raw) };
    }
}

impl Server {
    /// Listens on TCP `host`:`port` (0: any free port) and calls `handler`
    /// with each accepted connection, on the loop.
    pub fn bind(host: &str, port: u16, handler: impl FnMut(Stream) + 'static) -> Result<Server> {
        let host = cstring(host)?;
        let raw = current_loop_raw()?;
        Self::listen(handler, |fn_, ud, free, out| unsafe {
            sys::ac_server_listen_tcp(raw, host.as_ptr(), port.into(), 0, fn_, ud, free, out)
        })
    }

    /// The same on a Unix-domain socket at `path`.
    pub fn bind_unix(path: &str, handler: impl FnMut(Stream) + 'static) -> Result<Server> {
        let path = cstring(path)?;
        let raw = current_loop_raw()?;
        Self::listen(handler, |fn_, ud, free, out| unsafe {
            sys::ac_server_listen_unix(raw, path.as_ptr(), 0, fn_, ud, free, out)
        })
    }

    /// Listens on TCP and runs `handler(stream)` as a task per connection
    /// (asyncio.start_server with a coroutine callback).
    pub fn serve<H, F>(host: &str, port: u16, handler: H) -> Result<Server>
    where
        H: FnMut(Stream) -> F + 'static,
        F: Future<Output = Result<()>> + 'static,
    {
        Self::bind(host, port, Self::spawning(handler))
    }

    /// As [`Server::serve`], on a Unix-domain socket.
    pub fn serve_unix<H, F>(path: &str, handler: H) -> Result<Server>
    where
        H: FnMut(Stream) -> F + 'static,
        F: Future<Output = Result<()>> + 'static,
    {
        Self::bind_unix(path, Self::spawning(handler))
    }

    fn spawning<H, F>(mut handler: H) -> impl FnMut(Stream) + 'static
    where
        H: FnMut(Stream) -> F + 'static,
        F: Future<Output = Result<()>> + 'static,
    {
        move |s: Stream| {
            let l = unsafe { sys::ac_stream_get_loop(s.raw) };
            // Detached: the loop holds the task; an error nobody reads is
            // reported to the exception handler.
            let _ = spawn_raw(l, handler(s));
        }
    }

    fn listen(
        handler: impl FnMut(Stream) + 'static,
        start: impl FnOnce(sys::ac_server_connection_fn, *mut c_void, sys::ac_free_fn, *mut *mut sys::ac_server) -> i32,
    ) -> Result<Server> {
        let ud = Box::into_raw(Box::new(Box::new(handler) as ConnectionHandler)) as *mut c_void;
        let mut out = ptr::null_mut();
        // On failure free_ud has run.
        check(start(Some(on_connection), ud, Some(free_handler), &mut out))?;
        Ok(Server { raw: out })
    }

    /// The bound address ("127.0.0.1:40123", or the socket path).
    pub fn address(&self) -> Result<String> {
        let mut p = ptr::null_mut();
        check(unsafe { sys::ac_server_address(self.raw, &mut p) })?;
        Ok(unsafe { owned_string(p) })
    }

    /// The bound TCP port.
    pub fn port(&self) -> Result<u16> {
        check(unsafe { sys::ac_server_port(self.raw) }).map(|p| p as u16)
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u64 {
        unsafe { sys::ac_server_accepted(self.raw) }.max(0) as u64
    }

    /// True while accepting is paused because descriptors ran out.
    pub fn accept_paused(&self) -> bool {
        unsafe { sys::ac_server_accept_paused(self.raw) == 1 }
    }

    /// Stops listening (idempotent).
    pub fn close(&self) {
        unsafe { sys::ac_server_close(self.raw) };
    }

    /// True while listening.
    pub fn is_serving(&self) -> bool {
        unsafe { sys::ac_server_is_serving(self.raw) == 1 }
    }

    /// Waits until the server is closed and every connection it accepted
    /// is closed too (asyncio 3.12.1+; see [`Server::close_clients`]).
    pub fn wait_closed(&self) -> Op<()> {
        Op::start(|f| unsafe { sys::ac_server_wait_closed(self.raw, f) })
    }
}

/// A UDP endpoint (asyncio's datagram endpoint).
pub struct UdpSocket {
    raw: *mut sys::ac_udp,
}

impl Clone for UdpSocket {
    fn clone(&self) -> Self {
        UdpSocket { raw: unsafe { sys::ac_udp_ref(self.raw) } }
    }
}

impl Drop for UdpSocket {
    fn drop(&mut self) {
        unsafe { sys::ac_udp_unref(self.raw) };
    }
}

impl UdpSocket {
    /// Binds to `host`:`port` (0: any free port).
    pub fn bind(host: &str, port: u16) -> Result<UdpSocket> {
        let host = cstring(host)?;
        let mut out = ptr::null_mut();
        check(unsafe { sys::ac_udp_bind(current_loop_raw()?, host.as_ptr(), port.into(), &mut out) })?;
        Ok(UdpSocket { raw: out })
    }

    /// Sets the default peer (and receives only from it).
    pub fn connect(&self, host: &str, port: u16) -> Result<()> {
        let host = cstring(host)?;
        check(unsafe { sys::ac_udp_connect(self.raw, host.as_ptr(), port.into()) }).map(|_| ())
    }

    /// Sends one datagram to `address` ("host:port"), or to the connected
    /// peer when None. Never waits.
    pub fn send(&self, data: &[u8], address: Option<&str>) -> Result<()> {
        let a = address.map(cstring).transpose()?;
        check(unsafe {
            sys::ac_udp_send(self.raw, data.as_ptr() as *const c_void, data.len(), a.as_ref().map_or(ptr::null(), |a| a.as_ptr()))
        })
        .map(|_| ())
    }

    /// The next datagram's payload.
    pub fn recv(&self) -> Op<Vec<u8>> {
        Op::start(|f| unsafe { sys::ac_udp_recv(self.raw, f) })
    }

    /// The next datagram with its sender's address.
    pub async fn recv_from(&self) -> Result<(String, Vec<u8>)> {
        let v: Vec<u8> = Op::start(|f| unsafe { sys::ac_udp_recvfrom(self.raw, f) }).await?;
        let nl = v.iter().position(|&b| b == b'\n').unwrap_or(v.len());
        let addr = String::from_utf8_lossy(&v[..nl]).into_owned();
        Ok((addr, v.get(nl + 1..).map(<[u8]>::to_vec).unwrap_or_default()))
    }

    /// The bound address.
    pub fn local_address(&self) -> Result<String> {
        let mut p = ptr::null_mut();
        check(unsafe { sys::ac_udp_local_address(self.raw, &mut p) })?;
        Ok(unsafe { owned_string(p) })
    }

    /// Datagrams dropped because the receive queue was full.
    pub fn dropped(&self) -> u64 {
        unsafe { sys::ac_udp_dropped(self.raw) }.max(0) as u64
    }

    /// Datagrams waiting to be received.
    pub fn queued(&self) -> u64 {
        unsafe { sys::ac_udp_queued(self.raw) }.max(0) as u64
    }

    /// Bounds the receive queue (datagrams beyond it are dropped).
    pub fn set_recv_queue(&self, max_datagrams: usize) -> Result<()> {
        check(unsafe { sys::ac_udp_set_recv_queue(self.raw, max_datagrams) }).map(|_| ())
    }

    /// Closes the endpoint (idempotent).
    pub fn close(&self) {
        unsafe { sys::ac_udp_close(self.raw) };
    }
}

/// Address family for [`getaddrinfo`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Any,
    V4,
    V6,
}

/// Resolves `host` and `port` (a number or service name) to addresses
/// ("1.2.3.4:80", "[::1]:80"), in the resolver's order.
pub async fn getaddrinfo(host: &str, port: &str, family: Family) -> Result<Vec<String>> {
    let (h, p) = (cstring(host)?, cstring(port)?);
    let fam = match family {
        Family::Any => sys::AC_FAMILY_ANY,
        Family::V4 => sys::AC_FAMILY_IPV4,
        Family::V6 => sys::AC_FAMILY_IPV6,
    } as i32;
    let raw = current_loop_raw()?;
    let text: String = Op::start(|f| unsafe {
        sys::ac_getaddrinfo(raw, h.as_ptr(), p.as_ptr(), fam, sys::AC_SOCKTYPE_STREAM as i32, f)
    })
    .await?;
    Ok(text.lines().map(str::to_string).collect())
}

/// The host and service names of `address` (flags: `AC_NI_*`).
pub async fn getnameinfo(address: &str, flags: i32) -> Result<(String, String)> {
    let a = cstring(address)?;
    let raw = current_loop_raw()?;
    let text: String = Op::start(|f| unsafe { sys::ac_getnameinfo(raw, a.as_ptr(), flags, f) }).await?;
    let mut it = text.lines();
    Ok((it.next().unwrap_or("").to_string(), it.next().unwrap_or("").to_string()))
}
