package asyncore

import (
	"asyncore/internal/raw"
)

// ContextKey is a task-local variable (Python's contextvars.ContextVar):
// each task has its own context, a copy of its creator's, so a value set
// in a task is seen by the tasks it creates afterwards and the callbacks it
// schedules, never by its parent.
type ContextKey struct{ k uint32 }

// NewContextKey creates a key distinct from all others in the process.
func NewContextKey() (ContextKey, error) {
	var k uint32
	if rc := raw.Context_key_new(&k); rc < 0 {
		return ContextKey{}, codeError(rc)
	}
	return ContextKey{k: k}, nil
}

// SetContextValue sets key in the current context of the loop (the running
// task's, or the loop's own outside any task).
func (l *Loop) SetContextValue(key ContextKey, v any) error {
	return l.Call(func() error {
		cv := setValue(l.scratch, v)
		rc := raw.Context_set(l.c, uint(key.k), l.scratch)
		cv.release(rc == 0)
		return codeError(rc)
	})
}

// ContextValue reads key from the current context; ok is false when unset.
func (l *Loop) ContextValue(key ContextKey) (v any, ok bool) {
	_ = l.Call(func() error {
		if raw.Context_get(l.c, uint(key.k), l.scratch) == 1 {
			v, ok = getValue(l.scratch), true
		}
		return nil
	})
	return v, ok
}

// DeleteContextValue removes key from the current context; it reports
// whether it was set.
func (l *Loop) DeleteContextValue(key ContextKey) (bool, error) {
	n, err := l.intCall(func() int { return raw.Context_delete(l.c, uint(key.k)) })
	return n == 1, err
}

// SetValue sets key in the task's context.
func (co *Co) SetValue(key ContextKey, v any) error { return co.loop.SetContextValue(key, v) }

// Value reads key from the task's context.
func (co *Co) Value(key ContextKey) (any, bool) { return co.loop.ContextValue(key) }
