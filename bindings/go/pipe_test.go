package asyncore

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

func TestConnectPipes(t *testing.T) {
	l := procLoop(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := l.ConnectReadPipe(r)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := l.ConnectWritePipe(w)
	if err != nil {
		t.Fatal(err)
	}
	// The streams work on duplicates: the files are the caller's.
	r.Close()
	w.Close()
	if !ws.AtEOF() {
		t.Fatal("a write pipe is at EOF for reading")
	}
	go func() {
		conn := ws.Conn()
		io.WriteString(conn, "first line\nsecond")
		conn.Close()
	}()
	f, err := l.Go(func(co *Co) (any, error) {
		a, err := rs.ReadLine(co)
		if err != nil {
			return nil, err
		}
		b, err := rs.ReadAll(co)
		if err != nil {
			return nil, err
		}
		return string(a) + "|" + string(b), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Wait(context.Background()); err != nil || v != "first line\n|second" {
		t.Fatalf("%q %v", v, err)
	}
	rs.Close()
}

func TestWritePipeEPIPE(t *testing.T) {
	l := procLoop(t)
	var fds [2]int
	if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	// The stream owns the write end from here on.
	ws, err := l.ConnectWritePipeFD(fds[1])
	if err != nil {
		t.Fatal(err)
	}
	syscall.Close(fds[0])
	conn := ws.Conn()
	_, err = conn.Write([]byte("nobody reads"))
	if !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("%v", err)
	}
	conn.Close()
}

func TestPipeNotAPipe(t *testing.T) {
	l := procLoop(t)
	f, err := os.CreateTemp(t.TempDir(), "regular")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := l.ConnectReadPipe(f); !errors.Is(err, ErrInvalid) {
		t.Fatalf("%v", err)
	}
	if _, err := l.OpenTTY(f); !errors.Is(err, ErrInvalid) && !errors.Is(err, syscall.ENOTTY) {
		t.Fatalf("%v", err)
	}
}

func ioctl(fd uintptr, req uintptr, arg unsafe.Pointer) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg)); e != 0 {
		return e
	}
	return nil
}

// openPTY is openpty(3) with the system calls Go offers: the master from
// /dev/ptmx, unlocked, and its slave.
func openPTY() (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	var unlock int32
	if err := ioctl(master.Fd(), syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		master.Close()
		return nil, nil, err
	}
	var n uint32
	if err := ioctl(master.Fd(), syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		master.Close()
		return nil, nil, err
	}
	slave, err = os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	return master, slave, nil
}

// A terminal through a pseudo-terminal: window size, a line in canonical
// mode, a byte at once in raw mode.
func TestTTY(t *testing.T) {
	l := procLoop(t)
	master, slave, err := openPTY()
	if err != nil {
		t.Skip("no pseudo-terminal: ", err)
	}
	defer master.Close()
	ws := struct{ rows, cols, x, y uint16 }{rows: 24, cols: 100}
	if err := ioctl(master.Fd(), syscall.TIOCSWINSZ, unsafe.Pointer(&ws)); err != nil {
		t.Fatal(err)
	}
	tty, err := l.OpenTTY(slave)
	slave.Close()
	if err != nil {
		t.Fatal(err)
	}
	if c, r, err := tty.Size(); err != nil || c != 100 || r != 24 {
		t.Fatalf("%d x %d %v", c, r, err)
	}
	read := func(n int) string {
		f, err := l.Go(func(co *Co) (any, error) {
			if n < 0 {
				return tty.ReadLine(co)
			}
			return tty.Read(co, n)
		})
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.Wait(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return string(v.([]byte))
	}
	// Canonical mode: the line once complete.
	if _, err := master.Write([]byte("typed line\n")); err != nil {
		t.Fatal(err)
	}
	if got := read(-1); got != "typed line\n" {
		t.Fatalf("%q", got)
	}
	// Raw mode: a byte as typed, no newline needed.
	if err := tty.SetRaw(true); err != nil {
		t.Fatal(err)
	}
	if _, err := master.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	if got := read(1); got != "q" {
		t.Fatalf("%q", got)
	}
	if err := tty.SetRaw(false); err != nil {
		t.Fatal(err)
	}
	// Written to the terminal: the master reads it.
	if err := tty.Write([]byte("shown\n")); err != nil {
		t.Fatal(err)
	}
	if err := tty.Close(); err != nil {
		t.Fatal(err)
	}
	// The master reads it (after the echo of the typed line).
	var seen []byte
	buf := make([]byte, 256)
	for !strings.Contains(string(seen), "shown\r\n") {
		n, err := master.Read(buf)
		if err != nil {
			t.Fatalf("%q %v", seen, err)
		}
		seen = append(seen, buf[:n]...)
	}
	if string(seen) != "typed line\r\nshown\r\n" {
		t.Fatalf("%q", seen)
	}
}
