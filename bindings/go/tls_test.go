package asyncore

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"libasyncore.org/go/asyncore/internal/raw"
)

// TLS through the Go face: StartTLSServer and DialTLS against each other,
// with certificates made by tests/tls/make_certs.sh.
func TestTLSEchoAndRefusal(t *testing.T) {
	dir := testCerts(t)
	c := func(n string) string { return filepath.Join(dir, n) }
	var got, class string
	_, err := Run(func(co *Co) (any, error) {
		srvCfg := &TLSConfig{Certificates: []TLSCertificate{{CertFile: c("server.pem"), KeyFile: c("server.key")}}, NextProtos: []string{"h2"}}
		srv, err := co.Loop().StartTLSServer("127.0.0.1", 0, srvCfg, func(co *Co, s *Stream) error {
			for {
				line, err := s.ReadLine(co)
				if err != nil || len(line) == 0 {
					return err
				}
				s.Write(line)
			}
		})
		if err != nil {
			return nil, err
		}
		cfg := &TLSConfig{RootCAFile: c("ca.pem"), ServerName: "localhost", NextProtos: []string{"h2"}}
		s, err := co.DialTLS("127.0.0.1", srv.Port(), cfg)
		if err != nil {
			return nil, err
		}
		s.Write([]byte("hi\n"))
		line, err := s.ReadLine(co)
		if err != nil {
			return nil, err
		}
		got = strings.TrimSpace(string(line)) + " " + s.TLSVersion() + " " + s.NegotiatedProtocol() + " " + s.TLSPeerSubject()
		s.Close()
		bad := &TLSConfig{RootCAFile: c("ca.pem"), ServerName: "other.test"}
		if _, err := co.DialTLS("127.0.0.1", srv.Port(), bad); err != nil {
			if e, ok := err.(interface{ Class() string }); ok {
				class = e.Class()
			} else {
				class = err.Error()
			}
		}
		srv.Close()
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != "hi TLSv1.3 h2 CN=localhost" {
		t.Fatalf("got %q", got)
	}
	if class != "SSLCertVerificationError" {
		t.Fatalf("refusal: %q", class)
	}
}

// testCerts makes the test certificates (tests/tls/make_certs.sh: a CA, a
// server and a client certificate ...) in a fresh folder and returns it;
// the test is skipped in a build without TLS.
func testCerts(t *testing.T) string {
	t.Helper()
	if raw.Tls_available() == 0 {
		t.Skip("built without TLS")
	}
	dir := t.TempDir()
	script, _ := filepath.Abs("../../tests/tls/make_certs.sh")
	if out, err := exec.Command("sh", script, dir).CombinedOutput(); err != nil {
		t.Fatalf("make_certs.sh: %v %s", err, out)
	}
	return dir
}
