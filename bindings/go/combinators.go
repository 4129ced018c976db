package asyncore

import (
	"context"
	"errors"
	"math"
	"time"

	"asyncore/internal/raw"
)

// Waiting on several futures at once (combinators.h): gather, wait,
// as_completed, wait_for, shield. Each Loop method may be called from any
// goroutine and returns a future; each Co method awaits it.

// NoTimeout, as a timeout, means none.
const NoTimeout = time.Duration(-1)

func timeoutSeconds(d time.Duration) float64 {
	if d < 0 {
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
	if rc := raw.Gather(l.c, ptrs, flags, &out); rc < 0 {
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
// ErrTimeout (asyncio.wait_for).
func (l *Loop) WaitFor(a Awaitable, d time.Duration) (*Future, error) {
	return l.onLoopFuture(func() (*Future, error) {
		f := a.future()
		if f.loop != l {
			return nil, ErrInvalid
		}
		var out uintptr
		return l.made(raw.Wait_for(l.c, f.c, timeoutSeconds(d), &out), out)
	})
}

// WaitFor awaits a for at most d (asyncio.wait_for).
func (co *Co) WaitFor(a Awaitable, d time.Duration) (any, error) {
	f, err := co.loop.WaitFor(a, d)
	if err != nil {
		return nil, err
	}
	return co.Await(f)
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
		nd, np := raw.Wait_done_count(w.c), raw.Wait_pending_count(w.c)
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

// Scope is a timeout scope (asyncio.timeout): a deadline around a stretch
// of awaits in one Go task.
//
// The binding keeps the scope itself (the library's ac_timeout is entered
// and left only from inside the running step of its task, and a Go task's
// code runs between its steps), with the same rules: a timer cancels the
// task at the deadline, and leaving the scope turns that cancellation
// into ErrTimeout when taking it back leaves no more cancellations than
// there were at the entry.
type Scope struct {
	co         *Co
	when       float64
	state      int
	timer      raw.SwigcptrHandle
	cancelling int
}

// Scope states.
const (
	scopeEntered = iota
	scopeExpiring
	scopeExpired
	scopeExited
)

// Timeout runs body with a deadline d from now (asyncio.timeout): when it
// passes, the task is cancelled, body sees the cancellation at its await,
// and Timeout returns an error matching ErrTimeout (and
// context.DeadlineExceeded). A cancellation from elsewhere stays one.
func (co *Co) Timeout(d time.Duration, body func(s *Scope) error) error {
	if err := co.check(); err != nil {
		return err
	}
	when := math.Inf(1)
	if d >= 0 {
		when = raw.Loop_time(co.loop.c) + d.Seconds()
	}
	return co.timeoutScope(when, body)
}

// TimeoutAt is Timeout with a deadline at loop time when (seconds).
func (co *Co) TimeoutAt(when float64, body func(s *Scope) error) error {
	if err := co.check(); err != nil {
		return err
	}
	if math.IsNaN(when) {
		return ErrInvalid
	}
	return co.timeoutScope(when, body)
}

func (co *Co) timeoutScope(when float64, body func(s *Scope) error) error {
	s := &Scope{co: co, when: when, state: scopeEntered}
	s.cancelling = raw.Task_cancelling(co.ctask())
	if err := s.arm(); err != nil {
		return err
	}
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				s.exit(0)
				panic(r)
			}
		}()
		return body(s)
	}()
	outcome := 0
	if err != nil {
		outcome = codeHost
		var ae *Error
		if errors.As(err, &ae) && ae.Code < 0 {
			outcome = ae.Code
		}
	}
	rc := outcome
	if co.check() == nil {
		rc = s.exit(outcome)
	}
	if rc == codeTimedOut && outcome == codeCancelled {
		return &Error{Code: codeTimedOut, Message: raw.Strerror(codeTimedOut), Cause: err}
	}
	return err
}

// arm starts the timer of the deadline (holder). A deadline already past
// expires at the next timer phase.
func (s *Scope) arm() error {
	if math.IsInf(s.when, 1) {
		return nil
	}
	l := s.co.loop
	h := newHandle(&callback{loop: l, fn: s.fire})
	var out uintptr
	if rc := raw.Loop_call_at(l.c, s.when, fnCallback, uintptr(h), fnFreeHandle, &out); rc < 0 {
		return codeError(rc)
	}
	s.timer = raw.SwigcptrHandle(out)
	return nil
}

func (s *Scope) disarm() {
	if s.timer != 0 {
		raw.Handle_cancel(s.timer)
		raw.Handle_unref(s.timer)
		s.timer = 0
	}
}

// fire: the deadline passed (a callback of the loop).
func (s *Scope) fire() {
	if s.timer != 0 {
		raw.Handle_unref(s.timer)
		s.timer = 0
	}
	co := s.co
	if s.state == scopeEntered && co.c != nil && !co.finished {
		s.state = scopeExpiring
		raw.Task_cancel(co.ctask(), "")
	}
}

// exit leaves the scope with the body's outcome code and returns the
// scope's (ETIMEDOUT for its own expiry).
func (s *Scope) exit(outcome int) int {
	s.disarm()
	if s.state == scopeExpiring {
		s.state = scopeExpired
		if raw.Task_uncancel(s.co.ctask()) <= s.cancelling && outcome == codeCancelled {
			return codeTimedOut
		}
		return outcome
	}
	s.state = scopeExited
	return outcome
}

// When is the scope's deadline (loop time; +Inf for none).
func (s *Scope) When() float64 {
	w := math.NaN()
	_ = s.co.call(func() error { w = s.when; return nil })
	return w
}

// Reschedule moves the deadline to loop time when (+Inf: none).
func (s *Scope) Reschedule(when float64) error {
	if math.IsNaN(when) {
		return ErrInvalid
	}
	return s.co.call(func() error {
		if s.state != scopeEntered {
			return ErrState
		}
		s.disarm()
		s.when = when
		return s.arm()
	})
}

// Expired reports whether the deadline passed while the scope was entered.
func (s *Scope) Expired() bool {
	e := false
	_ = s.co.call(func() error { e = s.state == scopeExpiring || s.state == scopeExpired; return nil })
	return e
}

// ToThread runs fn in a new goroutine and returns a future of its outcome
// (asyncio.to_thread, with a goroutine for the thread). A panic in fn
// fails the future with a *PanicError. Close waits for these goroutines.
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
		_ = l.Post(func() { completeOnLoop(l, f.c, v, err) })
	}()
	return f, nil
}

// completeOnLoop completes a future with a Go outcome (loop thread); a
// future already done (cancelled meanwhile) is left alone.
func completeOnLoop(l *Loop, c raw.SwigcptrFuture, v any, err error) {
	if raw.Future_done(c) == 1 {
		return
	}
	if err != nil {
		if errors.Is(err, ErrCancelled) {
			raw.Future_cancel(c, err.Error())
			return
		}
		e, _ := errorToC(err)
		raw.Future_set_error(c, e)
		raw.Error_unref(e)
		return
	}
	cv := setValue(l.scratch, v)
	cv.release(raw.Future_set_result(c, l.scratch) == 0)
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
