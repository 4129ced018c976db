package asyncore

import (
	"fmt"
	"os"
	"runtime"
	"runtime/cgo"
	"sync/atomic"
)

// liveHandles counts the cgo handles this package created and has not yet
// deleted: every one is owned by a registration the library will release.
var liveHandles atomic.Int64

// LiveHandles reports how many Go values the library currently holds on
// behalf of Go code (callbacks, task states, values stored in futures).
// After every loop is closed it is zero; tests use it to find leaks.
func LiveHandles() int64 { return liveHandles.Load() }

func newHandle(v any) cgo.Handle {
	liveHandles.Add(1)
	return cgo.NewHandle(v)
}

func deleteHandle(h cgo.Handle) {
	h.Delete()
	liveHandles.Add(-1)
}

// freer is implemented by objects that want to know when the library
// released the registration they were handed to (free_ud).
type freer interface{ freed() }

// goid is the calling goroutine's id. It is how the binding knows whether
// a call comes from the loop's own thread, from the goroutine of the Go task
// being stepped, or from elsewhere (and must be posted). It costs about a
// microsecond, so hot paths avoid it.
func goid() int64 {
	var buf [32]byte
	n := runtime.Stack(buf[:], false)
	const prefix = len("goroutine ")
	var id int64
	for _, c := range buf[prefix:n] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + int64(c-'0')
	}
	return id
}

// recoverInto is deferred by every callback the library calls: a panic is
// reported to the loop's exception handler (or stderr without a loop) and
// never unwinds into C.
func recoverInto(l *Loop, where string) {
	r := recover()
	if r == nil {
		return
	}
	msg := fmt.Sprintf("panic in %s: %v", where, r)
	if l != nil && l.onOwnerThread() {
		l.report(msg, &PanicError{Value: r})
		return
	}
	fmt.Fprintln(os.Stderr, "asyncore:", msg)
}
