// Package typed is the Go-shaped face of the binding: tasks that are
// plain goroutines, futures and queues with typed values, and every wait
// bounded by a context.Context.
//
// # The model
//
// A task made with Spawn is a goroutine that never holds the loop. Its
// function may block on anything Go offers (channels, mutexes,
// time.Sleep, blocking system calls): the loop keeps running its other
// tasks meanwhile. What it asks of the loop (a future's outcome, a queue
// operation, a sleep on the loop's clock) is posted to the loop's thread
// and awaited through a channel, so a task holds the loop only for the
// duration of one such call. The loop sees the task as a future (Untyped):
// C code, gathers and the loop's combinators may await it like any other,
// and cancelling that future cancels the task's context.
//
// What is given up: the exact interleaving asyncio gives between tasks.
// Two spawned tasks run in parallel with each other and with the loop,
// as goroutines do; the order between them is what their channels and
// the loop's primitives (queues, locks, events) make it. Tasks written
// as asyncore.TaskFunc (Loop.Go) and C or Lua tasks on the same loop keep
// asyncio's order among themselves.
//
// Contexts: a context that has already ended never starts the function
// (Spawn returns its error); a deadline that passes gives an error matching
// both context.DeadlineExceeded and asyncore.ErrTimeout (see
// asyncore.ContextError); a context without a deadline means no timeout.
package typed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"libasyncore.org/go/asyncore"
)

// Future is a future of the loop whose result is a T.
type Future[T any] struct {
	f *asyncore.Future
}

// Wrap types an untyped future: its result must be a T (or nil, read as
// T's zero value).
func Wrap[T any](f *asyncore.Future) *Future[T] { return &Future[T]{f: f} }

// NewFuture creates a pending future on l; any goroutine completes it.
func NewFuture[T any](l *asyncore.Loop) (*Future[T], error) {
	f, err := l.NewFuture()
	if err != nil {
		return nil, err
	}
	return &Future[T]{f: f}, nil
}

// Untyped is the loop's future, for the loop's combinators (Gather, Wait)
// and Co.Await.
func (f *Future[T]) Untyped() *asyncore.Future { return f.f }

// Awaitable makes a Future usable wherever the binding takes one.
func (f *Future[T]) Awaitable() asyncore.Awaitable { return f.f }

func typedResult[T any](v any, err error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if v == nil {
		return zero, nil
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("asyncore/typed: result is %T, not %T", v, zero)
	}
	return t, nil
}

// Wait blocks until the future is done and returns its result. When ctx
// ends first the future is cancelled and the error is
// asyncore.ContextError(ctx.Err()). Called from a Go task's code
// (asyncore.TaskFunc) it awaits instead.
func (f *Future[T]) Wait(ctx context.Context) (T, error) {
	return typedResult[T](f.f.Wait(ctx))
}

// Await awaits the future from a Go task (asyncore.TaskFunc).
func (f *Future[T]) Await(co *asyncore.Co) (T, error) {
	return typedResult[T](co.Await(f.f))
}

// Result is the outcome of a done future (asyncore.ErrInvalidState while
// it is pending).
func (f *Future[T]) Result() (T, error) { return typedResult[T](f.f.Result()) }

// Done is closed once the future's outcome is known.
func (f *Future[T]) Done() <-chan struct{} { return f.f.Done() }

// Cancel cancels the future (a spawned task's context is cancelled).
func (f *Future[T]) Cancel() bool { return f.f.Cancel("") }

// SetResult completes the future with v.
func (f *Future[T]) SetResult(v T) error { return f.f.SetResult(v) }

// SetError fails the future with err.
func (f *Future[T]) SetError(err error) error { return f.f.SetError(err) }

// Spawn starts fn in a goroutine of its own as a task of loop l and
// returns its future. fn's context is ctx, cancelled too when the future
// is cancelled or the loop closes; fn may block on anything. A ctx that
// has already ended never starts fn: Spawn returns ctx's error
// (asyncore.ContextError). When fn fails because ctx's deadline passed,
// the future's error matches both context.DeadlineExceeded and
// asyncore.ErrTimeout. A panic in fn fails the future with an
// *asyncore.PanicError.
func Spawn[T any](ctx context.Context, l *asyncore.Loop, fn func(ctx context.Context) (T, error)) (*Future[T], error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, asyncore.ContextError(err)
	}
	uf, err := l.NewFuture()
	if err != nil {
		return nil, err
	}
	tctx, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	go func() {
		// The future ends first (cancelled, or the loop closed): the
		// task's context says so.
		select {
		case <-uf.Done():
			cancel()
		case <-finished:
		}
	}()
	go func() {
		defer cancel()
		v, err := run(tctx, fn)
		close(finished)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				err = asyncore.ContextError(err)
			}
			if errors.Is(err, asyncore.ErrCancelled) || errors.Is(err, context.Canceled) {
				uf.Cancel("")
				return
			}
			_ = uf.SetError(err)
			return
		}
		_ = uf.SetResult(v)
	}()
	return &Future[T]{f: uf}, nil
}

func run[T any](ctx context.Context, fn func(ctx context.Context) (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &asyncore.PanicError{Value: r}
		}
	}()
	return fn(ctx)
}

// Sleep waits d on the loop's clock (asyncio.sleep: a virtual clock loop
// advances it without waiting), or until ctx ends. Zero yields to the
// loop once.
func Sleep(ctx context.Context, l *asyncore.Loop, d time.Duration) error {
	f, err := l.Sleep(d)
	if err != nil {
		return err
	}
	_, err = f.Wait(ctx)
	return err
}

// Gather waits for every future and returns their results in order, or
// the first error (the others are left running, as asyncio's gather
// without return_exceptions).
func Gather[T any](ctx context.Context, fs ...*Future[T]) ([]T, error) {
	out := make([]T, len(fs))
	for i, f := range fs {
		v, err := f.Wait(ctx)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
