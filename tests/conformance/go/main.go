// Command conformance runs libasyncore's conformance scenarios through the
// Go binding: one scenario per run, named on the command line, its trace on
// stdout (see ../README.md). `--list` prints the names it implements.
// This file has 01-56 and main; sync.go, tasks.go and structured.go the
// scenarios from 57 on, by area.
//
// An except clause is an errors.Is against the sentinel of asyncio's
// class (asyncore.ErrRuntime, ErrValue ...); a Python exception raised is
// a Go error returned (a panic in a callback, which cannot return one).
package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"libasyncore.org/go/asyncore"
)

// loop is the loop of the scenario running, for the tracing helpers.
var loop *asyncore.Loop

const sec = time.Second

// trace prints one line of the trace.
func trace(format string, args ...any) { fmt.Printf(format+"\n", args...) }

// traceT prints one line prefixed with the loop time in milliseconds.
func traceT(format string, args ...any) {
	ms := int64(math.Round(loop.Time() * 1000))
	fmt.Printf("t=%d %s\n", ms, fmt.Sprintf(format, args...))
}

// b01 prints a boolean the way the traces do.
func b01(b bool) int {
	if b {
		return 1
	}
	return 0
}

// errCode builds an error carrying an errno code, as a step raises one.
func errCode(errno syscall.Errno, message string) error {
	return &asyncore.Error{Code: -int(errno), Message: message}
}

// codeName is the name of err's code (ECONNRESET, AC_ECANCELLED ...).
func codeName(err error) string {
	var e *asyncore.Error
	if errors.As(err, &e) {
		return e.Name()
	}
	return "AC_EHOST"
}

// message is err's message as the library carries it.
func message(err error) string {
	var e *asyncore.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

func cancelled(err error) bool { return errors.Is(err, asyncore.ErrCancelled) }

// awaitReady awaits f, or reads it at once when it is already done.
func awaitReady(co *asyncore.Co, f *asyncore.Future) (any, error) {
	if f.IsDone() {
		return f.Result()
	}
	return co.Await(f)
}

// await is awaitReady for a task.
func await(co *asyncore.Co, t *asyncore.Task) (any, error) { return awaitReady(co, &t.Future) }

// awaitOp awaits the future an operation started (f, err).
func awaitOp(co *asyncore.Co) func(f *asyncore.Future, err error) (any, error) {
	return func(f *asyncore.Future, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		return awaitReady(co, f)
	}
}

// spawn is create_task; a failure to create one ends the scenario.
func spawn(co *asyncore.Co, fn asyncore.TaskFunc) *asyncore.Task {
	t, err := co.Go(fn)
	if err != nil {
		panic(err)
	}
	return t
}

// ---- shared coroutines ----

func worker(name string, delay float64, value int64) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(time.Duration(delay * float64(sec))); err != nil {
			return nil, err
		}
		traceT("%s: done", name)
		return value, nil
	}
}

func failing(delay float64, code syscall.Errno) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(time.Duration(delay * float64(sec))); err != nil {
			return nil, err
		}
		return nil, errCode(code, "")
	}
}

func sleeper(name string) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		err := co.Sleep(10 * sec)
		if cancelled(err) {
			traceT("%s: cancelled", name)
		}
		return nil, err
	}
}

func woke(name string, delay time.Duration) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(delay); err != nil {
			return nil, err
		}
		traceT("%s: woke", name)
		return nil, nil
	}
}

// ---- 01-24 foundation ----

func s01(co *asyncore.Co) (any, error) {
	l := co.Loop()
	l.CallSoon(func() {
		trace("A")
		l.CallSoon(func() { trace("D") })
	})
	l.CallSoon(func() { trace("B") })
	l.CallSoon(func() { trace("C") })
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: done")
	return nil, nil
}

func s02(co *asyncore.Co) (any, error) {
	l := co.Loop()
	l.CallLater(200*time.Millisecond, func() { traceT("late") })
	l.CallLater(100*time.Millisecond, func() { traceT("first") })
	l.CallLater(100*time.Millisecond, func() { traceT("second") })
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: done")
	return nil, nil
}

func s03(co *asyncore.Co) (any, error) {
	f, err := co.Loop().NewFuture()
	if err != nil {
		return nil, err
	}
	defer f.Release()
	cb := func(name string) func(*asyncore.Future) {
		return func(f *asyncore.Future) {
			v, _ := f.Result()
			trace("%s: result=%v", name, v)
		}
	}
	if err := f.AddDoneCallback(cb("cb1")); err != nil {
		return nil, err
	}
	if err := f.SetResult(int64(7)); err != nil {
		return nil, err
	}
	trace("main: set_result returned")
	if err := f.AddDoneCallback(cb("cb2")); err != nil {
		return nil, err
	}
	trace("main: add after done returned")
	if err := co.Yield(); err != nil {
		return nil, err
	}
	trace("main: resumed")
	return nil, nil
}

func s04(co *asyncore.Co) (any, error) {
	a := spawn(co, woke("A", 2*sec))
	b := spawn(co, woke("B", sec))
	if _, err := await(co, a); err != nil {
		return nil, err
	}
	if _, err := await(co, b); err != nil {
		return nil, err
	}
	traceT("main: done")
	return nil, nil
}

func s05(co *asyncore.Co) (any, error) {
	if _, err := woke("A", 2*sec)(co); err != nil {
		return nil, err
	}
	if _, err := woke("B", sec)(co); err != nil {
		return nil, err
	}
	traceT("main: done")
	return nil, nil
}

func s06(co *asyncore.Co) (any, error) {
	p := spawn(co, func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(sec); err != nil {
			return nil, err
		}
		return int64(42), nil
	})
	waiter := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			r, err := await(co, p)
			if err != nil {
				return nil, err
			}
			traceT("%s: got %v", name, r)
			return nil, nil
		}
	}
	w1 := spawn(co, waiter("W1"))
	w2 := spawn(co, waiter("W2"))
	if _, err := await(co, w1); err != nil {
		return nil, err
	}
	if _, err := await(co, w2); err != nil {
		return nil, err
	}
	trace("main: cancel after done -> %d", b01(p.Cancel("")))
	return nil, nil
}

func s07(co *asyncore.Co) (any, error) {
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(sec); err != nil {
			return nil, err
		}
		return nil, errCode(syscall.ECONNRESET, "peer reset")
	})
	if _, err := await(co, t); err != nil {
		traceT("main: caught %s: %s", codeName(err), message(err))
	}
	return nil, nil
}

func s08(co *asyncore.Co) (any, error) {
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		trace("T: started")
		return nil, nil
	})
	trace("main: cancel -> %d", b01(t.Cancel("")))
	if _, err := await(co, t); cancelled(err) {
		trace("main: T cancelled")
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s09(co *asyncore.Co) (any, error) {
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		trace("T: sleeping")
		defer traceT("T: cleanup")
		err := co.Sleep(10 * sec)
		if cancelled(err) {
			traceT("T: cancelled (%s)", message(err))
		}
		return nil, err
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	t.Cancel("stop")
	if _, err := await(co, t); cancelled(err) {
		traceT("main: T cancelled (%s), cancelled=%d", message(err), b01(t.Cancelled()))
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s10(co *asyncore.Co) (any, error) {
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(10 * sec); cancelled(err) {
			traceT("T: swallowed")
		} else if err != nil {
			return nil, err
		}
		if err := co.Sleep(sec); err != nil {
			return nil, err
		}
		return int64(5), nil
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	t.Cancel("")
	r, err := await(co, t)
	if err != nil {
		return nil, err
	}
	traceT("main: T returned %v, cancelling=%d", r, t.Cancelling())
	return nil, nil
}

func s11(co *asyncore.Co) (any, error) {
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(sec); err != nil {
			return nil, err
		}
		traceT("T: ran to the end")
		return int64(1), nil
	})
	t.Cancel("")
	trace("main: cancelling=%d", t.Cancelling())
	trace("main: uncancel -> %d", t.Uncancel())
	r, err := await(co, t)
	if err != nil {
		return nil, err
	}
	traceT("main: T returned %v", r)
	return nil, nil
}

func s12(co *asyncore.Co) (any, error) {
	i := spawn(co, func(co *asyncore.Co) (any, error) {
		err := co.Sleep(10 * sec)
		if cancelled(err) {
			traceT("inner: cancelled")
		}
		return nil, err
	})
	o := spawn(co, func(co *asyncore.Co) (any, error) {
		_, err := await(co, i)
		if cancelled(err) {
			traceT("outer: cancelled")
		}
		return nil, err
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	o.Cancel("")
	if _, err := await(co, o); cancelled(err) {
		traceT("main: outer cancelled, inner cancelled=%d", b01(i.Cancelled()))
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s13(co *asyncore.Co) (any, error) {
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		co.Task().Cancel("")
		trace("T: cancel requested")
		return int64(3), nil
	})
	if _, err := await(co, t); cancelled(err) {
		trace("main: T cancelled=%d", b01(t.Cancelled()))
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s14(co *asyncore.Co) (any, error) {
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		co.Task().Cancel("")
		err := co.Sleep(5 * sec)
		if cancelled(err) {
			trace("T: cancelled at its await")
		}
		return nil, err
	})
	if _, err := await(co, t); cancelled(err) {
		trace("main: T cancelled")
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s15(co *asyncore.Co) (any, error) {
	spinner := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			for i := 0; i < 3; i++ {
				trace("%s %d", name, i)
				if err := co.Yield(); err != nil {
					return nil, err
				}
			}
			return nil, nil
		}
	}
	a := spawn(co, spinner("A"))
	b := spawn(co, spinner("B"))
	if _, err := await(co, a); err != nil {
		return nil, err
	}
	_, err := await(co, b)
	return nil, err
}

func s16(co *asyncore.Co) (any, error) {
	e, err := co.GoEager(func(co *asyncore.Co) (any, error) {
		trace("E: first step")
		if err := co.Sleep(sec); err != nil {
			return nil, err
		}
		traceT("E: done")
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	trace("main: after create")
	_, err = await(co, e)
	return nil, err
}

// contextKey is K of scenarios 17 and 18.
var contextKey asyncore.ContextKey

func sees(v any, ok bool) string {
	if !ok {
		return "none"
	}
	return fmt.Sprint(v)
}

func s17(co *asyncore.Co) (any, error) {
	child := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			trace("%s sees %s", name, sees(co.Value(contextKey)))
			return nil, co.SetValue(contextKey, name)
		}
	}
	if err := co.SetValue(contextKey, "main"); err != nil {
		return nil, err
	}
	c1 := spawn(co, child("C1"))
	if err := co.SetValue(contextKey, "main2"); err != nil {
		return nil, err
	}
	c2 := spawn(co, child("C2"))
	if _, err := await(co, c1); err != nil {
		return nil, err
	}
	if _, err := await(co, c2); err != nil {
		return nil, err
	}
	trace("main sees %s", sees(co.Value(contextKey)))
	return nil, nil
}

func s18(co *asyncore.Co) (any, error) {
	l := co.Loop()
	cb := func(name string) func() {
		return func() { trace("%s sees %s", name, sees(l.ContextValue(contextKey))) }
	}
	if err := co.SetValue(contextKey, "one"); err != nil {
		return nil, err
	}
	l.CallSoon(cb("cb1"))
	if err := co.SetValue(contextKey, "two"); err != nil {
		return nil, err
	}
	l.CallSoon(cb("cb2"))
	return nil, co.Yield()
}

func s19(co *asyncore.Co) (any, error) {
	spawn(co, func(co *asyncore.Co) (any, error) {
		err := co.Sleep(100 * sec)
		if cancelled(err) {
			traceT("L: cancelled")
		}
		return nil, err
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	return int64(7), nil
}

func s20(co *asyncore.Co) (any, error) {
	err := co.Loop().SetExceptionHandler(func(c asyncore.ExceptionContext) {
		traceT("handler: %s", codeName(c.Err))
	})
	if err != nil {
		return nil, err
	}
	// The handle is dropped at once.
	spawn(co, failing(1, syscall.ECONNRESET)).Release()
	if err := co.Sleep(2 * sec); err != nil {
		return nil, err
	}
	traceT("main: done")
	return nil, nil
}

func s21(co *asyncore.Co) (any, error) {
	traceT("start")
	if err := co.Sleep(1500 * time.Millisecond); err != nil {
		return nil, err
	}
	traceT("after 1.5")
	if err := co.Sleep(250 * time.Millisecond); err != nil {
		return nil, err
	}
	traceT("after 0.25")
	return nil, nil
}

func s22(co *asyncore.Co) (any, error) {
	f, err := co.Loop().NewFuture()
	if err != nil {
		return nil, err
	}
	w := spawn(co, func(co *asyncore.Co) (any, error) {
		_, err := awaitReady(co, f)
		if cancelled(err) {
			traceT("W: cancelled (%s)", message(err))
		}
		return nil, err
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	f.Cancel("bye")
	if _, err := await(co, w); cancelled(err) {
		traceT("main: W cancelled=%d", b01(w.Cancelled()))
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s23(co *asyncore.Co) (any, error) {
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		trace("T: my name is %s", co.Task().Name())
		return nil, nil
	})
	if err := t.SetName("worker-1"); err != nil {
		return nil, err
	}
	_, err := await(co, t)
	return nil, err
}

func s24(co *asyncore.Co) (any, error) {
	l := co.Loop()
	h, err := l.CallLater(sec, func() { traceT("dropped") })
	if err != nil {
		return nil, err
	}
	if _, err := l.CallLater(sec, func() { traceT("kept") }); err != nil {
		return nil, err
	}
	trace("main: cancel -> %d", b01(h.Cancel()))
	if err := co.Sleep(2 * sec); err != nil {
		return nil, err
	}
	traceT("main: done")
	return nil, nil
}

// ---- 25-41 structured concurrency ----

func s25(co *asyncore.Co) (any, error) {
	a := spawn(co, worker("A", 3, 30))
	b := spawn(co, worker("B", 1, 10))
	c := spawn(co, worker("C", 2, 20))
	r, err := co.Gather(a, b, c)
	if err != nil {
		return nil, err
	}
	traceT("main: results=[%v, %v, %v]", r[0], r[1], r[2])
	return nil, nil
}

func s26(co *asyncore.Co) (any, error) {
	b := spawn(co, worker("B", 2, 2))
	f := spawn(co, failing(1, syscall.ECONNRESET))
	if _, err := co.Gather(f, b); err != nil {
		traceT("main: gather failed with %s", codeName(err))
	}
	r, err := await(co, b)
	if err != nil {
		return nil, err
	}
	traceT("main: B returned %v", r)
	return nil, nil
}

func s27(co *asyncore.Co) (any, error) {
	f := spawn(co, failing(1, syscall.ECONNRESET))
	b := spawn(co, worker("B", 2, 2))
	r, err := co.GatherReturnErrors(f, b)
	if err != nil {
		return nil, err
	}
	e, _ := r[0].(error)
	traceT("main: results=[%s, %v]", codeName(e), r[1])
	return nil, nil
}

func s28(co *asyncore.Co) (any, error) {
	w := spawn(co, func(co *asyncore.Co) (any, error) {
		a := spawn(co, sleeper("A"))
		b := spawn(co, sleeper("B"))
		_, err := co.Gather(a, b)
		return nil, err
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	w.Cancel("")
	if _, err := await(co, w); cancelled(err) {
		traceT("main: waiter cancelled")
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

// names lists the names of the tasks in aws.
func names(aws []asyncore.Awaitable, name map[asyncore.Awaitable]string) string {
	var out []string
	for _, a := range aws {
		out = append(out, name[a])
	}
	return strings.Join(out, ", ")
}

func waitABC(co *asyncore.Co, mode asyncore.WaitMode, timeout time.Duration) (*asyncore.Task, error) {
	a := spawn(co, worker("A", 2, 0))
	b := spawn(co, worker("B", 1, 0))
	c := spawn(co, worker("C", 3, 0))
	name := map[asyncore.Awaitable]string{a: "A", b: "B", c: "C"}
	done, pending, err := co.Wait(mode, timeout, a, b, c)
	if err != nil {
		return nil, err
	}
	traceT("main: done=[%s] pending=[%s]", names(done, name), names(pending, name))
	return a, nil
}

func s29(co *asyncore.Co) (any, error) {
	_, err := waitABC(co, asyncore.FirstCompleted, asyncore.NoTimeout)
	return nil, err
}

func s30(co *asyncore.Co) (any, error) {
	a, err := waitABC(co, asyncore.AllCompleted, 1500*time.Millisecond)
	if err != nil {
		return nil, err
	}
	if _, err := await(co, a); err != nil {
		return nil, err
	}
	traceT("main: A still finished")
	return nil, nil
}

func s31(co *asyncore.Co) (any, error) {
	a := spawn(co, worker("A", 3, 30))
	b := spawn(co, worker("B", 1, 10))
	c := spawn(co, worker("C", 2, 20))
	it, err := co.AsCompleted(asyncore.NoTimeout, a, b, c)
	if err != nil {
		return nil, err
	}
	for {
		_, r, err, ok := it.Next()
		if !ok {
			return nil, err
		}
		if err != nil {
			return nil, err
		}
		traceT("main: next=%v", r)
	}
}

func s32(co *asyncore.Co) (any, error) {
	long := spawn(co, func(co *asyncore.Co) (any, error) {
		defer traceT("T: cleanup")
		for i := 1; i <= 5; i++ {
			if err := co.Sleep(sec); err != nil {
				if cancelled(err) {
					traceT("T: cancelled")
				}
				return nil, err
			}
			traceT("T: %d", i)
		}
		return nil, nil
	})
	if _, err := co.WaitFor(long, 2500*time.Millisecond); errors.Is(err, asyncore.ErrTimeout) {
		traceT("main: timed out")
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s33(co *asyncore.Co) (any, error) {
	r, err := co.WaitFor(spawn(co, worker("A", 1, 5)), 2*sec)
	if err != nil {
		return nil, err
	}
	traceT("main: got %v", r)
	return nil, nil
}

func s34(co *asyncore.Co) (any, error) {
	err := co.Timeout(1500*time.Millisecond, func(*asyncore.Scope) error {
		return co.Sleep(10 * sec)
	})
	if errors.Is(err, asyncore.ErrTimeout) {
		traceT("main: timed out")
	} else if err != nil {
		return nil, err
	}
	trace("main: cancelling=%d", co.Task().Cancelling())
	return nil, nil
}

func s35(co *asyncore.Co) (any, error) {
	err := co.Timeout(sec, func(*asyncore.Scope) error {
		err := co.Timeout(5*sec, func(*asyncore.Scope) error {
			return co.Sleep(10 * sec)
		})
		if errors.Is(err, asyncore.ErrTimeout) {
			traceT("inner: timed out")
		} else if cancelled(err) {
			traceT("inner: cancelled")
		}
		return err
	})
	if errors.Is(err, asyncore.ErrTimeout) {
		traceT("outer: timed out")
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s36(co *asyncore.Co) (any, error) {
	w := spawn(co, func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(3 * sec); err != nil {
			return nil, err
		}
		traceT("work: done")
		return int64(9), nil
	})
	s := spawn(co, func(co *asyncore.Co) (any, error) { return co.Shield(w) })
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	s.Cancel("")
	if _, err := await(co, s); cancelled(err) {
		traceT("main: shielded waiter cancelled")
	} else if err != nil {
		return nil, err
	}
	r, err := await(co, w)
	if err != nil {
		return nil, err
	}
	traceT("main: work returned %v", r)
	return nil, nil
}

// groupGo is tg.create_task; a failure to create one ends the body.
func groupGo(tg *asyncore.TaskGroup, fn asyncore.TaskFunc) error {
	_, err := tg.Go(fn)
	return err
}

// childCodes lists the code names of a group error's children.
func childCodes(err error) (int, string) {
	var e *asyncore.Error
	if !errors.As(err, &e) {
		return 0, ""
	}
	var out []string
	for _, c := range e.Children {
		out = append(out, codeName(c))
	}
	return len(out), strings.Join(out, ", ")
}

func s37(co *asyncore.Co) (any, error) {
	err := co.TaskGroup(func(tg *asyncore.TaskGroup) error {
		if err := groupGo(tg, worker("A", 2, 0)); err != nil {
			return err
		}
		return groupGo(tg, worker("B", 1, 0))
	})
	if err != nil {
		return nil, err
	}
	traceT("main: group done")
	return nil, nil
}

func s38(co *asyncore.Co) (any, error) {
	err := co.TaskGroup(func(tg *asyncore.TaskGroup) error {
		if err := groupGo(tg, sleeper("B")); err != nil {
			return err
		}
		if err := groupGo(tg, failing(1, syscall.ECONNRESET)); err != nil {
			return err
		}
		err := co.Sleep(100 * sec)
		if cancelled(err) {
			traceT("body: cancelled")
		}
		return err
	})
	if errors.Is(err, asyncore.ErrGroup) {
		_, codes := childCodes(err)
		traceT("main: %s: %s", message(err), codes)
		return nil, nil
	}
	return nil, err
}

func s39(co *asyncore.Co) (any, error) {
	err := co.TaskGroup(func(tg *asyncore.TaskGroup) error {
		if err := groupGo(tg, failing(1, syscall.ECONNRESET)); err != nil {
			return err
		}
		return groupGo(tg, failing(1, syscall.EPIPE))
	})
	if errors.Is(err, asyncore.ErrGroup) {
		n, codes := childCodes(err)
		traceT("main: %d errors: %s", n, codes)
		return nil, nil
	}
	return nil, err
}

func s40(co *asyncore.Co) (any, error) {
	err := co.TaskGroup(func(tg *asyncore.TaskGroup) error {
		if err := groupGo(tg, sleeper("B")); err != nil {
			return err
		}
		if err := co.Sleep(sec); err != nil {
			return err
		}
		return errCode(syscall.EINVAL, "")
	})
	if errors.Is(err, asyncore.ErrGroup) {
		n, codes := childCodes(err)
		traceT("main: %d errors: %s", n, codes)
		return nil, nil
	}
	return nil, err
}

func s41(co *asyncore.Co) (any, error) {
	p := spawn(co, func(co *asyncore.Co) (any, error) {
		return nil, co.TaskGroup(func(tg *asyncore.TaskGroup) error {
			if err := groupGo(tg, sleeper("A")); err != nil {
				return err
			}
			return groupGo(tg, sleeper("B"))
		})
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	p.Cancel("")
	if _, err := await(co, p); cancelled(err) {
		traceT("main: parent cancelled")
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

// ---- 42-45 threads ----

func s42(co *asyncore.Co) (any, error) {
	r, err := co.ToThread(func() (any, error) { return int64(42), nil })
	if err != nil {
		return nil, err
	}
	trace("main: got %v", r)
	return nil, nil
}

func s43(co *asyncore.Co) (any, error) {
	_, err := co.ToThread(func() (any, error) { return nil, errCode(syscall.EPIPE, "") })
	if err == nil {
		return nil, errors.New("no error")
	}
	trace("main: caught %s", codeName(err))
	return nil, nil
}

func s44(co *asyncore.Co) (any, error) {
	ts, err := asyncore.NewTSFuture()
	if err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = ts.SetResult(int64(7))
	}()
	r, err := co.AwaitTS(ts)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	trace("main: got %v", r)
	return nil, nil
}

func s45(co *asyncore.Co) (any, error) {
	l := co.Loop()
	done, err := l.NewFuture()
	if err != nil {
		return nil, err
	}
	// The loop runs callbacks on one OS thread: the one this first
	// callback runs on.
	loopTid := -1
	first, err := l.NewFuture()
	if err != nil {
		return nil, err
	}
	l.CallSoon(func() { loopTid = syscall.Gettid(); _ = first.SetResult(nil) })
	if _, err := awaitReady(co, first); err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = l.Post(func() {
			trace("callback: on the loop thread=%d", b01(syscall.Gettid() == loopTid))
			_ = done.SetResult(nil)
		})
	}()
	_, err = awaitReady(co, done)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	trace("main: done")
	return nil, nil
}

// ---- 46-56 primitives and queues ----

func s46(co *asyncore.Co) (any, error) {
	lk, err := co.Loop().NewLock()
	if err != nil {
		return nil, err
	}
	holder := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			traceT("%s wants", name)
			if _, err := awaitOp(co)(lk.AcquireFuture()); err != nil {
				return nil, err
			}
			traceT("%s holds", name)
			err := co.Sleep(sec)
			if err == nil {
				traceT("%s releases", name)
			}
			if rerr := lk.Release(); err == nil {
				err = rerr
			}
			return nil, err
		}
	}
	_, err = co.Gather(spawn(co, holder("A")), spawn(co, holder("B")), spawn(co, holder("C")))
	return nil, err
}

func s47(co *asyncore.Co) (any, error) {
	lk, err := co.Loop().NewLock()
	if err != nil {
		return nil, err
	}
	holder := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			traceT("%s wants", name)
			if _, err := awaitOp(co)(lk.AcquireFuture()); err != nil {
				if cancelled(err) {
					traceT("%s: cancelled", name)
				}
				return nil, err
			}
			traceT("%s holds", name)
			err := co.Sleep(sec)
			if err == nil {
				traceT("%s releases", name)
			} else if cancelled(err) {
				traceT("%s: cancelled", name)
			}
			if rerr := lk.Release(); err == nil {
				err = rerr
			}
			return nil, err
		}
	}
	if _, err := awaitOp(co)(lk.AcquireFuture()); err != nil {
		return nil, err
	}
	w := spawn(co, holder("W"))
	n := spawn(co, holder("N"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	w.Cancel("")
	if err := lk.Release(); err != nil {
		return nil, err
	}
	if _, err := co.GatherReturnErrors(w, n); err != nil {
		return nil, err
	}
	traceT("main: locked=%d", b01(lk.Locked()))
	return nil, nil
}

func s48(co *asyncore.Co) (any, error) {
	sem, err := co.Loop().NewSemaphore(2)
	if err != nil {
		return nil, err
	}
	inside, most := 0, 0
	work := func(i int) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if _, err := awaitOp(co)(sem.AcquireFuture()); err != nil {
				return nil, err
			}
			inside++
			if inside > most {
				most = inside
			}
			traceT("W%d in (inside=%d)", i, inside)
			err := co.Sleep(sec)
			inside--
			if err == nil {
				traceT("W%d out", i)
			}
			if rerr := sem.Release(); err == nil {
				err = rerr
			}
			return nil, err
		}
	}
	var ts []asyncore.Awaitable
	for i := 0; i < 4; i++ {
		ts = append(ts, spawn(co, work(i)))
	}
	if _, err := co.Gather(ts...); err != nil {
		return nil, err
	}
	traceT("main: max inside=%d", most)
	return nil, nil
}

func s49(co *asyncore.Co) (any, error) {
	ev, err := co.Loop().NewEvent()
	if err != nil {
		return nil, err
	}
	waiter := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if _, err := awaitOp(co)(ev.WaitFuture()); err != nil {
				return nil, err
			}
			traceT("%s woke", name)
			return nil, nil
		}
	}
	a := spawn(co, waiter("A"))
	b := spawn(co, waiter("B"))
	if err := co.Sleep(2 * sec); err != nil {
		return nil, err
	}
	if err := ev.Set(); err != nil {
		return nil, err
	}
	if _, err := await(co, a); err != nil {
		return nil, err
	}
	if _, err := await(co, b); err != nil {
		return nil, err
	}
	traceT("main: is_set=%d", b01(ev.IsSet()))
	return nil, nil
}

func s50(co *asyncore.Co) (any, error) {
	lk, err := co.Loop().NewLock()
	if err != nil {
		return nil, err
	}
	cond, err := co.Loop().NewCondition(lk)
	if err != nil {
		return nil, err
	}
	// async with cond: the condition's lock, taken without suspending
	// when it is free.
	with := func(co *asyncore.Co, body func() error) error {
		if _, err := awaitOp(co)(lk.AcquireFuture()); err != nil {
			return err
		}
		err := body()
		if rerr := cond.Release(); err == nil {
			err = rerr
		}
		return err
	}
	waiter := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			return nil, with(co, func() error {
				if err := cond.Wait(co); err != nil {
					return err
				}
				traceT("%s notified", name)
				return nil
			})
		}
	}
	w1 := spawn(co, waiter("W1"))
	w2 := spawn(co, waiter("W2"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	if err := with(co, func() error { _, err := cond.Notify(1); return err }); err != nil {
		return nil, err
	}
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	if err := with(co, func() error { _, err := cond.NotifyAll(); return err }); err != nil {
		return nil, err
	}
	if _, err := await(co, w1); err != nil {
		return nil, err
	}
	_, err = await(co, w2)
	return nil, err
}

func s51(co *asyncore.Co) (any, error) {
	q, err := co.Loop().NewQueue(0)
	if err != nil {
		return nil, err
	}
	for i := int64(1); i <= 3; i++ {
		if err := q.PutNowait(i); err != nil {
			return nil, err
		}
	}
	spawn(co, func(co *asyncore.Co) (any, error) {
		for i := 0; i < 3; i++ {
			v, err := awaitOp(co)(q.GetFuture())
			if err != nil {
				return nil, err
			}
			traceT("got %v", v)
			if err := co.Sleep(sec); err != nil {
				return nil, err
			}
			if err := q.TaskDone(); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	if _, err := awaitOp(co)(q.JoinFuture()); err != nil {
		return nil, err
	}
	traceT("main: joined")
	return nil, nil
}

func s52(co *asyncore.Co) (any, error) {
	q, err := co.Loop().NewQueue(1)
	if err != nil {
		return nil, err
	}
	producer := spawn(co, func(co *asyncore.Co) (any, error) {
		for i := int64(0); i < 3; i++ {
			if _, err := awaitOp(co)(q.PutFuture(i)); err != nil {
				return nil, err
			}
			traceT("put %d", i)
		}
		return nil, nil
	})
	consumer := spawn(co, func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(sec); err != nil {
			return nil, err
		}
		for i := 0; i < 3; i++ {
			v, err := awaitOp(co)(q.GetFuture())
			if err != nil {
				return nil, err
			}
			traceT("got %v", v)
			if err := co.Sleep(sec); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	_, err = co.Gather(producer, consumer)
	return nil, err
}

func s53(co *asyncore.Co) (any, error) {
	q, err := co.Loop().NewQueue(0)
	if err != nil {
		return nil, err
	}
	getter := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			v, err := awaitOp(co)(q.GetFuture())
			if cancelled(err) {
				traceT("%s: cancelled", name)
			} else if err == nil {
				traceT("%s: got %v", name, v)
			}
			return nil, err
		}
	}
	g1 := spawn(co, getter("G1"))
	g2 := spawn(co, getter("G2"))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	if err := q.PutNowait(int64(42)); err != nil {
		return nil, err
	}
	g1.Cancel("")
	_, err = co.GatherReturnErrors(g1, g2)
	return nil, err
}

func s54(co *asyncore.Co) (any, error) {
	q, err := co.Loop().NewQueue(0)
	if err != nil {
		return nil, err
	}
	g := spawn(co, func(co *asyncore.Co) (any, error) {
		_, err := awaitOp(co)(q.GetFuture())
		if errors.Is(err, asyncore.ErrShutdown) {
			traceT("G: shut down")
			return nil, nil
		}
		return nil, err
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	if err := q.Shutdown(false); err != nil {
		return nil, err
	}
	if _, err := await(co, g); err != nil {
		return nil, err
	}
	if _, err := awaitOp(co)(q.PutFuture(int64(1))); errors.Is(err, asyncore.ErrShutdown) {
		traceT("main: put refused %s", codeName(err))
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s55(co *asyncore.Co) (any, error) {
	q, err := co.Loop().NewPriorityQueue(0)
	if err != nil {
		return nil, err
	}
	for _, it := range []struct {
		p int64
		v string
	}{{5, "five"}, {1, "one"}, {5, "five again"}} {
		if err := q.PutPriorityNowait(it.p, it.v); err != nil {
			return nil, err
		}
	}
	for i := 0; i < 3; i++ {
		v, err := awaitOp(co)(q.GetFuture())
		if err != nil {
			return nil, err
		}
		traceT("got %v", v)
	}
	return nil, nil
}

// scenarios maps a scenario's name to its main.
func s56(co *asyncore.Co) (any, error) {
	b, err := co.Loop().NewBarrier(3)
	if err != nil {
		return nil, err
	}
	party := func(name string, delay time.Duration) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := co.Sleep(delay); err != nil {
				return nil, err
			}
			i, err := awaitOp(co)(b.WaitFuture())
			if err != nil {
				return nil, err
			}
			traceT("%s passed index=%v", name, i)
			return nil, nil
		}
	}
	a := spawn(co, party("A", 2*sec))
	bb := spawn(co, party("B", sec))
	c := spawn(co, party("C", 3*sec))
	_, err = co.Gather(a, bb, c)
	return nil, err
}

var scenarios = map[string]asyncore.TaskFunc{
	"01-call-soon-fifo":                     s01,
	"02-call-later-order":                   s02,
	"03-done-callbacks-never-inline":        s03,
	"04-tasks-run-concurrently":             s04,
	"05-await-in-sequence":                  s05,
	"06-task-result-shared":                 s06,
	"07-task-error-propagates":              s07,
	"08-cancel-before-start":                s08,
	"09-cancel-at-await":                    s09,
	"10-cancel-swallowed":                   s10,
	"11-uncancel-withdraws":                 s11,
	"12-cancel-propagates-to-awaited":       s12,
	"13-finish-with-pending-cancel":         s13,
	"14-cancel-self-then-await":             s14,
	"15-yield-round-robin":                  s15,
	"16-eager-task":                         s16,
	"17-context-flows-down":                 s17,
	"18-callback-context":                   s18,
	"19-run-cancels-leftovers":              s19,
	"20-unretrieved-error-reported":         s20,
	"21-virtual-clock":                      s21,
	"22-future-cancel-wakes-awaiter":        s22,
	"23-task-name":                          s23,
	"24-timer-cancel":                       s24,
	"25-gather-results-in-order":            s25,
	"26-gather-first-error":                 s26,
	"27-gather-return-exceptions":           s27,
	"28-gather-cancel-cancels-children":     s28,
	"29-wait-first-completed":               s29,
	"30-wait-timeout":                       s30,
	"31-as-completed-order":                 s31,
	"32-wait-for-timeout-cleanup":           s32,
	"33-wait-for-in-time":                   s33,
	"34-timeout-scope-expires":              s34,
	"35-timeout-scopes-nested":              s35,
	"36-shield":                             s36,
	"37-taskgroup-waits-for-all":            s37,
	"38-taskgroup-failure-cancels-the-rest": s38,
	"39-taskgroup-aggregates-errors":        s39,
	"40-taskgroup-body-error":               s40,
	"41-taskgroup-parent-cancelled":         s41,
	"42-to-thread-result":                   s42,
	"43-to-thread-error":                    s43,
	"44-threadsafe-future":                  s44,
	"45-call-soon-threadsafe":               s45,
	"46-lock-fifo":                          s46,
	"47-lock-cancelled-waiter":              s47,
	"48-semaphore-bound":                    s48,
	"49-event-wakes-all":                    s49,
	"50-condition-notify":                   s50,
	"51-queue-fifo-and-join":                s51,
	"52-queue-bounded-put-waits":            s52,
	"53-queue-cancelled-get-loses-nothing":  s53,
	"54-queue-shutdown":                     s54,
	"55-priority-queue":                     s55,
	"56-barrier":                            s56,
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: conformance SCENARIO | --list")
		os.Exit(2)
	}
	name := os.Args[1]
	if name == "--list" {
		var all []string
		for n := range scenarios {
			all = append(all, n)
		}
		sort.Strings(all)
		for _, n := range all {
			fmt.Println(n)
		}
		return
	}
	fn, ok := scenarios[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown scenario %q\n", name)
		os.Exit(2)
	}
	key, err := asyncore.NewContextKey()
	if err != nil {
		fmt.Printf("main failed: %s\n", codeName(err))
		os.Exit(1)
	}
	contextKey = key
	r, err := asyncore.Run(func(co *asyncore.Co) (v any, err error) {
		loop = co.Loop()
		defer func() {
			// spawn's failure to create a task ends the scenario.
			if p := recover(); p != nil {
				perr, ok := p.(error)
				if !ok {
					panic(p)
				}
				err = perr
			}
		}()
		return fn(co)
	}, asyncore.WithVirtualClock())
	if err != nil {
		fmt.Printf("main failed: %s\n", codeName(err))
		os.Exit(1)
	}
	switch name {
	case "19-run-cancels-leftovers", "131-run-finishes-the-iteration":
		trace("run returned %v", r)
	}
}
