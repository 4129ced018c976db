package asyncore

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Each condition raises asyncio's class, with asyncio's message where
// asyncio has one (checked against what CPython 3.13 raises).

// wantError checks that err is of class (its sentinel matching) and
// describes itself as want.
func wantError(t *testing.T, what string, err error, kind error, want string) {
	t.Helper()
	if err == nil || !errors.Is(err, kind) || describe(err) != want {
		t.Errorf("%s: got %v (%q), want %q", what, err, describeOrNil(err), want)
	}
}

func describeOrNil(err error) string {
	if err == nil {
		return "<nil>"
	}
	return describe(err)
}

func TestRuntimeErrors(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		lk, _ := l.NewLock()
		wantError(t, "lock released unlocked", lk.Release(), ErrRuntime, "RuntimeError: Lock is not acquired.")
		cd, _ := l.NewCondition(nil)
		wantError(t, "condition wait without the lock", cd.Wait(co), ErrRuntime,
			"RuntimeError: cannot wait on un-acquired lock")
		_, err := cd.Notify(1)
		wantError(t, "notify without the lock", err, ErrRuntime, "RuntimeError: cannot notify on un-acquired lock")
		_, err = cd.NotifyAll()
		wantError(t, "notify_all without the lock", err, ErrRuntime, "RuntimeError: cannot notify on un-acquired lock")

		// Timeout scopes misused.
		s, _ := co.NewTimeout(time.Second)
		wantError(t, "reschedule before enter", s.Reschedule(5), ErrRuntime,
			"RuntimeError: Timeout has not been entered")
		if err := s.Run(co, func(*Scope) error {
			return s.Run(co, func(*Scope) error { return nil })
		}); err == nil || describe(err) != "RuntimeError: Timeout has already been entered" {
			t.Errorf("nested enter: %v", err)
		}
		wantError(t, "reschedule after exit", s.Reschedule(5), ErrRuntime,
			"RuntimeError: Cannot change state of finished Timeout")

		// A task awaiting itself.
		self, _ := co.Go(func(co *Co) (any, error) {
			_, err := co.Await(co.Task())
			return nil, err
		})
		_, err = co.Await(self)
		if !errors.Is(err, ErrRuntime) || !strings.HasPrefix(describe(err), "RuntimeError: Task cannot await on itself") {
			t.Errorf("await itself: %v", err)
		}

		// The loop already running.
		if _, err := Run(func(*Co) (any, error) { return nil, nil }); err == nil ||
			describe(err) != "RuntimeError: asyncio.run() cannot be called from a running event loop" {
			t.Errorf("Run inside a running loop: %v", err)
		}
		f, _ := l.NewFuture()
		_, err = l.RunUntilComplete(f)
		wantError(t, "run_until_complete inside", err, ErrRunning, "RuntimeError: This event loop is already running")
		if !l.IsRunning() {
			t.Error("IsRunning inside the loop")
		}
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}

	// A closed loop.
	l, err := NewLoop(WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	f, _ := l.NewFuture()
	l.Close()
	_, err = l.CallSoon(func() {})
	wantError(t, "call_soon on a closed loop", err, ErrRuntime, "RuntimeError: Event loop is closed")
	_, err = l.RunUntilComplete(f)
	wantError(t, "run on a closed loop", err, ErrClosed, "RuntimeError: Event loop is closed")
}

func TestValueAndStateErrors(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		_, err := l.NewSemaphore(-1)
		wantError(t, "negative semaphore", err, ErrValue, "ValueError: Semaphore initial value must be >= 0")
		_, err = l.NewBarrier(0)
		wantError(t, "barrier of no parties", err, ErrValue, "ValueError: parties must be >= 1")
		b, _ := l.NewBoundedSemaphore(1)
		wantError(t, "bounded over-release", b.Release(), ErrValue,
			"ValueError: BoundedSemaphore released too many times")
		q, _ := l.NewQueue(1)
		wantError(t, "task_done too many", q.TaskDone(), ErrValue, "ValueError: task_done() called too many times")

		f, _ := l.NewFuture()
		_, err = f.Result()
		wantError(t, "result not set", err, ErrInvalidState, "InvalidStateError: Result is not set.")
		_, err = f.Exception()
		wantError(t, "exception not set", err, ErrInvalidState, "InvalidStateError: Exception is not set.")
		f.SetResult(int64(1))
		wantError(t, "set_result twice", f.SetResult(int64(2)), ErrInvalidState, "InvalidStateError: invalid state")
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}

func TestQueueAndBarrierErrorsCarryNoMessage(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		q, _ := l.NewQueue(1)
		_, err := q.GetNowait()
		wantError(t, "get_nowait on empty", err, ErrQueueEmpty, "QueueEmpty")
		q.PutNowait(1)
		wantError(t, "put_nowait on full", q.PutNowait(2), ErrQueueFull, "QueueFull")
		q.Shutdown(false)
		wantError(t, "put after shutdown", q.PutNowait(3), ErrQueueShutDown, "QueueShutDown")
		b, _ := l.NewBarrier(2)
		b.Abort()
		_, err = b.Wait(co)
		wantError(t, "wait on a broken barrier", err, ErrBrokenBarrier, "BrokenBarrierError: Barrier aborted")
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}

func TestTimeoutErrorIsCausedByTheCancellation(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		err := co.Timeout(time.Second, func(*Scope) error { return co.Sleep(5 * time.Second) })
		var te *Error
		if !errors.As(err, &te) || te.Class() != "TimeoutError" || te.Message != "" || describe(err) != "TimeoutError" {
			return nil, fmt.Errorf("scope: %v", err)
		}
		cause := errors.Unwrap(err)
		if !isCode(cause, codeCancelled) || !errors.Is(err, ErrTimeout) || !errors.Is(err, ErrCancelled) {
			return nil, fmt.Errorf("cause: %v", cause)
		}
		// wait_for's TimeoutError too.
		slow, _ := co.Go(func(co *Co) (any, error) { return nil, co.Sleep(time.Hour) })
		_, err = co.WaitFor(slow, time.Second)
		if !errors.Is(err, ErrTimeout) || !isCode(errors.Unwrap(err), codeCancelled) || describe(err) != "TimeoutError" {
			return nil, fmt.Errorf("wait_for: %v (cause %v)", err, errors.Unwrap(err))
		}
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}

func TestCancelWithoutMessageHasNoMessage(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		var seen error
		tk, _ := co.Go(func(co *Co) (any, error) {
			seen = co.Sleep(time.Hour)
			return nil, seen
		})
		co.Sleep(time.Second)
		tk.Cancel("")
		_, err := co.Await(tk)
		for _, e := range []error{seen, err} {
			if !isCode(e, codeCancelled) || e.(*Error).Message != "" || describe(e) != "CancelledError" {
				return nil, fmt.Errorf("cancel(): %q", describeOrNil(e))
			}
		}
		f, _ := co.Loop().NewFuture()
		f.Cancel("")
		if _, err := f.Result(); !isCode(err, codeCancelled) || describe(err) != "CancelledError" {
			return nil, fmt.Errorf("future cancel(): %q", describeOrNil(err))
		}
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}

func TestWaitForAsIn312(t *testing.T) {
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		me := l.CurrentTask()
		// A function runs in the caller's task, under the deadline.
		v, err := co.WaitForFunc(func(co *Co) (any, error) {
			tr.add(fmt.Sprintf("inline in the caller=%v", co.Loop().CurrentTask() == me))
			if err := co.Sleep(time.Second); err != nil {
				return nil, err
			}
			return int64(5), nil
		}, 2*time.Second)
		if err != nil || v != int64(5) {
			return nil, fmt.Errorf("inline: %v %v", v, err)
		}
		// A timeout of zero or less: the function never starts.
		_, err = co.WaitForFunc(func(co *Co) (any, error) {
			tr.add("never printed")
			return nil, nil
		}, 0)
		if !errors.Is(err, ErrTimeout) || !isCode(errors.Unwrap(err), codeCancelled) {
			return nil, fmt.Errorf("zero: %v", err)
		}
		// A done task is read without suspending: the bystander runs later.
		done, _ := co.Go(func(co *Co) (any, error) { return int64(3), nil })
		co.Sleep(0)
		co.Go(func(co *Co) (any, error) { tr.add("bystander"); return nil, nil })
		for _, d := range []time.Duration{0, 5 * time.Second} {
			v, err := co.WaitFor(done, d)
			tr.add(fmt.Sprintf("done task, timeout %v: %v %v", d, v, err))
		}
		co.Sleep(0)
		// A pending task with a negative timeout is cancelled at once.
		slow, _ := co.Go(func(co *Co) (any, error) { return nil, co.Sleep(time.Hour) })
		co.Sleep(0)
		_, err = co.WaitFor(slow, -time.Second)
		tr.add(fmt.Sprintf("negative: timeout=%v cancelled=%v", errors.Is(err, ErrTimeout), slow.Cancelled()))
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "inline in the caller=true", "done task, timeout 0s: 3 <nil>",
		"done task, timeout 5s: 3 <nil>", "bystander", "negative: timeout=true cancelled=true")
}

func TestGroupErrorsAndExceptionContext(t *testing.T) {
	var keys []string
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		err := co.TaskGroup(func(tg *TaskGroup) error {
			tg.Go(func(co *Co) (any, error) { return nil, newError(codeInvalid, "child failed") })
			return nil
		})
		var ge *Error
		if !errors.As(err, &ge) || ge.Class() != "ExceptionGroup" || len(ge.Children) != 1 ||
			describe(ge.Children[0]) != "ValueError: child failed" || !errors.Is(err, ErrValue) {
			return nil, fmt.Errorf("group: %v", err)
		}
		l.SetExceptionHandler(func(c ExceptionContext) {
			keys = append(keys, strings.Join(c.Keys(), ",")+" "+describe(errors.Unwrap(c.Err)))
		})
		l.CallSoon(func() { panic(newError(codeInvalid, "callback failed")) })
		return nil, co.Sleep(0)
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != "exception,handle,message ValueError: callback failed" {
		t.Fatalf("reports: %q", keys)
	}
}
