package asyncore

import (
	"context"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"libasyncore.org/go/asyncore/internal/raw"
)

// Awaitable is what a Go task can await and a goroutine can wait for: a
// *Future or a *Task.
type Awaitable interface {
	future() *Future
}

// Future is a loop future: a value that will be there later. Goroutines
// wait for it with Wait or Done; Go tasks await it with Co.Await.
type Future struct {
	*futureState
}

// futureState is what the loop keeps of a Go future, apart from the value
// Go code holds, so that the value can be collected (its finalizer drops
// the C reference) while the loop still knows the outcome.
type futureState struct {
	loop *Loop
	c    raw.SwigcptrFuture
	id   uint64 // the reference Go holds, in loop.refs

	// post reads the result of a future whose value lives elsewhere (a
	// gather's results are its children's); loop thread.
	post func() (any, error)

	mu    sync.Mutex    // guards done, val, err and fired
	done  chan struct{} // made on demand (Done), closed once fired
	val   any
	err   error
	fired bool // the outcome is captured

	watched bool // loop thread: a done-callback captures the outcome
	// Loop thread: the Go done-callbacks not run yet, by function identity
	// (funcKey), so that each one's end and RemoveDoneCallback touch only
	// the registrations of one function.
	callbacks map[uintptr][]*futureCallback
	goTask    *Co       // the Go task behind a task's future, while it runs
	core      *slabCore // a Go task's: the slab holding its reference
	slot      int
}

func (f *Future) future() *Future { return f }

// initFuture makes f the Go face of the C future c (loop thread), with a
// reference of its own (or the caller's, adopted, when owned). Nothing is
// registered on the future until a goroutine asks to wait (Done).
func (l *Loop) initFuture(f *Future, c raw.SwigcptrFuture, owned bool) {
	if !owned {
		raw.Future_ref(c)
	}
	st := &futureState{loop: l, c: c}
	st.id = l.holdFuture(st)
	f.futureState = st
}

func (l *Loop) wrapFuture(c raw.SwigcptrFuture, owned bool) *Future {
	f := &Future{}
	l.initFuture(f, c, owned)
	runtime.SetFinalizer(f, func(f *Future) { f.loop.releaseLater(f.id) })
	return f
}

// capture reads the outcome of the done C future (loop thread), unless it
// is known already (or the handle was released).
func (f *futureState) capture(raw.SwigcptrFuture) {
	if _, _, ok := f.outcome(); ok {
		return
	}
	if f.resolve(f.read()) && f.loop != nil {
		f.loop.readiedOutside()
	}
}

// read is the outcome of the done future (loop thread).
func (f *futureState) read() (any, error) {
	if f.post != nil && raw.Future_state_of(f.c) == futureResult {
		return f.post()
	}
	return readOutcome(f.loop, f.c)
}

// settle captures the outcome when the loop closes: the one it has, or
// ErrClosed for a future that can no longer complete (loop thread).
func (f *futureState) settle() {
	if _, _, ok := f.outcome(); ok {
		return
	}
	if raw.Future_done(f.c) == 1 {
		f.capture(f.c)
	} else {
		f.resolve(nil, ErrClosed)
	}
}

// Future states (future.h).
const (
	futurePending   = 0
	futureResult    = 1
	futureError     = 2
	futureCancelled = 3
)

// readOutcome reads a done future's result or error (loop thread).
func readOutcome(l *Loop, c raw.SwigcptrFuture) (any, error) {
	rc, v := futureOutcome(uintptr(c))
	if rc == 0 {
		return v, nil
	}
	return nil, outcomeError(c, rc)
}

// outcomeError is the error of a failed or cancelled future.
func outcomeError(c raw.SwigcptrFuture, rc int) error {
	if e := raw.Future_error(c); e.Swigcptr() != 0 {
		return errorFromC(e.(raw.SwigcptrError))
	}
	if rc < 0 {
		return newError(rc, raw.Strerror(rc))
	}
	return newError(codeCancelled, "")
}

// resolve records the outcome once and wakes the waiters (any goroutine):
// true when a Done channel was closed.
func (f *futureState) resolve(v any, err error) bool {
	f.mu.Lock()
	if f.fired {
		f.mu.Unlock()
		return false
	}
	f.fired = true
	f.val, f.err = v, err
	ch := f.done
	f.mu.Unlock()
	if ch != nil {
		close(ch)
		return true
	}
	return false
}

// outcome is the captured outcome, if any.
func (f *futureState) outcome() (any, error, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.val, f.err, f.fired
}

// futureCallback is a Go done-callback on a future (loop thread).
type futureCallback struct {
	loop *Loop
	ctx  ctxMap // the context it was added in
	fn   func(c raw.SwigcptrFuture)
	// For RemoveDoneCallback: the identity of the Go function and the
	// future whose list holds the registration (nil once it ran or was
	// dropped).
	key   uintptr
	h     handle
	owner *futureState
}

// freed: the registration is over (it ran, was removed, or its future
// went away).
func (cb *futureCallback) freed() {
	if f := cb.owner; f != nil {
		cb.owner = nil
		same := f.callbacks[cb.key]
		for i, x := range same {
			if x == cb {
				if i == 0 {
					same = same[1:] // the usual case: they end in the order added
				} else {
					same = append(same[:i], same[i+1:]...)
				}
				break
			}
		}
		if len(same) == 0 {
			delete(f.callbacks, cb.key)
		} else {
			f.callbacks[cb.key] = same
		}
	}
}

// funcKey is the identity of a Go function value, as Python compares
// callbacks: the same function (or the very same closure) gives the same
// key; two closures made apart give different keys.
func funcKey(fn func(*Future)) uintptr {
	// A func value is a pointer to its closure (or to the function's
	// static descriptor): compare those.
	return *(*uintptr)(unsafe.Pointer(&fn))
}

// freed: the done-callback was released without running (the future was
// dropped pending).
func (f *futureState) freed() {
	f.resolve(nil, ErrClosed)
}

// watchOnLoop registers the done-callback that captures the outcome.
func (f *futureState) watchOnLoop() {
	if f.watched {
		return
	}
	f.watched = true
	h := newHandle(f)
	// On failure free_ud has run and resolved f.
	raw.Future_add_done_callback(f.c, fnFutureDone, uintptr(h), fnFreeHandle)
}

// AddDoneCallback has fn called with the future once it is done
// (asyncio's add_done_callback). It is scheduled through the loop, never
// run inline: not inside AddDoneCallback even when the future is done
// already, nor inside the call that completes it. Callbacks run on the
// loop's thread in the order added, in the task-local context current
// now; fn reads the outcome with Result. A panic in fn is reported to the
// loop's exception handler. A callback whose future is freed while pending
// is dropped without running. ErrInvalid for a nil fn, ErrClosed after
// Close.
func (f *Future) AddDoneCallback(fn func(f *Future)) error {
	if fn == nil {
		return ErrInvalid
	}
	return f.loop.Call(func() error {
		if f.loop.closed {
			return ErrClosed
		}
		if _, _, ok := f.outcome(); ok && f.goTask != nil && raw.Future_done(f.c) != 1 {
			// A Go task whose code returned: done for Go, though the
			// library records it at the task's next step. As for a done
			// future, fn is scheduled now.
			l := f.loop
			h := newHandle(&callback{loop: l, ctx: l.currentCtx(), where: "future done-callback",
				fn: func() { fn(f) }})
			return codeError(raw.Loop_call_soon(l.c, fnCallback, uintptr(h), fnFreeHandle, nil))
		}
		cb := &futureCallback{loop: f.loop, ctx: f.loop.currentCtx(), fn: func(raw.SwigcptrFuture) { fn(f) },
			key: funcKey(fn), owner: f.futureState}
		// On failure free_ud has run: the handle is gone.
		cb.h = newHandle(cb)
		if f.callbacks == nil {
			f.callbacks = make(map[uintptr][]*futureCallback)
		}
		f.callbacks[cb.key] = append(f.callbacks[cb.key], cb)
		return codeError(raw.Future_add_done_callback(f.c, fnFutureDone, uintptr(cb.h), fnFreeHandle))
	})
}

// RemoveDoneCallback removes every registration of fn that has not been
// scheduled yet and returns how many it removed (asyncio's
// remove_done_callback): none once the future is done. fn is compared as
// Python compares functions: the same function, or the very same closure
// value, that AddDoneCallback got.
func (f *Future) RemoveDoneCallback(fn func(f *Future)) int {
	key := funcKey(fn)
	n := 0
	_ = f.loop.Call(func() error {
		if f.loop.closed || f.c == 0 {
			return nil
		}
		for _, cb := range append([]*futureCallback(nil), f.callbacks[key]...) {
			if rc := raw.Future_remove_done_callback(f.c, fnFutureDone, uintptr(cb.h)); rc > 0 {
				n += int(rc)
			}
		}
		return nil
	})
	return n
}

// NewFuture creates a pending future on the loop.
func (l *Loop) NewFuture() (*Future, error) {
	var f *Future
	err := l.Call(func() error {
		var out uintptr
		if rc := raw.Future_new(l.c, &out); rc < 0 {
			return codeError(rc)
		}
		f = l.wrapFuture(raw.SwigcptrFuture(out), true)
		return nil
	})
	return f, err
}

// Sleep returns a future that completes with nil after d (asyncio.sleep as
// a future; in a Go task use Co.Sleep).
func (l *Loop) Sleep(d time.Duration) (*Future, error) {
	var f *Future
	err := l.Call(func() error {
		var out uintptr
		if rc := raw.Sleep(l.c, d.Seconds(), &out); rc < 0 {
			return codeError(rc)
		}
		f = l.wrapFuture(raw.SwigcptrFuture(out), true)
		return nil
	})
	return f, err
}

// Loop is the future's loop.
func (f *Future) Loop() *Loop { return f.loop }

// Done is closed once the future's outcome is known (one loop iteration
// after it completes), or when the loop closes first.
func (f *Future) Done() <-chan struct{} {
	f.mu.Lock()
	watch := false
	if f.done == nil {
		f.done = make(chan struct{})
		if f.fired {
			close(f.done)
		} else {
			watch = true
		}
	}
	ch := f.done
	f.mu.Unlock()
	if watch {
		f.watch()
	}
	return ch
}

// watch has the outcome captured: at once if the future is done, else by a
// done-callback. On the loop's thread (or from the Go task being stepped)
// it happens before Done returns; from elsewhere it is posted.
func (f *Future) watch() {
	l := f.loop
	onLoop := func() error {
		if l.closed {
			return ErrClosed
		}
		if raw.Future_done(f.c) == 1 {
			f.capture(f.c)
		} else {
			f.watchOnLoop()
		}
		return nil
	}
	var err error
	switch {
	case l.onOwnerThread():
		err = onLoop()
	default:
		// The closure keeps f, and so the C reference, until it ran.
		err = l.Post(func() { _ = onLoop() })
	}
	if err != nil {
		f.resolve(nil, ErrClosed)
	}
}

// IsDone reports whether the future is done (asyncio's done()).
func (f *Future) IsDone() bool {
	if _, _, ok := f.outcome(); ok {
		return true
	}
	done := false
	_ = f.loop.Call(func() error { done = raw.Future_done(f.c) == 1; return nil })
	return done
}

// Wait blocks until the future is done and returns its outcome. When ctx
// ends first, the future is cancelled (a task is asked to cancel) and Wait
// returns ContextError(ctx.Err()) (a deadline's error matches both
// ErrTimeout and context.DeadlineExceeded). Called from inside a Go task, Wait awaits instead
// (Co.Await). It must not be called from a loop callback (the loop would
// wait for itself); it then fails at once unless the future is done.
func (f *Future) Wait(ctx context.Context) (any, error) {
	if v, err, ok := f.outcome(); ok {
		return v, err
	}
	l := f.loop
	if l.onOwnerThread() {
		if co := l.cur.Load(); co != nil {
			return co.Await(f)
		}
		if !l.closed && raw.Future_done(f.c) == 1 {
			f.capture(f.c)
			v, err, _ := f.outcome()
			return v, err
		}
		return nil, errBlockLoop
	}
	if ctx == nil {
		ctx = context.Background()
	}
	select {
	case <-f.Done():
		v, err, _ := f.outcome()
		return v, err
	case <-ctx.Done():
		_ = l.Post(func() { f.cancelOnLoop("") })
		return nil, ContextError(ctx.Err())
	}
}

// Result returns the outcome of a done future without blocking: its
// result, or the error it failed with (a CancelledError when it was
// cancelled). While it is pending: an InvalidStateError ("Result is not
// set.", matching ErrInvalidState).
func (f *Future) Result() (any, error) {
	if v, err, ok := f.outcome(); ok {
		return v, err
	}
	cerr := f.loop.Call(func() error {
		if f.c == 0 {
			return ErrClosed
		}
		if raw.Future_done(f.c) != 1 {
			return newError(codeState, "Result is not set.")
		}
		f.capture(f.c)
		return nil
	})
	if v, err, ok := f.outcome(); ok {
		return v, err
	}
	return nil, cerr
}

// Exception is asyncio's exception(): the error a done future failed with
// (nil when it has a result). err is a CancelledError when the future was
// cancelled and an InvalidStateError ("Exception is not set.") while it is
// pending.
func (f *Future) Exception() (exc error, err error) {
	_, e := f.Result()
	switch {
	case e == nil:
		return nil, nil
	case isCode(e, codeState) && e.(*Error).Message == "Result is not set.":
		return nil, newError(codeState, "Exception is not set.")
	case isCode(e, codeCancelled), e == ErrClosed:
		return nil, e
	}
	return e, nil
}

// Cancel cancels the pending future (asyncio's cancel, with an optional
// message); it reports whether this call cancelled it. For a task it is a
// request the task sees at its next await.
func (f *Future) Cancel(message string) bool {
	ok := false
	_ = f.loop.Call(func() error { ok = f.cancelOnLoop(message); return nil })
	return ok
}

func (f *Future) cancelOnLoop(message string) bool {
	if f.loop.closed || f.c == 0 {
		return false
	}
	if co := f.goTask; co != nil {
		if co.finished {
			// Its code returned: the task is done, whatever step of the
			// library is left to record it.
			return false
		}
		co.cancelOwn(message)
		co.cancelTouched = true
	}
	return raw.Future_cancel(f.c, message) == 1
}

// Cancelled reports whether the future ended cancelled.
func (f *Future) Cancelled() bool {
	ok := false
	_ = f.loop.Call(func() error { ok = raw.Future_cancelled(f.c) == 1; return nil })
	return ok
}

// SetResult completes the future with v (see values.go for how Go values
// are stored). ErrState when it is already done.
func (f *Future) SetResult(v any) error {
	return f.loop.Call(func() error {
		l := f.loop
		cv := setValue(l.scratch, v)
		rc := raw.Future_set_result(f.c, l.scratch)
		cv.release(rc == 0)
		return codeError(rc)
	})
}

// SetError completes the future with err. A cancellation error is refused
// (ErrInvalid): use Cancel.
func (f *Future) SetError(err error) error {
	if err == nil {
		return ErrInvalid
	}
	return f.loop.Call(func() error {
		e, _ := errorToC(err)
		if e == 0 {
			return ErrInternal
		}
		rc := raw.Future_set_error(f.c, e)
		raw.Error_unref(e)
		return codeError(rc)
	})
}

// Release drops the reference this handle holds on the C future now,
// instead of when the garbage collector or Close gets to it: a future (or a
// task) nobody else holds is then freed by the library as soon as it may
// be, and a failure nobody read is reported to the loop's exception handler
// ("never retrieved", as asyncio does when the last reference goes). A
// task still runs to its end: the loop holds it until it is done.
//
// Release is idempotent and may be called from any goroutine; after Close
// it does nothing. An outcome already captured (Result, Wait, Done) stays
// readable; otherwise a Wait or Done pending on this handle ends with
// ErrClosed. The handle must not be used for anything else afterwards:
// its methods then fail (ErrClosed, ErrInvalid) or report zero values.
func (f *Future) Release() {
	_ = f.loop.Call(func() error {
		f.releaseOnLoop()
		return nil
	})
}

// releaseOnLoop drops the handle's reference (loop thread).
func (f *futureState) releaseOnLoop() {
	l := f.loop
	if l.closed || f.c == 0 {
		return
	}
	f.resolve(nil, ErrClosed) // a no-op once the outcome is captured
	if f.core != nil {
		f.c = 0
		f.core.releaseOne(f.slot)
		return
	}
	r, ok := l.refs[f.id]
	f.c = 0
	if ok {
		delete(l.refs, f.id)
		unrefC(r)
	}
}

// Release drops the task handle's reference (see Future.Release); the task
// itself runs on.
func (t *Task) Release() {
	_ = t.loop.Call(func() error {
		t.releaseOnLoop()
		t.t = 0
		return nil
	})
}

// Task is a loop task: a future driven by a step function, here a Go
// function in its own goroutine (Loop.Go) or a Go step function
// (Loop.Spawn).
type Task struct {
	Future
	t  raw.SwigcptrTask
	co *Co // a Go task's state
}

// resolveGo records the result of a Go task whose code returned it
// (holder): the task is done for Go at once; the library records it at the
// task's next step. A failure is left to the library (so that a failure
// nobody reads is reported as never retrieved), as is a cancellation asked
// while the code ran, which ends the task cancelled.
func (t *Task) resolveGo(co *Co) {
	if co.outcome.err != nil || co.c == 0 || co.endCancelled {
		return
	}
	t.resolve(co.outcome.val, nil)
}

func (l *Loop) wrapTask(t raw.SwigcptrTask, owned bool) *Task {
	tk := &Task{t: t}
	l.initFuture(&tk.Future, raw.Task_future(t).(raw.SwigcptrFuture), owned)
	runtime.SetFinalizer(tk, func(tk *Task) { tk.loop.releaseLater(tk.id) })
	return tk
}

// Name is the task's name ("Task-N" unless set).
func (t *Task) Name() string {
	var s string
	_ = t.loop.Call(func() error { s = raw.Task_name(t.t); return nil })
	return s
}

// ID is the task's creation order among the process's tasks, as Dump
// shows it.
func (t *Task) ID() uint64 {
	var id uint64
	_ = t.loop.Call(func() error { id = raw.Task_get_id(t.t); return nil })
	return id
}

// SetName renames the task.
func (t *Task) SetName(name string) error {
	return t.loop.Call(func() error { return codeError(raw.Task_set_name(t.t, name)) })
}

// Cancelling is the number of cancellation requests not taken back.
func (t *Task) Cancelling() int {
	n := 0
	_ = t.loop.Call(func() error { n = int(raw.Task_cancelling(t.t)); return nil })
	return n
}

// Uncancel takes one cancellation request back and returns how many remain.
func (t *Task) Uncancel() int {
	n := 0
	_ = t.loop.Call(func() error {
		if co := t.goTask; co != nil {
			co.cancelTouched = true
		}
		n = int(raw.Task_uncancel(t.t))
		return nil
	})
	return n
}

// CurrentTask is the task whose step is running (nil outside any task).
func (l *Loop) CurrentTask() *Task {
	var t *Task
	_ = l.Call(func() error {
		if co := l.cur.Load(); co != nil {
			t = co.Task()
			return nil
		}
		if c := raw.Loop_current_task(l.c); c.Swigcptr() != 0 {
			t = l.wrapTask(c.(raw.SwigcptrTask), false)
		}
		return nil
	})
	return t
}

// AllTasks lists the tasks of the loop that are not done (asyncio's
// all_tasks).
func (l *Loop) AllTasks() []*Task {
	var out []*Task
	_ = l.Call(func() error {
		for _, c := range l.pendingTasks() {
			// A Go task is given as the very Task its creator got.
			if co := l.goCos[c]; co != nil && co.task != nil && co.task.t != 0 {
				out = append(out, co.task)
				continue
			}
			out = append(out, l.wrapTask(c, false))
		}
		return nil
	})
	return out
}
