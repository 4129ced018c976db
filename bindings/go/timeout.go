package asyncore

import (
	"math"
	"time"

	"libasyncore.org/go/asyncore/internal/raw"
)

// Scope is a timeout scope (asyncio.Timeout, from asyncio.timeout or
// asyncio.timeout_at): a deadline around a stretch of awaits in one Go
// task.
//
// The binding keeps the scope itself (the library's ac_timeout is entered
// and left only from inside the running step of its task, and a Go task's
// code runs between its steps), with asyncio's rules: when the deadline
// passes (a deadline already due expires as a ready callback, behind those
// ready already), the task is cancelled; leaving the scope takes that
// cancellation back, and when that leaves no more cancellations than there
// were at the entry and the body ended with a CancelledError, Run returns
// a TimeoutError (empty message, matching ErrTimeout) whose cause is that
// CancelledError. Any other cancellation passes through as one.
type Scope struct {
	co         *Co // the task, once entered
	loop       *Loop
	when       float64 // loop time; +Inf for none
	state      int
	timer      raw.SwigcptrCall
	cancelling int
}

// Scope states (asyncio's _State).
const (
	scopeCreated = iota
	scopeEntered
	scopeExpiring
	scopeExpired
	scopeExited
)

var scopeStateNames = [...]string{"created", "active", "expiring", "expired", "finished"}

// NewTimeout makes a scope whose deadline is d from now (asyncio.timeout):
// NoTimeout for none; zero or less is due at once. It is entered with Run.
func (co *Co) NewTimeout(d time.Duration) (*Scope, error) {
	if err := co.check(); err != nil {
		return nil, err
	}
	when := math.Inf(1)
	if d != NoTimeout {
		when = raw.Loop_time(co.loop.c) + d.Seconds()
	}
	return &Scope{loop: co.loop, when: when}, nil
}

// NewTimeoutAt makes a scope whose deadline is loop time when (seconds;
// math.Inf(1) for none), asyncio.timeout_at. ErrValue for NaN.
func (co *Co) NewTimeoutAt(when float64) (*Scope, error) {
	if err := co.check(); err != nil {
		return nil, err
	}
	if math.IsNaN(when) {
		return nil, newError(codeInvalid, "the deadline is NaN")
	}
	return &Scope{loop: co.loop, when: when}, nil
}

// Timeout runs body with a deadline d from now (`async with
// asyncio.timeout(d)`): when it passes, the task is cancelled, body sees
// the cancellation at its await, and Timeout returns a TimeoutError
// (matching ErrTimeout and context.DeadlineExceeded; its cause is the
// CancelledError). A cancellation from elsewhere stays one. NoTimeout for
// no deadline; zero or less expires at the first await that suspends.
func (co *Co) Timeout(d time.Duration, body func(s *Scope) error) error {
	s, err := co.NewTimeout(d)
	if err != nil {
		return err
	}
	return s.Run(co, body)
}

// TimeoutAt is Timeout with a deadline at loop time when (seconds;
// math.Inf(1) for none), asyncio.timeout_at.
func (co *Co) TimeoutAt(when float64, body func(s *Scope) error) error {
	s, err := co.NewTimeoutAt(when)
	if err != nil {
		return err
	}
	return s.Run(co, body)
}

// misuse is asyncio's RuntimeError for a scope used out of turn.
func misuse(message string) error { return newError(codeMisuse, message) }

// Run enters the scope in the task co, runs body and leaves the scope
// (`async with scope`). A scope is entered once: entering it again, even
// after it was left, is a RuntimeError ("Timeout has already been
// entered"), and body does not run.
func (s *Scope) Run(co *Co, body func(s *Scope) error) error {
	if err := co.check(); err != nil {
		return err
	}
	if co.loop != s.loop {
		return ErrInvalid
	}
	if s.state != scopeCreated {
		return misuse("Timeout has already been entered")
	}
	s.co = co
	s.state = scopeEntered
	s.cancelling = int(raw.Task_cancelling(co.ctask()))
	if err := s.reschedule(s.when); err != nil {
		s.state = scopeExited
		return err
	}
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				if co.check() == nil {
					s.exit(nil)
				}
				panic(r)
			}
		}()
		return body(s)
	}()
	if co.check() != nil {
		return err
	}
	return s.exit(err)
}

// exit leaves the scope with the body's error and returns what Run
// returns (asyncio's __aexit__).
func (s *Scope) exit(err error) error {
	s.disarm()
	if s.state == scopeExpiring {
		s.state = scopeExpired
		if int(raw.Task_uncancel(s.co.ctask())) <= s.cancelling && isCode(err, codeCancelled) {
			// No cancellation of our own is left: this one was ours.
			return &Error{Code: codeTimedOut, Cause: err}
		}
		return err
	}
	s.state = scopeExited
	return err
}

// reschedule arms the deadline when (holder, entered).
func (s *Scope) reschedule(when float64) error {
	s.when = when
	s.disarm()
	if math.IsInf(when, 1) {
		return nil
	}
	l := s.loop
	h := newHandle(&callback{loop: l, fn: s.fire})
	var out uintptr
	var rc int
	if when <= raw.Loop_time(l.c) {
		// Due already: a ready callback, behind those ready now.
		rc = raw.Loop_call_soon(l.c, fnCallback, uintptr(h), fnFreeHandle, &out)
	} else {
		rc = raw.Loop_call_at(l.c, when, fnCallback, uintptr(h), fnFreeHandle, &out)
	}
	if rc < 0 {
		return codeError(rc)
	}
	s.timer = raw.SwigcptrCall(out)
	return nil
}

func (s *Scope) disarm() {
	if s.timer != 0 {
		raw.Call_cancel(s.timer)
		raw.Call_unref(s.timer)
		s.timer = 0
	}
}

// fire: the deadline passed (a callback of the loop).
func (s *Scope) fire() {
	if s.timer != 0 {
		raw.Call_unref(s.timer)
		s.timer = 0
	}
	co := s.co
	if s.state != scopeEntered || co.c == 0 || co.finished {
		return
	}
	s.state = scopeExpiring
	co.cancelTask("")
}

// When is the scope's deadline (loop time; +Inf for none).
func (s *Scope) When() float64 {
	w := math.NaN()
	_ = s.loop.Call(func() error { w = s.when; return nil })
	return w
}

// Reschedule moves the deadline to loop time when (math.Inf(1): none)
// while the scope is entered and has not expired (asyncio's reschedule):
// a RuntimeError otherwise ("Timeout has not been entered", "Cannot change
// state of expiring Timeout" ...). A deadline already due expires as a
// ready callback.
func (s *Scope) Reschedule(when float64) error {
	if math.IsNaN(when) {
		return newError(codeInvalid, "the deadline is NaN")
	}
	return s.loop.Call(func() error {
		switch s.state {
		case scopeEntered:
			return s.reschedule(when)
		case scopeCreated:
			return misuse("Timeout has not been entered")
		}
		return misuse("Cannot change state of " + scopeStateNames[s.state] + " Timeout")
	})
}

// Expired reports whether the deadline passed while the scope was entered
// (asyncio's expired()).
func (s *Scope) Expired() bool {
	e := false
	_ = s.loop.Call(func() error { e = s.state == scopeExpiring || s.state == scopeExpired; return nil })
	return e
}
