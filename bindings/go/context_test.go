package asyncore

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWaitDeadlineMatchesDeadlineExceededAndTimeout(t *testing.T) {
	l := startLoop(t)
	f, err := l.NewFuture()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err = f.Wait(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrTimeout) {
		t.Fatalf("Wait: %v", err)
	}
	if ClassOf(err) != "TimeoutError" {
		t.Fatalf("class %q", ClassOf(err))
	}
	// The future was cancelled for it.
	<-f.Done()
	if !f.Cancelled() {
		t.Fatal("the future is not cancelled")
	}
}

func TestGoContextAlreadyCancelledNeverStarts(t *testing.T) {
	l := startLoop(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	started := 0
	task, err := l.GoContext(ctx, func(co *Co) (any, error) { started++; return nil, nil })
	if task != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("GoContext: %v %v", task, err)
	}
	dctx, dcancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer dcancel()
	task, err = l.GoContext(dctx, func(co *Co) (any, error) { started++; return nil, nil })
	if task != nil || !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrTimeout) {
		t.Fatalf("GoContext: %v %v", task, err)
	}
	// Give the loop a turn: nothing was scheduled.
	if err := l.Call(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	if started != 0 {
		t.Fatalf("the body ran %d times", started)
	}
}

func TestGoContextDeadlineIsATimeout(t *testing.T) {
	l, err := StartLoop()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	task, err := l.GoContext(ctx, func(co *Co) (any, error) {
		f, err := l.NewFuture()
		if err != nil {
			return nil, err
		}
		return co.Await(f)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = task.Wait(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrTimeout) {
		t.Fatalf("task: %v (%s)", err, ClassOf(err))
	}
}

func TestGoContextCancelCancelsTheTask(t *testing.T) {
	l := startLoop(t)
	ctx, cancel := context.WithCancel(context.Background())
	task, err := l.GoContext(ctx, func(co *Co) (any, error) {
		f, err := l.NewFuture()
		if err != nil {
			return nil, err
		}
		return co.Await(f)
	})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	_, err = task.Wait(context.Background())
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("task: %v", err)
	}
}

// Shutdown returns by its context's deadline with a task that swallows
// every cancellation, and counts it as abandoned.
func TestShutdownReturnsByDeadlineAndCountsAbandoned(t *testing.T) {
	l, err := StartLoop()
	if err != nil {
		t.Fatal(err)
	}
	var reports reportLog
	reports.install(t, l)
	var cancels int32
	stop := make(chan struct{})
	gone := make(chan error, 1)
	task, err := l.Go(stubborn(false, &cancels, stop, gone))
	if err != nil {
		t.Fatal(err)
	}
	_ = task.SetName("stubborn")
	if err := l.Call(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan struct{})
	var n int
	go func() {
		n, err = l.Shutdown(ctx)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Shutdown did not return")
	}
	if err != nil || n != 1 {
		t.Fatalf("Shutdown: %d abandoned, %v", n, err)
	}
	if got := reports.get(); len(got) != 1 || got[0] != "Task was destroyed but it is pending (stubborn)" {
		t.Fatalf("reports %q", got)
	}
	<-gone
	close(stop)
}

// Shutdown with every task ending on its cancellation abandons none.
func TestShutdownWithoutDeadlineWaitsForTasks(t *testing.T) {
	l, err := StartLoop()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := l.Go(func(co *Co) (any, error) { return nil, co.Sleep(time.Hour) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Call(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	n, err := l.Shutdown(context.Background())
	if err != nil || n != 0 {
		t.Fatalf("Shutdown: %d abandoned, %v", n, err)
	}
}

// A handler cancelled because the loop closes prints nothing (stderr is
// where the default exception handler writes).
func TestCancelledHandlersAreQuietAtClose(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// Both Go's and C's writes to stderr go to the pipe.
	saved, err := syscall.Dup(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Dup2(int(w.Fd()), 2); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() { _ = syscall.Dup2(saved, 2); syscall.Close(saved) }()
		l, err := StartLoop()
		if err != nil {
			t.Fatal(err)
		}
		srv, err := l.StartServer("127.0.0.1", 0, func(co *Co, s *Stream) error {
			_, err := s.ReadAll(co)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		conn, err := Dial(context.Background(), l, "tcp", "127.0.0.1:"+itoa(srv.Port()))
		if err != nil {
			t.Fatal(err)
		}
		// The handler is waiting in its read when the loop closes.
		for srv.Accepted() == 0 {
			time.Sleep(time.Millisecond)
		}
		if _, err := l.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		_ = conn
	}()
	w.Close()
	out, _ := io.ReadAll(r)
	if s := strings.TrimSpace(string(out)); s != "" {
		t.Fatalf("stderr: %q", s)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
