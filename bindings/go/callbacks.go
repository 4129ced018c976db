package asyncore

// The C-to-Go callbacks: the package's only cgo file. Calls from Go into C
// all go through the SWIG-generated package raw (callpath.go); what SWIG
// cannot make is the other direction, a C function pointer that runs Go
// code, which needs cgo's //export. So the functions the library (or a
// helper of internal/raw) calls back are exported here, and their
// addresses, taken below, are what Go hands to C. Every one recovers from
// panics: a panic must never unwind into the library. User data (ud) is
// always a handle (handles.go), never a Go pointer.
//
// An //export file's preamble may only declare: these are the prototypes
// cgo gives the exports, for taking their addresses.

/*
#cgo pkg-config: libasyncore
#include <stdint.h>
#include <asyncore.h>

extern void acgoFreeHandle(void *ud);
extern void acgoFreeBox(void *ptr);
extern void acgoCallback(ac_loop *loop, void *ud);
extern void acgoFutureDone(ac_future *fut, void *ud);
extern int acgoCoCall(void *h, int rc);
extern int acgoStepFunc(ac_task *task, void *state);
extern void acgoForeachTask(ac_task *task, void *ud);
extern int acgoPredicate(void *ud);
extern int acgoWork(void *ud, ac_value *result);
extern void acgoTSDone(ac_tsfuture *ts, void *ud);
extern void acgoServerConn(ac_server *server, ac_stream *stream, void *ud);
extern void acgoExceptionHandler(ac_loop *loop, char *message, ac_error *error,
                                 ac_future *future, void *ud);
extern int acgoSignal(ac_loop *loop, int signum, void *ud);
extern uintptr_t acgoSniChoose(char *name, void *h);
*/
import "C"

import (
	"unsafe"

	"libasyncore.org/go/asyncore/internal/raw"
)

// C addresses of the exports, in the type SWIG uses for function pointers
// (*byte).
var (
	fnFreeHandle       = (*byte)(unsafe.Pointer(C.acgoFreeHandle))
	fnFreeBox          = (*byte)(unsafe.Pointer(C.acgoFreeBox))
	fnCallback         = (*byte)(unsafe.Pointer(C.acgoCallback))
	fnFutureDone       = (*byte)(unsafe.Pointer(C.acgoFutureDone))
	fnCoCall           = (*byte)(unsafe.Pointer(C.acgoCoCall))
	fnStepFunc         = (*byte)(unsafe.Pointer(C.acgoStepFunc))
	fnForeachTask      = (*byte)(unsafe.Pointer(C.acgoForeachTask))
	fnPredicate        = (*byte)(unsafe.Pointer(C.acgoPredicate))
	fnWork             = (*byte)(unsafe.Pointer(C.acgoWork))
	fnTSDone           = (*byte)(unsafe.Pointer(C.acgoTSDone))
	fnServerConn       = (*byte)(unsafe.Pointer(C.acgoServerConn))
	fnExceptionHandler = (*byte)(unsafe.Pointer(C.acgoExceptionHandler))
	fnSignal           = (*byte)(unsafe.Pointer(C.acgoSignal))
	fnSniChoose        = (*byte)(unsafe.Pointer(C.acgoSniChoose))
)

// acgoFreeHandle is the free_ud of every registration: it lets the object
// behind the handle know it will not be called again, then deletes the
// handle. The library runs it exactly once per registration.
//
//export acgoFreeHandle
func acgoFreeHandle(ud unsafe.Pointer) {
	defer recoverInto(nil, "free_ud")
	h := handle(uintptr(ud))
	if f, ok := h.Value().(freer); ok {
		f.freed()
	}
	deleteHandle(h)
}

// acgoFreeBox is the destructor of a pointer value holding a Go value.
//
//export acgoFreeBox
func acgoFreeBox(ptr unsafe.Pointer) {
	defer recoverInto(nil, "value destructor")
	if h, ok := unboxPointer(uintptr(ptr)); ok {
		deleteHandle(h)
	}
}

// acgoCallback runs a callback scheduled with call_soon, call_later,
// call_at or call_soon_threadsafe.
//
//export acgoCallback
func acgoCallback(loop *C.ac_loop, ud unsafe.Pointer) {
	cb := handle(uintptr(ud)).Value().(*callback)
	if cb.own {
		cb.loop.ownRan++
	}
	if cb.loop.deferCallback(cb) {
		return
	}
	cb.run()
}

// acgoFutureDone captures a future's outcome for the goroutines waiting
// on it, or runs a Go done-callback.
//
//export acgoFutureDone
func acgoFutureDone(fut *C.ac_future, ud unsafe.Pointer) {
	c := raw.SwigcptrFuture(uintptr(unsafe.Pointer(fut)))
	switch v := handle(uintptr(ud)).Value().(type) {
	case *futureState:
		defer recoverInto(v.loop, "future done-callback")
		v.capture(c)
	case *futureCallback:
		cb := &callback{loop: v.loop, ctx: v.ctx, where: "future done-callback", fn: func() { v.fn(c) }}
		if v.loop.deferCallback(cb) {
			return
		}
		cb.run()
	}
}

// acgoCoCall runs Go code a Go task asked to run inside its step (a call
// the library accepts only from the running step); 0 when that code asked
// for an await, -1 (ACGO_WAKE_NOW) when the task goes on at once.
//
//export acgoCoCall
func acgoCoCall(h unsafe.Pointer, rc C.int) C.int {
	co := handle(uintptr(h)).Value().(*Co)
	if co.stepCall() {
		return 0
	}
	return -1
}

// acgoStepFunc steps a task written as a Go step function.
//
//export acgoStepFunc
func acgoStepFunc(task *C.ac_task, state unsafe.Pointer) C.int {
	st := handle(uintptr(state)).Value().(*stepTask)
	return C.int(st.step(raw.SwigcptrTask(uintptr(unsafe.Pointer(task)))))
}

// acgoForeachTask collects the tasks ac_loop_foreach_task reports.
//
//export acgoForeachTask
func acgoForeachTask(task *C.ac_task, ud unsafe.Pointer) {
	c := handle(uintptr(ud)).Value().(*taskCollector)
	c.tasks = append(c.tasks, raw.SwigcptrTask(uintptr(unsafe.Pointer(task))))
}

// acgoExceptionHandler forwards the loop's exception reports to Go.
//
//export acgoExceptionHandler
func acgoExceptionHandler(loop *C.ac_loop, message *C.char, err *C.ac_error,
	fut *C.ac_future, ud unsafe.Pointer) {
	l := handle(uintptr(ud)).Value().(*exceptionHandler)
	defer recoverInto(nil, "exception handler")
	ctx := ExceptionContext{Message: C.GoString(message), future: fut != nil}
	if fut != nil {
		if t := raw.Future_as_task(raw.SwigcptrFuture(uintptr(unsafe.Pointer(fut)))); t.Swigcptr() != 0 {
			ctx.TaskName = raw.Task_get_name(t)
		}
	}
	// The library's own reports about a task (a leftover of the shutdown,
	// a task destroyed while pending) have asyncio's key "task".
	if raw.Loop_exception_subject(raw.SwigcptrLoop(uintptr(unsafe.Pointer(loop)))) == "task" {
		ctx.task, ctx.future = true, false
	}
	if l.loop != nil {
		// A report of the binding's own: what it is about.
		switch l.loop.reporting {
		case reportHandle:
			ctx.handle = true
		case reportTask:
			ctx.task, ctx.future = true, false
		}
	}
	if err != nil {
		ctx.Err = errorFromC(raw.SwigcptrError(uintptr(unsafe.Pointer(err))))
	}
	l.fn(ctx)
}

// acgoPredicate calls a condition's Go predicate (loop thread).
//
//export acgoPredicate
func acgoPredicate(ud unsafe.Pointer) C.int {
	return C.int(handle(uintptr(ud)).Value().(*predicate).call())
}

// acgoWork runs Go work on a worker thread (a C thread of the pool). The
// outcome travels whole, boxed, as the result; the function never fails
// from the library's point of view.
//
//export acgoWork
func acgoWork(ud unsafe.Pointer, result *C.ac_value) C.int {
	w := handle(uintptr(ud)).Value().(*work)
	w.run()
	setValue(raw.SwigcptrValue(uintptr(unsafe.Pointer(result))), w.out)
	return 0
}

// acgoTSDone closes the channel of a thread-safe future (any thread).
//
//export acgoTSDone
func acgoTSDone(ts *C.ac_tsfuture, ud unsafe.Pointer) {
	defer recoverInto(nil, "thread-safe future callback")
	w := handle(uintptr(ud)).Value().(*tsWaiter)
	close(w.done)
	if l := w.loop; l != nil && l.onOwnerThread() {
		l.readiedOutside() // the waiting goroutine runs first (loopturns.go)
	}
}

// acgoServerConn hands an accepted connection to the server's Go handler.
//
//export acgoServerConn
func acgoServerConn(server *C.ac_server, stream *C.ac_stream, ud unsafe.Pointer) {
	st := handle(uintptr(ud)).Value().(*serverState)
	defer recoverInto(st.loop, "server connection callback")
	st.connection(raw.SwigcptrStream(uintptr(unsafe.Pointer(stream))))
}

// acgoSignal runs on the loop when a watched signal arrived (signal.go).
//
//export acgoSignal
func acgoSignal(loop *C.ac_loop, signum C.int, ud unsafe.Pointer) C.int {
	if e, ok := handle(uintptr(ud)).Value().(*sigEntry); ok {
		e.arrived()
	}
	return 0
}

// acgoSniChoose runs during a handshake, on the loop's thread: the C
// context of the configuration chosen for name (tls_sni.go), or 0 to keep
// the current one (also after an error or a panic: nothing may unwind into
// C).
//
//export acgoSniChoose
func acgoSniChoose(name *C.char, h unsafe.Pointer) (out C.uintptr_t) {
	defer func() {
		if recover() != nil {
			out = 0
		}
	}()
	s, ok := handle(uintptr(h)).Value().(*sniChooser)
	if !ok {
		return 0
	}
	return C.uintptr_t(s.contextFor(C.GoString(name)))
}
