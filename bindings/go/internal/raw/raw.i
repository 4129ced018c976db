/*
 * raw.i — what SWIG reads for the package raw (generate.sh, run by
 * `go generate`, makes raw.go and raw_wrap.c from it). It only includes the
 * shared interface, bindings/swig/asyncore.i, which reads the Go part
 * (bindings/go/go.i) when SWIG runs for Go. SWIG runs in this folder with
 * bindings/go and the library's headers on its -I path.
 */
%include "../../../swig/asyncore.i"
