package asyncore

import (
	"runtime"

	"libasyncore.org/go/asyncore/internal/raw"
)

// The Tasks of Go tasks come in slabs: one allocation and one finalizer
// for taskSlabSize of them (a finalizer per Task would cost more than the
// rest of a task). A Task points into its slab, which stays alive while any
// of its Tasks is reachable; when none is, the C references of its tasks
// are dropped together (or at Close). The slab's core, which the loop
// keeps, does not point back to the Tasks (the finalizer would never run
// otherwise).
const taskSlabSize = 32

type taskSlab struct {
	tasks [taskSlabSize]Task
	core  *slabCore
}

type slabCore struct {
	loop   *Loop
	id     uint64 // in loop.refs
	n      int
	states [taskSlabSize]futureState
	refs   [taskSlabSize]uintptr // C references held (0 once dropped)
}

// goTaskHandle is the Task of the Go task co: its C task t, whose
// reference (to the future view f) the Task takes over (holder).
func (l *Loop) goTaskHandle(t raw.SwigcptrTask, f raw.SwigcptrFuture, co *Co) *Task {
	s := l.slab
	if s == nil || s.core.n == taskSlabSize {
		core := &slabCore{loop: l}
		l.nextID++
		core.id = l.nextID
		l.refs[core.id] = heldRef{slab: core}
		s = &taskSlab{core: core}
		runtime.SetFinalizer(s, func(s *taskSlab) { s.core.loop.releaseLater(s.core.id) })
		l.slab = s
	}
	core := s.core
	i := core.n
	core.n++
	st := &core.states[i]
	st.loop, st.c, st.id, st.core, st.slot, st.goTask = l, f, core.id, core, i, co
	core.refs[i] = uintptr(f)
	tk := &s.tasks[i]
	tk.futureState = st
	tk.t = t
	tk.co = co
	return tk
}

// settle captures the outcomes of the slab's tasks when the loop closes.
func (c *slabCore) settle() {
	for i := 0; i < c.n; i++ {
		if c.refs[i] != 0 {
			c.states[i].settle()
		}
	}
}

// release drops the C references the slab still holds.
func (c *slabCore) release() {
	unrefFutures(c.refs[:c.n])
	for i := range c.refs[:c.n] {
		c.refs[i] = 0
	}
}

// releaseOne drops the reference of the task in slot i (Release).
func (c *slabCore) releaseOne(i int) {
	if p := c.refs[i]; p != 0 {
		c.refs[i] = 0
		raw.Future_unref(raw.SwigcptrFuture(p))
	}
}
