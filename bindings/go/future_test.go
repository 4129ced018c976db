package asyncore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"syscall"
	"testing"
	"time"
)

func TestFutureSetResultFromGoroutineAndWait(t *testing.T) {
	l := startLoop(t)
	f, err := l.NewFuture()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Result(); !errors.Is(err, ErrState) {
		t.Fatalf("pending result: %v", err)
	}
	go f.SetResult("hello")
	v, err := f.Wait(context.Background())
	if err != nil || v != "hello" {
		t.Fatalf("got %v %v", v, err)
	}
	if err := f.SetResult("again"); !errors.Is(err, ErrState) {
		t.Fatalf("second set: %v", err)
	}
	if v, err := f.Result(); v != "hello" || err != nil {
		t.Fatalf("result %v %v", v, err)
	}
}

func TestValuesRoundTrip(t *testing.T) {
	l := startLoop(t)
	type point struct{ X, Y int }
	for _, v := range []any{nil, int64(-7), 2.5, []byte("raw"), "text", 42, point{1, 2}, &point{3, 4}, []any{1, "a"}} {
		f, _ := l.NewFuture()
		if err := f.SetResult(v); err != nil {
			t.Fatal(err)
		}
		got, err := f.Wait(nil)
		if err != nil {
			t.Fatal(err)
		}
		if b, ok := v.([]byte); ok {
			if !bytes.Equal(got.([]byte), b) {
				t.Fatalf("bytes %v", got)
			}
			continue
		}
		if !reflect.DeepEqual(got, v) {
			t.Fatalf("put %#v got %#v", v, got)
		}
	}
}

func TestFutureSetErrorMatchesWithErrorsIs(t *testing.T) {
	l := startLoop(t)
	f, _ := l.NewFuture()
	if err := f.SetError(ErrFull); err != nil {
		t.Fatal(err)
	}
	_, err := f.Wait(nil)
	if !errors.Is(err, ErrFull) || errors.Is(err, ErrEmpty) {
		t.Fatalf("got %v", err)
	}
	// A Go error comes back as itself.
	mine := errors.New("mine")
	g, _ := l.NewFuture()
	g.SetError(mine)
	if _, err := g.Wait(nil); err != mine {
		t.Fatalf("got %v", err)
	}
	// Cancellation is not an error to set.
	h, _ := l.NewFuture()
	if err := h.SetError(ErrCancelled); !errors.Is(err, ErrInvalid) {
		t.Fatalf("set cancelled: %v", err)
	}
}

func TestFutureCancel(t *testing.T) {
	l := startLoop(t)
	f, _ := l.NewFuture()
	if !f.Cancel("stop it") {
		t.Fatal("cancel returned false")
	}
	if f.Cancel("again") {
		t.Fatal("second cancel returned true")
	}
	_, err := f.Wait(nil)
	var e *Error
	if !errors.Is(err, ErrCancelled) || !errors.As(err, &e) || e.Message != "stop it" {
		t.Fatalf("got %v", err)
	}
	if !f.Cancelled() {
		t.Fatal("not cancelled")
	}
}

func TestWaitContextCancelCancelsTheFuture(t *testing.T) {
	l := startLoop(t)
	f, _ := l.NewFuture()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(10 * time.Millisecond)
		cancel()
	}()
	if _, err := f.Wait(ctx); err != context.Canceled {
		t.Fatalf("got %v", err)
	}
	<-f.Done()
	if _, err := f.Result(); !errors.Is(err, ErrCancelled) {
		t.Fatalf("future: %v", err)
	}
}

func TestWaitOnTheLoopThreadDoesNotBlock(t *testing.T) {
	l := startLoop(t)
	f, _ := l.NewFuture()
	var err error
	l.Call(func() error { _, err = f.Wait(nil); return nil })
	if err != errBlockLoop {
		t.Fatalf("got %v", err)
	}
}

func TestPendingFutureAtCloseIsErrClosed(t *testing.T) {
	done := leakCheck(t)
	l, _ := StartLoop()
	f, _ := l.NewFuture()
	l.Close()
	if _, err := f.Wait(nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v", err)
	}
	done()
}

func TestSleepFuture(t *testing.T) {
	l := startLoop(t)
	start := l.Time()
	f, err := l.Sleep(90 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Wait(nil); v != nil || err != nil {
		t.Fatalf("got %v %v", v, err)
	}
	if d := l.Time() - start; d < 90 {
		t.Fatalf("slept %v", d)
	}
	// A negative delay is asyncio's sleep(0): done without time passing.
	start = l.Time()
	f, err = l.Sleep(-time.Second)
	if err != nil {
		t.Fatalf("negative: %v", err)
	}
	if v, err := f.Wait(nil); v != nil || err != nil || l.Time() != start {
		t.Fatalf("negative: %v %v after %v", v, err, l.Time()-start)
	}
}

func TestGather(t *testing.T) {
	l := startLoop(t)
	a, _ := l.NewFuture()
	b, _ := l.NewFuture()
	g, err := l.Gather(a, b)
	if err != nil {
		t.Fatal(err)
	}
	b.SetResult("b")
	a.SetResult("a")
	v, err := g.Wait(nil)
	if err != nil || !reflect.DeepEqual(v, []any{"a", "b"}) {
		t.Fatalf("got %v %v", v, err)
	}
	empty, _ := l.Gather()
	if v, err := empty.Wait(nil); err != nil || len(v.([]any)) != 0 {
		t.Fatalf("empty: %v %v", v, err)
	}
}

func TestGatherFirstErrorAndCancel(t *testing.T) {
	l := startLoop(t)
	a, _ := l.NewFuture()
	b, _ := l.NewFuture()
	g, _ := l.Gather(a, b)
	b.SetError(ErrBroken)
	if _, err := g.Wait(nil); !errors.Is(err, ErrBroken) {
		t.Fatalf("got %v", err)
	}
	if a.Cancelled() {
		t.Fatal("a failure must not cancel the others")
	}
	c, _ := l.NewFuture()
	d, _ := l.NewFuture()
	g2, _ := l.Gather(c, d)
	g2.Cancel("")
	<-c.Done()
	<-d.Done()
	if !c.Cancelled() || !d.Cancelled() {
		t.Fatal("cancelling the gather cancels the children")
	}
}

func TestDoneOfADoneFutureIsClosedAtOnce(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		f, _ := co.Loop().NewFuture()
		if f.IsDone() {
			return nil, errors.New("pending future done")
		}
		f.SetResult(1)
		select {
		case <-f.Done():
		default:
			return nil, errors.New("Done not closed for a done future")
		}
		if !f.IsDone() {
			return nil, errors.New("IsDone")
		}
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}

func TestAddDoneCallbackNeverInline(t *testing.T) {
	done := leakCheck(t)
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		f, _ := l.NewFuture()
		cb := func(name string) func(*Future) {
			return func(f *Future) {
				v, err := f.Result()
				tr.add(fmt.Sprintf("%s: %v %v", name, v, err))
			}
		}
		if err := f.AddDoneCallback(cb("cb1")); err != nil {
			return nil, err
		}
		if err := f.SetResult(int64(7)); err != nil {
			return nil, err
		}
		tr.add("set_result returned")
		if err := f.AddDoneCallback(cb("cb2")); err != nil {
			return nil, err
		}
		tr.add("add after done returned")
		if err := f.AddDoneCallback(nil); !errors.Is(err, ErrInvalid) {
			return nil, fmt.Errorf("nil callback: %v", err)
		}
		err := co.Yield()
		tr.add("resumed")
		return nil, err
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "set_result returned", "add after done returned",
		"cb1: 7 <nil>", "cb2: 7 <nil>", "resumed")
	done()
}

func TestAddDoneCallbackPanicGoesToHandler(t *testing.T) {
	done := leakCheck(t)
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		if err := l.SetExceptionHandler(func(c ExceptionContext) {
			var p *PanicError
			tr.add(fmt.Sprintf("handler: panic=%v", errors.As(c.Err, &p) && p.Value == "boom"))
		}); err != nil {
			return nil, err
		}
		f, _ := l.NewFuture()
		f.AddDoneCallback(func(*Future) { panic("boom") })
		f.AddDoneCallback(func(f *Future) { tr.add(fmt.Sprintf("next: cancelled=%v", f.Cancelled())) })
		f.Cancel("")
		return nil, co.Yield()
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "handler: panic=true", "next: cancelled=true")
	done()
}

func TestAddDoneCallbackDroppedWithFuture(t *testing.T) {
	done := leakCheck(t)
	l, err := StartLoop(WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	f, _ := l.NewFuture()
	var tr trace
	if err := f.AddDoneCallback(func(*Future) { tr.add("ran") }); err != nil {
		t.Fatal(err)
	}
	f.Release()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr)
	if err := f.AddDoneCallback(func(*Future) {}); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
	done()
}

func TestReleaseReportsUnretrievedError(t *testing.T) {
	done := leakCheck(t)
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		if err := l.SetExceptionHandler(func(c ExceptionContext) {
			tr.add(fmt.Sprintf("t=%v handler: %v", l.Time(), errors.Is(c.Err, syscall.ECONNRESET)))
		}); err != nil {
			return nil, err
		}
		fail := func(co *Co) (any, error) {
			if err := co.Sleep(time.Second); err != nil {
				return nil, err
			}
			return nil, syscall.ECONNRESET
		}
		dropped, _ := co.Go(fail)
		dropped.Release()
		dropped.Release() // idempotent
		if _, err := dropped.Result(); !errors.Is(err, ErrClosed) {
			return nil, fmt.Errorf("result after release: %v", err)
		}
		if dropped.Name() != "" || dropped.Cancel("") {
			return nil, errors.New("a released task still answers")
		}
		read, _ := co.Go(fail)
		if err := co.Sleep(2 * time.Second); err != nil {
			return nil, err
		}
		// An outcome read before the release stays readable.
		if _, err := read.Result(); !errors.Is(err, syscall.ECONNRESET) {
			return nil, fmt.Errorf("read: %v", err)
		}
		read.Release()
		if _, err := read.Result(); !errors.Is(err, syscall.ECONNRESET) {
			return nil, fmt.Errorf("read after release: %v", err)
		}
		tr.add(fmt.Sprintf("t=%v main: done", l.Time()))
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "t=1 handler: true", "t=2 main: done")
	done()
}

// Many Go done-callbacks on one future, one function added 20,000 times
// and 20,000 closures made apart: each one's end forgets it in constant
// time (they were kept in one list, searched and shifted at each end).
// All run, in the order added. On another future RemoveDoneCallback
// removes the 2,000 registrations of one function and leaves the others
// (each removal is a walk over the future's list in the library, as in
// asyncio).
func TestManyDoneCallbacksOnOneFuture(t *testing.T) {
	done := leakCheck(t)
	const n, m = 20000, 2000
	var same, apart, order int
	orderOK := true
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		f, _ := l.NewFuture()
		g, _ := l.NewFuture()
		count := func(*Future) { same++ }
		for i := 0; i < n; i++ {
			if err := f.AddDoneCallback(count); err != nil {
				return nil, err
			}
			i := i
			if err := f.AddDoneCallback(func(*Future) {
				if i != apart {
					orderOK = false
				}
				apart++
			}); err != nil {
				return nil, err
			}
			if i >= m {
				continue
			}
			if err := g.AddDoneCallback(count); err != nil {
				return nil, err
			}
			if err := g.AddDoneCallback(func(*Future) { order++ }); err != nil {
				return nil, err
			}
		}
		if k := g.RemoveDoneCallback(count); k != m {
			return nil, fmt.Errorf("removed %d", k)
		}
		f.SetResult(nil)
		g.SetResult(nil)
		return nil, co.Yield()
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	if same != n || apart != n || order != m || !orderOK {
		t.Fatalf("same %d, apart %d (in order %v), g's others %d", same, apart, orderOK, order)
	}
	done()
}
