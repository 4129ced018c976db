package asyncore

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	"libasyncore.org/go/asyncore/internal/raw"
)

// Socket options, connection and listening options (sockopt.h), and the
// server's connections (server.h): the keyword arguments of asyncio's
// create_connection / create_server as Go's Dialer and ListenConfig are
// shaped, the options of a connected socket as *net.TCPConn's methods.
//
// TCP_NODELAY: every TCP stream starts with Nagle's algorithm off (as
// asyncio and Go's net do); SetNoDelay(false) switches it back on.

// ---- Options of a connected stream ----

// Fd is the stream's socket (borrowed: do not close it), -1 while
// connecting and once closed.
func (s *Stream) Fd() int {
	n, err := s.loop.intCall(func() int { return raw.Stream_fileno(s.c) })
	if err != nil {
		return -1
	}
	return n
}

// SetNoDelay switches TCP_NODELAY on (true: small writes go out at once,
// the default) or off (Nagle's algorithm).
func (s *Stream) SetNoDelay(noDelay bool) error {
	return sysError("setsockopt", s.loop.errCall(func() int { return raw.Stream_set_nodelay(s.c, boolInt(noDelay)) }))
}

// NoDelay reads TCP_NODELAY back from the socket.
func (s *Stream) NoDelay() (bool, error) {
	n, err := s.loop.intCall(func() int { return raw.Stream_get_nodelay(s.c) })
	return n == 1, sysError("getsockopt", err)
}

// KeepAliveConfig is SO_KEEPALIVE with its timings (as Go 1.23's
// net.KeepAliveConfig): Idle is the silence before the first probe
// (TCP_KEEPIDLE), Interval the time between probes (TCP_KEEPINTVL), Count
// the unanswered probes before the connection is dropped (TCP_KEEPCNT).
// Zero leaves one to the system; times are whole seconds (rounded up). A
// connection dropped this way fails its reads with a timeout error.
type KeepAliveConfig struct {
	Enable   bool
	Idle     time.Duration
	Interval time.Duration
	Count    int
}

func wholeSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// SetKeepAliveConfig sets SO_KEEPALIVE and its timings.
func (s *Stream) SetKeepAliveConfig(c KeepAliveConfig) error {
	if c.Idle < 0 || c.Interval < 0 || c.Count < 0 {
		return ErrInvalid
	}
	idle, intvl := wholeSeconds(c.Idle), wholeSeconds(c.Interval)
	return sysError("setsockopt", s.loop.errCall(func() int {
		return raw.Stream_set_keepalive(s.c, boolInt(c.Enable), idle, intvl, c.Count)
	}))
}

// SetKeepAlive switches SO_KEEPALIVE on or off (the timings left to the
// system).
func (s *Stream) SetKeepAlive(on bool) error {
	return s.SetKeepAliveConfig(KeepAliveConfig{Enable: on})
}

// SetKeepAlivePeriod switches SO_KEEPALIVE on with d as both the idle
// time and the interval between probes (as *net.TCPConn's).
func (s *Stream) SetKeepAlivePeriod(d time.Duration) error {
	return s.SetKeepAliveConfig(KeepAliveConfig{Enable: true, Idle: d, Interval: d})
}

// SetNoDelay is the stream's (the *net.TCPConn method).
func (c *Conn) SetNoDelay(noDelay bool) error { return c.s.SetNoDelay(noDelay) }

// SetKeepAlive is the stream's (the *net.TCPConn method).
func (c *Conn) SetKeepAlive(on bool) error { return c.s.SetKeepAlive(on) }

// SetKeepAlivePeriod is the stream's (the *net.TCPConn method).
func (c *Conn) SetKeepAlivePeriod(d time.Duration) error { return c.s.SetKeepAlivePeriod(d) }

// ---- Connecting ----

// Dialer holds the options of outgoing TCP connections (asyncio's
// create_connection keywords); its zero value is asyncio's defaults.
type Dialer struct {
	// LocalAddr is the local address to bind before connecting:
	// "host:port" with a numeric host ("" or "0.0.0.0:0": any); the port
	// may be 0.
	LocalAddr string
	// HappyEyeballs races the addresses (RFC 8305, asyncio's
	// happy_eyeballs_delay): the next attempt starts after
	// HappyEyeballsDelay on the loop's clock (zero: at once) or as soon as
	// the one before failed; the first to connect wins. Without it the
	// addresses are tried one after another.
	HappyEyeballs      bool
	HappyEyeballsDelay time.Duration
	// Interleave reorders the addresses by family (asyncio's interleave):
	// 0 means 1 with HappyEyeballs, none without.
	Interleave int
	// Nagle starts the connection with Nagle's algorithm (TCP_NODELAY
	// off).
	Nagle bool
}

func (d *Dialer) opts() (host string, port int, delay float64, err error) {
	delay = -1
	if d.HappyEyeballs {
		delay = d.HappyEyeballsDelay.Seconds()
		if delay < 0 {
			delay = 0
		}
	}
	if d.LocalAddr != "" {
		h, p, e := net.SplitHostPort(d.LocalAddr)
		if e != nil {
			return "", 0, 0, e
		}
		if p != "" {
			if port, e = strconv.Atoi(p); e != nil {
				return "", 0, 0, &net.AddrError{Err: "invalid port", Addr: d.LocalAddr}
			}
		}
		host = h
	}
	return host, port, delay, nil
}

// connect makes the stream with the raw call and waits for it.
func (d *Dialer) connect(ctx context.Context, l *Loop,
	call func(lh string, lp int, delay float64, so, cf *uintptr) int) (*Stream, error) {
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return nil, ContextError(err)
		}
	}
	lh, lp, delay, err := d.opts()
	if err != nil {
		return nil, err
	}
	var s *Stream
	f, err := l.futureOp(func() (made, error) {
		var so, cf uintptr
		if rc := call(lh, lp, delay, &so, &cf); rc < 0 {
			return made{}, codeError(rc)
		}
		s = l.wrapStream(raw.SwigcptrStream(so), true)
		return made{c: raw.SwigcptrFuture(cf)}, nil
	})
	if err != nil {
		return nil, sysError("connect", err)
	}
	_, err = f.Wait(ctx)
	f.Release()
	if err != nil {
		_ = s.Close()
		return nil, sysError("connect", err)
	}
	return s, nil
}

// DialStream connects to host (a name, all its addresses tried, or a
// numeric address) on port with d's options, from a goroutine (ctx bounds
// it) or a Go task (an await).
func (d *Dialer) DialStream(ctx context.Context, l *Loop, host string, port int) (*Stream, error) {
	return d.connect(ctx, l, func(lh string, lp int, delay float64, so, cf *uintptr) int {
		return raw.Acgo_stream_connect_tcp_ex(l.c, host, port, lh, lp, delay, d.Interleave, boolInt(!d.Nagle), so, cf)
	})
}

// DialAddresses connects to the first of the numeric addresses (IPv4 or
// IPv6, no names; at most 64) that answers on port, in this order (after
// interleaving, if asked), raced with HappyEyeballs.
func (d *Dialer) DialAddresses(ctx context.Context, l *Loop, hosts []string, port int) (*Stream, error) {
	if len(hosts) == 0 || len(hosts) > 64 {
		return nil, ErrInvalid
	}
	for _, h := range hosts {
		if h == "" || strings.ContainsAny(h, "\n\x00") {
			return nil, ErrInvalid
		}
	}
	list := strings.Join(hosts, "\n")
	return d.connect(ctx, l, func(lh string, lp int, delay float64, so, cf *uintptr) int {
		return raw.Acgo_stream_connect_tcp_addresses(l.c, list, port, lh, lp, delay, d.Interleave, boolInt(!d.Nagle), so, cf)
	})
}

// DialContext connects to address ("host:port", network "tcp", "tcp4" or
// "tcp6") as a net.Conn (net.Dialer's method, with the loop).
func (d *Dialer) DialContext(ctx context.Context, l *Loop, network, address string) (*Conn, error) {
	host, port, err := tcpAddress(network, address)
	if err != nil {
		return nil, err
	}
	s, err := d.DialStream(ctx, l, host, port)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	return s.Conn(), nil
}

// ---- Listening ----

// V6Only is a listener's IPV6_V6ONLY choice.
type V6Only int

const (
	V6OnlySystem V6Only = iota // the system's setting (the default)
	V6OnlyOn                   // IPv6 only
	V6OnlyOff                  // IPv6 and IPv4 (as mapped addresses)
)

// ListenConfig holds the options of a TCP server (asyncio's
// create_server keywords); its zero value is asyncio's defaults.
type ListenConfig struct {
	// NoReuseAddress leaves SO_REUSEADDR off (asyncio sets it on Unix).
	NoReuseAddress bool
	// ReusePort sets SO_REUSEPORT: several sockets (of this or other
	// processes) listen on one port, the kernel spreads the connections.
	ReusePort bool
	// IPv6Only is IPV6_V6ONLY of an IPv6 listener (ignored for IPv4).
	IPv6Only V6Only
	// Backlog is listen(2)'s (0: the library's default).
	Backlog int
}

func (lc *ListenConfig) listenCall(l *Loop, host string, port int) func(h uintptr, out *uintptr) int {
	v6 := -1
	switch lc.IPv6Only {
	case V6OnlyOn:
		v6 = 1
	case V6OnlyOff:
		v6 = 0
	}
	return func(h uintptr, out *uintptr) int {
		return raw.Acgo_server_listen_tcp_ex(l.c, host, port, lc.Backlog, boolInt(!lc.NoReuseAddress),
			boolInt(lc.ReusePort), v6, fnServerConn, h, fnFreeHandle, out)
	}
}

// StartServer is Loop.StartServer with lc's options.
func (lc *ListenConfig) StartServer(l *Loop, host string, port int, handler func(co *Co, s *Stream) error) (*Server, error) {
	srv, err := l.listen(handler, lc.listenCall(l, host, port))
	return srv, sysError("listen", err)
}

// Listen is the package's Listen (a net.Listener) with lc's options;
// network "tcp", "tcp4" or "tcp6".
func (lc *ListenConfig) Listen(l *Loop, network, address string) (*Listener, error) {
	host, port, err := tcpAddress(network, address)
	if err != nil {
		return nil, err
	}
	ln := &Listener{network: network, ready: make(chan struct{}, 1), done: make(chan struct{})}
	return ln.listenOn(l, &serverState{loop: l, accept: ln.push}, lc.listenCall(l, host, port),
		func(err error) error { return sysError("listen", err) })
}

// ---- The server's connections ----

// Fd is the listening socket (borrowed), -1 once closed.
func (srv *Server) Fd() int {
	n, err := srv.loop.intCall(func() int { return raw.Server_fileno(srv.c) })
	if err != nil {
		return -1
	}
	return n
}

// Connections is the number of connections accepted and not yet closed.
func (srv *Server) Connections() int64 {
	var n int64
	_ = srv.loop.Call(func() error { n = raw.Server_connections(srv.c); return nil })
	return n
}

// CloseClients closes every open connection of the server (what is
// buffered is sent first; asyncio 3.13's close_clients) and gives how many
// were told to close. The server keeps listening unless closed.
func (srv *Server) CloseClients() int {
	n, _ := srv.loop.intCall(func() int { return raw.Server_close_clients(srv.c) })
	return n
}

// AbortClients closes every open connection at once, dropping what is
// buffered (asyncio 3.13's abort_clients).
func (srv *Server) AbortClients() int {
	n, _ := srv.loop.intCall(func() int { return raw.Server_abort_clients(srv.c) })
	return n
}

// ErrServerClosed is what ServeForever returns when the server was closed
// (Close) while it served.
var ErrServerClosed = errors.New("asyncore: server closed")

// ServeForever waits while the server accepts (asyncio's serve_forever),
// from a goroutine or a Go task. It returns ErrServerClosed once the
// server is closed, or the context's error once ctx ends, which closes
// the server. The connections stay open: WaitClosedContext (after
// CloseClients, if they should end) waits for them. Only one ServeForever
// at a time (ErrState otherwise, asyncio's "already being awaited").
func (srv *Server) ServeForever(ctx context.Context) error {
	l := srv.loop
	_, err := l.ioWait(ctx, func(out *uintptr) int { return raw.Server_serve_forever(srv.c, out) }, nil)
	if err == nil {
		return nil
	}
	if ctx != nil && ctx.Err() != nil {
		return ContextError(ctx.Err())
	}
	if errors.Is(err, ErrCancelled) || isCode(err, codeClosed) {
		return ErrServerClosed
	}
	return err
}

// WaitClosedContext waits, from a goroutine (ctx bounds it) or a Go task,
// until the server is closed and every connection it accepted is closed
// too (asyncio 3.12.1+'s wait_closed).
func (srv *Server) WaitClosedContext(ctx context.Context) error {
	_, err := srv.loop.ioWait(ctx, func(out *uintptr) int { return raw.Server_wait_closed(srv.c, out) }, nil)
	return err
}

// UDPOptions are asyncio's create_datagram_endpoint options. There is no
// reuse-address option: as asyncio (3.8.1+), SO_REUSEADDR is never set on
// a datagram socket; ReusePort shares a port on purpose.
type UDPOptions struct {
	// ReusePort: SO_REUSEPORT before the bind, so several endpoints (of
	// this or other processes of the same user) bind one port.
	ReusePort bool
	// AllowBroadcast: SO_BROADCAST, sends to a broadcast address allowed.
	AllowBroadcast bool
}

// ListenUDPOptions is ListenUDP with options.
func (l *Loop) ListenUDPOptions(host string, port int, o UDPOptions) (*UDPEndpoint, error) {
	u, err := l.bindUDP(func(out *uintptr) int {
		return raw.Acgo_udp_bind_ex(l.c, host, port, boolInt(o.ReusePort), boolInt(o.AllowBroadcast), out)
	})
	return u, sysError("listen", err)
}

// SetBroadcast switches SO_BROADCAST on or off.
func (u *UDPEndpoint) SetBroadcast(on bool) error {
	return sysError("setsockopt", u.loop.errCall(func() int { return raw.Udp_set_broadcast(u.c, boolInt(on)) }))
}

// Fd is the endpoint's socket (the loop's: do not close it), -1 once
// closed.
func (u *UDPEndpoint) Fd() int {
	n, err := u.loop.intCall(func() int { return raw.Udp_fileno(u.c) })
	if err != nil {
		return -1
	}
	return n
}
