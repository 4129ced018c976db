// Socket options, happy eyeballs, servers closing their clients,
// serve_forever and sendfile through the face (TCP on 127.0.0.1).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <vector>

#include "face_test_util.hpp"

namespace {
using namespace facetest;
using namespace std::chrono_literals;

int option(int fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof v;
  getsockopt(fd, level, name, &v, &len);
  return v;
}

std::vector<ac::Stream> *kept = nullptr;
ac::Task<> keep(ac::Stream s) {
  kept->push_back(std::move(s));
  co_return;
}

ac::Task<> options() {
  std::vector<ac::Stream> conns;
  kept = &conns;
  ac::ServerOptions so;
  so.reuse_port = true;
  auto server = ac::start_server(keep, "127.0.0.1", 0, so);
  EXPECT_EQ(option(server.fileno(), SOL_SOCKET, SO_REUSEPORT), 1);
  ac::ConnectOptions co;
  co.nodelay = false;
  co.local_host = "127.0.0.2";
  ac::Stream c = co_await ac::open_connection("127.0.0.1", server.port(), co);
  EXPECT_FALSE(c.nodelay());
  EXPECT_EQ(c.local_address().rfind("127.0.0.2:", 0), 0u);
  c.set_nodelay(true);
  EXPECT_EQ(option(c.fileno(), IPPROTO_TCP, TCP_NODELAY), 1);
  c.set_keepalive(true, 60s, 10s, 3);
  EXPECT_EQ(option(c.fileno(), SOL_SOCKET, SO_KEEPALIVE), 1);
  EXPECT_EQ(option(c.fileno(), IPPROTO_TCP, TCP_KEEPIDLE), 60);
  EXPECT_EQ(option(c.fileno(), IPPROTO_TCP, TCP_KEEPINTVL), 10);
  EXPECT_EQ(option(c.fileno(), IPPROTO_TCP, TCP_KEEPCNT), 3);
  try {
    c.set_keepalive(true, -1s);
    ADD_FAILURE() << "no error";
  } catch (const ac::Error &e) {
    EXPECT_EQ(e.code(), AC_EINVAL);
  }
  c.close();
  server.close();
  EXPECT_EQ(server.close_clients(), 1);
  co_await server.wait_closed();
  EXPECT_EQ(server.connections(), 0);
  kept = nullptr;
}
TEST(SockOpt, OptionsReadBack) { ac::run(options()); }

// A refused address first, then one that answers: raced.
ac::Task<> happy_eyeballs() {
  std::vector<ac::Stream> conns;
  kept = &conns;
  auto server = ac::start_server(keep, "127.0.0.1", 0);
  ac::ConnectOptions co;
  co.happy_eyeballs_delay = 0.05s;
  std::vector<std::string> addrs;
  addrs.emplace_back("127.0.0.3");
  addrs.emplace_back("127.0.0.1");
  ac::Stream c = co_await ac::open_connection_addresses(addrs, server.port(), co);
  EXPECT_EQ(c.peer_address(), "127.0.0.1:" + std::to_string(server.port()));
  c.close();
  server.close();
  server.abort_clients();
  co_await server.wait_closed();
  kept = nullptr;
}
TEST(SockOpt, HappyEyeballsPassesARefusedAddress) { ac::run(happy_eyeballs()); }

ac::Task<> forever() {
  std::vector<ac::Stream> conns;
  kept = &conns;
  auto server = ac::start_server(keep, "127.0.0.1", 0);
  auto closer = [](ac::Server *s) -> ac::Task<> {
    co_await ac::sleep(0.01);
    s->close();
  };
  auto t = ac::create_task(closer(&server));
  EXPECT_THROW(co_await server.serve_forever(), ac::CancelledError);
  co_await t;
  EXPECT_FALSE(server.is_serving());
  kept = nullptr;
}
TEST(SockOpt, ServeForeverEndsWithClose) { ac::run(forever()); }

ac::Task<> sendfile() {
  std::vector<ac::Stream> conns;
  kept = &conns;
  auto server = ac::start_server(keep, "127.0.0.1", 0);
  ac::Stream c = co_await ac::open_connection("127.0.0.1", server.port());
  while (conns.empty()) co_await ac::sleep(0.001);
  std::string path = "/tmp/ac-cppface-sendfile-" + std::to_string(getpid());
  FILE *fp = std::fopen(path.c_str(), "wb");
  std::fputs("0123456789abcdef", fp);
  std::fclose(fp);
  EXPECT_EQ(co_await conns[0].sendfile(path, 4, 6), 6);
  EXPECT_EQ(co_await c.readexactly(6), "456789");
  unlink(path.c_str());
  c.close();
  server.close();
  server.close_clients();
  co_await server.wait_closed();
  kept = nullptr;
}
TEST(SockOpt, Sendfile) { ac::run(sendfile()); }

}  // namespace

namespace {
using namespace facetest;

ac::Task<> udp_and_dns() {
  auto a = ac::DatagramEndpoint::bind("127.0.0.1", 0);
  auto b = ac::DatagramEndpoint::bind("127.0.0.1", 0);
  ac::SocketAddress at = a.local_address();
  EXPECT_EQ(at.host, "127.0.0.1");
  EXPECT_EQ(at.family, 4);
  EXPECT_GT(at.port, 0);
  b.send("ping", at);
  ac::Datagram d = co_await a.recvfrom();
  EXPECT_EQ(d.data, "ping");
  EXPECT_EQ(d.sender, b.local_address());
  b.connect("127.0.0.1", at.port);
  b.send("two\nlines");
  EXPECT_EQ((co_await a.recvfrom()).data, "two\nlines");
  a.send("pong", d.sender);
  EXPECT_EQ(co_await b.recv(), "pong");
  a.close();
  try {
    (void)co_await a.recv();
    ADD_FAILURE() << "no error";
  } catch (const ac::Error &e) {
    EXPECT_EQ(e.code(), AC_ECLOSED);
  }

  std::vector<ac::SocketAddress> v4 = co_await ac::getaddrinfo("127.0.0.1", 80);
  EXPECT_EQ(v4.size(), 1u);
  if (v4.empty()) co_return;
  EXPECT_EQ(v4[0].text(), "127.0.0.1:80");
  std::vector<ac::SocketAddress> dg =
      co_await ac::getaddrinfo("127.0.0.1", "8080", ac::Family::ipv4, ac::SockType::dgram);
  EXPECT_EQ(dg.size(), 1u);
  if (dg.empty()) co_return;
  EXPECT_EQ(dg[0].port, 8080);
  ac::SocketAddress v6 = ac::SocketAddress::parse("[::1]:8080");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.family, 6);
  EXPECT_EQ(v6.text(), "[::1]:8080");
  ac::NameInfo n = co_await ac::getnameinfo(v4[0], AC_NI_NUMERICHOST | AC_NI_NUMERICSERV);
  EXPECT_EQ(n.host, "127.0.0.1");
  EXPECT_EQ(n.service, "80");
}
TEST(Udp, TypedEndpointsAndResolution) { ac::run(udp_and_dns()); }

ac::Task<> udp_options() {
  auto a = ac::DatagramEndpoint::bind("127.0.0.1", 0, {.reuse_port = true, .allow_broadcast = true});
  int port = a.local_address().port;
  auto b = ac::DatagramEndpoint::bind("127.0.0.1", port, {.reuse_port = true});
  EXPECT_EQ(option(a.fileno(), SOL_SOCKET, SO_REUSEPORT), 1);
  EXPECT_EQ(option(a.fileno(), SOL_SOCKET, SO_BROADCAST), 1);
  EXPECT_EQ(option(b.fileno(), SOL_SOCKET, SO_BROADCAST), 0);
  EXPECT_EQ(b.local_address().port, port);
  try {
    b.send("x", "127.255.255.255:9");
    ADD_FAILURE() << "broadcast allowed";
  } catch (const ac::Error &e) {
    EXPECT_EQ(e.code(), -EACCES);
  }
  b.set_broadcast(true);
  b.send("x", "127.255.255.255:9");
  EXPECT_EQ(option(b.fileno(), SOL_SOCKET, SO_BROADCAST), 1);
  try {
    (void)ac::DatagramEndpoint::bind("127.0.0.1", port);
    ADD_FAILURE() << "bound without reuse_port";
  } catch (const ac::Error &e) {
    EXPECT_EQ(e.code(), AC_EADDRINUSE);
  }
  b.close();
  EXPECT_EQ(b.fileno(), -1);
  co_return;
}
TEST(Udp, ReusePortAndBroadcast) { ac::run(udp_options()); }

}  // namespace
