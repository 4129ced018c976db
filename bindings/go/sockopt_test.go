package asyncore

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// soReusePort is SO_REUSEPORT on Linux (not in package syscall).
const soReusePort = 15

func sockopt(t *testing.T, fd, level, opt int) int {
	t.Helper()
	v, err := syscall.GetsockoptInt(fd, level, opt)
	if err != nil {
		t.Fatalf("getsockopt %d/%d: %v", level, opt, err)
	}
	return v
}

// sinkServer is a server on 127.0.0.1 whose handler reads until EOF; each
// connection's start is announced on started.
func sinkServer(t *testing.T, l *Loop, lc *ListenConfig, host string) (*Server, chan struct{}) {
	t.Helper()
	started := make(chan struct{}, 16)
	handler := func(co *Co, s *Stream) error {
		started <- struct{}{}
		for {
			b, err := s.Read(co, 1024)
			if err != nil || len(b) == 0 {
				return err
			}
		}
	}
	if lc == nil {
		lc = &ListenConfig{}
	}
	srv, err := lc.StartServer(l, host, 0, handler)
	if err != nil {
		t.Fatal(err)
	}
	return srv, started
}

// TCP_NODELAY and SO_KEEPALIVE with its timings, read back with
// getsockopt.
func TestStreamSocketOptions(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	srv, _ := sinkServer(t, l, nil, "127.0.0.1")
	defer srv.Close()
	ctx := context.Background()
	s, err := (&Dialer{}).DialStream(ctx, l, "127.0.0.1", srv.Port())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fd := s.Fd()
	if fd < 0 || sockopt(t, fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY) != 1 {
		t.Fatalf("fd %d: TCP_NODELAY is not on by default", fd)
	}
	if on, err := s.NoDelay(); !on || err != nil {
		t.Fatalf("NoDelay: %v %v", on, err)
	}
	if err := s.SetNoDelay(false); err != nil {
		t.Fatal(err)
	}
	if sockopt(t, fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY) != 0 {
		t.Fatal("TCP_NODELAY still on")
	}
	if on, _ := s.NoDelay(); on {
		t.Fatal("NoDelay reads true")
	}
	if err := s.SetKeepAliveConfig(KeepAliveConfig{Enable: true, Idle: 30 * time.Second, Interval: 5 * time.Second, Count: 4}); err != nil {
		t.Fatal(err)
	}
	if sockopt(t, fd, syscall.SOL_SOCKET, syscall.SO_KEEPALIVE) != 1 ||
		sockopt(t, fd, syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE) != 30 ||
		sockopt(t, fd, syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL) != 5 ||
		sockopt(t, fd, syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT) != 4 {
		t.Fatal("keepalive options not set")
	}
	c := s.Conn()
	if err := c.SetKeepAlivePeriod(7 * time.Second); err != nil {
		t.Fatal(err)
	}
	if sockopt(t, fd, syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE) != 7 ||
		sockopt(t, fd, syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL) != 7 {
		t.Fatal("keepalive period not set")
	}
	if err := c.SetKeepAlive(false); err != nil || sockopt(t, fd, syscall.SOL_SOCKET, syscall.SO_KEEPALIVE) != 0 {
		t.Fatalf("keepalive still on (%v)", err)
	}
	if err := c.SetNoDelay(true); err != nil || sockopt(t, fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY) != 1 {
		t.Fatalf("TCP_NODELAY not back on (%v)", err)
	}
	if err := s.SetKeepAliveConfig(KeepAliveConfig{Enable: true, Count: -1}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("negative count: %v", err)
	}
	// Nagle's algorithm from the start.
	s2, err := (&Dialer{Nagle: true}).DialStream(ctx, l, "127.0.0.1", srv.Port())
	if err != nil {
		t.Fatal(err)
	}
	if sockopt(t, s2.Fd(), syscall.IPPROTO_TCP, syscall.TCP_NODELAY) != 0 {
		t.Fatal("Nagle: TCP_NODELAY is on")
	}
	s2.Close()
	if err := s2.SetNoDelay(true); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed stream: %v", err)
	}
}

// A local address, several addresses tried in turn or raced.
func TestDialerAddresses(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	srv, _ := sinkServer(t, l, nil, "127.0.0.1")
	defer srv.Close()
	port := srv.Port()
	ctx := context.Background()
	s, err := (&Dialer{LocalAddr: "127.0.0.3:0"}).DialStream(ctx, l, "127.0.0.1", port)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := s.LocalAddress(); !strings.HasPrefix(a, "127.0.0.3:") {
		t.Fatalf("local address %q", a)
	}
	s.Close()
	// 127.0.0.2 refuses (nothing listens there): the next address answers.
	for _, d := range []*Dialer{{}, {HappyEyeballs: true, HappyEyeballsDelay: 250 * time.Millisecond}, {HappyEyeballs: true}} {
		s, err := d.DialAddresses(ctx, l, []string{"127.0.0.2", "127.0.0.1"}, port)
		if err != nil {
			t.Fatalf("%+v: %v", d, err)
		}
		if a, _ := s.PeerAddress(); a != "127.0.0.1:"+strconv.Itoa(port) {
			t.Fatalf("%+v: peer %q", d, a)
		}
		s.Close()
	}
	if _, err := (&Dialer{}).DialAddresses(ctx, l, []string{"127.0.0.2"}, port); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("all refused: %v", err)
	}
	if _, err := (&Dialer{}).DialAddresses(ctx, l, []string{"localhost"}, port); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a name: %v", err)
	}
	if _, err := (&Dialer{LocalAddr: "nothost:0"}).DialStream(ctx, l, "127.0.0.1", port); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad local address: %v", err)
	}
	// As a net.Conn.
	c, err := (&Dialer{LocalAddr: "127.0.0.4:0"}).DialContext(ctx, l, "tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.LocalAddr().String(), "127.0.0.4:") {
		t.Fatalf("local address %v", c.LocalAddr())
	}
	c.Close()
}

// SO_REUSEPORT, SO_REUSEADDR and IPV6_V6ONLY of a listener.
func TestListenConfig(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	lc := &ListenConfig{ReusePort: true, Backlog: 8}
	a, _ := sinkServer(t, l, lc, "127.0.0.1")
	defer a.Close()
	b, err := lc.StartServer(l, "127.0.0.1", a.Port(), func(*Co, *Stream) error { return nil })
	if err != nil {
		t.Fatalf("second listener with SO_REUSEPORT: %v", err)
	}
	defer b.Close()
	for _, srv := range []*Server{a, b} {
		if sockopt(t, srv.Fd(), syscall.SOL_SOCKET, soReusePort) != 1 ||
			sockopt(t, srv.Fd(), syscall.SOL_SOCKET, syscall.SO_REUSEADDR) != 1 {
			t.Fatal("SO_REUSEPORT / SO_REUSEADDR not set")
		}
	}
	if _, err := (&ListenConfig{}).StartServer(l, "127.0.0.1", a.Port(), nil); !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("without SO_REUSEPORT: %v", err)
	}
	c, _ := sinkServer(t, l, &ListenConfig{NoReuseAddress: true}, "127.0.0.1")
	if sockopt(t, c.Fd(), syscall.SOL_SOCKET, syscall.SO_REUSEADDR) != 0 ||
		sockopt(t, c.Fd(), syscall.SOL_SOCKET, soReusePort) != 0 {
		t.Fatal("SO_REUSEADDR set")
	}
	c.Close()
	if c.Fd() != -1 {
		t.Fatal("closed server has a descriptor")
	}
	// (The kernel makes a socket bound to one IPv6 address IPv6-only:
	// dual stack is for the wildcard address.)
	for _, v := range []struct {
		opt  V6Only
		host string
		want int
	}{{V6OnlyOn, "::1", 1}, {V6OnlyOff, "::", 0}} {
		srv, err := (&ListenConfig{IPv6Only: v.opt}).StartServer(l, v.host, 0, nil)
		if err != nil {
			t.Skipf("no IPv6 here: %v", err)
		}
		got := sockopt(t, srv.Fd(), syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY)
		srv.Close()
		if got != v.want {
			t.Fatalf("IPV6_V6ONLY %d, want %d", got, v.want)
		}
	}
	// A net.Listener with options.
	ln, err := (&ListenConfig{ReusePort: true}).Listen(l, "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if sockopt(t, ln.Server().Fd(), syscall.SOL_SOCKET, soReusePort) != 1 {
		t.Fatal("listener without SO_REUSEPORT")
	}
	go func() {
		c, err := Dial(context.Background(), l, "tcp", ln.Addr().String())
		if err == nil {
			c.Write([]byte("hi"))
			c.Close()
		}
	}()
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(conn)
	if err != nil || string(got) != "hi" {
		t.Fatalf("accepted: %q %v", got, err)
	}
	conn.Close()
}

// dialN opens n connections to srv and waits until its handlers started.
func dialN(t *testing.T, l *Loop, srv *Server, started chan struct{}, n int) []*Conn {
	t.Helper()
	var conns []*Conn
	for i := 0; i < n; i++ {
		c, err := Dial(context.Background(), l, "tcp", "127.0.0.1:"+strconv.Itoa(srv.Port()))
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		<-started
	}
	return conns
}

// close_clients, abort_clients, and wait_closed waiting for the
// connections (3.12.1+).
func TestServerClients(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	srv, started := sinkServer(t, l, nil, "127.0.0.1")
	conns := dialN(t, l, srv, started, 2)
	if n := srv.Connections(); n != 2 {
		t.Fatalf("connections %d", n)
	}
	if n := srv.CloseClients(); n != 2 {
		t.Fatalf("close_clients told %d", n)
	}
	for _, c := range conns {
		if b, err := io.ReadAll(c); err != nil || len(b) != 0 {
			t.Fatalf("client read %q %v", b, err)
		}
		c.Close()
	}
	if !srv.IsServing() {
		t.Fatal("close_clients stopped the server")
	}
	conns = dialN(t, l, srv, started, 1)
	if n := srv.AbortClients(); n != 1 {
		t.Fatalf("abort_clients told %d", n)
	}
	if _, err := io.ReadAll(conns[0]); err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("aborted client: %v", err)
	}
	conns[0].Close()

	// wait_closed waits for the open connection, not only the listener.
	conns = dialN(t, l, srv, started, 1)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- srv.WaitClosedContext(context.Background()) }()
	for i := 0; i < 5; i++ {
		l.Call(func() error { return nil })
	}
	select {
	case err := <-waited:
		t.Fatalf("wait_closed returned with a connection open: %v", err)
	default:
	}
	conns[0].Close() // the handler reads EOF and returns: its stream closes
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	if n := srv.Connections(); n != 0 {
		t.Fatalf("connections %d", n)
	}
}

// serve_forever ends by the context (closing the server) or by Close.
func TestServeForever(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	srv, _ := sinkServer(t, l, nil, "127.0.0.1")
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.ServeForever(ctx) }()
	for i := 0; i < 3; i++ {
		l.Call(func() error { return nil })
	}
	if err := srv.ServeForever(context.Background()); !errors.Is(err, ErrInvalidState) {
		t.Fatalf("second serve_forever: %v", err)
	}
	cancel()
	if err := <-served; !errors.Is(err, context.Canceled) {
		t.Fatalf("serve_forever: %v", err)
	}
	if srv.IsServing() {
		t.Fatal("still serving after serve_forever was cancelled")
	}

	srv2, _ := sinkServer(t, l, nil, "127.0.0.1")
	go func() { served <- srv2.ServeForever(context.Background()) }()
	for i := 0; i < 3; i++ {
		l.Call(func() error { return nil })
	}
	srv2.Close()
	if err := <-served; err != ErrServerClosed {
		t.Fatalf("serve_forever after close: %v", err)
	}
	// From a task.
	srv3, _ := sinkServer(t, l, nil, "127.0.0.1")
	task, err := l.Go(func(co *Co) (any, error) {
		return nil, srv3.ServeForever(nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	l.Call(func() error { return srv3.Close() })
	if _, err := task.Wait(context.Background()); err != ErrServerClosed {
		t.Fatalf("task: %v", err)
	}
}

// UDP options (asyncio's reuse_port and allow_broadcast), read back with
// getsockopt; two endpoints share a port only when both ask for it.
func TestUDPOptions(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	a, err := l.ListenUDPOptions("127.0.0.1", 0, UDPOptions{ReusePort: true})
	if err != nil {
		t.Fatal(err)
	}
	fd := a.Fd()
	if fd < 0 || sockopt(t, fd, syscall.SOL_SOCKET, soReusePort) != 1 ||
		sockopt(t, fd, syscall.SOL_SOCKET, syscall.SO_BROADCAST) != 0 ||
		sockopt(t, fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR) != 0 {
		t.Fatalf("fd %d: want SO_REUSEPORT only", fd)
	}
	addr, _ := a.LocalAddress()
	port, _ := strconv.Atoi(addr[strings.LastIndex(addr, ":")+1:])
	b, err := l.ListenUDPOptions("127.0.0.1", port, UDPOptions{ReusePort: true, AllowBroadcast: true})
	if err != nil {
		t.Fatalf("second endpoint with reuse_port: %v", err)
	}
	if sockopt(t, b.Fd(), syscall.SOL_SOCKET, syscall.SO_BROADCAST) != 1 {
		t.Fatal("SO_BROADCAST not set")
	}
	if err := b.SetBroadcast(false); err != nil {
		t.Fatal(err)
	}
	if sockopt(t, b.Fd(), syscall.SOL_SOCKET, syscall.SO_BROADCAST) != 0 {
		t.Fatal("SO_BROADCAST still set")
	}
	_, err = l.ListenUDP("127.0.0.1", port)
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("a plain bind on the shared port: %v, want EADDRINUSE", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if a.Fd() != -1 {
		t.Fatal("Fd after Close")
	}
}
