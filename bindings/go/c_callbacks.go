package asyncore

// The C-to-Go callbacks. Every one recovers from panics: a panic must never
// unwind into the library. User data (ud) is always a handle (handles.go), never
// a Go pointer.

/*
#cgo pkg-config: libasyncore
#include <asyncore.h>
*/
import "C"

import (
	"unsafe"

	"libasyncore.org/go/asyncore/internal/raw"
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
func acgoCoCall(h C.uintptr_t, rc C.int) C.int {
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
	close(handle(uintptr(ud)).Value().(*tsWaiter).done)
}

// acgoServerConn hands an accepted connection to the server's Go handler.
//
//export acgoServerConn
func acgoServerConn(server *C.ac_server, stream *C.ac_stream, ud unsafe.Pointer) {
	st := handle(uintptr(ud)).Value().(*serverState)
	defer recoverInto(st.loop, "server connection callback")
	st.connection(raw.SwigcptrStream(uintptr(unsafe.Pointer(stream))))
}
