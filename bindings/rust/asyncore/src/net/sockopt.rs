//! Socket options (asyncore/sockopt.h): TCP_NODELAY and keepalive on a
//! stream, the options of an outgoing connection (local address, happy
//! eyeballs over several addresses) and of a listener (SO_REUSEADDR,
//! SO_REUSEPORT, IPV6_V6ONLY, backlog), and the server's connections
//! (asyncio 3.13's close_clients / abort_clients, serve_forever).

use std::ffi::CString;
use std::future::Future;
use std::os::unix::io::{AsRawFd, RawFd};
use std::ptr;
use std::time::Duration;

use asyncore_sys as sys;

use super::{cstring, Op, Server, Stream, UdpSocket};
use crate::error::{check, Error, Result};
use crate::runtime::current_loop_raw;

/// Whole seconds for a keepalive setting: a duration that is not zero is
/// rounded up to at least one second (the kernel counts in seconds).
fn keepalive_secs(d: Option<Duration>) -> Result<i32> {
    match d {
        None => Ok(0),
        Some(d) => {
            let s = d.as_secs() + u64::from(d.subsec_nanos() > 0);
            i32::try_from(s).map_err(|_| Error::with_message(sys::AC_EINVAL, "keepalive duration too long"))
        }
    }
}

/// SO_KEEPALIVE's probes (socket2's `TcpKeepalive`): what is not set is
/// left to the system.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeepAlive {
    /// Silence before the first probe (TCP_KEEPIDLE).
    pub idle: Option<Duration>,
    /// Time between probes (TCP_KEEPINTVL).
    pub interval: Option<Duration>,
    /// Unanswered probes before the connection is dropped (TCP_KEEPCNT).
    pub count: Option<u32>,
}

impl KeepAlive {
    /// Keepalive with the system's timings.
    pub fn new() -> KeepAlive {
        KeepAlive::default()
    }
    /// Silence before the first probe (whole seconds, rounded up).
    pub fn with_idle(mut self, d: Duration) -> Self {
        self.idle = Some(d);
        self
    }
    /// Time between probes (whole seconds, rounded up).
    pub fn with_interval(mut self, d: Duration) -> Self {
        self.interval = Some(d);
        self
    }
    /// Unanswered probes before the connection is dropped.
    pub fn with_count(mut self, n: u32) -> Self {
        self.count = Some(n);
        self
    }
}

impl Stream {
    /// Opens a TCP connection with options (asyncio.open_connection's
    /// local_addr, happy_eyeballs_delay, interleave).
    pub async fn connect_with(host: &str, port: u16, opts: &ConnectOptions) -> Result<Stream> {
        opts.connect(host, port).await
    }

    /// Switches TCP_NODELAY (on by default for every TCP stream, as in
    /// asyncio). Errors: `AC_ESTATE` while connecting, `AC_ECLOSED`,
    /// `AC_EINVAL` on a Unix-domain stream.
    pub fn set_nodelay(&self, on: bool) -> Result<()> {
        check(unsafe { sys::ac_stream_set_nodelay(self.raw, on.into()) }).map(|_| ())
    }

    /// TCP_NODELAY as the socket has it.
    pub fn nodelay(&self) -> Result<bool> {
        check(unsafe { sys::ac_stream_get_nodelay(self.raw) }).map(|v| v == 1)
    }

    /// SO_KEEPALIVE: `Some` switches it on with those probes, `None` off.
    pub fn set_keepalive(&self, keepalive: Option<KeepAlive>) -> Result<()> {
        let r = match keepalive {
            None => unsafe { sys::ac_stream_set_keepalive(self.raw, 0, 0, 0, 0) },
            Some(k) => {
                let count = i32::try_from(k.count.unwrap_or(0))
                    .map_err(|_| Error::with_message(sys::AC_EINVAL, "keepalive count too large"))?;
                unsafe {
                    sys::ac_stream_set_keepalive(
                        self.raw,
                        1,
                        keepalive_secs(k.idle)?,
                        keepalive_secs(k.interval)?,
                        count,
                    )
                }
            }
        };
        check(r).map(|_| ())
    }

    /// The socket (borrowed: the stream closes it), or None while
    /// connecting and once closed (asyncio's get_extra_info("socket")).
    pub fn fileno(&self) -> Option<RawFd> {
        let fd = unsafe { sys::ac_stream_fileno(self.raw) };
        (fd >= 0).then_some(fd)
    }
}

/// The socket, or -1 while connecting and once closed.
impl AsRawFd for Stream {
    fn as_raw_fd(&self) -> RawFd {
        self.fileno().unwrap_or(-1)
    }
}

/// Options of an outgoing TCP connection (the keyword arguments of
/// asyncio's create_connection), as a builder:
///
/// ```no_run
/// # async fn f() -> asyncore::Result<()> {
/// use std::time::Duration;
/// let s = asyncore::ConnectOptions::new()
///     .happy_eyeballs_delay(Duration::from_millis(250))
///     .connect("localhost", 8080)
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    local_host: Option<String>,
    local_port: u16,
    happy_eyeballs_delay: Option<Duration>,
    interleave: u32,
    nodelay: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions { local_host: None, local_port: 0, happy_eyeballs_delay: None, interleave: 0, nodelay: true }
    }
}

impl ConnectOptions {
    /// The defaults: any local address, addresses tried one after another,
    /// TCP_NODELAY on.
    pub fn new() -> ConnectOptions {
        ConnectOptions::default()
    }
    /// Binds the socket to this numeric local address and port (0: any)
    /// before connecting (asyncio's local_addr).
    pub fn local_address(mut self, host: &str, port: u16) -> Self {
        self.local_host = Some(host.to_string());
        self.local_port = port;
        self
    }
    /// Binds to this local port on any address.
    pub fn local_port(mut self, port: u16) -> Self {
        self.local_port = port;
        self
    }
    /// Races the addresses: the next attempt starts after `delay` or as
    /// soon as the one before it failed (RFC 8305; 250 ms is its advice).
    pub fn happy_eyeballs_delay(mut self, delay: Duration) -> Self {
        self.happy_eyeballs_delay = Some(delay);
        self
    }
    /// Reorders the addresses by family (asyncio's interleave; 1 by
    /// default with happy eyeballs).
    pub fn interleave(mut self, n: u32) -> Self {
        self.interleave = n;
        self
    }
    /// TCP_NODELAY once connected (true by default).
    pub fn nodelay(mut self, on: bool) -> Self {
        self.nodelay = on;
        self
    }

    /// The C options; the CString must outlive their use.
    fn raw(&self) -> Result<(sys::ac_connect_options, Option<CString>)> {
        let mut o = unsafe { std::mem::zeroed::<sys::ac_connect_options>() };
        unsafe { sys::ac_connect_options_init(&mut o) };
        let host = self.local_host.as_deref().map(cstring).transpose()?;
        o.local_host = host.as_ref().map_or(ptr::null(), |h| h.as_ptr());
        o.local_port = self.local_port.into();
        o.happy_eyeballs_delay = self.happy_eyeballs_delay.map_or(-1.0, |d| d.as_secs_f64());
        o.interleave = i32::try_from(self.interleave)
            .map_err(|_| Error::with_message(sys::AC_EINVAL, "interleave too large"))?;
        o.nodelay = self.nodelay.into();
        Ok((o, host))
    }

    /// Connects to `host` (a name: all its addresses are tried, or a
    /// numeric address).
    pub async fn connect(&self, host: &str, port: u16) -> Result<Stream> {
        let host = cstring(host)?;
        let (o, _keep) = self.raw()?;
        let l = current_loop_raw()?;
        Stream::finish_connect(|s, f| unsafe { sys::ac_stream_connect_tcp_ex(l, host.as_ptr(), port.into(), &o, s, f) })
            .await
    }

    /// Connects to the first of several numeric addresses that answers,
    /// in this order (after interleaving), raced with a happy-eyeballs
    /// delay.
    pub async fn connect_addresses(&self, hosts: &[&str], port: u16) -> Result<Stream> {
        let owned = hosts.iter().map(|h| cstring(h)).collect::<Result<Vec<_>>>()?;
        let ptrs: Vec<*const std::os::raw::c_char> = owned.iter().map(|h| h.as_ptr()).collect();
        let (o, _keep) = self.raw()?;
        let l = current_loop_raw()?;
        Stream::finish_connect(|s, f| unsafe {
            sys::ac_stream_connect_tcp_addresses(l, ptrs.as_ptr(), ptrs.len(), port.into(), &o, s, f)
        })
        .await
    }
}

/// Options of a TCP listener (asyncio's create_server keywords), as a
/// builder ending in [`ListenOptions::bind`] or [`ListenOptions::serve`].
#[derive(Clone, Copy, Debug)]
pub struct ListenOptions {
    reuse_address: bool,
    reuse_port: bool,
    ipv6_only: Option<bool>,
    backlog: u32,
}

impl Default for ListenOptions {
    fn default() -> Self {
        ListenOptions { reuse_address: true, reuse_port: false, ipv6_only: None, backlog: 0 }
    }
}

impl ListenOptions {
    /// The defaults: SO_REUSEADDR on, SO_REUSEPORT off, the system's
    /// IPV6_V6ONLY, the default backlog.
    pub fn new() -> ListenOptions {
        ListenOptions::default()
    }
    /// SO_REUSEADDR (on by default, as asyncio on Unix).
    pub fn reuse_address(mut self, on: bool) -> Self {
        self.reuse_address = on;
        self
    }
    /// SO_REUSEPORT: several listeners on one port share its connections.
    pub fn reuse_port(mut self, on: bool) -> Self {
        self.reuse_port = on;
        self
    }
    /// IPV6_V6ONLY on an IPv6 listener (ignored for IPv4).
    pub fn ipv6_only(mut self, on: bool) -> Self {
        self.ipv6_only = Some(on);
        self
    }
    /// The listen(2) backlog (0: the library's default).
    pub fn backlog(mut self, n: u32) -> Self {
        self.backlog = n;
        self
    }

    fn raw(&self) -> sys::ac_server_options {
        let mut o = unsafe { std::mem::zeroed::<sys::ac_server_options>() };
        unsafe { sys::ac_server_options_init(&mut o) };
        o.reuse_address = self.reuse_address.into();
        o.reuse_port = self.reuse_port.into();
        o.ipv6_only = self.ipv6_only.map_or(-1, i32::from);
        o
    }

    /// Listens on `host`:`port` and calls `handler` with each connection,
    /// on the loop (as [`Server::bind`]).
    pub fn bind(&self, host: &str, port: u16, handler: impl FnMut(Stream) + 'static) -> Result<Server> {
        let host = cstring(host)?;
        let l = current_loop_raw()?;
        let o = self.raw();
        let backlog = i32::try_from(self.backlog).unwrap_or(i32::MAX);
        Server::listen(handler, |fn_, ud, free, out| unsafe {
            sys::ac_server_listen_tcp_ex(l, host.as_ptr(), port.into(), backlog, &o, fn_, ud, free, out)
        })
    }

    /// Listens and runs `handler(stream)` as a task per connection (as
    /// [`Server::serve`]).
    pub fn serve<H, F>(&self, host: &str, port: u16, handler: H) -> Result<Server>
    where
        H: FnMut(Stream) -> F + 'static,
        F: Future<Output = Result<()>> + 'static,
    {
        self.bind(host, port, Server::spawning(handler))
    }
}

impl Server {
    /// Connections accepted and not yet closed.
    pub fn connections(&self) -> u64 {
        unsafe { sys::ac_server_connections(self.raw) }.max(0) as u64
    }

    /// Closes every open connection after sending what it has buffered
    /// (asyncio 3.13's Server.close_clients); the server keeps listening
    /// unless closed. Returns how many were told to close.
    pub fn close_clients(&self) -> usize {
        unsafe { sys::ac_server_close_clients(self.raw) }.max(0) as usize
    }

    /// Closes every open connection at once, dropping buffered output
    /// (asyncio 3.13's Server.abort_clients). Returns how many.
    pub fn abort_clients(&self) -> usize {
        unsafe { sys::ac_server_abort_clients(self.raw) }.max(0) as usize
    }

    /// asyncio's serve_forever: pending until the server is closed, then
    /// a cancellation error (asyncio's CancelledError); dropping it
    /// pending closes the server. A second one while one is pending fails
    /// with `AC_ESTATE`.
    pub fn serve_forever(&self) -> Op<()> {
        Op::start(|f| unsafe { sys::ac_server_serve_forever(self.raw, f) })
    }

    /// The listening socket (borrowed), None once closed.
    pub fn fileno(&self) -> Option<RawFd> {
        let fd = unsafe { sys::ac_server_fileno(self.raw) };
        (fd >= 0).then_some(fd)
    }
}

/// The listening socket, or -1 once closed.
impl AsRawFd for Server {
    fn as_raw_fd(&self) -> RawFd {
        self.fileno().unwrap_or(-1)
    }
}

/// Options of a UDP endpoint (asyncio's create_datagram_endpoint
/// keywords; as there, no SO_REUSEADDR).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UdpOptions {
    reuse_port: bool,
    allow_broadcast: bool,
}

impl UdpOptions {
    /// The defaults: neither option.
    pub fn new() -> UdpOptions {
        UdpOptions::default()
    }
    /// SO_REUSEPORT: several endpoints bind one port.
    pub fn reuse_port(mut self, on: bool) -> Self {
        self.reuse_port = on;
        self
    }
    /// SO_BROADCAST: sends to a broadcast address are allowed.
    pub fn allow_broadcast(mut self, on: bool) -> Self {
        self.allow_broadcast = on;
        self
    }
    /// Binds an endpoint to `host`:`port` (0: any free port) with these
    /// options.
    pub fn bind(&self, host: &str, port: u16) -> Result<UdpSocket> {
        let host = cstring(host)?;
        let mut o = unsafe { std::mem::zeroed::<sys::ac_udp_options>() };
        unsafe { sys::ac_udp_options_init(&mut o) };
        o.reuse_port = self.reuse_port.into();
        o.allow_broadcast = self.allow_broadcast.into();
        let mut out = ptr::null_mut();
        check(unsafe { sys::ac_udp_bind_ex(current_loop_raw()?, host.as_ptr(), port.into(), &o, &mut out) })?;
        Ok(UdpSocket { raw: out })
    }
}

impl UdpSocket {
    /// SO_BROADCAST now.
    pub fn set_broadcast(&self, on: bool) -> Result<()> {
        check(unsafe { sys::ac_udp_set_broadcast(self.raw, on.into()) }).map(|_| ())
    }

    /// The socket (borrowed), None once closed.
    pub fn fileno(&self) -> Option<RawFd> {
        let fd = unsafe { sys::ac_udp_fileno(self.raw) };
        (fd >= 0).then_some(fd)
    }
}

/// The socket, or -1 once closed.
impl AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fileno().unwrap_or(-1)
    }
}
