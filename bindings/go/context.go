package asyncore

import (
	"context"
	"errors"
	"time"
)

// How Go's contexts map onto the loop's cancellation and timeouts.
//
//   - A context whose deadline passes gives an error that matches both
//     context.DeadlineExceeded and ErrTimeout with errors.Is (a
//     TimeoutError whose cause is the context's error).
//   - A context cancelled without a deadline gives context.Canceled as is.
//   - A context that has already ended never starts the work it guards:
//     GoContext and the typed package's Spawn return its error at once.
//   - Durations are time.Duration; zero means zero (an operation that
//     is not ready at once times out). "No timeout" is a context without
//     a deadline.

// ContextError is the binding's error for a context that ended: for an
// expired deadline, a TimeoutError (matching ErrTimeout and
// context.DeadlineExceeded) with the context's error as cause; otherwise
// err itself. nil for nil.
func ContextError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) {
		if isCode(err, codeTimedOut) {
			return err
		}
		return &Error{Code: codeTimedOut, Cause: err}
	}
	return err
}

// GoContext is Go with the task tied to ctx. A context that has already
// ended never starts the task: the error is returned at once. A deadline
// is a timeout scope around the task's function, so the task ends with a
// TimeoutError (matching context.DeadlineExceeded); a cancellation of ctx
// cancels the task.
func (l *Loop) GoContext(ctx context.Context, fn TaskFunc) (*Task, error) {
	if err := ctx.Err(); err != nil {
		return nil, ContextError(err)
	}
	body := fn
	if dl, ok := ctx.Deadline(); ok {
		body = func(co *Co) (any, error) {
			var v any
			err := co.Timeout(time.Until(dl), func(*Scope) error {
				var ferr error
				v, ferr = fn(co)
				return ferr
			})
			if err != nil {
				return nil, err
			}
			return v, nil
		}
	}
	t, err := l.Go(body)
	if err != nil {
		return nil, err
	}
	go func() {
		select {
		case <-ctx.Done():
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				_ = l.Post(func() { t.cancelOnLoop(ctx.Err().Error()) })
			}
		case <-t.Done():
		}
	}()
	return t, nil
}
