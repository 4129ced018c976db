package asyncore

import (
	"context"
	"errors"
	"os"
	"syscall"

	"libasyncore.org/go/asyncore/internal/raw"
)

// Descriptors the host owns (fdwatch.h): asyncio's loop.add_reader /
// add_writer, readiness waits, and loop.sock_recv / sock_sendall /
// sock_connect / sock_accept on a non-blocking socket. The descriptor stays
// the host's: the loop never closes it, and the host removes its callbacks
// before closing it. One closed behind the loop's back is dropped before
// the next poll (never spinning): its callbacks are removed, the exception
// handler gets one report with -EBADF (errors.Is(ctx.Err, syscall.EBADF)),
// and the waits on it fail with syscall.EBADF. A descriptor closed already
// is refused with syscall.EBADF, a regular file with syscall.EPERM (epoll
// cannot watch one).
//
// A descriptor of Go's own (an *os.File from os.Pipe, a net.Conn) is given
// with FD, which keeps it non-blocking (os.File.Fd would switch it to
// blocking mode).

// FD gives the descriptor of c (an *os.File, a *net.TCPConn ...) through
// its syscall.RawConn, without changing its mode. It stays valid while c is
// open.
func FD(c syscall.Conn) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	if err := rc.Control(func(p uintptr) { fd = int(p) }); err != nil {
		return -1, err
	}
	return fd, nil
}

// sysError gives an OS code of the library as os's *os.SyscallError
// (errors.Is matches the syscall.Errno); other errors stay as they are.
func sysError(call string, err error) error {
	if err == nil {
		return nil
	}
	if e, ok := osError(err).(syscall.Errno); ok {
		return os.NewSyscallError(call, e)
	}
	return err
}

func (l *Loop) addWatch(fd int, fn func(), add func(h uintptr) int) error {
	if fn == nil {
		return ErrInvalid
	}
	err := l.Call(func() error {
		h := newHandle(&callback{loop: l, fn: fn, ctx: l.currentCtx(), where: "descriptor callback"})
		// On failure the library has already run free_ud.
		return codeError(add(uintptr(h)))
	})
	return sysError("add watch", err)
}

// AddReader calls fn on the loop's thread whenever fd is readable, until
// RemoveReader (level-triggered: once per loop iteration while data
// waits). It replaces fd's earlier reader. A panic in fn goes to the
// exception handler.
func (l *Loop) AddReader(fd int, fn func()) error {
	return l.addWatch(fd, fn, func(h uintptr) int {
		return raw.Loop_add_reader(l.c, fd, fnCallback, h, fnFreeHandle)
	})
}

// AddWriter calls fn whenever fd is writable, until RemoveWriter.
func (l *Loop) AddWriter(fd int, fn func()) error {
	return l.addWatch(fd, fn, func(h uintptr) int {
		return raw.Loop_add_writer(l.c, fd, fnCallback, h, fnFreeHandle)
	})
}

// RemoveReader removes fd's reader; true if there was one.
func (l *Loop) RemoveReader(fd int) (bool, error) {
	n, err := l.intCall(func() int { return raw.Loop_remove_reader(l.c, fd) })
	return n == 1, err
}

// RemoveWriter removes fd's writer; true if there was one.
func (l *Loop) RemoveWriter(fd int) (bool, error) {
	n, err := l.intCall(func() int { return raw.Loop_remove_writer(l.c, fd) })
	return n == 1, err
}

// WaitReadable waits until fd is readable: from a goroutine until ctx
// ends (nil: no bound), from a Go task as an await.
func (l *Loop) WaitReadable(ctx context.Context, fd int) error {
	_, err := l.ioWait(ctx, func(out *uintptr) int { return raw.Wait_readable(l.c, fd, out) }, nil)
	return sysError("wait", err)
}

// WaitWritable waits until fd is writable.
func (l *Loop) WaitWritable(ctx context.Context, fd int) error {
	_, err := l.ioWait(ctx, func(out *uintptr) int { return raw.Wait_writable(l.c, fd, out) }, nil)
	return sysError("wait", err)
}

// SockRecv receives up to n bytes from the non-blocking socket fd
// (asyncio's sock_recv): at least one, or none at the end of the stream.
// A socket in blocking mode is refused (ErrValue, as asyncio's
// "the socket must be non-blocking").
func (l *Loop) SockRecv(ctx context.Context, fd, n int) ([]byte, error) {
	if n <= 0 {
		return nil, ErrInvalid
	}
	v, err := l.ioWait(ctx, func(out *uintptr) int { return raw.Sock_recv(l.c, fd, int64(n), out) }, nil)
	if err != nil {
		return nil, sysError("recv", err)
	}
	return bytesOf(v), nil
}

// SockSendall sends all of data (copied now) on the non-blocking socket fd.
// When ctx ends first, what was sent stays sent. A closed peer gives
// syscall.EPIPE (no SIGPIPE).
func (l *Loop) SockSendall(ctx context.Context, fd int, data []byte) error {
	_, err := l.ioWait(ctx, func(out *uintptr) int { return raw.Sock_sendall(l.c, fd, data, out) }, nil)
	return sysError("send", err)
}

// SockConnect connects the non-blocking socket fd to address ("1.2.3.4:80",
// "[::1]:80", or a Unix socket path starting with '/' or '.'; numeric
// addresses only).
func (l *Loop) SockConnect(ctx context.Context, fd int, address string) error {
	if address == "" {
		return ErrInvalid
	}
	_, err := l.ioWait(ctx, func(out *uintptr) int { return raw.Sock_connect(l.c, fd, address, out) }, nil)
	return sysError("connect", err)
}

// SockAccept accepts a connection on the listening non-blocking socket fd;
// the new descriptor (non-blocking, close-on-exec) is the caller's.
func (l *Loop) SockAccept(ctx context.Context, fd int) (int, error) {
	v, err := l.ioWaitFD(ctx, func(out *uintptr) int { return raw.Sock_accept(l.c, fd, out) })
	if err != nil {
		return -1, sysError("accept", err)
	}
	n, ok := v.(int64)
	if !ok {
		return -1, errors.New("asyncore: accept gave no descriptor")
	}
	return int(n), nil
}
