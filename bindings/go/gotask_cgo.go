package asyncore

/*
#cgo pkg-config: libasyncore
#include "gotask.h"
*/
import "C"

import (
	"math"
	"unsafe"

	"libasyncore.org/go/asyncore/internal/raw"
)

// C addresses of the trampolines, in the type SWIG uses for function
// pointers (*byte).
var (
	fnFreeHandle       = (*byte)(unsafe.Pointer(C.acgoFreeHandle))
	fnFreeBox          = (*byte)(unsafe.Pointer(C.acgoFreeBox))
	fnCallback         = (*byte)(unsafe.Pointer(C.acgoCallback))
	fnFutureDone       = (*byte)(unsafe.Pointer(C.acgoFutureDone))
	fnStepFunc         = (*byte)(unsafe.Pointer(C.acgoStepFunc))
	fnForeachTask      = (*byte)(unsafe.Pointer(C.acgoForeachTask))
	fnPredicate        = (*byte)(unsafe.Pointer(C.acgoPredicate))
	fnWork             = (*byte)(unsafe.Pointer(C.acgoWork))
	fnTSDone           = (*byte)(unsafe.Pointer(C.acgoTSDone))
	fnServerConn       = (*byte)(unsafe.Pointer(C.acgoServerConn))
	fnExceptionHandler = (*byte)(unsafe.Pointer(C.acgoExceptionHandler))
)

// threadToken identifies the calling OS thread.
func threadToken() uintptr { return uintptr(C.acgo_thread_token()) }

// cBytes copies b into memory the C side may keep for the duration of a
// call; the caller frees it with cFree.
func cBytes(b []byte) uintptr {
	if len(b) == 0 {
		return 0
	}
	return uintptr(C.CBytes(b))
}

func cFree(p uintptr) {
	if p != 0 {
		C.free(C.acgo_ptr(C.uintptr_t(p)))
	}
}

// setBytesValue makes v a bytes value over the C memory data.
func setBytesValue(v uintptr, data uintptr, n int) {
	C.acgo_value_set_bytes(C.uintptr_t(v), C.uintptr_t(data), C.size_t(n))
}

// goString copies the NUL-terminated C string at p.
func goString(p uintptr) string { return C.GoString((*C.char)(C.acgo_ptr(C.uintptr_t(p)))) }

// goBytes copies n bytes at the C address p into a new Go slice.
func goBytes(p uintptr, n int64) []byte {
	if n == 0 || p == 0 {
		return []byte{}
	}
	return C.GoBytes(C.acgo_ptr(C.uintptr_t(p)), C.int(n))
}

// fieldsValue is the Go value of a C value read as fields.
func fieldsValue(kind C.int, f *C.acgo_fields) any {
	return valueOf(int(kind), int64(f.i), float64(f.d), uintptr(f.p), int64(f.n))
}

// futureOutcome reads a done future: 0 and its result, or the code of its
// failure (read the error with ac_future_error).
func futureOutcome(c uintptr) (int, any) {
	var kind C.int
	var f C.acgo_fields
	rc := C.acgo_future_outcome(C.uintptr_t(c), &kind, &f)
	if rc != 0 {
		return int(rc), nil
	}
	return 0, fieldsValue(kind, &f)
}

// taskOutcome reads how a task's last await ended: the code, the awaited
// future (0 for none) and, when the code is 0, its result.
func taskOutcome(t uintptr) (int, uintptr, any) {
	var kind C.int
	var f C.acgo_fields
	var aw C.uintptr_t
	rc := C.acgo_task_outcome(C.uintptr_t(t), &aw, &kind, &f)
	if rc != 0 || aw == 0 {
		return int(rc), uintptr(aw), nil
	}
	return 0, uintptr(aw), fieldsValue(kind, &f)
}

// valueFields reads a C ac_value in one crossing.
func valueFields(v uintptr) (kind int, i int64, d float64, p uintptr, n int64, fn uintptr) {
	var ci C.int64_t
	var cd C.double
	var cp, cfn C.uintptr_t
	var cn C.size_t
	k := C.acgo_value_read(C.uintptr_t(v), &ci, &cd, &cp, &cn, &cfn)
	return int(k), int64(ci), float64(cd), uintptr(cp), int64(cn), uintptr(cfn)
}

// ---- Go tasks (the C side is above) ----

type cCo = C.acgo_co
type cLoop = C.acgo_loop

// Codes of the C helpers for "nothing was allocated" (the caller still
// owns the handle), apart from the library's negative codes.
const (
	ccWrongThread = 1
	ccNoMemory    = 2
)

// ccode maps a helper's positive code to the library's.
func ccode(rc int) int {
	switch rc {
	case ccWrongThread:
		return codeWrongThread
	case ccNoMemory:
		return -int(12) // ENOMEM
	}
	return rc
}

func newCLoop(loop raw.SwigcptrLoop) *cLoop { return C.acgo_loop_new(C.uintptr_t(loop)) }

func freeCLoop(lp *cLoop) { C.acgo_loop_free(lp) }

// prepareRun makes the next run's future (loop thread).
func prepareRun(lp *cLoop) int { return int(C.acgo_prepare(lp)) }

// runOut is how one run of the loop went.
type runOut struct {
	rc        int
	untilDone bool
	tok       uintptr
	pending   bool
	next      float64
	innerStop bool // stopped (also) to hand over to Go tasks
}

// runLoop runs the loop on this thread: until a Go task wakes (step < 0),
// or one iteration blocking at most step seconds.
func runLoop(lp *cLoop, step float64) runOut {
	// Addresses of C memory pass as integers: cgo checks no pointer.
	out := C.acgo_run(C.uintptr_t(uintptr(unsafe.Pointer(lp))), C.double(step))
	return runOut{rc: int(out.rc), untilDone: out.until_done != 0, tok: uintptr(out.tok),
		pending: out.pending != 0, next: float64(out.next), innerStop: out.inner_stop != 0}
}

// wokenTasks appends the Go tasks the last run woke, in order, with the
// Go callbacks held back during the run (deferred) in their place, and
// clears both lists.
func wokenTasks(lp *cLoop, into []wakeEntry, deferred []deferredCall) []wakeEntry {
	n := int(lp.nwoke)
	var arr []*C.acgo_co
	if n > 0 {
		arr = unsafe.Slice(lp.woke, n)
	}
	d := 0
	for i := 0; i <= n; i++ {
		for d < len(deferred) && deferred[d].pos == i {
			into = append(into, wakeEntry{cb: deferred[d].cb})
			d++
		}
		if i == n {
			break
		}
		c := arr[i]
		co := handle(uintptr(c.h)).Value().(*Co)
		co.c = c
		if !co.started {
			// Cancellations before the first step are the library's to
			// deliver; only later ones matter to body.
			co.cancelTouched = false
		}
		into = append(into, wakeEntry{co: co})
	}
	lp.nwoke = 0
	return into
}

// wokenSoFar is the number of Go tasks the current run woke yet.
func wokenSoFar(lp *cLoop) int { return int(lp.nwoke) }

// freedHandles lists the handles of the Go task states the library
// released since the last call, and clears the list.
func freedHandles(lp *cLoop, merge bool) []handle {
	if merge {
		C.acgo_merge_freed(lp)
	}
	n := int(lp.nfreed)
	if n == 0 {
		return nil
	}
	arr := unsafe.Slice(lp.freed, n)
	out := make([]handle, n)
	for i, h := range arr {
		out[i] = handle(uintptr(h))
	}
	lp.nfreed = 0
	return out
}

func lostRecords(lp *cLoop) bool { return lp.lost != 0 }

// resetUntil forgets the end of the last run's future.
func resetUntil(lp *cLoop) { lp.until_done = 0 }

func watchUntil(lp *cLoop, f raw.SwigcptrFuture) int {
	return int(C.acgo_watch_until(lp, C.uintptr_t(f)))
}

func unwatchUntil(lp *cLoop, f raw.SwigcptrFuture) { C.acgo_unwatch_until(lp, C.uintptr_t(f)) }

// spawnCo creates a Go task (loop thread): the C state and the task, in
// group when not 0. rc > 0: nothing was made (the caller deletes h); rc
// < 0: the library's code (h is on the freed list).
func spawnCo(l *Loop, h handle, flags uint32, group uintptr) (*cCo, raw.SwigcptrTask, raw.SwigcptrFuture, int) {
	return spawnCoChecked(l, h, flags, group, 0)
}

// spawnCoChecked is spawnCo that first checks the calling thread is tok's.
func spawnCoChecked(l *Loop, h handle, flags uint32, group uintptr, tok uintptr) (*cCo, raw.SwigcptrTask, raw.SwigcptrFuture, int) {
	out := C.acgo_co_spawn(C.uintptr_t(uintptr(unsafe.Pointer(l.lp))), C.uintptr_t(h), C.uint32_t(flags),
		C.uintptr_t(group), C.uintptr_t(tok))
	return out.c, raw.SwigcptrTask(out.task), raw.SwigcptrFuture(out.fut), int(out.rc)
}

// spawnCoThreadsafe is ac_run_threadsafe for a Go task (any thread).
func spawnCoThreadsafe(l *Loop, h handle) (raw.SwigcptrTsfuture, int) {
	out := C.acgo_co_spawn_threadsafe(C.uintptr_t(uintptr(unsafe.Pointer(l.lp))), C.uintptr_t(h))
	return raw.SwigcptrTsfuture(out.fut), int(out.rc)
}

func reqAwait(c *cCo, f uintptr, owned bool) {
	if !owned {
		raw.Future_ref(raw.SwigcptrFuture(f))
	}
	*(*uintptr)(unsafe.Pointer(&c.fut)) = f
	c.req = C.ACGO_REQ_AWAIT
}

func reqSleep(c *cCo, d float64) { c.delay = C.double(d); c.req = C.ACGO_REQ_SLEEP }
func reqCall(c *cCo)             { c.req = C.ACGO_REQ_CALL }

// reqYield asks for a yield, whose turn is posted now (holder).
func reqYield(c *cCo) error { return codeError(int(C.acgo_req_yield(c))) }

// reqReturn stores val as the task's result to come; false when it could
// not be stored. exactEnd reads the task's cancellation count from the
// library (its code asked for cancellations while it ran); otherwise it is
// the count at the wake-up.
func reqReturn(l *Loop, c *cCo, val any, exactEnd bool) bool {
	v := (*C.ac_value)(unsafe.Pointer(&c.val))
	switch x := val.(type) {
	case nil:
		v.kind = C.AC_VALUE_NONE
	case int64:
		v.kind = C.AC_VALUE_INT64
		*(*int64)(unsafe.Pointer(&v.u)) = x
	case float64:
		v.kind = C.AC_VALUE_DOUBLE
		*(*float64)(unsafe.Pointer(&v.u)) = x
	case []byte:
		var p unsafe.Pointer
		if len(x) > 0 {
			p = C.ac_alloc(C.size_t(len(x)))
			if p == nil {
				return false
			}
			copy(unsafe.Slice((*byte)(p), len(x)), x)
		}
		C.acgo_value_set_bytes(C.uintptr_t(uintptr(unsafe.Pointer(v))), C.uintptr_t(uintptr(p)), C.size_t(len(x)))
	default:
		h := newHandle(x)
		v.kind = C.AC_VALUE_POINTER
		u := (*[2]uintptr)(unsafe.Pointer(&v.u))
		u[0] = boxPointer(h)
		u[1] = uintptr(unsafe.Pointer(fnFreeBox))
	}
	if exactEnd {
		C.acgo_req_return(c)
	} else {
		c.n_end = c.n_wake
		c.req = C.ACGO_REQ_RETURN
	}
	return true
}

// reqRaise stores the task's failure to come.
func reqRaise(c *cCo, e raw.SwigcptrError, code int) {
	C.acgo_req_raise(c, C.uintptr_t(e), C.int(code))
}

// awaitedOf is the future the task's last await waited on (0 for none).
func awaitedOf(c *cCo) uintptr {
	return uintptr(unsafe.Pointer(c.awaited))
}

// wakeValue is the result the last wake-up recorded.
func wakeValue(c *cCo, kind int) any {
	f := &c.f
	return valueOf(kind, int64(f.i), float64(f.d), uintptr(f.p), int64(f.n))
}

func cancelMessage(c *cCo) string {
	if c == nil || c.cancel_msg == nil {
		return ""
	}
	return C.GoString(c.cancel_msg)
}

func setCancelMessage(c *cCo, msg string) {
	cs := C.CString(msg)
	C.acgo_set_cancel_msg(c, cs, C.size_t(len(msg)))
	C.free(unsafe.Pointer(cs))
}

// nWake and nEnd: the cancellation counts the C state recorded.
func cancelsAtWake(c *cCo) int { return int(c.n_wake) }
func cancelsAtEnd(c *cCo) int  { return int(c.n_end) }

// ctaskOf is the library task of a Go task's C state.
func ctaskOf(c *cCo) raw.SwigcptrTask { return raw.SwigcptrTask(uintptr(unsafe.Pointer(c.task))) }

// ---- operations (the C helpers above) ----

// Results of the operation helpers.
const (
	opDone    = 0 // done at once: the result came out
	opPending = 1 // await the future
	opWrong   = 2 // called from another thread than the loop's holder
	opFailed  = 3 // done at once, failed: read the future's error
)

// opOut is what an operation helper handed back.
type opOut struct {
	rc  int
	out C.acgo_op
}

func mkOp(o C.acgo_op) opOut { return opOut{rc: int(o.rc), out: o} }

// value is the result moved out (opDone): a boxed Go value comes back as
// itself, and whatever the library no longer owns is released.
func (o *opOut) value() any {
	kind := int(o.out.kind)
	f := &o.out.f
	p := uintptr(f.p)
	switch kind {
	case valueBytes:
		b := goBytes(p, int64(f.n))
		C.ac_free(C.acgo_ptr(C.uintptr_t(p)))
		return b
	case valuePointer:
		if h, ok := unboxPointer(p); ok {
			v := h.Value()
			deleteHandle(h)
			return v
		}
		C.acgo_free_pointer(C.uintptr_t(p), C.uintptr_t(o.out.freefn))
		return ForeignPointer(p)
	}
	return valueOf(kind, int64(f.i), float64(f.d), p, int64(f.n))
}

func (o *opOut) future() raw.SwigcptrFuture { return raw.SwigcptrFuture(uintptr(o.out.fut)) }

// goValue is a Go value as the fields of a C value, for one storing call
// (no cgo crossing for ints, floats, nil and boxes).
type goValue struct {
	kind   int
	u0, u1 uint64
	box    handle
	buf    uintptr
}

func (g *goValue) set(x any) {
	switch t := x.(type) {
	case nil:
		g.kind = valueNone
	case int64:
		g.kind, g.u0 = valueInt64, uint64(t)
	case float64:
		g.kind, g.u0 = valueDouble, math.Float64bits(t)
	case []byte:
		g.buf = cBytes(t)
		g.kind, g.u0, g.u1 = valueBytes, uint64(g.buf), uint64(len(t))
	default:
		g.box = newHandle(x)
		g.kind, g.u0, g.u1 = valuePointer, uint64(boxPointer(g.box)), uint64(uintptr(unsafe.Pointer(fnFreeBox)))
	}
}

// release ends the storing call (the library took the value over when
// stored).
func (g *goValue) release(stored bool) {
	cFree(g.buf)
	if !stored && g.box != 0 {
		deleteHandle(g.box)
	}
}

func opQueuePut(tok uintptr, q raw.SwigcptrQueue, prio int64, withPrio bool, v any) opOut {
	var gv goValue
	gv.set(v)
	p := C.int(0)
	if withPrio {
		p = 1
	}
	o := mkOp(C.acgo_queue_put(C.uintptr_t(tok), C.uintptr_t(q), p, C.int64_t(prio), C.int(gv.kind),
		C.uint64_t(gv.u0), C.uint64_t(gv.u1)))
	gv.release(o.rc >= 0 && o.rc != opWrong)
	return o
}

func opQueueGet(tok uintptr, q raw.SwigcptrQueue) opOut {
	return mkOp(C.acgo_queue_get(C.uintptr_t(tok), C.uintptr_t(q)))
}

func opLockAcquire(tok uintptr, lk raw.SwigcptrLock) opOut {
	return mkOp(C.acgo_lock_acquire(C.uintptr_t(tok), C.uintptr_t(lk)))
}

func opSemaphoreAcquire(tok uintptr, s raw.SwigcptrSemaphore) opOut {
	return mkOp(C.acgo_semaphore_acquire(C.uintptr_t(tok), C.uintptr_t(s)))
}

// opSettle settles a future just made (its reference passed in).
func opSettle(f raw.SwigcptrFuture) opOut { return mkOp(C.acgo_settle_made(C.uintptr_t(f))) }

func lockRelease(tok uintptr, lk raw.SwigcptrLock) int {
	return int(C.acgo_lock_release(C.uintptr_t(tok), C.uintptr_t(lk)))
}

func semaphoreRelease(tok uintptr, s raw.SwigcptrSemaphore) int {
	return int(C.acgo_semaphore_release(C.uintptr_t(tok), C.uintptr_t(s)))
}

// futureStateOn is the future's state, or opWrong+16 from another thread.
func futureStateOn(tok uintptr, f raw.SwigcptrFuture) int {
	return int(C.acgo_future_state(C.uintptr_t(tok), C.uintptr_t(f)))
}

// newCError makes a C error with code, message msg (kept as is, empty
// included) and cause (0 for none; a new reference is taken).
func newCError(code int, msg string, cause raw.SwigcptrError) (uintptr, int) {
	var out C.uintptr_t
	p := C.CString(msg)
	rc := C.acgo_error_new(C.int(code), p, C.uintptr_t(cause), &out)
	C.free(unsafe.Pointer(p))
	return uintptr(out), int(rc)
}

// unrefFutures drops a reference on each future of ptrs, in one crossing.
func unrefFutures(ptrs []uintptr) {
	if len(ptrs) > 0 {
		C.acgo_unref_futures((*C.uintptr_t)(unsafe.Pointer(&ptrs[0])), C.size_t(len(ptrs)))
	}
}
