package asyncore

import (
	"context"
	"errors"
	"time"

	"asyncore/internal/raw"
)

// futureCallback is a Go done-callback on a future (loop thread).
type futureCallback struct {
	loop *Loop
	fn   func(c raw.SwigcptrFuture)
}

// onDone registers fn to run (through the loop) when c is done.
func (l *Loop) onDone(c raw.SwigcptrFuture, fn func(c raw.SwigcptrFuture)) error {
	h := newHandle(&futureCallback{loop: l, fn: fn})
	return codeError(raw.Future_add_done_callback(c, fnFutureDone, uintptr(h), fnFreeHandle))
}

// gatherState is one gather in progress (loop thread).
type gatherState struct {
	loop     *Loop
	g        raw.SwigcptrFuture
	children []*Future
	results  []any
	left     int
	failing  bool // the gather ended because of a child: do not cancel the others
}

// Gather returns a future that completes with the results of every a, in
// order, as a []any (asyncio.gather). The first failure fails it (the
// others keep running); a cancelled child cancels it; cancelling the
// gather cancels the children that are not done.
func (l *Loop) Gather(aws ...Awaitable) (*Future, error) {
	var f *Future
	err := l.Call(func() error {
		var e error
		f, e = l.gather(aws)
		return e
	})
	return f, err
}

func (l *Loop) gather(aws []Awaitable) (*Future, error) {
	var out uintptr
	if rc := raw.Future_new(l.c, &out); rc < 0 {
		return nil, codeError(rc)
	}
	st := &gatherState{loop: l, g: raw.SwigcptrFuture(out), results: make([]any, len(aws)), left: len(aws)}
	f := l.wrapFuture(st.g, true)
	for _, a := range aws {
		st.children = append(st.children, a.future())
	}
	for i, c := range st.children {
		i := i
		if c.loop != l {
			raw.Future_cancel(st.g, "")
			return f, ErrInvalid
		}
		if err := l.onDone(c.c, func(cc raw.SwigcptrFuture) { st.childDone(i, cc) }); err != nil {
			return f, err
		}
	}
	if err := l.onDone(st.g, func(raw.SwigcptrFuture) { st.outerDone() }); err != nil {
		return f, err
	}
	if st.left == 0 {
		st.complete()
	}
	return f, nil
}

func (st *gatherState) childDone(i int, c raw.SwigcptrFuture) {
	l := st.loop
	v, err := readOutcome(l, c)
	if raw.Future_done(st.g) == 1 {
		return
	}
	if err != nil {
		st.failing = true
		if errors.Is(err, ErrCancelled) {
			raw.Future_cancel(st.g, "")
			return
		}
		e, _ := errorToC(err)
		raw.Future_set_error(st.g, e)
		raw.Error_unref(e)
		return
	}
	st.results[i] = v
	st.left--
	if st.left == 0 {
		st.complete()
	}
}

func (st *gatherState) complete() {
	cv := setValue(st.loop.scratch, st.results)
	cv.release(raw.Future_set_result(st.g, st.loop.scratch) == 0)
}

func (st *gatherState) outerDone() {
	if st.failing || raw.Future_cancelled(st.g) != 1 {
		return
	}
	for _, c := range st.children {
		raw.Future_cancel(c.c, "")
	}
}

// Gather awaits every a concurrently and returns their results in order
// (asyncio.gather).
func (co *Co) Gather(aws ...Awaitable) ([]any, error) {
	var g *Future
	if err := co.call(func() error {
		var e error
		g, e = co.loop.gather(aws)
		return e
	}); err != nil {
		return nil, err
	}
	v, err := co.Await(g)
	if err != nil {
		return nil, err
	}
	res, _ := v.([]any)
	return res, nil
}

// timer schedules fn on the loop thread after d and returns its handle
// (one reference, for cancelTimer).
func (l *Loop) timer(d time.Duration, fn func()) (raw.SwigcptrHandle, error) {
	h := newHandle(&callback{loop: l, fn: fn})
	var out uintptr
	if rc := raw.Loop_call_later(l.c, d.Seconds(), fnCallback, uintptr(h), fnFreeHandle, &out); rc < 0 {
		return 0, codeError(rc)
	}
	return raw.SwigcptrHandle(out), nil
}

func cancelTimer(h raw.SwigcptrHandle) {
	raw.Handle_cancel(h)
	raw.Handle_unref(h)
}

// timeoutError is the error of an expired timeout; it wraps the
// cancellation that delivered it.
func timeoutError(cause error) error {
	return &Error{Code: codeTimedOut, Message: "timed out", Cause: cause}
}

// WaitFor awaits a for at most d (asyncio.wait_for): when d passes first, a
// is cancelled, and once it has ended WaitFor returns an error matching
// ErrTimeout.
func (co *Co) WaitFor(a Awaitable, d time.Duration) (any, error) {
	l := co.loop
	f := a.future()
	expired := false
	var h raw.SwigcptrHandle
	if err := co.call(func() error {
		var e error
		h, e = l.timer(d, func() {
			expired = true
			raw.Future_cancel(f.c, "")
		})
		return e
	}); err != nil {
		return nil, err
	}
	v, err := co.Await(f)
	_ = co.call(func() error { cancelTimer(h); return nil })
	if expired && errors.Is(err, ErrCancelled) {
		return nil, timeoutError(err)
	}
	return v, err
}

// Timeout runs body with a deadline d from now (asyncio.timeout): when it
// passes, the task is cancelled, body sees the cancellation at its await,
// and Timeout turns it into an error matching ErrTimeout. A cancellation
// from elsewhere stays a cancellation.
func (co *Co) Timeout(d time.Duration, body func() error) error {
	l := co.loop
	t := co.task.t
	expired := false
	before := 0
	var h raw.SwigcptrHandle
	if err := co.call(func() error {
		before = raw.Task_cancelling(t)
		var e error
		h, e = l.timer(d, func() {
			expired = true
			raw.Task_cancel(t, "")
		})
		return e
	}); err != nil {
		return err
	}
	err := body()
	remaining := 0
	_ = co.call(func() error {
		cancelTimer(h)
		if expired {
			remaining = raw.Task_uncancel(t)
		}
		return nil
	})
	if expired && remaining <= before && errors.Is(err, ErrCancelled) {
		return timeoutError(err)
	}
	return err
}

// ToThread runs fn in a new goroutine and returns a future of its outcome
// (asyncio.to_thread, with a goroutine for the thread). A panic in fn
// fails the future with a *PanicError.
func (l *Loop) ToThread(fn func() (any, error)) (*Future, error) {
	var f *Future
	err := l.Call(func() error {
		var out uintptr
		if rc := raw.Future_new(l.c, &out); rc < 0 {
			return codeError(rc)
		}
		f = l.wrapFuture(raw.SwigcptrFuture(out), true)
		// On the loop thread, so before Close waits for these goroutines.
		l.goTasks.Add(1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	go func() {
		defer l.goTasks.Done()
		var v any
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = &PanicError{Value: r}
				}
			}()
			v, err = fn()
		}()
		_ = l.Post(func() {
			if raw.Future_done(f.c) == 1 {
				return
			}
			if err != nil {
				if errors.Is(err, ErrCancelled) {
					raw.Future_cancel(f.c, err.Error())
					return
				}
				e, _ := errorToC(err)
				raw.Future_set_error(f.c, e)
				raw.Error_unref(e)
				return
			}
			cv := setValue(l.scratch, v)
			cv.release(raw.Future_set_result(f.c, l.scratch) == 0)
		})
	}()
	return f, nil
}

// ToThread runs fn in a new goroutine and awaits its outcome.
func (co *Co) ToThread(fn func() (any, error)) (any, error) {
	f, err := co.loop.ToThread(fn)
	if err != nil {
		return nil, err
	}
	return co.Await(f)
}

// GoContext is Go with the task tied to ctx: when ctx ends first, the task
// is cancelled.
func (l *Loop) GoContext(ctx context.Context, fn TaskFunc) (*Task, error) {
	t, err := l.Go(fn)
	if err != nil {
		return nil, err
	}
	go func() {
		select {
		case <-ctx.Done():
			_ = l.Post(func() { t.cancelOnLoop(ctx.Err().Error()) })
		case <-t.Done():
		}
	}()
	return t, nil
}
