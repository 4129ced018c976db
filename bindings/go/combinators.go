package asyncore

import (
	"math"
	"time"

	"libasyncore.org/go/asyncore/internal/raw"
)

// Waiting on several futures at once (combinators.h): gather, wait,
// as_completed, wait_for, shield. Each Loop method may be called from any
// goroutine and returns a future; each Co method awaits it.

// NoTimeout, as a timeout, means none (asyncio's None). Any other
// duration is a deadline that far from now; zero or a negative one is due
// at once (asyncio: a timeout <= 0 expires before anything waits).
const NoTimeout = time.Duration(math.MaxInt64)

func timeoutSeconds(d time.Duration) float64 {
	if d == NoTimeout {
		return math.Inf(1)
	}
	return d.Seconds()
}

// futurePtrs lists the C futures of aws (which must belong to l).
func (l *Loop) futurePtrs(aws []Awaitable) ([]uintptr, []*Future, error) {
	ptrs := make([]uintptr, len(aws))
	fs := make([]*Future, len(aws))
	for i, a := range aws {
		f := a.future()
		if f.loop != l {
			return nil, nil, ErrInvalid
		}
		ptrs[i], fs[i] = uintptr(f.c), f
	}
	return ptrs, fs, nil
}

// made wraps a future the library just handed out (out) unless rc failed.
func (l *Loop) made(rc int, out uintptr) (*Future, error) {
	if rc < 0 {
		return nil, codeError(rc)
	}
	return l.wrapFuture(raw.SwigcptrFuture(out), true), nil
}

// onLoopFuture runs make on the loop thread and returns its future.
func (l *Loop) onLoopFuture(make func() (*Future, error)) (*Future, error) {
	var f *Future
	err := l.Call(func() error {
		var e error
		f, e = make()
		return e
	})
	return f, err
}

// Gather returns a future of the results of every a, in argument order, as
// a []any (asyncio.gather): the first failure fails it (the others keep
// running), a cancelled child cancels it, and cancelling it cancels the
// children not yet done.
func (l *Loop) Gather(aws ...Awaitable) (*Future, error) {
	return l.onLoopFuture(func() (*Future, error) { return l.gather(aws, 0) })
}

// GatherReturnErrors is Gather with asyncio's return_exceptions=True: it
// waits for every child and never fails because of one; a failed child's
// slot holds its error.
func (l *Loop) GatherReturnErrors(aws ...Awaitable) (*Future, error) {
	return l.onLoopFuture(func() (*Future, error) { return l.gather(aws, 1) })
}

func (l *Loop) gather(aws []Awaitable, flags uint) (*Future, error) {
	m, err := l.gatherMade(aws, flags)
	if err != nil {
		return nil, err
	}
	f := l.wrapFuture(m.c, true)
	f.post = func() (any, error) { return m.post(m.c) }
	return f, nil
}

// gatherMade starts a gather (loop thread); its result, read by post, is
// the children's results as a []any.
func (l *Loop) gatherMade(aws []Awaitable, flags uint) (made, error) {
	ptrs, fs, err := l.futurePtrs(aws)
	if err != nil {
		return made{}, err
	}
	var out uintptr
	if returnedForGo(fs) {
		// Every child is done (Go tasks whose code returned, one at least
		// not yet recorded by the library): the gather is done when made,
		// as asyncio's gather of done children.
		if rc := raw.Future_new(l.c, &out); rc < 0 {
			return made{}, codeError(rc)
		}
		setValue(l.scratch, nil).release(raw.Future_set_result(raw.SwigcptrFuture(out), l.scratch) == 0)
	} else if rc := raw.Gather(l.c, ptrs, flags, &out); rc < 0 {
		return made{}, codeError(rc)
	}
	n := len(ptrs)
	post := func(g raw.SwigcptrFuture) (any, error) {
		res := make([]any, n)
		for i := range res {
			// A result Go knows already (a Go task's) needs no crossing.
			if v, err, ok := fs[i].outcome(); ok && err == nil {
				res[i] = v
				continue
			}
			if rc := raw.Gather_result_at(g, int64(i), l.scratch); rc == 0 {
				res[i] = getValue(l.scratch)
			} else if c := raw.Gather_item(g, int64(i)).(raw.SwigcptrFuture); c != 0 {
				_, res[i] = readOutcome(l, c)
			}
		}
		return res, nil
	}
	return made{c: raw.SwigcptrFuture(out), post: post}, nil
}

// returnedForGo tells whether every future of fs has a result Go knows
// and one at least is a Go task whose end the library has not recorded
// yet (its next step will): Go takes them all as done (loop thread).
func returnedForGo(fs []*Future) bool {
	lagging := false
	for _, f := range fs {
		if _, err, ok := f.outcome(); !ok || err != nil {
			return false
		}
		if f.goTask != nil && raw.Future_done(f.c) != 1 {
			lagging = true
		}
	}
	return lagging
}

// Gather awaits every a concurrently and returns their results in order.
func (co *Co) Gather(aws ...Awaitable) ([]any, error) {
	return co.awaitList(func() (made, error) { return co.loop.gatherMade(aws, 0) })
}

// GatherReturnErrors awaits every a; a failed one's slot holds its error.
func (co *Co) GatherReturnErrors(aws ...Awaitable) ([]any, error) {
	return co.awaitList(func() (made, error) { return co.loop.gatherMade(aws, 1) })
}

func (co *Co) awaitList(make func() (made, error)) ([]any, error) {
	v, err := co.awaitNew(make)
	if err != nil {
		return nil, err
	}
	res, _ := v.([]any)
	return res, nil
}

// WaitFor returns a future of a's outcome, or, once d passes, cancels a,
// waits until it has finished cancelling and fails with an error matching
// ErrTimeout (asyncio.wait_for as a future, for goroutines; a Go task uses
// Co.WaitFor).
func (l *Loop) WaitFor(a Awaitable, d time.Duration) (*Future, error) {
	return l.onLoopFuture(func() (*Future, error) { return l.waitForFuture(a, d) })
}

func (l *Loop) waitForFuture(a Awaitable, d time.Duration) (*Future, error) {
	f := a.future()
	if f.loop != l {
		return nil, ErrInvalid
	}
	var out uintptr
	return l.made(raw.Wait_for(l.c, f.c, timeoutSeconds(d), &out), out)
}

// WaitFor awaits a for at most d (asyncio.wait_for, as 3.12 writes it):
// the await runs in this task under a timeout scope (Co.Timeout). When d
// passes, a is cancelled (the task's cancellation reaches the future it
// awaits), the task waits until a has finished cancelling, and WaitFor
// returns a TimeoutError (matching ErrTimeout) whose cause is the
// CancelledError; if a swallowed the cancellation and finished anyway,
// its outcome is returned. An a that is done already is read without
// suspending. A d of zero or less cancels a at once and waits for it to
// finish cancelling (a task that has not started never starts). NoTimeout
// waits for as long as it takes.
func (co *Co) WaitFor(a Awaitable, d time.Duration) (any, error) {
	if err := co.check(); err != nil {
		return nil, err
	}
	f := a.future()
	if f.loop != co.loop {
		return nil, ErrInvalid
	}
	if d != NoTimeout && d <= 0 {
		if v, err, ok := co.readyOutcome(f); ok {
			return v, err
		}
		// Cancel a now and wait for the end of its cancellation.
		return co.awaitNew(func() (made, error) {
			var out uintptr
			rc := raw.Wait_for(co.loop.c, f.c, 0, &out)
			if rc < 0 {
				return made{}, codeError(rc)
			}
			return made{c: raw.SwigcptrFuture(out)}, nil
		})
	}
	var v any
	err := co.Timeout(d, func(*Scope) error {
		var err error
		v, err = co.Await(a)
		return err
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// WaitForFunc runs fn in this task, under a deadline d (asyncio.wait_for
// of a coroutine, as 3.12 writes it: no task is made for it). When d
// passes, the task is cancelled where fn awaits, and once fn has returned
// WaitForFunc gives a TimeoutError whose cause is the cancellation fn
// returned; fn's own outcome otherwise (also when it swallowed the
// cancellation). A d of zero or less makes fn a task and cancels it before
// it starts (asyncio's ensure_future then cancel): fn never runs, and the
// TimeoutError comes once that task is done.
func (co *Co) WaitForFunc(fn TaskFunc, d time.Duration) (any, error) {
	if err := co.check(); err != nil {
		return nil, err
	}
	if d != NoTimeout && d <= 0 {
		t, err := co.Go(fn)
		if err != nil {
			return nil, err
		}
		return co.WaitFor(t, d)
	}
	var v any
	err := co.Timeout(d, func(*Scope) error {
		var err error
		v, err = fn(co)
		return err
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// readyOutcome is f's outcome when f is done (holder).
func (co *Co) readyOutcome(f *Future) (any, error, bool) {
	if v, err, ok := f.outcome(); ok {
		return v, err, true
	}
	if f.c == 0 || raw.Future_done(f.c) != 1 {
		return nil, nil, false
	}
	f.capture(f.c)
	return f.outcome()
}

// Shield returns a future mirroring a that does not pass its own
// cancellation on to a (asyncio.shield).
func (l *Loop) Shield(a Awaitable) (*Future, error) {
	return l.onLoopFuture(func() (*Future, error) {
		f := a.future()
		if f.loop != l {
			return nil, ErrInvalid
		}
		var out uintptr
		return l.made(raw.Shield(l.c, f.c, &out), out)
	})
}

// Shield awaits a without letting this task's cancellation cancel it.
func (co *Co) Shield(a Awaitable) (any, error) {
	f, err := co.loop.Shield(a)
	if err != nil {
		return nil, err
	}
	return co.Await(f)
}

// WaitMode says when Wait returns (asyncio's constants).
type WaitMode int

const (
	AllCompleted   WaitMode = 0
	FirstCompleted WaitMode = 1
	FirstException WaitMode = 2
)

// Wait waits until mode is satisfied or timeout passes (asyncio.wait) and
// returns the done and the pending ones, each in argument order. It never
// fails for the timeout and never cancels anything.
func (co *Co) Wait(mode WaitMode, timeout time.Duration, aws ...Awaitable) (done, pending []Awaitable, err error) {
	l := co.loop
	var byPtr map[uintptr]Awaitable
	w, err := l.onLoopFuture(func() (*Future, error) {
		ptrs, _, err := l.futurePtrs(aws)
		if err != nil {
			return nil, err
		}
		byPtr = make(map[uintptr]Awaitable, len(aws))
		for i, p := range ptrs {
			if _, seen := byPtr[p]; !seen {
				byPtr[p] = aws[i]
			}
		}
		var out uintptr
		return l.made(raw.Wait(l.c, ptrs, int(mode), timeoutSeconds(timeout), &out), out)
	})
	if err != nil {
		return nil, nil, err
	}
	if _, err := co.Await(w); err != nil {
		return nil, nil, err
	}
	err = co.call(func() error {
		nd, np := int(raw.Wait_done_count(w.c)), int(raw.Wait_pending_count(w.c))
		if nd < 0 || np < 0 {
			return codeError(nd)
		}
		for i := 0; i < nd; i++ {
			done = append(done, byPtr[raw.Wait_done_at(w.c, int64(i)).Swigcptr()])
		}
		for i := 0; i < np; i++ {
			pending = append(pending, byPtr[raw.Wait_pending_at(w.c, int64(i)).Swigcptr()])
		}
		return nil
	})
	return done, pending, err
}

// AsCompleted iterates over futures in the order they complete
// (asyncio.as_completed).
type AsCompleted struct {
	co   *Co
	it   raw.SwigcptrAs_completed
	id   uint64 // the reference Go holds, in loop.refs
	done bool
}

// AsCompleted starts an iteration over aws; after timeout the inputs not
// finished yet come out as errors matching ErrTimeout.
func (co *Co) AsCompleted(timeout time.Duration, aws ...Awaitable) (*AsCompleted, error) {
	l := co.loop
	ac := &AsCompleted{co: co}
	err := co.call(func() error {
		ptrs, _, err := l.futurePtrs(aws)
		if err != nil {
			return err
		}
		var out uintptr
		if rc := raw.As_completed_new(l.c, ptrs, timeoutSeconds(timeout), &out); rc < 0 {
			return codeError(rc)
		}
		ac.it = raw.SwigcptrAs_completed(out)
		ac.id = holdObject(l, ac, out, func(p uintptr) { raw.As_completed_unref(raw.SwigcptrAs_completed(p)) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ac, nil
}

// Next awaits the next input to finish: its index in aws and its outcome.
// ok is false once every input has come out.
func (ac *AsCompleted) Next() (index int, val any, err error, ok bool) {
	if ac.done {
		return -1, nil, nil, false
	}
	co := ac.co
	l := co.loop
	var f *Future
	if cerr := co.call(func() error {
		var out uintptr
		rc := raw.As_completed_next(ac.it, &out)
		if rc < 0 {
			return codeError(rc)
		}
		if rc == 0 {
			ac.done = true
			return nil
		}
		f = l.wrapFuture(raw.SwigcptrFuture(out), true)
		return nil
	}); cerr != nil {
		return -1, nil, cerr, false
	}
	if f == nil {
		return -1, nil, nil, false
	}
	val, err = co.Await(f)
	index = -1
	_ = co.call(func() error { index = int(raw.As_completed_index(f.c)); return nil })
	return index, val, err, true
}

// ToThread runs fn in a new goroutine and returns a future of its outcome
// (asyncio.to_thread, with a goroutine for the thread). A panic in fn
// fails the future with a *PanicError. Close waits for these goroutines.
func (l *Loop) ToThread(fn func() (any, error)) (*Future, error) {
	return l.ToThreadContext(func(*Context) (any, error) { return fn() })
}

// ToThreadContext is ToThread with a copy of the caller's context for fn
// (asyncio.to_thread runs the function in contextvars.copy_context()): fn
// reads the values the calling task sees, and what it sets stays in the
// copy.
//
// The goroutine completes a thread-safe future that the loop future
// follows with the clock held (ac_tsfuture_wrap_held): on a virtual clock
// the loop waits for the goroutine's outcome, as for C's ac_to_thread, so
// it arrives at the virtual time the work started. Cancelling the loop
// future cancels the thread-safe one; the goroutine's late outcome is then
// dropped.
func (l *Loop) ToThreadContext(fn func(ctx *Context) (any, error)) (*Future, error) {
	var f *Future
	var ts raw.SwigcptrTsfuture
	ctx := &Context{}
	err := l.Call(func() error {
		var tsOut, out uintptr
		if rc := raw.Tsfuture_new(&tsOut); rc < 0 {
			return codeError(rc)
		}
		ts = raw.SwigcptrTsfuture(tsOut)
		if rc := raw.Tsfuture_wrap_held(ts, l.c, &out); rc < 0 {
			raw.Tsfuture_unref(ts)
			return codeError(rc)
		}
		f = l.wrapFuture(raw.SwigcptrFuture(out), true)
		ctx.m = l.currentCtx()
		// On the loop thread, so before Close waits for these goroutines.
		l.goTasks.Add(1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	go func() {
		defer l.goTasks.Done()
		defer raw.Tsfuture_unref(ts)
		var v any
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = &PanicError{Value: r}
				}
			}()
			v, err = fn(ctx)
		}()
		completeTS(ts, v, err)
	}()
	return f, nil
}

// completeTS completes a thread-safe future with a Go outcome (any
// goroutine); a future already done (cancelled meanwhile) is left alone.
func completeTS(ts raw.SwigcptrTsfuture, v any, err error) {
	if err != nil {
		if isCode(err, codeCancelled) {
			raw.Tsfuture_cancel(ts, err.(*Error).Message)
			return
		}
		e, _ := errorToC(err)
		if e == 0 {
			raw.Tsfuture_set_error_code(ts, codeHost, err.Error())
			return
		}
		raw.Tsfuture_set_error(ts, e)
		raw.Error_unref(e)
		return
	}
	cv := raw.NewValue().(raw.SwigcptrValue)
	defer raw.DeleteValue(cv)
	c := setValue(cv, v)
	c.release(raw.Tsfuture_set_result(ts, cv) == 0)
}

// ToThread runs fn in a new goroutine and awaits its outcome.
func (co *Co) ToThread(fn func() (any, error)) (any, error) {
	f, err := co.loop.ToThread(fn)
	if err != nil {
		return nil, err
	}
	return co.Await(f)
}

// ToThreadContext runs fn in a new goroutine with a copy of the task's
// context and awaits its outcome (asyncio.to_thread).
func (co *Co) ToThreadContext(fn func(ctx *Context) (any, error)) (any, error) {
	f, err := co.loop.ToThreadContext(fn)
	if err != nil {
		return nil, err
	}
	return co.Await(f)
}
