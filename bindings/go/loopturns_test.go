package asyncore

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// Operations whose result is ready do not suspend (asyncio's rule): a put
// with room, a get with an item, a free lock. The task created first runs
// only when main stops.
func TestReadyOperationsDoNotSuspend(t *testing.T) {
	done := leakCheck(t)
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		q, _ := l.NewQueue(1)
		lk, _ := l.NewLock()
		other, _ := co.Go(func(co *Co) (any, error) { tr.add("other runs"); return nil, nil })
		if err := q.Put(co, int64(1)); err != nil {
			return nil, err
		}
		tr.add("put with room")
		v, err := q.Get(co)
		if err != nil || v != int64(1) {
			return nil, fmt.Errorf("get: %v %v", v, err)
		}
		tr.add("get with an item")
		if err := lk.Acquire(co); err != nil {
			return nil, err
		}
		tr.add("free lock taken")
		if err := lk.Release(); err != nil {
			return nil, err
		}
		_, err = co.Await(other)
		return nil, err
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "put with room", "get with an item", "free lock taken", "other runs")
	done()
}

// Tasks created together start as a batch; one that a sibling cancels
// before its code ran never runs, as asyncio does for a task cancelled
// before it starts.
func TestBatchSiblingCancelledBeforeItRuns(t *testing.T) {
	done := leakCheck(t)
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		var b *Task
		a, _ := co.Go(func(co *Co) (any, error) {
			tr.add("a runs")
			tr.add(fmt.Sprintf("a cancels b: %v", b.Cancel("")))
			return nil, nil
		})
		b, _ = co.Go(func(co *Co) (any, error) { tr.add("b runs"); return nil, nil })
		c, _ := co.Go(func(co *Co) (any, error) { tr.add("c runs"); return nil, nil })
		if _, err := co.Await(a); err != nil {
			return nil, err
		}
		if _, err := co.Await(b); !errors.Is(err, ErrCancelled) {
			return nil, fmt.Errorf("b: %v", err)
		}
		_, err := co.Await(c)
		return nil, err
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "a runs", "a cancels b: true", "c runs")
	done()
}

// A task that finished its code is done, even before the library records
// it: a cancel then is refused, as for a finished task.
func TestCancelAfterTheCodeReturnedIsRefused(t *testing.T) {
	_, err := Run(func(co *Co) (any, error) {
		quick, _ := co.Go(func(co *Co) (any, error) { return "quick", nil })
		var refused bool
		other, _ := co.Go(func(co *Co) (any, error) {
			refused = !quick.Cancel("")
			return nil, nil
		})
		if _, err := co.Await(other); err != nil {
			return nil, err
		}
		v, err := co.Await(quick)
		if v != "quick" || err != nil || !refused {
			return nil, fmt.Errorf("quick: %v %v, cancel refused %v", v, err, refused)
		}
		return nil, nil
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}

// When a goroutine that takes the loop over finds itself on another thread
// than the one that last ran it, it hands the loop to its own thread
// (ac_loop_bind_thread): nothing runs, what was ready keeps its turn.
func TestRebindKeepsTheOrder(t *testing.T) {
	done := leakCheck(t)
	var tr trace
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		if _, err := l.CallSoon(func() { tr.add("callback") }); err != nil {
			return nil, err
		}
		other, _ := co.Go(func(co *Co) (any, error) { tr.add("other"); return nil, nil })
		// As if the goroutine had found itself on another thread than the
		// one that last ran the loop (takeTurn).
		l.cOwner = 0
		l.rebind()
		tr.add("main goes on")
		if err := co.Yield(); err != nil {
			return nil, err
		}
		tr.add("main after yield")
		_, err := co.Await(other)
		return nil, err
	}, WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "main goes on", "callback", "other", "main after yield")
	done()
}

// Many hand-overs between two tasks, with more than one P, so that a
// goroutine now and then resumes on another thread (and moves the loop).
func TestManyHandOversAcrossThreads(t *testing.T) {
	prev := runtime.GOMAXPROCS(4)
	defer runtime.GOMAXPROCS(prev)
	done := leakCheck(t)
	const n = 20000
	_, err := Run(func(co *Co) (any, error) {
		l := co.Loop()
		ping, _ := l.NewQueue(1)
		pong, _ := l.NewQueue(1)
		echo, _ := co.Go(func(co *Co) (any, error) {
			for i := 0; i < n; i++ {
				v, err := ping.Get(co)
				if err != nil {
					return nil, err
				}
				if err := pong.Put(co, v); err != nil {
					return nil, err
				}
			}
			return nil, nil
		})
		for i := 0; i < n; i++ {
			if err := ping.Put(co, int64(i)); err != nil {
				return nil, err
			}
			if v, err := pong.Get(co); err != nil || v != int64(i) {
				return nil, fmt.Errorf("trip %d: %v %v", i, v, err)
			}
			if i%1000 == 0 {
				// A blocking pause lets the scheduler move goroutines.
				time.Sleep(10 * time.Microsecond)
			}
		}
		_, err := co.Await(echo)
		return nil, err
	})
	if err != nil {
		t.Fatal(err)
	}
	done()
}

// A stop asked by a task ends RunForever, also when new tasks start in
// the same run (their start stops the run too, for the binding's own use).
func TestStopFromATaskWithNewTasks(t *testing.T) {
	done := leakCheck(t)
	l, err := NewLoop(WithVirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	var tr trace
	_, err = l.Go(func(co *Co) (any, error) {
		for i := 0; i < 3; i++ {
			i := i
			co.Go(func(co *Co) (any, error) { tr.add(fmt.Sprint("task ", i)); return nil, nil })
		}
		tr.add("stop")
		return nil, co.Loop().Stop()
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	tr.add("returned")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	expectTrace(t, &tr, "stop", "task 0", "task 1", "task 2", "returned")
	done()
}
