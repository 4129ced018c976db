package asyncore

// How a call reaches the loop — the one file to read first.
//
// The path of a call, top to bottom:
//
//	Go API          l.Go, fut.Wait(ctx), q.Put(ctx, v), conn.Read ... (this package)
//	  │             from a goroutine that does not hold the loop: posted with
//	  │             l.Call / l.Post (ac_loop_call_soon_threadsafe) and waited
//	  │             for on a channel; from the holder: called at once
//	raw (SWIG)      raw.Queue_put, raw.Acgo_queue_get ... (internal/raw: Go made
//	  │             by SWIG from bindings/swig/asyncore.i and go.i; one cgo call
//	  │             per function, through raw_wrap.c)
//	ac_* (C ABI)    ac_queue_put ... in libasyncore (capi/include/asyncore.h),
//	  │             or a helper of the binding (acgo_*, internal/raw/gotask.c)
//	  │             that does a few of them in one crossing
//	libuv           the loop's run (uv_run) does the I/O, the timers and the
//	                thread-safe wake-ups (uv_async) behind them
//
// Every call from Go into C goes through raw: this package has no C of
// its own and one cgo file, callbacks.go, which holds what SWIG cannot
// make — the //export functions the library calls back (callbacks,
// done-callbacks, the Go tasks' ACGO_REQ_CALL, the SNI choice, signals).
// C never names a Go function: it calls the addresses callbacks.go hands
// it, so internal/raw builds without this package.
//
// The goroutine→loop hand-over. One goroutine at a time holds the loop
// (loopturns.go): it is locked to its OS thread and alone calls the
// library; any other goroutine posts its work (Call, Post) and the loop's
// thread runs it from a uv_async wake-up. A Go task (TaskFunc, gotask.go)
// is a library task whose step function is C (acgo_co_step): the task's
// goroutine writes a request into the task's C state (reqAwait, reqSleep
// ... below), then runs the loop itself (runLoop: ac_loop_run_until_complete
// on a "slice" future) until some Go task wakes; the waking step records
// the outcome and ends the run, and the loop is handed to the woken task's
// goroutine (a channel send, on the same thread), which reads its record
// (wokenTasks copied it) and goes on. The request and the record are
// written and read in place, through mirror types (Shared memory, below):
// a hand-over crosses cgo to run the loop, and for little else. Goroutines of typed.Spawn never hold the loop:
// each of their calls is posted and awaited.
//
// The functions below are the binding's side of internal/raw/gotask.h:
// Go names for its helpers, and the conversions between its slots (a C
// value's kind and 64 bits, see gotask.h) and Go values.

import (
	"math"
	"unsafe"

	"libasyncore.org/go/asyncore/internal/raw"
)

// threadToken identifies the calling OS thread.
func threadToken() uintptr { return raw.Acgo_thread_token() }

// cBytes copies b into C memory the library may keep for the duration of
// a call; the caller frees it with cFree.
func cBytes(b []byte) uintptr { return raw.Acgo_copy_in(b) }

func cFree(p uintptr) {
	if p != 0 {
		raw.Acgo_free(p)
	}
}

// setBytesValue makes the C value at v a bytes value over the C memory
// data.
func setBytesValue(v uintptr, data uintptr, n int) { raw.Acgo_value_set_bytes(v, data, int64(n)) }

// goString copies the NUL-terminated C string at p.
func goString(p uintptr) string { return raw.Acgo_string(p) }

// goBytes copies n bytes at the C address p into a new Go slice.
func goBytes(p uintptr, n int64) []byte {
	if n == 0 || p == 0 {
		return []byte{}
	}
	b := make([]byte, n)
	raw.Acgo_copy_out(p, b)
	return b
}

// slots is how a C value (and an operation's future) comes out of a
// helper in one crossing (gotask.h).
type slots [raw.ACGO_NSLOTS]uint64

func (s *slots) kind() int       { return int(s[raw.ACGO_KIND]) }
func (s *slots) future() uintptr { return uintptr(s[raw.ACGO_FUT]) }

// value is the Go value of the C value in the slots (not moved out).
func (s *slots) value() any {
	return valueOf(s.kind(), int64(s[raw.ACGO_BITS]), math.Float64frombits(s[raw.ACGO_BITS]),
		uintptr(s[raw.ACGO_BITS]), int64(s[raw.ACGO_LEN]))
}

// futureOutcome reads a done future: 0 and its result, or the code of its
// failure (read the error with ac_future_error).
func futureOutcome(f uintptr) (int, any) {
	var s slots
	if rc := raw.Acgo_future_outcome(f, &s[0]); rc != 0 {
		return rc, nil
	}
	return 0, s.value()
}

// taskOutcome reads how a task's last await ended: the code, the awaited
// future (0 for none) and, when the code is 0, its result.
func taskOutcome(t uintptr) (int, uintptr, any) {
	var s slots
	rc := raw.Acgo_task_outcome(raw.SwigcptrTask(t), &s[0])
	if rc != 0 || s.future() == 0 {
		return rc, s.future(), nil
	}
	return 0, s.future(), s.value()
}

// valueFields reads a C ac_value in one crossing.
func valueFields(v uintptr) (kind int, i int64, d float64, p uintptr, n int64, fn uintptr) {
	var s slots
	raw.Acgo_value_read(v, &s[0])
	b := s[raw.ACGO_BITS]
	return s.kind(), int64(b), math.Float64frombits(b), uintptr(b), int64(s[raw.ACGO_LEN]),
		uintptr(s[raw.ACGO_FREEFN])
}

// ---- The loop's record of Go tasks ----

type cCo = raw.SwigcptrAcgo_co
type cLoop = raw.SwigcptrAcgo_loop

// ccode maps a helper's positive code to the library's.
func ccode(rc int) int {
	switch rc {
	case raw.ACGO_WRONG_THREAD:
		return codeWrongThread
	case raw.ACGO_NO_MEMORY:
		return -int(12) // ENOMEM
	}
	return rc
}

func newCLoop(loop raw.SwigcptrLoop) cLoop {
	return raw.Acgo_loop_new(loop, fnCoCall).(raw.SwigcptrAcgo_loop)
}

func freeCLoop(lp cLoop) { raw.Acgo_loop_free(uintptr(lp)) }

// prepareRun makes the next run's future (loop thread).
func prepareRun(lp cLoop) int { return raw.Acgo_prepare(uintptr(lp)) }

// runOut is how one run of the loop went.
type runOut struct {
	rc        int
	untilDone bool
	tok       uintptr
	pending   bool
	next      float64
	innerStop bool // stopped (also) to hand over to Go tasks
	nwoke     int  // Go tasks woken
	nfreed    int  // Go task states released
	lost      bool // the record lost memory
}

// records is the holder's scratch memory for what the loop's record
// hands out: the slots of the loop's record (C memory, part of its mirror),
// so that the calls of the hot path pass no Go pointer, which cgo would
// check. Set once with the Loop; only the holder uses them, while the
// record lives.
type records struct {
	run  [raw.ACGO_RUN_NSLOTS]uint64
	op   slots // written by C only for the holder (the helpers check the thread first)
	wake slots
}

// recAddr is the address of slots in the loop's record (C memory) as the
// integer the calls of the hot path take: cgo checks a pointer argument
// for Go pointers on every call, and these never are.
func recAddr(p *uint64) uintptr { return uintptr(unsafe.Pointer(p)) }

// runLoop runs the loop on this thread: until a Go task wakes (step < 0),
// or one iteration blocking at most step seconds.
func runLoop(l *Loop, step float64) runOut {
	o := &l.rec.run
	rc := raw.Acgo_run(uintptr(l.lp), step, recAddr(&o[0]))
	return runOut{rc: rc, untilDone: o[raw.ACGO_RUN_UNTIL_DONE] != 0, tok: uintptr(o[raw.ACGO_RUN_TOK]),
		pending: o[raw.ACGO_RUN_PENDING] != 0, next: math.Float64frombits(o[raw.ACGO_RUN_NEXT]),
		innerStop: o[raw.ACGO_RUN_INNER_STOP] != 0, nwoke: int(o[raw.ACGO_RUN_NWOKE]),
		nfreed: int(o[raw.ACGO_RUN_NFREED]), lost: o[raw.ACGO_RUN_LOST] != 0}
}

// takeRecords copies a list out of the loop's record (take gives its
// length, copying and clearing it only when it fits).
func takeRecords(l *Loop, take func([]uint64) int64, per int) []uint64 {
	for {
		n := int(take(l.recList))
		if n*per <= len(l.recList) {
			return l.recList[:n*per]
		}
		l.recList = make([]uint64, 2*n*per)
	}
}

// wokenTasks appends the Go tasks the last run woke, in order, with the Go
// callbacks held back during the run (deferred) in their place, and clears
// both lists. It reads the loop's record in place (no crossing).
func wokenTasks(l *Loop, into []wakeEntry, deferred []deferredCall) []wakeEntry {
	lm := loopShared(l.lp)
	n := int(lm.nwoke)
	var woke []uintptr
	if n > 0 {
		woke = unsafe.Slice((*uintptr)(cAddr(lm.woke)), n)
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
		cm := coShared(cCo(woke[i]))
		co := handle(cm.h).Value().(*Co)
		co.c = cCo(woke[i])
		// How its await ended, read by the goroutine (readWake).
		co.woke = wakeRec{fresh: true, cancels: int(cm.nWake), rc: int(cm.rc),
			aw: raw.SwigcptrFuture(cm.awaited)}
		co.woke.res[raw.ACGO_KIND] = uint64(cm.kind)
		co.woke.res[raw.ACGO_BITS] = cm.bits
		co.woke.res[raw.ACGO_LEN] = uint64(cm.n)
		if !co.started {
			// Cancellations before the first step are the library's to
			// deliver; only later ones matter to body.
			co.cancelTouched = false
		}
		into = append(into, wakeEntry{co: co})
	}
	lm.nwoke = 0
	return into
}

// wokenSoFar is the number of Go tasks the current run woke yet.
func wokenSoFar(lp cLoop) int { return int(loopShared(lp).nwoke) }

// freedHandles lists the handles of the Go task states the library
// released since the last call, and clears the list.
func freedHandles(l *Loop, merge bool) []handle {
	m := 0
	if merge {
		m = 1
	}
	list := takeRecords(l, func(b []uint64) int64 { return raw.Acgo_take_freed(uintptr(l.lp), m, b) }, 1)
	if len(list) == 0 {
		return nil
	}
	out := make([]handle, len(list))
	for i, h := range list {
		out[i] = handle(uintptr(h))
	}
	return out
}

// resetUntil forgets the end of the last run's future.
func resetUntil(lp cLoop) { loopShared(lp).untilDone = 0 }

func watchUntil(lp cLoop, f raw.SwigcptrFuture) int {
	return raw.Acgo_watch_until(uintptr(lp), uintptr(f))
}

func unwatchUntil(lp cLoop, f raw.SwigcptrFuture) { raw.Acgo_unwatch_until(uintptr(lp), uintptr(f)) }

// ---- Shared memory ----
//
// The holder reads and writes the first fields of the loop's record and of
// a Go task's C state in place, through the mirror types below (see
// "Shared memory" in gotask.h), so that a hand-over crosses cgo only to
// run the loop. The rule: a mirror declares exactly the shared fields of
// its C struct, in their order, with Go types of the same size (int is
// int32, size_t and pointers are uintptr), and is only ever used over a C
// address (never allocated by Go); checkLayout compares every offset and
// size with C's offsetof and sizeof at start-up (a mismatch stops the
// program before any loop exists), and TestSharedLayout does in the tests.
// Only the holder touches them, on the loop's thread, between runs.

// loopMirror is the head of struct acgo_loop.
type loopMirror struct {
	woke      uintptr // acgo_co **
	nwoke     uintptr // size_t
	untilDone int32
	rec       records
}

// coMirror is the head of struct acgo_co.
type coMirror struct {
	req     int32
	rc      int32
	fut     uintptr // ac_future *, owned by the request
	delay   float64
	h       uintptr
	task    uintptr // ac_task *
	nWake   int32
	kind    int32
	bits    uint64
	n       uintptr // size_t
	fn      uintptr // a pointer value's destructor (unused by Go)
	awaited uintptr // ac_future *
	retKind int32   // ACGO_REQ_RETURN_FIELDS: the result's kind and words
	retU0   uint64
	retU1   uint64
}

// cAddr is the C address p as a pointer (the memory is C's, so the
// collector never moves nor frees it).
func cAddr(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }

func loopShared(lp cLoop) *loopMirror { return (*loopMirror)(cAddr(uintptr(lp))) }

func coShared(c cCo) *coMirror { return (*coMirror)(cAddr(uintptr(c))) }

// mirrorLayout lists the mirrors' fields as C's acgo_layout does: offset
// and size of each, in the order of gotask.h's ACGO_LAYOUT_*.
func mirrorLayout() []uint64 {
	var lm loopMirror
	var cm coMirror
	f := func(off, size uintptr) []uint64 { return []uint64{uint64(off), uint64(size)} }
	var out []uint64
	for _, p := range [][]uint64{
		f(unsafe.Offsetof(lm.woke), unsafe.Sizeof(lm.woke)),
		f(unsafe.Offsetof(lm.nwoke), unsafe.Sizeof(lm.nwoke)),
		f(unsafe.Offsetof(lm.untilDone), unsafe.Sizeof(lm.untilDone)),
		f(unsafe.Offsetof(lm.rec)+unsafe.Offsetof(lm.rec.run), unsafe.Sizeof(lm.rec.run)),
		f(unsafe.Offsetof(lm.rec)+unsafe.Offsetof(lm.rec.op), unsafe.Sizeof(lm.rec.op)),
		f(unsafe.Offsetof(lm.rec)+unsafe.Offsetof(lm.rec.wake), unsafe.Sizeof(lm.rec.wake)),
		f(unsafe.Offsetof(cm.req), unsafe.Sizeof(cm.req)),
		f(unsafe.Offsetof(cm.rc), unsafe.Sizeof(cm.rc)),
		f(unsafe.Offsetof(cm.fut), unsafe.Sizeof(cm.fut)),
		f(unsafe.Offsetof(cm.delay), unsafe.Sizeof(cm.delay)),
		f(unsafe.Offsetof(cm.h), unsafe.Sizeof(cm.h)),
		f(unsafe.Offsetof(cm.task), unsafe.Sizeof(cm.task)),
		f(unsafe.Offsetof(cm.nWake), unsafe.Sizeof(cm.nWake)),
		f(unsafe.Offsetof(cm.kind), unsafe.Sizeof(cm.kind)),
		f(unsafe.Offsetof(cm.bits), unsafe.Sizeof(cm.bits)),
		f(unsafe.Offsetof(cm.n), unsafe.Sizeof(cm.n)),
		f(unsafe.Offsetof(cm.awaited), unsafe.Sizeof(cm.awaited)),
		f(unsafe.Offsetof(cm.retKind), unsafe.Sizeof(cm.retKind)),
		f(unsafe.Offsetof(cm.retU0), unsafe.Sizeof(cm.retU0)),
		f(unsafe.Offsetof(cm.retU1), unsafe.Sizeof(cm.retU1)),
	} {
		out = append(out, p...)
	}
	return out
}

// cLayout is C's list (acgo_layout).
func cLayout() []uint64 {
	out := make([]uint64, 2*raw.ACGO_LAYOUT_NFIELDS)
	if n := raw.Acgo_layout(out); int(n) != len(out) {
		return nil
	}
	return out
}

// checkLayout tells whether the mirrors match C's structs.
func checkLayout() bool {
	c, g := cLayout(), mirrorLayout()
	if len(c) != len(g) {
		return false
	}
	for i := range c {
		if c[i] != g[i] {
			return false
		}
	}
	return true
}

func init() {
	if !checkLayout() {
		panic("asyncore: the Go mirrors of the C records do not match their layout (callpath.go, gotask.h)")
	}
}

// ---- Go tasks ----

// spawnCo creates a Go task (loop thread): the C state and the task, in
// group when not 0. rc > 0: nothing was made (the caller deletes h); rc
// < 0: the library's code (h is on the freed list).
func spawnCo(l *Loop, h handle, flags uint32, group uintptr) (cCo, raw.SwigcptrTask, raw.SwigcptrFuture, int) {
	return spawnCoChecked(l, h, flags, group, 0)
}

// spawnCoChecked is spawnCo that first checks the calling thread is tok's.
func spawnCoChecked(l *Loop, h handle, flags uint32, group uintptr, tok uintptr) (cCo, raw.SwigcptrTask, raw.SwigcptrFuture, int) {
	o := &l.rec.op
	rc := raw.Acgo_co_spawn(uintptr(l.lp), uintptr(h), uint(flags), group, tok, recAddr(&o[0]))
	if rc != 0 {
		return 0, 0, 0, rc
	}
	return cCo(o[raw.ACGO_SPAWN_CO]), raw.SwigcptrTask(o[raw.ACGO_SPAWN_TASK]), raw.SwigcptrFuture(o[raw.ACGO_SPAWN_FUT]), rc
}

// spawnCoThreadsafe is ac_run_threadsafe for a Go task (any thread).
func spawnCoThreadsafe(l *Loop, h handle) (raw.SwigcptrTsfuture, int) {
	var ts uintptr
	rc := raw.Acgo_co_spawn_threadsafe(uintptr(l.lp), uintptr(h), &ts)
	return raw.SwigcptrTsfuture(ts), rc
}

// Requests: what the task's next step carries out.

// reqAwait asks to await the future f; owned: the request takes over the
// caller's reference (written in place), else it takes one.
func reqAwait(c cCo, f uintptr, owned bool) {
	if !owned {
		raw.Acgo_req_await(uintptr(c), f, 0)
		return
	}
	cm := coShared(c)
	cm.fut = f
	cm.req = int32(raw.ACGO_REQ_AWAIT)
}

func reqSleep(c cCo, d float64) {
	cm := coShared(c)
	cm.delay = d
	cm.req = int32(raw.ACGO_REQ_SLEEP)
}

func reqCall(c cCo) { coShared(c).req = int32(raw.ACGO_REQ_CALL) }

// reqYield asks for a yield, whose turn is posted now, when the calling
// thread is tok's (the holder's): ErrWrongThread otherwise.
func reqYield(tok uintptr, c cCo) error {
	rc := raw.Acgo_req_yield(tok, uintptr(c))
	if rc == raw.ACGO_WRONG_THREAD {
		return ErrWrongThread
	}
	return codeError(rc)
}

// reqReturn stores val as the task's result to come: 1 when the task was
// cancelled while its code ran (it ends cancelled), 0, or a negative code
// when the value could not be stored. exactEnd reads the task's
// cancellation count from the library (its code asked for cancellations
// while it ran); otherwise it is the count at the wake-up.
func reqReturn(l *Loop, c cCo, val any, exactEnd bool) int {
	exact := 0
	if exactEnd {
		exact = 1
	}
	if b, ok := val.([]byte); ok {
		return raw.Acgo_req_return_bytes(uintptr(c), b, exact)
	}
	var gv goValue
	gv.set(val)
	if !exactEnd {
		// In place (no crossing): the step moves it into the task's value.
		cm := coShared(c)
		cm.retKind, cm.retU0, cm.retU1 = int32(gv.kind), gv.u0, gv.u1
		cm.req = int32(raw.ACGO_REQ_RETURN_FIELDS)
		return 0
	}
	return raw.Acgo_req_return(uintptr(c), gv.kind, gv.u0, gv.u1, exact)
}

// reqRaise stores the task's failure to come.
func reqRaise(c cCo, e raw.SwigcptrError, code int) { raw.Acgo_req_raise(uintptr(c), e, code) }

// wakeRec is how a Go task's last await ended, copied out of the loop's
// record with the list of woken tasks (wokenTasks).
type wakeRec struct {
	fresh   bool // taken at the task's last wake-up (else read it: wakeRecord)
	cancels int  // the task's cancellation count then
	rc      int
	aw      raw.SwigcptrFuture
	res     slots
}

// wakeRecord reads how the task's last await ended: the code, the future
// awaited (0 for none), and the slots of its result (the holder's scratch:
// read them before the next call).
func wakeRecord(l *Loop, c cCo) (int, raw.SwigcptrFuture, *slots) {
	s := &l.rec.wake
	rc := raw.Acgo_co_wake(uintptr(c), recAddr(&s[0]))
	return rc, raw.SwigcptrFuture(s.future()), s
}

func cancelMessage(c cCo) string {
	if c == 0 {
		return ""
	}
	return raw.Acgo_co_cancel_msg(uintptr(c))
}

func setCancelMessage(c cCo, msg string) { raw.Acgo_co_set_cancel_msg(uintptr(c), msg) }

// cancelsAtWake is the task's cancellation count the C state recorded at
// its last wake-up.
func cancelsAtWake(c cCo) int { return int(coShared(c).nWake) }

// ctaskOf is the library task of a Go task's C state.
func ctaskOf(c cCo) raw.SwigcptrTask { return raw.SwigcptrTask(coShared(c).task) }

// ---- Operations in one crossing ----

// Results of the operation helpers.
const (
	opDone    = raw.ACGO_OP_DONE    // done at once: the result came out
	opPending = raw.ACGO_OP_PENDING // await the future
	opWrong   = raw.ACGO_OP_WRONG   // called from another thread than the loop's holder
	opFailed  = raw.ACGO_OP_FAILED  // done at once, failed: read the future's error
)

// opOut is what an operation helper handed back.
type opOut struct {
	rc  int
	out slots
}

// value is the result moved out (opDone): a boxed Go value comes back as
// itself, and whatever the library no longer owns is released.
func (o *opOut) value() any {
	p := uintptr(o.out[raw.ACGO_BITS])
	switch o.out.kind() {
	case valueBytes:
		b := goBytes(p, int64(o.out[raw.ACGO_LEN]))
		raw.Free(p)
		return b
	case valuePointer:
		if h, ok := unboxPointer(p); ok {
			v := h.Value()
			deleteHandle(h)
			return v
		}
		raw.Acgo_free_pointer(p, uintptr(o.out[raw.ACGO_FREEFN]))
		return ForeignPointer(p)
	}
	return o.out.value()
}

func (o *opOut) future() raw.SwigcptrFuture { return raw.SwigcptrFuture(o.out.future()) }

// goValue is a Go value as the fields of a C value, for one storing call.
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

// The operations are called in a Go task's code; the helpers check that
// the caller holds the loop (opWrong otherwise) before they write into the
// loop's scratch slots, and only the holder reads them.

// opResult copies an operation's outcome out of the scratch slots.
func opResult(l *Loop, rc int) opOut {
	o := opOut{rc: rc}
	if rc != opWrong {
		o.out = l.rec.op
	}
	return o
}

func opQueuePut(l *Loop, q raw.SwigcptrQueue, prio int64, withPrio bool, v any) opOut {
	var gv goValue
	gv.set(v)
	p := 0
	if withPrio {
		p = 1
	}
	rc := raw.Acgo_queue_put(l.holderTok.Load(), uintptr(q), p, prio, gv.kind, gv.u0, gv.u1, recAddr(&l.rec.op[0]))
	gv.release(rc >= 0 && rc != opWrong)
	return opResult(l, rc)
}

func opQueueGet(l *Loop, q raw.SwigcptrQueue) opOut {
	return opResult(l, raw.Acgo_queue_get(l.holderTok.Load(), uintptr(q), recAddr(&l.rec.op[0])))
}

func opLockAcquire(l *Loop, lk raw.SwigcptrLock) opOut {
	return opResult(l, raw.Acgo_lock_acquire(l.holderTok.Load(), uintptr(lk), recAddr(&l.rec.op[0])))
}

func opSemaphoreAcquire(l *Loop, s raw.SwigcptrSemaphore) opOut {
	return opResult(l, raw.Acgo_semaphore_acquire(l.holderTok.Load(), uintptr(s), recAddr(&l.rec.op[0])))
}

// opSettle settles a future just made (its reference passed in; holder).
func opSettle(l *Loop, f raw.SwigcptrFuture) opOut {
	return opResult(l, raw.Acgo_settle_made(uintptr(f), recAddr(&l.rec.op[0])))
}

func lockRelease(tok uintptr, lk raw.SwigcptrLock) int {
	return raw.Acgo_lock_release(tok, uintptr(lk))
}

func semaphoreRelease(tok uintptr, s raw.SwigcptrSemaphore) int {
	return raw.Acgo_semaphore_release(tok, uintptr(s))
}

// futureStateOn is the future's state, or opWrong+16 from another thread.
func futureStateOn(tok uintptr, f raw.SwigcptrFuture) int {
	return raw.Acgo_future_state(tok, uintptr(f))
}

// newCError makes a C error with code, message msg (kept as is, empty
// included) and cause (0 for none; a new reference is taken).
func newCError(code int, msg string, cause raw.SwigcptrError) (uintptr, int) {
	var out uintptr
	rc := raw.Acgo_error_new(code, msg, cause, &out)
	return out, rc
}

// unrefFutures drops a reference on each future of ptrs, in one crossing
// (through a copy: ptrs may lie in an object holding Go pointers, which
// cgo does not let C see).
func unrefFutures(ptrs []uintptr) {
	if len(ptrs) > 0 {
		raw.Acgo_unref_futures(append([]uintptr(nil), ptrs...))
	}
}
