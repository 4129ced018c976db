package typed

import (
	"libasyncore.org/go/asyncore"
)

// Task is a Go task of the loop's own model (asyncore.TaskFunc: asyncio's
// order between tasks, awaits through its Co) with a result of type T.
type Task[T any] struct {
	Future[T]
	t *asyncore.Task
}

// Go starts fn as a Go task of l (asyncore.Loop.Go) with a typed result.
// fn runs in asyncio's order with the loop's other tasks; unlike a task of
// Spawn, it must not block on anything but the loop (see the package
// documentation).
func Go[T any](l *asyncore.Loop, fn func(co *asyncore.Co) (T, error)) (*Task[T], error) {
	t, err := l.Go(func(co *asyncore.Co) (any, error) {
		v, err := fn(co)
		if err != nil {
			return nil, err
		}
		return v, nil
	})
	if err != nil {
		return nil, err
	}
	return &Task[T]{Future: Future[T]{f: &t.Future}, t: t}, nil
}

// Task is the loop's task (name, cancellation, done-callbacks).
func (t *Task[T]) Task() *asyncore.Task { return t.t }

// GatherCo is asyncio.gather awaited from a Go task: the results in the
// order given, or the first error.
func GatherCo[T any](co *asyncore.Co, fs ...*Future[T]) ([]T, error) {
	as := make([]asyncore.Awaitable, len(fs))
	for i, f := range fs {
		as[i] = f.f
	}
	vs, err := co.Gather(as...)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(vs))
	for i, v := range vs {
		if out[i], err = typedResult[T](v, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}
