package asyncore

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"libasyncore.org/go/asyncore/internal/raw"
)

// Go's own network interfaces over the loop's streams and servers: Conn
// is a net.Conn (and io.Reader, io.Writer, io.ReaderFrom through io.Copy)
// over a Stream, Listener a net.Listener over a Server. Both are used from
// ordinary goroutines (net/http's, io.Copy's): every operation is posted
// to the loop and its outcome awaited through a channel, so they never
// hold the loop while they wait.

// Conn is a Stream as a net.Conn. Reads and writes honour the deadlines
// (an expired one gives an error whose Timeout() is true and which
// matches os.ErrDeadlineExceeded, context.DeadlineExceeded and
// ErrTimeout); a deadline changed while a call waits applies at once.
type Conn struct {
	s        *Stream
	rd, wd   deadline
	closeMu  sync.Mutex
	closed   bool
	onClose  func()
	readMu   sync.Mutex
	writeMu  sync.Mutex
	eof      bool
	laddr    net.Addr
	raddr    net.Addr
	addrOnce sync.Once
}

var _ net.Conn = (*Conn)(nil)

// Conn gives the stream's net.Conn face (a new one each call: use one).
func (s *Stream) Conn() *Conn { return &Conn{s: s} }

// Stream is the stream under the connection.
func (c *Conn) Stream() *Stream { return c.s }

// deadline is a settable deadline whose changes wake the waiting call.
type deadline struct {
	mu      sync.Mutex
	t       time.Time
	changed chan struct{}
}

func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	d.t = t
	if d.changed != nil {
		close(d.changed)
		d.changed = nil
	}
	d.mu.Unlock()
}

func (d *deadline) get() (time.Time, <-chan struct{}) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.changed == nil {
		d.changed = make(chan struct{})
	}
	return d.t, d.changed
}

// timeoutError is an expired deadline of a Conn.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }
func (timeoutError) Is(target error) bool {
	return target == os.ErrDeadlineExceeded || target == context.DeadlineExceeded || target == ErrTimeout
}

// await waits for f under the deadline d. An expired deadline cancels f;
// an outcome f had already reached is kept (no byte read is lost).
func (c *Conn) await(f *Future, d *deadline) (any, error) {
	for {
		t, changed := d.get()
		var timer *time.Timer
		var expired <-chan time.Time
		if !t.IsZero() {
			wait := time.Until(t)
			if wait <= 0 {
				wait = 0
			}
			timer = time.NewTimer(wait)
			expired = timer.C
		}
		select {
		case <-f.Done():
			if timer != nil {
				timer.Stop()
			}
			return f.Result()
		case <-changed:
			if timer != nil {
				timer.Stop()
			}
			continue
		case <-expired:
			f.Cancel("")
			<-f.Done()
			v, err := f.Result()
			if errors.Is(err, ErrCancelled) {
				return nil, timeoutError{}
			}
			return v, err
		}
	}
}

func (c *Conn) opError(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrClosed) || (c.isClosed() && errors.Is(err, ErrCancelled)) {
		err = net.ErrClosed
	}
	return &net.OpError{Op: op, Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}

func (c *Conn) isClosed() bool {
	c.closeMu.Lock()
	defer c.closeMu.Unlock()
	return c.closed
}

// Read reads up to len(p) bytes: at least one, or io.EOF at the end.
func (c *Conn) Read(p []byte) (int, error) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	if c.isClosed() {
		return 0, c.opError("read", net.ErrClosed)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if c.eof {
		return 0, io.EOF
	}
	s := c.s
	f, err := s.loop.futureOp(func() (made, error) {
		var out uintptr
		return opFuture(raw.Stream_read(s.c, int64(len(p)), &out), out)
	})
	if err != nil {
		return 0, c.opError("read", err)
	}
	v, err := c.await(f, &c.rd)
	f.Release()
	if err != nil {
		return 0, c.opError("read", err)
	}
	b := bytesOf(v)
	if len(b) == 0 {
		c.eof = true
		return 0, io.EOF
	}
	return copy(p, b), nil
}

// Write sends p, waiting (under the write deadline) until the buffer has
// drained below its low water mark.
func (c *Conn) Write(p []byte) (int, error) {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if c.isClosed() {
		return 0, c.opError("write", net.ErrClosed)
	}
	s := c.s
	f, err := s.loop.futureOp(func() (made, error) {
		if rc := raw.Stream_write(s.c, p); rc < 0 {
			return made{}, codeError(rc)
		}
		var out uintptr
		return opFuture(raw.Stream_drain(s.c, &out), out)
	})
	if err != nil {
		return 0, c.opError("write", err)
	}
	_, err = c.await(f, &c.wd)
	f.Release()
	if err != nil {
		// The bytes were queued: what reached the peer is unknown.
		return 0, c.opError("write", err)
	}
	return len(p), nil
}

// CloseWrite half-closes the connection (the peer reads EOF).
func (c *Conn) CloseWrite() error { return c.opError("close", c.s.WriteEOF()) }

// Close sends what is buffered and closes the connection. Calls waiting
// in Read or Write return net.ErrClosed.
func (c *Conn) Close() error {
	c.closeMu.Lock()
	if c.closed {
		c.closeMu.Unlock()
		return c.opError("close", net.ErrClosed)
	}
	c.closed = true
	c.closeMu.Unlock()
	err := c.s.Close()
	// Wake the waiting calls: their futures end with the stream.
	c.rd.set(time.Unix(1, 0))
	c.wd.set(time.Unix(1, 0))
	if c.onClose != nil {
		c.onClose()
	}
	if err != nil && !errors.Is(err, ErrClosed) {
		return c.opError("close", err)
	}
	return nil
}

func parseAddr(s string, err error) net.Addr {
	if err != nil || s == "" {
		return nil
	}
	if a, err := net.ResolveTCPAddr("tcp", s); err == nil {
		return a
	}
	return &net.UnixAddr{Name: s, Net: "unix"}
}

func (c *Conn) addrs() {
	c.addrOnce.Do(func() {
		c.laddr = parseAddr(c.s.LocalAddress())
		c.raddr = parseAddr(c.s.PeerAddress())
	})
}

// LocalAddr is the local address.
func (c *Conn) LocalAddr() net.Addr { c.addrs(); return c.laddr }

// RemoteAddr is the peer's address.
func (c *Conn) RemoteAddr() net.Addr { c.addrs(); return c.raddr }

// SetDeadline sets both deadlines (zero: none).
func (c *Conn) SetDeadline(t time.Time) error {
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

// SetReadDeadline sets the deadline of reads, the one waiting included.
func (c *Conn) SetReadDeadline(t time.Time) error { c.rd.set(t); return nil }

// SetWriteDeadline sets the deadline of writes, the one waiting included.
func (c *Conn) SetWriteDeadline(t time.Time) error { c.wd.set(t); return nil }

// Dial connects to address ("host:port" for "tcp", a path for "unix")
// through loop l; ctx bounds the connection attempt (a context that
// ended never starts it).
func Dial(ctx context.Context, l *Loop, network, address string) (*Conn, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, ContextError(err)
	}
	var connect func(so, cf *uintptr) int
	switch network {
	case "tcp", "tcp4", "tcp6":
		host, port, err := tcpAddress(network, address)
		if err != nil {
			return nil, err
		}
		connect = func(so, cf *uintptr) int { return raw.Stream_connect_tcp(l.c, host, port, so, cf) }
	case "unix":
		connect = func(so, cf *uintptr) int { return raw.Stream_connect_unix(l.c, address, so, cf) }
	default:
		return nil, net.UnknownNetworkError(network)
	}
	var s *Stream
	f, err := l.futureOp(func() (made, error) {
		var so, cf uintptr
		if rc := connect(&so, &cf); rc < 0 {
			return made{}, codeError(rc)
		}
		s = l.wrapStream(raw.SwigcptrStream(so), true)
		return made{c: raw.SwigcptrFuture(cf)}, nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := f.Wait(ctx); err != nil {
		if s != nil {
			_ = s.Close()
		}
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	return s.Conn(), nil
}

// Listener is a Server as a net.Listener: Accept hands out the accepted
// connections as *Conn, in order.
type Listener struct {
	srv     *Server
	network string
	mu      sync.Mutex
	queue   []*Stream
	ready   chan struct{} // a token when queue may have items
	done    chan struct{} // closed by Close
	once    sync.Once
	addr    net.Addr
}

var _ net.Listener = (*Listener)(nil)

// Listen listens on address through loop l: "tcp" ("host:port", port 0
// a free one) or "unix" (a path).
func Listen(l *Loop, network, address string) (*Listener, error) {
	ln := &Listener{network: network, ready: make(chan struct{}, 1), done: make(chan struct{})}
	st := &serverState{loop: l, accept: ln.push}
	var listen func(h uintptr, out *uintptr) int
	switch network {
	case "tcp", "tcp4", "tcp6":
		host, port, err := tcpAddress(network, address)
		if err != nil {
			return nil, err
		}
		listen = func(h uintptr, out *uintptr) int {
			return raw.Server_listen_tcp(l.c, host, port, 0, fnServerConn, h, fnFreeHandle, out)
		}
	case "unix":
		listen = func(h uintptr, out *uintptr) int {
			return raw.Server_listen_unix(l.c, address, 0, fnServerConn, h, fnFreeHandle, out)
		}
	default:
		return nil, net.UnknownNetworkError(network)
	}
	return ln.listenOn(l, st, listen, func(err error) error { return err })
}

// tcpAddress splits a "host:port" address of network "tcp", "tcp4" or
// "tcp6" as package net does.
func tcpAddress(network, address string) (string, int, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return "", 0, net.UnknownNetworkError(network)
	}
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return "", 0, &net.AddrError{Err: "invalid port", Addr: address}
	}
	return host, port, nil
}

// listenOn starts ln's server with listen (its accepted streams go to
// st); wrap makes the error of a refused listen.
func (ln *Listener) listenOn(l *Loop, st *serverState, listen func(h uintptr, out *uintptr) int,
	wrap func(error) error) (*Listener, error) {
	srv := &Server{loop: l}
	err := l.Call(func() error {
		h := newHandle(st)
		var out uintptr
		if rc := listen(uintptr(h), &out); rc < 0 {
			return codeError(rc)
		}
		srv.c = raw.SwigcptrServer(out)
		holdObject(l, srv, out, func(p uintptr) { raw.Server_unref(raw.SwigcptrServer(p)) })
		return nil
	})
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: ln.network, Err: wrap(err)}
	}
	ln.srv = srv
	ln.addr = parseAddr(srv.Address())
	return ln, nil
}

// push queues an accepted stream (loop thread: never blocks).
func (ln *Listener) push(s *Stream) {
	ln.mu.Lock()
	ln.queue = append(ln.queue, s)
	ln.mu.Unlock()
	select {
	case ln.ready <- struct{}{}:
	default:
	}
}

// Server is the server under the listener.
func (ln *Listener) Server() *Server { return ln.srv }

// Accept waits for the next connection (net.ErrClosed once closed).
func (ln *Listener) Accept() (net.Conn, error) {
	for {
		ln.mu.Lock()
		if len(ln.queue) > 0 {
			s := ln.queue[0]
			ln.queue[0] = nil
			ln.queue = ln.queue[1:]
			more := len(ln.queue) > 0
			ln.mu.Unlock()
			if more {
				select {
				case ln.ready <- struct{}{}:
				default:
				}
			}
			return s.Conn(), nil
		}
		ln.mu.Unlock()
		select {
		case <-ln.ready:
		case <-ln.done:
			return nil, &net.OpError{Op: "accept", Net: ln.network, Addr: ln.addr, Err: net.ErrClosed}
		}
	}
}

// Close stops listening; connections not accepted yet are closed.
func (ln *Listener) Close() error {
	first := false
	ln.once.Do(func() { first = true; close(ln.done) })
	if !first {
		return nil
	}
	err := ln.srv.Close()
	ln.mu.Lock()
	left := ln.queue
	ln.queue = nil
	ln.mu.Unlock()
	for _, s := range left {
		_ = s.Close()
	}
	if err != nil && !errors.Is(err, ErrClosed) {
		return err
	}
	return nil
}

// Addr is the bound address (with the real port).
func (ln *Listener) Addr() net.Addr { return ln.addr }
