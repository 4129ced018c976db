package asyncore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"libasyncore.org/go/asyncore/internal/raw"
)

func TestCodesMatchTheContract(t *testing.T) {
	pairs := []struct {
		ours int
		c    raw.Enum_SS_ac_errno
	}{
		{codeInvalid, raw.AC_EINVAL}, {codeTimedOut, raw.AC_ETIMEDOUT},
		{codeCancelled, raw.AC_ECANCELLED}, {codeState, raw.AC_ESTATE},
		{codeWrongThread, raw.AC_EWRONGTHREAD}, {codeClosed, raw.AC_ECLOSED},
		{codeRunning, raw.AC_ERUNNING}, {codeStopped, raw.AC_ESTOPPED},
		{codeGroup, raw.AC_EGROUP}, {codeHost, raw.AC_EHOST},
		{codeEmpty, raw.AC_EEMPTY}, {codeFull, raw.AC_EFULL},
		{codeShutdown, raw.AC_ESHUTDOWN}, {codeBroken, raw.AC_EBROKEN},
		{codeIncomplete, raw.AC_EINCOMPLETE}, {codeLimit, raw.AC_ELIMIT},
		{codeInternal, raw.AC_EINTERNAL}, {codeEOF, raw.AC_EOF},
	}
	for _, p := range pairs {
		if p.ours != int(p.c) {
			t.Errorf("code %d != contract %d (%s)", p.ours, int(p.c), raw.Err_name(int(p.c)))
		}
	}
	if ErrCancelled.Name() != "AC_ECANCELLED" || ErrConnReset.Name() != "ECONNRESET" {
		t.Fatalf("names %q %q", ErrCancelled.Name(), ErrConnReset.Name())
	}
}

func TestErrorsMatchErrnoAndStandardErrors(t *testing.T) {
	notFound := &Error{Code: -int(syscall.ENOENT), Message: "no such file"}
	if !errors.Is(notFound, syscall.ENOENT) || !errors.Is(notFound, fs.ErrNotExist) {
		t.Fatal("ENOENT does not match")
	}
	if errors.Is(notFound, syscall.EPIPE) || errors.Is(notFound, ErrCancelled) {
		t.Fatal("matches too much")
	}
	timeout := &Error{Code: codeTimedOut, Message: "timed out"}
	if !errors.Is(timeout, ErrTimeout) || !errors.Is(timeout, context.DeadlineExceeded) || !timeout.Timeout() {
		t.Fatal("timeout does not match")
	}
	if errors.Is(ErrCancelled, syscall.Errno(10001)) {
		t.Fatal("a library code taken for an errno")
	}
}

func TestErrorsCrossTheLibraryIntact(t *testing.T) {
	mine := errors.New("root cause")
	group := &Error{Code: codeGroup, Message: "two failed", Children: []error{
		&Error{Code: codeFull, Message: "full", Cause: mine},
		fmt.Errorf("wrapped: %w", ErrBroken),
	}}
	e, code := errorToC(group)
	if code != codeGroup || e == 0 {
		t.Fatalf("to C: %d", code)
	}
	back := errorFromC(e)
	if s := raw.Error_format(e); !strings.Contains(s, "two failed") || !strings.Contains(s, "root cause") {
		t.Fatalf("format: %q", s)
	}
	raw.Error_unref(e)
	var ge *Error
	if !errors.As(back, &ge) || ge.Code != codeGroup || len(ge.Children) != 2 {
		t.Fatalf("back: %#v", back)
	}
	if !errors.Is(back, ErrFull) || !errors.Is(back, ErrBroken) || !errors.Is(back, mine) {
		t.Fatalf("children do not match: %v", back)
	}
	// A plain Go error becomes AC_EHOST and comes back as itself.
	e2, code2 := errorToC(mine)
	if code2 != codeHost || errorFromC(e2) != mine {
		t.Fatal("host error")
	}
	raw.Error_unref(e2)
}
