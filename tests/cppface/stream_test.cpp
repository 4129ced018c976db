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

// A read woken by its data and cancelled in that same iteration, before it
// runs, loses nothing: the line stays for the next read. The server holds
// two connections (a trigger, then the reader's) and, on one event, writes
// a line to each in that order, so both lines are in before the client's
// next poll: the trigger's reader runs first and cancels the other read,
// whose data has just come in.
ac::Event *write_now = nullptr;
ac::Event *both_connected = nullptr;
int writers = 0;

ac::Task<> late_writer(ac::Stream s) {
  if (++writers == 2) both_connected->set();
  co_await write_now->wait();
  s.write("late\n");
  co_await s.drain();
  co_await s.read();  // until the client ends
}

ac::Task<std::string> read_line(ac::Stream &s) { co_return co_await s.readline(); }

ac::Task<> cancelled_read_loses_nothing() {
  ac::Event go, both;
  write_now = &go;
  both_connected = &both;
  writers = 0;
  auto server = ac::start_server(late_writer, "127.0.0.1", 0);
  ac::Stream trigger = co_await ac::open_connection("127.0.0.1", server.port());
  ac::Stream c = co_await ac::open_connection("127.0.0.1", server.port());
  co_await both.wait();
  auto reader = ac::create_task(read_line(c));
  bool cancelled_it = false;
  auto canceller = ac::create_task([](ac::Stream &t, ac::TaskHandle<std::string> &r, bool &done) -> ac::Task<> {
    EXPECT_EQ(co_await t.readline(), "late\n");
    done = r.cancel();  // the reader is woken (its line is in) but has not run
  }(trigger, reader, cancelled_it));
  co_await ac::sleep(0);  // both reads wait
  go.set();
  co_await canceller;
  EXPECT_TRUE(cancelled_it);
  EXPECT_THROW(co_await reader, ac::CancelledError);
  // Nothing lost: the line is still there (a bounded wait, so that a lost
  // line fails the test instead of hanging it).
  try {
    EXPECT_EQ(co_await ac::wait_for(read_line(c), 1.0), "late\n");
  } catch (const ac::TimeoutError &) {
    ADD_FAILURE() << "the line the cancelled read was woken for is lost";
  }
  c.write_eof();
  trigger.write_eof();
  EXPECT_THROW(co_await c.readexactly(10), ac::IncompleteReadError);  // EOF before 10 bytes
  server.close();
  write_now = nullptr;
  both_connected = nullptr;
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
