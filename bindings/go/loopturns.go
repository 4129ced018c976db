package asyncore

import (
	"runtime"

	"libasyncore.org/go/asyncore/internal/raw"
)

// How the loop and the goroutines of Go tasks share the loop's thread.
//
// One goroutine at a time holds the loop: it is locked to its OS thread,
// its thread token is l.holderTok, and it alone calls the library (other
// goroutines post their work). The holder is the loop's owner between
// runs, or, during a run, the goroutine whose Go task is running, or the
// one running the loop for the others: a goroutine whose task stops
// (awaits) runs the loop itself, on its own thread, until a Go task wakes
// (runLoop), then hands the loop to that task's goroutine and waits for its
// own turn. A hand-over is a goroutine switch on the same thread (the
// receiver usually runs where the giver ran); the loop belongs to one
// thread (l.cOwner), and a receiver that finds itself on another thread
// hands the loop to its own (ac_loop_bind_thread: the giver made its last
// call before the hand-over's channel send), which runs nothing.
//
// Costs and limits, and what the library's API would change:
//
//   - A hand-over is one run of the loop: ac_loop_run_until_complete on a
//     fresh future that the woken task's step completes. Every run polls
//     I/O first (an epoll_wait with no timeout), the largest fixed cost of
//     a hand-over. An entry point that runs the ready callbacks without
//     polling, returning when a Go task woke, would remove it (the loop
//     would still be polled when nothing is ready, or every so many
//     callbacks).
//   - A Go task's code runs between its steps, so its requests are carried
//     out by its next step: an await is registered, and an end recorded,
//     when that step comes (the ready queue may hold others before it),
//     and the library's calls that want the running step (ac_timeout_*,
//     ac_taskgroup_new and _join, ac_context_*, ac_loop_current_task) are
//     emulated or routed through a step. A way to enter a parked task's
//     step from outside and leave it with a step result would make both
//     exact and save a step per hand-over.

// runKind says what a run is for.
type runKind int

const (
	runUntil   runKind = iota // RunUntilComplete
	runForever                // RunForever, StartLoop's runner
	runStep                   // Step: one iteration, then the tasks it woke
)

// runState is the current run; the goroutine that started it waits on
// owner while Go tasks hold the loop.
type runState struct {
	kind    runKind
	block   float64 // runStep: the longest wait for I/O
	until   *Future // runUntil
	owner   chan int
	stepped bool
	info    StepInfo
	ended   bool
	rc      int // the library's code that ended the run (stop, error), or 0
}

// holderCo is the Go task whose code is running, when the caller is the
// goroutine holding the loop (one cgo call for the thread).
func (l *Loop) holderCo() *Co {
	if threadToken() != l.holderTok.Load() {
		return nil
	}
	return l.cur.Load()
}

// takeTurn makes the calling goroutine the holder: it locks it to its
// thread, and moves the loop to that thread if it ran elsewhere last.
func (l *Loop) takeTurn() {
	runtime.LockOSThread()
	tok := threadToken()
	l.holderTok.Store(tok)
	if tok != l.cOwner && !l.closed {
		l.rebind()
	}
}

// releaseTurn gives up holding the loop (before handing it on).
func (l *Loop) releaseTurn() {
	l.cur.Store(nil)
	l.holderTok.Store(0)
	runtime.UnlockOSThread()
}

// rebind hands the loop to the holder's thread (between runs; the
// previous holder's last call came before the hand-over): nothing runs,
// the order of what is ready stays.
func (l *Loop) rebind() {
	if rc := raw.Loop_bind_thread(l.c); rc == 0 {
		l.cOwner = threadToken()
	}
}

// afterRun takes in what a run of the loop did.
func (l *Loop) afterRun(out runOut) {
	l.cOwner = out.tok
	if out.rc == codeStopped {
		if out.innerStop && !l.stopAsked {
			// Only the binding's own stop: not a stop of the run.
			out.rc = 0
		} else {
			l.stopAsked = false
		}
	}
	l.woken = wokenTasks(l, l.woken, l.deferred)
	for i := range l.deferred {
		l.deferred[i] = deferredCall{}
	}
	l.deferred = l.deferred[:0]
	if out.nfreed > 0 {
		l.processFreed()
	}
	r := l.run
	if r == nil {
		if out.rc == codeStopped {
			// A stop asked between runs belongs to the next run.
			_ = l.stop()
		}
		return
	}
	if out.untilDone {
		r.ended = true
	}
	switch {
	case out.rc == codeStopped:
		r.ended = true
		r.rc = out.rc
	case out.rc < 0:
		r.ended = true
		r.rc = out.rc
	}
	if out.lost {
		r.ended = true
		r.rc = codeInternal
	}
}

// processFreed handles the Go task states the library released.
func (l *Loop) processFreed() { l.processFreedMerge(false) }

// processFreedMerge is processFreed, first taking the states released on
// other threads when merge is set (the runs take them themselves).
func (l *Loop) processFreedMerge(merge bool) {
	for _, h := range freedHandles(l, merge) {
		if co, ok := h.Value().(*Co); ok {
			co.freed()
		}
		deleteHandle(h)
	}
}

// readiedOutside notes, from a callback of the library on the loop's
// thread, that a goroutine outside the loop may have been readied (a
// posted call returned to its caller, a future's Done channel closed),
// and ends the current run after the callbacks ready now. That goroutine was
// readied on this thread's processor, which a run keeps while it waits in
// C: nothing would run it until the Go scheduler took the processor back
// (after 20 µs to 10 ms). runOnce lets it run first.
func (l *Loop) readiedOutside() {
	if l.run != nil && !l.yieldNext {
		l.yieldNext = true
		raw.Acgo_end_run_early(uintptr(l.lp))
	}
}

// runOnce runs the loop once for the current run.
func (l *Loop) runOnce() {
	if l.yieldNext {
		l.yieldNext = false
		runtime.Gosched()
	}
	r := l.run
	if r.kind == runStep {
		l.ownRan = 0
		out := runLoop(l, r.block)
		r.stepped = true
		if out.rc >= 0 {
			r.info = StepInfo{Ran: out.rc - l.ownRan, Pending: out.pending, NextDeadline: out.next}
		}
		l.afterRun(out)
		if out.rc < 0 {
			r.ended, r.rc = true, out.rc
		}
		return
	}
	l.afterRun(runLoop(l, -1))
}

// runOver tells whether the current run is over (holder).
func (l *Loop) runOver() bool {
	r := l.run
	if r == nil || r.ended {
		return true
	}
	return r.kind == runStep && r.stepped && l.wokenAt == len(l.woken)
}

// wakeEntry is a woken Go task to resume, or a Go callback of the library
// held back until the Go tasks woken before it ran (deferCallback).
type wakeEntry struct {
	co *Co
	cb *callback
}

// deferredCall is a held-back callback and how many Go tasks the run had
// woken before it.
type deferredCall struct {
	pos int
	cb  *callback
}

// deferCallback tells whether a Go callback of the library, called now
// during a run, must wait: a Go task woken earlier in the run runs first,
// as it would have in the library's order. The callback is then queued in
// its place (holder).
func (l *Loop) deferCallback(cb *callback) bool {
	if wokenSoFar(l.lp) == 0 {
		return false
	}
	cb.deferred = true
	l.deferred = append(l.deferred, deferredCall{pos: wokenSoFar(l.lp), cb: cb})
	return true
}

// popWoken is the next woken Go task to resume (those the loop released
// are skipped); held-back callbacks met on the way run first.
func (l *Loop) popWoken() *Co {
	for l.wokenAt < len(l.woken) {
		e := l.woken[l.wokenAt]
		l.woken[l.wokenAt] = wakeEntry{}
		l.wokenAt++
		if l.wokenAt == len(l.woken) {
			// Keep the array for the next runs.
			l.woken, l.wokenAt = l.woken[:0], 0
		}
		if e.cb != nil {
			e.cb.run()
			continue
		}
		if co := e.co; co.c != 0 && !co.dead.Load() {
			return co
		}
	}
	return nil
}

// schedule hands the loop to whoever runs next, running the loop while no
// Go task is ready. me is the calling task, which stopped (its request is
// made), or nil: then the caller is the run's owner when owner is true
// (schedule returns when the run is over) or a goroutine whose task ended
// (schedule returns once it handed the loop on, or with a task that has
// not started yet, which that goroutine then runs, still holding the
// loop). For a task, schedule returns when the task's turn comes back (or
// the loop closed under it).
func (l *Loop) schedule(me *Co, owner bool) *Co {
	for {
		if next := l.popWoken(); next != nil {
			if next == me {
				l.cur.Store(me)
				return nil
			}
			if me == nil && !owner && !next.started {
				// An ending goroutine runs the next task itself.
				next.started = true
				l.goTasks.Add(1)
				return next
			}
			l.resume(next)
			break
		}
		if l.runOver() {
			if owner {
				return nil
			}
			r := l.run
			l.releaseTurn()
			r.owner <- turnGo
			break
		}
		l.runOnce()
	}
	if me != nil {
		me.waitTurn()
	} else if owner {
		l.waitOwner()
	}
	return nil
}

// resume hands the loop to the woken task co (starting its goroutine the
// first time).
func (l *Loop) resume(co *Co) {
	if !co.started {
		co.started = true
		l.goTasks.Add(1)
		l.releaseTurn()
		go co.main()
		return
	}
	l.releaseTurn()
	co.wake <- turnGo
}

// waitOwner is the run owner's wait for the end of the run.
func (l *Loop) waitOwner() {
	<-l.run.owner
	l.takeTurn()
}

// drive runs the current run to its end from its owner (holder), and
// leaves the owner holding the loop.
func (l *Loop) drive() {
	l.cur.Store(nil)
	l.schedule(nil, true)
}

// startRun begins a run (holder, no run in progress).
func (l *Loop) startRun(kind runKind) *runState {
	r := &runState{kind: kind, owner: make(chan int, 1)}
	l.run = r
	return r
}

// endRun ends the current run.
func (l *Loop) endRun() {
	l.run = nil
	resetUntil(l.lp)
}
