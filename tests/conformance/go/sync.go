package main

// Scenarios 57-98: locks, semaphores, events, conditions, barriers and
// queues, as asyncio's coroutines: a woken waiter takes what it waited for
// when its task runs.

import (
	"time"

	"libasyncore.org/go/asyncore"
)

func init() {
	register(map[string]asyncore.TaskFunc{
		"57-lock-release-unlocked":                    s57,
		"58-lock-locked-until-waiter-runs":            s58,
		"59-lock-woken-waiter-cancelled":              s59,
		"60-ready-operations-do-not-suspend":          s60,
		"61-event-clear-before-waiter-runs":           s61,
		"62-event-wait-after-set-passes":              s62,
		"63-event-woken-waiter-cancelled":             s63,
		"64-condition-notify-n":                       s64,
		"65-condition-notify-all":                     s65,
		"66-condition-wait-for":                       s66,
		"67-condition-needs-the-lock":                 s67,
		"68-condition-cancelled-waiter-reacquires":    s68,
		"69-condition-notified-then-cancelled":        s69,
		"70-condition-shared-lock":                    s70,
		"71-semaphore-value-errors":                   s71,
		"72-semaphore-reacquire-queues-behind":        s72,
		"73-semaphore-locked-while-woken-waiters":     s73,
		"74-semaphore-woken-waiter-cancelled":         s74,
		"75-semaphore-cancelled-waiters-skipped":      s75,
		"76-semaphore-two-releases-first-two-waiters": s76,
		"77-barrier-indexes":                          s77,
		"78-barrier-draining":                         s78,
		"79-barrier-cancelled-waiter":                 s79,
		"80-barrier-abort":                            s80,
		"81-barrier-reset":                            s81,
		"82-barrier-parties-error":                    s82,
		"83-barrier-released-party-cancelled":         s83,
		"84-queue-woken-put-cancelled":                s84,
		"85-queue-woken-get-cancelled-keeps-order":    s85,
		"86-queue-woken-get-not-reserved":             s86,
		"87-queue-woken-put-not-reserved":             s87,
		"88-queue-maxsize-not-positive":               s88,
		"89-queue-errors":                             s89,
		"90-queue-shutdown-drains":                    s90,
		"91-queue-shutdown-immediate":                 s91,
		"92-lifo-queue-order":                         s92,
		"93-queue-join-waits-for-every-item":          s93,
		"94-queue-put-cancelled-while-waiting":        s94,
		"95-queue-getters-served-in-order":            s95,
		"96-priority-queue-blocked-put":               s96,
		"97-queue-shutdown-wakes-waiters":             s97,
		"98-acquire-timeout-leaves-no-trace":          s98,
	})
}

// awaitAll awaits each task in turn; a cancelled one is passed over (the
// scenarios' `try: await t except CancelledError: pass`).
func awaitAll(co *asyncore.Co, ts ...*asyncore.Task) error {
	for _, t := range ts {
		if _, err := co.Await(t); err != nil && !cancelled(err) {
			return err
		}
	}
	return nil
}

// awaitEach awaits each task in turn, every failure propagating.
func awaitEach(co *asyncore.Co, ts ...*asyncore.Task) error {
	for _, t := range ts {
		if _, err := co.Await(t); err != nil {
			return err
		}
	}
	return nil
}

// withCond is `async with cond`: the lock held around body.
func withCond(co *asyncore.Co, cd *asyncore.Condition, body func() error) error {
	if err := cd.Acquire(co); err != nil {
		return err
	}
	err := body()
	if rerr := cd.Release(); err == nil {
		err = rerr
	}
	return err
}

// awaitCancelled awaits t and traces line when it ended cancelled.
func awaitCancelled(co *asyncore.Co, t *asyncore.Task, line string) error {
	_, err := co.Await(t)
	if cancelled(err) {
		traceT("%s", line)
		return nil
	}
	return err
}

// ---- Lock ----

func s57(co *asyncore.Co) (any, error) {
	lk := must1(co.Loop().NewLock())
	if err := lk.Release(); is(err, asyncore.ErrRuntime) {
		traceT("fresh lock: %s", describe(err))
	} else {
		must(err)
	}
	if err := lk.Acquire(co); err != nil {
		return nil, err
	}
	traceT("acquired: locked=%d", b01(lk.Locked()))
	must(lk.Release())
	traceT("released: locked=%d", b01(lk.Locked()))
	if err := lk.Release(); is(err, asyncore.ErrRuntime) {
		traceT("released again: %s", describe(err))
	} else {
		must(err)
	}
	return nil, nil
}

func s58(co *asyncore.Co) (any, error) {
	lk := must1(co.Loop().NewLock())
	if err := lk.Acquire(co); err != nil {
		return nil, err
	}
	w := spawn(co, func(co *asyncore.Co) (any, error) {
		traceT("W wants")
		if err := lk.Acquire(co); err != nil {
			return nil, err
		}
		traceT("W holds: locked=%d", b01(lk.Locked()))
		if err := co.Sleep(sec); err != nil {
			return nil, err
		}
		traceT("W releases")
		return nil, lk.Release()
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	must(lk.Release())
	traceT("main released: locked=%d", b01(lk.Locked()))
	if err := lk.Acquire(co); err != nil {
		return nil, err
	}
	traceT("main holds again: locked=%d", b01(lk.Locked()))
	must(lk.Release())
	_, err := co.Await(w)
	return nil, err
}

func s59(co *asyncore.Co) (any, error) {
	lk := must1(co.Loop().NewLock())
	holder := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			traceT("%s wants", name)
			if err := lk.Acquire(co); err != nil {
				if cancelled(err) {
					traceT("%s: cancelled", name)
				}
				return nil, err
			}
			traceT("%s holds", name)
			if err := co.Sleep(sec); err != nil {
				return nil, err
			}
			traceT("%s releases", name)
			return nil, lk.Release()
		}
	}
	if err := lk.Acquire(co); err != nil {
		return nil, err
	}
	a := spawn(co, holder("A"))
	b := spawn(co, holder("B"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	must(lk.Release()) // wakes A ...
	a.Cancel("")       // ... which is cancelled before it runs
	if err := awaitCancelled(co, a, "main: A ended cancelled"); err != nil {
		return nil, err
	}
	if _, err := co.Await(b); err != nil {
		return nil, err
	}
	traceT("main: locked=%d", b01(lk.Locked()))
	return nil, nil
}

func s60(co *asyncore.Co) (any, error) {
	l := co.Loop()
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		traceT("other task runs")
		return nil, nil
	})
	lk := must1(l.NewLock())
	if err := lk.Acquire(co); err != nil {
		return nil, err
	}
	traceT("lock acquired")
	sem := must1(l.NewSemaphore(1))
	if err := sem.Acquire(co); err != nil {
		return nil, err
	}
	traceT("semaphore acquired")
	ev := must1(l.NewEvent())
	must(ev.Set())
	if err := ev.Wait(co); err != nil {
		return nil, err
	}
	traceT("event waited")
	q := must1(l.NewQueue(1))
	if err := q.Put(co, int64(5)); err != nil {
		return nil, err
	}
	traceT("put 5")
	v, err := q.Get(co)
	if err != nil {
		return nil, err
	}
	traceT("got %v", v)
	must(q.TaskDone())
	if err := q.Join(co); err != nil {
		return nil, err
	}
	traceT("joined")
	cond := must1(l.NewCondition(nil))
	if err := cond.Acquire(co); err != nil {
		return nil, err
	}
	r, err := cond.WaitForValue(co, func() int { return 7 })
	if err != nil {
		return nil, err
	}
	traceT("wait_for returned %d", r)
	must(cond.Release())
	b := must1(l.NewBarrier(1))
	i, err := b.Wait(co)
	if err != nil {
		return nil, err
	}
	traceT("barrier passed: index=%d", i)
	_, err = co.Await(t)
	return nil, err
}

// ---- Event ----

func s61(co *asyncore.Co) (any, error) {
	ev := must1(co.Loop().NewEvent())
	waiter := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			traceT("%s waits", name)
			if err := ev.Wait(co); err != nil {
				return nil, err
			}
			traceT("%s woke: is_set=%d", name, b01(ev.IsSet()))
			return nil, nil
		}
	}
	a := spawn(co, waiter("A"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	must(ev.Set())
	must(ev.Clear())
	traceT("main: set then clear, is_set=%d", b01(ev.IsSet()))
	b := spawn(co, waiter("B"))
	if _, err := co.Await(a); err != nil {
		return nil, err
	}
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	must(ev.Set())
	must(ev.Set())
	traceT("main: set twice, is_set=%d", b01(ev.IsSet()))
	_, err := co.Await(b)
	return nil, err
}

func s62(co *asyncore.Co) (any, error) {
	ev := must1(co.Loop().NewEvent())
	waiter := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			traceT("%s waits", name)
			if err := ev.Wait(co); err != nil {
				return nil, err
			}
			traceT("%s passed", name)
			return nil, nil
		}
	}
	a := spawn(co, waiter("A"))
	b := spawn(co, waiter("B"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	c := spawn(co, waiter("C"))
	must(ev.Set())
	traceT("main: set")
	return nil, awaitEach(co, a, b, c)
}

func s63(co *asyncore.Co) (any, error) {
	ev := must1(co.Loop().NewEvent())
	waiter := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := ev.Wait(co); err != nil {
				if cancelled(err) {
					traceT("%s: cancelled", name)
				}
				return nil, err
			}
			traceT("%s passed", name)
			return nil, nil
		}
	}
	a := spawn(co, waiter("A"))
	b := spawn(co, waiter("B"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	must(ev.Set())
	a.Cancel("")
	if err := awaitCancelled(co, a, "main: A ended cancelled"); err != nil {
		return nil, err
	}
	if _, err := co.Await(b); err != nil {
		return nil, err
	}
	traceT("main: is_set=%d", b01(ev.IsSet()))
	return nil, nil
}

// ---- Condition ----

func s64(co *asyncore.Co) (any, error) {
	cond := must1(co.Loop().NewCondition(nil))
	waiter := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			return nil, withCond(co, cond, func() error {
				traceT("%s waits", name)
				if err := cond.Wait(co); err != nil {
					return err
				}
				traceT("%s woke: locked=%d", name, b01(cond.Locked()))
				return nil
			})
		}
	}
	var tasks []*asyncore.Task
	for _, n := range []string{"A", "B", "C"} {
		tasks = append(tasks, spawn(co, waiter(n)))
	}
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	err := withCond(co, cond, func() error {
		must1(cond.Notify(1))
		traceT("main: notify(1)")
		if err := co.Sleep(sec); err != nil {
			return err
		}
		traceT("main: releases")
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	err = withCond(co, cond, func() error {
		must1(cond.Notify(5))
		traceT("main: notify(5)")
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := awaitEach(co, tasks...); err != nil {
		return nil, err
	}
	traceT("main: locked=%d", b01(cond.Locked()))
	return nil, nil
}

func s65(co *asyncore.Co) (any, error) {
	cond := must1(co.Loop().NewCondition(nil))
	waiter := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			return nil, withCond(co, cond, func() error {
				traceT("%s waits", name)
				if err := cond.Wait(co); err != nil {
					return err
				}
				traceT("%s woke", name)
				return nil
			})
		}
	}
	a := spawn(co, waiter("A"))
	b := spawn(co, waiter("B"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	var c *asyncore.Task
	err := withCond(co, cond, func() error {
		must1(cond.NotifyAll())
		traceT("main: notify_all")
		c = spawn(co, waiter("C"))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := awaitEach(co, a, b); err != nil {
		return nil, err
	}
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	err = withCond(co, cond, func() error {
		must1(cond.NotifyAll())
		traceT("main: notify_all again")
		return nil
	})
	if err != nil {
		return nil, err
	}
	_, err = co.Await(c)
	return nil, err
}

func s66(co *asyncore.Co) (any, error) {
	var items []int
	twoItems := func() int {
		traceT("predicate: %d items", len(items))
		if len(items) >= 2 {
			return len(items)
		}
		return 0
	}
	cond := must1(co.Loop().NewCondition(nil))
	c := spawn(co, func(co *asyncore.Co) (any, error) {
		return nil, withCond(co, cond, func() error {
			n, err := cond.WaitForValue(co, twoItems)
			if err != nil {
				return err
			}
			traceT("consumer: wait_for returned %d, locked=%d", n, b01(cond.Locked()))
			return nil
		})
	})
	for i := 0; i < 2; i++ {
		if err := co.Sleep(sec); err != nil {
			return nil, err
		}
		err := withCond(co, cond, func() error {
			items = append(items, i)
			must1(cond.Notify(1))
			traceT("main: added item %d", i)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	_, err := co.Await(c)
	return nil, err
}

func s67(co *asyncore.Co) (any, error) {
	cond := must1(co.Loop().NewCondition(nil))
	if err := cond.Wait(co); is(err, asyncore.ErrRuntime) {
		traceT("wait: %s", describe(err))
	} else if err != nil {
		return nil, err
	}
	if _, err := cond.Notify(1); is(err, asyncore.ErrRuntime) {
		traceT("notify: %s", describe(err))
	} else if err != nil {
		return nil, err
	}
	if _, err := cond.NotifyAll(); is(err, asyncore.ErrRuntime) {
		traceT("notify_all: %s", describe(err))
	} else if err != nil {
		return nil, err
	}
	r, err := cond.WaitForValue(co, func() int { return 3 })
	if err != nil {
		return nil, err
	}
	traceT("wait_for(true) returned %d, locked=%d", r, b01(cond.Locked()))
	if _, err := cond.WaitForValue(co, func() int { return 0 }); is(err, asyncore.ErrRuntime) {
		traceT("wait_for(false): %s", describe(err))
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s68(co *asyncore.Co) (any, error) {
	cond := must1(co.Loop().NewCondition(nil))
	w := spawn(co, func(co *asyncore.Co) (any, error) {
		return nil, withCond(co, cond, func() error {
			traceT("W waits")
			err := cond.Wait(co)
			if cancelled(err) {
				traceT("W cancelled: locked=%d", b01(cond.Locked()))
			}
			return err
		})
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	if err := cond.Acquire(co); err != nil {
		return nil, err
	}
	traceT("main holds the lock; cancels W")
	w.Cancel("")
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main releases")
	must(cond.Release())
	if err := awaitCancelled(co, w, "main: W ended cancelled"); err != nil {
		return nil, err
	}
	traceT("main: locked=%d", b01(cond.Locked()))
	return nil, nil
}

func s69(co *asyncore.Co) (any, error) {
	cond := must1(co.Loop().NewCondition(nil))
	waiter := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			return nil, withCond(co, cond, func() error {
				traceT("%s waits", name)
				if err := cond.Wait(co); err != nil {
					if cancelled(err) {
						traceT("%s: cancelled", name)
					}
					return err
				}
				traceT("%s notified", name)
				return nil
			})
		}
	}
	a := spawn(co, waiter("A"))
	b := spawn(co, waiter("B"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	err := withCond(co, cond, func() error {
		must1(cond.Notify(1))
		a.Cancel("")
		traceT("main: notify(1), cancel A")
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: B done=%d", b01(b.IsDone()))
	if !b.IsDone() {
		err := withCond(co, cond, func() error {
			_, err := cond.NotifyAll()
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if err := awaitCancelled(co, a, "main: A ended cancelled"); err != nil {
		return nil, err
	}
	_, err = co.Await(b)
	return nil, err
}

func s70(co *asyncore.Co) (any, error) {
	lk := must1(co.Loop().NewLock())
	cond := must1(co.Loop().NewCondition(lk))
	if err := lk.Acquire(co); err != nil {
		return nil, err
	}
	traceT("lock held: cond.locked=%d", b01(cond.Locked()))
	must(lk.Release())
	err := withCond(co, cond, func() error {
		traceT("cond held: lock.locked=%d", b01(lk.Locked()))
		return nil
	})
	if err != nil {
		return nil, err
	}
	w := spawn(co, func(co *asyncore.Co) (any, error) {
		return nil, withCond(co, cond, func() error {
			traceT("W waits")
			if err := cond.Wait(co); err != nil {
				return err
			}
			traceT("W notified")
			return nil
		})
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("W waiting: lock.locked=%d", b01(lk.Locked()))
	err = lk.With(co, func() error {
		must1(cond.Notify(1))
		traceT("main: notify under the lock")
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := co.Await(w); err != nil {
		return nil, err
	}
	traceT("main: lock.locked=%d", b01(lk.Locked()))
	return nil, nil
}

// ---- Semaphore ----

func s71(co *asyncore.Co) (any, error) {
	l := co.Loop()
	if _, err := l.NewSemaphore(-1); is(err, asyncore.ErrValue) {
		traceT("Semaphore(-1): %s", describe(err))
	} else {
		must(err)
	}
	sem := must1(l.NewBoundedSemaphore(2))
	if err := sem.Acquire(co); err != nil {
		return nil, err
	}
	must(sem.Release())
	traceT("acquired and released: locked=%d", b01(sem.Locked()))
	if err := sem.Release(); is(err, asyncore.ErrValue) {
		traceT("extra release: %s", describe(err))
	} else {
		must(err)
	}
	if err := sem.Acquire(co); err != nil {
		return nil, err
	}
	traceT("one taken: locked=%d", b01(sem.Locked()))
	if err := sem.Acquire(co); err != nil {
		return nil, err
	}
	traceT("two taken: locked=%d", b01(sem.Locked()))
	return nil, nil
}

func s72(co *asyncore.Co) (any, error) {
	sem := must1(co.Loop().NewSemaphore(1))
	repeat := func(co *asyncore.Co) (any, error) {
		if err := sem.Acquire(co); err != nil {
			return nil, err
		}
		traceT("A holds")
		if err := co.Sleep(sec); err != nil {
			return nil, err
		}
		must(sem.Release())
		traceT("A released: locked=%d", b01(sem.Locked()))
		if err := sem.Acquire(co); err != nil {
			return nil, err
		}
		traceT("A holds again")
		if err := co.Sleep(sec); err != nil {
			return nil, err
		}
		return nil, sem.Release()
	}
	once := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := sem.Acquire(co); err != nil {
				return nil, err
			}
			traceT("%s holds", name)
			if err := co.Sleep(sec); err != nil {
				return nil, err
			}
			return nil, sem.Release()
		}
	}
	tasks := []*asyncore.Task{spawn(co, repeat), spawn(co, once("B")), spawn(co, once("C"))}
	if err := awaitEach(co, tasks...); err != nil {
		return nil, err
	}
	traceT("main: locked=%d", b01(sem.Locked()))
	return nil, nil
}

func s73(co *asyncore.Co) (any, error) {
	sem := must1(co.Loop().NewSemaphore(0))
	late := func(co *asyncore.Co) (any, error) {
		traceT("D runs")
		return nil, nil
	}
	first := func(co *asyncore.Co) (any, error) {
		if err := sem.Acquire(co); err != nil {
			return nil, err
		}
		traceT("A acquired")
		spawn(co, late)
		return nil, nil
	}
	releaser := func(co *asyncore.Co) (any, error) {
		must(sem.Release())
		must(sem.Release())
		must(sem.Release())
		traceT("R released three: locked=%d", b01(sem.Locked()))
		if err := sem.Acquire(co); err != nil {
			return nil, err
		}
		traceT("R acquired")
		return nil, nil
	}
	newcomer := func(co *asyncore.Co) (any, error) {
		if err := sem.Acquire(co); err != nil {
			return nil, err
		}
		traceT("B acquired")
		return nil, nil
	}
	spawn(co, first)
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	spawn(co, releaser)
	spawn(co, newcomer)
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: locked=%d", b01(sem.Locked()))
	return nil, nil
}

// semWorker acquires sem, tracing its cancellation (74, 75).
func semWorker(sem *asyncore.Semaphore, name string) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		if err := sem.Acquire(co); err != nil {
			if cancelled(err) {
				traceT("%s: cancelled", name)
			}
			return nil, err
		}
		traceT("%s acquired", name)
		return nil, nil
	}
}

func s74(co *asyncore.Co) (any, error) {
	sem := must1(co.Loop().NewSemaphore(0))
	a := spawn(co, semWorker(sem, "A"))
	b := spawn(co, semWorker(sem, "B"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	must(sem.Release()) // wakes A ...
	a.Cancel("")        // ... which is cancelled before it runs
	if err := awaitCancelled(co, a, "main: A ended cancelled"); err != nil {
		return nil, err
	}
	if _, err := co.Await(b); err != nil {
		return nil, err
	}
	traceT("main: locked=%d", b01(sem.Locked()))
	must(sem.Release())
	traceT("main: released, locked=%d", b01(sem.Locked()))
	return nil, nil
}

func s75(co *asyncore.Co) (any, error) {
	sem := must1(co.Loop().NewSemaphore(0))
	var tasks []*asyncore.Task
	for _, n := range []string{"A", "B", "C", "D"} {
		tasks = append(tasks, spawn(co, semWorker(sem, n)))
	}
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	tasks[0].Cancel("")
	tasks[1].Cancel("")
	must(sem.Release())
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: C done=%d D done=%d", b01(tasks[2].IsDone()), b01(tasks[3].IsDone()))
	must(sem.Release())
	if err := awaitAll(co, tasks...); err != nil {
		return nil, err
	}
	traceT("main: locked=%d", b01(sem.Locked()))
	return nil, nil
}

func s76(co *asyncore.Co) (any, error) {
	sem := must1(co.Loop().NewSemaphore(0))
	worker := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			traceT("%s wants", name)
			if err := sem.Acquire(co); err != nil {
				return nil, err
			}
			traceT("%s acquired", name)
			return nil, nil
		}
	}
	a := spawn(co, worker("A"))
	b := spawn(co, worker("B"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	must(sem.Release())
	x := spawn(co, worker("X"))
	must(sem.Release())
	if err := awaitEach(co, a, b); err != nil {
		return nil, err
	}
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: X done=%d", b01(x.IsDone()))
	must(sem.Release())
	_, err := co.Await(x)
	return nil, err
}

// ---- Barrier ----

func s77(co *asyncore.Co) (any, error) {
	b := must1(co.Loop().NewBarrier(3))
	party := func(name string, delay time.Duration) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := co.Sleep(delay); err != nil {
				return nil, err
			}
			traceT("%s arrives: n_waiting=%d", name, b.NWaiting())
			i, err := b.Wait(co)
			if err != nil {
				return nil, err
			}
			traceT("%s passed: index=%d", name, i)
			return nil, nil
		}
	}
	tasks := []*asyncore.Task{spawn(co, party("A", 2*sec)), spawn(co, party("B", sec)),
		spawn(co, party("C", 3*sec))}
	if err := awaitEach(co, tasks...); err != nil {
		return nil, err
	}
	traceT("main: parties=%d n_waiting=%d broken=%d", b.Parties(), b.NWaiting(), b01(b.Broken()))
	one := must1(co.Loop().NewBarrier(1))
	i, err := one.Wait(co)
	if err != nil {
		return nil, err
	}
	j, err := one.Wait(co)
	if err != nil {
		return nil, err
	}
	traceT("main: Barrier(1) passed twice: index=%d, %d", i, j)
	return nil, nil
}

func s78(co *asyncore.Co) (any, error) {
	b := must1(co.Loop().NewBarrier(2))
	party := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			traceT("%s arrives: n_waiting=%d", name, b.NWaiting())
			i, err := b.Wait(co)
			if err != nil {
				return nil, err
			}
			traceT("%s passed: index=%d", name, i)
			return nil, nil
		}
	}
	var tasks []*asyncore.Task
	for _, n := range []string{"A", "B", "C", "D"} {
		tasks = append(tasks, spawn(co, party(n)))
	}
	if err := awaitEach(co, tasks...); err != nil {
		return nil, err
	}
	traceT("main: n_waiting=%d broken=%d", b.NWaiting(), b01(b.Broken()))
	return nil, nil
}

func s79(co *asyncore.Co) (any, error) {
	b := must1(co.Loop().NewBarrier(3))
	party := func(name string, delay time.Duration) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := co.Sleep(delay); err != nil {
				return nil, err
			}
			i, err := b.Wait(co)
			if err != nil {
				if cancelled(err) {
					traceT("%s: cancelled", name)
				}
				return nil, err
			}
			traceT("%s passed: index=%d", name, i)
			return nil, nil
		}
	}
	a := spawn(co, party("A", 0))
	x := spawn(co, party("X", sec))
	if err := co.Sleep(2 * sec); err != nil {
		return nil, err
	}
	traceT("main: n_waiting=%d, cancels X", b.NWaiting())
	x.Cancel("")
	if err := awaitAll(co, x); err != nil {
		return nil, err
	}
	traceT("main: n_waiting=%d", b.NWaiting())
	c := spawn(co, party("C", sec))
	d := spawn(co, party("D", 2*sec))
	if err := awaitEach(co, a, c, d); err != nil {
		return nil, err
	}
	traceT("main: n_waiting=%d broken=%d", b.NWaiting(), b01(b.Broken()))
	return nil, nil
}

func s80(co *asyncore.Co) (any, error) {
	b := must1(co.Loop().NewBarrier(3))
	party := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if _, err := b.Wait(co); is(err, asyncore.ErrBrokenBarrier) {
				traceT("%s: %s", name, describe(err))
			} else if err != nil {
				return nil, err
			}
			return nil, nil
		}
	}
	a := spawn(co, party("A"))
	c := spawn(co, party("B"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	must(b.Abort())
	traceT("main: aborted, broken=%d n_waiting=%d", b01(b.Broken()), b.NWaiting())
	if err := awaitEach(co, a, c); err != nil {
		return nil, err
	}
	if _, err := b.Wait(co); is(err, asyncore.ErrBrokenBarrier) {
		traceT("main: later wait: %s", describe(err))
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s81(co *asyncore.Co) (any, error) {
	b := must1(co.Loop().NewBarrier(3))
	party := func(name string, delay time.Duration) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := co.Sleep(delay); err != nil {
				return nil, err
			}
			i, err := b.Wait(co)
			if is(err, asyncore.ErrBrokenBarrier) {
				traceT("%s: %s", name, describe(err))
				return nil, nil
			} else if err != nil {
				return nil, err
			}
			traceT("%s passed: index=%d", name, i)
			return nil, nil
		}
	}
	first := []*asyncore.Task{spawn(co, party("A", 0)), spawn(co, party("B", 0))}
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	must(b.Reset())
	traceT("main: reset")
	if err := awaitEach(co, first...); err != nil {
		return nil, err
	}
	traceT("main: broken=%d n_waiting=%d", b01(b.Broken()), b.NWaiting())
	again := []*asyncore.Task{spawn(co, party("X", sec)), spawn(co, party("Y", 2*sec)),
		spawn(co, party("Z", 3*sec))}
	return nil, awaitEach(co, again...)
}

func s82(co *asyncore.Co) (any, error) {
	for _, n := range []int64{0, -4} {
		if _, err := co.Loop().NewBarrier(n); is(err, asyncore.ErrValue) {
			traceT("Barrier(%d): %s", n, describe(err))
		} else {
			must(err)
		}
	}
	traceT("Barrier(1): parties=%d", must1(co.Loop().NewBarrier(1)).Parties())
	return nil, nil
}

func s83(co *asyncore.Co) (any, error) {
	b := must1(co.Loop().NewBarrier(2))
	party := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			i, err := b.Wait(co)
			if err != nil {
				if cancelled(err) {
					traceT("%s: cancelled", name)
				}
				return nil, err
			}
			traceT("%s passed: index=%d", name, i)
			return nil, nil
		}
	}
	a := spawn(co, party("A"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	i, err := b.Wait(co)
	if err != nil {
		return nil, err
	}
	traceT("main passed: index=%d; cancels A", i)
	a.Cancel("")
	if err := awaitCancelled(co, a, "main: A ended cancelled"); err != nil {
		return nil, err
	}
	traceT("main: broken=%d n_waiting=%d", b01(b.Broken()), b.NWaiting())
	c := spawn(co, party("C"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	i, err = b.Wait(co)
	if err != nil {
		return nil, err
	}
	traceT("main passed again: index=%d", i)
	_, err = co.Await(c)
	return nil, err
}

// ---- Queue ----

func s84(co *asyncore.Co) (any, error) {
	q := must1(co.Loop().NewQueue(1))
	putter := func(name, item string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := q.Put(co, item); err != nil {
				if cancelled(err) {
					traceT("%s: cancelled, qsize=%d", name, q.Len())
				}
				return nil, err
			}
			traceT("%s: put %s, qsize=%d", name, item, q.Len())
			return nil, nil
		}
	}
	must(q.PutNowait("x"))
	p1 := spawn(co, putter("P1", "a"))
	p2 := spawn(co, putter("P2", "b"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: got %v", must1(q.GetNowait())) // frees the slot: P1 is woken ...
	p1.Cancel("")                                // ... and cancelled before it runs
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: P1 cancelled=%d P2 done=%d, qsize=%d", b01(p1.Cancelled()), b01(p2.IsDone()), q.Len())
	spawn(co, putter("P1 again", "a"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: got %v", must1(q.GetNowait()))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	v := must1(q.GetNowait())
	traceT("main: got %v, qsize=%d", v, q.Len())
	return nil, nil
}

func s85(co *asyncore.Co) (any, error) {
	q := must1(co.Loop().NewQueue(0))
	getter := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			v, err := q.Get(co)
			if err != nil {
				if cancelled(err) {
					traceT("%s: cancelled, qsize=%d", name, q.Len())
				}
				return nil, err
			}
			traceT("%s: got %v", name, v)
			return nil, nil
		}
	}
	g := spawn(co, getter("G"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	must(q.PutNowait(int64(1))) // wakes G ...
	must(q.PutNowait(int64(2)))
	g.Cancel("") // ... which is cancelled before it runs
	if err := awaitCancelled(co, g, "main: G ended cancelled"); err != nil {
		return nil, err
	}
	if _, err := co.Await(spawn(co, getter("G2"))); err != nil {
		return nil, err
	}
	if _, err := co.Await(spawn(co, getter("G3"))); err != nil {
		return nil, err
	}
	traceT("main: qsize=%d", q.Len())
	return nil, nil
}

func s86(co *asyncore.Co) (any, error) {
	q := must1(co.Loop().NewQueue(0))
	g := spawn(co, func(co *asyncore.Co) (any, error) {
		v, err := q.Get(co)
		if err != nil {
			return nil, err
		}
		traceT("G: got %v", v)
		return nil, nil
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	must(q.PutNowait(int64(1)))
	if v, err := q.GetNowait(); is(err, asyncore.ErrQueueEmpty) {
		traceT("main: get_nowait -> QueueEmpty")
	} else {
		must(err)
		traceT("main: get_nowait -> %v", v)
	}
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: G done=%d, qsize=%d", b01(g.IsDone()), q.Len())
	must(q.PutNowait(int64(2)))
	_, err := co.Await(g)
	return nil, err
}

func s87(co *asyncore.Co) (any, error) {
	q := must1(co.Loop().NewQueue(1))
	must(q.PutNowait("x"))
	p := spawn(co, func(co *asyncore.Co) (any, error) {
		if err := q.Put(co, "p"); err != nil {
			return nil, err
		}
		traceT("P: put p, qsize=%d", q.Len())
		return nil, nil
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: got %v", must1(q.GetNowait()))
	if err := q.PutNowait("m"); is(err, asyncore.ErrQueueFull) {
		traceT("main: put_nowait m -> QueueFull")
	} else {
		must(err)
		traceT("main: put_nowait m done")
	}
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	done := p.IsDone()
	traceT("main: P done=%d, got %v", b01(done), must1(q.GetNowait()))
	if _, err := co.Await(p); err != nil {
		return nil, err
	}
	traceT("main: got %v", must1(q.GetNowait()))
	return nil, nil
}

func s88(co *asyncore.Co) (any, error) {
	for _, size := range []int{0, -1} {
		q := must1(co.Loop().NewQueue(size))
		for i := int64(0); i < 5; i++ {
			if err := q.Put(co, i); err != nil {
				return nil, err
			}
		}
		must(q.PutNowait(int64(5)))
		traceT("Queue(%d): maxsize=%d qsize=%d full=%d", size, q.MaxSize(), q.Len(), b01(q.Full()))
	}
	return nil, nil
}

func s89(co *asyncore.Co) (any, error) {
	q := must1(co.Loop().NewQueue(1))
	if _, err := q.GetNowait(); is(err, asyncore.ErrQueueEmpty) {
		traceT("get_nowait on empty: %s", describe(err))
	} else {
		must(err)
	}
	must(q.PutNowait(int64(1)))
	if err := q.PutNowait(int64(2)); is(err, asyncore.ErrQueueFull) {
		traceT("put_nowait on full: %s, qsize=%d", describe(err), q.Len())
	} else {
		must(err)
	}
	traceT("got %v", must1(q.GetNowait()))
	must(q.TaskDone())
	if err := q.TaskDone(); is(err, asyncore.ErrValue) {
		traceT("task_done again: %s", describe(err))
	} else {
		must(err)
	}
	if err := q.Join(co); err != nil {
		return nil, err
	}
	traceT("joined")
	return nil, nil
}

// joiner is a task that joins q and says so (90, 91).
func joiner(q *asyncore.Queue) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		if err := q.Join(co); err != nil {
			return nil, err
		}
		traceT("J: joined")
		return nil, nil
	}
}

func s90(co *asyncore.Co) (any, error) {
	q := must1(co.Loop().NewQueue(1))
	must(q.PutNowait("a"))
	p := spawn(co, func(co *asyncore.Co) (any, error) {
		if err := q.Put(co, "b"); is(err, asyncore.ErrQueueShutDown) {
			traceT("P: %s", describe(err))
		} else if err != nil {
			return nil, err
		}
		return nil, nil
	})
	j := spawn(co, joiner(q))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	must(q.Shutdown(false))
	traceT("main: shut down, qsize=%d", q.Len())
	if _, err := co.Await(p); err != nil {
		return nil, err
	}
	v, err := q.Get(co)
	if err != nil {
		return nil, err
	}
	traceT("main: got %v", v)
	if _, err := q.Get(co); is(err, asyncore.ErrQueueShutDown) {
		traceT("main: get: %s", describe(err))
	} else if err != nil {
		return nil, err
	}
	if _, err := q.GetNowait(); is(err, asyncore.ErrQueueShutDown) {
		traceT("main: get_nowait: %s", describe(err))
	} else {
		must(err)
	}
	if err := q.PutNowait("c"); is(err, asyncore.ErrQueueShutDown) {
		traceT("main: put_nowait: %s", describe(err))
	} else {
		must(err)
	}
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: J done=%d", b01(j.IsDone()))
	must(q.TaskDone())
	_, err = co.Await(j)
	return nil, err
}

func s91(co *asyncore.Co) (any, error) {
	q := must1(co.Loop().NewQueue(0))
	for _, item := range []string{"a", "b", "c"} {
		must(q.PutNowait(item))
	}
	v, err := q.Get(co)
	if err != nil {
		return nil, err
	}
	traceT("main: got %v", v)
	j := spawn(co, joiner(q))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	must(q.Shutdown(true))
	traceT("main: shut down now, qsize=%d", q.Len())
	if _, err := q.Get(co); is(err, asyncore.ErrQueueShutDown) {
		traceT("main: get: %s", describe(err))
	} else if err != nil {
		return nil, err
	}
	if err := q.Put(co, "d"); is(err, asyncore.ErrQueueShutDown) {
		traceT("main: put: %s", describe(err))
	} else if err != nil {
		return nil, err
	}
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: J done=%d", b01(j.IsDone()))
	must(q.TaskDone())
	if _, err := co.Await(j); err != nil {
		return nil, err
	}
	if err := q.Join(co); err != nil {
		return nil, err
	}
	traceT("main: joined after shutdown")
	if err := q.TaskDone(); is(err, asyncore.ErrValue) {
		traceT("main: task_done: %s", describe(err))
	} else {
		must(err)
	}
	return nil, nil
}

func s92(co *asyncore.Co) (any, error) {
	q := must1(co.Loop().NewLifoQueue(0))
	g := spawn(co, func(co *asyncore.Co) (any, error) {
		v, err := q.Get(co)
		if err != nil {
			return nil, err
		}
		traceT("G: got %v", v)
		return nil, nil
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	for _, i := range []int64{1, 3, 2} {
		if err := q.Put(co, i); err != nil {
			return nil, err
		}
	}
	if _, err := co.Await(g); err != nil {
		return nil, err
	}
	var items []any
	for k := 0; k < 2; k++ {
		v, err := q.Get(co)
		if err != nil {
			return nil, err
		}
		items = append(items, v)
	}
	traceT("main: got %s", join(items...))
	for _, i := range []int64{4, 5, 6} {
		must(q.PutNowait(i))
	}
	items = nil
	for k := 0; k < 3; k++ {
		items = append(items, must1(q.GetNowait()))
	}
	traceT("main: got %s", join(items...))
	return nil, nil
}

func s93(co *asyncore.Co) (any, error) {
	q := must1(co.Loop().NewQueue(0))
	joinAs := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := q.Join(co); err != nil {
				return nil, err
			}
			traceT("%s: joined", name)
			return nil, nil
		}
	}
	if err := q.Join(co); err != nil {
		return nil, err
	}
	traceT("main: join on a fresh queue returned")
	must(q.PutNowait(int64(1)))
	must(q.PutNowait(int64(2)))
	j1 := spawn(co, joinAs("J1"))
	j2 := spawn(co, joinAs("J2"))
	must1(q.GetNowait())
	must1(q.GetNowait())
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	must(q.TaskDone())
	traceT("main: one task_done")
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	must(q.TaskDone())
	traceT("main: second task_done")
	return nil, awaitEach(co, j1, j2)
}

func s94(co *asyncore.Co) (any, error) {
	q := must1(co.Loop().NewQueue(1))
	putter := func(name, item string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := q.Put(co, item); err != nil {
				if cancelled(err) {
					traceT("%s: cancelled", name)
				}
				return nil, err
			}
			traceT("%s: put %s", name, item)
			return nil, nil
		}
	}
	var tasks []*asyncore.Task
	for _, p := range [][2]string{{"A", "a"}, {"B", "b"}, {"C", "c"}, {"D", "d"}} {
		tasks = append(tasks, spawn(co, putter(p[0], p[1])))
	}
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	tasks[2].Cancel("")
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	var got []any
	for len(got) < 3 {
		v, err := q.Get(co)
		if err != nil {
			return nil, err
		}
		got = append(got, v)
	}
	traceT("main: got %s, qsize=%d", join(got...), q.Len())
	return nil, awaitAll(co, tasks...)
}

func s95(co *asyncore.Co) (any, error) {
	q := must1(co.Loop().NewQueue(0))
	getter := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			v, err := q.Get(co)
			if err != nil {
				if cancelled(err) {
					traceT("%s: cancelled", name)
				}
				return nil, err
			}
			traceT("%s: got %v", name, v)
			return nil, nil
		}
	}
	var tasks []*asyncore.Task
	for _, n := range []string{"G1", "G2", "G3", "G4"} {
		tasks = append(tasks, spawn(co, getter(n)))
	}
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	tasks[1].Cancel("")
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	for _, i := range []int64{10, 20, 30} {
		must(q.PutNowait(i))
	}
	if err := awaitAll(co, tasks...); err != nil {
		return nil, err
	}
	traceT("main: qsize=%d", q.Len())
	return nil, nil
}

func s96(co *asyncore.Co) (any, error) {
	q := must1(co.Loop().NewPriorityQueue(2))
	if err := q.PutPriority(co, 5, "five"); err != nil {
		return nil, err
	}
	if err := q.PutPriority(co, 3, "three"); err != nil {
		return nil, err
	}
	p := spawn(co, func(co *asyncore.Co) (any, error) {
		if err := q.PutPriority(co, 1, "one"); err != nil {
			return nil, err
		}
		traceT("put one (priority 1), qsize=%d", q.Len())
		return nil, nil
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: full=%d", b01(q.Full()))
	name, err := q.Get(co)
	if err != nil {
		return nil, err
	}
	traceT("main: got %v", name)
	if _, err := co.Await(p); err != nil {
		return nil, err
	}
	var got []any
	for !q.Empty() {
		got = append(got, must1(q.GetNowait()))
	}
	traceT("main: got %s", join(got...))
	return nil, nil
}

func s97(co *asyncore.Co) (any, error) {
	empty := must1(co.Loop().NewQueue(0))
	full := must1(co.Loop().NewQueue(1))
	must(full.PutNowait("x"))
	g := spawn(co, func(co *asyncore.Co) (any, error) {
		v, err := empty.Get(co)
		if is(err, asyncore.ErrQueueShutDown) {
			traceT("G: %s", describe(err))
		} else if err != nil {
			return nil, err
		} else {
			traceT("G: got %v", v)
		}
		return nil, nil
	})
	p := spawn(co, func(co *asyncore.Co) (any, error) {
		err := full.Put(co, "y")
		if is(err, asyncore.ErrQueueShutDown) {
			traceT("P: %s, qsize=%d", describe(err), full.Len())
		} else if err != nil {
			return nil, err
		} else {
			traceT("P: put y")
		}
		return nil, nil
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	must(empty.Shutdown(true))
	must(full.Shutdown(true))
	traceT("main: shut down, qsize=%d", full.Len())
	if err := awaitEach(co, g, p); err != nil {
		return nil, err
	}
	if err := full.Join(co); err != nil {
		return nil, err
	}
	traceT("main: joined")
	return nil, nil
}

func s98(co *asyncore.Co) (any, error) {
	lk := must1(co.Loop().NewLock())
	q := must1(co.Loop().NewQueue(0))
	lockWaiter := func(co *asyncore.Co) (any, error) {
		_, err := co.WaitForFunc(func(co *asyncore.Co) (any, error) { return nil, lk.Acquire(co) }, sec)
		if is(err, asyncore.ErrTimeout) {
			traceT("W: timed out, locked=%d", b01(lk.Locked()))
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		traceT("W: acquired")
		return nil, nil
	}
	getWaiter := func(co *asyncore.Co) (any, error) {
		v, err := co.WaitForFunc(func(co *asyncore.Co) (any, error) { return q.Get(co) }, sec)
		if is(err, asyncore.ErrTimeout) {
			traceT("G: timed out, qsize=%d", q.Len())
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		traceT("G: got %v", v)
		return nil, nil
	}
	if err := lk.Acquire(co); err != nil {
		return nil, err
	}
	w := spawn(co, lockWaiter)
	g := spawn(co, getWaiter)
	if err := co.Sleep(2 * sec); err != nil {
		return nil, err
	}
	must(lk.Release())
	must(q.PutNowait(int64(7)))
	traceT("main: released, locked=%d; put 7, qsize=%d", b01(lk.Locked()), q.Len())
	return nil, awaitEach(co, w, g)
}
