package typed_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"libasyncore.org/go/asyncore"
	"libasyncore.org/go/asyncore/typed"
)

func startLoop(t *testing.T, opts ...asyncore.Option) *asyncore.Loop {
	t.Helper()
	l, err := asyncore.StartLoop(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return l
}

// A spawned task blocks on a channel for a second; meanwhile a task of
// the loop keeps stepping (its steps are counted, not timed).
func TestTaskBlockingOnAChannelDoesNotFreezeTheLoop(t *testing.T) {
	l := startLoop(t)
	ch := make(chan int)
	blocked, err := typed.Spawn(context.Background(), l, func(ctx context.Context) (int, error) {
		return <-ch, nil // ordinary Go: a channel receive
	})
	if err != nil {
		t.Fatal(err)
	}
	var steps atomic.Int64
	counter, err := l.Go(func(co *asyncore.Co) (any, error) {
		for !isDone(blocked) {
			if err := co.Sleep(time.Millisecond); err != nil {
				return nil, err
			}
			steps.Add(1)
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(time.Second, func() { ch <- 7 })
	v, err := blocked.Wait(context.Background())
	if err != nil || v != 7 {
		t.Fatalf("blocked task: %v %v", v, err)
	}
	if _, err := counter.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A loop frozen for the second would have stepped the counter at most
	// once or twice.
	if n := steps.Load(); n < 50 {
		t.Fatalf("the loop's task stepped %d times while the other blocked", n)
	}
}

func isDone[T any](f *typed.Future[T]) bool {
	select {
	case <-f.Done():
		return true
	default:
		return false
	}
}

// The same without a clock: the blocked task is released by the loop's
// own task after 500 steps, which it could not take if the loop froze.
func TestLoopTaskReleasesABlockedTask(t *testing.T) {
	l := startLoop(t, asyncore.WithVirtualClock())
	ch := make(chan int)
	blocked, err := typed.Spawn(context.Background(), l, func(ctx context.Context) (int, error) {
		return <-ch, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.Go(func(co *asyncore.Co) (any, error) {
		n := 0
		for ; n < 500; n++ {
			if err := co.Yield(); err != nil {
				return nil, err
			}
		}
		go func() { ch <- n }()
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := blocked.Wait(context.Background()); err != nil || v != 500 {
		t.Fatalf("%v %v", v, err)
	}
}

func TestSpawnTypedResultAndAwaitFromATask(t *testing.T) {
	l := startLoop(t)
	f, err := typed.Spawn(context.Background(), l, func(ctx context.Context) (string, error) {
		return "forty-two", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got string
	task, err := l.Go(func(co *asyncore.Co) (any, error) {
		s, err := f.Await(co)
		got = s
		return nil, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := task.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got != "forty-two" {
		t.Fatalf("%q", got)
	}
	s, err := f.Result()
	if err != nil || s != "forty-two" {
		t.Fatalf("%q %v", s, err)
	}
}

func TestSpawnAlreadyEndedContextNeverStarts(t *testing.T) {
	l := startLoop(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var ran atomic.Int32
	f, err := typed.Spawn(ctx, l, func(ctx context.Context) (int, error) { ran.Add(1); return 1, nil })
	if f != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("%v %v", f, err)
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 0) // zero means zero
	defer dcancel()
	f, err = typed.Spawn(dctx, l, func(ctx context.Context) (int, error) { ran.Add(1); return 1, nil })
	if f != nil || !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, asyncore.ErrTimeout) {
		t.Fatalf("%v %v", f, err)
	}
	if ran.Load() != 0 {
		t.Fatal("a body ran")
	}
}

func TestSpawnDeadlineMatchesBoth(t *testing.T) {
	l := startLoop(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	f, err := typed.Spawn(ctx, l, func(ctx context.Context) (int, error) {
		<-ctx.Done()
		return 0, ctx.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Wait(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, asyncore.ErrTimeout) {
		t.Fatalf("%v", err)
	}
	if asyncore.ClassOf(err) != "TimeoutError" {
		t.Fatalf("class %q", asyncore.ClassOf(err))
	}
}

func TestCancellingTheFutureCancelsTheContext(t *testing.T) {
	l := startLoop(t)
	started := make(chan struct{})
	seen := make(chan error, 1)
	f, err := typed.Spawn(context.Background(), l, func(ctx context.Context) (int, error) {
		close(started)
		<-ctx.Done()
		seen <- ctx.Err()
		return 0, ctx.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	<-started
	if !f.Cancel() {
		t.Fatal("Cancel")
	}
	if err := <-seen; !errors.Is(err, context.Canceled) {
		t.Fatalf("ctx: %v", err)
	}
	if _, err := f.Wait(context.Background()); !errors.Is(err, asyncore.ErrCancelled) {
		t.Fatalf("%v", err)
	}
}

func TestWaitWithDeadlineTimesOut(t *testing.T) {
	l := startLoop(t)
	f, err := typed.NewFuture[int](l)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := f.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, asyncore.ErrTimeout) {
		t.Fatalf("%v", err)
	}
}

func TestPanicFailsTheFuture(t *testing.T) {
	l := startLoop(t)
	f, err := typed.Spawn(context.Background(), l, func(ctx context.Context) (int, error) { panic("boom") })
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Wait(context.Background())
	var p *asyncore.PanicError
	if !errors.As(err, &p) || p.Value != "boom" {
		t.Fatalf("%v", err)
	}
}

// A bounded producer/consumer between goroutine tasks and a loop task.
func TestQueueOfStrings(t *testing.T) {
	l := startLoop(t)
	q, err := typed.NewQueue[string](l, 2)
	if err != nil {
		t.Fatal(err)
	}
	words := []string{"a", "b", "c", "d", "e"}
	prod, err := typed.Spawn(context.Background(), l, func(ctx context.Context) (int, error) {
		for _, w := range words {
			if err := q.Put(ctx, w); err != nil {
				return 0, err
			}
		}
		return len(words), q.Put(ctx, "")
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	cons, err := l.Go(func(co *asyncore.Co) (any, error) {
		for {
			w, err := q.GetCo(co)
			if err != nil || w == "" {
				return nil, err
			}
			got = append(got, w)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := prod.Wait(context.Background()); err != nil || n != 5 {
		t.Fatalf("%v %v", n, err)
	}
	if _, err := cons.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || got[0] != "a" || got[4] != "e" {
		t.Fatalf("%q", got)
	}
	if _, err := q.GetNowait(); !errors.Is(err, asyncore.ErrQueueEmpty) {
		t.Fatalf("%v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := q.Get(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v", err)
	}
}

func TestGatherTyped(t *testing.T) {
	l := startLoop(t)
	var fs []*typed.Future[int]
	for i := 0; i < 10; i++ {
		i := i
		f, err := typed.Spawn(context.Background(), l, func(ctx context.Context) (int, error) {
			if err := typed.Sleep(ctx, l, time.Millisecond); err != nil {
				return 0, err
			}
			return i * i, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	got, err := typed.Gather(context.Background(), fs...)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i*i {
			t.Fatalf("%v", got)
		}
	}
}
