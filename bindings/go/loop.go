package asyncore

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"libasyncore.org/go/asyncore/internal/raw"
)

// Loop is an event loop of the library: one thread runs it, and every
// future, task and callback of the loop lives on that thread.
//
// A loop is either started on its own goroutine, locked to its own OS
// thread (StartLoop), or owned by the goroutine that created it and driven
// by that goroutine (NewLoop: RunUntilComplete, RunForever, Step).
//
// Methods may be called from any goroutine unless their comment says
// otherwise: from another goroutine the work is posted to the loop's thread
// and the method waits for it (so with a loop driven by its owner, such a
// call completes when the owner next runs the loop). Inside a Go task (see
// Co) and inside callbacks the work runs at once.
type Loop struct {
	c          raw.SwigcptrLoop
	lp         cLoop          // the C side of Go tasks (internal/raw/gotask.c, callpath.go)
	holderTok  atomic.Uintptr // thread token of the goroutine holding the loop (loopturns.go); 0 while handed over
	closedFlag atomic.Bool    // closed (readable from any goroutine)
	runner     bool           // started with StartLoop
	grace      time.Duration  // how long Close lets cancelled tasks finish

	// Holder only.
	cOwner     uintptr            // thread that last ran the loop (the library's loop thread)
	rec        *records           // what the loop's record hands out (C memory, callpath.go)
	recList    []uint64           // ... and its lists
	cur        atomic.Pointer[Co] // the Go task whose code runs (read by anyone, set by the holder)
	woken      []wakeEntry        // Go tasks woken, to resume in order, from wokenAt
	deferred   []deferredCall     // callbacks held back during the current run
	wokenAt    int
	run        *runState
	stopAsked  bool      // a stop was asked (Stop, Close) and has not ended a run yet
	inCallback int       // depth of callbacks of the library running
	yieldNext  bool      // a goroutine outside the loop was readied: yield before the next run (readiedOutside)
	ownRan     int       // the binding's own callbacks the library ran in the current step
	reporting  int       // what the binding's own report is about (reportHandle ...)
	cbCtx      ctxMap    // context of the running callback
	stepCtx    *ctxMap   // context of the running step function, if any
	slab       *taskSlab // where the next Go task's Task goes (taskalloc.go)
	baseCtx    ctxMap    // the loop's own context (outside any task)
	closed     bool
	closing    bool                     // StartLoop: the run ends for Close
	scratch    raw.SwigcptrValue        // a C value for conversions on the loop thread
	refs       map[uint64]heldRef       // C references held by Go objects, by id
	goCos      map[raw.SwigcptrTask]*Co // the Go tasks whose state the library holds
	nextID     uint64

	// Any goroutine.
	mu         sync.RWMutex // held for reading while posting: the loop stays referenced
	released   bool         // guarded by mu: the loop's reference was dropped
	closeOnce  sync.Once
	closeErr   error
	closeCtx   atomic.Pointer[context.Context] // Shutdown's bound, read by shutdown
	abandoned  atomic.Int64                    // tasks the last shutdown abandoned
	runnerDone chan struct{}
	goTasks    sync.WaitGroup // goroutines of Go tasks

	relMu     sync.Mutex
	relIDs    []uint64 // references of collected Go objects, to drop on the loop thread
	relPosted bool
}

// heldRef is one C reference a Go object holds, with the function that
// drops it.
type heldRef struct {
	ptr   uintptr
	unref func(uintptr)
	fut   *futureState // for a future: settled when the loop closes
	slab  *slabCore    // for Go tasks' Tasks (taskalloc.go)
}

func unrefFuture(p uintptr) { raw.Future_unref(raw.SwigcptrFuture(p)) }
func unrefHandle(p uintptr) { raw.Call_unref(raw.SwigcptrCall(p)) }

// Option configures a new loop.
type Option func(*loopConfig)

type loopConfig struct {
	flags uint
	grace time.Duration
}

// WithVirtualClock runs the loop on a virtual clock: time stands still
// while there is work and jumps to the next timer when there is none, so
// sleeps cost no real time and runs are deterministic.
func WithVirtualClock() Option { return func(c *loopConfig) { c.flags |= 1 } }

// WithDebug starts the loop in debug mode (slow callbacks are reported,
// every call checks the thread).
func WithDebug() Option { return func(c *loopConfig) { c.flags |= 2 } }

// WithShutdownGrace bounds how long Close (and Run's exit) lets the tasks
// it cancels finish (default 5 s). A task still pending then ignored its
// cancellation: it is abandoned — reported to the exception handler ("Task
// was destroyed but it is pending", ExceptionContext.TaskName names it) and
// never resumed — and its goroutine gets ErrClosed from every later call
// of the binding; Close does not wait for it beyond the grace (or 100 ms
// once the loop has closed, when that is later).
func WithShutdownGrace(d time.Duration) Option { return func(c *loopConfig) { c.grace = d } }

// VirtualClockIf is WithVirtualClock when on is true (for programs that
// take a --virtual-clock flag).
func VirtualClockIf(on bool) Option {
	if on {
		return WithVirtualClock()
	}
	return func(*loopConfig) {}
}

func newLoop(opts []Option) (*Loop, error) {
	cfg := loopConfig{grace: 5 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	var out uintptr
	if rc := raw.Loop_new(cfg.flags, &out); rc < 0 {
		return nil, codeError(rc)
	}
	l := &Loop{
		c:          raw.SwigcptrLoop(out),
		scratch:    raw.NewValue().(raw.SwigcptrValue),
		refs:       make(map[uint64]heldRef),
		goCos:      make(map[raw.SwigcptrTask]*Co),
		runnerDone: make(chan struct{}),
		grace:      cfg.grace,
	}
	l.lp = newCLoop(l.c)
	l.recList = make([]uint64, 64)
	if l.lp == 0 || prepareRun(l.lp) < 0 {
		raw.Loop_unref(l.c)
		raw.DeleteValue(l.scratch)
		freeCLoop(l.lp)
		return nil, codeError(-12)
	}
	l.rec = &loopShared(l.lp).rec
	tok := threadToken()
	l.cOwner = tok
	l.holderTok.Store(tok)
	liveLoopsMu.Lock()
	liveLoops[l] = struct{}{}
	liveLoopsMu.Unlock()
	return l, nil
}

// NewLoop creates a loop owned by the calling goroutine, which it locks to
// its OS thread until Close. The owner drives the loop (RunUntilComplete,
// RunForever, Step) and must be the one to Close it. While it drives the
// loop, the goroutines of Go tasks run on its thread in turn; a run may
// return on another thread (the owner stays locked to that one).
func NewLoop(opts ...Option) (*Loop, error) {
	runtime.LockOSThread()
	l, err := newLoop(opts)
	if err != nil {
		runtime.UnlockOSThread()
	}
	return l, err
}

// StartLoop creates a loop that runs on its own goroutine, locked to its
// own OS thread, until Close.
func StartLoop(opts ...Option) (*Loop, error) {
	ready := make(chan error, 1)
	var l *Loop
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var err error
		l, err = newLoop(opts)
		if err != nil {
			ready <- err
			return
		}
		l.runner = true
		ready <- nil
		for !l.closing {
			r := l.startRun(runForever)
			l.drive()
			l.endRun()
			if r.rc < 0 && r.rc != codeStopped {
				break
			}
		}
		l.closeErr = l.shutdown()
		close(l.runnerDone)
	}()
	if err := <-ready; err != nil {
		return nil, err
	}
	return l, nil
}

// Run is asyncio.run for Go: it creates a loop on the calling goroutine,
// runs fn as its main task until it finishes, cancels the tasks left,
// closes the loop and returns the main task's outcome.
func Run(fn TaskFunc, opts ...Option) (any, error) {
	if runningLoop() != nil {
		return nil, newError(codeRunning, "asyncio.run() cannot be called from a running event loop")
	}
	l, err := NewLoop(opts...)
	if err != nil {
		return nil, err
	}
	t, err := l.Go(fn)
	if err != nil {
		l.Close()
		return nil, err
	}
	val, err := l.RunUntilComplete(t)
	if cerr := l.Close(); err == nil && cerr != nil {
		return nil, cerr
	}
	return val, err
}

// onOwnerThread reports whether the caller holds the loop (loopturns.go): the
// owner between runs, a Go task's code, or a callback inside a run. It is
// locked to its thread, so no other goroutine can be on it.
func (l *Loop) onOwnerThread() bool { return threadToken() == l.holderTok.Load() }

// Call runs fn on the loop's thread and returns its error: at once when
// called on that thread or from the Go task being stepped, otherwise posted
// (ac_loop_call_soon_threadsafe) and waited for. ErrClosed when the loop
// closed before fn could run.
func (l *Loop) Call(fn func() error) error {
	if l.onOwnerThread() {
		if l.closed {
			return errLoopClosed()
		}
		return fn()
	}
	cb := &callback{loop: l, fnErr: fn, done: make(chan error, 1), foreign: true}
	if err := l.post(cb); err != nil {
		return err
	}
	return <-cb.done
}

// Post schedules fn to run on the loop's thread and returns at once. Thread
// safe: submissions from one goroutine run in order. A panic in fn is
// reported to the exception handler. ErrClosed when the loop is closed.
func (l *Loop) Post(fn func()) error {
	return l.post(&callback{loop: l, fn: fn, foreign: true})
}

func (l *Loop) post(cb *callback) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.released {
		cb.freed()
		return errLoopClosed()
	}
	h := newHandle(cb)
	// On failure the library has already run free_ud (cb.freed).
	return codeError(raw.Loop_call_soon_threadsafe(l.c, fnCallback, uintptr(h), fnFreeHandle))
}

// callback is a Go function the loop calls once.
type callback struct {
	loop  *Loop
	ctx   ctxMap // the context it was scheduled in
	fn    func()
	where string       // for a panic's report ("loop callback" when empty)
	fnErr func() error // a synchronous call: its error goes to done
	done  chan error
	ran   bool
	// deferred: held back during a run; it runs later (loopturns.go), so
	// being released now does not mean it will not run.
	deferred bool
	// foreign: posted by a goroutine outside the loop, which may wait for
	// it (Call) or for what it does (Post).
	foreign bool
	// own: the binding's housekeeping (posted by finalizers at times the
	// collector picks), not counted in StepInfo.Ran.
	own bool
}

func (c *callback) run() {
	c.ran = true
	l := c.loop
	if c.foreign {
		defer l.readiedOutside()
	}
	prev := l.cbCtx
	l.cbCtx = c.ctx
	l.inCallback++
	defer func() {
		l.inCallback--
		l.cbCtx = prev
	}()
	if c.fnErr != nil {
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = &PanicError{Value: r}
				}
			}()
			err = c.fnErr()
		}()
		c.done <- err
		return
	}
	where := c.where
	if where == "" {
		where = "callback"
	}
	defer recoverCallback(c.loop, where)
	c.fn()
}

func (c *callback) freed() {
	if !c.ran && !c.deferred && c.done != nil {
		c.done <- ErrClosed
	}
}

// Close ends the loop: it cancels the tasks still pending and lets them
// finish (for at most a few seconds), closes the loop, releases what Go
// held in it, and waits for the goroutines of Go tasks to return. A loop
// from StartLoop may be closed from any goroutine except its own; a loop
// from NewLoop only by its owner, outside a run. Closing twice is harmless.
func (l *Loop) Close() error {
	return l.close()
}

// Shutdown is Close bounded by ctx instead of the shutdown grace: the
// tasks left are cancelled and given until ctx's deadline to finish
// (without a deadline, until they all end or ctx is cancelled). Tasks
// still pending then ignored their cancellation: they are abandoned, each
// reported to the exception handler, and counted in the result. The same
// rules as Close for who may call it.
func (l *Loop) Shutdown(ctx context.Context) (abandoned int, err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil && !l.isReleased() {
		// Already over: no time to let tasks unwind.
		ctx2, cancel := context.WithDeadline(context.Background(), time.Now())
		defer cancel()
		ctx = ctx2
	}
	l.closeCtx.Store(&ctx)
	err = l.close()
	return int(l.abandoned.Load()), err
}

func (l *Loop) close() error {
	if l.isReleased() {
		return nil
	}
	if l.onOwnerThread() {
		if l.cur.Load() != nil || l.run != nil || l.runner {
			return ErrRunning
		}
		return l.shutdown()
	}
	if !l.runner {
		return ErrWrongThread
	}
	l.closeOnce.Do(func() {
		_ = l.Post(func() {
			l.closing = true
			_ = l.stop()
		})
	})
	<-l.runnerDone
	return l.closeErr
}

// shutdown runs on the holder with no run in progress.
func (l *Loop) shutdown() error {
	if l.closed {
		return nil
	}
	// asyncio.run's epilogue: cancel what is left and let it unwind; a
	// task that fails instead is reported, as asyncio.run reports it. The
	// whole shutdown is bounded by the grace: a task that ignores its
	// cancellation is abandoned (the library reports it when the loop
	// closes), and so is its goroutine (below).
	deadline := time.Now().Add(l.grace)
	var ctxDone <-chan struct{}
	if p := l.closeCtx.Load(); p != nil {
		// Shutdown(ctx): its deadline, or none (then only ctx's end).
		ctx := *p
		ctxDone = ctx.Done()
		if d, ok := ctx.Deadline(); ok {
			deadline = d
		} else {
			deadline = time.Now().Add(100 * 365 * 24 * time.Hour)
		}
	}
	ended := func() bool {
		select {
		case <-ctxDone:
			return true
		default:
			return !time.Now().Before(deadline)
		}
	}
	if tasks := l.pendingTasks(); len(tasks) > 0 {
		for _, t := range tasks {
			raw.Task_ref(t)
			if co := l.goCos[t]; co != nil {
				co.cancelTask("")
			} else {
				raw.Task_cancel(t, "")
			}
		}
		for len(l.pendingTasks()) > 0 && !ended() {
			r := l.startRun(runStep)
			r.block = 0.01
			l.drive()
			l.endRun()
			if r.rc < 0 {
				break
			}
		}
		l.abandoned.Store(int64(len(l.pendingTasks())))
		for _, t := range tasks {
			f := raw.Task_future(t).(raw.SwigcptrFuture)
			if raw.Future_state_of(f) == futureError {
				err := errorFromC(raw.Future_error(f).(raw.SwigcptrError))
				l.reportAbout(reportTask, "unhandled exception during asyncio.run() shutdown", err, f)
			}
			raw.Task_unref(t)
		}
	}
	// Go tasks woken but not resumed never will be; callbacks held back
	// run now (the library ran them already).
	for _, e := range l.woken[l.wokenAt:] {
		if e.cb != nil {
			e.cb.run()
		}
	}
	for _, d := range l.deferred {
		d.cb.run()
	}
	l.woken, l.wokenAt, l.deferred = nil, 0, nil
	rc := raw.Loop_close(l.c)
	l.closed = true
	l.closedFlag.Store(true)
	liveLoopsMu.Lock()
	delete(liveLoops, l)
	liveLoopsMu.Unlock()
	refs := l.refs
	l.refs = nil
	// Outcomes first (reading a future needs none of the others freed).
	for _, r := range refs {
		if r.fut != nil {
			r.fut.settle()
		} else if r.slab != nil {
			r.slab.settle()
		}
	}
	for _, r := range refs {
		unrefC(r)
	}
	l.processFreedMerge(true)
	raw.DeleteValue(l.scratch)
	l.mu.Lock()
	l.released = true
	raw.Loop_unref(l.c)
	l.mu.Unlock()
	l.processFreedMerge(true)
	freeCLoop(l.lp)
	l.lp = 0
	// The goroutines of Go tasks the loop released get ErrClosed from
	// their await and from every later call. Those that return are waited
	// for, within what is left of the grace (at least closeFloor, so that
	// a goroutine that returns once told gets the time to: the tasks may
	// have used all of it); one that keeps going (it ignores ErrClosed
	// too, or blocks elsewhere) is abandoned.
	l.waitGoTasks(deadline, ctxDone)
	// The thread goes back to the scheduler: it no longer stands for the
	// loop.
	l.holderTok.Store(0)
	runtime.UnlockOSThread()
	if rc < 0 && rc != codeClosed {
		return codeError(rc)
	}
	return nil
}

// closeFloor is the least time Close waits for the goroutines of Go tasks
// once the loop has closed (or the grace, when shorter).
const closeFloor = 100 * time.Millisecond

// waitGoTasks waits for the goroutines of Go tasks to return, until the
// deadline (or closeFloor from now, whichever is later).
func (l *Loop) waitGoTasks(deadline time.Time, ctxDone <-chan struct{}) {
	done := make(chan struct{})
	go func() {
		l.goTasks.Wait()
		close(done)
	}()
	floor := closeFloor
	if l.grace < floor {
		floor = l.grace
	}
	wait := time.Until(deadline)
	if wait < floor {
		wait = floor
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
	case <-ctxDone:
	}
}

type taskCollector struct{ tasks []raw.SwigcptrTask }

// pendingTasks lists the tasks of the loop that are not done (borrowed).
func (l *Loop) pendingTasks() []raw.SwigcptrTask {
	c := &taskCollector{}
	h := newHandle(c)
	raw.Loop_foreach_task(l.c, fnForeachTask, uintptr(h))
	deleteHandle(h)
	return c.tasks
}

// hold records a C reference a Go object owns; the loop drops it when the
// object is collected or at Close, on the loop thread.
func (l *Loop) hold(ptr uintptr, unref func(uintptr)) uint64 {
	l.nextID++
	l.refs[l.nextID] = heldRef{ptr: ptr, unref: unref}
	return l.nextID
}

// holdObject makes obj (a Go wrapper) own the C reference ptr until it is
// collected or the loop closes.
func holdObject[T any](l *Loop, obj *T, ptr uintptr, unref func(uintptr)) uint64 {
	id := l.hold(ptr, unref)
	runtime.SetFinalizer(obj, func(*T) { l.releaseLater(id) })
	return id
}

// holdFuture records the reference of a Go future.
func (l *Loop) holdFuture(f *futureState) uint64 {
	l.nextID++
	l.refs[l.nextID] = heldRef{ptr: uintptr(f.c), unref: unrefFuture, fut: f}
	return l.nextID
}

func unrefC(r heldRef) {
	if r.slab != nil {
		r.slab.release()
		return
	}
	r.unref(r.ptr)
}

// releaseLater is called by finalizers (any goroutine): the reference is
// dropped on the loop thread, in batches.
func (l *Loop) releaseLater(id uint64) {
	l.relMu.Lock()
	l.relIDs = append(l.relIDs, id)
	post := !l.relPosted
	l.relPosted = true
	l.relMu.Unlock()
	if post {
		// After Close the references are already gone.
		_ = l.post(&callback{loop: l, fn: l.dropReleased, own: true})
	}
}

func (l *Loop) dropReleased() {
	l.relMu.Lock()
	ids := l.relIDs
	l.relIDs = nil
	l.relPosted = false
	l.relMu.Unlock()
	for _, id := range ids {
		if r, ok := l.refs[id]; ok {
			delete(l.refs, id)
			unrefC(r)
		}
	}
}

// RunUntilComplete runs the loop until a is done and returns its outcome.
// As asyncio's, a's done-callback stops the loop: the rest of the
// iteration it runs in runs too. Owner goroutine only (NewLoop), outside a
// run.
func (l *Loop) RunUntilComplete(a Awaitable) (any, error) {
	if err := l.ownerOnly(); err != nil {
		return nil, err
	}
	f := a.future()
	if f.loop != l || f.c == 0 {
		return nil, ErrInvalid
	}
	if raw.Future_done(f.c) == 1 {
		// asyncio still runs one iteration for a future already done.
		r := l.startRun(runStep)
		l.drive()
		l.endRun()
		if r.rc < 0 && r.rc != codeStopped {
			return nil, codeError(r.rc)
		}
		return f.Result()
	}
	r := l.startRun(runUntil)
	r.until = f
	resetUntil(l.lp)
	watched := watchUntil(l.lp, f.c) == 0
	l.drive()
	if watched && raw.Future_done(f.c) != 1 {
		unwatchUntil(l.lp, f.c)
	}
	l.endRun()
	if raw.Future_done(f.c) != 1 {
		if r.rc < 0 {
			return nil, codeError(r.rc)
		}
		return nil, ErrStopped
	}
	return f.Result()
}

// RunForever runs the loop until Stop. Owner goroutine only.
func (l *Loop) RunForever() error {
	if err := l.ownerOnly(); err != nil {
		return err
	}
	r := l.startRun(runForever)
	l.drive()
	l.endRun()
	if r.rc < 0 && r.rc != codeStopped {
		return codeError(r.rc)
	}
	return nil
}

// StepInfo is what one Step reports.
type StepInfo struct {
	Ran          int     // callbacks run (the binding's own housekeeping left out)
	Pending      bool    // callbacks ready, or timers or other work remain
	NextDeadline float64 // loop time of the next timer, or -1
}

// Step runs one iteration of the loop, blocking at most maxBlock for I/O,
// then lets the Go tasks it woke run up to their next await: for hosts
// that own their frame loop. Owner goroutine only.
func (l *Loop) Step(maxBlock time.Duration) (StepInfo, error) {
	if err := l.ownerOnly(); err != nil {
		return StepInfo{}, err
	}
	r := l.startRun(runStep)
	r.block = maxBlock.Seconds()
	if r.block < 0 {
		r.block = 0
	}
	l.drive()
	l.endRun()
	if r.rc < 0 {
		return StepInfo{}, codeError(r.rc)
	}
	return r.info, nil
}

func (l *Loop) ownerOnly() error {
	if l.isReleased() {
		return errLoopClosed()
	}
	if l.runner || !l.onOwnerThread() {
		return ErrWrongThread
	}
	if l.closed {
		return errLoopClosed()
	}
	if l.run != nil || l.cur.Load() != nil {
		return newError(codeRunning, "This event loop is already running")
	}
	if other := runningLoop(); other != nil && other != l {
		return newError(codeRunning, "Cannot run the event loop while another loop is running")
	}
	return nil
}

// errLoopClosed is asyncio's error for a closed loop.
func errLoopClosed() error { return newError(codeClosed, "Event loop is closed") }

// The loops not closed yet, to tell which one the calling goroutine runs.
var (
	liveLoopsMu sync.Mutex
	liveLoops   = map[*Loop]struct{}{}
)

// runningLoop is the loop running on the calling goroutine (its Go task's
// code, a callback, the owner inside a run), or nil: asyncio's running
// loop.
func runningLoop() *Loop {
	tok := threadToken()
	liveLoopsMu.Lock()
	defer liveLoopsMu.Unlock()
	for l := range liveLoops {
		// Holding l (same thread token), its fields are the caller's to
		// read.
		if l.holderTok.Load() == tok && (l.run != nil || l.cur.Load() != nil) {
			return l
		}
	}
	return nil
}

// IsRunning reports whether the loop is running (asyncio's is_running):
// inside RunUntilComplete, RunForever or Step, or started with StartLoop
// and not closed.
func (l *Loop) IsRunning() bool {
	if l.runner {
		return !l.closedFlag.Load()
	}
	running := false
	_ = l.Call(func() error { running = l.run != nil || l.cur.Load() != nil; return nil })
	return running
}

// Stop asks the running loop to return once the callbacks already ready
// have run (asyncio's stop).
func (l *Loop) Stop() error {
	return l.Call(func() error { return l.stop() })
}

// stop asks the loop to stop (holder).
func (l *Loop) stop() error {
	rc := raw.Loop_stop(l.c)
	if rc == 0 {
		l.stopAsked = true
	}
	return codeError(rc)
}

func (l *Loop) isReleased() bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.released
}

// IsClosed reports whether the loop is closed.
func (l *Loop) IsClosed() bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.released || raw.Loop_is_closed(l.c) == 1
}

// Time is the loop's clock in seconds (the virtual time under
// WithVirtualClock).
func (l *Loop) Time() float64 {
	t := -1.0
	_ = l.Call(func() error { t = raw.Loop_time(l.c); return nil })
	return t
}

// Dump describes every pending task of the loop and what it awaits
// (ac_loop_dump): an await tree as text, one line per task, each task
// under the task awaiting it. For a program that seems stuck: call it
// from a timer, a task or another goroutine.
func (l *Loop) Dump() (string, error) {
	return l.stringCall(func(out *uintptr) int { return raw.Loop_dump(l.c, dumpText, out) })
}

// DumpJSON is Dump as JSON lines: one object per task (id, name, state,
// cancelling, awaits, awaited_by).
func (l *Loop) DumpJSON() (string, error) {
	return l.stringCall(func(out *uintptr) int { return raw.Loop_dump(l.c, dumpJSON, out) })
}

// Formats of ac_loop_dump (inspect.h).
const (
	dumpText = 0
	dumpJSON = 1
)

// LoopStats are a loop's counters (ac_loop_get_stats).
type LoopStats struct {
	TasksAlive    uint64        // tasks pending now
	TasksCreated  uint64        // tasks created on the loop
	Ready         uint64        // callbacks in the ready queue now
	Timers        uint64        // armed timers now
	CallbacksRun  uint64        // callbacks and task steps run
	Iterations    uint64        // loop iterations
	PollTime      time.Duration // time spent in the I/O poll
	CallbacksTime time.Duration // time spent running ready callbacks
}

// Stats reads the loop's counters.
func (l *Loop) Stats() (LoopStats, error) {
	var a [8]uint64
	err := l.Call(func() error {
		if rc := raw.Loop_get_stats(l.c, &a[0], int64(len(a)*8)); rc < 0 {
			return codeError(rc)
		}
		return nil
	})
	if err != nil {
		return LoopStats{}, err
	}
	return LoopStats{a[0], a[1], a[2], a[3], a[4], a[5], time.Duration(a[6]), time.Duration(a[7])}, nil
}

// Trim gives back memory the runtime keeps for reuse on the loop's thread
// (ac_trim): the small blocks its tasks and futures were made of, kept
// after a burst, go back to the system where whole slabs of them are free.
// It runs on the loop's thread (a Call) and returns the bytes given back:
// 0 when there was nothing, and where the runtime keeps nothing for reuse
// (under AddressSanitizer or valgrind, on Windows, ASYNCORE_POOL=0).
// Call it when the loop is idle, e.g. after a burst of tasks. ErrClosed
// when the loop is closed.
func (l *Loop) Trim() (int64, error) {
	var n int64
	err := l.Call(func() error {
		n = raw.Trim()
		if n < 0 {
			n = 0
		}
		return nil
	})
	return n, err
}

// SetDebug turns debug mode on or off.
func (l *Loop) SetDebug(on bool) error {
	v := 0
	if on {
		v = 1
	}
	return l.Call(func() error { return codeError(raw.Loop_set_debug(l.c, v)) })
}

// Debug reports whether debug mode is on.
func (l *Loop) Debug() bool {
	on := false
	_ = l.Call(func() error { on = raw.Loop_get_debug(l.c) == 1; return nil })
	return on
}

// SetSlowCallbackDuration sets the duration above which debug mode reports
// a callback as slow.
func (l *Loop) SetSlowCallbackDuration(d time.Duration) error {
	return l.Call(func() error { return codeError(raw.Loop_set_slow_callback_duration(l.c, d.Seconds())) })
}

// SetReadyBudget sets how many callbacks one iteration runs before polling
// I/O again.
func (l *Loop) SetReadyBudget(n uint32) error {
	return l.Call(func() error { return codeError(raw.Loop_set_ready_budget(l.c, uint(n))) })
}

// SetTimeBudget bounds a step (Step) in time as well: it starts no more
// callbacks once d has passed since its first one, so a burst of new tasks
// spreads over a host's frames (0: no time budget). ErrInvalid for a
// negative d.
func (l *Loop) SetTimeBudget(d time.Duration) error {
	return l.Call(func() error { return codeError(raw.Loop_set_time_budget(l.c, d.Seconds())) })
}

// BackendFD is libuv's backend file descriptor, for hosts that poll it
// themselves, and BackendTimeout the milliseconds they may block before
// stepping (-1: nothing due).
func (l *Loop) BackendFD() (int, error) {
	fd := -1
	err := l.Call(func() error {
		rc := raw.Loop_backend_fd(l.c)
		if rc < 0 {
			return codeError(rc)
		}
		fd = rc
		return nil
	})
	return fd, err
}

// BackendTimeout: see BackendFD.
func (l *Loop) BackendTimeout() int {
	ms := -1
	_ = l.Call(func() error { ms = raw.Loop_backend_timeout(l.c); return nil })
	return ms
}

// exceptionHandler is the Go handler installed on a loop.
type exceptionHandler struct {
	loop *Loop
	fn   func(ExceptionContext)
}

// What a report of the binding's own is about (Loop.reporting).
const (
	reportPlain  = iota
	reportHandle // a callback that panicked
	reportTask   // a task that failed while the loop shut down
)

// SetExceptionHandler installs fn as the loop's exception handler (nil
// restores the default, which writes to stderr).
func (l *Loop) SetExceptionHandler(fn func(ExceptionContext)) error {
	return l.Call(func() error {
		if fn == nil {
			return codeError(raw.Loop_set_exception_handler(l.c, nil, 0, nil))
		}
		h := newHandle(&exceptionHandler{loop: l, fn: fn})
		return codeError(raw.Loop_set_exception_handler(l.c, fnExceptionHandler, uintptr(h), fnFreeHandle))
	})
}

// CallExceptionHandler reports an error to the installed handler.
func (l *Loop) CallExceptionHandler(message string, err error) error {
	return l.Call(func() error { l.report(message, err); return nil })
}

// report calls the exception handler; loop thread.
func (l *Loop) report(message string, err error) { l.reportAbout(reportPlain, message, err, 0) }

// reportAbout calls the exception handler with a report about what (a
// callback, a task) and fut (0 for none); loop thread.
func (l *Loop) reportAbout(what int, message string, err error, fut raw.SwigcptrFuture) {
	var e raw.SwigcptrError
	if err != nil {
		e, _ = errorToC(err)
	}
	prev := l.reporting
	l.reporting = what
	raw.Loop_call_exception_handler(l.c, message, e, fut)
	l.reporting = prev
	if e != 0 {
		raw.Error_unref(e)
	}
}

// Handle is a scheduled callback (CallSoon, CallLater, CallAt).
type Handle struct {
	loop *Loop
	c    raw.SwigcptrCall
	id   uint64
}

func (l *Loop) scheduleCallback(fn func(), sched func(h uintptr, out *uintptr) int) (*Handle, error) {
	var hd *Handle
	err := l.Call(func() error {
		h := newHandle(&callback{loop: l, fn: fn, ctx: l.currentCtx()})
		var out uintptr
		if rc := sched(uintptr(h), &out); rc < 0 {
			return codeError(rc)
		}
		hd = &Handle{loop: l, c: raw.SwigcptrCall(out)}
		hd.id = holdObject(l, hd, out, unrefHandle)
		return nil
	})
	return hd, err
}

// CallSoon schedules fn to run once, after the callbacks already ready.
func (l *Loop) CallSoon(fn func()) (*Handle, error) {
	return l.scheduleCallback(fn, func(h uintptr, out *uintptr) int {
		return raw.Loop_call_soon(l.c, fnCallback, h, fnFreeHandle, out)
	})
}

// CallLater schedules fn to run after d.
func (l *Loop) CallLater(d time.Duration, fn func()) (*Handle, error) {
	return l.scheduleCallback(fn, func(h uintptr, out *uintptr) int {
		return raw.Loop_call_later(l.c, d.Seconds(), fnCallback, h, fnFreeHandle, out)
	})
}

// CallAt schedules fn to run at loop time when (seconds, see Time).
func (l *Loop) CallAt(when float64, fn func()) (*Handle, error) {
	return l.scheduleCallback(fn, func(h uintptr, out *uintptr) int {
		return raw.Loop_call_at(l.c, when, fnCallback, h, fnFreeHandle, out)
	})
}

// Cancel cancels the callback if it has not run; true if this call did.
func (h *Handle) Cancel() bool {
	ok := false
	_ = h.loop.Call(func() error { ok = raw.Call_cancel(h.c) == 1; return nil })
	return ok
}

// Cancelled reports whether the callback was cancelled.
func (h *Handle) Cancelled() bool {
	ok := false
	_ = h.loop.Call(func() error { ok = raw.Call_cancelled(h.c) == 1; return nil })
	return ok
}

// When is the loop time a timer callback is due (-1 for CallSoon).
func (h *Handle) When() float64 {
	w := -1.0
	_ = h.loop.Call(func() error { w = raw.Call_when(h.c); return nil })
	return w
}

var errBlockLoop = errors.New("asyncore: waiting on the loop's own thread would block it")
