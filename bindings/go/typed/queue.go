package typed

import (
	"context"
	"fmt"

	"libasyncore.org/go/asyncore"
)

// Queue is asyncio.Queue holding values of type T, usable from any
// goroutine (every wait bounded by a context) and from Go tasks.
type Queue[T any] struct {
	q *asyncore.Queue
}

// NewQueue creates a FIFO queue of at most maxsize items (zero or less:
// no limit).
func NewQueue[T any](l *asyncore.Loop, maxsize int) (*Queue[T], error) {
	q, err := l.NewQueue(maxsize)
	if err != nil {
		return nil, err
	}
	return &Queue[T]{q: q}, nil
}

// Untyped is the loop's queue.
func (q *Queue[T]) Untyped() *asyncore.Queue { return q.q }

func item[T any](v any, err error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if v == nil {
		return zero, nil
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("asyncore/typed: queue item is %T, not %T", v, zero)
	}
	return t, nil
}

// Put puts v, waiting for room until ctx ends (the put is then withdrawn:
// v is not queued).
func (q *Queue[T]) Put(ctx context.Context, v T) error {
	f, err := q.q.PutFuture(v)
	if err != nil {
		return err
	}
	_, err = f.Wait(ctx)
	return err
}

// Get takes the next item, waiting until there is one or ctx ends (an
// item handed to a get cancelled meanwhile goes back to the queue).
func (q *Queue[T]) Get(ctx context.Context) (T, error) {
	f, err := q.q.GetFuture()
	if err != nil {
		var zero T
		return zero, err
	}
	return item[T](f.Wait(ctx))
}

// PutNowait puts v if there is room (asyncore.ErrQueueFull otherwise).
func (q *Queue[T]) PutNowait(v T) error { return q.q.PutNowait(v) }

// GetNowait takes an item if there is one (asyncore.ErrQueueEmpty
// otherwise).
func (q *Queue[T]) GetNowait() (T, error) { return item[T](q.q.GetNowait()) }

// PutCo and GetCo are Put and Get for a Go task's code.
func (q *Queue[T]) PutCo(co *asyncore.Co, v T) error { return q.q.Put(co, v) }

// GetCo takes the next item from a Go task's code.
func (q *Queue[T]) GetCo(co *asyncore.Co) (T, error) { return item[T](q.q.Get(co)) }

// TaskDone marks one item as processed (asyncio's task_done).
func (q *Queue[T]) TaskDone() error { return q.q.TaskDone() }

// Join waits until every item put was marked done, or ctx ends.
func (q *Queue[T]) Join(ctx context.Context) error {
	f, err := q.q.JoinFuture()
	if err != nil {
		return err
	}
	_, err = f.Wait(ctx)
	return err
}

// Shutdown shuts the queue down (asyncio 3.13's shutdown): puts fail with
// asyncore.ErrQueueShutDown; with immediate the items left are dropped
// and gets fail too.
func (q *Queue[T]) Shutdown(immediate bool) error { return q.q.Shutdown(immediate) }

// Len is the number of items queued.
func (q *Queue[T]) Len() int { return q.q.Len() }
