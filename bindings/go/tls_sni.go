package asyncore

// The TLS extras over helpers of go.i: a server's SNI choice
// (GetConfigForClient, called back through acgoSniChoose) and certificates
// from PEM bytes.

import (
	"sync"

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

// contextFor is the C context of the configuration chosen for name, or 0
// to keep the current one (also after an error).
func (s *sniChooser) contextFor(name string) uintptr {
	cfg, err := s.choose(&ClientHelloInfo{ServerName: name})
	if err != nil || cfg == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.built == nil {
		return 0
	}
	if c, ok := s.built[cfg]; ok {
		return uintptr(c)
	}
	c, err := cfg.tlsContext(true)
	if err != nil {
		return 0
	}
	s.built[cfg] = c
	return uintptr(c)
}

func setSNI(ctx raw.SwigcptrTls_context, choose func(*ClientHelloInfo) (*TLSConfig, error)) int {
	h := newHandle(&sniChooser{choose: choose, built: map[*TLSConfig]raw.SwigcptrTls_context{}})
	// On failure the handle has been released already.
	return raw.Acgo_tls_set_sni(ctx, fnSniChoose, uintptr(h), fnFreeHandle)
}

func loadCertPEM(ctx raw.SwigcptrTls_context, cert, key []byte) int {
	return raw.Acgo_tls_load_cert_pem(ctx, cert, key)
}

func loadVerifyPEM(ctx raw.SwigcptrTls_context, pem []byte) int {
	return raw.Acgo_tls_load_verify_pem(ctx, pem)
}
