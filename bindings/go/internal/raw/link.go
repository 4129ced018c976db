// Package raw is the C contract of libasyncore as SWIG generates it from
// the shared interface (raw.swig includes bindings/swig/asyncore.i, which
// reads the Go part, bindings/go/go.i): one Go function per C function,
// opaque handles as uintptr-based types. It is internal to the binding;
// package asyncore is its only user.
package raw

// The go tool passes the -I options of these flags on to SWIG as well: the
// library's headers (from pkg-config) and the folder of go.i.

// #cgo pkg-config: libasyncore
// #cgo CPPFLAGS: -I${SRCDIR}/../..
import "C"
