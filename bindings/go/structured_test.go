package asyncore

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

func sleeper(tr *trace, name string, d time.Duration, fail error) TaskFunc {
	return func(co *Co) (any, error) {
		if err := co.Sleep(d); err != nil {
			tr.add(fmt.Sprintf("%s cancelled", name))
			return nil, err
		}
		if fail != nil {
			tr.add(fmt.Sprintf("%s fails", name))
			return nil, fail
		}
		tr.add(fmt.Sprintf("%s done", name))
		return name, nil
	}
}

func TestGatherReturnErrors(t *testing.T) {
	bad := errors.New("bad")
	var tr trace
	v, err := Run(func(co *Co) (any, error) {
		a, _ := co.Go(sleeper(&tr, "a", time.Second, nil))
		b, _ := co.Go(sleeper(&tr, "b", 2*time.Second, bad))
		return co.GatherReturnErrors(a, b)
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	res := v.([]any)
	if res[0] != "a" || res[1] != bad {
		t.Fatalf("got %#v", res)
	}
}

func TestGatherFailsWithTheFirstError(t *testing.T) {
	bad := errors.New("bad")
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		a, _ := co.Go(sleeper(&tr, "a", 3*time.Second, nil))
		b, _ := co.Go(sleeper(&tr, "b", time.Second, bad))
		_, err := co.Gather(a, b)
		tr.add(fmt.Sprintf("gather: %v", err))
		_, aerr := co.Await(a) // the other child kept running
		return nil, aerr
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "b fails", "gather: bad", "a done")
}

func TestShieldKeepsTheWorkGoing(t *testing.T) {
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		work, _ := co.Go(sleeper(&tr, "work", 2*time.Second, nil))
		waiter, _ := co.Go(func(co *Co) (any, error) {
			_, err := co.Shield(work)
			tr.add(fmt.Sprintf("waiter cancelled=%v", errors.Is(err, ErrCancelled)))
			return nil, err
		})
		co.Sleep(time.Second)
		waiter.Cancel("")
		v, err := co.Await(work)
		tr.add(fmt.Sprintf("work %v %v", v, err))
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "waiter cancelled=true", "work done", "work work <nil>")
}

func TestWaitFirstCompletedAndTimeout(t *testing.T) {
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		a, _ := co.Go(sleeper(&tr, "a", 3*time.Second, nil))
		b, _ := co.Go(sleeper(&tr, "b", time.Second, nil))
		done, pending, err := co.Wait(FirstCompleted, NoTimeout, a, b)
		if err != nil || len(done) != 1 || done[0] != Awaitable(b) || len(pending) != 1 || pending[0] != Awaitable(a) {
			return nil, fmt.Errorf("first completed: %v %v %v", done, pending, err)
		}
		done, pending, err = co.Wait(AllCompleted, time.Second, a)
		if err != nil || len(done) != 0 || len(pending) != 1 {
			return nil, fmt.Errorf("timeout: %v %v %v", done, pending, err)
		}
		done, _, err = co.Wait(AllCompleted, NoTimeout, a, b)
		if err != nil || len(done) != 2 {
			return nil, fmt.Errorf("all: %v %v", done, err)
		}
		if _, _, err := co.Wait(AllCompleted, NoTimeout); !errors.Is(err, ErrInvalid) {
			return nil, fmt.Errorf("empty wait: %v", err)
		}
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "b done", "a done")
}

func TestAsCompleted(t *testing.T) {
	var got []string
	_, err := Run(func(co *Co) (any, error) {
		var tr trace
		a, _ := co.Go(sleeper(&tr, "a", 3*time.Second, nil))
		b, _ := co.Go(sleeper(&tr, "b", time.Second, nil))
		c, _ := co.Go(sleeper(&tr, "c", 5*time.Second, nil))
		it, err := co.AsCompleted(4*time.Second, a, b, c)
		if err != nil {
			return nil, err
		}
		for {
			i, v, err, ok := it.Next()
			if !ok {
				break
			}
			got = append(got, fmt.Sprintf("%d %v timeout=%v", i, v, errors.Is(err, ErrTimeout)))
		}
		return co.Await(c)
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1 b timeout=false", "0 a timeout=false", "-1 <nil> timeout=true"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q", got)
	}
}

func TestTaskGroupWaitsForAll(t *testing.T) {
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		var ta, tb *Task
		err := co.TaskGroup(func(tg *TaskGroup) error {
			ta, _ = tg.Go(sleeper(&tr, "a", 2*time.Second, nil))
			tb, _ = tg.Go(sleeper(&tr, "b", time.Second, nil))
			if tg.Size() != 2 {
				return fmt.Errorf("size %d", tg.Size())
			}
			return nil
		})
		tr.add(fmt.Sprintf("group done %v at %v", err, co.Time()))
		va, _ := ta.Result()
		vb, _ := tb.Result()
		tr.add(fmt.Sprintf("%v %v", va, vb))
		return nil, err
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "b done", "a done", "group done <nil> at 2", "a b")
}

func TestTaskGroupFirstFailureCancelsTheRest(t *testing.T) {
	bad := errors.New("download failed")
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		err := co.TaskGroup(func(tg *TaskGroup) error {
			tg.Go(sleeper(&tr, "slow", 5*time.Second, nil))
			tg.Go(sleeper(&tr, "bad", time.Second, bad))
			err := co.Sleep(10 * time.Second)
			tr.add(fmt.Sprintf("body cancelled=%v", errors.Is(err, ErrCancelled)))
			return err
		})
		var ge *Error
		if !errors.As(err, &ge) || !errors.Is(err, ErrGroup) || !errors.Is(err, bad) || len(ge.Children) != 1 {
			return nil, fmt.Errorf("group error: %v", err)
		}
		tr.add(ge.Message)
		if n := co.Task().Cancelling(); n != 0 {
			return nil, fmt.Errorf("the group left %d cancellations", n)
		}
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	// asyncio's order: the group cancels its tasks, then the parent.
	expectTrace(t, &tr, "bad fails", "slow cancelled", "body cancelled=true",
		"unhandled errors in a TaskGroup (1 sub-exception)")
}

func TestTaskGroupSpawnAfterJoinIsRefused(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		var kept *TaskGroup
		if err := co.TaskGroup(func(tg *TaskGroup) error { kept = tg; return nil }); err != nil {
			return nil, err
		}
		_, err := kept.Go(func(co *Co) (any, error) { return nil, nil })
		return nil, err
	}, WithVirtualClock())
	// asyncio: RuntimeError("TaskGroup ... is finished").
	if !errors.Is(err, ErrRuntime) || describe(err) != "RuntimeError: TaskGroup is finished" {
		t.Fatalf("got %v", err)
	}
}

func TestTimeoutScopeRescheduleAndExpired(t *testing.T) {
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		err := co.Timeout(time.Second, func(s *Scope) error {
			if err := s.Reschedule(co.Time() + 3); err != nil {
				return err
			}
			if err := co.Sleep(2 * time.Second); err != nil {
				return err
			}
			tr.add(fmt.Sprintf("rescheduled: alive at %v, expired=%v", co.Time(), s.Expired()))
			return co.Sleep(2 * time.Second)
		})
		tr.add(fmt.Sprintf("timeout=%v at %v", errors.Is(err, ErrTimeout), co.Time()))
		// An outer cancellation passes through a scope as a cancellation.
		inner, _ := co.Go(func(co *Co) (any, error) {
			return nil, co.Timeout(10*time.Second, func(*Scope) error { return co.Sleep(time.Hour) })
		})
		co.Sleep(time.Second)
		inner.Cancel("")
		_, err = co.Await(inner)
		tr.add(fmt.Sprintf("outer cancel: cancelled=%v timeout=%v", errors.Is(err, ErrCancelled), errors.Is(err, ErrTimeout)))
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "rescheduled: alive at 2, expired=false", "timeout=true at 3",
		"outer cancel: cancelled=true timeout=false")
}
