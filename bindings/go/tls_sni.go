package asyncore

// The TLS extras that call C directly: a server's SNI choice
// (GetConfigForClient) and certificates from PEM bytes.

/*
#cgo pkg-config: libasyncore
#include "gotls.h"
*/
import "C"

import (
	"sync"
	"unsafe"

	"libasyncore.org/go/asyncore/internal/raw"
)

// ClientHelloInfo is what a server's GetConfigForClient learns of a
// client's hello (crypto/tls's, reduced to what the library passes on).
type ClientHelloInfo struct {
	// ServerName: the name the client asked for (SNI); never empty (a
	// client that sends none causes no call).
	ServerName string
}

// sniChooser is the state behind a context's SNI callback: the user's
// function and the C contexts built for the configurations it returned,
// released with the callback.
type sniChooser struct {
	choose func(*ClientHelloInfo) (*TLSConfig, error)
	mu     sync.Mutex
	built  map[*TLSConfig]raw.SwigcptrTls_context
}

func (s *sniChooser) freed() {
	s.mu.Lock()
	for _, c := range s.built {
		raw.Tls_context_unref(c)
	}
	s.built = nil
	s.mu.Unlock()
}

// acgoSniChoose runs during a handshake, on the loop's thread: the C
// context of the configuration chosen for name, or 0 to keep the current
// one (also after an error or a panic: nothing may unwind into C).
//
//export acgoSniChoose
func acgoSniChoose(name *C.char, h C.uintptr_t) (out C.uintptr_t) {
	defer func() {
		if recover() != nil {
			out = 0
		}
	}()
	s, ok := handle(uintptr(h)).Value().(*sniChooser)
	if !ok {
		return 0
	}
	cfg, err := s.choose(&ClientHelloInfo{ServerName: C.GoString(name)})
	if err != nil || cfg == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.built == nil {
		return 0
	}
	if c, ok := s.built[cfg]; ok {
		return C.uintptr_t(c)
	}
	c, err := cfg.tlsContext(true)
	if err != nil {
		return 0
	}
	s.built[cfg] = c
	return C.uintptr_t(c)
}

func setSNI(ctx raw.SwigcptrTls_context, choose func(*ClientHelloInfo) (*TLSConfig, error)) int {
	h := newHandle(&sniChooser{choose: choose, built: map[*TLSConfig]raw.SwigcptrTls_context{}})
	// On failure the library has released the handle already.
	return int(C.acgo_tls_set_sni(C.uintptr_t(ctx), C.uintptr_t(h)))
}

func bytesPtr(b []byte) *C.char {
	if len(b) == 0 {
		return nil
	}
	return (*C.char)(unsafe.Pointer(&b[0]))
}

func loadCertPEM(ctx raw.SwigcptrTls_context, cert, key []byte) int {
	return int(C.acgo_tls_load_cert_pem(C.uintptr_t(ctx), bytesPtr(cert), C.size_t(len(cert)),
		bytesPtr(key), C.size_t(len(key))))
}

func loadVerifyPEM(ctx raw.SwigcptrTls_context, pem []byte) int {
	return int(C.acgo_tls_load_verify_pem(C.uintptr_t(ctx), bytesPtr(pem), C.size_t(len(pem))))
}
