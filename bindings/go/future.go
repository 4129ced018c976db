package asyncore

import (
	"context"
	"runtime"
	"time"

	"asyncore/internal/raw"
)

// Awaitable is what a Go task can await and a goroutine can wait for: a
// *Future or a *Task.
type Awaitable interface {
	future() *Future
}

// Future is a loop future: a value that will be there later. Goroutines
// wait for it with Wait or Done; Go tasks await it with Co.Await.
type Future struct {
	loop *Loop
	c    raw.SwigcptrFuture
	id   uint64 // the reference Go holds, in loop.refs
	done chan struct{}

	// post reads the result of a future whose value lives elsewhere (a
	// gather's results are its children's); loop thread.
	post func() (any, error)

	// Written once on the loop thread before done is closed.
	val   any
	err   error
	fired bool // loop thread: the outcome is captured
}

func (f *Future) future() *Future { return f }

// initFuture makes f the Go face of the C future c (loop thread). Go takes
// a reference (or adopts the caller's when owned) and registers a
// done-callback that captures the outcome for waiting goroutines.
func (l *Loop) initFuture(f *Future, c raw.SwigcptrFuture, owned bool) {
	if !owned {
		raw.Future_ref(c)
	}
	f.loop = l
	f.c = c
	f.done = make(chan struct{})
	f.id = l.hold(uintptr(c), unrefFuture)
	l.waiting[f.id] = f
	h := newHandle(f)
	// On failure free_ud has run and resolved f.
	raw.Future_add_done_callback(c, fnFutureDone, uintptr(h), fnFreeHandle)
}

func (l *Loop) wrapFuture(c raw.SwigcptrFuture, owned bool) *Future {
	f := &Future{}
	l.initFuture(f, c, owned)
	runtime.SetFinalizer(f, func(f *Future) { f.loop.releaseLater(f.id) })
	return f
}

// capture reads the outcome of the done C future (loop thread).
func (f *Future) capture(raw.SwigcptrFuture) {
	f.resolve(f.read())
}

// read is the outcome of the done future (loop thread).
func (f *Future) read() (any, error) {
	if f.post != nil && raw.Future_state_of(f.c) == futureResult {
		return f.post()
	}
	return readOutcome(f.loop, f.c)
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
	if raw.Future_result(c, l.scratch) == 0 {
		return getValue(l.scratch), nil
	}
	if e := raw.Future_error(c); e.Swigcptr() != 0 {
		return nil, errorFromC(e.(raw.SwigcptrError))
	}
	return nil, ErrCancelled
}

func (f *Future) resolve(v any, err error) {
	if f.fired {
		return
	}
	f.fired = true
	f.val, f.err = v, err
	delete(f.loop.waiting, f.id)
	close(f.done)
}

// futureCallback is a Go done-callback on a future (loop thread).
type futureCallback struct {
	loop *Loop
	fn   func(c raw.SwigcptrFuture)
}

// freed: the done-callback was released without running (the loop closed).
func (f *Future) freed() {
	if !f.fired {
		f.resolve(nil, ErrClosed)
	}
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
func (f *Future) Done() <-chan struct{} { return f.done }

// Wait blocks until the future is done and returns its outcome. When ctx
// ends first, the future is cancelled (a task is asked to cancel) and Wait
// returns ctx.Err(). Called from inside a Go task, Wait awaits instead
// (Co.Await). It must not be called from a loop callback (the loop would
// wait for itself); it then fails at once unless the outcome is known.
func (f *Future) Wait(ctx context.Context) (any, error) {
	l := f.loop
	g := goid()
	if co := l.active.Load(); co != nil && co.g.Load() == g {
		return co.Await(f)
	}
	if g == l.owner.Load() {
		select {
		case <-f.done:
			return f.val, f.err
		default:
			return nil, errBlockLoop
		}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		_ = l.Post(func() { f.cancelOnLoop("") })
		return nil, ctx.Err()
	}
}

// Result returns the outcome of a done future without blocking; ErrState
// while it is pending.
func (f *Future) Result() (any, error) {
	select {
	case <-f.done:
		return f.val, f.err
	default:
	}
	var v any
	var err error
	cerr := f.loop.Call(func() error {
		if f.fired {
			v, err = f.val, f.err
			return nil
		}
		if raw.Future_done(f.c) != 1 {
			return ErrState
		}
		v, err = f.read()
		return nil
	})
	if cerr != nil {
		return nil, cerr
	}
	return v, err
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
	if f.loop.closed {
		return false
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

// Task is a loop task: a future driven by a step function, here a Go
// function in its own goroutine (Loop.Go) or a Go step function
// (Loop.Spawn).
type Task struct {
	Future
	t raw.SwigcptrTask
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

// SetName renames the task.
func (t *Task) SetName(name string) error {
	return t.loop.Call(func() error { return codeError(raw.Task_set_name(t.t, name)) })
}

// Cancelling is the number of cancellation requests not taken back.
func (t *Task) Cancelling() int {
	n := 0
	_ = t.loop.Call(func() error { n = raw.Task_cancelling(t.t); return nil })
	return n
}

// Uncancel takes one cancellation request back and returns how many remain.
func (t *Task) Uncancel() int {
	n := 0
	_ = t.loop.Call(func() error { n = raw.Task_uncancel(t.t); return nil })
	return n
}

// CurrentTask is the task whose step is running (nil outside any task).
func (l *Loop) CurrentTask() *Task {
	var t *Task
	_ = l.Call(func() error {
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
			out = append(out, l.wrapTask(c, false))
		}
		return nil
	})
	return out
}
