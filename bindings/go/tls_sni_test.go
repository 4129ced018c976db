package asyncore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A server configured from PEM bytes that picks a second configuration by
// SNI (GetConfigForClient); the client trusts the CA from PEM bytes too.
func TestTLSSNIAndPEMInMemory(t *testing.T) {
	dir := testCerts(t)
	pem := func(n string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	other := &TLSConfig{Certificates: []TLSCertificate{{CertPEM: pem("other.pem"), KeyPEM: pem("other.key")}}}
	var asked []string
	srvCfg := &TLSConfig{
		// The key after the chain, in the same bytes.
		Certificates: []TLSCertificate{{CertPEM: append(pem("server.pem"), pem("server.key")...)}},
		GetConfigForClient: func(h *ClientHelloInfo) (*TLSConfig, error) {
			asked = append(asked, h.ServerName)
			if h.ServerName == "other.test" {
				return other, nil
			}
			return nil, nil
		},
	}
	var got []string
	var badClass string
	_, err := Run(func(co *Co) (any, error) {
		srv, err := co.Loop().StartTLSServer("127.0.0.1", 0, srvCfg, func(co *Co, s *Stream) error {
			line, err := s.ReadLine(co)
			if err != nil {
				return err
			}
			s.Write(line)
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, name := range []string{"other.test", "localhost"} {
			cfg := &TLSConfig{RootCAPEM: pem("ca.pem"), ServerName: name}
			s, err := co.DialTLS("127.0.0.1", srv.Port(), cfg)
			if err != nil {
				return nil, err
			}
			s.Write([]byte("x\n"))
			line, err := s.ReadLine(co)
			if err != nil {
				return nil, err
			}
			got = append(got, strings.TrimSpace(string(line))+" "+s.TLSPeerSubject())
			s.Close()
		}
		// PEM bytes that are no certificate: refused with OpenSSL's reason.
		bad := &TLSConfig{Certificates: []TLSCertificate{{CertPEM: []byte("not PEM")}}}
		if _, err := bad.tlsContext(true); err != nil {
			if e, ok := err.(interface{ Class() string }); ok {
				badClass = e.Class()
			}
		}
		srv.Close()
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.Join(got, ", "); s != "x CN=other.test, x CN=localhost" {
		t.Fatalf("got %q", s)
	}
	if s := strings.Join(asked, ","); s != "other.test,localhost" {
		t.Fatalf("asked %q", s)
	}
	if badClass != "SSLError" {
		t.Fatalf("bad PEM: %q", badClass)
	}
}
