package asyncore

import (
	"sync/atomic"
	"time"

	"libasyncore.org/go/asyncore/internal/raw"
)

// TaskFunc is a task written as a plain Go function: a goroutine runs it
// (one per task that stops), it awaits with the Co it is given, and its return values become
// the task's outcome (a non-nil error fails the task; ErrCancelled, or an
// error matching it, ends it cancelled; a panic fails it with a
// *PanicError).
type TaskFunc func(co *Co) (any, error)

// Co is a Go task's view of itself, valid in the task's goroutine while the
// function runs.
//
// How it works: the task is a library task whose step function (in C,
// internal/raw/gotask.c) carries out what the goroutine asked for when it last stopped
// and, when the task wakes, ends the loop's current run. The loop is then
// handed to the task's goroutine, which runs on the thread that ran the
// loop, calls the library directly and, at its next await, runs the loop
// itself or hands it to the next woken task. So exactly one goroutine uses
// the loop at a time, on the loop's current thread, and a hand-over is a
// goroutine switch, not a thread switch.
type Co struct {
	loop *Loop
	task *Task
	fn   TaskFunc
	c    cCo              // the task's C state; 0 once the library released it
	ct   raw.SwigcptrTask // the library task, for the loop's map of Go tasks (0 if not in it)
	h    handle           // names the Co in the C state
	wake chan int
	ctx  ctxMap // task-local values (contextvar.go)

	// Holder only.
	started  bool
	finished bool        // fn returned (the task ends at its next step)
	dead     atomic.Bool // the loop closed under the task (read by misusing goroutines too)
	post     func(raw.SwigcptrFuture) (any, error)
	gofut    *Future     // the Go future awaited, for its special result
	callFn   func() bool // ACGO_REQ_CALL: Go code for inside the step
	eager    *Co         // GoEager: the creator, waiting for the first stop
	outcome  coReply     // the outcome once finished (Go side)
	// cancelTouched: the task was cancelled or uncancelled through Go since
	// it last woke (its end then reads the count from the library).
	cancelTouched bool
	woke          wakeRec // how the last await ended (callpath.go)
	endCancelled  bool    // cancelled while the code ran: the task ends cancelled
}

type coReply struct {
	val any
	err error
}

// Hand-over messages on Co.wake.
const (
	turnGo     = 0 // the loop is yours
	turnClosed = 1 // the loop closed: stop using it
)

// Go creates a task running fn (asyncio's create_task) and schedules its
// first step; a goroutine runs fn when the task first runs.
func (l *Loop) Go(fn TaskFunc) (*Task, error) {
	if co := l.holderCo(); co != nil {
		return co.Go(fn)
	}
	var t *Task
	err := l.Call(func() error {
		var e error
		t, e = l.goTask(fn, 0, 0)
		return e
	})
	return t, err
}

// GoEager is Go with asyncio 3.12's eager start: when the loop is
// running, fn runs up to its first await (or to its end) inside GoEager,
// before it returns; a task that finishes there is done when GoEager
// returns. When the loop is not running, it is Go.
func (l *Loop) GoEager(fn TaskFunc) (*Task, error) {
	if co := l.holderCo(); co != nil {
		return co.GoEager(fn)
	}
	var t *Task
	err := l.Call(func() error {
		var e error
		t, e = l.goTask(fn, l.eagerFlags(), 0)
		return e
	})
	return t, err
}

// Task flags (task.h).
const taskEager = 1

// eagerFlags: the library runs an eager first step only inside a run; from
// a callback of one it does (the task's code then runs right after the
// callback), between runs the task starts as any other.
func (l *Loop) eagerFlags() uint32 {
	if l.inCallback > 0 {
		return taskEager
	}
	return 0
}

// goTask creates a Go task on the loop thread, in group when not 0.
func (l *Loop) goTask(fn TaskFunc, flags uint32, group uintptr) (*Task, error) {
	co := &Co{loop: l, fn: fn, ctx: l.currentCtx()}
	co.h = newHandle(co)
	c, t, f, rc := spawnCo(l, co.h, flags, group)
	if rc != 0 {
		if rc > 0 {
			deleteHandle(co.h)
		}
		return nil, codeError(ccode(rc))
	}
	co.c = c
	co.task = l.goTaskHandle(t, f, co)
	co.ct = t
	l.goCos[t] = co
	return co.task, nil
}

// freed: the library released the task's state (it finished, or the loop
// closed under it). A goroutine parked in an await learns that the loop is
// gone.
func (co *Co) freed() {
	if co.ct != 0 {
		delete(co.loop.goCos, co.ct)
	}
	co.c = 0
	// No reference cycle through the Task (it has a finalizer, so a cycle
	// would never be collected) outlives the task: the Task drops the Co.
	if t := co.task; t != nil {
		t.co = nil
		t.goTask = nil
	}
	if co.started && !co.finished && !co.dead.Load() {
		co.dead.Store(true)
		co.ensureWake()
		co.wake <- turnClosed
	}
}

// check reports whether the caller may act for the task now: the task's
// code is running (it holds the loop). Another goroutine calling with the
// same Co gets ErrWrongThread, as the thread check of every call through
// the binding's C helpers confirms.
func (co *Co) check() error {
	l := co.loop
	if co.dead.Load() || l.isReleased() {
		return ErrClosed
	}
	if threadToken() != l.holderTok.Load() || l.cur.Load() != co {
		return ErrWrongThread
	}
	return nil
}

// checkLoop is check without the thread test, for calls whose C helper
// tests the thread itself (holderTok is passed along).
func (co *Co) checkLoop() error {
	if co.dead.Load() || co.loop.isReleased() {
		return ErrClosed
	}
	if co.loop.cur.Load() != co {
		return ErrWrongThread
	}
	return nil
}

// fastCheck is check without the thread test, for calls whose C helper
// tests the thread itself (holderTok is passed along).
func (co *Co) fastCheck() error {
	if co.dead.Load() {
		return ErrClosed
	}
	if co.loop.cur.Load() != co {
		return ErrWrongThread
	}
	return nil
}

// main is the task's goroutine; it starts holding the loop. When the task
// ends and the next task to run has not started yet, the goroutine runs
// that one too (one goroutine serves a run of tasks that never stop).
func (co *Co) main() {
	l := co.loop
	l.takeTurn()
	for co != nil {
		next := co.body()
		l.goTasks.Done()
		co = next
	}
}

// body runs the task's function and its end; the result is a task to run
// next on the same goroutine, or nil.
func (co *Co) body() *Co {
	l := co.loop
	l.cur.Store(co)
	var val any
	var err error
	if co.cancelTouched && int(raw.Task_cancelling(co.ctask())) > co.cancelsAtWake() {
		// Cancelled after its first step ran with others (a batch of first
		// steps) but before its code started: as asyncio does for a task
		// cancelled before it starts, it never runs.
		err = l.cancelError(co)
	} else {
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = &PanicError{Value: r}
				}
			}()
			val, err = co.fn(co)
		}()
	}
	return co.finish(val, err)
}

// finish makes the task's last request (return val or fail with err) and
// hands the loop on; the goroutine then ends, or runs the task returned.
func (co *Co) finish(val any, err error) *Co {
	l := co.loop
	co.finished = true
	if co.dead.Load() {
		return nil
	}
	co.outcome = coReply{val: val, err: err}
	if err == nil {
		switch rc := reqReturn(l, co.c, val, co.cancelTouched); {
		case rc < 0:
			co.outcome = coReply{err: ErrInternal}
		case rc == 1:
			co.endCancelled = true
		}
	} else {
		e, code := errorToC(err)
		reqRaise(co.c, e, code)
	}
	if co.task != nil {
		co.task.resolveGo(co)
	}
	l.cur.Store(nil)
	if co.eager != nil {
		l.handBack(co)
		return nil
	}
	return l.schedule(nil, false)
}

// suspend hands the loop on after a request and waits for the task's
// wake-up; the reply is how the await ended.
func (co *Co) suspend() coReply {
	l := co.loop
	co.ensureWake()
	l.cur.Store(nil)
	if co.eager != nil {
		l.handBack(co)
		co.waitTurn()
	} else {
		l.schedule(co, false)
	}
	if co.dead.Load() {
		return coReply{err: ErrClosed}
	}
	return co.readWake()
}

// ensureWake makes the channel the task's turn comes on (holder, before
// the task first gives the loop away: a task that never stops needs none).
func (co *Co) ensureWake() {
	if co.wake == nil {
		co.wake = make(chan int, 1)
	}
}

// waitTurn waits until the loop is handed to the task.
func (co *Co) waitTurn() {
	if <-co.wake == turnClosed {
		return
	}
	co.loop.takeTurn()
	co.loop.cur.Store(co)
	co.cancelTouched = false
}

// cancelsAtWake is the task's cancellation count at its last wake-up.
func (co *Co) cancelsAtWake() int {
	if co.woke.fresh {
		return co.woke.cancels
	}
	return cancelsAtWake(co.c)
}

// readWake reads how the task's last await ended (holder).
func (co *Co) readWake() coReply {
	l := co.loop
	rc, aw, res := co.woke.rc, co.woke.aw, &co.woke.res
	if !co.woke.fresh {
		rc, aw, res = wakeRecord(l, co.c)
	}
	co.woke.fresh = false
	post, gofut := co.post, co.gofut
	co.post, co.gofut = nil, nil
	if rc == 0 {
		if aw != 0 {
			if post != nil {
				v, err := post(aw)
				return coReply{val: v, err: err}
			}
			if gofut != nil && gofut.post != nil {
				v, err := gofut.post()
				return coReply{val: v, err: err}
			}
		}
		return coReply{val: res.value()}
	}
	if aw != 0 {
		if e := raw.Future_error(aw).(raw.SwigcptrError); e != 0 {
			// A cancellation wins over what the awaited future did.
			if rc != codeCancelled || raw.Error_code(e) == codeCancelled {
				return coReply{err: errorFromC(e)}
			}
		}
	}
	if rc == codeCancelled {
		return coReply{err: l.cancelError(co)}
	}
	return coReply{err: codeError(rc)}
}

// cancelError is the error a cancellation delivered without a future
// carrying it brings: the message of the last cancel asked through Go.
func (l *Loop) cancelError(co *Co) error {
	if msg := cancelMessage(co.c); msg != "" {
		return &Error{Code: codeCancelled, Message: msg}
	}
	return codeError(codeCancelled)
}

// Loop is the task's loop.
func (co *Co) Loop() *Loop { return co.loop }

// Task is the task itself.
func (co *Co) Task() *Task {
	if co.task == nil && co.c != 0 && co.check() == nil {
		// A task started by RunThreadsafe has no Go face until asked.
		t := ctaskOf(co.c)
		raw.Task_ref(t)
		co.task = co.loop.goTaskHandle(t, raw.Task_future(t).(raw.SwigcptrFuture), co)
	}
	return co.task
}

// ctask is the library task (holder).
func (co *Co) ctask() raw.SwigcptrTask { return ctaskOf(co.c) }

// call runs fn on the loop's thread (the task holds it: at once).
func (co *Co) call(fn func() error) error {
	if err := co.check(); err != nil {
		return err
	}
	return callSafely(fn)
}

// Call runs fn on the loop's thread while the task holds it.
func (co *Co) Call(fn func() error) error { return co.call(fn) }

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

// made is a C future just made for the task to await (one reference,
// which the await takes over), with how to read its result if special.
type made struct {
	c    raw.SwigcptrFuture
	post func(raw.SwigcptrFuture) (any, error)
}

// Await suspends the task until a is done and returns its outcome. A
// future that is already done is read at once, without suspending (as
// asyncio does). If the task is cancelled meanwhile, Await returns an
// error matching ErrCancelled (and a is cancelled too).
func (co *Co) Await(a Awaitable) (any, error) {
	if err := co.fastCheck(); err != nil {
		return nil, err
	}
	f := a.future()
	if f.loop != co.loop {
		return nil, ErrInvalid
	}
	if f.goTask == co {
		return nil, co.awaitSelf()
	}
	l := co.loop
	st := futureStateOn(l.holderTok.Load(), f.c)
	if st == opWrong+16 {
		return nil, ErrWrongThread
	}
	// The caller holds the loop (the C helper checked the thread).
	if v, err, ok := f.outcome(); ok {
		return v, err
	}
	if f.c == 0 {
		return nil, ErrInvalid
	}
	if st != futurePending {
		f.capture(f.c)
		v, err, _ := f.outcome()
		return v, err
	}
	reqAwait(co.c, uintptr(f.c), false)
	co.gofut = f
	r := co.suspend()
	return r.val, r.err
}

// awaitSelf is a task's await of its own future: as asyncio's step, the
// task gives the loop a turn and then gets a RuntimeError (or the
// cancellation asked meanwhile).
func (co *Co) awaitSelf() error {
	name := ""
	if t := co.Task(); t != nil {
		name = raw.Task_name(t.t)
	}
	if err := co.Yield(); err != nil {
		return err
	}
	return newError(codeMisuse, "Task cannot await on itself: "+name)
}

// awaitNew makes a C future on the loop thread and awaits it: the way
// every "start an operation, wait for it" call of the binding (acquire,
// get, read ...) reaches the loop. An operation done at once does not
// suspend the task.
func (co *Co) awaitNew(mk func() (made, error)) (any, error) {
	if err := co.check(); err != nil {
		return nil, err
	}
	return co.awaitMade(callMade(mk))
}

// awaitMade awaits a future just made (its reference taken over).
func (co *Co) awaitMade(m made, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	if m.post != nil {
		if raw.Future_done(m.c) == 1 {
			var r coReply
			if raw.Future_state_of(m.c) == futureResult {
				r.val, r.err = m.post(m.c)
			} else {
				r.val, r.err = readOutcome(co.loop, m.c)
			}
			raw.Future_unref(m.c)
			return r.val, r.err
		}
		return co.awaitFuture(m.c, m.post)
	}
	return co.finishOp(opSettle(co.loop, m.c), nil)
}

// finishOp completes what an operation helper did: its result when done
// at once, else the await of its future.
func (co *Co) finishOp(o opOut, post func(raw.SwigcptrFuture) (any, error)) (any, error) {
	switch {
	case o.rc == opDone:
		return o.value(), nil
	case o.rc == opPending:
		return co.awaitFuture(o.future(), post)
	case o.rc == opFailed:
		f := o.future()
		_, err := readOutcome(co.loop, f)
		raw.Future_unref(f)
		return nil, err
	case o.rc == opWrong:
		return nil, ErrWrongThread
	}
	return nil, codeError(o.rc)
}

// awaitFuture suspends the task on the pending future f, whose reference
// the await takes over.
func (co *Co) awaitFuture(f raw.SwigcptrFuture, post func(raw.SwigcptrFuture) (any, error)) (any, error) {
	reqAwait(co.c, uintptr(f), true)
	co.post = post
	r := co.suspend()
	return r.val, r.err
}

// Sleep suspends the task for d (asyncio.sleep); Sleep(0) is Yield.
func (co *Co) Sleep(d time.Duration) error {
	if err := co.check(); err != nil {
		return err
	}
	if d <= 0 {
		// asyncio.sleep(0), a negative delay included: a yield.
		if err := reqYield(co.loop.holderTok.Load(), co.c); err != nil {
			return err
		}
		return co.suspend().err
	}
	reqSleep(co.c, d.Seconds())
	return co.suspend().err
}

// Yield lets the callbacks already ready run first (asyncio.sleep(0)).
func (co *Co) Yield() error {
	if err := co.checkLoop(); err != nil {
		return err
	}
	// The C helper tests the thread (one crossing for both).
	if err := reqYield(co.loop.holderTok.Load(), co.c); err != nil {
		return err
	}
	return co.suspend().err
}

// inStep runs fn inside the task's step: for the library's calls that
// must come from the running step of the task (a task group's creation).
// The task gives the loop a turn for it, as an await of a done future
// would in the library's own protocol.
func (co *Co) inStep(fn func() bool) error {
	if err := co.check(); err != nil {
		return err
	}
	co.callFn = fn
	reqCall(co.c)
	return co.suspend().err
}

// stepCall runs the Go code of an ACGO_REQ_CALL request inside the task's
// step; it returns true when that code asked for an await.
func (co *Co) stepCall() bool {
	fn := co.callFn
	co.callFn = nil
	if fn == nil {
		return false
	}
	asked := false
	func() {
		defer recoverInto(co.loop, "task step")
		asked = fn()
	}()
	return asked
}

// Go creates a task running fn (asyncio's create_task).
func (co *Co) Go(fn TaskFunc) (*Task, error) {
	if err := co.fastCheck(); err != nil {
		return nil, err
	}
	return co.loop.goTaskFrom(co, fn)
}

// goTaskFrom is goTask for the running task co (the thread is checked by
// the C helper).
func (l *Loop) goTaskFrom(co *Co, fn TaskFunc) (*Task, error) {
	nc := &Co{loop: l, fn: fn}
	nc.h = newHandle(nc)
	c, t, f, rc := spawnCoChecked(l, nc.h, 0, 0, l.holderTok.Load())
	if rc != 0 {
		if rc > 0 {
			deleteHandle(nc.h)
		}
		if rc == raw.ACGO_WRONG_THREAD {
			return nil, ErrWrongThread
		}
		return nil, codeError(ccode(rc))
	}
	// The C helper checked the thread: this is the holder.
	nc.c = c
	nc.ctx = co.ctx
	nc.task = l.goTaskHandle(t, f, nc)
	nc.ct = t
	l.goCos[t] = nc
	return nc.task, nil
}

// GoEager creates a task running fn with an eager start (Loop.GoEager):
// fn runs up to its first await before GoEager returns.
func (co *Co) GoEager(fn TaskFunc) (*Task, error) {
	t, err := co.Go(fn)
	if err != nil {
		return nil, err
	}
	// The library starts the task at its first step; its code runs now,
	// up to its first stop, and its first step carries out that stop.
	nc := t.co
	nc.eager = co
	nc.started = true
	co.ensureWake()
	co.loop.goTasks.Add(1)
	co.loop.releaseTurn()
	go nc.main()
	co.waitTurn()
	nc.eager = nil
	if co.dead.Load() {
		return t, ErrClosed
	}
	return t, nil
}

// handBack returns the loop to the task that started co eagerly, when co
// stops for the first time.
func (l *Loop) handBack(co *Co) {
	parent := co.eager
	co.eager = nil
	l.releaseTurn()
	parent.wake <- turnGo
}

// Time is the loop's clock in seconds.
func (co *Co) Time() float64 {
	if co.check() != nil {
		return -1
	}
	return raw.Loop_time(co.loop.c)
}

// cancelOwn records the message of a cancellation asked through Go for
// the Go task co (the library keeps no accessor for it).
func (co *Co) cancelOwn(message string) {
	if co.c != 0 {
		setCancelMessage(co.c, message)
	}
}

// cancelTask asks the task to cancel, as Task.Cancel does (holder).
func (co *Co) cancelTask(message string) bool {
	if co.c == 0 || co.finished {
		return false
	}
	co.cancelOwn(message)
	co.cancelTouched = true
	return raw.Task_cancel(co.ctask(), message) == 1
}
