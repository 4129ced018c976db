package asyncore

import (
	"time"

	"libasyncore.org/go/asyncore/internal/raw"
)

// Step results (task.h): what a step function returns besides a negative
// code.
const (
	stepDone  = 0
	stepAwait = 1
	stepYield = 2
)

// StepFunc is a task written as a step function, the library's own task
// protocol, run on the loop's thread with no goroutine behind it: it runs
// until it must wait and returns what Step's methods return (Await, Sleep,
// Yield, Return, Fail). The loop calls it again when the awaited future is
// done; Outcome tells how that ended. Keep what must survive between steps
// in Step.State. This is the fast way to write many small tasks; Go and Co
// are the convenient one.
type StepFunc func(s *Step) int

// Step is a step task's handle on itself, valid during its steps.
type Step struct {
	State any

	loop     *Loop
	fn       StepFunc
	t        raw.SwigcptrTask
	task     *Task
	awaiting *Future
	post     func(raw.SwigcptrFuture) (any, error)
}

type stepTask struct {
	s   Step
	ctx ctxMap // the task's context (contextvar.go)
}

// Spawn creates a task driven by fn, with state in Step.State.
func (l *Loop) Spawn(fn StepFunc, state any) (*Task, error) {
	var t *Task
	err := l.Call(func() error {
		var e error
		t, e = l.spawn(fn, state)
		return e
	})
	return t, err
}

func (l *Loop) spawn(fn StepFunc, state any) (*Task, error) {
	st := &stepTask{s: Step{State: state, loop: l, fn: fn}, ctx: l.currentCtx()}
	h := newHandle(st)
	var out uintptr
	if rc := raw.Task_new(l.c, fnStepFunc, uintptr(h), fnFreeHandle, 0, &out); rc < 0 {
		return nil, codeError(rc)
	}
	st.s.task = l.wrapTask(raw.SwigcptrTask(out), true)
	return st.s.task, nil
}

func (st *stepTask) step(t raw.SwigcptrTask) (rc int) {
	s := &st.s
	s.t = t
	l := s.loop
	prev := l.stepCtx
	l.stepCtx = &st.ctx
	defer func() {
		l.stepCtx = prev
		if r := recover(); r != nil {
			rc = finishTask(s.loop, t, nil, &PanicError{Value: r})
		}
	}()
	return s.fn(s)
}

// Loop is the task's loop.
func (s *Step) Loop() *Loop { return s.loop }

// Task is the task itself.
func (s *Step) Task() *Task { return s.task }

// Await registers a as what the task waits for; return its result.
func (s *Step) Await(a Awaitable) int {
	f := a.future()
	s.awaiting, s.post = f, nil
	return raw.Task_await(s.t, f.c)
}

// awaitMade awaits a future just made (taking over its reference).
func (s *Step) awaitMade(m made, err error) int {
	if err != nil {
		return s.Fail(err)
	}
	s.awaiting, s.post = nil, m.post
	return raw.Task_await_owned(s.t, m.c)
}

// Sleep waits for d; return its result.
func (s *Step) Sleep(d time.Duration) int {
	s.awaiting, s.post = nil, nil
	return raw.Task_sleep(s.t, d.Seconds())
}

// Spawn creates a step task from inside this one (no crossing back to Go
// is needed: the step already runs on the loop's thread).
func (s *Step) Spawn(fn StepFunc, state any) (*Task, error) { return s.loop.spawn(fn, state) }

// Go creates a Go task from inside this step.
func (s *Step) Go(fn TaskFunc) (*Task, error) { return s.loop.goTask(fn, 0, 0) }

// Gather waits for every a (read the []any of results with Outcome);
// return its result.
func (s *Step) Gather(aws ...Awaitable) int { return s.awaitMade(s.loop.gatherMade(aws, 0)) }

// Get waits for q's next item (read it with Outcome); return its result.
func (s *Step) Get(q *Queue) int { return s.awaitMade(q.get()) }

// Put waits until v is in q; return its result.
func (s *Step) Put(q *Queue, v any) int { return s.awaitMade(q.put(0, false, v)()) }

// Acquire waits until the task holds lk; return its result.
func (s *Step) Acquire(lk *Lock) int { return s.awaitMade(lk.acquire()) }

// Yield steps again after the callbacks already ready; return it.
func (s *Step) Yield() int { return stepYield }

// Return finishes the task with v; return its result.
func (s *Step) Return(v any) int { return finishTask(s.loop, s.t, v, nil) }

// Fail finishes the task with err (ErrCancelled: cancelled); return its
// result.
func (s *Step) Fail(err error) int { return finishTask(s.loop, s.t, nil, err) }

// Outcome is how the last await ended: its value, or its error (one
// matching ErrCancelled when the task is being cancelled).
func (s *Step) Outcome() (any, error) {
	var r coReply
	if s.post != nil {
		r = awaitOutcomeWith(s.loop, s.t, s.post)
	} else {
		r = awaitOutcome(s.loop, s.t, s.awaiting)
	}
	return r.val, r.err
}

// finishTask stores a step task's outcome and gives the step's return
// value.
func finishTask(l *Loop, t raw.SwigcptrTask, val any, err error) int {
	if err == nil {
		cv := setValue(l.scratch, val)
		rc := raw.Task_return(t, l.scratch)
		cv.release(rc >= 0)
		return rc
	}
	e, code := errorToC(err)
	if e != 0 {
		raw.Task_raise(t, e)
		raw.Error_unref(e)
	}
	return code
}

// awaitOutcome is how a step task's last await ended (in its step); f is
// the Go future it awaited, if any.
func awaitOutcome(l *Loop, t raw.SwigcptrTask, f *Future) coReply {
	if f != nil && f.post != nil {
		return awaitOutcomeWith(l, t, func(raw.SwigcptrFuture) (any, error) { return f.post() })
	}
	return awaitOutcomeWith(l, t, nil)
}

// awaitOutcomeWith is awaitOutcome for a future whose result post reads.
func awaitOutcomeWith(l *Loop, t raw.SwigcptrTask, post func(raw.SwigcptrFuture) (any, error)) coReply {
	rc, awp, v := taskOutcome(uintptr(t))
	aw := raw.SwigcptrFuture(awp)
	if rc == 0 {
		if aw != 0 && post != nil && raw.Future_state_of(aw) == futureResult {
			v, err := post(aw)
			return coReply{val: v, err: err}
		}
		return coReply{val: v}
	}
	if aw != 0 {
		if e := raw.Future_error(aw).(raw.SwigcptrError); e != 0 {
			// A cancellation wins over what the awaited future did.
			if rc != codeCancelled || raw.Error_code(e) == codeCancelled {
				return coReply{err: errorFromC(e)}
			}
		}
	}
	return coReply{err: codeError(rc)}
}
