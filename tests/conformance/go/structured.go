package main

// Scenarios 140-179: timeout scopes, wait_for, gather, wait, as_completed,
// shield and TaskGroup.

import (
	"errors"
	"math"
	"sort"
	"strings"
	"syscall"
	"time"

	"libasyncore.org/go/asyncore"
)

func init() {
	register(map[string]asyncore.TaskFunc{
		"140-timeout-zero-expires-at-once":             s140,
		"141-timeout-past-deadline-and-negative":       s141,
		"142-timeout-zero-sleep-zero-raises":           s142,
		"143-timeout-zero-self-cancel":                 s143,
		"144-timeout-error-cause":                      s144,
		"145-timeout-reschedule-before-enter":          s145,
		"146-timeout-reenter-refused":                  s146,
		"147-timeout-reschedule-after-exit-or-expiry":  s147,
		"148-timeout-swallowed-cancel":                 s148,
		"149-timeout-reschedule-moves-deadline":        s149,
		"150-timeouts-nested-same-deadline":            s150,
		"151-timeout-while-cancelling":                 s151,
		"152-wait-for-zero-never-starts":               s152,
		"153-wait-for-negative-cancels":                s153,
		"154-wait-for-done-task-no-suspend":            s154,
		"155-wait-for-coroutine-in-caller":             s155,
		"156-wait-for-cancelled-from-outside":          s156,
		"157-wait-for-inner-swallows-cancel":           s157,
		"158-wait-for-cleanup-error-wins":              s158,
		"159-wait-for-shield-zero":                     s159,
		"160-gather-child-cancelled-alone":             s160,
		"161-gather-child-cancelled-return-exceptions": s161,
		"162-gather-cancelled-from-outside":            s162,
		"163-gather-same-task-twice":                   s163,
		"164-gather-zero":                              s164,
		"165-gather-done-children-no-suspend":          s165,
		"166-wait-first-exception":                     s166,
		"167-wait-all-completed-with-errors":           s167,
		"168-wait-timeout-does-not-cancel":             s168,
		"169-as-completed-duplicates":                  s169,
		"170-as-completed-timeout":                     s170,
		"171-shield-outer-cancelled-inner-goes-on":     s171,
		"172-shield-inner-outcome-reaches-awaiter":     s172,
		"173-taskgroup-child-error-while-body-awaits":  s173,
		"174-taskgroup-body-error-and-child-error":     s174,
		"175-taskgroup-create-task-refused":            s175,
		"176-taskgroups-nested-errors":                 s176,
		"177-taskgroups-nested-errors-outer-cancelled": s177,
		"178-taskgroup-cancelled-while-joining":        s178,
		"179-taskgroup-spawn-while-joining":            s179,
	})
}

// none is asyncio's None as a deadline.
var none = math.Inf(1)

// cause is the error err was raised from (Python's __cause__).
func cause(err error) error { return errors.Unwrap(err) }

// ---- timeout scopes ----

func s140(co *asyncore.Co) (any, error) {
	scope := must1(co.NewTimeout(0))
	err := scope.Run(co, func(*asyncore.Scope) error {
		traceT("body: entered")
		if err := co.Sleep(sec); err != nil {
			return err
		}
		traceT("body: after the sleep")
		return nil
	})
	if is(err, asyncore.ErrTimeout) {
		traceT("main: caught %s", code(err))
	} else if err != nil {
		return nil, err
	}
	traceT("main: expired=%d", b01(scope.Expired()))
	return nil, nil
}

func s141(co *asyncore.Co) (any, error) {
	if err := co.Sleep(2 * sec); err != nil {
		return nil, err
	}
	at := must1(co.NewTimeoutAt(co.Time() - 1))
	neg := must1(co.NewTimeout(-sec))
	for _, c := range []struct {
		label string
		scope *asyncore.Scope
	}{{"timeout_at(now - 1)", at}, {"timeout(-1)", neg}} {
		err := c.scope.Run(co, func(*asyncore.Scope) error {
			if err := co.Sleep(sec); err != nil {
				return err
			}
			traceT("%s: after the sleep", c.label)
			return nil
		})
		if is(err, asyncore.ErrTimeout) {
			traceT("%s: caught %s when=%d expired=%d", c.label, code(err), msOf(c.scope.When()),
				b01(c.scope.Expired()))
		} else if err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func s142(co *asyncore.Co) (any, error) {
	scope := must1(co.NewTimeout(0))
	err := scope.Run(co, func(*asyncore.Scope) error {
		spawn(co, func(co *asyncore.Co) (any, error) {
			traceT("other: ran")
			return nil, nil
		})
		if err := co.Sleep(0); err != nil {
			return err
		}
		traceT("body: after sleep(0)")
		return nil
	})
	if is(err, asyncore.ErrTimeout) {
		traceT("main: caught %s", code(err))
	} else if err != nil {
		return nil, err
	}
	traceT("main: expired=%d", b01(scope.Expired()))
	return nil, nil
}

func s143(co *asyncore.Co) (any, error) {
	scope := must1(co.NewTimeout(0))
	me := co.Task()
	err := scope.Run(co, func(*asyncore.Scope) error {
		me.Cancel("")
		if err := co.Sleep(sec); err != nil {
			return err
		}
		traceT("body: after the sleep")
		return nil
	})
	if is(err, asyncore.ErrTimeout) {
		traceT("main: caught TimeoutError %s", code(err))
	} else if cancelled(err) {
		traceT("main: caught %s", code(err))
	} else if err != nil {
		return nil, err
	}
	traceT("main: expired=%d cancelling=%d", b01(scope.Expired()), me.Cancelling())
	return nil, nil
}

func s144(co *asyncore.Co) (any, error) {
	err := co.Timeout(sec, func(*asyncore.Scope) error { return co.Sleep(5 * sec) })
	if is(err, asyncore.ErrTimeout) {
		c := "none"
		if ce := cause(err); ce != nil {
			c = code(ce)
		}
		traceT("main: caught %s cause=%s", code(err), c)
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s145(co *asyncore.Co) (any, error) {
	scope := must1(co.NewTimeout(5 * sec))
	if err := scope.Reschedule(co.Time() + 1); err != nil {
		traceT("main: reschedule refused: %s", describe(err))
	} else {
		traceT("main: rescheduled")
	}
	err := scope.Run(co, func(*asyncore.Scope) error { return co.Sleep(10 * sec) })
	if is(err, asyncore.ErrTimeout) {
		traceT("main: timed out")
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s146(co *asyncore.Co) (any, error) {
	scope := must1(co.NewTimeout(5 * sec))
	err := func() error {
		err := scope.Run(co, func(*asyncore.Scope) error {
			err := scope.Run(co, func(*asyncore.Scope) error {
				traceT("main: entered while active")
				return nil
			})
			if is(err, asyncore.ErrRuntime) {
				traceT("main: nested enter refused: %s", describe(err))
			} else if err != nil {
				return err
			}
			return co.Sleep(sec)
		})
		if err != nil {
			return err
		}
		traceT("main: first use done")
		return scope.Run(co, func(*asyncore.Scope) error {
			traceT("main: entered again")
			return nil
		})
	}()
	if is(err, asyncore.ErrRuntime) {
		traceT("main: %s", describe(err))
	} else if err != nil {
		return nil, err
	}
	traceT("main: expired=%d", b01(scope.Expired()))
	return nil, nil
}

func s147(co *asyncore.Co) (any, error) {
	tryReschedule := func(label string, scope *asyncore.Scope) {
		if err := scope.Reschedule(none); is(err, asyncore.ErrRuntime) {
			traceT("%s: %s", label, describe(err))
		} else {
			must(err)
			traceT("%s: rescheduled", label)
		}
	}
	done := must1(co.NewTimeout(5 * sec))
	if err := done.Run(co, func(*asyncore.Scope) error { return co.Sleep(sec) }); err != nil {
		return nil, err
	}
	tryReschedule("after exit", done)
	expired := must1(co.NewTimeout(sec))
	err := expired.Run(co, func(*asyncore.Scope) error {
		err := co.Sleep(5 * sec)
		if cancelled(err) {
			tryReschedule("while expiring", expired)
		}
		return err
	})
	if is(err, asyncore.ErrTimeout) {
		traceT("main: timed out")
	} else if err != nil {
		return nil, err
	}
	tryReschedule("after expiry", expired)
	return nil, nil
}

func s148(co *asyncore.Co) (any, error) {
	me := co.Task()
	scope := must1(co.NewTimeout(sec))
	err := scope.Run(co, func(*asyncore.Scope) error {
		if err := co.Sleep(5 * sec); cancelled(err) {
			traceT("body: cancelled, carrying on")
		} else if err != nil {
			return err
		}
		traceT("body: cancelling=%d", me.Cancelling())
		return nil
	})
	if err != nil {
		return nil, err
	}
	traceT("main: left the scope expired=%d cancelling=%d", b01(scope.Expired()), me.Cancelling())
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: next await ran")
	return nil, nil
}

func s149(co *asyncore.Co) (any, error) {
	when := func(s *asyncore.Scope) string {
		w := s.When()
		if math.IsInf(w, 1) {
			return "none"
		}
		return join(msOf(w))
	}
	scope := must1(co.NewTimeoutAt(none))
	err := scope.Run(co, func(s *asyncore.Scope) error {
		traceT("A: when=%s", when(s))
		must(s.Reschedule(co.Time() + 1))
		traceT("A: when=%s", when(s))
		return co.Sleep(5 * sec)
	})
	if is(err, asyncore.ErrTimeout) {
		traceT("A: caught %s", code(err))
	} else if err != nil {
		return nil, err
	}
	scope = must1(co.NewTimeout(sec))
	err = scope.Run(co, func(s *asyncore.Scope) error {
		must(s.Reschedule(co.Time() + 3))
		if err := co.Sleep(2 * sec); err != nil {
			return err
		}
		traceT("B: still inside, when=%s", when(s))
		must(s.Reschedule(none))
		if err := co.Sleep(5 * sec); err != nil {
			return err
		}
		traceT("B: done, when=%s expired=%d", when(s), b01(s.Expired()))
		return nil
	})
	return nil, err
}

func s150(co *asyncore.Co) (any, error) {
	outer := must1(co.NewTimeout(sec))
	err := outer.Run(co, func(*asyncore.Scope) error {
		inner := must1(co.NewTimeout(sec))
		err := inner.Run(co, func(*asyncore.Scope) error { return co.Sleep(5 * sec) })
		if err != nil {
			traceT("inner: %s expired=%d", code(err), b01(inner.Expired()))
		}
		return err
	})
	if is(err, asyncore.ErrTimeout) {
		traceT("outer: %s expired=%d", code(err), b01(outer.Expired()))
	} else if err != nil {
		return nil, err
	}
	traceT("main: cancelling=%d", co.Task().Cancelling())
	return nil, nil
}

func s151(co *asyncore.Co) (any, error) {
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		err := co.Sleep(10 * sec)
		if !cancelled(err) {
			return nil, err
		}
		traceT("worker: cancelled, cancelling=%d", co.Task().Cancelling())
		if cerr := co.Timeout(sec, func(*asyncore.Scope) error { return co.Sleep(5 * sec) }); cerr != nil {
			traceT("worker: cleanup ended with %s", code(cerr))
		}
		return nil, err
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	t.Cancel("")
	if err := awaitCancelled(co, t, "main: worker cancelled"); err != nil {
		return nil, err
	}
	return nil, nil
}

// ---- wait_for ----

func s152(co *asyncore.Co) (any, error) {
	work := func(co *asyncore.Co) (any, error) {
		traceT("work: started")
		if err := co.Sleep(sec); err != nil {
			return nil, err
		}
		return int64(1), nil
	}
	if _, err := co.WaitForFunc(work, 0); is(err, asyncore.ErrTimeout) {
		traceT("main: caught %s cause=%s", code(err), code(cause(err)))
	} else if err != nil {
		return nil, err
	} else {
		traceT("main: got a result")
	}
	if err := co.Sleep(2 * sec); err != nil {
		return nil, err
	}
	traceT("main: done")
	return nil, nil
}

func s153(co *asyncore.Co) (any, error) {
	work := func(name string, delay time.Duration) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := co.Sleep(delay); err != nil {
				if cancelled(err) {
					traceT("%s: cancelled", name)
				}
				return nil, err
			}
			return int64(7), nil
		}
	}
	slow := spawn(co, work("slow", 5*sec))
	quick := spawn(co, work("quick", 0))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	if _, err := co.WaitFor(slow, -sec); is(err, asyncore.ErrTimeout) {
		traceT("main: slow -> %s cancelled=%d", code(err), b01(slow.Cancelled()))
	} else if err != nil {
		return nil, err
	}
	r, err := co.WaitFor(quick, -sec)
	if err != nil {
		return nil, err
	}
	traceT("main: quick -> %v", r)
	return nil, nil
}

func s154(co *asyncore.Co) (any, error) {
	done := spawn(co, func(co *asyncore.Co) (any, error) { return int64(3), nil })
	if err := co.Sleep(0); err != nil {
		return nil, err
	}
	spawn(co, func(co *asyncore.Co) (any, error) {
		traceT("bystander: ran")
		return nil, nil
	})
	r, err := co.WaitFor(done, 0)
	if err != nil {
		return nil, err
	}
	traceT("main: timeout 0 -> %v", r)
	if r, err = co.WaitFor(done, 5*sec); err != nil {
		return nil, err
	}
	traceT("main: timeout 5 -> %v", r)
	traceT("main: before yielding")
	if err := co.Sleep(0); err != nil {
		return nil, err
	}
	traceT("main: done")
	return nil, nil
}

func s155(co *asyncore.Co) (any, error) {
	spawn(co, func(co *asyncore.Co) (any, error) {
		traceT("bystander: ran")
		return nil, nil
	})
	caller := co.Loop().CurrentTask()
	work := func(co *asyncore.Co) (any, error) {
		traceT("work: started, in the caller task=%d", b01(co.Loop().CurrentTask() == caller))
		if err := co.Sleep(sec); err != nil {
			return nil, err
		}
		return int64(5), nil
	}
	r, err := co.WaitForFunc(work, 2*sec)
	if err != nil {
		return nil, err
	}
	traceT("main: got %v", r)
	return nil, nil
}

func s156(co *asyncore.Co) (any, error) {
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		err := co.Sleep(10 * sec)
		if cancelled(err) {
			traceT("inner: cancelled")
		}
		return nil, err
	})
	w := spawn(co, func(co *asyncore.Co) (any, error) {
		_, err := co.WaitFor(t, 5*sec)
		if err != nil {
			traceT("waiter: %s", code(err))
		}
		return nil, err
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	w.Cancel("")
	if err := co.Sleep(500 * time.Millisecond); err != nil {
		return nil, err
	}
	traceT("main: waiter cancelled=%d inner cancelled=%d", b01(w.Cancelled()), b01(t.Cancelled()))
	return nil, nil
}

func s157(co *asyncore.Co) (any, error) {
	stubborn := spawn(co, func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(10 * sec); cancelled(err) {
			traceT("stubborn: cancelled, returning 42 anyway")
			if err := co.Sleep(500 * time.Millisecond); err != nil {
				return nil, err
			}
		} else if err != nil {
			return nil, err
		}
		return int64(42), nil
	})
	r, err := co.WaitFor(stubborn, sec)
	if err != nil {
		return nil, err
	}
	traceT("main: got %v", r)
	return nil, nil
}

func s158(co *asyncore.Co) (any, error) {
	fragile := spawn(co, func(co *asyncore.Co) (any, error) {
		co.Sleep(10 * sec)
		// finally: whatever the sleep ended with, the cleanup fails.
		traceT("fragile: cleaning up")
		return nil, valueError("cleanup failed")
	})
	if _, err := co.WaitFor(fragile, sec); err != nil {
		traceT("main: caught %s", describe(err))
	}
	return nil, nil
}

func s159(co *asyncore.Co) (any, error) {
	task := spawn(co, func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(sec); err != nil {
			return nil, err
		}
		traceT("work: finished")
		return int64(9), nil
	})
	guard := must1(co.Loop().Shield(task))
	if _, err := co.WaitFor(guard, 0); is(err, asyncore.ErrTimeout) {
		traceT("main: caught %s", code(err))
	} else if err != nil {
		return nil, err
	}
	traceT("main: shield cancelled=%d task done=%d", b01(guard.Cancelled()), b01(task.IsDone()))
	r, err := co.Await(task)
	if err != nil {
		return nil, err
	}
	traceT("main: task -> %v", r)
	return nil, nil
}

// ---- gather ----

// valueAfter is a task returning v after delay, saying so when name is
// given.
func valueAfter(name string, delay time.Duration, v int64) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(delay); err != nil {
			return nil, err
		}
		if name != "" {
			traceT("%s: finished", name)
		}
		return v, nil
	}
}

func s160(co *asyncore.Co) (any, error) {
	a := spawn(co, valueAfter("A", sec, 1))
	b := spawn(co, valueAfter("B", 2*sec, 2))
	g := must1(co.Loop().Gather(a, b))
	if err := co.Sleep(500 * time.Millisecond); err != nil {
		return nil, err
	}
	a.Cancel("")
	if _, err := co.Await(g); cancelled(err) {
		traceT("main: gather raised %s", code(err))
	} else if err != nil {
		return nil, err
	}
	traceT("main: gather cancelled=%d done=%d", b01(g.Cancelled()), b01(g.IsDone()))
	r, err := co.Await(b)
	if err != nil {
		return nil, err
	}
	traceT("main: B -> %v", r)
	return nil, nil
}

func s161(co *asyncore.Co) (any, error) {
	a := spawn(co, valueAfter("", sec, 1))
	b := spawn(co, valueAfter("", 5*sec, 2))
	c := spawn(co, valueAfter("", 2*sec, 3))
	g := must1(co.Loop().GatherReturnErrors(a, b, c))
	if err := co.Sleep(500 * time.Millisecond); err != nil {
		return nil, err
	}
	b.Cancel("")
	r, err := co.Await(g)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, x := range r.([]any) {
		if e, ok := x.(error); ok {
			out = append(out, cls(e))
		} else {
			out = append(out, join(x))
		}
	}
	traceT("main: results=[%s]", strings.Join(out, ", "))
	traceT("main: gather cancelled=%d", b01(g.Cancelled()))
	return nil, nil
}

func s162(co *asyncore.Co) (any, error) {
	work := func(name string, delay time.Duration) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := co.Sleep(delay); err != nil {
				if cancelled(err) {
					traceT("%s: cancelled", name)
				}
				return nil, err
			}
			traceT("%s: finished", name)
			return nil, nil
		}
	}
	a := spawn(co, work("A", sec))
	b := spawn(co, work("B", 5*sec))
	g := must1(co.Loop().GatherReturnErrors(a, b))
	if err := co.Sleep(2 * sec); err != nil {
		return nil, err
	}
	traceT("main: cancel -> %d", b01(g.Cancel("")))
	if _, err := co.Await(g); cancelled(err) {
		traceT("main: gather raised %s", code(err))
	} else if err != nil {
		return nil, err
	}
	traceT("main: gather cancelled=%d B cancelled=%d", b01(g.Cancelled()), b01(b.Cancelled()))
	traceT("main: cancel again -> %d", b01(g.Cancel("")))
	return nil, nil
}

func s163(co *asyncore.Co) (any, error) {
	t := spawn(co, valueAfter("", sec, 4))
	r, err := co.Gather(t, t)
	if err != nil {
		return nil, err
	}
	traceT("main: results=[%v, %v]", r[0], r[1])
	u := spawn(co, valueAfter("", 5*sec, 5))
	g := must1(co.Loop().Gather(u, u))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	g.Cancel("")
	traceT("main: after gather.cancel(), cancelling=%d", u.Cancelling())
	if _, err := co.Await(g); cancelled(err) {
		traceT("main: gather cancelled=%d task cancelled=%d", b01(g.Cancelled()), b01(u.Cancelled()))
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s164(co *asyncore.Co) (any, error) {
	spawn(co, func(co *asyncore.Co) (any, error) {
		traceT("bystander: ran")
		return nil, nil
	})
	g := must1(co.Loop().Gather())
	traceT("main: done before awaiting=%d", b01(g.IsDone()))
	r, err := co.Await(g)
	if err != nil {
		return nil, err
	}
	results := r.([]any)
	traceT("main: results=[%s] count=%d", join(results...), len(results))
	results, err = co.GatherReturnErrors()
	if err != nil {
		return nil, err
	}
	traceT("main: with return_exceptions count=%d", len(results))
	if err := co.Sleep(0); err != nil {
		return nil, err
	}
	traceT("main: done")
	return nil, nil
}

func s165(co *asyncore.Co) (any, error) {
	a := spawn(co, func(co *asyncore.Co) (any, error) { return int64(1), nil })
	b := spawn(co, func(co *asyncore.Co) (any, error) { return int64(2), nil })
	if err := co.Sleep(0); err != nil {
		return nil, err
	}
	spawn(co, func(co *asyncore.Co) (any, error) {
		traceT("bystander: ran")
		return nil, nil
	})
	g := must1(co.Loop().Gather(a, b))
	traceT("main: gather done at once=%d", b01(g.IsDone()))
	r, err := co.Await(g)
	if err != nil {
		return nil, err
	}
	results := r.([]any)
	traceT("main: results=[%v, %v]", results[0], results[1])
	if err := co.Sleep(0); err != nil {
		return nil, err
	}
	traceT("main: done")
	return nil, nil
}

// ---- wait, as_completed ----

// named is create_task(..., name=name).
func named(co *asyncore.Co, name string, fn asyncore.TaskFunc) *asyncore.Task {
	t := spawn(co, fn)
	must(t.SetName(name))
	return t
}

// names lists the tasks' names, sorted.
func sortedNames(aws []asyncore.Awaitable) string {
	var out []string
	for _, a := range aws {
		out = append(out, a.(*asyncore.Task).Name())
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func s166(co *asyncore.Co) (any, error) {
	work := func(name string, delay time.Duration, fail bool) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := co.Sleep(delay); err != nil {
				return nil, err
			}
			if fail {
				return nil, valueError(name)
			}
			traceT("%s: finished", name)
			return nil, nil
		}
	}
	a := named(co, "A", work("A", 3*sec, false))
	b := named(co, "B", work("B", sec, true))
	c := named(co, "C", work("C", 5*sec, false))
	must1(co.Loop().CallLater(500*time.Millisecond, func() { c.Cancel("") }))
	done, pending, err := co.Wait(asyncore.FirstException, asyncore.NoTimeout, a, b, c)
	if err != nil {
		return nil, err
	}
	traceT("main: done=[%s] pending=[%s]", sortedNames(done), sortedNames(pending))
	traceT("main: B raised %s, A cancelled=%d", describe(must1(b.Exception())), b01(a.Cancelled()))
	_, err = co.Await(a)
	return nil, err
}

func s167(co *asyncore.Co) (any, error) {
	work := func(name string, delay time.Duration, fail bool) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := co.Sleep(delay); err != nil {
				return nil, err
			}
			if fail {
				return nil, valueError(name + " failed")
			}
			return name, nil
		}
	}
	a := named(co, "A", work("A", 2*sec, false))
	b := named(co, "B", work("B", sec, true))
	done, pending, err := co.Wait(asyncore.AllCompleted, asyncore.NoTimeout, a, b)
	if err != nil {
		return nil, err
	}
	traceT("main: all: done=[%s] pending=[%s]", sortedNames(done), sortedNames(pending))
	traceT("main: B -> %s", describe(must1(b.Exception())))
	c := named(co, "C", work("C", sec, false))
	d := named(co, "D", work("D", 2*sec, false))
	done, pending, err = co.Wait(asyncore.FirstException, asyncore.NoTimeout, c, d, c)
	if err != nil {
		return nil, err
	}
	traceT("main: first exception: done=[%s] pending=[%s] count=%d", sortedNames(done), sortedNames(pending), len(done))
	return nil, nil
}

func s168(co *asyncore.Co) (any, error) {
	work := func(name string, delay time.Duration, v int64) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := co.Sleep(delay); err != nil {
				return nil, err
			}
			traceT("%s: finished", name)
			return v, nil
		}
	}
	a := named(co, "A", work("A", 2*sec, 2))
	b := named(co, "B", work("B", 3*sec, 3))
	done, pending, err := co.Wait(asyncore.FirstCompleted, sec, a, b)
	if err != nil {
		return nil, err
	}
	traceT("main: done=[%s] pending=[%s]", sortedNames(done), sortedNames(pending))
	traceT("main: A cancelled=%d B cancelled=%d", b01(a.Cancelled()), b01(b.Cancelled()))
	r, err := co.Await(b)
	if err != nil {
		return nil, err
	}
	traceT("main: B -> %v", r)
	return nil, nil
}

func s169(co *asyncore.Co) (any, error) {
	a := spawn(co, valueAfter("", 2*sec, 1))
	b := spawn(co, valueAfter("", sec, 2))
	it, err := co.AsCompleted(asyncore.NoTimeout, a, b, a)
	if err != nil {
		return nil, err
	}
	steps := 0
	for {
		_, v, err, ok := it.Next()
		if !ok {
			if err != nil {
				return nil, err
			}
			break
		}
		if err != nil {
			return nil, err
		}
		steps++
		traceT("main: next=%v", v)
	}
	traceT("main: steps=%d", steps)
	return nil, nil
}

func s170(co *asyncore.Co) (any, error) {
	a := spawn(co, valueAfter("work 1", sec, 1))
	b := spawn(co, valueAfter("work 2", 3*sec, 2))
	err := func() error {
		it, err := co.AsCompleted(2*sec, a, b)
		if err != nil {
			return err
		}
		for {
			_, v, err, ok := it.Next()
			if !ok || err != nil {
				return err
			}
			traceT("main: next=%v", v)
		}
	}()
	if is(err, asyncore.ErrTimeout) {
		traceT("main: caught %s", code(err))
	} else if err != nil {
		return nil, err
	}
	traceT("main: B cancelled=%d", b01(b.Cancelled()))
	r, err := co.Await(b)
	if err != nil {
		return nil, err
	}
	traceT("main: B -> %v", r)
	return nil, nil
}

// ---- shield ----

func s171(co *asyncore.Co) (any, error) {
	inner := spawn(co, func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(2 * sec); err != nil {
			return nil, err
		}
		traceT("work: finished")
		return int64(9), nil
	})
	guard := must1(co.Loop().Shield(inner))
	w := spawn(co, func(co *asyncore.Co) (any, error) {
		_, err := co.Await(guard)
		if cancelled(err) {
			traceT("waiter: %s", code(err))
		}
		return nil, err
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	w.Cancel("")
	if err := co.Sleep(500 * time.Millisecond); err != nil {
		return nil, err
	}
	traceT("main: shield cancelled=%d inner cancelling=%d done=%d", b01(guard.Cancelled()),
		inner.Cancelling(), b01(inner.IsDone()))
	r, err := co.Await(inner)
	if err != nil {
		return nil, err
	}
	traceT("main: inner -> %v", r)
	return nil, nil
}

func s172(co *asyncore.Co) (any, error) {
	a := spawn(co, func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(sec); err != nil {
			return nil, err
		}
		return nil, valueError("inner failed")
	})
	if _, err := co.Shield(a); is(err, asyncore.ErrValue) {
		traceT("main: caught %s same=%d", describe(err), b01(err == must1(a.Exception())))
	} else if err != nil {
		return nil, err
	}
	b := spawn(co, func(co *asyncore.Co) (any, error) { return nil, co.Sleep(10 * sec) })
	guard := must1(co.Loop().Shield(b))
	must1(co.Loop().CallLater(sec, func() { b.Cancel("") }))
	if _, err := co.Await(guard); cancelled(err) {
		traceT("main: caught %s shield cancelled=%d", code(err), b01(guard.Cancelled()))
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

// ---- TaskGroup ----

// tree is a group error with its children, nested (176, 177).
func tree(err error) string {
	var e *asyncore.Error
	if errors.As(err, &e) && e == err && errors.Is(e, asyncore.ErrExceptionGroup) && len(e.Children) > 0 {
		var kids []string
		for _, c := range e.Children {
			kids = append(kids, tree(c))
		}
		return describe(err) + " [" + strings.Join(kids, ", ") + "]"
	}
	return describe(err)
}

// failAfter fails with ValueError(message) after delay.
func failAfter(delay time.Duration, message string) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(delay); err != nil {
			return nil, err
		}
		return nil, valueError(message)
	}
}

// idle sleeps long, saying when it is cancelled.
func idle(name string) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		err := co.Sleep(10 * sec)
		if cancelled(err) {
			traceT("%s: cancelled", name)
		}
		return nil, err
	}
}

func s173(co *asyncore.Co) (any, error) {
	me := co.Task()
	err := co.TaskGroup(func(tg *asyncore.TaskGroup) error {
		must1(tg.Go(idle("idle")))
		must1(tg.Go(failAfter(sec, "child failed")))
		err := co.Sleep(5 * sec)
		if cancelled(err) {
			traceT("body: cancelled, cancelling=%d", me.Cancelling())
		}
		return err
	})
	if is(err, asyncore.ErrExceptionGroup) {
		var kids []string
		for _, c := range err.(*asyncore.Error).Children {
			kids = append(kids, describe(c))
		}
		traceT("main: %s [%s]", describe(err), strings.Join(kids, ", "))
	} else if err != nil {
		return nil, err
	}
	traceT("main: cancelling=%d", me.Cancelling())
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: next await ran")
	return nil, nil
}

func s174(co *asyncore.Co) (any, error) {
	me := co.Task()
	err := co.TaskGroup(func(tg *asyncore.TaskGroup) error {
		must1(tg.Go(failAfter(sec, "child failed")))
		err := co.Sleep(5 * sec)
		if cancelled(err) {
			return osError(syscall.ECONNRESET, "body failed")
		}
		return err
	})
	if is(err, asyncore.ErrExceptionGroup) {
		var kids []string
		for _, c := range err.(*asyncore.Error).Children {
			kids = append(kids, describe(c))
		}
		traceT("main: %s [%s]", describe(err), strings.Join(kids, ", "))
	} else if err != nil {
		return nil, err
	}
	traceT("main: cancelling=%d", me.Cancelling())
	return nil, nil
}

func s175(co *asyncore.Co) (any, error) {
	why := func(err error) string {
		// asyncio's message names the group by its repr: only the class
		// and the reason after it are printed.
		return cls(err) + " (" + strings.TrimPrefix(msg(err), "TaskGroup ") + ")"
	}
	noop := func(co *asyncore.Co) (any, error) { return nil, nil }
	err := co.TaskGroup(func(tg *asyncore.TaskGroup) error {
		must1(tg.Go(failAfter(sec, "child failed")))
		must1(tg.Go(func(co *asyncore.Co) (any, error) {
			err := co.Sleep(5 * sec)
			if cancelled(err) {
				if _, gerr := tg.Go(noop); is(gerr, asyncore.ErrRuntime) {
					traceT("late: refused: %s", why(gerr))
				} else {
					must(gerr)
					traceT("late: created a task")
				}
			}
			return nil, err
		}))
		return nil
	})
	if is(err, asyncore.ErrExceptionGroup) {
		traceT("main: %s", describe(err))
	} else if err != nil {
		return nil, err
	}
	var done *asyncore.TaskGroup
	err = co.TaskGroup(func(tg *asyncore.TaskGroup) error {
		done = tg
		_, err := tg.Go(noop)
		return err
	})
	if err != nil {
		return nil, err
	}
	if _, err := done.Go(noop); is(err, asyncore.ErrRuntime) {
		traceT("main: refused: %s", why(err))
	} else {
		must(err)
		traceT("main: created a task")
	}
	return nil, nil
}

// nestedGroups is the body of 176 and 177: an inner group in an outer
// one; outsideCancel has the task cancelled from outside right after the
// last child failed.
func nestedGroups(label string, innerFails, outerFails, outsideCancel bool) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		me := co.Task()
		err := co.TaskGroup(func(outer *asyncore.TaskGroup) error {
			var ofn asyncore.TaskFunc = idle("outer child")
			if outerFails {
				ofn = failAfter(sec, "outer child")
			}
			o := must1(outer.Go(ofn))
			return co.TaskGroup(func(inner *asyncore.TaskGroup) error {
				var ifn asyncore.TaskFunc = idle("inner child")
				if innerFails {
					ifn = failAfter(sec, "inner child")
				}
				i := must1(inner.Go(ifn))
				if outsideCancel {
					last := o
					if innerFails {
						last = i
					}
					must(last.AddDoneCallback(func(*asyncore.Future) { me.Cancel("") }))
				}
				return co.Sleep(5 * sec)
			})
		})
		if err != nil {
			traceT("%s: %s", label, tree(err))
		}
		traceT("%s: cancelling=%d", label, me.Cancelling())
		if outsideCancel {
			if err := co.Sleep(0); cancelled(err) {
				traceT("%s: next await cancelled", label)
			} else if err != nil {
				return nil, err
			} else {
				traceT("%s: next await ran", label)
			}
		}
		return nil, nil
	}
}

func s176(co *asyncore.Co) (any, error) {
	for _, c := range []struct {
		label        string
		inner, outer bool
	}{{"inner error", true, false}, {"outer error", false, true}, {"both errors", true, true}} {
		if _, err := co.Await(spawn(co, nestedGroups(c.label, c.inner, c.outer, false))); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func s177(co *asyncore.Co) (any, error) {
	for _, c := range []struct {
		label        string
		inner, outer bool
	}{{"inner error", true, false}, {"outer error", false, true}, {"both errors", true, true}} {
		if _, err := co.Await(spawn(co, nestedGroups(c.label, c.inner, c.outer, true))); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func s178(co *asyncore.Co) (any, error) {
	child := func(name string, delay time.Duration) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			err := co.Sleep(delay)
			if cancelled(err) {
				traceT("%s: cancelled, cleaning up", name)
				if err := co.Sleep(500 * time.Millisecond); err != nil {
					return nil, err
				}
				traceT("%s: cleaned up", name)
				return nil, err
			} else if err != nil {
				return nil, err
			}
			traceT("%s: finished", name)
			return nil, nil
		}
	}
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		me := co.Task()
		err := co.TaskGroup(func(tg *asyncore.TaskGroup) error {
			must1(tg.Go(child("A", sec)))
			must1(tg.Go(child("B", 5*sec)))
			return nil
		})
		if cancelled(err) {
			traceT("parent: %s cancelling=%d", code(err), me.Cancelling())
		}
		return nil, err
	})
	if err := co.Sleep(2 * sec); err != nil {
		return nil, err
	}
	t.Cancel("")
	if _, err := co.Await(t); cancelled(err) {
		traceT("main: parent cancelled=%d", b01(t.Cancelled()))
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s179(co *asyncore.Co) (any, error) {
	leaf := func(name string, delay time.Duration) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := co.Sleep(delay); err != nil {
				return nil, err
			}
			traceT("%s: finished", name)
			return nil, nil
		}
	}
	err := co.TaskGroup(func(tg *asyncore.TaskGroup) error {
		must1(tg.Go(func(co *asyncore.Co) (any, error) {
			if err := co.Sleep(sec); err != nil {
				return nil, err
			}
			must1(tg.Go(leaf("leaf 1", sec)))
			must1(tg.Go(leaf("leaf 2", 2*sec)))
			traceT("root: added two tasks")
			return nil, nil
		}))
		traceT("body: done")
		return nil
	})
	if err != nil {
		return nil, err
	}
	traceT("main: group done")
	return nil, nil
}
