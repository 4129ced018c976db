//! TLS streams on the library's OpenSSL layer (asyncio's `ssl=` and
//! `start_tls`): a [`TlsContext`] (ssl.SSLContext), a [`TlsConnector`] for
//! clients and a [`TlsAcceptor`] for servers. A TLS stream is a [`Stream`]:
//! the same reads, writes, drain and close.
//!
//! Handshake failures are [`Error`]s whose `code()` is `AC_ETLSVERIFY`
//! (class "SSLCertVerificationError") or `AC_ETLS` ("SSLError"), with
//! OpenSSL's reason as the message.

use std::ffi::CString;
use std::future::Future;
use std::os::raw::{c_char, c_void};
use std::ptr;
use std::time::Duration;

use asyncore_sys as sys;

use crate::error::{check, Error, Result};
use crate::net::{Op, Server, Stream};
use crate::runtime::current_loop_raw;

fn cstring(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::with_message(sys::AC_EINVAL, "string contains a NUL byte"))
}

/// How a context checks the peer's certificate (ssl.CERT_*).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verify {
    None,
    Optional,
    Required,
}

/// The settings of one side of TLS connections (ssl.SSLContext). Clones
/// share the context.
pub struct TlsContext {
    raw: *mut sys::ac_tls_context,
}

impl Clone for TlsContext {
    fn clone(&self) -> Self {
        TlsContext { raw: unsafe { sys::ac_tls_context_ref(self.raw) } }
    }
}

impl Drop for TlsContext {
    fn drop(&mut self) {
        unsafe { sys::ac_tls_context_unref(self.raw) };
    }
}

impl TlsContext {
    fn new(side: sys::ac_tls_side) -> Result<TlsContext> {
        let mut raw = ptr::null_mut();
        check(unsafe { sys::ac_tls_context_new(side, &mut raw) })?;
        Ok(TlsContext { raw })
    }
    /// A client context: the server verified against the system CAs, its
    /// name checked (ssl.create_default_context()).
    pub fn client() -> Result<TlsContext> {
        Self::new(sys::AC_TLS_CLIENT)
    }
    /// A server context (no client certificate asked for).
    pub fn server() -> Result<TlsContext> {
        Self::new(sys::AC_TLS_SERVER)
    }
    /// Trusts the CA certificates of a PEM file.
    pub fn load_verify_locations(&self, cafile: &str) -> Result<()> {
        let f = cstring(cafile)?;
        check(unsafe { sys::ac_tls_context_load_verify_locations(self.raw, f.as_ptr(), ptr::null()) })?;
        Ok(())
    }
    /// This side's certificate chain and key (PEM files).
    pub fn load_cert_chain(&self, certfile: &str, keyfile: &str) -> Result<()> {
        let c = cstring(certfile)?;
        let k = cstring(keyfile)?;
        check(unsafe { sys::ac_tls_context_load_cert_chain(self.raw, c.as_ptr(), k.as_ptr(), ptr::null()) })?;
        Ok(())
    }
    /// How the peer's certificate is checked.
    pub fn set_verify(&self, mode: Verify) -> Result<()> {
        let m = match mode {
            Verify::None => sys::AC_TLS_VERIFY_NONE,
            Verify::Optional => sys::AC_TLS_VERIFY_OPTIONAL,
            Verify::Required => sys::AC_TLS_VERIFY_REQUIRED,
        };
        check(unsafe { sys::ac_tls_context_set_verify(self.raw, m) })?;
        Ok(())
    }
    /// Whether a client checks the server's name.
    pub fn set_check_hostname(&self, on: bool) -> Result<()> {
        check(unsafe { sys::ac_tls_context_set_check_hostname(self.raw, on as i32) })?;
        Ok(())
    }
    /// ALPN protocols, in order of preference.
    pub fn set_alpn_protocols(&self, names: &[&str]) -> Result<()> {
        let owned = names.iter().map(|n| cstring(n)).collect::<Result<Vec<_>>>()?;
        let ptrs: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
        check(unsafe { sys::ac_tls_context_set_alpn_protocols(self.raw, ptrs.as_ptr(), ptrs.len()) })?;
        Ok(())
    }
    /// The lowest protocol version: 0x0303 (TLS 1.2) or 0x0304 (TLS 1.3).
    pub fn set_min_version(&self, version: i32) -> Result<()> {
        check(unsafe { sys::ac_tls_context_set_min_version(self.raw, version) })?;
        Ok(())
    }
    /// Trusts the CA certificates in PEM text (load_verify_locations with
    /// cadata=).
    pub fn load_verify_pem(&self, pem: &str) -> Result<()> {
        check(unsafe { sys::ac_tls_context_load_verify_pem(self.raw, pem.as_ptr() as *const c_char, pem.len()) })?;
        Ok(())
    }
    /// This side's certificate chain and key from PEM text in memory;
    /// `key_pem` None: the key is in `cert_pem`.
    pub fn load_cert_chain_pem(&self, cert_pem: &str, key_pem: Option<&str>) -> Result<()> {
        let (kp, kl) = key_pem.map_or((ptr::null(), 0), |k| (k.as_ptr() as *const c_char, k.len()));
        check(unsafe {
            sys::ac_tls_context_load_cert_chain_pem(
                self.raw,
                cert_pem.as_ptr() as *const c_char,
                cert_pem.len(),
                kp,
                kl,
                ptr::null(),
            )
        })?;
        Ok(())
    }
    /// A server's choice of context for the name a client asks for (SNI,
    /// SSLContext.sni_callback): `choose(name)` returns the context to use
    /// for that connection, or None to keep this one. It runs on the loop
    /// thread during the handshake; a panic in it keeps this context. The
    /// context returned last is kept alive until the next call. `choose`
    /// should not hold this context itself (a reference cycle).
    pub fn set_sni_callback<F>(&self, choose: F) -> Result<()>
    where
        F: Fn(&str) -> Option<TlsContext> + 'static,
    {
        let state = Box::new(Sni {
            choose: Box::new(choose),
            last: std::cell::RefCell::new(None),
            owner: self.raw,
        });
        let ud = Box::into_raw(state) as *mut c_void;
        // On failure the library has run sni_free already.
        check(unsafe { sys::ac_tls_context_set_sni_callback(self.raw, Some(sni_trampoline), ud, Some(sni_free)) })?;
        Ok(())
    }
    /// The raw context (borrowed).
    pub fn as_raw(&self) -> *mut sys::ac_tls_context {
        self.raw
    }
}

/// What an SNI callback is: a server name in, the context to use out
/// (`None`: keep the listening one).
type SniChooser = Box<dyn Fn(&str) -> Option<TlsContext>>;

struct Sni {
    choose: SniChooser,
    last: std::cell::RefCell<Option<TlsContext>>,
    owner: *mut sys::ac_tls_context, // not kept in `last`: that would be a cycle
}

unsafe extern "C" fn sni_trampoline(name: *const c_char, ud: *mut c_void) -> *mut sys::ac_tls_context {
    let sni = &*(ud as *const Sni);
    let name = std::ffi::CStr::from_ptr(name).to_string_lossy();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (sni.choose)(&name))) {
        Ok(Some(ctx)) if ctx.raw == sni.owner => ptr::null_mut(),
        Ok(Some(ctx)) => {
            let raw = ctx.raw;
            // Alive past the return: the connection takes its own reference.
            if let Ok(mut last) = sni.last.try_borrow_mut() {
                *last = Some(ctx);
                raw
            } else {
                ptr::null_mut()
            }
        }
        _ => ptr::null_mut(),
    }
}

unsafe extern "C" fn sni_free(ud: *mut c_void) {
    drop(Box::from_raw(ud as *mut Sni));
}

fn timeouts(handshake: Option<Duration>, shutdown: Option<Duration>) -> sys::ac_tls_timeouts {
    sys::ac_tls_timeouts {
        handshake: handshake.map_or(0.0, |d| d.as_secs_f64()),
        shutdown: shutdown.map_or(0.0, |d| d.as_secs_f64()),
    }
}

/// Opens TLS connections (open_connection with ssl=).
#[derive(Clone)]
pub struct TlsConnector {
    ctx: TlsContext,
    handshake_timeout: Option<Duration>,
    shutdown_timeout: Option<Duration>,
}

impl TlsConnector {
    pub fn new(ctx: TlsContext) -> TlsConnector {
        TlsConnector { ctx, handshake_timeout: None, shutdown_timeout: None }
    }
    /// ssl_handshake_timeout (default 60 s).
    pub fn handshake_timeout(mut self, d: Duration) -> Self {
        self.handshake_timeout = Some(d);
        self
    }
    /// ssl_shutdown_timeout (default 30 s).
    pub fn shutdown_timeout(mut self, d: Duration) -> Self {
        self.shutdown_timeout = Some(d);
        self
    }
    /// Connects to host:port and completes the handshake; `domain` is the
    /// name sent (SNI) and checked.
    pub async fn connect(&self, domain: &str, host: &str, port: u16) -> Result<Stream> {
        let h = cstring(host)?;
        let d = cstring(domain)?;
        let raw = current_loop_raw()?;
        let t = timeouts(self.handshake_timeout, self.shutdown_timeout);
        let mut s = ptr::null_mut();
        let op = Op::<()>::start(|f| unsafe {
            sys::ac_stream_connect_tls(raw, h.as_ptr(), port.into(), self.ctx.raw, d.as_ptr(), &t, &mut s, f)
        });
        let stream = if s.is_null() { None } else { Some(unsafe { Stream::from_owned(s) }) };
        op.await?;
        stream.ok_or_else(|| Error::with_message(sys::AC_EINTERNAL, "no stream"))
    }
    /// Upgrades an open plain stream (StreamWriter.start_tls) as a client.
    pub fn upgrade<'a>(&self, stream: &'a Stream, domain: &str) -> impl Future<Output = Result<()>> + 'a {
        let d = cstring(domain);
        let t = timeouts(self.handshake_timeout, self.shutdown_timeout);
        let ctx = self.ctx.raw;
        match d {
            Ok(d) => Op::<()>::start(|f| unsafe { sys::ac_stream_start_tls(stream.as_raw(), ctx, d.as_ptr(), &t, f) }),
            Err(e) => Op::done(Err(e)),
        }
    }
}

/// Accepts TLS connections (start_server with ssl=).
#[derive(Clone)]
pub struct TlsAcceptor {
    ctx: TlsContext,
    handshake_timeout: Option<Duration>,
    shutdown_timeout: Option<Duration>,
}

impl TlsAcceptor {
    pub fn new(ctx: TlsContext) -> TlsAcceptor {
        TlsAcceptor { ctx, handshake_timeout: None, shutdown_timeout: None }
    }
    /// ssl_handshake_timeout (default 60 s).
    pub fn handshake_timeout(mut self, d: Duration) -> Self {
        self.handshake_timeout = Some(d);
        self
    }
    /// ssl_shutdown_timeout (default 30 s).
    pub fn shutdown_timeout(mut self, d: Duration) -> Self {
        self.shutdown_timeout = Some(d);
        self
    }
    /// Upgrades an open plain stream (start_tls) as the server side.
    pub fn accept<'a>(&self, stream: &'a Stream) -> impl Future<Output = Result<()>> + 'a {
        let t = timeouts(self.handshake_timeout, self.shutdown_timeout);
        let ctx = self.ctx.raw;
        Op::<()>::start(|f| unsafe { sys::ac_stream_start_tls(stream.as_raw(), ctx, ptr::null(), &t, f) })
    }
    /// Listens on host:port and runs `handler(stream)` as a task for each
    /// connection whose handshake succeeded; a failed handshake closes its
    /// connection quietly (asyncio logs it in debug mode only).
    pub fn serve<H, F>(&self, host: &str, port: u16, handler: H) -> Result<Server>
    where
        H: FnMut(Stream) -> F + 'static,
        F: Future<Output = Result<()>> + 'static,
    {
        let acceptor = self.clone();
        let handler = std::rc::Rc::new(std::cell::RefCell::new(handler));
        Server::serve(host, port, move |s: Stream| {
            let acceptor = acceptor.clone();
            let handler = handler.clone();
            async move {
                if acceptor.accept(&s).await.is_err() {
                    s.close();
                    return Ok(());
                }
                let fut = (handler.borrow_mut())(s);
                fut.await
            }
        })
    }
}

fn info(s: &Stream, what: sys::ac_tls_info) -> Option<Vec<u8>> {
    let mut p: *mut c_char = ptr::null_mut();
    let mut n = 0usize;
    if unsafe { sys::ac_stream_tls_info(s.as_raw(), what, &mut p, &mut n) } != 0 {
        return None;
    }
    let v = unsafe { std::slice::from_raw_parts(p as *const u8, n) }.to_vec();
    unsafe { sys::ac_free(p as *mut c_void) };
    Some(v)
}

impl Stream {
    /// True for a TLS stream.
    pub fn is_tls(&self) -> bool {
        unsafe { sys::ac_stream_is_tls(self.as_raw()) == 1 }
    }
    /// "TLSv1.3" …; None for a plain stream or before the handshake.
    pub fn tls_version(&self) -> Option<String> {
        info(self, sys::AC_TLS_INFO_VERSION).map(|v| String::from_utf8_lossy(&v).into_owned())
    }
    /// The cipher suite's name.
    pub fn tls_cipher(&self) -> Option<String> {
        info(self, sys::AC_TLS_INFO_CIPHER).map(|v| String::from_utf8_lossy(&v).into_owned())
    }
    /// The ALPN protocol chosen ("" for none).
    pub fn tls_alpn(&self) -> Option<String> {
        info(self, sys::AC_TLS_INFO_ALPN).map(|v| String::from_utf8_lossy(&v).into_owned())
    }
    /// The peer certificate's subject ("CN=localhost").
    pub fn tls_peer_subject(&self) -> Option<String> {
        info(self, sys::AC_TLS_INFO_PEER_SUBJECT).map(|v| String::from_utf8_lossy(&v).into_owned())
    }
    /// The peer certificate, DER.
    pub fn tls_peer_certificate(&self) -> Option<Vec<u8>> {
        info(self, sys::AC_TLS_INFO_PEER_CERT_DER)
    }
}
