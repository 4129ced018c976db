package asyncore

import (
	"strings"
	"time"

	"libasyncore.org/go/asyncore/internal/raw"
)

// TLS (tls.h): a Config shaped like crypto/tls's, mapped onto the
// library's OpenSSL context — no Go crypto is in the path. Handshake
// failures are errors whose Class() is "SSLCertVerificationError" or
// "SSLError", with OpenSSL's reason as the message.

// TLS protocol versions (crypto/tls's values).
const (
	VersionTLS12 = 0x0303
	VersionTLS13 = 0x0304
)

// ClientAuth says whether a server asks for client certificates
// (crypto/tls's ClientAuthType, reduced to what the library does).
type ClientAuth int

const (
	NoClientCert ClientAuth = iota
	VerifyClientCertIfGiven
	RequireAndVerifyClientCert
)

// TLSCertificate is a certificate chain and its key: PEM files, or PEM
// bytes in memory (CertPEM, KeyPEM; used when CertFile is ""; KeyPEM empty:
// the key is in CertPEM), as crypto/tls.X509KeyPair takes them.
type TLSCertificate struct {
	CertFile, KeyFile string
	CertPEM, KeyPEM   []byte
}

// TLSConfig configures TLS connections, after crypto/tls.Config.
type TLSConfig struct {
	// RootCAFile: PEM CA certificates to trust (clients: in addition to
	// the system's; servers: for client certificates).
	RootCAFile string
	// RootCAPEM: the same as PEM bytes in memory (in addition to
	// RootCAFile).
	RootCAPEM []byte
	// Certificates: this side's chain and key (the first one is used).
	Certificates []TLSCertificate
	// ServerName: the name a client sends (SNI) and checks; "" means the
	// host dialled.
	ServerName string
	// InsecureSkipVerify: a client that checks nothing (tests only).
	InsecureSkipVerify bool
	// NextProtos: ALPN protocols in order of preference.
	NextProtos             []string
	MinVersion, MaxVersion uint16
	ClientAuth             ClientAuth
	// HandshakeTimeout and ShutdownTimeout (asyncio's ssl_handshake_timeout
	// and ssl_shutdown_timeout; 0: 60 s and 30 s).
	HandshakeTimeout, ShutdownTimeout time.Duration
	// GetConfigForClient (servers): the configuration for the name a
	// client asks for (SNI), or nil to keep this one. It runs during the
	// handshake, on the loop's thread, and must not block; an error keeps
	// this configuration too. Each configuration returned is made into a
	// context once per connection's context and kept with it.
	GetConfigForClient func(*ClientHelloInfo) (*TLSConfig, error)
}

// tlsContext builds the C context for one side (loop thread or any).
func (c *TLSConfig) tlsContext(server bool) (raw.SwigcptrTls_context, error) {
	side := raw.AC_TLS_CLIENT
	if server {
		side = raw.AC_TLS_SERVER
	}
	var out uintptr
	if rc := raw.Tls_context_new(side, &out); rc < 0 {
		return 0, codeError(rc)
	}
	ctx := raw.SwigcptrTls_context(out)
	fail := func(rc int) (raw.SwigcptrTls_context, error) {
		err := codeError(rc)
		raw.Tls_context_unref(ctx)
		return 0, err
	}
	if c.RootCAFile != "" {
		if rc := raw.Acgo_tls_load_cafile(ctx, c.RootCAFile); rc < 0 {
			return fail(rc)
		}
	}
	if len(c.RootCAPEM) > 0 {
		if rc := loadVerifyPEM(ctx, c.RootCAPEM); rc < 0 {
			return fail(rc)
		}
	}
	if len(c.Certificates) > 0 {
		cert := c.Certificates[0]
		rc := 0
		if cert.CertFile == "" {
			rc = loadCertPEM(ctx, cert.CertPEM, cert.KeyPEM)
		} else {
			rc = raw.Tls_context_load_cert_chain(ctx, cert.CertFile, cert.KeyFile, "")
		}
		if rc < 0 {
			return fail(rc)
		}
	}
	if server && c.GetConfigForClient != nil {
		if rc := setSNI(ctx, c.GetConfigForClient); rc < 0 {
			return fail(rc)
		}
	}
	if !server && c.InsecureSkipVerify {
		raw.Tls_context_set_check_hostname(ctx, 0)
		raw.Tls_context_set_verify(ctx, raw.AC_TLS_VERIFY_NONE)
	}
	if server && c.ClientAuth != NoClientCert {
		mode := raw.AC_TLS_VERIFY_OPTIONAL
		if c.ClientAuth == RequireAndVerifyClientCert {
			mode = raw.AC_TLS_VERIFY_REQUIRED
		}
		if rc := raw.Tls_context_set_verify(ctx, mode); rc < 0 {
			return fail(rc)
		}
	}
	if len(c.NextProtos) > 0 {
		if rc := raw.Acgo_tls_set_alpn(ctx, strings.Join(c.NextProtos, ",")); rc < 0 {
			return fail(rc)
		}
	}
	if c.MinVersion != 0 {
		if rc := raw.Tls_context_set_min_version(ctx, int(c.MinVersion)); rc < 0 {
			return fail(rc)
		}
	}
	if c.MaxVersion != 0 {
		if rc := raw.Tls_context_set_max_version(ctx, int(c.MaxVersion)); rc < 0 {
			return fail(rc)
		}
	}
	return ctx, nil
}

// StartTLS upgrades s to TLS (StreamWriter.start_tls) as a client, or as
// a server when server is true, and waits for the handshake.
func (s *Stream) StartTLS(co *Co, config *TLSConfig, server bool) error {
	ctx, err := config.tlsContext(server)
	if err != nil {
		return err
	}
	defer raw.Tls_context_unref(ctx)
	name := ""
	if !server && !config.InsecureSkipVerify {
		name = config.ServerName
	}
	hs, sd := config.HandshakeTimeout.Seconds(), config.ShutdownTimeout.Seconds()
	_, err = s.await(co, func(out *uintptr) int {
		return raw.Acgo_stream_start_tls(s.c, ctx, name, hs, sd, out)
	})
	return err
}

// DialTLS connects to host:port and completes a TLS handshake
// (open_connection with ssl=); config.ServerName "" means host.
func (co *Co) DialTLS(host string, port int, config *TLSConfig) (*Stream, error) {
	s, err := co.OpenConnection(host, port)
	if err != nil {
		return nil, err
	}
	c := *config
	if c.ServerName == "" {
		c.ServerName = host
	}
	if err := s.StartTLS(co, &c, false); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// StartTLSServer listens on host:port (start_server with ssl=) and runs
// handler for every connection whose handshake succeeded; a failed
// handshake closes its connection quietly (asyncio logs it in debug mode).
func (l *Loop) StartTLSServer(host string, port int, config *TLSConfig, handler func(co *Co, s *Stream) error) (*Server, error) {
	c := *config
	return l.StartServer(host, port, func(co *Co, s *Stream) error {
		if err := s.StartTLS(co, &c, true); err != nil {
			s.Close()
			return nil
		}
		return handler(co, s)
	})
}

func (s *Stream) tlsInfo(what int) string {
	str, err := s.loop.stringCall(func(out *uintptr) int {
		return raw.Acgo_stream_tls_info(s.c, what, out)
	})
	if err != nil {
		return ""
	}
	return str
}

// TLSVersion is "TLSv1.3" …, "" for a plain stream.
func (s *Stream) TLSVersion() string { return s.tlsInfo(int(raw.AC_TLS_INFO_VERSION)) }

// TLSCipher is the cipher suite's name.
func (s *Stream) TLSCipher() string { return s.tlsInfo(int(raw.AC_TLS_INFO_CIPHER)) }

// NegotiatedProtocol is the ALPN protocol chosen ("" for none).
func (s *Stream) NegotiatedProtocol() string { return s.tlsInfo(int(raw.AC_TLS_INFO_ALPN)) }

// TLSPeerSubject is the peer certificate's subject ("CN=localhost").
func (s *Stream) TLSPeerSubject() string { return s.tlsInfo(int(raw.AC_TLS_INFO_PEER_SUBJECT)) }
