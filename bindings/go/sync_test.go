package asyncore

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

func TestLockIsFIFOAndExclusive(t *testing.T) {
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		lk, err := co.Loop().NewLock()
		if err != nil {
			return nil, err
		}
		var tasks []Awaitable
		for i := 0; i < 3; i++ {
			i := i
			tk, _ := co.Go(func(co *Co) (any, error) {
				return nil, lk.With(co, func() error {
					tr.add(fmt.Sprintf("%d in", i))
					err := co.Sleep(time.Second)
					tr.add(fmt.Sprintf("%d out", i))
					return err
				})
			})
			tasks = append(tasks, tk)
		}
		_, err = co.Gather(tasks...)
		if lk.Locked() {
			return nil, errors.New("still locked")
		}
		// asyncio: RuntimeError("Lock is not acquired.").
		if err := lk.Release(); !errors.Is(err, ErrRuntime) || !errors.Is(err, ErrMisuse) ||
			describe(err) != "RuntimeError: Lock is not acquired." {
			return nil, fmt.Errorf("release unlocked: %v", err)
		}
		return nil, err
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "0 in", "0 out", "1 in", "1 out", "2 in", "2 out")
}

func TestLockCancelledWaiterLosesNothing(t *testing.T) {
	v, err := Run(func(co *Co) (any, error) {
		lk, _ := co.Loop().NewLock()
		if !lk.TryAcquire() || lk.TryAcquire() {
			return nil, errors.New("try_acquire")
		}
		waiter, _ := co.Go(func(co *Co) (any, error) { return nil, lk.Acquire(co) })
		second, _ := co.Go(func(co *Co) (any, error) {
			if err := lk.Acquire(co); err != nil {
				return nil, err
			}
			return "second got it", lk.Release()
		})
		if err := co.Yield(); err != nil {
			return nil, err
		}
		// Release wakes the first waiter; it is cancelled before it runs,
		// so it must not keep the lock it was handed.
		if err := lk.Release(); err != nil {
			return nil, err
		}
		if !waiter.Cancel("") {
			return nil, errors.New("waiter already done")
		}
		if _, err := co.Await(waiter); !errors.Is(err, ErrCancelled) {
			return nil, fmt.Errorf("waiter: %v", err)
		}
		v, err := co.Await(second)
		if err == nil && lk.Locked() {
			return nil, errors.New("the lock is still held after the second released it")
		}
		return v, err
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	// The lock the cancelled waiter was woken for goes to the next one.
	if v != "second got it" {
		t.Fatalf("second waiter: got %v", v)
	}
}

func TestEvent(t *testing.T) {
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		ev, _ := co.Loop().NewEvent()
		var ws []Awaitable
		for i := 0; i < 2; i++ {
			i := i
			w, _ := co.Go(func(co *Co) (any, error) {
				err := ev.Wait(co)
				tr.add(fmt.Sprintf("waiter %d woke", i))
				return nil, err
			})
			ws = append(ws, w)
		}
		co.Sleep(time.Second)
		tr.add(fmt.Sprintf("set=%v", ev.IsSet()))
		ev.Set()
		_, err := co.Gather(ws...)
		ev.Clear()
		tr.add(fmt.Sprintf("cleared set=%v", ev.IsSet()))
		return nil, err
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "set=false", "waiter 0 woke", "waiter 1 woke", "cleared set=false")
}

func TestConditionNotifyAndWaitFor(t *testing.T) {
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		cd, _ := co.Loop().NewCondition(nil)
		items := 0
		consumer, _ := co.Go(func(co *Co) (any, error) {
			if err := cd.Acquire(co); err != nil {
				return nil, err
			}
			defer cd.Release()
			if err := cd.WaitFor(co, func() bool { return items >= 2 }); err != nil {
				return nil, err
			}
			tr.add(fmt.Sprintf("consumer sees %d, locked=%v", items, cd.Locked()))
			return nil, nil
		})
		for i := 0; i < 2; i++ {
			co.Sleep(time.Second)
			if err := cd.Acquire(co); err != nil {
				return nil, err
			}
			items++
			cd.NotifyAll()
			cd.Release()
		}
		other, _ := co.Loop().NewCondition(nil)
		if _, err := other.Notify(1); !errors.Is(err, ErrRuntime) ||
			describe(err) != "RuntimeError: cannot notify on un-acquired lock" {
			return nil, fmt.Errorf("notify without the lock: %v", err)
		}
		_, err := co.Await(consumer)
		return nil, err
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "consumer sees 2, locked=true")
}

func TestConditionPredicatePanicIsReported(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		cd, _ := co.Loop().NewCondition(nil)
		cd.Acquire(co)
		defer cd.Release()
		return nil, cd.WaitFor(co, func() bool { panic("bad predicate") })
	}, WithVirtualClock())
	var pe *PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v", err)
	}
}

func TestSemaphoreLimitsAndBounded(t *testing.T) {
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		sem, _ := co.Loop().NewSemaphore(2)
		var ws []Awaitable
		for i := 0; i < 4; i++ {
			i := i
			w, _ := co.Go(func(co *Co) (any, error) {
				return nil, sem.With(co, func() error {
					tr.add(fmt.Sprintf("%d at %v", i, co.Time()))
					return co.Sleep(time.Second)
				})
			})
			ws = append(ws, w)
		}
		if _, err := co.Gather(ws...); err != nil {
			return nil, err
		}
		if v := sem.Value(); v != 2 {
			return nil, fmt.Errorf("value %d", v)
		}
		b, _ := co.Loop().NewBoundedSemaphore(1)
		if err := b.Release(); !errors.Is(err, ErrValue) ||
			describe(err) != "ValueError: BoundedSemaphore released too many times" {
			return nil, fmt.Errorf("bounded release: %v", err)
		}
		if !b.TryAcquire() || !b.Locked() {
			return nil, errors.New("try acquire")
		}
		if _, err := co.Loop().NewSemaphore(-1); !errors.Is(err, ErrInvalid) {
			return nil, fmt.Errorf("negative: %v", err)
		}
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "0 at 0", "1 at 0", "2 at 1", "3 at 1")
}

func TestBarrier(t *testing.T) {
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		b, _ := co.Loop().NewBarrier(3)
		var ws []Awaitable
		for i := 0; i < 3; i++ {
			i := i
			w, _ := co.Go(func(co *Co) (any, error) {
				co.Sleep(time.Duration(i) * time.Second)
				n, err := b.Wait(co)
				tr.add(fmt.Sprintf("%d passed as %d at %v", i, n, co.Time()))
				return nil, err
			})
			ws = append(ws, w)
		}
		if _, err := co.Gather(ws...); err != nil {
			return nil, err
		}
		if b.Parties() != 3 || b.NWaiting() != 0 || b.Broken() {
			return nil, errors.New("state")
		}
		lone, _ := co.Go(func(co *Co) (any, error) { _, err := b.Wait(co); return nil, err })
		co.Yield()
		b.Abort()
		if _, err := co.Await(lone); !errors.Is(err, ErrBroken) {
			return nil, fmt.Errorf("aborted wait: %v", err)
		}
		return nil, b.Reset()
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	// The last arrival's future is done at once: as in asyncio, its wait
	// does not suspend, so it goes on first; the others resume in order.
	expectTrace(t, &tr, "2 passed as 2 at 2", "0 passed as 0 at 2", "1 passed as 1 at 2")
}

func TestBarrierWaitFutureLastIsReady(t *testing.T) {
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		b, _ := co.Loop().NewBarrier(3)
		var ws []Awaitable
		for i := 0; i < 3; i++ {
			i := i
			w, _ := co.Go(func(co *Co) (any, error) {
				co.Sleep(time.Duration(i) * time.Second)
				f, err := b.WaitFuture()
				if err != nil {
					return nil, err
				}
				ready := f.IsDone()
				var n any
				if ready {
					n, err = f.Result()
				} else {
					n, err = co.Await(f)
				}
				tr.add(fmt.Sprintf("%d passed as %v at %v ready=%v", i, n, co.Time(), ready))
				return nil, err
			})
			ws = append(ws, w)
		}
		if _, err := co.Gather(ws...); err != nil {
			return nil, err
		}
		f, err := b.WaitFuture()
		if err != nil {
			return nil, err
		}
		if err := b.Abort(); err != nil {
			return nil, err
		}
		if _, err := co.Await(f); !errors.Is(err, ErrBroken) {
			return nil, fmt.Errorf("aborted wait: %v", err)
		}
		// As asyncio's wait coroutine: a broken barrier fails the wait
		// when it is awaited, not the call.
		f, err = b.WaitFuture()
		if err != nil {
			return nil, fmt.Errorf("wait on a broken barrier: %v", err)
		}
		if _, err := co.Await(f); !errors.Is(err, ErrBrokenBarrier) ||
			describe(err) != "BrokenBarrierError: Barrier aborted" {
			return nil, fmt.Errorf("wait on a broken barrier: %v", err)
		}
		return nil, b.Reset()
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	// The last party reads its index at once and goes on first.
	expectTrace(t, &tr, "2 passed as 2 at 2 ready=true",
		"0 passed as 0 at 2 ready=false", "1 passed as 1 at 2 ready=false")
}

func TestQueueHoldsGoValues(t *testing.T) {
	done := leakCheck(t)
	type job struct{ ID int }
	first := &job{1}
	_, err := Run(func(co *Co) (any, error) {
		q, _ := co.Loop().NewQueue(0)
		for _, v := range []any{first, "two", int64(3), []byte("four"), nil} {
			if err := q.Put(co, v); err != nil {
				return nil, err
			}
		}
		if q.Len() != 5 || q.Empty() || q.Full() || q.MaxSize() != 0 {
			return nil, errors.New("sizes")
		}
		v, err := q.Get(co)
		if err != nil || v != first {
			return nil, fmt.Errorf("pointer identity: %v %v", v, err)
		}
		var got []any
		for i := 0; i < 4; i++ {
			v, err := q.GetNowait()
			if err != nil {
				return nil, err
			}
			got = append(got, v)
		}
		if !reflect.DeepEqual(got, []any{"two", int64(3), []byte("four"), nil}) {
			return nil, fmt.Errorf("got %#v", got)
		}
		if _, err := q.GetNowait(); !errors.Is(err, ErrEmpty) {
			return nil, fmt.Errorf("empty: %v", err)
		}
		// Items left in a queue are released with it.
		q.PutNowait(&job{2})
		q.PutNowait("left behind")
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	done()
}

func TestQueueKindsAndLimits(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		lifo, _ := l.NewLifoQueue(0)
		pq, _ := l.NewPriorityQueue(0)
		small, _ := l.NewQueue(1)
		for _, s := range []string{"a", "b", "c"} {
			lifo.PutNowait(s)
		}
		pq.PutPriorityNowait(5, "low")
		pq.PutPriorityNowait(1, "high")
		pq.PutPriorityNowait(1, "high too")
		var got []any
		for i := 0; i < 3; i++ {
			v, _ := lifo.GetNowait()
			got = append(got, v)
		}
		for i := 0; i < 3; i++ {
			v, p, _ := pq.GetPriorityNowait()
			got = append(got, fmt.Sprint(v, "/", p))
		}
		want := []any{"c", "b", "a", "high/1", "high too/1", "low/5"}
		if !reflect.DeepEqual(got, want) {
			return nil, fmt.Errorf("got %q", got)
		}
		if err := small.PutNowait(1); err != nil {
			return nil, err
		}
		if err := small.PutNowait(2); !errors.Is(err, ErrFull) || !small.Full() {
			return nil, fmt.Errorf("full: %v", err)
		}
		if err := lifo.PutPriorityNowait(1, "x"); !errors.Is(err, ErrInvalid) {
			return nil, fmt.Errorf("priority on a lifo queue: %v", err)
		}
		// asyncio: a maxsize of zero or less is no bound.
		unbounded, err := l.NewQueue(-1)
		if err != nil {
			return nil, fmt.Errorf("negative maxsize: %v", err)
		}
		for i := 0; i < 5; i++ {
			if err := unbounded.PutNowait(i); err != nil {
				return nil, fmt.Errorf("negative maxsize: put %d: %v", i, err)
			}
		}
		if unbounded.Full() || unbounded.MaxSize() != -1 || unbounded.Len() != 5 {
			return nil, fmt.Errorf("negative maxsize: full=%v maxsize=%d len=%d",
				unbounded.Full(), unbounded.MaxSize(), unbounded.Len())
		}
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}

func TestQueueProducerConsumerJoinShutdown(t *testing.T) {
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		q, _ := co.Loop().NewQueue(2)
		consumer, _ := co.Go(func(co *Co) (any, error) {
			for {
				v, err := q.Get(co)
				if errors.Is(err, ErrShutdown) {
					tr.add("consumer: shut down")
					return nil, nil
				}
				if err != nil {
					return nil, err
				}
				co.Sleep(time.Second)
				tr.add(fmt.Sprintf("consumed %v", v))
				q.TaskDone()
			}
		})
		for i := 0; i < 4; i++ {
			if err := q.Put(co, i); err != nil {
				return nil, err
			}
		}
		if err := q.Join(co); err != nil {
			return nil, err
		}
		tr.add(fmt.Sprintf("joined at %v", co.Time()))
		q.Shutdown(false)
		if err := q.Put(co, 99); !errors.Is(err, ErrShutdown) || !q.IsShutdown() {
			return nil, fmt.Errorf("put after shutdown: %v", err)
		}
		_, err := co.Await(consumer)
		if err := q.TaskDone(); !errors.Is(err, ErrValue) ||
			describe(err) != "ValueError: task_done() called too many times" {
			return nil, fmt.Errorf("extra task_done: %v", err)
		}
		return nil, err
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "consumed 0", "consumed 1", "consumed 2", "consumed 3", "joined at 4", "consumer: shut down")
}

func TestQueueCancelledGetLosesNoItem(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		q, _ := co.Loop().NewQueue(0)
		getter, _ := co.Go(func(co *Co) (any, error) { return q.Get(co) })
		co.Yield()
		// The item is handed to the parked getter, which is cancelled before
		// it resumes: the item goes back to the queue.
		q.PutNowait("precious")
		getter.Cancel("")
		if _, err := co.Await(getter); !errors.Is(err, ErrCancelled) {
			return nil, fmt.Errorf("getter: %v", err)
		}
		v, err := q.GetNowait()
		if v != "precious" {
			return nil, fmt.Errorf("item: %v %v", v, err)
		}
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}

func TestQueueFromGoroutines(t *testing.T) {
	l := startLoop(t)
	q, err := l.NewQueue(1)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for i := 0; i < 3; i++ {
			f, _ := q.PutFuture(i)
			f.Wait(nil)
		}
	}()
	for i := 0; i < 3; i++ {
		f, _ := q.GetFuture()
		v, err := f.Wait(nil)
		if err != nil || v != i {
			t.Fatalf("got %v %v", v, err)
		}
	}
	lk, _ := l.NewLock()
	f, _ := lk.AcquireFuture()
	if _, err := f.Wait(nil); err != nil || !lk.Locked() {
		t.Fatalf("acquire: %v", err)
	}
}
