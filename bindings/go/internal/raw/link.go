// Package raw is the C contract of libasyncore as SWIG generates it from
// the shared interface (raw.i includes bindings/swig/asyncore.i, which
// reads the Go part, bindings/go/go.i): one Go function per C function,
// opaque handles as uintptr-based types. It is internal to the binding;
// package asyncore is its only user.
//
// The generated files (raw.go, raw_wrap.c) are made by `go generate` in a
// checkout of the repository (the Meson build runs it too) and are not
// committed; a copy of the binding's folder taken after that builds
// anywhere, with only the library found by pkg-config.
package raw

//go:generate sh generate.sh

// #cgo pkg-config: libasyncore
import "C"
