// TLS streams through the face: TlsContext, open_connection and
// start_server with a context, start_tls; certificates made at test time.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "face_test_util.hpp"

#ifndef TLS_DIR
#error TLS_DIR (the tests/tls folder) must be defined
#endif

namespace {
using namespace facetest;

std::string certs;

std::string cert(const char *name) { return certs + "/" + name; }

class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/asyncore-cpptls-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    certs = tmpl;
    std::string cmd = std::string("sh ") + TLS_DIR + "/make_certs.sh " + certs + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  static void TearDownTestSuite() {
    std::string cmd = "rm -rf " + certs;
    (void)std::system(cmd.c_str());
  }
  void SetUp() override {
    if (ac_tls_available() == 0) GTEST_SKIP() << "built without TLS";
  }
};

ac::Task<> echo(ac::Stream s) {
  for (;;) {
    std::string line = co_await s.readline();
    if (line.empty()) break;
    s.write(line);
    co_await s.drain();
  }
  s.close();
}

ac::Task<> round_trip() {
  auto sctx = ac::TlsContext::server();
  sctx.load_cert_chain(cert("server.pem"), cert("server.key")).set_alpn_protocols({"h2"});
  auto server = ac::start_server(echo, "127.0.0.1", 0, sctx);
  auto cctx = ac::TlsContext::client();
  cctx.load_verify_locations(cert("ca.pem")).set_alpn_protocols({"h2", "http/1.1"});
  ac::Stream c = co_await ac::open_connection("127.0.0.1", server.port(), cctx, "localhost");
  EXPECT_TRUE(ac::is_tls(c));
  EXPECT_EQ(ac::tls_version(c), "TLSv1.3");
  EXPECT_EQ(ac::tls_alpn(c), "h2");
  EXPECT_EQ(ac::tls_peer_subject(c), "CN=localhost");
  EXPECT_FALSE(ac::tls_peer_certificate(c).empty());
  c.write("hello\nworld\n");
  EXPECT_EQ(co_await c.readline(), "hello\n");
  EXPECT_EQ(co_await c.readuntil("\n"), "world\n");
  c.close();
  co_await c.wait_closed();
  server.close();
  co_await server.wait_closed();
}
TEST_F(Tls, RoundTripWithVerificationAndAlpn) { ac::run(round_trip()); }

ac::Task<> refused() {
  auto sctx = ac::TlsContext::server();
  sctx.load_cert_chain(cert("expired.pem"), cert("expired.key"));
  auto server = ac::start_server(echo, "127.0.0.1", 0, sctx);
  auto cctx = ac::TlsContext::client();
  cctx.load_verify_locations(cert("ca.pem"));
  std::string cls, msg;
  try {
    ac::Stream c = co_await ac::open_connection("127.0.0.1", server.port(), cctx, "localhost");
  } catch (const ac::Error &e) {
    cls = e.asyncio_class();
    msg = e.what();
  }
  EXPECT_EQ(cls, "SSLCertVerificationError");
  EXPECT_NE(msg.find("certificate has expired"), std::string::npos) << msg;
  server.close();
  co_await server.wait_closed();
}
TEST_F(Tls, ExpiredCertificateRefused) { ac::run(refused()); }

ac::Task<> starttls_server(ac::Stream s, ac::TlsContext ctx) {
  EXPECT_EQ(co_await s.readline(), "STARTTLS\n");
  s.write("GO\n");
  co_await ac::start_tls(s, ctx);
  std::string line = co_await s.readline();
  s.write("tls:" + line);
  co_await s.drain();
  s.close();
}

ac::Task<> start_tls_both_ways() {
  auto sctx = ac::TlsContext::server();
  sctx.load_cert_chain(cert("server.pem"), cert("server.key"));
  auto server = ac::start_server([sctx](ac::Stream s) { return starttls_server(std::move(s), sctx); },
                                 "127.0.0.1", 0);
  ac::Stream c = co_await ac::open_connection("127.0.0.1", server.port());
  c.write("STARTTLS\n");
  EXPECT_EQ(co_await c.readline(), "GO\n");
  auto cctx = ac::TlsContext::client();
  cctx.load_verify_locations(cert("ca.pem"));
  co_await ac::start_tls(c, cctx, "localhost");
  c.write("x\n");
  EXPECT_EQ(co_await c.read(), "tls:x\n");
  EXPECT_EQ(co_await c.read(), "");  // the server's close_notify
  server.close();
  co_await server.wait_closed();
}
TEST_F(Tls, StartTlsOnAPlainConnection) { ac::run(start_tls_both_ways()); }

}  // namespace
