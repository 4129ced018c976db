// to_thread, Executor and ThreadsafeFuture through the face.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "face_test_util.hpp"

namespace {
using namespace facetest;

ac::Task<> runs_on_a_worker() {
  auto loop_thread = std::this_thread::get_id();
  auto worker_thread = co_await ac::to_thread([] { return std::this_thread::get_id(); });
  EXPECT_NE(worker_thread, loop_thread);
  std::string s = co_await ac::to_thread([] { return std::string("from a worker"); });
  EXPECT_EQ(s, "from a worker");
  int calls = 0;
  co_await ac::to_thread([&calls] { ++calls; });
  EXPECT_EQ(calls, 1);
}
TEST(ToThread, RunsTheCallableOnAWorkerAndGivesItsResult) { run_v(runs_on_a_worker()); }

struct DiskError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

ac::Task<> worker_exception() {
  try {
    co_await ac::to_thread([]() -> int { throw DiskError("disk full"); });
    ADD_FAILURE();
  } catch (const DiskError &e) {
    EXPECT_STREQ(e.what(), "disk full");
  }
}
TEST(ToThread, WorkerExceptionKeepsItsType) { run_v(worker_exception()); }

ac::Task<> cancelled_before_start(ac::Executor *ex) {
  ac::ThreadsafeFuture gate;
  std::atomic<bool> second_ran{false};
  auto first = ac::create_task(ac::to_thread(*ex, [gate] { gate.wait(); }));
  auto second = ac::create_task(ac::to_thread(*ex, [&second_ran] { second_ran = true; }));
  co_await ac::sleep(0);  // both submitted; the one thread is busy with the first
  co_await ac::sleep(0);
  second.cancel();
  EXPECT_THROW(co_await second, ac::CancelledError);
  gate.set_result();
  co_await first;
  EXPECT_FALSE(second_ran.load());
}
TEST(ToThread, WorkCancelledBeforeItStartsNeverRuns) {
  ac::Executor ex(1);
  run_v(cancelled_before_start(&ex));
  ex.shutdown(AC_EXECUTOR_WAIT);
}

ac::Task<> threadsafe_future() {
  ac::ThreadsafeFuture f;
  std::thread t([f] {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    f.set_result(int64_t{99});
  });
  int64_t v = co_await f.as<int64_t>();
  EXPECT_EQ(v, 99);
  EXPECT_TRUE(f.done());
  EXPECT_EQ(f.result<int64_t>(), 99);
  t.join();
  ac::ThreadsafeFuture g;
  std::thread u([g] { g.set_exception(std::make_exception_ptr(DiskError("far away"))); });
  EXPECT_THROW(co_await g, DiskError);
  u.join();
}
TEST(ThreadsafeFuture, CompletedFromAnotherThreadWakesTheTask) { run_v(threadsafe_future()); }

TEST(ThreadsafeFuture, BlockingWaitWithTimeout) {
  ac::ThreadsafeFuture f;
  EXPECT_FALSE(f.wait(0));
  std::thread t([f] { f.set_result(std::string("done")); });
  EXPECT_TRUE(f.wait(-1));
  EXPECT_EQ(f.result<std::string>(), "done");
  t.join();
}

}  // namespace
