package asyncore

import (
	"libasyncore.org/go/asyncore/internal/raw"
)

// Queue is asyncio.Queue (or LifoQueue, PriorityQueue) holding Go values:
// a value put in is the value taken out (see values.go); the library owns
// it in between and releases it exactly once, also when the queue drops
// it (shutdown, a cancelled put, a destroyed queue). Getters and putters
// are served in arrival order, and a get cancelled after it was handed an
// item puts the item back: none is lost.
type Queue struct {
	loop *Loop
	c    raw.SwigcptrQueue
}

// Queue kinds (queue.h).
const (
	queueFIFO     = 0
	queueLIFO     = 1
	queuePriority = 2
)

// NewQueue creates a FIFO queue holding at most maxsize items (zero or
// less: no limit, as asyncio; MaxSize gives back what was passed).
func (l *Loop) NewQueue(maxsize int) (*Queue, error) { return l.newQueue(queueFIFO, maxsize) }

// NewLifoQueue creates a LIFO queue.
func (l *Loop) NewLifoQueue(maxsize int) (*Queue, error) { return l.newQueue(queueLIFO, maxsize) }

// NewPriorityQueue creates a queue handing out the lowest priority first
// (equal priorities in put order); put with PutPriority.
func (l *Loop) NewPriorityQueue(maxsize int) (*Queue, error) {
	return l.newQueue(queuePriority, maxsize)
}

func (l *Loop) newQueue(kind, maxsize int) (*Queue, error) {
	q := &Queue{loop: l}
	err := l.Call(func() error {
		var out uintptr
		if rc := raw.Queue_new(l.c, kind, int64(maxsize), &out); rc < 0 {
			return codeError(rc)
		}
		q.c = raw.SwigcptrQueue(out)
		holdObject(l, q, out, func(p uintptr) { raw.Queue_unref(raw.SwigcptrQueue(p)) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

func (q *Queue) put(priority int64, withPriority bool, v any) func() (made, error) {
	return func() (made, error) {
		l := q.loop
		cv := setValue(l.scratch, v)
		var out uintptr
		var rc int
		if withPriority {
			rc = raw.Queue_put_priority(q.c, priority, l.scratch, &out)
		} else {
			rc = raw.Queue_put(q.c, l.scratch, &out)
		}
		cv.release(rc == 0)
		return opFuture(rc, out)
	}
}

// Put puts v, waiting while the queue is full (as in asyncio, a put with
// room does not suspend). ErrShutdown once the queue is shut down.
func (q *Queue) Put(co *Co, v any) error { return q.putCo(co, 0, false, v) }

// PutPriority is Put with a priority (priority queues only).
func (q *Queue) PutPriority(co *Co, priority int64, v any) error {
	return q.putCo(co, priority, true, v)
}

func (q *Queue) putCo(co *Co, priority int64, withPriority bool, v any) error {
	if q.loop != co.loop {
		return ErrInvalid
	}
	if err := co.fastCheck(); err != nil {
		return err
	}
	_, err := co.finishOp(opQueuePut(co.loop, q.c, priority, withPriority, v), nil)
	return err
}

// PutFuture is a future that completes once v is in the queue.
func (q *Queue) PutFuture(v any) (*Future, error) { return q.loop.futureOp(q.put(0, false, v)) }

// PutNowait puts v without waiting: ErrFull when the queue is full.
func (q *Queue) PutNowait(v any) error { return q.putNowait(0, false, v) }

// PutPriorityNowait is PutNowait with a priority.
func (q *Queue) PutPriorityNowait(priority int64, v any) error { return q.putNowait(priority, true, v) }

func (q *Queue) putNowait(priority int64, withPriority bool, v any) error {
	l := q.loop
	return l.Call(func() error {
		cv := setValue(l.scratch, v)
		var rc int
		if withPriority {
			rc = raw.Queue_put_priority_nowait(q.c, priority, l.scratch)
		} else {
			rc = raw.Queue_put_nowait(q.c, l.scratch)
		}
		cv.release(rc == 0)
		return codeError(rc)
	})
}

func (q *Queue) get() (made, error) {
	var out uintptr
	return opFuture(raw.Queue_get(q.c, &out), out)
}

// Get takes the next item, waiting while the queue is empty (as in
// asyncio, a get with an item there does not suspend). ErrShutdown once
// the queue is shut down and empty.
func (q *Queue) Get(co *Co) (any, error) {
	if q.loop != co.loop {
		return nil, ErrInvalid
	}
	if err := co.fastCheck(); err != nil {
		return nil, err
	}
	return co.finishOp(opQueueGet(co.loop, q.c), nil)
}

// GetFuture is a future of the next item.
func (q *Queue) GetFuture() (*Future, error) { return q.loop.futureOp(q.get) }

// GetNowait takes the next item without waiting: ErrEmpty when there is
// none.
func (q *Queue) GetNowait() (any, error) {
	v, _, err := q.GetPriorityNowait()
	return v, err
}

// GetPriorityNowait is GetNowait that also gives the item's priority.
func (q *Queue) GetPriorityNowait() (any, int64, error) {
	l := q.loop
	var v any
	var prio int64
	err := l.Call(func() error {
		if rc := raw.Queue_get_nowait(q.c, l.scratch, &prio); rc < 0 {
			return codeError(rc)
		}
		// The item is ours now: read it, then release the C side of it.
		v = getValue(l.scratch)
		raw.Value_clear(l.scratch)
		return nil
	})
	return v, prio, err
}

// TaskDone marks one item taken by a get as processed.
func (q *Queue) TaskDone() error {
	return q.loop.errCall(func() int { return raw.Queue_task_done(q.c) })
}

func (q *Queue) join() (made, error) {
	var out uintptr
	return opFuture(raw.Queue_join(q.c, &out), out)
}

// Join waits until every item put has been marked done.
func (q *Queue) Join(co *Co) error {
	_, err := co.awaitOp(q.loop, q.join)
	return err
}

// JoinFuture is a future that completes once every item put is done.
func (q *Queue) JoinFuture() (*Future, error) { return q.loop.futureOp(q.join) }

// Shutdown shuts the queue down (asyncio 3.13): puts fail with
// ErrShutdown, gets drain the items then fail with it; immediate drops the
// items now.
func (q *Queue) Shutdown(immediate bool) error {
	im := 0
	if immediate {
		im = 1
	}
	return q.loop.errCall(func() int { return raw.Queue_shutdown(q.c, im) })
}

// IsShutdown reports whether the queue is shut down.
func (q *Queue) IsShutdown() bool {
	return q.loop.boolCall(func() int { return raw.Queue_is_shutdown(q.c) })
}

// Len is the number of items (asyncio's qsize).
func (q *Queue) Len() int {
	var n int64
	_ = q.loop.Call(func() error { n = raw.Queue_qsize(q.c); return nil })
	return int(n)
}

// Empty reports whether the queue holds no item.
func (q *Queue) Empty() bool { return q.loop.boolCall(func() int { return raw.Queue_empty(q.c) }) }

// Full reports whether the queue holds maxsize items (never with no limit).
func (q *Queue) Full() bool { return q.loop.boolCall(func() int { return raw.Queue_full(q.c) }) }

// MaxSize is the maxsize given at creation.
func (q *Queue) MaxSize() int {
	var n int64
	_ = q.loop.Call(func() error { n = raw.Queue_maxsize(q.c); return nil })
	return int(n)
}
