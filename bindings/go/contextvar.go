package asyncore

import (
	"libasyncore.org/go/asyncore/internal/raw"
)

// ContextKey is a task-local variable (Python's contextvars.ContextVar):
// each task has its own context, a copy of its creator's, so a value set
// in a task is seen by the tasks it creates afterwards and the callbacks it
// schedules, never by its parent.
//
// The binding keeps the values of Go code on the Go side (a Go task's code
// runs between the library's steps, where the library's own current
// context is not the task's): keys come from the library, so they are
// distinct from the keys of C code in the same process, but C code does not
// see the values Go sets, nor Go the values C sets.
type ContextKey struct{ k uint32 }

// NewContextKey creates a key distinct from all others in the process.
func NewContextKey() (ContextKey, error) {
	var k uint32
	if rc := raw.Context_key_new(&k); rc < 0 {
		return ContextKey{}, codeError(rc)
	}
	return ContextKey{k: k}, nil
}

// ctxMap is a context: an immutable map, copied when written, so copies
// are free.
type ctxMap map[uint32]any

func (m ctxMap) with(k uint32, v any) ctxMap {
	n := make(ctxMap, len(m)+1)
	for kk, vv := range m {
		n[kk] = vv
	}
	n[k] = v
	return n
}

func (m ctxMap) without(k uint32) ctxMap {
	n := make(ctxMap, len(m))
	for kk, vv := range m {
		if kk != k {
			n[kk] = vv
		}
	}
	return n
}

// ctxSlot is where the context in force lives (holder): the running Go
// task's, the running callback's or step function's, or the loop's own.
func (l *Loop) ctxSlot() *ctxMap {
	switch {
	case l.cur.Load() != nil:
		return &l.cur.Load().ctx
	case l.stepCtx != nil:
		return l.stepCtx
	case l.inCallback > 0:
		return &l.cbCtx
	}
	return &l.baseCtx
}

// currentCtx is the context in force (holder).
func (l *Loop) currentCtx() ctxMap { return *l.ctxSlot() }

// storedValue is how a value lives in a context: bytes are copied in and
// out, as the library does; any other value is kept as is.
func storedValue(v any) any {
	if b, ok := v.([]byte); ok {
		return append([]byte{}, b...)
	}
	return v
}

// SetContextValue sets key in the current context of the loop (the running
// task's, or the loop's own outside any task).
func (l *Loop) SetContextValue(key ContextKey, v any) error {
	return l.Call(func() error {
		if key.k == 0 {
			return ErrInvalid
		}
		s := l.ctxSlot()
		*s = (*s).with(key.k, storedValue(v))
		return nil
	})
}

// ContextValue reads key from the current context; ok is false when unset.
func (l *Loop) ContextValue(key ContextKey) (v any, ok bool) {
	_ = l.Call(func() error {
		v, ok = l.currentCtx()[key.k]
		if ok {
			v = storedValue(v)
		}
		return nil
	})
	return v, ok
}

// DeleteContextValue removes key from the current context; it reports
// whether it was set.
func (l *Loop) DeleteContextValue(key ContextKey) (bool, error) {
	found := false
	err := l.Call(func() error {
		if key.k == 0 {
			return ErrInvalid
		}
		s := l.ctxSlot()
		if _, found = (*s)[key.k]; found {
			*s = (*s).without(key.k)
		}
		return nil
	})
	return found, err
}

// SetValue sets key in the task's context.
func (co *Co) SetValue(key ContextKey, v any) error { return co.loop.SetContextValue(key, v) }

// Value reads key from the task's context.
func (co *Co) Value(key ContextKey) (any, bool) { return co.loop.ContextValue(key) }

// Context is a copy of a task's context (what contextvars.copy_context
// gives), for code that runs off the loop (ToThreadContext): it reads the
// values the task saw, and what it sets stays in the copy. One goroutine
// uses it at a time.
type Context struct{ m ctxMap }

// Value reads key; ok is false when unset.
func (c *Context) Value(key ContextKey) (v any, ok bool) {
	v, ok = c.m[key.k]
	if ok {
		v = storedValue(v)
	}
	return v, ok
}

// SetValue sets key in the copy.
func (c *Context) SetValue(key ContextKey, v any) error {
	if key.k == 0 {
		return ErrInvalid
	}
	c.m = c.m.with(key.k, storedValue(v))
	return nil
}
