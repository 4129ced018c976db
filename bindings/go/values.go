package asyncore

import (
	"libasyncore.org/go/asyncore/internal/raw"
)

// How Go values travel through the library (results, queue items, context
// values). The C side sees a tagged ac_value:
//
//	nil           NONE
//	int64         INT64
//	float64       DOUBLE
//	[]byte        BYTES (copied in; read back as a new []byte)
//	anything else POINTER to a handle, released when the library drops
//	              the value; read back as the very same Go value
//
// So a Go value put in and taken out is the value that went in (an int
// stays an int, a string a string); only int64, float64 and []byte are
// stored natively, which is what C code reading them expects.

// ForeignPointer is a pointer value stored by non-Go code: its address,
// which Go must not dereference.
type ForeignPointer uintptr

// boxTag marks the pointer of a boxed Go value: the handle with the top
// bit set, an address no C object has in user space. The mark, not the
// destructor, identifies a box, because the library may share a pointer
// value without its destructor (ac_shield, ac_wait_for copy outcomes so).
const boxTag = uintptr(1) << 63

func boxPointer(h handle) uintptr { return uintptr(h) | boxTag }

func unboxPointer(p uintptr) (handle, bool) {
	if p&boxTag == 0 || p == boxTag {
		return 0, false
	}
	return handle(p &^ boxTag), true
}

// Value kinds of the contract (value.h).
const (
	valueNone    = 0
	valueInt64   = 1
	valueDouble  = 2
	valueBytes   = 3
	valuePointer = 4
)

// cValue is a Go value written into a C ac_value for one storing call.
type cValue struct {
	box handle  // a handle the library takes over if the call succeeds
	buf uintptr // a C copy of bytes, freed after the call
}

// setValue writes x into the C value v.
func setValue(v raw.SwigcptrValue, x any) cValue {
	switch t := x.(type) {
	case nil:
		raw.Value_set_none(v)
	case int64:
		raw.Value_set_int64(v, t)
	case float64:
		raw.Value_set_double(v, t)
	case []byte:
		buf := cBytes(t)
		setBytesValue(uintptr(v), buf, len(t))
		return cValue{buf: buf}
	default:
		h := newHandle(x)
		raw.Value_set_pointer(v, boxPointer(h), fnFreeBox)
		return cValue{box: h}
	}
	return cValue{}
}

// release ends the storing call: `stored` tells whether the library took
// the value over (on failure the caller still owns a boxed value).
func (c cValue) release(stored bool) {
	cFree(c.buf)
	if !stored && c.box != 0 {
		deleteHandle(c.box)
	}
}

// getValue reads a C value (a borrowed view) as a Go value.
func getValue(v raw.SwigcptrValue) any {
	kind, i, d, p, n, _ := valueFields(uintptr(v))
	return valueOf(kind, i, d, p, n)
}

// valueOf is the Go value of a C value's fields.
func valueOf(kind int, i int64, d float64, p uintptr, n int64) any {
	switch kind {
	case valueInt64:
		return i
	case valueDouble:
		return d
	case valueBytes:
		return goBytes(p, n)
	case valuePointer:
		if h, ok := unboxPointer(p); ok {
			return h.Value()
		}
		return ForeignPointer(p)
	}
	return nil
}
