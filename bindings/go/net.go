package asyncore

import (
	"errors"

	"libasyncore.org/go/asyncore/internal/raw"
)

// Network I/O (stream.h, server.h, udp.h, dns.h): asyncio's streams,
// start_server, datagram endpoints and name resolution. Data travels as
// []byte, copied at the boundary. A Go task waits with the methods taking
// its Co; the others may be called from any goroutine.

// cString copies a string the library allocated and frees it.
func cString(p uintptr) string {
	if p == 0 {
		return ""
	}
	s := goString(p)
	raw.Free(p)
	return s
}

// stringCall runs a C call filling a `char **out` on the loop thread.
func (l *Loop) stringCall(fn func(out *uintptr) int) (string, error) {
	var s string
	err := l.Call(func() error {
		var out uintptr
		if rc := fn(&out); rc < 0 {
			return codeError(rc)
		}
		s = cString(out)
		return nil
	})
	return s, err
}

// ---- Streams ----

// Stream is a TCP or Unix-domain connection: asyncio's StreamReader and
// StreamWriter in one object.
type Stream struct {
	loop *Loop
	c    raw.SwigcptrStream
}

func unrefStream(p uintptr) { raw.Stream_unref(raw.SwigcptrStream(p)) }

// wrapStream gives Go a reference to s (loop thread); owned adopts the
// caller's.
func (l *Loop) wrapStream(c raw.SwigcptrStream, owned bool) *Stream {
	if !owned {
		raw.Stream_ref(c)
	}
	s := &Stream{loop: l, c: c}
	holdObject(l, s, uintptr(c), unrefStream)
	return s
}

// OpenConnection connects to host:port (asyncio.open_connection), trying
// each resolved address in turn.
func (co *Co) OpenConnection(host string, port int) (*Stream, error) {
	return co.openStream(func(l *Loop, so, cf *uintptr) int {
		return raw.Stream_connect_tcp(l.c, host, port, so, cf)
	})
}

// OpenUnixConnection connects to the Unix-domain socket at path.
func (co *Co) OpenUnixConnection(path string) (*Stream, error) {
	return co.openStream(func(l *Loop, so, cf *uintptr) int {
		return raw.Stream_connect_unix(l.c, path, so, cf)
	})
}

func (co *Co) openStream(connect func(l *Loop, so, cf *uintptr) int) (*Stream, error) {
	l := co.loop
	var s *Stream
	_, err := co.awaitNew(func() (made, error) {
		var so, cf uintptr
		if rc := connect(l, &so, &cf); rc < 0 {
			return made{}, codeError(rc)
		}
		s = l.wrapStream(raw.SwigcptrStream(so), true)
		return made{c: raw.SwigcptrFuture(cf)}, nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func bytesOf(v any) []byte {
	if b, ok := v.([]byte); ok {
		return b
	}
	return []byte{}
}

func (s *Stream) await(co *Co, op func(out *uintptr) int) ([]byte, error) {
	v, err := co.awaitOp(s.loop, func() (made, error) {
		var out uintptr
		return opFuture(op(&out), out)
	})
	if err != nil {
		return nil, err
	}
	return bytesOf(v), nil
}

// Read reads up to n bytes (at least one unless at EOF, where it gives
// none). n < 0 reads until EOF (asyncio's read(-1)).
func (s *Stream) Read(co *Co, n int) ([]byte, error) {
	return s.await(co, func(out *uintptr) int { return raw.Stream_read(s.c, int64(n), out) })
}

// ReadAll reads until EOF.
func (s *Stream) ReadAll(co *Co) ([]byte, error) { return s.Read(co, -1) }

// ReadExactly reads exactly n bytes. At EOF first it fails with an error
// matching ErrIncomplete whose Partial holds what there was.
func (s *Stream) ReadExactly(co *Co, n int) ([]byte, error) {
	return s.await(co, func(out *uintptr) int { return raw.Stream_readexactly(s.c, int64(n), out) })
}

// ReadLine reads up to and including "\n" (the partial line at EOF).
func (s *Stream) ReadLine(co *Co) ([]byte, error) {
	return s.await(co, func(out *uintptr) int { return raw.Stream_readline(s.c, out) })
}

// ReadUntil reads up to and including sep. ErrLimit when sep is not found
// within the limit (the bytes stay buffered); ErrIncomplete at EOF.
func (s *Stream) ReadUntil(co *Co, sep []byte) ([]byte, error) {
	return s.await(co, func(out *uintptr) int { return raw.Stream_readuntil(s.c, sep, out) })
}

// Write queues p (copied when it cannot be sent at once); it never waits.
func (s *Stream) Write(p []byte) error {
	return s.loop.errCall(func() int { return raw.Stream_write(s.c, p) })
}

// Drain waits until the write buffer is below its low water mark, if it
// went above the high one.
func (s *Stream) Drain(co *Co) error {
	_, err := s.await(co, func(out *uintptr) int { return raw.Stream_drain(s.c, out) })
	return err
}

// WriteEOF half-closes: the peer reads EOF once the buffer is sent.
func (s *Stream) WriteEOF() error {
	return s.loop.errCall(func() int { return raw.Stream_write_eof(s.c) })
}

// Close sends what is buffered, then closes the connection.
func (s *Stream) Close() error { return s.loop.errCall(func() int { return raw.Stream_close(s.c) }) }

// IsClosing reports whether closing started.
func (s *Stream) IsClosing() bool {
	return s.loop.boolCall(func() int { return raw.Stream_is_closing(s.c) })
}

// WaitClosed waits until the socket is closed.
func (s *Stream) WaitClosed(co *Co) error {
	_, err := s.await(co, func(out *uintptr) int { return raw.Stream_wait_closed(s.c, out) })
	return err
}

// AtEOF reports whether EOF was received and the buffer is empty.
func (s *Stream) AtEOF() bool { return s.loop.boolCall(func() int { return raw.Stream_at_eof(s.c) }) }

// Buffered is the number of bytes in the read buffer.
func (s *Stream) Buffered() int {
	var n int64
	_ = s.loop.Call(func() error { n = raw.Stream_buffered(s.c); return nil })
	return int(n)
}

// SetLimit sets the read buffer limit.
func (s *Stream) SetLimit(limit int) error {
	return s.loop.errCall(func() int { return raw.Stream_set_limit(s.c, int64(limit)) })
}

// SetWriteBufferLimits sets the write water marks (0, 0: the defaults).
func (s *Stream) SetWriteBufferLimits(high, low int) error {
	return s.loop.errCall(func() int { return raw.Stream_set_write_buffer_limits(s.c, int64(high), int64(low)) })
}

// WriteBufferSize is the number of bytes written but not yet sent.
func (s *Stream) WriteBufferSize() int {
	var n int64
	_ = s.loop.Call(func() error { n = raw.Stream_write_buffer_size(s.c); return nil })
	return int(n)
}

// PeerAddress is the peer's address ("host:port", "[v6]:port" or a path).
func (s *Stream) PeerAddress() (string, error) {
	return s.loop.stringCall(func(out *uintptr) int { return raw.Stream_peer_address(s.c, out) })
}

// LocalAddress is the local address.
func (s *Stream) LocalAddress() (string, error) {
	return s.loop.stringCall(func(out *uintptr) int { return raw.Stream_local_address(s.c, out) })
}

// ---- Servers ----

// Server is a listening socket (asyncio.start_server).
type Server struct {
	loop *Loop
	c    raw.SwigcptrServer
}

// serverState is the server's callback state (loop thread).
type serverState struct {
	loop    *Loop
	handler func(co *Co, s *Stream) error
	accept  func(s *Stream) // instead of handler: a Listener's queue (conn.go)
}

// connection starts the handler's task for an accepted connection.
func (st *serverState) connection(c raw.SwigcptrStream) {
	l := st.loop
	s := l.wrapStream(c, false)
	if st.accept != nil {
		st.accept(s)
		return
	}
	_, err := l.goTask(func(co *Co) (any, error) {
		err := st.handler(co, s)
		s.Close()
		if err != nil && !errors.Is(err, ErrCancelled) && !errors.Is(err, ErrClosed) {
			// asyncio logs what a connection callback raises; a handler
			// merely cancelled (the server or the loop closing) or whose
			// stream was closed under it (CloseClients, AbortClients) is
			// not an error worth a report.
			_ = co.call(func() error { l.report("connection handler failed", err); return nil })
		}
		return nil, err
	}, 0, 0)
	if err != nil {
		raw.Stream_close(c)
	}
}

// StartServer listens on host:port (host "" means all IPv4 addresses,
// port 0 a free port: see Port) and runs handler as a Go task for every
// connection; the stream is closed when the handler returns, and an error
// it returns goes to the exception handler.
func (l *Loop) StartServer(host string, port int, handler func(co *Co, s *Stream) error) (*Server, error) {
	return l.listen(handler, func(h uintptr, out *uintptr) int {
		return raw.Server_listen_tcp(l.c, host, port, 0, fnServerConn, h, fnFreeHandle, out)
	})
}

// StartUnixServer listens on a Unix-domain socket at path.
func (l *Loop) StartUnixServer(path string, handler func(co *Co, s *Stream) error) (*Server, error) {
	return l.listen(handler, func(h uintptr, out *uintptr) int {
		return raw.Server_listen_unix(l.c, path, 0, fnServerConn, h, fnFreeHandle, out)
	})
}

func (l *Loop) listen(handler func(co *Co, s *Stream) error, listen func(h uintptr, out *uintptr) int) (*Server, error) {
	srv := &Server{loop: l}
	err := l.Call(func() error {
		h := newHandle(&serverState{loop: l, handler: handler})
		var out uintptr
		if rc := listen(uintptr(h), &out); rc < 0 {
			return codeError(rc)
		}
		srv.c = raw.SwigcptrServer(out)
		holdObject(l, srv, out, func(p uintptr) { raw.Server_unref(raw.SwigcptrServer(p)) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return srv, nil
}

// Address is the bound address, with the real port.
func (srv *Server) Address() (string, error) {
	return srv.loop.stringCall(func(out *uintptr) int { return raw.Server_address(srv.c, out) })
}

// Port is the bound port of a TCP server.
func (srv *Server) Port() int {
	n, _ := srv.loop.intCall(func() int { return raw.Server_port(srv.c) })
	return n
}

// Accepted is the number of connections accepted so far.
func (srv *Server) Accepted() int64 {
	var n int64
	_ = srv.loop.Call(func() error { n = raw.Server_accepted(srv.c); return nil })
	return n
}

// AcceptPaused reports whether accepting is paused for lack of file
// descriptors.
func (srv *Server) AcceptPaused() bool {
	return srv.loop.boolCall(func() int { return raw.Server_accept_paused(srv.c) })
}

// Close stops listening; accepted connections stay open.
func (srv *Server) Close() error {
	return srv.loop.errCall(func() int { return raw.Server_close(srv.c) })
}

// IsServing reports whether the server listens.
func (srv *Server) IsServing() bool {
	return srv.loop.boolCall(func() int { return raw.Server_is_serving(srv.c) })
}

func (srv *Server) waitClosed() (made, error) {
	var out uintptr
	return opFuture(raw.Server_wait_closed(srv.c, &out), out)
}

// WaitClosed waits until the server is closed and so is every connection
// it accepted (asyncio 3.12.1+; see WaitClosedContext for goroutines).
func (srv *Server) WaitClosed(co *Co) error {
	_, err := co.awaitOp(srv.loop, srv.waitClosed)
	return err
}

// WaitClosedFuture is a future that completes once the server is closed.
func (srv *Server) WaitClosedFuture() (*Future, error) { return srv.loop.futureOp(srv.waitClosed) }

// ---- UDP ----

// UDPEndpoint is a datagram endpoint.
type UDPEndpoint struct {
	loop *Loop
	c    raw.SwigcptrUdp
}

// ListenUDP binds an endpoint to host:port (host "": all IPv4 addresses;
// port 0: a free port).
func (l *Loop) ListenUDP(host string, port int) (*UDPEndpoint, error) {
	return l.bindUDP(func(out *uintptr) int { return raw.Udp_bind(l.c, host, port, out) })
}

func (l *Loop) bindUDP(bind func(out *uintptr) int) (*UDPEndpoint, error) {
	u := &UDPEndpoint{loop: l}
	err := l.Call(func() error {
		var out uintptr
		if rc := bind(&out); rc < 0 {
			return codeError(rc)
		}
		u.c = raw.SwigcptrUdp(out)
		holdObject(l, u, out, func(p uintptr) { raw.Udp_unref(raw.SwigcptrUdp(p)) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Connect sets the default peer: Send with "" goes there, and only its
// datagrams are received.
func (u *UDPEndpoint) Connect(host string, port int) error {
	return u.loop.errCall(func() int { return raw.Udp_connect(u.c, host, port) })
}

// Send sends one datagram to address ("host:port"), or to the connected
// peer when address is "". It never waits.
func (u *UDPEndpoint) Send(data []byte, address string) error {
	return u.loop.errCall(func() int { return raw.Udp_send(u.c, data, address) })
}

// Recv waits for the next datagram.
func (u *UDPEndpoint) Recv(co *Co) ([]byte, error) {
	v, err := co.awaitOp(u.loop, func() (made, error) {
		var out uintptr
		return opFuture(raw.Udp_recv(u.c, &out), out)
	})
	if err != nil {
		return nil, err
	}
	return bytesOf(v), nil
}

// RecvFrom waits for the next datagram and gives its sender's address.
func (u *UDPEndpoint) RecvFrom(co *Co) ([]byte, string, error) {
	v, err := co.awaitOp(u.loop, func() (made, error) {
		var out uintptr
		return opFuture(raw.Udp_recvfrom(u.c, &out), out)
	})
	if err != nil {
		return nil, "", err
	}
	b := bytesOf(v)
	for i, c := range b {
		if c == '\n' {
			return b[i+1:], string(b[:i]), nil
		}
	}
	return b, "", nil
}

// SetRecvQueue bounds the queue of received datagrams.
func (u *UDPEndpoint) SetRecvQueue(n int) error {
	return u.loop.errCall(func() int { return raw.Udp_set_recv_queue(u.c, int64(n)) })
}

// Dropped is the number of datagrams dropped because the queue was full.
func (u *UDPEndpoint) Dropped() int64 {
	var n int64
	_ = u.loop.Call(func() error { n = raw.Udp_dropped(u.c); return nil })
	return n
}

// Queued is the number of datagrams waiting.
func (u *UDPEndpoint) Queued() int64 {
	var n int64
	_ = u.loop.Call(func() error { n = raw.Udp_queued(u.c); return nil })
	return n
}

// LocalAddress is the bound address.
func (u *UDPEndpoint) LocalAddress() (string, error) {
	return u.loop.stringCall(func(out *uintptr) int { return raw.Udp_local_address(u.c, out) })
}

// Close closes the endpoint; pending receives fail with ErrClosed.
func (u *UDPEndpoint) Close() error { return u.loop.errCall(func() int { return raw.Udp_close(u.c) }) }

// ---- Name resolution ----

// Address families and socket types for GetAddrInfo.
const (
	FamilyAny  = 0
	FamilyIPv4 = 4
	FamilyIPv6 = 6
	SockStream = 1
	SockDgram  = 2
)

// Flags for GetNameInfo.
const (
	NINumericHost = 1
	NINumericServ = 2
	NINameReqd    = 4
	NIDgram       = 8
)

func lines(b []byte) []string {
	var out []string
	start := 0
	for i, c := range b {
		if c == '\n' {
			out = append(out, string(b[start:i]))
			start = i + 1
		}
	}
	if start < len(b) {
		out = append(out, string(b[start:]))
	}
	return out
}

// GetAddrInfo resolves host and port (a number or a service name) to
// addresses ("1.2.3.4:80", "[::1]:80"), on libuv's thread pool.
func (co *Co) GetAddrInfo(host, port string, family, socktype int) ([]string, error) {
	l := co.loop
	v, err := co.awaitNew(func() (made, error) {
		var out uintptr
		return opFuture(raw.Getaddrinfo(l.c, host, port, family, socktype, &out), out)
	})
	if err != nil {
		return nil, err
	}
	return lines(bytesOf(v)), nil
}

// GetNameInfo looks up the host and service names of address.
func (co *Co) GetNameInfo(address string, flags int) (host, service string, err error) {
	l := co.loop
	v, err := co.awaitNew(func() (made, error) {
		var out uintptr
		return opFuture(raw.Getnameinfo(l.c, address, flags, &out), out)
	})
	if err != nil {
		return "", "", err
	}
	ls := lines(bytesOf(v))
	if len(ls) != 2 {
		return "", "", ErrInternal
	}
	return ls[0], ls[1], nil
}
