package asyncore

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"asyncore/internal/raw"
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
// Match errors with errors.Is against the sentinels below (ErrCancelled,
// ErrTimeout ...), against a syscall.Errno, or against the os/fs errors an
// errno stands for (fs.ErrNotExist ...). Errors match by code.
type Error struct {
	Code     int
	Message  string
	Cause    error
	Children []error
	// Partial holds the bytes a stream read had when it failed with
	// ErrIncomplete (asyncio's IncompleteReadError.partial).
	Partial []byte
}

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
	ErrEOF         = newSentinel(codeEOF)
	// Common connection errors (they also match their syscall.Errno).
	ErrConnRefused = newSentinel(-int(syscall.ECONNREFUSED))
	ErrConnReset   = newSentinel(-int(syscall.ECONNRESET))
	ErrPipe        = newSentinel(-int(syscall.EPIPE))
	ErrAddrInUse   = newSentinel(-int(syscall.EADDRINUSE))
)

func newSentinel(code int) *Error { return &Error{Code: code, Message: raw.Strerror(code)} }

// codeError is the error for a code returned by a call (nil for >= 0).
func codeError(code int) error {
	if code >= 0 {
		return nil
	}
	return &Error{Code: code, Message: raw.Strerror(code)}
}

func (e *Error) Error() string {
	if e.Message != "" {
		return e.Message
	}
	return raw.Strerror(e.Code)
}

// Name is the code's name, e.g. "AC_ECANCELLED" or "ECONNRESET".
func (e *Error) Name() string { return raw.Err_name(e.Code) }

// Unwrap gives the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Timeout reports whether this is a timeout (as net.Error does).
func (e *Error) Timeout() bool { return e.Code == codeTimedOut }

// isOS tells whether the code is a negated errno.
func (e *Error) isOS() bool { return e.Code < 0 && e.Code > -10000 && e.Code != codeEOF }

// Is matches by code: another *Error with the same code, the syscall.Errno
// of an OS code (and what that Errno matches, such as fs.ErrNotExist),
// context.DeadlineExceeded for a timeout, and, for a group error, whatever
// one of its children matches.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case *Error:
		if t.Code == e.Code {
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

// PanicError is the error of a Go task or callback that panicked: the
// panic is recovered (it never crosses into C) and the task fails with it.
type PanicError struct {
	Value any
}

func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// ExceptionContext is what the loop's exception handler receives: errors
// nobody else could take (a failed future never read, a task still pending
// when the loop closed, a panic in a callback).
type ExceptionContext struct {
	Message string
	Err     error
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
// becomes AC_EHOST. Unless the error is a plain *Error, the Go error rides
// along as the payload, so Go code awaiting the failure gets it back as is.
func errorToC(err error) (raw.SwigcptrError, int) {
	code, msg := codeHost, err.Error()
	var ae *Error
	if errors.As(err, &ae) && ae.Code < 0 {
		code = ae.Code
	}
	var cause raw.SwigcptrError
	if ae != nil && ae.Cause != nil {
		cause, _ = errorToC(ae.Cause)
	}
	var out uintptr
	rc := raw.Error_new(code, msg, cause, &out)
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
	if _, plain := err.(*Error); !plain {
		v := raw.NewValue()
		cv := setValue(v.(raw.SwigcptrValue), err)
		cv.release(raw.Error_set_payload(e, v) == 0)
		raw.DeleteValue(v)
	}
	return e, code
}
