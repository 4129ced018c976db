package asyncore

import (
	"os"
	"syscall"

	"libasyncore.org/go/asyncore/internal/raw"
)

// Pipes and terminals as streams (pipe.h): asyncio's connect_read_pipe
// and connect_write_pipe, and a terminal stream with raw mode and window
// size. The results are ordinary Streams: TaskFunc tasks use ReadLine(co),
// Write, Drain(co) ...; goroutines use Stream.Conn() as an io.Reader or
// io.Writer.
//
// The FD forms hand the descriptor over: the stream owns it and closes it
// when it closes. The *os.File forms leave the file to the caller and give
// the stream a duplicate of its descriptor (close the file whenever
// convenient). Either way the stream makes the open file non-blocking,
// which a duplicate shares (and so may a terminal or a pipe inherited from
// a shell): reading the same file with blocking calls meanwhile sees
// EAGAIN.

// dupFile duplicates f's descriptor (close-on-exec).
func dupFile(f *os.File) (int, error) {
	sc, err := f.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	var dupErr error
	if err := sc.Control(func(s uintptr) {
		r, _, e := syscall.Syscall(syscall.SYS_FCNTL, s, syscall.F_DUPFD_CLOEXEC, 0)
		if e != 0 {
			dupErr = e
			return
		}
		fd = int(r)
	}); err != nil {
		return -1, err
	}
	if dupErr != nil {
		return -1, &os.PathError{Op: "dup", Path: f.Name(), Err: dupErr}
	}
	return fd, nil
}

func (l *Loop) fdStream(fd int, open func(fd int, out *uintptr) int) (*Stream, error) {
	var s *Stream
	ran := false
	err := l.Call(func() error {
		ran = true
		var out uintptr
		if rc := open(fd, &out); rc < 0 {
			return codeError(rc)
		}
		s = l.wrapStream(raw.SwigcptrStream(out), true)
		return nil
	})
	if err != nil {
		if !ran {
			// The library never saw the descriptor: it is still ours.
			syscall.Close(fd)
		}
		return nil, err
	}
	return s, nil
}

func (l *Loop) fileStream(f *os.File, open func(fd int, out *uintptr) int) (*Stream, error) {
	fd, err := dupFile(f)
	if err != nil {
		return nil, err
	}
	return l.fdStream(fd, open)
}

// ConnectReadPipeFD is a stream reading from fd (a pipe, FIFO, socket or
// character device), which it owns from here on, also when this fails.
// Not one of those: an error matching ErrInvalid ("Pipe transport is for
// pipes/sockets only.").
func (l *Loop) ConnectReadPipeFD(fd int) (*Stream, error) {
	return l.fdStream(fd, func(fd int, out *uintptr) int { return raw.Pipe_connect_read(l.c, fd, out) })
}

// ConnectWritePipeFD is a stream writing to fd, owned as
// ConnectReadPipeFD's. Writing to a pipe whose reader is gone fails with
// an error matching syscall.EPIPE (no SIGPIPE).
func (l *Loop) ConnectWritePipeFD(fd int) (*Stream, error) {
	return l.fdStream(fd, func(fd int, out *uintptr) int { return raw.Pipe_connect_write(l.c, fd, out) })
}

// ConnectReadPipe is asyncio's connect_read_pipe over a duplicate of f's
// descriptor (f stays the caller's).
func (l *Loop) ConnectReadPipe(f *os.File) (*Stream, error) {
	return l.fileStream(f, func(fd int, out *uintptr) int { return raw.Pipe_connect_read(l.c, fd, out) })
}

// ConnectWritePipe is asyncio's connect_write_pipe over a duplicate of
// f's descriptor (f stays the caller's).
func (l *Loop) ConnectWritePipe(f *os.File) (*Stream, error) {
	return l.fileStream(f, func(fd int, out *uintptr) int { return raw.Pipe_connect_write(l.c, fd, out) })
}

// TTY is a terminal as a read-write Stream, with raw mode and the window
// size.
type TTY struct {
	*Stream
}

// OpenTTYFD is a terminal stream over fd (owned as ConnectReadPipeFD's).
// Not a terminal: an error matching syscall.ENOTTY.
func (l *Loop) OpenTTYFD(fd int) (*TTY, error) {
	s, err := l.fdStream(fd, func(fd int, out *uintptr) int { return raw.Tty_open(l.c, fd, out) })
	if err != nil {
		return nil, err
	}
	return &TTY{s}, nil
}

// OpenTTY is a terminal stream over a duplicate of f's descriptor (f stays
// the caller's), e.g. os.Stdin of an interactive program.
func (l *Loop) OpenTTY(f *os.File) (*TTY, error) {
	s, err := l.fileStream(f, func(fd int, out *uintptr) int { return raw.Tty_open(l.c, fd, out) })
	if err != nil {
		return nil, err
	}
	return &TTY{s}, nil
}

// SetRaw switches raw mode on (no line editing, no echo, no signals from
// keys, bytes as typed) or back off, to the mode the terminal had before.
func (t *TTY) SetRaw(on bool) error {
	return t.loop.errCall(func() int { return raw.Tty_set_raw(t.c, boolInt(on)) })
}

// Size is the terminal's size in character cells.
func (t *TTY) Size() (columns, rows int, err error) {
	err = t.loop.Call(func() error {
		var c, r int32
		if rc := raw.Tty_get_winsize(t.c, &c, &r); rc < 0 {
			return codeError(rc)
		}
		columns, rows = int(c), int(r)
		return nil
	})
	return columns, rows, err
}
