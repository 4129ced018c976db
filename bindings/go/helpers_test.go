package asyncore

import (
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"
)

// leakCheck records the goroutine count; the returned function fails the
// test if, after everything was closed, goroutines or library-held Go
// values remain.
func leakCheck(t *testing.T) func() {
	t.Helper()
	before := runtime.NumGoroutine()
	return func() {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("goroutines: %d before, %d after\n%s", before, n, buf)
		}
		// Objects of other tests that are garbage but not yet collected
		// (thread-safe futures never completed) hold handles until their
		// finalizers run.
		for LiveHandles() != 0 && time.Now().Before(deadline) {
			runtime.GC()
			time.Sleep(5 * time.Millisecond)
		}
		if n := LiveHandles(); n != 0 {
			t.Errorf("live handles after close: %d", n)
		}
	}
}

// startLoop starts a virtual-clock loop on its own thread and closes it at
// the end of the test.
func startLoop(t *testing.T, opts ...Option) *Loop {
	t.Helper()
	l, err := StartLoop(append([]Option{WithVirtualClock()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return l
}

// trace collects lines from tasks and callbacks (they may run on
// different goroutines, one at a time).
type trace struct {
	mu    sync.Mutex
	lines []string
}

func (tr *trace) add(s string) {
	tr.mu.Lock()
	tr.lines = append(tr.lines, s)
	tr.mu.Unlock()
}

func (tr *trace) get() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.lines...)
}

func expectTrace(t *testing.T, tr *trace, want ...string) {
	t.Helper()
	got := tr.get()
	if len(got) != len(want) {
		t.Fatalf("trace:\n got %q\nwant %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("trace:\n got %q\nwant %q", got, want)
		}
	}
}

// describe is "Class: message" (or the class alone), as asyncio's
// programs print an exception.
func describe(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Describe()
	}
	return "Exception: " + err.Error()
}
