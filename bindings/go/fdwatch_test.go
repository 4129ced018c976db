package asyncore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
)

// socketPair is a non-blocking, close-on-exec Unix socket pair.
func socketPair(t *testing.T) [2]int {
	t.Helper()
	sp, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	return [2]int{sp[0], sp[1]}
}

// A reader and a writer on a socket pair, and a reader on os.Pipe's read
// end (given through its RawConn).
func TestAddReaderWriter(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	sp := socketPair(t)
	defer syscall.Close(sp[0])
	defer syscall.Close(sp[1])
	got := make(chan string, 4)
	if err := l.AddReader(sp[1], func() {
		buf := make([]byte, 64)
		n, err := syscall.Read(sp[1], buf)
		if err != nil {
			got <- "error " + err.Error()
			return
		}
		got <- string(buf[:n])
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := syscall.Write(sp[0], []byte("ping")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "ping" {
		t.Fatalf("reader got %q", s)
	}
	if ok, err := l.RemoveReader(sp[1]); !ok || err != nil {
		t.Fatalf("remove: %v %v", ok, err)
	}
	if ok, err := l.RemoveReader(sp[1]); ok || err != nil {
		t.Fatalf("second remove: %v %v", ok, err)
	}
	// A writer that removes itself once it ran.
	runs := 0
	wrote := make(chan struct{})
	if err := l.AddWriter(sp[0], func() {
		runs++
		if _, err := l.RemoveWriter(sp[0]); err != nil {
			t.Error(err)
		}
		close(wrote)
	}); err != nil {
		t.Fatal(err)
	}
	<-wrote
	if err := l.Call(func() error { return nil }); err != nil || runs != 1 {
		t.Fatalf("writer ran %d times (%v)", runs, err)
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	rfd, err := FD(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AddReader(rfd, func() {
		buf := make([]byte, 64)
		n, _ := syscall.Read(rfd, buf)
		got <- "pipe: " + string(buf[:n])
		l.RemoveReader(rfd)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "pipe: hello" {
		t.Fatalf("pipe reader got %q", s)
	}
}

// Readiness waits from a goroutine (ended by a context) and from a task.
func TestWaitReadableWritable(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	sp := socketPair(t)
	defer syscall.Close(sp[0])
	defer syscall.Close(sp[1])
	if err := l.WaitWritable(context.Background(), sp[0]); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- l.WaitReadable(ctx, sp[1]) }()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
	task, err := l.Go(func(co *Co) (any, error) {
		if err := l.WaitReadable(nil, sp[1]); err != nil {
			return nil, err
		}
		buf := make([]byte, 8)
		n, err := syscall.Read(sp[1], buf)
		return string(buf[:n]), err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := syscall.Write(sp[0], []byte("task")); err != nil {
		t.Fatal(err)
	}
	if v, err := task.Wait(context.Background()); v != "task" || err != nil {
		t.Fatalf("task: %v %v", v, err)
	}
}

// Bad descriptors: closed, a regular file, and one closed behind the
// loop's back while watched.
func TestWatchBadDescriptors(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	var mu sync.Mutex
	var reports []error
	l.SetExceptionHandler(func(c ExceptionContext) {
		mu.Lock()
		reports = append(reports, c.Err)
		mu.Unlock()
	})
	sp := socketPair(t)
	syscall.Close(sp[0])
	if err := l.AddReader(sp[0], func() {}); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("closed descriptor: %v", err)
	}
	if err := l.WaitReadable(nil, sp[0]); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("wait on a closed descriptor: %v", err)
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "regular"))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AddReader(int(f.Fd()), func() {}); !errors.Is(err, syscall.EPERM) {
		t.Fatalf("regular file: %v", err)
	}
	f.Close()
	if err := l.AddReader(-1, func() {}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("negative descriptor: %v", err)
	}

	// Watched, then closed without telling the loop.
	syscall.Close(sp[1])
	sp = socketPair(t)
	defer syscall.Close(sp[0])
	calls := 0
	if err := l.AddReader(sp[1], func() { calls++ }); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- l.WaitReadable(context.Background(), sp[1]) }()
	// The wait is registered once a call posted after it has run.
	for i := 0; i < 3; i++ {
		l.Call(func() error { return nil })
	}
	syscall.Close(sp[1])
	l.Call(func() error { return nil }) // a loop iteration: the check runs before the poll
	if err := <-errc; !errors.Is(err, syscall.EBADF) {
		t.Fatalf("wait on a descriptor closed behind the loop: %v", err)
	}
	l.Call(func() error { return nil })
	mu.Lock()
	defer mu.Unlock()
	if len(reports) != 1 || !errors.Is(reports[0], syscall.EBADF) || calls != 0 {
		t.Fatalf("reports %v, reader calls %d", reports, calls)
	}
	if ok, _ := l.RemoveReader(sp[1]); ok {
		t.Fatal("the dropped reader is still there")
	}
}

// listenTCP is a non-blocking listening socket on 127.0.0.1 and its port.
func listenTCP(t *testing.T) (int, int) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 16); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fd, sa.(*syscall.SockaddrInet4).Port
}

// asyncio's sock_* on sockets the test owns: accept, connect, a sendall
// larger than the socket buffers, recv to EOF, and their errors.
func TestSockOperations(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	lfd, port := listenTCP(t)
	defer syscall.Close(lfd)
	cfd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan int, 1)
	go func() {
		fd, err := l.SockAccept(context.Background(), lfd)
		if err != nil {
			t.Error(err)
		}
		accepted <- fd
	}()
	if err := l.SockConnect(context.Background(), cfd, "127.0.0.1:"+strconv.Itoa(port)); err != nil {
		t.Fatal(err)
	}
	sfd := <-accepted
	if sfd < 0 {
		t.FailNow()
	}
	data := bytes.Repeat([]byte("abcdefgh"), 1<<17) // 1 MiB
	sent := make(chan error, 1)
	go func() {
		err := l.SockSendall(context.Background(), cfd, data)
		syscall.Shutdown(cfd, syscall.SHUT_WR)
		sent <- err
	}()
	var got []byte
	for {
		b, err := l.SockRecv(context.Background(), sfd, 65536)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == 0 {
			break
		}
		got = append(got, b...)
	}
	if err := <-sent; err != nil || !bytes.Equal(got, data) {
		t.Fatalf("sendall: %v, received %d bytes", err, len(got))
	}
	// A closed peer: EPIPE (or a reset), no SIGPIPE.
	syscall.Close(sfd)
	err = l.SockSendall(context.Background(), cfd, data)
	if !errors.Is(err, syscall.EPIPE) && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("sendall to a closed peer: %v", err)
	}
	syscall.Close(cfd)

	// Refused, and a blocking socket.
	bfd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.SockRecv(context.Background(), bfd, 10); !errors.Is(err, ErrInvalid) {
		t.Fatalf("blocking socket: %v", err)
	}
	syscall.Close(bfd)
	syscall.Close(lfd)
	rfd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(rfd)
	if err := l.SockConnect(context.Background(), rfd, "127.0.0.1:"+strconv.Itoa(port)); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("refused: %v", err)
	}
}

// An accept whose context ends while a connection arrives: the descriptor
// is the caller's when returned, and closed by the binding when not.
func TestSockAcceptCancelledLeaksNothing(t *testing.T) {
	l := startLoop(t)
	defer fdCheck(t)()
	lfd, port := listenTCP(t)
	defer syscall.Close(lfd)
	for i := 0; i < 40; i++ {
		// The connection is there first: the accept made below may
		// complete before or after its context ends.
		c, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := syscall.Connect(c, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: port}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		got := make(chan int, 1)
		go func() {
			fd, err := l.SockAccept(ctx, lfd)
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Error(err)
			}
			got <- fd
		}()
		cancel()
		if fd := <-got; fd >= 0 {
			syscall.Close(fd)
		}
		syscall.Close(c)
		// A connection no accept took stays queued on the listener:
		// drain it (a full backlog would hold the next connect).
		for {
			fd, _, err := syscall.Accept(lfd)
			if err != nil {
				break
			}
			syscall.Close(fd)
		}
	}
}
