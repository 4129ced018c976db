package asyncore

import (
	"sync/atomic"
	"time"

	"asyncore/internal/raw"
)

// TaskFunc is a task written as a plain Go function: it runs in its own
// goroutine, awaits with the Co it is given, and its return values become
// the task's outcome (a non-nil error fails the task; ErrCancelled, or an
// error matching it, ends it cancelled; a panic fails it with a
// *PanicError).
type TaskFunc func(co *Co) (any, error)

// Co is a Go task's view of itself, valid in the task's goroutine while the
// function runs.
//
// How it works: the loop steps the task with a C step function; the step
// hands control to the task's goroutine and waits while the goroutine runs
// up to its next await, serving the goroutine's calls into the loop on the
// loop's thread meanwhile. Then the step registers what the goroutine
// awaits and returns. So exactly one of the loop and the task runs at a
// time, as in asyncio, and every call into the library happens on the
// loop's thread.
type Co struct {
	loop *Loop
	task *Task
	fn   TaskFunc
	g    atomic.Int64 // the goroutine running fn

	toLoop chan coMsg    // goroutine -> step
	toCo   chan coReply  // step -> goroutine
	dead   chan struct{} // closed when the loop released the task mid-run

	// Loop thread only.
	t        raw.SwigcptrTask // set at the first step
	started  bool
	finished bool
	awaiting *Future                               // what the last await registered, if a Go future
	post     func(raw.SwigcptrFuture) (any, error) // how to read what it awaited, if special
}

type coMsg struct {
	kind  int
	fn    func() error
	fut   *Future
	make  func() (made, error)
	delay float64
	val   any
	err   error
}

// made is a C future just made for the task to await (one reference,
// which the await takes over), with how to read its result if special.
type made struct {
	c    raw.SwigcptrFuture
	post func(raw.SwigcptrFuture) (any, error)
}

const (
	msgCall = iota
	msgAwait
	msgAwaitNew
	msgSleep
	msgYield
	msgDone
)

type coReply struct {
	val any
	err error
}

// Go creates a task running fn in a new goroutine (asyncio's create_task)
// and schedules its first step.
func (l *Loop) Go(fn TaskFunc) (*Task, error) {
	var t *Task
	err := l.Call(func() error {
		var e error
		t, e = l.goTask(fn)
		return e
	})
	return t, err
}

// GoEager is Go with asyncio 3.12's eager start: when the loop is
// running, fn runs up to its first await (or to its end) inside GoEager,
// before it returns; a task that finishes there is never scheduled. When
// the loop is not running, it is Go.
func (l *Loop) GoEager(fn TaskFunc) (*Task, error) {
	var t *Task
	err := l.Call(func() error {
		var e error
		t, e = l.goTaskFlags(fn, taskEager)
		return e
	})
	return t, err
}

// Task flags (task.h).
const taskEager = 1

// goTask creates the task on the loop thread.
func (l *Loop) goTask(fn TaskFunc) (*Task, error) { return l.goTaskFlags(fn, 0) }

func (l *Loop) goTaskFlags(fn TaskFunc, flags uint) (*Task, error) {
	return l.newGoTask(fn, func(h uintptr, out *uintptr) int {
		return raw.Task_new(l.c, fnCoStep, h, fnFreeHandle, flags, out)
	})
}

// newGoTask makes the Co for fn and has create make the C task with it as
// the state (loop thread).
func (l *Loop) newGoTask(fn TaskFunc, create func(h uintptr, out *uintptr) int) (*Task, error) {
	co := &Co{
		loop:   l,
		fn:     fn,
		toLoop: make(chan coMsg),
		toCo:   make(chan coReply),
		dead:   make(chan struct{}),
	}
	h := newHandle(co)
	var out uintptr
	// On failure the library has run free_state (the handle is gone).
	if rc := create(uintptr(h), &out); rc < 0 {
		return nil, codeError(rc)
	}
	if co.task != nil {
		// An eager first step asked for its Task already: keep that one.
		raw.Task_unref(raw.SwigcptrTask(out))
		return co.task, nil
	}
	co.task = l.wrapTask(raw.SwigcptrTask(out), true)
	return co.task, nil
}

// freed: the library released the task's state. A goroutine still parked
// in an await learns that the loop is gone.
func (co *Co) freed() {
	if co.started && !co.finished {
		co.finished = true
		close(co.dead)
	}
}

// step is the task's C step function (loop thread).
func (co *Co) step(t raw.SwigcptrTask) int {
	l := co.loop
	// An eager first step runs inside the call of the task creating it:
	// that task is active again afterwards.
	prev := l.active.Swap(co)
	defer l.active.Store(prev)
	if !co.started {
		co.started = true
		co.t = t
		l.goTasks.Add(1)
		go co.main()
	} else {
		var r coReply
		if co.post != nil {
			r = awaitOutcomeWith(l, t, co.post)
		} else {
			r = awaitOutcome(l, t, co.awaiting)
		}
		co.awaiting, co.post = nil, nil
		co.toCo <- r
	}
	return co.serve(t)
}

// awaitOutcome is how the task's last await ended (in its step); f is the
// Go future it awaited, if any.
func awaitOutcome(l *Loop, t raw.SwigcptrTask, f *Future) coReply {
	if f != nil && f.post != nil {
		return awaitOutcomeWith(l, t, func(raw.SwigcptrFuture) (any, error) { return f.post() })
	}
	return awaitOutcomeWith(l, t, nil)
}

// awaitOutcomeWith is awaitOutcome for a future whose result post reads.
func awaitOutcomeWith(l *Loop, t raw.SwigcptrTask, post func(raw.SwigcptrFuture) (any, error)) coReply {
	rc, awp, v := taskOutcome(uintptr(t))
	aw := raw.SwigcptrFuture(awp)
	if rc == 0 {
		if aw != 0 && post != nil && raw.Future_state_of(aw) == futureResult {
			v, err := post(aw)
			return coReply{val: v, err: err}
		}
		return coReply{val: v}
	}
	if aw != 0 {
		if e := raw.Future_error(aw).(raw.SwigcptrError); e != 0 {
			// A cancellation wins over what the awaited future did.
			if rc != codeCancelled || raw.Error_code(e) == codeCancelled {
				return coReply{err: errorFromC(e)}
			}
		}
	}
	return coReply{err: codeError(rc)}
}

// serve runs the goroutine's requests on the loop thread until it awaits,
// yields or finishes; the return value is the step's.
func (co *Co) serve(t raw.SwigcptrTask) int {
	l := co.loop
	for {
		m := <-co.toLoop
		switch m.kind {
		case msgCall:
			co.toCo <- coReply{err: callSafely(m.fn)}
		case msgAwait:
			f := m.fut
			if f.loop != l {
				co.toCo <- coReply{err: ErrInvalid}
				continue
			}
			// A done future too wakes the task through the loop (task.h).
			rc := raw.Task_await(t, f.c)
			if rc == stepAwait {
				co.awaiting = f
				return rc
			}
			co.toCo <- coReply{err: codeError(rc)}
		case msgAwaitNew:
			m, err := callMade(m.make)
			if err != nil {
				co.toCo <- coReply{err: err}
				continue
			}
			rc := raw.Task_await_owned(t, m.c)
			if rc == stepAwait {
				co.post = m.post
				return rc
			}
			co.toCo <- coReply{err: codeError(rc)}
		case msgSleep:
			rc := raw.Task_sleep(t, m.delay)
			if rc == stepAwait {
				return rc
			}
			co.toCo <- coReply{err: codeError(rc)}
		case msgYield:
			return stepYield
		case msgDone:
			co.finished = true
			return finishTask(l, t, m.val, m.err)
		}
	}
}

// finishTask stores a task's outcome and gives the step's return value.
func finishTask(l *Loop, t raw.SwigcptrTask, val any, err error) int {
	if err == nil {
		cv := setValue(l.scratch, val)
		rc := raw.Task_return(t, l.scratch)
		cv.release(rc >= 0)
		return rc
	}
	e, code := errorToC(err)
	if e != 0 {
		raw.Task_raise(t, e)
		raw.Error_unref(e)
	}
	return code
}

func callMade(fn func() (made, error)) (m made, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r}
		}
	}()
	return fn()
}

func callSafely(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r}
		}
	}()
	return fn()
}

// main is the task's goroutine.
func (co *Co) main() {
	defer co.loop.goTasks.Done()
	co.g.Store(goid())
	var val any
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = &PanicError{Value: r}
			}
		}()
		val, err = co.fn(co)
	}()
	select {
	case co.toLoop <- coMsg{kind: msgDone, val: val, err: err}:
	case <-co.dead:
	}
}

// roundTrip hands a request to the step and waits for the answer (or for
// the next step, after an await).
func (co *Co) roundTrip(m coMsg) coReply {
	if goid() != co.g.Load() {
		return coReply{err: ErrWrongThread}
	}
	select {
	case co.toLoop <- m:
	case <-co.dead:
		return coReply{err: ErrClosed}
	}
	select {
	case r := <-co.toCo:
		return r
	case <-co.dead:
		return coReply{err: ErrClosed}
	}
}

// call runs fn on the loop's thread (from the task's goroutine).
func (co *Co) call(fn func() error) error {
	return co.roundTrip(coMsg{kind: msgCall, fn: fn}).err
}

// Loop is the task's loop.
func (co *Co) Loop() *Loop { return co.loop }

// Task is the task itself.
func (co *Co) Task() *Task {
	if co.task == nil {
		// A task started by RunThreadsafe has no Go face until asked.
		_ = co.call(func() error { co.task = co.loop.wrapTask(co.t, false); return nil })
	}
	return co.task
}

// Await suspends the task until a is done and returns its outcome (a
// future already done still lets the loop go round once, as every await of
// the library does). If the task is cancelled
// meanwhile, Await returns an error matching ErrCancelled (and a is
// cancelled too).
func (co *Co) Await(a Awaitable) (any, error) {
	r := co.roundTrip(coMsg{kind: msgAwait, fut: a.future()})
	return r.val, r.err
}

// awaitNew makes a C future on the loop thread and awaits it, in one
// hand-over: the way every "start an operation, wait for it" call of the
// binding (acquire, get, read ...) reaches the loop.
func (co *Co) awaitNew(make func() (made, error)) (any, error) {
	r := co.roundTrip(coMsg{kind: msgAwaitNew, make: make})
	return r.val, r.err
}

// Sleep suspends the task for d (asyncio.sleep).
func (co *Co) Sleep(d time.Duration) error {
	return co.roundTrip(coMsg{kind: msgSleep, delay: d.Seconds()}).err
}

// Yield lets the callbacks already ready run first (asyncio.sleep(0)).
func (co *Co) Yield() error {
	return co.roundTrip(coMsg{kind: msgYield}).err
}

// Call runs fn on the loop's thread while the task holds it.
func (co *Co) Call(fn func() error) error { return co.call(fn) }

// Go creates a task running fn (asyncio's create_task).
func (co *Co) Go(fn TaskFunc) (*Task, error) {
	var t *Task
	err := co.call(func() error {
		var e error
		t, e = co.loop.goTask(fn)
		return e
	})
	return t, err
}

// GoEager creates a task running fn with an eager start (Loop.GoEager):
// fn runs up to its first await before GoEager returns.
func (co *Co) GoEager(fn TaskFunc) (*Task, error) {
	var t *Task
	err := co.call(func() error {
		var e error
		t, e = co.loop.goTaskFlags(fn, taskEager)
		return e
	})
	return t, err
}

// Time is the loop's clock in seconds.
func (co *Co) Time() float64 {
	t := -1.0
	_ = co.call(func() error { t = raw.Loop_time(co.loop.c); return nil })
	return t
}
