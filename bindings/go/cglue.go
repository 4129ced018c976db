package asyncore

/*
#cgo pkg-config: libasyncore
#include <stdlib.h>
#include <string.h>
#include <asyncore.h>

// The callbacks Go exports (trampolines.go); declared here so Go can take
// their addresses and hand them to the library.
extern void acgoFreeHandle(void *ud);
extern void acgoFreeBox(void *ptr);
extern void acgoCallback(ac_loop *loop, void *ud);
extern void acgoFutureDone(ac_future *fut, void *ud);
extern int acgoCoStep(ac_task *task, void *state);
extern int acgoStepFunc(ac_task *task, void *state);
extern void acgoForeachTask(ac_task *task, void *ud);
extern int acgoPredicate(void *ud);
extern int acgoWork(void *ud, ac_value *result);
extern void acgoTSDone(ac_tsfuture *ts, void *ud);
extern void acgoServerConn(ac_server *server, ac_stream *stream, void *ud);
extern void acgoExceptionHandler(ac_loop *loop, char *message, ac_error *error,
                                 ac_future *future, void *ud);

// A token of the calling OS thread: the address of a thread-local byte.
// The goroutine that owns a loop is locked to its thread, so comparing
// tokens tells whether a call comes from it, for the price of one cgo call.
static _Thread_local char acgo_thread_byte;
static inline uintptr_t acgo_thread_token(void) { return (uintptr_t)&acgo_thread_byte; }

// An address as the library's pointer type; keeps uintptr-to-pointer
// conversions on the C side of the boundary.
static inline void *acgo_ptr(uintptr_t p) { return (void *)p; }

// A bytes value over C memory (ac_value_set_bytes only borrows it).
static inline void acgo_value_set_bytes(uintptr_t v, uintptr_t data, size_t len) {
  ac_value_set_bytes((ac_value *)v, (const void *)data, len);
}

// How a value's fields come out in one crossing.
typedef struct acgo_fields {
  int64_t i;
  double d;
  uintptr_t p;
  size_t n;
} acgo_fields;

static inline int acgo_fields_of(const ac_value *v, acgo_fields *f) {
  switch (v->kind) {
  case AC_VALUE_INT64: f->i = v->u.i64; break;
  case AC_VALUE_DOUBLE: f->d = v->u.f64; break;
  case AC_VALUE_BYTES: f->p = (uintptr_t)v->u.bytes.data; f->n = v->u.bytes.len; break;
  case AC_VALUE_POINTER: f->p = (uintptr_t)v->u.pointer.ptr; break;
  default: break;
  }
  return v->kind;
}

// A done future's outcome in one crossing: ac_future_result's code, and
// the result's kind and fields when it is 0.
static inline int acgo_future_outcome(uintptr_t fut, int *kind, acgo_fields *f) {
  ac_value v;
  int rc = ac_future_result((ac_future *)fut, &v);
  if (rc == 0) *kind = acgo_fields_of(&v, f);
  return rc;
}

// How a task's last await ended, in one crossing (the hot path of every
// step): ac_task_outcome, the awaited future, and its result when the
// outcome is 0.
static inline int acgo_task_outcome(uintptr_t task, uintptr_t *awaited, int *kind,
                                    acgo_fields *f) {
  int rc = ac_task_outcome((const ac_task *)task);
  ac_future *aw = ac_task_awaited((const ac_task *)task);
  *awaited = (uintptr_t)aw;
  *kind = AC_VALUE_NONE;
  if (rc == 0 && aw != NULL && ac_future_state_of(aw) == AC_FUTURE_RESULT) {
    ac_value v;
    if (ac_future_result(aw, &v) == 0) *kind = acgo_fields_of(&v, f);
  }
  return rc;
}

// One crossing to read a value (instead of one per field through SWIG).
static inline int acgo_value_read(uintptr_t vp, int64_t *i, double *d, uintptr_t *p,
                                  size_t *n, uintptr_t *fn) {
  const ac_value *v = (const ac_value *)vp;
  switch (v->kind) {
  case AC_VALUE_INT64: *i = v->u.i64; break;
  case AC_VALUE_DOUBLE: *d = v->u.f64; break;
  case AC_VALUE_BYTES: *p = (uintptr_t)v->u.bytes.data; *n = v->u.bytes.len; break;
  case AC_VALUE_POINTER: *p = (uintptr_t)v->u.pointer.ptr; *fn = (uintptr_t)v->u.pointer.free_fn; break;
  default: break;
  }
  return v->kind;
}
*/
import "C"

import (
	"unsafe"
)

// C addresses of the trampolines, in the type SWIG uses for function
// pointers (*byte).
var (
	fnFreeHandle       = (*byte)(unsafe.Pointer(C.acgoFreeHandle))
	fnFreeBox          = (*byte)(unsafe.Pointer(C.acgoFreeBox))
	fnCallback         = (*byte)(unsafe.Pointer(C.acgoCallback))
	fnFutureDone       = (*byte)(unsafe.Pointer(C.acgoFutureDone))
	fnCoStep           = (*byte)(unsafe.Pointer(C.acgoCoStep))
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
