// Package raw is the C contract of libasyncore as SWIG generates it from
// raw.swig: one Go function per C function, opaque handles as uintptr-based
// types. It is internal to the binding; package asyncore is its only user.
package raw

// #cgo pkg-config: libasyncore
import "C"
