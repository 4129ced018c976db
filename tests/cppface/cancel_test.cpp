// Cancellation of suspended coroutines: where it lands and what it releases.
#include <gtest/gtest.h>

#include "face_test_util.hpp"

namespace {
using namespace facetest;

ac::Task<int> sleeper(Trace *tr) {
  Tracked guard("sleeper-local");
  try {
    co_await ac::sleep(10);
  } catch (const ac::CancelledError &e) {
    (*tr)("cancelled: " + e.message() + " at " + std::to_string(now()));
    throw;
  }
  co_return 1;
}

ac::Task<> cancel_suspended(Trace *tr) {
  auto t = ac::create_task(sleeper(tr));
  co_await ac::sleep(1);
  EXPECT_TRUE(t.cancel("stop"));
  EXPECT_EQ(t.cancelling(), 1);
  try {
    co_await t;
    ADD_FAILURE();
  } catch (const ac::CancelledError &e) {
    (*tr)("awaiter: " + e.message());
  }
  EXPECT_TRUE(t.cancelled());
  EXPECT_FALSE(t.cancel());  // already done
}

TEST(Cancel, SuspendedCoroutineSeesCancelledErrorAtItsAwait) {
  Trace tr;
  Tracked::alive = 0;
  run_v(cancel_suspended(&tr));
  EXPECT_EQ(tr.text(), "cancelled: stop at 1.000000\nawaiter: stop\n");
  EXPECT_EQ(Tracked::alive, 0);
}

ac::Task<> level(int n, Trace *tr) {
  Tracked local("level" + std::to_string(n));
  if (n == 0) {
    co_await ac::sleep(100);
  } else {
    co_await level(n - 1, tr);
  }
  (*tr)("unreachable");
}

ac::Task<> cancel_nested(std::vector<std::string> *log) {
  Tracked::log = log;
  auto t = ac::create_task(level(2, nullptr));
  co_await ac::sleep(1);
  t.cancel();
  EXPECT_THROW(co_await t, ac::CancelledError);
  Tracked::log = nullptr;
}

TEST(Cancel, NestedFramesUnwindInnermostFirst) {
  std::vector<std::string> log;
  Tracked::alive = 0;
  run_v(cancel_nested(&log));
  EXPECT_EQ(log, (std::vector<std::string>{"~level0", "~level1", "~level2"}));
  EXPECT_EQ(Tracked::alive, 0);
}

ac::Task<> never_started(Tracked, bool *ran) {
  *ran = true;
  co_return;
}

ac::Task<> cancel_before_start() {
  bool ran = false;
  auto t = ac::create_task(never_started(Tracked("param"), &ran));
  t.cancel();
  EXPECT_THROW(co_await t, ac::CancelledError);
  EXPECT_FALSE(ran);
  EXPECT_EQ(Tracked::alive, 0);  // the frame is gone with its arguments
}

TEST(Cancel, TaskCancelledBeforeItStartsNeverRuns) {
  Tracked::alive = 0;
  run_v(cancel_before_start());
}

ac::Task<int> swallows() {
  bool cancelled = false;
  try {
    co_await ac::sleep(10);
  } catch (const ac::CancelledError &) {
    cancelled = true;  // swallowed: it goes on (C++ forbids co_await in a handler)
  }
  if (!cancelled) co_return 0;
  co_await ac::sleep(1);
  co_return 42;
}

ac::Task<> swallowed_cancellation() {
  auto t = ac::create_task(swallows());
  co_await ac::sleep(1);
  t.cancel();
  EXPECT_EQ(co_await t, 42);
  EXPECT_EQ(t.cancelling(), 1);
  EXPECT_DOUBLE_EQ(now(), 2.0);
}

TEST(Cancel, SwallowedCancellationLetsTheTaskFinish) { run_v(swallowed_cancellation()); }

ac::Task<> inner_forever(Trace *tr) {
  try {
    co_await ac::sleep(100);
  } catch (const ac::CancelledError &) {
    (*tr)("inner cancelled");
    throw;
  }
}

ac::Task<> outer_awaits(ac::TaskHandle<> inner, Trace *tr) {
  try {
    co_await inner;
  } catch (const ac::CancelledError &) {
    (*tr)("outer cancelled");
    throw;
  }
}

ac::Task<> cancel_propagates(Trace *tr) {
  auto inner = ac::create_task(inner_forever(tr));
  auto outer = ac::create_task(outer_awaits(inner.share(), tr));
  co_await ac::sleep(1);
  outer.cancel();
  EXPECT_THROW(co_await outer, ac::CancelledError);
  EXPECT_TRUE(inner.cancelled());
}

TEST(Cancel, CancellingAnAwaiterCancelsTheAwaitedTask) {
  Trace tr;
  run_v(cancel_propagates(&tr));
  EXPECT_EQ(tr.text(), "inner cancelled\nouter cancelled\n");
}

ac::Task<> yields_forever(int *rounds) {
  for (;;) {
    co_await ac::sleep(0);
    ++*rounds;
  }
}

ac::Task<> cancel_at_yield() {
  int rounds = 0;
  auto t = ac::create_task(yields_forever(&rounds));
  co_await ac::sleep(0);
  co_await ac::sleep(0);
  t.cancel();
  EXPECT_THROW(co_await t, ac::CancelledError);
  EXPECT_EQ(rounds, 1);
}

TEST(Cancel, YieldIsACancellationPoint) { run_v(cancel_at_yield()); }

ac::Task<> cancels_itself() {
  ac::current_task().cancel("self");
  co_await ac::sleep(1);
}

TEST(Cancel, RunRethrowsTheMainTaskCancellation) {
  try {
    run_v(cancels_itself());
    FAIL();
  } catch (const ac::CancelledError &e) {
    EXPECT_EQ(e.message(), "self");
  }
}

ac::Task<> uncancel_withdraws() {
  auto t = ac::create_task(swallows());
  t.cancel();
  EXPECT_EQ(t.uncancel(), 0);
  // The withdrawn request was never delivered: the task ran normally.
  EXPECT_EQ(co_await t, 0);
}

TEST(Cancel, UncancelWithdrawsAnUndeliveredRequest) { run_v(uncancel_withdraws()); }

}  // namespace
