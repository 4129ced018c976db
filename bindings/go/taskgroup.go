package asyncore

import (
	"libasyncore.org/go/asyncore/internal/raw"
)

// TaskGroup is asyncio.TaskGroup for Go tasks: structured concurrency.
type TaskGroup struct {
	co *Co
	c  raw.SwigcptrTaskgroup

	joined bool // loop thread: no more spawning through this value
}

// TaskGroup runs body with a new task group and returns once body and every
// task started with tg.Go are done (asyncio's `async with TaskGroup()`).
//
// The first task to fail cancels the other tasks and the body (its current
// await sees ErrCancelled); TaskGroup then returns an error matching
// ErrGroup whose Children are the tasks' errors in the order they failed
// (errors.Is also matches any of them). Cancelled tasks are not errors. A
// body that returns an error (or panics) cancels the tasks; its error joins
// the children.
//
// The library makes a group only from inside the running step of its
// task, so entering the group gives the loop a turn first (as an await of
// a done future does in the library's protocol).
func (co *Co) TaskGroup(body func(tg *TaskGroup) error) error {
	tg := &TaskGroup{co: co}
	var cerr error
	if err := co.inStep(func() bool {
		var out uintptr
		if rc := raw.Taskgroup_new(co.ctask(), &out); rc < 0 {
			cerr = codeError(rc)
			return false
		}
		tg.c = raw.SwigcptrTaskgroup(out)
		return false
	}); err != nil {
		if tg.c != 0 {
			_ = co.call(func() error { raw.Taskgroup_unref(tg.c); return nil })
		}
		return err
	}
	if cerr != nil {
		return cerr
	}
	bodyErr := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = &PanicError{Value: r}
			}
		}()
		return body(tg)
	}()
	// The join, then its await, inside the task's step (the library joins
	// only from the parent's running step).
	var jerr error
	err := co.inStep(func() bool {
		code := 0
		var e raw.SwigcptrError
		if bodyErr != nil {
			e, code = errorToC(bodyErr)
		}
		var out uintptr
		rc := raw.Taskgroup_join(tg.c, code, e, &out)
		if e != 0 {
			raw.Error_unref(e)
		}
		if rc < 0 {
			jerr = codeError(rc)
			return false
		}
		reqAwait(co.c, out, true)
		return true
	})
	if err == nil {
		err = jerr
	}
	_ = co.call(func() error {
		tg.joined = true
		raw.Taskgroup_unref(tg.c)
		return nil
	})
	return err
}

// Go starts fn as a task of the group. A RuntimeError (matching ErrRuntime)
// once the group is shutting down ("TaskGroup is shutting down": a task
// failed, or the parent was cancelled) or finished ("TaskGroup is
// finished").
func (tg *TaskGroup) Go(fn TaskFunc) (*Task, error) {
	l := tg.co.loop
	var t *Task
	err := l.Call(func() error {
		if tg.joined {
			return newError(codeMisuse, "TaskGroup is finished")
		}
		var e error
		t, e = l.goTask(fn, 0, uintptr(tg.c))
		return e
	})
	return t, err
}

// Size is the number of the group's tasks not yet done.
func (tg *TaskGroup) Size() int {
	n := 0
	_ = tg.co.loop.Call(func() error {
		if !tg.joined {
			n = int(raw.Taskgroup_size(tg.c))
		}
		return nil
	})
	return n
}
