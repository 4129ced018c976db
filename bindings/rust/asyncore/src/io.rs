//! The standard async I/O traits on streams: `futures-io`'s `AsyncRead`,
//! `AsyncBufRead` and `AsyncWrite` (so `futures::io` utilities and the
//! protocol crates built on them work over a [`Stream`]), and, with the
//! cargo feature `tokio`, Tokio's `AsyncRead`/`AsyncWrite` (so
//! `tokio-util` codecs work).
//!
//! [`Stream::io`] gives a [`StreamIo`]: the traits need state of their own
//! (the read in flight, a buffer for `fill_buf`), which the shared
//! `Stream` handle does not have.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::net::{Op, Stream};

/// A write buffer above this many bytes makes `poll_write` wait for the
/// stream to drain first (flow control; asyncio's default high-water
/// mark).
const WRITE_HIGH_WATER: usize = 64 * 1024;
/// What one read asks for.
const READ_CHUNK: usize = 64 * 1024;

/// A [`Stream`] with the standard async I/O traits. Reading: bytes come as
/// the stream's own reads give them; a read dropped while pending leaves
/// its bytes in the stream. Writing: bytes go to the stream's buffer at
/// once, waiting only while it holds more than 64 KiB; `flush` waits until
/// it drained; `close` (`shutdown` for Tokio) flushes, then ends the
/// writing side (`write_eof`).
pub struct StreamIo {
    stream: Stream,
    read: Option<Op<Vec<u8>>>,
    drain: Option<Op<()>>,
    buf: Vec<u8>,
    pos: usize,
    eof_sent: bool,
}

impl Stream {
    /// This stream with the standard async I/O traits.
    pub fn io(&self) -> StreamIo {
        StreamIo { stream: self.clone(), read: None, drain: None, buf: Vec::new(), pos: 0, eof_sent: false }
    }
}

impl StreamIo {
    /// The stream.
    pub fn stream(&self) -> &Stream {
        &self.stream
    }

    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.pos < self.buf.len() {
            return Poll::Ready(Ok(()));
        }
        let stream = &self.stream;
        let op = self.read.get_or_insert_with(|| stream.read(READ_CHUNK));
        let r = std::task::ready!(Pin::new(op).poll(cx));
        self.read = None;
        let bytes = r.map_err(io::Error::from)?;
        self.buf = bytes;
        self.pos = 0;
        Poll::Ready(Ok(()))
    }

    fn poll_read_into(&mut self, cx: &mut Context<'_>, out: &mut [u8]) -> Poll<io::Result<usize>> {
        if out.is_empty() {
            return Poll::Ready(Ok(0));
        }
        std::task::ready!(self.poll_fill(cx))?;
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Poll::Ready(Ok(n))
    }

    fn poll_drained(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let stream = &self.stream;
        let op = self.drain.get_or_insert_with(|| stream.drain());
        let r = std::task::ready!(Pin::new(op).poll(cx));
        self.drain = None;
        Poll::Ready(r.map_err(io::Error::from))
    }

    fn poll_write_from(&mut self, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        if self.eof_sent {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::BrokenPipe, "the writing side was closed")));
        }
        if self.drain.is_some() || self.stream.write_buffer_size() > WRITE_HIGH_WATER {
            std::task::ready!(self.poll_drained(cx))?;
        }
        self.stream.write(data).map_err(io::Error::from)?;
        Poll::Ready(Ok(data.len()))
    }

    fn poll_close_writing(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.eof_sent {
            return Poll::Ready(Ok(()));
        }
        std::task::ready!(self.poll_drained(cx))?;
        self.eof_sent = true;
        match self.stream.write_eof() {
            Ok(()) => Poll::Ready(Ok(())),
            // Already closed by the peer or the loop: nothing left to end.
            Err(e) if e.kind() == crate::ErrorKind::Runtime => Poll::Ready(Ok(())),
            Err(e) => Poll::Ready(Err(e.into())),
        }
    }
}

impl futures_io::AsyncRead for StreamIo {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.get_mut().poll_read_into(cx, buf)
    }
}

impl futures_io::AsyncBufRead for StreamIo {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        std::task::ready!(this.poll_fill(cx))?;
        Poll::Ready(Ok(&this.buf[this.pos..]))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        this.pos = (this.pos + amt).min(this.buf.len());
    }
}

impl futures_io::AsyncWrite for StreamIo {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.get_mut().poll_write_from(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_drained(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_close_writing(cx)
    }
}

#[cfg(feature = "tokio")]
impl tokio::io::AsyncRead for StreamIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let n = std::task::ready!(this.poll_read_into(cx, buf.initialize_unfilled()))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

#[cfg(feature = "tokio")]
impl tokio::io::AsyncWrite for StreamIo {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.get_mut().poll_write_from(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_drained(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_close_writing(cx)
    }
}

