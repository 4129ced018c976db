package asyncore

import (
	"libasyncore.org/go/asyncore/internal/raw"
)

// The synchronization primitives (sync.h), with asyncio's semantics: FIFO
// fairness, and no wake-up lost when a waiter is cancelled. A Go task waits
// with the methods taking its Co (Acquire(co), Wait(co) ...); other
// goroutines use the *Future variants and Wait on them. The other methods
// may be called from any goroutine.

// opFuture turns a C call that hands out a future into a made future.
func opFuture(rc int, out uintptr) (made, error) {
	if rc < 0 {
		return made{}, codeError(rc)
	}
	return made{c: raw.SwigcptrFuture(out)}, nil
}

// awaitOp awaits a future made on the loop thread by an object of loop l.
func (co *Co) awaitOp(l *Loop, make func() (made, error)) (any, error) {
	if l != co.loop {
		return nil, ErrInvalid
	}
	return co.awaitNew(make)
}

// futureOp is awaitOp for goroutines: the future, wrapped.
func (l *Loop) futureOp(make func() (made, error)) (*Future, error) {
	return l.onLoopFuture(func() (*Future, error) {
		m, err := make()
		if err != nil {
			return nil, err
		}
		f := l.wrapFuture(m.c, true)
		if m.post != nil {
			c, post := m.c, m.post
			f.post = func() (any, error) { return post(c) }
		}
		return f, nil
	})
}

// intCall runs a C call returning an int on the loop thread.
func (l *Loop) intCall(fn func() int) (int, error) {
	n := 0
	err := l.Call(func() error {
		// The reason is read on the loop's thread, right after the call.
		n = fn()
		return codeError(n)
	})
	if err != nil {
		return n, err
	}
	return n, nil
}

func (l *Loop) boolCall(fn func() int) bool {
	n, err := l.intCall(fn)
	return err == nil && n == 1
}

func (l *Loop) errCall(fn func() int) error {
	_, err := l.intCall(fn)
	return err
}

// ---- Lock ----

// Lock is asyncio.Lock.
type Lock struct {
	loop *Loop
	c    raw.SwigcptrLock
}

func unrefLock(p uintptr) { raw.Lock_unref(raw.SwigcptrLock(p)) }

// NewLock creates an unlocked lock.
func (l *Loop) NewLock() (*Lock, error) {
	lk := &Lock{loop: l}
	err := l.Call(func() error {
		var out uintptr
		if rc := raw.Lock_new(l.c, &out); rc < 0 {
			return codeError(rc)
		}
		lk.c = raw.SwigcptrLock(out)
		holdObject(l, lk, out, unrefLock)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return lk, nil
}

func (lk *Lock) acquire() (made, error) {
	var out uintptr
	return opFuture(raw.Lock_acquire(lk.c, &out), out)
}

// Acquire waits until the task holds the lock (as in asyncio, taking a
// free lock nobody waits for does not suspend).
func (lk *Lock) Acquire(co *Co) error {
	if lk.loop != co.loop {
		return ErrInvalid
	}
	if err := co.fastCheck(); err != nil {
		return err
	}
	_, err := co.finishOp(opLockAcquire(co.loop, lk.c), nil)
	return err
}

// AcquireFuture is a future that completes once the lock is held for the
// caller.
func (lk *Lock) AcquireFuture() (*Future, error) { return lk.loop.futureOp(lk.acquire) }

// TryAcquire takes the lock if it is free and nobody waits.
func (lk *Lock) TryAcquire() bool {
	return lk.loop.boolCall(func() int { return raw.Lock_try_acquire(lk.c) })
}

// Release releases the lock; the first waiter gets it. ErrState when it
// is not locked.
func (lk *Lock) Release() error {
	l := lk.loop
	if tok := l.holderTok.Load(); tok != 0 && !l.closedFlag.Load() {
		// One crossing when the caller holds the loop.
		if rc := lockRelease(tok, lk.c); rc != opWrong {
			return codeError(rc)
		}
	}
	return l.errCall(func() int { return raw.Lock_release(lk.c) })
}

// Locked reports whether the lock is held.
func (lk *Lock) Locked() bool { return lk.loop.boolCall(func() int { return raw.Lock_locked(lk.c) }) }

// With runs fn holding the lock (asyncio's `async with lock`).
func (lk *Lock) With(co *Co, fn func() error) error {
	if err := lk.Acquire(co); err != nil {
		return err
	}
	defer lk.Release()
	return fn()
}

// ---- Event ----

// Event is asyncio.Event.
type Event struct {
	loop *Loop
	c    raw.SwigcptrEvent
}

// NewEvent creates an event that is not set.
func (l *Loop) NewEvent() (*Event, error) {
	ev := &Event{loop: l}
	err := l.Call(func() error {
		var out uintptr
		if rc := raw.Event_new(l.c, &out); rc < 0 {
			return codeError(rc)
		}
		ev.c = raw.SwigcptrEvent(out)
		holdObject(l, ev, out, func(p uintptr) { raw.Event_unref(raw.SwigcptrEvent(p)) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ev, nil
}

func (ev *Event) wait() (made, error) {
	var out uintptr
	return opFuture(raw.Event_wait(ev.c, &out), out)
}

// Wait waits until the event is set.
func (ev *Event) Wait(co *Co) error {
	_, err := co.awaitOp(ev.loop, ev.wait)
	return err
}

// WaitFuture is a future that completes once the event is set.
func (ev *Event) WaitFuture() (*Future, error) { return ev.loop.futureOp(ev.wait) }

// Set sets the event and wakes every waiter.
func (ev *Event) Set() error { return ev.loop.errCall(func() int { return raw.Event_set(ev.c) }) }

// Clear clears the event.
func (ev *Event) Clear() error { return ev.loop.errCall(func() int { return raw.Event_clear(ev.c) }) }

// IsSet reports whether the event is set.
func (ev *Event) IsSet() bool { return ev.loop.boolCall(func() int { return raw.Event_is_set(ev.c) }) }

// ---- Condition ----

// Condition is asyncio.Condition.
type Condition struct {
	loop *Loop
	c    raw.SwigcptrCondition
}

// NewCondition creates a condition over lock, or over a lock of its own
// when lock is nil.
func (l *Loop) NewCondition(lock *Lock) (*Condition, error) {
	cd := &Condition{loop: l}
	err := l.Call(func() error {
		var lp raw.SwigcptrLock
		if lock != nil {
			if lock.loop != l {
				return ErrInvalid
			}
			lp = lock.c
		}
		var out uintptr
		if rc := raw.Condition_new(l.c, lp, &out); rc < 0 {
			return codeError(rc)
		}
		cd.c = raw.SwigcptrCondition(out)
		holdObject(l, cd, out, func(p uintptr) { raw.Condition_unref(raw.SwigcptrCondition(p)) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cd, nil
}

// Lock is the condition's lock.
func (cd *Condition) Lock() *Lock {
	lk := &Lock{loop: cd.loop}
	_ = cd.loop.Call(func() error {
		c := raw.Condition_lock(cd.c).(raw.SwigcptrLock)
		raw.Lock_ref(c)
		lk.c = c
		holdObject(cd.loop, lk, uintptr(c), unrefLock)
		return nil
	})
	return lk
}

func (cd *Condition) acquire() (made, error) {
	var out uintptr
	return opFuture(raw.Condition_acquire(cd.c, &out), out)
}

// Acquire waits until the task holds the condition's lock.
func (cd *Condition) Acquire(co *Co) error {
	_, err := co.awaitOp(cd.loop, cd.acquire)
	return err
}

// Release releases the condition's lock.
func (cd *Condition) Release() error {
	return cd.loop.errCall(func() int { return raw.Condition_release(cd.c) })
}

// Locked reports whether the condition's lock is held.
func (cd *Condition) Locked() bool {
	return cd.loop.boolCall(func() int { return raw.Condition_locked(cd.c) })
}

// Wait releases the lock (the task must hold it), waits until notified
// and re-acquires it. It returns with the lock held, also when cancelled;
// only ErrClosed (the condition was destroyed) comes without it.
func (cd *Condition) Wait(co *Co) error {
	_, err := co.awaitOp(cd.loop, func() (made, error) {
		var out uintptr
		return opFuture(raw.Condition_wait(cd.c, &out), out)
	})
	return err
}

// predicate is a Go predicate handed to ac_condition_wait_for.
type predicate struct {
	fn  func() int
	err error // a panic of fn
}

func (p *predicate) call() (v int) {
	defer func() {
		if r := recover(); r != nil {
			// Satisfied, so the wait ends and reports the panic.
			p.err = &PanicError{Value: r}
			v = 1
		}
	}()
	return p.fn()
}

// WaitFor waits until pred returns true (asyncio's wait_for): pred runs on
// the loop's thread, now (before the lock is needed: a predicate true at
// once returns at once) and after each notification, with the lock held.
// The task must hold the lock otherwise (a RuntimeError).
func (cd *Condition) WaitFor(co *Co, pred func() bool) error {
	_, err := cd.WaitForValue(co, func() int {
		if pred() {
			return 1
		}
		return 0
	})
	return err
}

// WaitForValue is WaitFor with a predicate that returns a value, nonzero
// meaning true; it returns the predicate's last value (asyncio's wait_for
// returns what the predicate returned).
func (cd *Condition) WaitForValue(co *Co, pred func() int) (int, error) {
	p := &predicate{fn: pred}
	v, err := co.awaitOp(cd.loop, func() (made, error) {
		h := newHandle(p)
		var out uintptr
		return opFuture(raw.Condition_wait_for(cd.c, fnPredicate, uintptr(h), fnFreeHandle, &out), out)
	})
	if err == nil && p.err != nil {
		return 0, p.err
	}
	n, _ := v.(int64)
	return int(n), err
}

// Notify wakes up to n waiters; the lock must be held.
func (cd *Condition) Notify(n int) (int, error) {
	return cd.loop.intCall(func() int { return int(raw.Condition_notify(cd.c, int64(n))) })
}

// NotifyAll wakes every waiter; the lock must be held.
func (cd *Condition) NotifyAll() (int, error) {
	return cd.loop.intCall(func() int { return int(raw.Condition_notify_all(cd.c)) })
}

// ---- Semaphore ----

// Semaphore is asyncio.Semaphore (or BoundedSemaphore).
type Semaphore struct {
	loop *Loop
	c    raw.SwigcptrSemaphore
}

// NewSemaphore creates a semaphore with value permits.
func (l *Loop) NewSemaphore(value int64) (*Semaphore, error) {
	return l.newSemaphore(value, false)
}

// NewBoundedSemaphore creates a semaphore that refuses a release above its
// initial value (ErrState).
func (l *Loop) NewBoundedSemaphore(value int64) (*Semaphore, error) {
	return l.newSemaphore(value, true)
}

func (l *Loop) newSemaphore(value int64, bounded bool) (*Semaphore, error) {
	s := &Semaphore{loop: l}
	err := l.Call(func() error {
		var out uintptr
		var rc int
		if bounded {
			rc = raw.Semaphore_new_bounded(l.c, value, &out)
		} else {
			rc = raw.Semaphore_new(l.c, value, &out)
		}
		if rc < 0 {
			return codeError(rc)
		}
		s.c = raw.SwigcptrSemaphore(out)
		holdObject(l, s, out, func(p uintptr) { raw.Semaphore_unref(raw.SwigcptrSemaphore(p)) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Semaphore) acquire() (made, error) {
	var out uintptr
	return opFuture(raw.Semaphore_acquire(s.c, &out), out)
}

// Acquire waits until the task holds a permit (without suspending when
// one is free and nobody waits).
func (s *Semaphore) Acquire(co *Co) error {
	if s.loop != co.loop {
		return ErrInvalid
	}
	if err := co.fastCheck(); err != nil {
		return err
	}
	_, err := co.finishOp(opSemaphoreAcquire(co.loop, s.c), nil)
	return err
}

// AcquireFuture is a future that completes once a permit is held.
func (s *Semaphore) AcquireFuture() (*Future, error) { return s.loop.futureOp(s.acquire) }

// TryAcquire takes a permit if one is free.
func (s *Semaphore) TryAcquire() bool {
	return s.loop.boolCall(func() int { return raw.Semaphore_try_acquire(s.c) })
}

// Release returns a permit.
func (s *Semaphore) Release() error {
	l := s.loop
	if tok := l.holderTok.Load(); tok != 0 && !l.closedFlag.Load() {
		if rc := semaphoreRelease(tok, s.c); rc != opWrong {
			return codeError(rc)
		}
	}
	return l.errCall(func() int { return raw.Semaphore_release(s.c) })
}

// Locked reports whether an acquire would wait.
func (s *Semaphore) Locked() bool {
	return s.loop.boolCall(func() int { return raw.Semaphore_locked(s.c) })
}

// Value is the number of free permits.
func (s *Semaphore) Value() int64 {
	var v int64
	_ = s.loop.Call(func() error { v = raw.Semaphore_value(s.c); return nil })
	return v
}

// With runs fn holding a permit (`async with semaphore`).
func (s *Semaphore) With(co *Co, fn func() error) error {
	if err := s.Acquire(co); err != nil {
		return err
	}
	defer s.Release()
	return fn()
}

// ---- Barrier ----

// Barrier is asyncio.Barrier.
type Barrier struct {
	loop *Loop
	c    raw.SwigcptrBarrier
}

// NewBarrier creates a barrier for parties tasks.
func (l *Loop) NewBarrier(parties int64) (*Barrier, error) {
	b := &Barrier{loop: l}
	err := l.Call(func() error {
		var out uintptr
		if rc := raw.Barrier_new(l.c, parties, &out); rc < 0 {
			return codeError(rc)
		}
		b.c = raw.SwigcptrBarrier(out)
		holdObject(l, b, out, func(p uintptr) { raw.Barrier_unref(raw.SwigcptrBarrier(p)) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

func (b *Barrier) wait() (made, error) {
	var out uintptr
	return opFuture(raw.Barrier_wait(b.c, &out), out)
}

// Wait waits until parties tasks wait, and returns this task's arrival
// index. ErrBroken when the barrier is (or gets) broken.
func (b *Barrier) Wait(co *Co) (int, error) {
	v, err := co.awaitOp(b.loop, b.wait)
	if err != nil {
		return -1, err
	}
	i, _ := v.(int64)
	return int(i), nil
}

// WaitFuture is a future that completes with the caller's arrival index
// (an int64) once parties waits are pending; the last party's future is
// done when WaitFuture returns. It fails with ErrBroken when the barrier is
// (or gets) broken.
func (b *Barrier) WaitFuture() (*Future, error) { return b.loop.futureOp(b.wait) }

// Reset empties the barrier; pending waits fail with ErrBroken.
func (b *Barrier) Reset() error { return b.loop.errCall(func() int { return raw.Barrier_reset(b.c) }) }

// Abort breaks the barrier until Reset.
func (b *Barrier) Abort() error { return b.loop.errCall(func() int { return raw.Barrier_abort(b.c) }) }

// Broken reports whether the barrier is broken.
func (b *Barrier) Broken() bool {
	return b.loop.boolCall(func() int { return raw.Barrier_broken(b.c) })
}

// Parties is the number of parties.
func (b *Barrier) Parties() int64 {
	var v int64
	_ = b.loop.Call(func() error { v = raw.Barrier_parties(b.c); return nil })
	return v
}

// NWaiting is the number of waits pending in the current round.
func (b *Barrier) NWaiting() int64 {
	var v int64
	_ = b.loop.Call(func() error { v = raw.Barrier_n_waiting(b.c); return nil })
	return v
}
