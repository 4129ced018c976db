package asyncore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"libasyncore.org/go/asyncore/internal/raw"
)

func TestStartLoopPostRunsInOrder(t *testing.T) {
	done := leakCheck(t)
	l, err := StartLoop()
	if err != nil {
		t.Fatal(err)
	}
	var tr trace
	for i := 0; i < 5; i++ {
		i := i
		if err := l.Post(func() { tr.add(fmt.Sprint(i)) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Call(func() error { tr.add("call"); return nil }); err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "0", "1", "2", "3", "4", "call")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	done()
}

func TestCallReturnsErrorAndPanic(t *testing.T) {
	l := startLoop(t)
	want := errors.New("boom")
	if err := l.Call(func() error { return want }); err != want {
		t.Fatalf("got %v", err)
	}
	err := l.Call(func() error { panic("oops") })
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Value != "oops" {
		t.Fatalf("got %v", err)
	}
}

func TestPostAfterCloseIsErrClosed(t *testing.T) {
	done := leakCheck(t)
	l, err := StartLoop()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if err := l.Post(func() {}); !errors.Is(err, ErrClosed) {
		t.Fatalf("post: %v", err)
	}
	if err := l.Call(func() error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("call: %v", err)
	}
	if _, err := l.NewFuture(); !errors.Is(err, ErrClosed) {
		t.Fatalf("new future: %v", err)
	}
	if !l.IsClosed() {
		t.Fatal("not closed")
	}
	done()
}

func TestPostFromManyGoroutines(t *testing.T) {
	done := leakCheck(t)
	l, err := StartLoop()
	if err != nil {
		t.Fatal(err)
	}
	const G, N = 8, 200
	count := 0 // only touched on the loop thread
	var wg sync.WaitGroup
	for g := 0; g < G; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < N; i++ {
				if err := l.Post(func() { count++ }); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got := 0
	if err := l.Call(func() error { got = count; return nil }); err != nil {
		t.Fatal(err)
	}
	if got != G*N {
		t.Fatalf("count %d", got)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	done()
}

func TestPanicInPostGoesToExceptionHandler(t *testing.T) {
	l := startLoop(t)
	got := make(chan ExceptionContext, 1)
	if err := l.SetExceptionHandler(func(c ExceptionContext) { got <- c }); err != nil {
		t.Fatal(err)
	}
	if err := l.Post(func() { panic("in callback") }); err != nil {
		t.Fatal(err)
	}
	c := <-got
	var pe *PanicError
	if !errors.As(c.Err, &pe) || pe.Value != "in callback" {
		t.Fatalf("handler got %q %v", c.Message, c.Err)
	}
	// The loop keeps running.
	if err := l.Call(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
}

func TestCallExceptionHandler(t *testing.T) {
	l := startLoop(t)
	got := make(chan ExceptionContext, 1)
	if err := l.SetExceptionHandler(func(c ExceptionContext) { got <- c }); err != nil {
		t.Fatal(err)
	}
	if err := l.CallExceptionHandler("something odd", ErrFull); err != nil {
		t.Fatal(err)
	}
	c := <-got
	if c.Message != "something odd" || !errors.Is(c.Err, ErrFull) {
		t.Fatalf("got %q %v", c.Message, c.Err)
	}
	if err := l.SetExceptionHandler(nil); err != nil {
		t.Fatal(err)
	}
}

func TestCallSoonFIFOAndCallLaterOrder(t *testing.T) {
	l := startLoop(t)
	var tr trace
	fin := make(chan struct{})
	err := l.Call(func() error {
		l.CallLater(2*time.Second, func() { tr.add("later 2s") })
		l.CallLater(time.Second, func() { tr.add("later 1s a") })
		l.CallLater(time.Second, func() { tr.add("later 1s b") })
		l.CallSoon(func() { tr.add("soon 1") })
		l.CallSoon(func() { tr.add("soon 2") })
		l.CallAt(l.Time()+3, func() { tr.add("at 3s"); close(fin) })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	<-fin
	expectTrace(t, &tr, "soon 1", "soon 2", "later 1s a", "later 1s b", "later 2s", "at 3s")
}

func TestHandleCancel(t *testing.T) {
	// Real clock: a virtual one would jump to the timer before we cancel.
	l, err := StartLoop()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var tr trace
	h, err := l.CallLater(time.Hour, func() { tr.add("ran") })
	if err != nil {
		t.Fatal(err)
	}
	if w := h.When(); w < 3600 {
		t.Fatalf("when %v", w)
	}
	if !h.Cancel() {
		t.Fatal("cancel returned false")
	}
	if h.Cancel() {
		t.Fatal("second cancel returned true")
	}
	if !h.Cancelled() {
		t.Fatal("not cancelled")
	}
	expectTrace(t, &tr)
}

func TestSteppedLoop(t *testing.T) {
	done := leakCheck(t)
	l, err := NewLoop(WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	var tr trace
	if _, err := l.CallSoon(func() { tr.add("a") }); err != nil {
		t.Fatal(err)
	}
	if _, err := l.CallLater(5*time.Second, func() { tr.add("b") }); err != nil {
		t.Fatal(err)
	}
	info, err := l.Step(0)
	if err != nil || info.Ran != 1 || !info.Pending || info.NextDeadline != 5 {
		t.Fatalf("step: %+v %v", info, err)
	}
	expectTrace(t, &tr, "a")
	// Another goroutine may post; it runs at the next step.
	posted := make(chan error)
	go func() { posted <- l.Post(func() { tr.add("posted") }) }()
	if err := <-posted; err != nil {
		t.Fatal(err)
	}
	// Close from another goroutine is refused for an owned loop.
	go func() { posted <- l.Close() }()
	if err := <-posted; !errors.Is(err, ErrWrongThread) {
		t.Fatalf("close from elsewhere: %v", err)
	}
	for len(tr.get()) < 3 {
		if _, err := l.Step(0); err != nil {
			t.Fatal(err)
		}
	}
	expectTrace(t, &tr, "a", "posted", "b")
	if l.Time() != 5 {
		t.Fatalf("virtual time %v", l.Time())
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	done()
}

func TestRunUntilCompleteAndRunForever(t *testing.T) {
	done := leakCheck(t)
	l, err := NewLoop(WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	f, _ := l.NewFuture()
	l.CallLater(time.Second, func() { f.SetResult("x") })
	v, err := l.RunUntilComplete(f)
	if err != nil || v != "x" {
		t.Fatalf("got %v %v", v, err)
	}
	l.CallLater(time.Second, func() { l.Stop() })
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if l.Time() != 2 {
		t.Fatalf("time %v", l.Time())
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.RunUntilComplete(f); !errors.Is(err, ErrClosed) {
		t.Fatalf("run after close: %v", err)
	}
	done()
}

func TestRunUntilCompleteFromElsewhereIsRefused(t *testing.T) {
	l := startLoop(t)
	f, _ := l.NewFuture()
	if _, err := l.RunUntilComplete(f); !errors.Is(err, ErrWrongThread) {
		t.Fatalf("got %v", err)
	}
}

func TestLoopSettings(t *testing.T) {
	l := startLoop(t)
	if l.Debug() {
		t.Fatal("debug on")
	}
	if err := l.SetDebug(true); err != nil || !l.Debug() {
		t.Fatalf("set debug: %v", err)
	}
	if err := l.SetSlowCallbackDuration(time.Second); err != nil {
		t.Fatal(err)
	}
	if err := l.SetReadyBudget(0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("budget 0: %v", err)
	}
	if err := l.SetReadyBudget(16); err != nil {
		t.Fatal(err)
	}
	if fd, err := l.BackendFD(); err != nil || fd < 0 {
		t.Fatalf("backend fd %d %v", fd, err)
	}
	_ = l.BackendTimeout()
}

func TestCloseFromInsideTheLoopIsRefused(t *testing.T) {
	l := startLoop(t)
	var err error
	l.Call(func() error { err = l.Close(); return nil })
	if !errors.Is(err, ErrRunning) {
		t.Fatalf("got %v", err)
	}
}

// The binding's own callback (the release of references whose Go objects
// were collected, posted by finalizers whenever the collector runs) is not
// counted in StepInfo.Ran: a step reports the callbacks the host and its
// tasks scheduled, whatever the collector did meanwhile.
func TestStepLeavesOutTheBindingsOwnCallbacks(t *testing.T) {
	l, err := NewLoop()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	count := 0
	if _, err := l.CallSoon(func() { count++ }); err != nil {
		t.Fatal(err)
	}
	l.releaseLater(0) // no reference has id 0: only the callback runs
	info, err := l.Step(0)
	if err != nil || info.Ran != 1 || count != 1 {
		t.Fatalf("step: %+v %v, count %d", info, err, count)
	}
	if l.relPosted {
		t.Fatal("the release callback did not run in the step")
	}
}

// A burst of tasks leaves their blocks in the runtime's pool on the loop's
// thread; Trim gives back the slabs that are wholly free, and the pool
// serves again after it.
func TestLoopTrimGivesBackWhatABurstLeft(t *testing.T) {
	l := startLoop(t)
	burst := func(n int) int {
		outer, err := l.Go(func(co *Co) (any, error) {
			tasks := make([]*Task, n)
			for i := range tasks {
				i := i
				tk, err := co.Go(func(co *Co) (any, error) { return i, nil })
				if err != nil {
					return nil, err
				}
				tasks[i] = tk
			}
			sum := 0
			for _, tk := range tasks {
				v, err := co.Await(tk)
				if err != nil {
					return nil, err
				}
				sum += v.(int)
				tk.Release()
			}
			return sum, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		v, err := outer.Wait(context.Background())
		outer.Release()
		if err != nil {
			t.Fatal(err)
		}
		return v.(int)
	}
	if s := burst(20000); s != 199990000 {
		t.Fatalf("sum %d", s)
	}
	n, err := l.Trim()
	if err != nil {
		t.Fatal(err)
	}
	// The C call tells whether the runtime keeps a pool here at all.
	if raw.Trim() == int64(raw.AC_ENOTSUP) {
		if n != 0 {
			t.Fatalf("no pool, yet Trim gave back %d bytes", n)
		}
		t.Skip("no small-block pool here (AddressSanitizer, valgrind or ASYNCORE_POOL=0)")
	}
	if n < 1<<20 {
		t.Fatalf("Trim gave back %d bytes after 20,000 tasks", n)
	}
	if s := burst(1000); s != 499500 {
		t.Fatalf("sum %d after the trim", s)
	}
	closed, err := StartLoop()
	if err != nil {
		t.Fatal(err)
	}
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := closed.Trim(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Trim on a closed loop: %v", err)
	}
}
