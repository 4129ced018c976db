package asyncore

import (
	"fmt"
	"os"
	"runtime"
	"sync"
)

// handle is an integer standing for a Go value the library holds on Go's
// behalf (callback user data, task states, Go values stored in futures and
// queues): what runtime/cgo.Handle is, from a table that stays fast when
// hundreds of thousands are alive at once (cgo's sync.Map slows down
// under many insertions). Never 0; it fits in 63 bits (see boxTag).
type handle uintptr

// handles is the table of live handles: slot i holds the value of handle
// i+1; free lists the slots to reuse.
var handles struct {
	mu    sync.Mutex
	slots []any
	free  []uint32
	live  int64
}

// LiveHandles reports how many Go values the library currently holds on
// behalf of Go code (callbacks, task states, values stored in futures).
// After every loop is closed it is zero; tests use it to find leaks.
func LiveHandles() int64 {
	handles.mu.Lock()
	defer handles.mu.Unlock()
	return handles.live
}

func newHandle(v any) handle {
	handles.mu.Lock()
	var i uint32
	if n := len(handles.free); n > 0 {
		i = handles.free[n-1]
		handles.free = handles.free[:n-1]
		handles.slots[i] = v
	} else {
		i = uint32(len(handles.slots))
		handles.slots = append(handles.slots, v)
	}
	handles.live++
	handles.mu.Unlock()
	return handle(i) + 1
}

// Value is the Go value behind h.
func (h handle) Value() any {
	handles.mu.Lock()
	v := handles.slots[h-1]
	handles.mu.Unlock()
	return v
}

func deleteHandle(h handle) {
	handles.mu.Lock()
	handles.slots[h-1] = nil
	handles.free = append(handles.free, uint32(h-1))
	handles.live--
	handles.mu.Unlock()
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

// recoverCallback is recoverInto for a callback of the loop (call_soon,
// call_later, a done-callback): the report names it, as asyncio's names
// the callback's handle.
func recoverCallback(l *Loop, where string) {
	r := recover()
	if r == nil {
		return
	}
	msg := fmt.Sprintf("Exception in %s: %v", where, r)
	if l != nil && l.onOwnerThread() {
		l.reportAbout(reportHandle, msg, &PanicError{Value: r}, 0)
		return
	}
	fmt.Fprintln(os.Stderr, "asyncore:", msg)
}
