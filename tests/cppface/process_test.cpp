// Child processes, signals and pipes through the face: real children
// (/bin/sh, cat), real signals, a real pipe.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include "face_test_util.hpp"

namespace {
using namespace facetest;

ac::Task<> exec_and_read() {
  ac::Process p = ac::create_subprocess_exec({"echo", "one", "two"},
                                             ac::ProcessOptions().stdout_pipe());
  EXPECT_GT(p.pid(), 0);
  EXPECT_FALSE(p.returncode().has_value() && *p.returncode() != 0);
  EXPECT_EQ(co_await p.stdout_stream().readline(), "one two\n");
  EXPECT_EQ(co_await p.wait(), 0);
  EXPECT_EQ(p.returncode(), 0);
}
TEST(Process, ExecAndReadALine) { ac::run(exec_and_read()); }

ac::Task<> communicate() {
  ac::Process p = ac::create_subprocess_shell(
      "tr a-z A-Z; echo err >&2; exit 4",
      ac::ProcessOptions().stdin_pipe().stdout_pipe().stderr_pipe());
  ac::ProcessOutput out = co_await p.communicate("hello\n");
  EXPECT_EQ(out.out, "HELLO\n");
  EXPECT_EQ(out.err, "err\n");
  EXPECT_EQ(p.returncode(), 4);
}
TEST(Process, Communicate) { ac::run(communicate()); }

ac::Task<> killed() {
  ac::Process p = ac::create_subprocess_exec({"sleep", "30"});
  p.terminate();
  EXPECT_EQ(co_await p.wait(), -SIGTERM);
}
TEST(Process, TerminatedChildHasNegativeReturncode) { ac::run(killed()); }

ac::Task<> not_found() {
  try {
    ac::Process p = ac::create_subprocess_exec({"/nonexistent/program"});
    ADD_FAILURE() << "started";
  } catch (const ac::Error &e) {
    EXPECT_EQ(e.code(), AC_ENOENT);
    EXPECT_STREQ(e.asyncio_class(), "FileNotFoundError");
  }
  co_return;
}
TEST(Process, NotFoundIsFileNotFoundError) { ac::run(not_found()); }

// A timeout around wait() cancels the wait, not the child.
ac::Task<> timeout_keeps_child() {
  ac::Process p = ac::create_subprocess_exec({"sleep", "30"});
  bool timed_out = false;
  try {
    co_await ac::timeout(0.2, [](ac::Process &p) -> ac::Task<> { co_await p.wait(); }(p));
  } catch (const ac::TimeoutError &) {
    timed_out = true;
  }
  EXPECT_TRUE(timed_out);
  EXPECT_FALSE(p.returncode().has_value());
  p.kill();
  EXPECT_EQ(co_await p.wait(), -SIGKILL);
}
TEST(Process, TimeoutDoesNotKill) { ac::run(timeout_keeps_child()); }

ac::Task<> signals() {
  ac::SignalSet sigs({SIGUSR1, SIGUSR2});
  kill(getpid(), SIGUSR2);
  EXPECT_EQ(co_await sigs.wait(), SIGUSR2);
  kill(getpid(), SIGUSR1);
  EXPECT_EQ(co_await sigs.wait(), SIGUSR1);
}
TEST(Signals, SignalSetDeliversInOrder) {
  ac::run(signals());
  struct sigaction sa;
  sigaction(SIGUSR1, nullptr, &sa);
  EXPECT_EQ(sa.sa_handler, SIG_DFL);  // removed with the set
}

TEST(Signals, KillCannotBeCaught) {
  ac::run([]() -> ac::Task<> {
    EXPECT_THROW(ac::SignalSet({SIGKILL}), ac::RuntimeError);
    co_return;
  }());
}

ac::Task<> pipes() {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  ac::Stream r = ac::connect_read_pipe(fds[0]);
  ac::Stream w = ac::connect_write_pipe(fds[1]);
  w.write("through a pipe\n");
  co_await w.drain();
  EXPECT_EQ(co_await r.readline(), "through a pipe\n");
  r.close();
  co_await r.wait_closed();
  bool broken = false;
  try {
    w.write("x");  // the reader is gone: EPIPE at once, no SIGPIPE
  } catch (const ac::Error &e) {
    broken = e.code() == AC_EPIPE;
  }
  EXPECT_TRUE(broken);
}
TEST(Pipes, ReadAndWritePipesAndEpipe) { ac::run(pipes()); }

}  // namespace
