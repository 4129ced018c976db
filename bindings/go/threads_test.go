package asyncore

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRunInExecutor(t *testing.T) {
	done := leakCheck(t)
	ex, err := NewExecutor(2)
	if err != nil {
		t.Fatal(err)
	}
	mine := errors.New("worker failed")
	_, err = Run(func(co *Co) (any, error) {
		v, err := co.RunInExecutor(nil, func() (any, error) { return "libuv pool", nil })
		if err != nil || v != "libuv pool" {
			t.Errorf("libuv pool: %v %v", v, err)
		}
		v, err = co.RunInExecutor(ex, func() (any, error) { return []byte("dedicated"), nil })
		if err != nil || string(v.([]byte)) != "dedicated" {
			t.Errorf("executor: %v %v", v, err)
		}
		if _, err := co.RunInExecutor(ex, func() (any, error) { return nil, mine }); err != mine {
			t.Errorf("error identity: %v", err)
		}
		var pe *PanicError
		if _, err := co.RunInExecutor(nil, func() (any, error) { panic("in worker") }); !errors.As(err, &pe) {
			t.Errorf("panic: %v", err)
		}
		f, err := co.Loop().RunInExecutor(ex, func() (any, error) { return 5, nil })
		if err != nil {
			return nil, err
		}
		return co.Await(f)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := ex.Shutdown(true, false); err != nil {
		t.Fatal(err)
	}
	done()
}

func TestTSFutureAcrossGoroutines(t *testing.T) {
	ts, err := NewTSFuture()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Result(); !errors.Is(err, ErrState) {
		t.Fatalf("pending: %v", err)
	}
	go ts.SetResult("from elsewhere")
	v, err := ts.Wait(context.Background())
	if err != nil || v != "from elsewhere" {
		t.Fatalf("got %v %v", v, err)
	}
	if err := ts.SetResult(1); !errors.Is(err, ErrState) {
		t.Fatalf("second set: %v", err)
	}
	failed, _ := NewTSFuture()
	failed.SetError(ErrBroken)
	if _, err := failed.Wait(nil); !errors.Is(err, ErrBroken) {
		t.Fatalf("error: %v", err)
	}
	cancelled, _ := NewTSFuture()
	if !cancelled.Cancel("no") || cancelled.Cancel("again") {
		t.Fatal("cancel")
	}
	if _, err := cancelled.Wait(nil); !errors.Is(err, ErrCancelled) {
		t.Fatalf("cancelled: %v", err)
	}
	never, _ := NewTSFuture()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if _, err := never.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrTimeout) {
		t.Fatalf("ctx: %v", err)
	}
}

func TestAwaitTSFutureInATask(t *testing.T) {
	ts, _ := NewTSFuture()
	v, err := Run(func(co *Co) (any, error) {
		go func() {
			time.Sleep(5 * time.Millisecond)
			ts.SetResult(&struct{ N int }{7})
		}()
		return co.AwaitTS(ts)
	})
	if err != nil || v.(*struct{ N int }).N != 7 {
		t.Fatalf("got %v %v", v, err)
	}
}

func TestRunThreadsafe(t *testing.T) {
	l := startLoop(t)
	ts, err := l.RunThreadsafe(func(co *Co) (any, error) {
		if err := co.Sleep(time.Second); err != nil {
			return nil, err
		}
		return co.Task().Name() != "", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := ts.Wait(nil); v != true || err != nil {
		t.Fatalf("got %v %v", v, err)
	}
	// Cancel once the task runs: it closes started, then awaits never
	// without giving the loop back in between, so the cancellation (run
	// on the loop) finds it awaiting never, whenever Cancel is called.
	never, _ := l.NewFuture()
	started := make(chan struct{})
	ts2, _ := l.RunThreadsafe(func(co *Co) (any, error) {
		close(started)
		return co.Await(never)
	})
	<-started
	ts2.Cancel("")
	<-ts2.Done()
	<-never.Done()
	if !never.Cancelled() {
		t.Fatal("cancelling the thread-safe future did not cancel the task")
	}
}

func TestRunThreadsafeOnAClosedLoop(t *testing.T) {
	done := leakCheck(t)
	l, _ := StartLoop()
	l.Close()
	if _, err := l.RunThreadsafe(func(co *Co) (any, error) { return nil, nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v", err)
	}
	done()
}
