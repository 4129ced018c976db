package asyncore

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"
)

func greet(tr *trace, name string, delay int) TaskFunc {
	return func(co *Co) (any, error) {
		if err := co.Sleep(time.Duration(delay) * time.Second); err != nil {
			return nil, err
		}
		tr.add(fmt.Sprintf("Hello, %s after %d seconds", name, delay))
		return name, nil
	}
}

func TestTasksRunConcurrently(t *testing.T) {
	done := leakCheck(t)
	var tr trace
	var elapsed float64
	_, err := Run(func(co *Co) (any, error) {
		start := co.Time()
		tr.add("Starting")
		t1, _ := co.Go(greet(&tr, "Alice", 2))
		t2, _ := co.Go(greet(&tr, "Bob", 1))
		if _, err := co.Await(t1); err != nil {
			return nil, err
		}
		if _, err := co.Await(t2); err != nil {
			return nil, err
		}
		tr.add("Finished")
		elapsed = co.Time() - start
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "Starting", "Hello, Bob after 1 seconds", "Hello, Alice after 2 seconds", "Finished")
	if elapsed != 2 {
		t.Fatalf("elapsed %v", elapsed)
	}
	done()
}

func TestTaskResultFromOutside(t *testing.T) {
	l := startLoop(t)
	task, err := l.Go(func(co *Co) (any, error) {
		co.Sleep(time.Second)
		return 7, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := task.Wait(context.Background())
	if err != nil || v != 7 {
		t.Fatalf("got %v %v", v, err)
	}
	if name := task.Name(); len(name) < 6 || name[:5] != "Task-" {
		t.Fatalf("name %q", name)
	}
	task.SetName("worker")
	if task.Name() != "worker" {
		t.Fatal("rename")
	}
}

func TestTaskErrorComesBackAsItself(t *testing.T) {
	l := startLoop(t)
	mine := fmt.Errorf("wrapped: %w", ErrFull)
	inner, _ := l.Go(func(co *Co) (any, error) { return nil, mine })
	outer, _ := l.Go(func(co *Co) (any, error) {
		_, err := co.Await(inner)
		return nil, err
	})
	_, err := outer.Wait(nil)
	if err != mine || !errors.Is(err, ErrFull) {
		t.Fatalf("got %v", err)
	}
}

func TestTaskPanicBecomesPanicError(t *testing.T) {
	done := leakCheck(t)
	_, err := Run(func(co *Co) (any, error) {
		panic("task blew up")
	}, WithVirtualClock())
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Value != "task blew up" {
		t.Fatalf("got %v", err)
	}
	done()
}

func TestCancelTaskDeliversAtAwait(t *testing.T) {
	l := startLoop(t)
	var tr trace
	never, _ := l.NewFuture()
	task, _ := l.Go(func(co *Co) (any, error) {
		_, err := co.Await(never)
		tr.add(fmt.Sprintf("await: cancelled=%v", errors.Is(err, ErrCancelled)))
		return nil, err
	})
	if !task.Cancel("enough") {
		t.Fatal("cancel returned false")
	}
	_, err := task.Wait(nil)
	var e *Error
	if !errors.Is(err, ErrCancelled) || !errors.As(err, &e) || e.Message != "enough" {
		t.Fatalf("got %v", err)
	}
	if !task.Cancelled() {
		t.Fatal("task not cancelled")
	}
}

func TestCancelReachesTheAwaitedFuture(t *testing.T) {
	l := startLoop(t)
	never, _ := l.NewFuture()
	parked := make(chan struct{})
	task, _ := l.Go(func(co *Co) (any, error) {
		close(parked)
		return co.Await(never)
	})
	<-parked
	// The task is parked in Await once the loop serves our next call.
	l.Call(func() error { return nil })
	task.Cancel("enough")
	<-never.Done()
	if _, err := never.Result(); !errors.Is(err, ErrCancelled) {
		t.Fatalf("awaited future: %v", err)
	}
	<-task.Done()
}

func TestTaskMaySwallowCancellation(t *testing.T) {
	l := startLoop(t)
	never, _ := l.NewFuture()
	task, _ := l.Go(func(co *Co) (any, error) {
		if _, err := co.Await(never); !errors.Is(err, ErrCancelled) {
			return nil, fmt.Errorf("expected cancel, got %v", err)
		}
		if n := co.Task().Uncancel(); n != 0 {
			return nil, fmt.Errorf("uncancel left %d", n)
		}
		if err := co.Sleep(time.Second); err != nil {
			return nil, err
		}
		return "survived", nil
	})
	task.Cancel("")
	v, err := task.Wait(nil)
	if err != nil || v != "survived" {
		t.Fatalf("got %v %v", v, err)
	}
}

func TestCancelBeforeStartNeverRuns(t *testing.T) {
	l := startLoop(t)
	ran := false
	var task *Task
	l.Call(func() error {
		task, _ = l.Go(func(co *Co) (any, error) { ran = true; return nil, nil })
		task.Cancel("")
		return nil
	})
	if _, err := task.Wait(nil); !errors.Is(err, ErrCancelled) {
		t.Fatalf("got %v", err)
	}
	l.Call(func() error {
		if ran {
			t.Error("a task cancelled before its first step ran")
		}
		return nil
	})
}

func TestWaitContextCancelsTask(t *testing.T) {
	l := startLoop(t)
	task, _ := l.Go(func(co *Co) (any, error) {
		return nil, co.Sleep(time.Hour)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	// Real time passes for the context while the virtual clock jumps: the
	// task's hour-long sleep would end first, so use a future it awaits.
	_ = task
	f, _ := l.NewFuture()
	waiter, _ := l.Go(func(co *Co) (any, error) { return co.Await(f) })
	if _, err := waiter.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v", err)
	}
	<-waiter.Done()
	if !waiter.Cancelled() || !f.Cancelled() {
		t.Fatal("cancellation did not reach the task and what it awaited")
	}
}

func TestGoContext(t *testing.T) {
	l := startLoop(t)
	f, _ := l.NewFuture()
	ctx, cancel := context.WithCancel(context.Background())
	task, _ := l.GoContext(ctx, func(co *Co) (any, error) { return co.Await(f) })
	cancel()
	<-task.Done()
	if !task.Cancelled() {
		t.Fatal("not cancelled")
	}
}

func TestYieldInterleaves(t *testing.T) {
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		mk := func(name string) TaskFunc {
			return func(co *Co) (any, error) {
				for i := 0; i < 3; i++ {
					tr.add(fmt.Sprint(name, i))
					if err := co.Yield(); err != nil {
						return nil, err
					}
				}
				return nil, nil
			}
		}
		a, _ := co.Go(mk("a"))
		b, _ := co.Go(mk("b"))
		_, err := co.Gather(a, b)
		return nil, err
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "a0", "b0", "a1", "b1", "a2", "b2")
}

func TestCoGatherResultsInOrder(t *testing.T) {
	var tr trace
	v, err := Run(func(co *Co) (any, error) {
		a, _ := co.Go(greet(&tr, "A", 3))
		b, _ := co.Go(greet(&tr, "B", 1))
		c, _ := co.Go(greet(&tr, "C", 2))
		return co.Gather(a, b, c)
	}, WithVirtualClock())
	if err != nil || !reflect.DeepEqual(v, []any{"A", "B", "C"}) {
		t.Fatalf("got %v %v", v, err)
	}
	expectTrace(t, &tr, "Hello, B after 1 seconds", "Hello, C after 2 seconds", "Hello, A after 3 seconds")
}

func TestAwaitDoneFutureDoesNotSuspend(t *testing.T) {
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		f, _ := co.Loop().NewFuture()
		f.SetResult(1)
		other, _ := co.Go(func(co *Co) (any, error) { tr.add("other"); return nil, nil })
		if v, err := co.Await(f); v != 1 || err != nil {
			return nil, fmt.Errorf("await: %v %v", v, err)
		}
		tr.add("main")
		_, err := co.Await(other)
		return nil, err
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	// As in asyncio, awaiting a future that is already done reads it at
	// once: main goes on before the task it just created starts.
	expectTrace(t, &tr, "main", "other")
}

func TestWaitInsideTaskAwaits(t *testing.T) {
	v, err := Run(func(co *Co) (any, error) {
		f, _ := co.Loop().Sleep(time.Second)
		if _, err := f.Wait(context.Background()); err != nil {
			return nil, err
		}
		return co.Time(), nil
	}, WithVirtualClock())
	if err != nil || v != 1.0 {
		t.Fatalf("got %v %v", v, err)
	}
}

func TestWaitFor(t *testing.T) {
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		slow, _ := co.Go(func(co *Co) (any, error) {
			err := co.Sleep(5 * time.Second)
			tr.add(fmt.Sprintf("slow cancelled=%v", errors.Is(err, ErrCancelled)))
			return nil, err
		})
		_, err := co.WaitFor(slow, 2500*time.Millisecond)
		tr.add(fmt.Sprintf("timeout=%v at %v", errors.Is(err, ErrTimeout), co.Time()))
		fast, _ := co.Go(func(co *Co) (any, error) { return "ok", co.Sleep(time.Second) })
		v, err := co.WaitFor(fast, 2*time.Second)
		tr.add(fmt.Sprintf("fast %v %v", v, err))
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "slow cancelled=true", "timeout=true at 2.5", "fast ok <nil>")
}

func TestTimeoutScope(t *testing.T) {
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		err := co.Timeout(time.Second, func(*Scope) error { return co.Sleep(10 * time.Second) })
		tr.add(fmt.Sprintf("expired: timeout=%v deadline=%v", errors.Is(err, ErrTimeout), errors.Is(err, context.DeadlineExceeded)))
		err = co.Timeout(time.Second, func(*Scope) error { return co.Sleep(time.Millisecond) })
		tr.add(fmt.Sprintf("in time: %v", err))
		if n := co.Task().Cancelling(); n != 0 {
			tr.add(fmt.Sprintf("cancelling left: %d", n))
		}
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "expired: timeout=true deadline=true", "in time: <nil>")
}

func TestToThread(t *testing.T) {
	done := leakCheck(t)
	v, err := Run(func(co *Co) (any, error) {
		return co.ToThread(func() (any, error) {
			time.Sleep(5 * time.Millisecond)
			return "from a goroutine", nil
		})
	})
	if err != nil || v != "from a goroutine" {
		t.Fatalf("got %v %v", v, err)
	}
	_, err = Run(func(co *Co) (any, error) {
		return co.ToThread(func() (any, error) { panic("in thread") })
	})
	var pe *PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v", err)
	}
	done()
}

// A ToThread job holds the virtual clock as C's ac_to_thread does: a job
// that really takes 50 ms while a task sleeps 10 s gives its result at
// virtual time 0, and the sleep still ends at 10. A cancelled job gives
// the clock back at once, though its goroutine goes on.
func TestToThreadHoldsTheVirtualClock(t *testing.T) {
	done := leakCheck(t)
	var tr trace
	release := make(chan struct{})
	_, err := Run(func(co *Co) (any, error) {
		sleeper, err := co.Go(func(co *Co) (any, error) {
			err := co.Sleep(10 * time.Second)
			tr.add(fmt.Sprintf("sleep ends at %g", co.Time()))
			return nil, err
		})
		if err != nil {
			return nil, err
		}
		if err := co.Sleep(0); err != nil {
			return nil, err
		}
		v, err := co.ToThread(func() (any, error) {
			time.Sleep(50 * time.Millisecond)
			return int64(42), nil
		})
		tr.add(fmt.Sprintf("result %v %v at %g", v, err, co.Time()))
		if _, err := co.Await(sleeper); err != nil {
			return nil, err
		}
		stuck, err := co.Loop().ToThread(func() (any, error) {
			<-release
			return nil, nil
		})
		if err != nil {
			return nil, err
		}
		stuck.Cancel("")
		err = co.Sleep(5 * time.Second)
		tr.add(fmt.Sprintf("after cancel: %v at %g", err, co.Time()))
		close(release)
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "result 42 <nil> at 0", "sleep ends at 10", "after cancel: <nil> at 15")
	done()
}

func TestCloseCancelsPendingGoTasks(t *testing.T) {
	done := leakCheck(t)
	l, _ := StartLoop()
	var tr trace
	parked := make(chan struct{})
	task, _ := l.Go(func(co *Co) (any, error) {
		close(parked)
		err := co.Sleep(time.Hour)
		tr.add(fmt.Sprintf("cleanup after cancel=%v", errors.Is(err, ErrCancelled)))
		return nil, err
	})
	<-parked
	runtime.Gosched()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := task.Wait(nil); !errors.Is(err, ErrCancelled) {
		t.Fatalf("task: %v", err)
	}
	expectTrace(t, &tr, "cleanup after cancel=true")
	done()
}

func TestCloseReleasesATaskThatIgnoresCancellation(t *testing.T) {
	done := leakCheck(t)
	l, _ := StartLoop(WithShutdownGrace(50 * time.Millisecond))
	reports := make(chan string, 4)
	l.SetExceptionHandler(func(c ExceptionContext) { reports <- c.Message })
	f, _ := l.NewFuture()
	parked := make(chan struct{})
	results := make(chan error, 4)
	l.Go(func(co *Co) (any, error) {
		close(parked)
		for i := 0; i < 3; i++ {
			_, err := co.Await(f)
			results <- err
			if errors.Is(err, ErrClosed) {
				return nil, err
			}
			co.Task().Uncancel()
			f, _ = co.Loop().NewFuture()
		}
		return nil, nil
	})
	<-parked
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	close(results)
	var got []string
	for err := range results {
		got = append(got, err.Error())
	}
	if len(got) == 0 || got[len(got)-1] != ErrClosed.Error() {
		t.Fatalf("awaits ended with %q", got)
	}
	if m := <-reports; m != "Task was destroyed but it is pending" {
		t.Fatalf("report %q", m)
	}
	done()
}

func TestCoMethodsFromAnotherGoroutineAreRefused(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		errc := make(chan error)
		go func() { errc <- co.Sleep(time.Second) }()
		return nil, <-errc
	}, WithVirtualClock())
	if !errors.Is(err, ErrWrongThread) {
		t.Fatalf("got %v", err)
	}
}

func TestCurrentAndAllTasks(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		cur := l.CurrentTask()
		if cur == nil || cur.Name() != co.Task().Name() {
			return nil, fmt.Errorf("current task %v", cur)
		}
		other, _ := co.Go(func(co *Co) (any, error) { return nil, co.Sleep(time.Second) })
		if n := len(l.AllTasks()); n != 2 {
			return nil, fmt.Errorf("all tasks: %d", n)
		}
		return co.Await(other)
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}

func TestGoEagerRunsFirstStepInside(t *testing.T) {
	done := leakCheck(t)
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		var self *Task
		e, err := co.GoEager(func(co *Co) (any, error) {
			self = co.Task()
			tr.add("E: first step")
			if err := co.Sleep(time.Second); err != nil {
				return nil, err
			}
			tr.add(fmt.Sprintf("E: done at %v", co.Time()))
			return int64(1), nil
		})
		if err != nil {
			return nil, err
		}
		tr.add(fmt.Sprintf("main: after create, same task=%v", self == e))
		quick, err := co.GoEager(func(co *Co) (any, error) { return "quick", nil })
		if err != nil {
			return nil, err
		}
		tr.add(fmt.Sprintf("main: quick done=%v", quick.IsDone()))
		if v, err := quick.Result(); v != "quick" || err != nil {
			return nil, fmt.Errorf("quick: %v %v", v, err)
		}
		v, err := co.Await(e)
		tr.add(fmt.Sprintf("main: E returned %v", v))
		return nil, err
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "E: first step", "main: after create, same task=true",
		"main: quick done=true", "E: done at 1", "main: E returned 1")
	done()
}

func TestGoEagerWithLoopNotRunning(t *testing.T) {
	done := leakCheck(t)
	l, err := NewLoop(WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	var tr trace
	e, err := l.GoEager(func(co *Co) (any, error) {
		tr.add("E: first step")
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tr.add("created")
	if _, err := l.RunUntilComplete(e); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "created", "E: first step")
	done()
}

// A Go task's result of each kind reaches the library and comes back whole:
// the plain kinds are stored in place in the task's C state, bytes through
// a call; a task that returns and one that gathers see the same values.
func TestTaskReturnKinds(t *testing.T) {
	done := leakCheck(t)
	type box struct{ s string }
	b := &box{"boxed"}
	want := []any{nil, int64(-7), 2.5, b, []byte("bytes"), []byte{}}
	v, err := Run(func(co *Co) (any, error) {
		var aws []Awaitable
		for _, w := range want {
			w := w
			task, err := co.Go(func(*Co) (any, error) { return w, nil })
			if err != nil {
				return nil, err
			}
			aws = append(aws, task)
		}
		return co.Gather(aws...)
	})
	if err != nil {
		t.Fatal(err)
	}
	got := v.([]any)
	if len(got) != len(want) {
		t.Fatalf("%d results, want %d", len(got), len(want))
	}
	for i, w := range want {
		switch w := w.(type) {
		case []byte:
			if g, ok := got[i].([]byte); !ok || string(g) != string(w) {
				t.Errorf("result %d: %#v, want %#v", i, got[i], w)
			}
		default:
			if got[i] != w {
				t.Errorf("result %d: %#v, want %#v", i, got[i], w)
			}
		}
	}
	done()
}
