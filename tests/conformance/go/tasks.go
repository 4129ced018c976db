package main

// Scenarios 100-131: futures, tasks, cancellation, callbacks, context, the
// loop and its errors; 180: work on other threads and the virtual clock.

import (
	"errors"
	"strings"
	"syscall"
	"time"

	"libasyncore.org/go/asyncore"
)

func init() {
	register(map[string]asyncore.TaskFunc{
		"100-future-set-when-done":       s100,
		"101-future-result-not-ready":    s101,
		"102-done-callbacks-order":       s102,
		"103-remove-done-callback":       s103,
		"104-unretrieved-future-error":   s104,
		"105-unretrieved-task-error":     s105,
		"106-cancel-message":             s106,
		"107-cancel-message-chain":       s107,
		"108-cancel-twice":               s108,
		"109-cancel-swallowed-continues": s109,
		"110-self-cancel-then-await":     s110,
		"111-await-done-no-suspend":      s111,
		"112-sleep-zero-yields":          s112,
		"113-task-awaits-itself":         s113,
		"114-run-inside-running-loop":    s114,
		"115-closed-loop":                s115,
		"116-run-shutdown-error":         s116,
		"117-callback-context":           s117,
		"118-task-context-copy":          s118,
		"119-to-thread-context":          s119,
		"120-to-thread-error-cause":      s120,
		"121-timers-equal-deadline":      s121,
		"122-timer-joins-ready-queue":    s122,
		"123-call-later-negative":        s123,
		"124-handle-cancel":              s124,
		"125-eager-finishes-at-once":     s125,
		"126-eager-step-context":         s126,
		"127-future-cancel":              s127,
		"128-awaiter-wakeup-order":       s128,
		"129-current-task-all-tasks":     s129,
		"130-callback-error-reported":    s130,
		"131-run-finishes-the-iteration": s131,
		"180-to-thread-holds-clock":      s180,
	})
}

// valueError is Python's ValueError(message).
func valueError(message string) error {
	return &asyncore.Error{Code: -int(syscall.EINVAL), Message: message}
}

// osError is an OSError subclass by its errno, e.g. ConnectionResetError.
func osError(errno syscall.Errno, message string) error {
	return &asyncore.Error{Code: -int(errno), Message: message}
}

// k is the ContextVar K of 117-119 (default 'unset').
func k(v any, ok bool) string {
	if !ok {
		return "unset"
	}
	return v.(string)
}

// raised is the error a panicking callback raised (the panic's value).
func raised(err error) error {
	var p *asyncore.PanicError
	if errors.As(err, &p) {
		if e := p.Unwrap(); e != nil {
			return e
		}
	}
	return err
}

func s100(co *asyncore.Co) (any, error) {
	f := must1(co.Loop().NewFuture())
	must(f.SetResult(int64(1)))
	if err := f.SetResult(int64(2)); is(err, asyncore.ErrInvalidState) {
		say("set_result again: %s", describe(err))
	} else {
		must(err)
	}
	if err := f.SetError(valueError("late")); is(err, asyncore.ErrInvalidState) {
		say("set_exception after result: %s", describe(err))
	} else {
		must(err)
	}
	say("result still %v", must1(f.Result()))
	g := must1(co.Loop().NewFuture())
	g.Cancel("")
	if err := g.SetResult(int64(3)); is(err, asyncore.ErrInvalidState) {
		say("set_result after cancel: %s", describe(err))
	} else {
		must(err)
	}
	say("cancelled=%d", b01(g.Cancelled()))
	return nil, nil
}

func s101(co *asyncore.Co) (any, error) {
	f := must1(co.Loop().NewFuture())
	if _, err := f.Result(); is(err, asyncore.ErrInvalidState) {
		say("result() pending: %s", describe(err))
	} else {
		must(err)
	}
	if _, err := f.Exception(); is(err, asyncore.ErrInvalidState) {
		say("exception() pending: %s", describe(err))
	} else {
		must(err)
	}
	must(f.SetError(valueError("bad value")))
	say("exception() failed: %s", describe(must1(f.Exception())))
	if _, err := f.Result(); is(err, asyncore.ErrValue) {
		say("result() failed: %s", describe(err))
	} else {
		must(err)
	}
	g := must1(co.Loop().NewFuture())
	g.Cancel("")
	if _, err := g.Result(); cancelled(err) {
		say("result() cancelled: %s", describe(err))
	} else {
		must(err)
	}
	if _, err := g.Exception(); cancelled(err) {
		say("exception() cancelled: %s", describe(err))
	} else {
		must(err)
	}
	return nil, nil
}

func s102(co *asyncore.Co) (any, error) {
	named := func(name string) func(*asyncore.Future) {
		return func(f *asyncore.Future) { say("%s: result=%v", name, must1(f.Result())) }
	}
	f := must1(co.Loop().NewFuture())
	must(f.AddDoneCallback(named("cb1")))
	must(f.AddDoneCallback(named("cb2")))
	must(f.SetResult(int64(5)))
	say("main: set_result returned")
	must1(co.Loop().CallSoon(func() { say("soon: X") }))
	must(f.AddDoneCallback(named("cb3")))
	say("main: cb3 added")
	if err := co.Sleep(0); err != nil {
		return nil, err
	}
	say("main: resumed")
	return nil, nil
}

func cbA(*asyncore.Future) { say("A ran") }
func cbB(*asyncore.Future) { say("B ran") }

func s103(co *asyncore.Co) (any, error) {
	f := must1(co.Loop().NewFuture())
	for _, cb := range []func(*asyncore.Future){cbA, cbB, cbA, cbB, cbA} {
		must(f.AddDoneCallback(cb))
	}
	say("remove A -> %d", f.RemoveDoneCallback(cbA))
	say("remove A again -> %d", f.RemoveDoneCallback(cbA))
	must(f.SetResult(nil))
	say("remove B after done -> %d", f.RemoveDoneCallback(cbB))
	if err := co.Sleep(0); err != nil {
		return nil, err
	}
	say("main: done")
	return nil, nil
}

// handlerTimed prints an exception report with the time (104, 105).
func handlerTimed(c asyncore.ExceptionContext) {
	traceT("handler: %s; keys=%s; error=%s", c.Message, strings.Join(c.Keys(), ", "), code(c.Err))
}

func s104(co *asyncore.Co) (any, error) {
	must(co.Loop().SetExceptionHandler(handlerTimed))
	read := must1(co.Loop().NewFuture())
	must(read.SetError(osError(syscall.ECONNRESET, "peer reset")))
	traceT("main: read error=%s", code(must1(read.Exception())))
	read.Release()
	traceT("main: dropped the read one")
	unread := must1(co.Loop().NewFuture())
	must(unread.SetError(osError(syscall.EPIPE, "pipe closed")))
	unread.Release()
	traceT("main: dropped the unread one")
	return nil, nil
}

func s105(co *asyncore.Co) (any, error) {
	must(co.Loop().SetExceptionHandler(handlerTimed))
	fail := func(delay time.Duration) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := co.Sleep(delay); err != nil {
				return nil, err
			}
			return nil, osError(syscall.ECONNRESET, "peer reset")
		}
	}
	awaited := spawn(co, fail(sec))
	spawn(co, fail(2*sec)).Release()
	if _, err := co.Await(awaited); is(err, asyncore.ErrConnReset) {
		traceT("main: caught %s", code(err))
	} else if err != nil {
		return nil, err
	}
	awaited.Release()
	if err := co.Sleep(5 * sec); err != nil {
		return nil, err
	}
	traceT("main: done")
	return nil, nil
}

func s106(co *asyncore.Co) (any, error) {
	body := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			err := co.Sleep(10 * sec)
			if cancelled(err) {
				traceT("%s: sees %s (str empty=%d)", name, describe(err), b01(msg(err) == ""))
			}
			return nil, err
		}
	}
	for _, c := range [][2]string{{"T1", ""}, {"T2", "stop now"}} {
		t := spawn(co, body(c[0]))
		if err := co.Sleep(sec); err != nil {
			return nil, err
		}
		t.Cancel(c[1])
		if _, err := co.Await(t); cancelled(err) {
			traceT("main: %s gave %s", c[0], describe(err))
		} else if err != nil {
			return nil, err
		}
	}
	early := spawn(co, func(co *asyncore.Co) (any, error) {
		say("never printed")
		return nil, nil
	})
	early.Cancel("too early")
	if _, err := co.Await(early); cancelled(err) {
		traceT("main: T3 gave %s", describe(err))
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s107(co *asyncore.Co) (any, error) {
	inner := func(name string) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			err := co.Sleep(10 * sec)
			if cancelled(err) {
				traceT("%s: %s", name, describe(err))
			}
			return nil, err
		}
	}
	outer := func(name string, it *asyncore.Task) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			_, err := co.Await(it)
			if cancelled(err) {
				traceT("%s: %s", name, describe(err))
			}
			return nil, err
		}
	}
	chain := func(cancelOuter bool, message string) error {
		b := spawn(co, inner("B"))
		a := spawn(co, outer("A", b))
		if err := co.Sleep(sec); err != nil {
			return err
		}
		if cancelOuter {
			a.Cancel(message)
		} else {
			b.Cancel(message)
		}
		if _, err := co.Await(a); cancelled(err) {
			traceT("main: %s; A cancelled=%d B cancelled=%d", describe(err), b01(a.Cancelled()), b01(b.Cancelled()))
		} else if err != nil {
			return err
		}
		return nil
	}
	if err := chain(true, "from the top"); err != nil {
		return nil, err
	}
	return nil, chain(false, "from the bottom")
}

func s108(co *asyncore.Co) (any, error) {
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		err := co.Sleep(10 * sec)
		if cancelled(err) {
			me := co.Task()
			traceT("T: %s; cancelling=%d", describe(err), me.Cancelling())
			traceT("T: uncancel -> %d", me.Uncancel())
		}
		return nil, err
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: cancel -> %d", b01(t.Cancel("first")))
	traceT("main: cancel -> %d", b01(t.Cancel("second")))
	traceT("main: cancelling=%d", t.Cancelling())
	if _, err := co.Await(t); cancelled(err) {
		traceT("main: %s", describe(err))
	} else if err != nil {
		return nil, err
	}
	ok := t.Cancel("")
	traceT("main: cancel done -> %d; cancelling=%d", b01(ok), t.Cancelling())
	return nil, nil
}

func s109(co *asyncore.Co) (any, error) {
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		me := co.Task()
		if err := co.Sleep(10 * sec); cancelled(err) {
			traceT("T: swallowed, cancelling=%d", me.Cancelling())
		} else if err != nil {
			return nil, err
		}
		if err := co.Sleep(2 * sec); err != nil {
			return nil, err
		}
		traceT("T: slept 2 more")
		traceT("T: uncancel -> %d", me.Uncancel())
		return "kept going", nil
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	t.Cancel("")
	r, err := co.Await(t)
	if err != nil {
		return nil, err
	}
	traceT("main: %v; cancelled=%d cancelling=%d", r, b01(t.Cancelled()), t.Cancelling())
	return nil, nil
}

func s110(co *asyncore.Co) (any, error) {
	done := must1(co.Loop().NewFuture())
	must(done.SetResult(int64(7)))
	pending := must1(co.Loop().NewFuture())
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		say("T: cancel self -> %d", b01(co.Task().Cancel("")))
		v, err := co.Await(done)
		if err != nil {
			return nil, err
		}
		say("T: done future gave %v", v)
		if _, err := co.Await(pending); cancelled(err) {
			say("T: cancelled at the pending await; future cancelled=%d", b01(pending.Cancelled()))
		} else if err != nil {
			return nil, err
		}
		return "survived", nil
	})
	r, err := co.Await(t)
	if err != nil {
		return nil, err
	}
	say("main: T returned %v", r)
	return nil, nil
}

func s111(co *asyncore.Co) (any, error) {
	q := spawn(co, func(co *asyncore.Co) (any, error) { return "quick result", nil })
	r, err := co.Await(q)
	if err != nil {
		return nil, err
	}
	say("main: awaited pending task: %v", r)
	b := spawn(co, func(co *asyncore.Co) (any, error) {
		say("B: runs")
		return nil, nil
	})
	f := must1(co.Loop().NewFuture())
	must(f.SetResult(int64(11)))
	say("main: done future: %v", must1(co.Await(f)))
	say("main: done task: %v", must1(co.Await(q)))
	say("main: done task again: %v", must1(co.Await(q)))
	if err := co.Sleep(0); err != nil {
		return nil, err
	}
	say("main: after sleep(0)")
	_, err = co.Await(b)
	return nil, err
}

func s112(co *asyncore.Co) (any, error) {
	l := co.Loop()
	must1(l.CallSoon(func() { traceT("cb X") }))
	if err := co.Sleep(0); err != nil {
		return nil, err
	}
	traceT("main: after sleep(0)")
	must1(l.CallSoon(func() { traceT("cb Y") }))
	if err := co.Sleep(-sec); err != nil {
		return nil, err
	}
	traceT("main: after sleep(-1)")
	if err := co.Sleep(500 * time.Millisecond); err != nil {
		return nil, err
	}
	traceT("main: after sleep(0.5)")
	return nil, nil
}

func s113(co *asyncore.Co) (any, error) {
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		if _, err := co.Await(co.Task()); is(err, asyncore.ErrRuntime) {
			say("T: %s: %s", cls(err), strings.Split(msg(err), ":")[0])
		} else if err != nil {
			return nil, err
		}
		return "recovered", nil
	})
	r, err := co.Await(t)
	if err != nil {
		return nil, err
	}
	say("main: T returned %v", r)
	return nil, nil
}

func s114(co *asyncore.Co) (any, error) {
	l := co.Loop()
	never := func(co *asyncore.Co) (any, error) {
		say("never printed")
		return nil, nil
	}
	if _, err := asyncore.Run(never, asyncore.WithVirtualClock()); is(err, asyncore.ErrRuntime) {
		say("run: %s", describe(err))
	} else {
		must(err)
		say("run: ran")
	}
	fut := must1(l.NewFuture())
	if _, err := l.RunUntilComplete(fut); is(err, asyncore.ErrRuntime) {
		say("run_until_complete, same loop: %s", describe(err))
	} else {
		must(err)
		say("run_until_complete, same loop: ran")
	}
	other := must1(asyncore.NewLoop(asyncore.WithVirtualClock()))
	otherFut := must1(other.NewFuture())
	must1(other.CallSoon(func() { _ = otherFut.SetResult(nil) }))
	if _, err := other.RunUntilComplete(otherFut); is(err, asyncore.ErrRuntime) {
		say("run_until_complete, other loop: %s", describe(err))
	} else {
		must(err)
		say("run_until_complete, other loop: ran")
	}
	must(other.Close())
	say("main: still running=%d, fut done=%d", b01(l.IsRunning()), b01(fut.IsDone()))
	return nil, nil
}

func s115(co *asyncore.Co) (any, error) {
	l := must1(asyncore.NewLoop(asyncore.WithVirtualClock()))
	fut := must1(l.NewFuture())
	say("new loop: closed=%d", b01(l.IsClosed()))
	must(l.Close())
	say("after close: closed=%d", b01(l.IsClosed()))
	if _, err := l.CallSoon(func() { say("never printed") }); is(err, asyncore.ErrRuntime) {
		say("call_soon: %s", describe(err))
	} else {
		must(err)
	}
	if _, err := l.CallLater(sec, func() { say("never printed") }); is(err, asyncore.ErrRuntime) {
		say("call_later: %s", describe(err))
	} else {
		must(err)
	}
	if _, err := l.RunUntilComplete(fut); is(err, asyncore.ErrRuntime) {
		say("run_until_complete: %s", describe(err))
	} else {
		must(err)
	}
	must(l.Close())
	say("closed twice: closed=%d", b01(l.IsClosed()))
	return nil, nil
}

func s116(co *asyncore.Co) (any, error) {
	must(co.Loop().SetExceptionHandler(func(c asyncore.ExceptionContext) {
		say("handler: %s; keys=%s; error=%s", c.Message, strings.Join(c.Keys(), ", "), describe(c.Err))
	}))
	spawn(co, func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(100 * sec); cancelled(err) {
			traceT("L: cancelled, cleanup fails")
			return nil, valueError("cleanup failed")
		} else if err != nil {
			return nil, err
		}
		return nil, nil
	})
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: returns")
	return int64(7), nil
}

func s117(co *asyncore.Co) (any, error) {
	l := co.Loop()
	show := func(name string) { traceT("%s sees %s", name, k(l.ContextValue(contextKey))) }
	worker := func(co *asyncore.Co) (any, error) {
		must(co.SetValue(contextKey, "worker"))
		must1(l.CallSoon(func() { show("soon") }))
		must1(l.CallLater(sec, func() { show("later") }))
		f := must1(l.NewFuture())
		must(f.AddDoneCallback(func(*asyncore.Future) { show("done-callback") }))
		must(co.SetValue(contextKey, "worker, changed"))
		must(f.SetResult(nil))
		show("worker")
		return nil, nil
	}
	must(co.SetValue(contextKey, "main"))
	if _, err := co.Await(spawn(co, worker)); err != nil {
		return nil, err
	}
	show("main")
	return nil, co.Sleep(2 * sec)
}

func s118(co *asyncore.Co) (any, error) {
	grandchild := func(co *asyncore.Co) (any, error) {
		say("G sees %s", k(co.Value(contextKey)))
		return nil, nil
	}
	child := func(co *asyncore.Co) (any, error) {
		say("C sees %s", k(co.Value(contextKey)))
		must(co.SetValue(contextKey, "child"))
		if _, err := co.Await(spawn(co, grandchild)); err != nil {
			return nil, err
		}
		say("C still sees %s", k(co.Value(contextKey)))
		return nil, nil
	}
	must(co.SetValue(contextKey, "before create"))
	t := spawn(co, child)
	must(co.SetValue(contextKey, "after create"))
	if _, err := co.Await(t); err != nil {
		return nil, err
	}
	say("main sees %s", k(co.Value(contextKey)))
	return nil, nil
}

func s119(co *asyncore.Co) (any, error) {
	readK := func(ctx *asyncore.Context) (any, error) { return k(ctx.Value(contextKey)), nil }
	writeK := func(ctx *asyncore.Context) (any, error) {
		must(ctx.SetValue(contextKey, "worker"))
		return k(ctx.Value(contextKey)), nil
	}
	job := func(co *asyncore.Co) (any, error) {
		must(co.SetValue(contextKey, "job"))
		r, err := co.ToThreadContext(readK)
		if err != nil {
			return nil, err
		}
		say("worker read %v", r)
		if r, err = co.ToThreadContext(writeK); err != nil {
			return nil, err
		}
		say("worker set %v", r)
		say("job sees %s", k(co.Value(contextKey)))
		return nil, nil
	}
	must(co.SetValue(contextKey, "main"))
	if _, err := co.Await(spawn(co, job)); err != nil {
		return nil, err
	}
	say("main sees %s", k(co.Value(contextKey)))
	return nil, nil
}

func s120(co *asyncore.Co) (any, error) {
	work := func() (any, error) {
		cause := osError(syscall.ECONNRESET, "peer reset")
		return nil, &asyncore.Error{Code: -int(syscall.EINVAL), Message: "bad reply", Cause: cause}
	}
	if _, err := co.ToThread(work); is(err, asyncore.ErrValue) {
		say("main: %s: %s", code(err), msg(err))
		c := errors.Unwrap(err)
		say("main: cause %s: %s", code(c), msg(c))
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

func s121(co *asyncore.Co) (any, error) {
	l := co.Loop()
	must1(l.CallLater(sec, func() { traceT("A: call_later(1)") }))
	must1(l.CallAt(1.0, func() { traceT("B: call_at(1)") }))
	dropped := must1(l.CallLater(500*time.Millisecond, func() { traceT("never printed") }))
	must1(l.CallAt(2.0, func() { traceT("C: call_at(2)") }))
	must1(l.CallLater(2*sec, func() { traceT("D: call_later(2)") }))
	dropped.Cancel()
	traceT("main: dropped cancelled=%d", b01(dropped.Cancelled()))
	if err := co.Sleep(3 * sec); err != nil {
		return nil, err
	}
	traceT("main: done")
	return nil, nil
}

func s122(co *asyncore.Co) (any, error) {
	l := co.Loop()
	must1(l.CallLater(0, func() { say("timer: call_later(0)") }))
	must1(l.CallSoon(func() { say("soon 1") }))
	must1(l.CallSoon(func() { say("soon 2") }))
	if err := co.Sleep(0); err != nil {
		return nil, err
	}
	say("main: after sleep(0)")
	if err := co.Sleep(0); err != nil {
		return nil, err
	}
	say("main: after second sleep(0)")
	return nil, nil
}

func s123(co *asyncore.Co) (any, error) {
	l := co.Loop()
	zero := must1(l.CallLater(0, func() { traceT("zero") }))
	neg := must1(l.CallLater(-sec, func() { traceT("negative") }))
	past := must1(l.CallAt(l.Time()-5, func() { traceT("past") }))
	traceT("main: when %d, %d, %d", msOf(zero.When()), msOf(neg.When()), msOf(past.When()))
	if err := co.Sleep(sec); err != nil {
		return nil, err
	}
	traceT("main: done")
	return nil, nil
}

func s124(co *asyncore.Co) (any, error) {
	l := co.Loop()
	soon := must1(l.CallSoon(func() { traceT("never printed") }))
	later := must1(l.CallLater(1500*time.Millisecond, func() { traceT("never printed") }))
	kept := must1(l.CallLater(2500*time.Millisecond, func() { traceT("kept: ran") }))
	traceT("main: cancelled=%d, when=%d, %d", b01(soon.Cancelled()), msOf(later.When()), msOf(kept.When()))
	soon.Cancel()
	later.Cancel()
	later.Cancel()
	traceT("main: cancelled=%d, %d, %d", b01(soon.Cancelled()), b01(later.Cancelled()), b01(kept.Cancelled()))
	if err := co.Sleep(3 * sec); err != nil {
		return nil, err
	}
	traceT("main: done")
	return nil, nil
}

func s125(co *asyncore.Co) (any, error) {
	t, err := co.GoEager(func(co *asyncore.Co) (any, error) {
		say("E: runs")
		return int64(5), nil
	})
	if err != nil {
		return nil, err
	}
	say("main: created, done=%d", b01(t.IsDone()))
	must(t.AddDoneCallback(func(*asyncore.Future) { say("E: callback") }))
	r, err := co.Await(t)
	if err != nil {
		return nil, err
	}
	say("main: awaited %v", r)
	if err := co.Sleep(0); err != nil {
		return nil, err
	}
	say("main: after sleep(0)")
	return nil, nil
}

func s126(co *asyncore.Co) (any, error) {
	l := co.Loop()
	me := l.CurrentTask()
	must(co.SetValue(contextKey, "main"))
	t, err := co.GoEager(func(co *asyncore.Co) (any, error) {
		say("E: first step, is main=%d, sees %s", b01(co.Loop().CurrentTask() == me), k(co.Value(contextKey)))
		must(co.SetValue(contextKey, "eager"))
		if err := co.Sleep(0); err != nil {
			return nil, err
		}
		say("E: second step, sees %s", k(co.Value(contextKey)))
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	say("main: created, current is main=%d, sees %s", b01(l.CurrentTask() == me), k(co.Value(contextKey)))
	if _, err := co.Await(t); err != nil {
		return nil, err
	}
	say("main: done")
	return nil, nil
}

func s127(co *asyncore.Co) (any, error) {
	f := must1(co.Loop().NewFuture())
	must(f.AddDoneCallback(func(f *asyncore.Future) { say("callback: cancelled=%d", b01(f.Cancelled())) }))
	say("cancel -> %d", b01(f.Cancel("first")))
	say("cancel again -> %d", b01(f.Cancel("second")))
	say("done=%d cancelled=%d", b01(f.IsDone()), b01(f.Cancelled()))
	if _, err := f.Result(); cancelled(err) {
		say("result(): %s", describe(err))
	} else {
		must(err)
	}
	g := must1(co.Loop().NewFuture())
	must(g.SetResult(int64(4)))
	ok := g.Cancel("")
	say("cancel a done future -> %d; result=%v", b01(ok), must1(g.Result()))
	return nil, co.Sleep(0)
}

func s128(co *asyncore.Co) (any, error) {
	t := spawn(co, func(co *asyncore.Co) (any, error) {
		if err := co.Sleep(sec); err != nil {
			return nil, err
		}
		return "w", nil
	})
	must(t.AddDoneCallback(func(*asyncore.Future) { traceT("cb1") }))
	w := spawn(co, func(co *asyncore.Co) (any, error) {
		r, err := co.Await(t)
		if err != nil {
			return nil, err
		}
		traceT("W: got %v", r)
		return nil, nil
	})
	if err := co.Sleep(500 * time.Millisecond); err != nil {
		return nil, err
	}
	must(t.AddDoneCallback(func(*asyncore.Future) { traceT("cb2") }))
	r, err := co.Await(t)
	if err != nil {
		return nil, err
	}
	traceT("main: got %v", r)
	_, err = co.Await(w)
	return nil, err
}

func s129(co *asyncore.Co) (any, error) {
	l := co.Loop()
	me := l.CurrentTask()
	must1(l.CallSoon(func() { traceT("callback: current is None=%d", b01(l.CurrentTask() == nil)) }))
	child := func(delay time.Duration) asyncore.TaskFunc {
		return func(co *asyncore.Co) (any, error) {
			if err := co.Sleep(delay); err != nil {
				return nil, err
			}
			return co.Loop().CurrentTask(), nil
		}
	}
	a := spawn(co, child(sec))
	b := spawn(co, child(2*sec))
	tasks := l.AllTasks()
	in := false
	for _, t := range tasks {
		in = in || t == me
	}
	traceT("main: all_tasks=%d, main in it=%d", len(tasks), b01(in))
	r, err := co.Await(a)
	if err != nil {
		return nil, err
	}
	traceT("main: A saw itself=%d", b01(r == a))
	traceT("main: all_tasks=%d", len(l.AllTasks()))
	if _, err := co.Await(b); err != nil {
		return nil, err
	}
	traceT("main: all_tasks=%d, current is main=%d", len(l.AllTasks()), b01(l.CurrentTask() == me))
	return nil, nil
}

func s130(co *asyncore.Co) (any, error) {
	l := co.Loop()
	must(l.SetExceptionHandler(func(c asyncore.ExceptionContext) {
		say("handler: keys=%s; error=%s", strings.Join(c.Keys(), ", "), describe(raised(c.Err)))
	}))
	bad := func(what string) { panic(valueError(what + " failed")) }
	must1(l.CallSoon(func() { bad("callback") }))
	must1(l.CallSoon(func() { say("next callback runs") }))
	f := must1(l.NewFuture())
	must(f.AddDoneCallback(func(*asyncore.Future) { bad("done-callback") }))
	must(f.AddDoneCallback(func(*asyncore.Future) { say("next done-callback runs") }))
	must(f.SetResult(nil))
	if err := co.Sleep(0); err != nil {
		return nil, err
	}
	say("main: done")
	return nil, nil
}

func s131(co *asyncore.Co) (any, error) {
	spawn(co, func(co *asyncore.Co) (any, error) {
		traceT("other: started")
		err := co.Sleep(sec)
		if cancelled(err) {
			traceT("other: cancelled")
		}
		return nil, err
	})
	traceT("main: done")
	return int64(3), nil
}

func s180(co *asyncore.Co) (any, error) {
	sleeper := spawn(co, func(co *asyncore.Co) (any, error) {
		traceT("sleeper: sleeping 10")
		if err := co.Sleep(10 * sec); err != nil {
			return nil, err
		}
		traceT("sleeper: woke")
		return nil, nil
	})
	if err := co.Sleep(0); err != nil {
		return nil, err
	}
	r, err := co.ToThread(func() (any, error) {
		time.Sleep(20 * time.Millisecond) // real work, real time
		return int64(7), nil
	})
	if err != nil {
		return nil, err
	}
	traceT("main: job gave %v", r)
	if _, err := co.Await(sleeper); err != nil {
		return nil, err
	}
	traceT("main: done")
	return nil, nil
}
