package asyncore

import (
	"context"
	"runtime"

	"libasyncore.org/go/asyncore/internal/raw"
)

// The roads between a loop and other threads (thread.h): worker pools,
// thread-safe futures, tasks started from anywhere. In Go a goroutine is
// the natural "thread" (Loop.ToThread); these give the library's own pools
// and futures to Go, e.g. to share them with C code.

// Executor is a dedicated pool of worker threads.
type Executor struct {
	c raw.SwigcptrExecutor
}

// NewExecutor starts a pool of n worker threads (1 to 1024).
func NewExecutor(n int) (*Executor, error) {
	var out uintptr
	if rc := raw.Executor_new(uint(n), &out); rc < 0 {
		return nil, codeError(rc)
	}
	ex := &Executor{c: raw.SwigcptrExecutor(out)}
	// The reference count is atomic: the finalizer may drop it from any
	// goroutine.
	runtime.SetFinalizer(ex, func(ex *Executor) { raw.Executor_unref(ex.c) })
	return ex, nil
}

// Shutdown stops accepting work; wait blocks until the threads have
// exited, cancelPending cancels the work not yet started.
func (ex *Executor) Shutdown(wait, cancelPending bool) error {
	flags := uint(0)
	if wait {
		flags |= 1
	}
	if cancelPending {
		flags |= 2
	}
	return codeError(raw.Executor_shutdown(ex.c, flags))
}

// work is a Go function run on a worker thread.
type work struct {
	fn  func() (any, error)
	out workOutcome
}

// workOutcome is what a worker hands back, whole: a Go error keeps its
// identity (the library's error codes could not carry it).
type workOutcome struct {
	val any
	err error
}

func (w *work) run() {
	defer func() {
		if r := recover(); r != nil {
			w.out = workOutcome{err: &PanicError{Value: r}}
		}
	}()
	v, err := w.fn()
	w.out = workOutcome{val: v, err: err}
}

// readWork reads a worker's outcome from its done future (loop thread).
func readWork(l *Loop, c raw.SwigcptrFuture) (any, error) {
	raw.Future_result(c, l.scratch)
	if o, ok := getValue(l.scratch).(workOutcome); ok {
		return o.val, o.err
	}
	return nil, ErrInternal
}

func (l *Loop) runInExecutor(ex *Executor, fn func() (any, error)) (made, error) {
	var exc raw.SwigcptrExecutor
	if ex != nil {
		exc = ex.c
	}
	h := newHandle(&work{fn: fn})
	var out uintptr
	m, err := opFuture(raw.To_thread(l.c, fnWork, uintptr(h), fnFreeHandle, exc, &out), out)
	m.post = func(c raw.SwigcptrFuture) (any, error) { return readWork(l, c) }
	return m, err
}

// RunInExecutor runs fn on a worker thread of ex, or of libuv's shared
// pool when ex is nil (asyncio's run_in_executor), and returns a future of
// its outcome. fn is Go code called from a C thread. Cancelling the future
// before the work started keeps fn from running.
func (l *Loop) RunInExecutor(ex *Executor, fn func() (any, error)) (*Future, error) {
	return l.futureOp(func() (made, error) { return l.runInExecutor(ex, fn) })
}

// RunInExecutor runs fn on a worker thread and awaits its outcome.
func (co *Co) RunInExecutor(ex *Executor, fn func() (any, error)) (any, error) {
	return co.awaitNew(func() (made, error) { return co.loop.runInExecutor(ex, fn) })
}

// TSFuture is a thread-safe future (concurrent.futures.Future): any
// goroutine may complete it, wait for it or read it.
type TSFuture struct {
	c    raw.SwigcptrTsfuture
	done chan struct{}
}

// tsWaiter closes a TSFuture's channel; it is apart from the TSFuture so
// that the registration does not keep the TSFuture alive. loop, when not
// nil, is the loop whose task completes the future (RunThreadsafe).
type tsWaiter struct {
	done chan struct{}
	loop *Loop
}

func newTSFuture(c raw.SwigcptrTsfuture, l *Loop) *TSFuture {
	ts := &TSFuture{c: c, done: make(chan struct{})}
	h := newHandle(&tsWaiter{done: ts.done, loop: l})
	raw.Tsfuture_add_done_callback(c, fnTSDone, uintptr(h), fnFreeHandle)
	runtime.SetFinalizer(ts, func(ts *TSFuture) { raw.Tsfuture_unref(ts.c) })
	return ts
}

// NewTSFuture creates a pending thread-safe future.
func NewTSFuture() (*TSFuture, error) {
	var out uintptr
	if rc := raw.Tsfuture_new(&out); rc < 0 {
		return nil, codeError(rc)
	}
	return newTSFuture(raw.SwigcptrTsfuture(out), nil), nil
}

// SetResult completes the future with v. ErrState when already done.
func (ts *TSFuture) SetResult(v any) error {
	cv := raw.NewValue().(raw.SwigcptrValue)
	defer raw.DeleteValue(cv)
	c := setValue(cv, v)
	rc := raw.Tsfuture_set_result(ts.c, cv)
	c.release(rc == 0)
	return codeError(rc)
}

// SetError completes the future with err (not a cancellation: Cancel).
func (ts *TSFuture) SetError(err error) error {
	if err == nil {
		return ErrInvalid
	}
	e, _ := errorToC(err)
	if e == 0 {
		return ErrInternal
	}
	defer raw.Error_unref(e)
	return codeError(raw.Tsfuture_set_error(ts.c, e))
}

// Cancel cancels the pending future; true if this call did.
func (ts *TSFuture) Cancel(message string) bool { return raw.Tsfuture_cancel(ts.c, message) == 1 }

// Done is closed once the future is done.
func (ts *TSFuture) Done() <-chan struct{} { return ts.done }

// Result reads the outcome without blocking; ErrState while pending.
func (ts *TSFuture) Result() (any, error) {
	cv := raw.NewValue().(raw.SwigcptrValue)
	defer raw.DeleteValue(cv)
	rc := raw.Tsfuture_result(ts.c, cv)
	if rc == 0 {
		return getValue(cv), nil
	}
	if rc == codeState {
		return nil, ErrState
	}
	if e := raw.Tsfuture_error(ts.c); e.Swigcptr() != 0 {
		return nil, errorFromC(e.(raw.SwigcptrError))
	}
	return nil, codeError(rc)
}

// Wait blocks until the future is done or ctx ends.
func (ts *TSFuture) Wait(ctx context.Context) (any, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	select {
	case <-ts.done:
		return ts.Result()
	case <-ctx.Done():
		return nil, ContextError(ctx.Err())
	}
}

// Future is a loop future following ts (asyncio.wrap_future): cancelling
// it cancels ts.
func (ts *TSFuture) Future(l *Loop) (*Future, error) {
	return l.futureOp(ts.wrap(l))
}

func (ts *TSFuture) wrap(l *Loop) func() (made, error) {
	return func() (made, error) {
		var out uintptr
		return opFuture(raw.Tsfuture_wrap(ts.c, l.c, &out), out)
	}
}

// AwaitTS awaits a thread-safe future.
func (co *Co) AwaitTS(ts *TSFuture) (any, error) { return co.awaitNew(ts.wrap(co.loop)) }

// RunThreadsafe starts fn as a task of the loop from any goroutine
// (asyncio.run_coroutine_threadsafe) and returns a thread-safe future of
// its outcome; cancelling that future cancels the task. If the loop closes
// first, the future fails with ErrClosed.
func (l *Loop) RunThreadsafe(fn TaskFunc) (*TSFuture, error) {
	co := &Co{loop: l, fn: fn}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.released {
		return nil, ErrClosed
	}
	// The loop's thread sets co.c when the task first wakes.
	h := newHandle(co)
	ts, rc := spawnCoThreadsafe(l, h)
	if rc != 0 {
		if rc > 0 {
			deleteHandle(h)
		}
		return nil, codeError(ccode(rc))
	}
	return newTSFuture(ts, l), nil
}
