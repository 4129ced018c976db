// Streams and servers through the face (TCP on 127.0.0.1, port 0).
#include <gtest/gtest.h>

#include "face_test_util.hpp"

namespace {
using namespace facetest;

ac::Task<> upper_echo(ac::Stream s) {
  for (;;) {
    std::string line = co_await s.readline();
    if (line.empty()) break;
    for (char &c : line) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    s.write(line);
    co_await s.drain();
  }
  s.close();
}

ac::Task<> round_trip() {
  auto server = ac::start_server(upper_echo, "127.0.0.1", 0);
  ac::Stream c = co_await ac::open_connection("127.0.0.1", server.port());
  c.write("hello\nworld\n");
  EXPECT_EQ(co_await c.readline(), "HELLO\n");
  EXPECT_EQ(co_await c.readexactly(3), "WOR");
  EXPECT_EQ(co_await c.readuntil("\n"), "LD\n");
  c.write_eof();
  EXPECT_EQ(co_await c.read(), "");
  EXPECT_TRUE(c.at_eof());
  c.close();
  co_await c.wait_closed();
  EXPECT_EQ(server.accepted(), 1);
  server.close();
  co_await server.wait_closed();
}
TEST(Stream, RoundTripThroughAServer) { ac::run(round_trip()); }

ac::Task<> silent(ac::Stream s) {
  co_await s.read();  // until the client ends
}

// The server writes its line only once the client says its read has timed
// out: the order comes from the event, not from two clocks' margin.
ac::Event *timed_out = nullptr;

ac::Task<> late_writer(ac::Stream s) {
  co_await timed_out->wait();
  s.write("late\n");
  co_await s.drain();
  co_await s.read();  // until the client ends
}

ac::Task<> cancelled_read_loses_nothing() {
  ac::Event ev;
  timed_out = &ev;
  auto server = ac::start_server(late_writer, "127.0.0.1", 0);
  ac::Stream c = co_await ac::open_connection("127.0.0.1", server.port());
  try {
    co_await ac::wait_for([](ac::Stream &s) -> ac::Task<std::string> { co_return co_await s.readline(); }(c),
                          0.05);
    ADD_FAILURE();
  } catch (const ac::TimeoutError &) {
  }
  ev.set();
  EXPECT_EQ(co_await c.readline(), "late\n");
  c.write_eof();
  EXPECT_THROW(co_await c.readexactly(10), ac::IncompleteReadError);  // EOF before 10 bytes
  server.close();
  timed_out = nullptr;
}
TEST(Stream, ACancelledReadLosesNoData) { ac::run(cancelled_read_loses_nothing()); }

ac::Task<> refused() {
  // Bind a port, close the server, then connect to it: refused.
  int port;
  {
    auto server = ac::start_server(silent, "127.0.0.1", 0);
    port = server.port();
    server.close();
    co_await server.wait_closed();
  }
  try {
    co_await ac::open_connection("127.0.0.1", port);
    ADD_FAILURE();
  } catch (const ac::OSError &e) {
    EXPECT_EQ(e.code(), AC_ECONNREFUSED);
    EXPECT_STREQ(e.asyncio_class(), "ConnectionRefusedError");
  }
}
TEST(Stream, ConnectionRefusedIsAnError) { ac::run(refused()); }

}  // namespace
