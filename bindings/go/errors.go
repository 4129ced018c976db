package asyncore

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"libasyncore.org/go/asyncore/internal/raw"
)

// The library's own codes (error.h, AC_ERRNO_MAP). Operating-system
// conditions are negated errno values.
const (
	codeInvalid     = -int(syscall.EINVAL)
	codeTimedOut    = -int(syscall.ETIMEDOUT)
	codeCancelled   = -10001
	codeState       = -10002
	codeWrongThread = -10003
	codeClosed      = -10004
	codeRunning     = -10005
	codeStopped     = -10006
	codeGroup       = -10007
	codeHost        = -10008
	codeEmpty       = -10009
	codeFull        = -10010
	codeShutdown    = -10011
	codeBroken      = -10012
	codeIncomplete  = -10013
	codeLimit       = -10014
	codeInternal    = -10015
	codeEOF         = -4095
)

// Error is a failure reported by the library, or carried by a failed
// future: a negative code (a negated errno for operating-system conditions,
// below -10000 for the library's own), a message, an optional cause and,
// for a task group's failure, the failures of its tasks.
//
// Each code stands for one of asyncio's exception classes (Class): match
// errors with errors.Is against the sentinels below, one per class
// (ErrCancelled, ErrTimeout, ErrInvalidState, ErrRuntime, ErrValue,
// ErrQueueEmpty ...) or per code (ErrClosed, ErrMisuse ...), against a
// syscall.Errno, or against the os/fs errors an errno stands for
// (fs.ErrNotExist ...). A group error also matches what one of its
// children matches. errors.As gives the *Error.
//
// Unwrap gives the cause: a TimeoutError of a timeout scope or of WaitFor
// unwraps to the CancelledError it was raised from (asyncio's `raise
// TimeoutError from exc`), so errors.Is(err, ErrCancelled) holds for it
// too. Test ErrTimeout first where both may come.
type Error struct {
	Code     int
	Message  string
	Cause    error
	Children []error
	// Partial holds the bytes a stream read had when it failed with
	// ErrIncomplete (asyncio's IncompleteReadError.partial).
	Partial []byte

	// class is set on the sentinels that stand for a whole class
	// (ErrRuntime, ErrValue, ErrOS): they match any error of the class.
	class string
}

// The library's code for misuse (asyncio's RuntimeError).
const codeMisuse = -10016

// Sentinels, one per condition; compare with errors.Is.
var (
	ErrCancelled   = newSentinel(codeCancelled)
	ErrTimeout     = newSentinel(codeTimedOut)
	ErrInvalid     = newSentinel(codeInvalid)
	ErrState       = newSentinel(codeState)
	ErrWrongThread = newSentinel(codeWrongThread)
	ErrClosed      = newSentinel(codeClosed)
	ErrRunning     = newSentinel(codeRunning)
	ErrStopped     = newSentinel(codeStopped)
	ErrGroup       = newSentinel(codeGroup)
	ErrHost        = newSentinel(codeHost)
	ErrEmpty       = newSentinel(codeEmpty)
	ErrFull        = newSentinel(codeFull)
	ErrShutdown    = newSentinel(codeShutdown)
	ErrBroken      = newSentinel(codeBroken)
	ErrIncomplete  = newSentinel(codeIncomplete)
	ErrLimit       = newSentinel(codeLimit)
	ErrInternal    = newSentinel(codeInternal)
	ErrMisuse      = newSentinel(codeMisuse)
	ErrEOF         = newSentinel(codeEOF)
	// Common connection errors (they also match their syscall.Errno).
	ErrConnRefused = newSentinel(-int(syscall.ECONNREFUSED))
	ErrConnReset   = newSentinel(-int(syscall.ECONNRESET))
	ErrPipe        = newSentinel(-int(syscall.EPIPE))
	ErrAddrInUse   = newSentinel(-int(syscall.EADDRINUSE))
)

// asyncio's exception classes. A class with one code is that code's
// sentinel; RuntimeError, ValueError and OSError match every code of
// their class.
var (
	// ErrInvalidState is asyncio.InvalidStateError (a future already
	// done, a result not set yet).
	ErrInvalidState = ErrState
	// ErrRuntime is RuntimeError: misuse (ErrMisuse: a lock released
	// unlocked, a condition used without its lock, a timeout scope
	// misused), a closed loop (ErrClosed), a loop already running
	// (ErrRunning), a call from the wrong thread, a stopped run.
	ErrRuntime = newClassSentinel("RuntimeError")
	// ErrValue is ValueError: an argument out of range (a negative
	// semaphore value, a barrier of no parties), a bounded semaphore
	// released too often, task_done called too many times.
	ErrValue = newClassSentinel("ValueError")
	// ErrOS is OSError: any operating-system condition (match a
	// particular one with its syscall.Errno or ErrConnReset ...).
	ErrOS             = newClassSentinel("OSError")
	ErrQueueEmpty     = ErrEmpty    // asyncio.QueueEmpty
	ErrQueueFull      = ErrFull     // asyncio.QueueFull
	ErrQueueShutDown  = ErrShutdown // asyncio.QueueShutDown
	ErrBrokenBarrier  = ErrBroken   // asyncio.BrokenBarrierError
	ErrExceptionGroup = ErrGroup    // ExceptionGroup (a task group's failures)
	ErrIncompleteRead = ErrIncomplete
	ErrLimitOverrun   = ErrLimit
)

func newSentinel(code int) *Error { return &Error{Code: code, Message: raw.Strerror(code)} }

func newClassSentinel(class string) *Error { return &Error{Message: class, class: class} }

// newError is an error of code with message (asyncio's words, or empty).
func newError(code int, message string) *Error { return &Error{Code: code, Message: message} }

// codeError is the error for a code a call of the library just returned
// (nil for >= 0), with the reason the library gave for it in asyncio's
// words (ac_last_error_message): call it on the loop's thread right after
// the failing call.
func codeError(code int) error {
	if code >= 0 {
		return nil
	}
	if code == codeCancelled {
		return newError(code, "")
	}
	return newError(code, raw.Last_error_message(code))
}

// Error is the message, or the class when the message is empty (a
// cancellation without a message, a TimeoutError, a QueueEmpty).
func (e *Error) Error() string {
	if e.Message != "" {
		return e.Message
	}
	return e.Class()
}

// Name is the code's name, e.g. "AC_ECANCELLED" or "ECONNRESET".
func (e *Error) Name() string { return raw.Err_name(e.Code) }

// Class is asyncio's exception class for the code: "CancelledError",
// "TimeoutError", "InvalidStateError", "RuntimeError", "ValueError",
// "QueueEmpty", "QueueFull", "QueueShutDown", "BrokenBarrierError",
// "ExceptionGroup", "ConnectionResetError" ... ("Exception" for a Go error
// that crossed the library).
func (e *Error) Class() string {
	if e.class != "" {
		return e.class
	}
	return raw.Err_class(e.Code)
}

// Describe is "Class: message", or the class alone when the message is
// empty (how asyncio's programs print an exception).
func (e *Error) Describe() string {
	if e.Message == "" {
		return e.Class()
	}
	return e.Class() + ": " + e.Message
}

// Unwrap gives the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Timeout reports whether this is a timeout (as net.Error does).
func (e *Error) Timeout() bool { return e.Code == codeTimedOut }

// isOS tells whether the code is a negated errno.
func (e *Error) isOS() bool { return e.Code < 0 && e.Code > -10000 && e.Code != codeEOF }

// inClass tells whether the error is of the class a class sentinel names.
func (e *Error) inClass(class string) bool {
	switch class {
	case "OSError":
		// As in Python, TimeoutError and the Connection*Errors are
		// OSErrors; ValueError is not.
		return e.isOS() && e.Code != codeInvalid
	case "":
		return false
	}
	return e.Class() == class
}

// Is matches by code: another *Error with the same code, a class
// sentinel (ErrRuntime, ErrValue, ErrOS) for any code of its class, the
// syscall.Errno of an OS code (and what that Errno matches, such as
// fs.ErrNotExist), context.DeadlineExceeded for a timeout, and, for a
// group error, whatever one of its children matches.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case *Error:
		if t.class != "" {
			if e.class == t.class || e.inClass(t.class) {
				return true
			}
		} else if e.class == "" && t.Code == e.Code {
			return true
		}
	case syscall.Errno:
		if e.isOS() && syscall.Errno(-e.Code) == t {
			return true
		}
	default:
		if target == context.DeadlineExceeded && e.Code == codeTimedOut {
			return true
		}
		if e.isOS() && syscall.Errno(-e.Code).Is(target) {
			return true
		}
	}
	for _, c := range e.Children {
		if errors.Is(c, target) {
			return true
		}
	}
	return false
}

// isCode tells whether err is an *Error of code itself (not through its
// cause or children).
func isCode(err error, code int) bool {
	e, ok := err.(*Error)
	return ok && e.Code == code
}

// ClassOf is asyncio's class of any error: an *Error's Class, "Exception"
// for a plain Go error, nil for nil.
func ClassOf(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e) && e == err:
		return e.Class()
	}
	return "Exception"
}

// PanicError is the error of a Go task or callback that panicked: the
// panic is recovered (it never crosses into C) and the task fails with it.
type PanicError struct {
	Value any
}

func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// Unwrap gives the value the code panicked with when it is an error (the
// Go way to raise one from a callback): errors.Is and errors.As see it.
func (p *PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

// ExceptionContext is what the loop's exception handler receives: errors
// nobody else could take (a failed future never read, a task that failed
// while the loop shut down, a panic in a callback).
type ExceptionContext struct {
	Message string
	Err     error
	// TaskName names the task the report is about (a task that failed or
	// was abandoned while the loop shut down, a task whose failure nobody
	// read); empty for other reports.
	TaskName string

	// What asyncio's context dict would hold besides message and
	// exception (Keys).
	future, task, handle bool
}

// Keys lists the keys asyncio's context dict holds for this report,
// sorted: "exception" (Err), "future" (a future or task whose failure
// nobody read), "handle" (a callback that panicked), "message", "task" (a
// task that failed while the loop shut down).
func (c ExceptionContext) Keys() []string {
	var keys []string
	if c.Err != nil {
		keys = append(keys, "exception")
	}
	if c.future {
		keys = append(keys, "future")
	}
	if c.handle {
		keys = append(keys, "handle")
	}
	keys = append(keys, "message")
	if c.task {
		keys = append(keys, "task")
	}
	return keys
}

// errorFromC converts a borrowed C error. A Go error that went through the
// library (a Go task failing with it) comes back as itself.
func errorFromC(e raw.SwigcptrError) error {
	if e == 0 {
		return nil
	}
	v := raw.NewValue()
	defer raw.DeleteValue(v)
	var partial []byte
	if raw.Error_payload(e, v) == 0 {
		switch x := getValue(v.(raw.SwigcptrValue)).(type) {
		case error:
			return x
		case []byte:
			partial = x
		}
	}
	out := &Error{Code: raw.Error_code(e), Message: raw.Error_message(e), Partial: partial}
	if c := raw.Error_cause(e).Swigcptr(); c != 0 {
		out.Cause = errorFromC(raw.SwigcptrError(c))
	}
	n := raw.Error_child_count(e)
	for i := int64(0); i < n; i++ {
		out.Children = append(out.Children, errorFromC(raw.Error_child(e, i).(raw.SwigcptrError)))
	}
	return out
}

// errorToC makes a C error for a Go error; the caller owns the reference.
// An *Error (or an error wrapping one) keeps its code; any other error
// becomes AC_EHOST. The Go error rides along as the payload, so Go code
// awaiting the failure gets it back as is.
func errorToC(err error) (raw.SwigcptrError, int) {
	code, msg := codeHost, err.Error()
	var ae *Error
	if errors.As(err, &ae) && ae.Code < 0 {
		code = ae.Code
		if ae == err {
			// Its own message, empty or not (Error() gives the class
			// for an empty one).
			msg = ae.Message
		}
	}
	var cause raw.SwigcptrError
	if ae != nil && ae.Cause != nil {
		cause, _ = errorToC(ae.Cause)
	}
	out, rc := newCError(code, msg, cause)
	if cause != 0 {
		raw.Error_unref(cause)
	}
	if rc < 0 {
		return 0, code
	}
	e := raw.SwigcptrError(out)
	if ae != nil {
		for _, child := range ae.Children {
			c, _ := errorToC(child)
			if c != 0 {
				raw.Error_add_child(e, c)
				raw.Error_unref(c)
			}
		}
	}
	// The Go error rides along, so Go code reading the failure gets the
	// very same error back (asyncio hands out the same exception object).
	v := raw.NewValue()
	cv := setValue(v.(raw.SwigcptrValue), err)
	cv.release(raw.Error_set_payload(e, v) == 0)
	raw.DeleteValue(v)
	return e, code
}
