// What a host gets from the face: a bounded shutdown that abandons (and
// reports) tasks ignoring their cancellation, and a step's time budget.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "face_test_util.hpp"

namespace {
using namespace facetest;
using namespace std::chrono_literals;

// Swallows every cancellation: waits again on a future nobody completes
// (on_future) or sleeps in a loop.
ac::Task<> stubborn(bool on_future, Trace *trace, Tracked) {
  for (;;) {
    try {
      if (on_future) {
        ac::Future f = ac::Future::create();
        co_await f;
      } else {
        co_await ac::sleep(1);
      }
    } catch (const ac::CancelledError &) {
      (*trace)("ignored the cancel");
    }
  }
}

ac::Task<> polite(Trace *trace) {
  try {
    co_await ac::sleep(100);
  } catch (const ac::CancelledError &) {
    (*trace)("cancelled");
    throw;
  }
}

void check_abandons(bool on_future) {
  Tracked::alive = 0;
  Trace trace;
  std::vector<std::string> reports;
  {
    ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
    loop.set_exception_handler([&](const ac::ExceptionContext &ctx) {
      std::string who = "-";
      if (ctx.future != nullptr && ac_future_as_task(ctx.future) != nullptr)
        who = ac_task_get_name(ac_future_as_task(ctx.future));
      reports.push_back(ctx.message + " (" + who + ", " + ctx.subject + ")");
    });
    auto a = loop.create_task(stubborn(on_future, &trace, Tracked("held")), "stubborn");
    auto b = loop.create_task(polite(&trace), "polite");
    loop.step();
    EXPECT_EQ(loop.shutdown(100ms), 1u);
    EXPECT_TRUE(loop.is_closed());
    EXPECT_TRUE(b.cancelled());
    EXPECT_FALSE(a.done());
    EXPECT_THROW(loop.shutdown(1s), ac::RuntimeError);
    EXPECT_EQ(Tracked::alive, 1);  // the frame goes with the last handle
  }
  EXPECT_EQ(Tracked::alive, 0);
  EXPECT_EQ(trace.text(), "ignored the cancel\ncancelled\n");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0], "Task was destroyed but it is pending (stubborn, task)");
}

TEST(Host, ShutdownAbandonsATaskWaitingAgainOnAFuture) { check_abandons(true); }
TEST(Host, ShutdownAbandonsATaskSleepingInALoop) { check_abandons(false); }

ac::Task<int> main_leaving_a_stubborn_task(Trace *trace) {
  auto t = ac::create_task(stubborn(false, trace, Tracked("left")), "stubborn");
  co_await ac::sleep(0);
  co_return 7;
}

TEST(Host, RunReturnsWhenATaskSwallowsItsCancellation) {
  // ac::run is ac_run: the leftover gets AC_RUN_SHUTDOWN_TIMEOUT (5 s of
  // real time), then is abandoned and reported (to stderr: the default
  // handler), and its frame released.
  Tracked::alive = 0;
  Trace trace;
  EXPECT_EQ(run_v(main_leaving_a_stubborn_task(&trace)), 7);
  EXPECT_EQ(trace.text(), "ignored the cancel\n");
  EXPECT_EQ(Tracked::alive, 0);
}

TEST(Host, ShutdownReturnsZeroWhenEveryTaskEnds) {
  ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
  Trace trace;
  (void)loop.create_task(polite(&trace));
  loop.step();
  EXPECT_EQ(loop.shutdown(), 0u);
  EXPECT_EQ(trace.text(), "cancelled\n");
}

TEST(Host, ShutdownBadInput) {
  ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
  EXPECT_THROW(loop.shutdown(-1s), ac::ValueError);
  EXPECT_FALSE(loop.is_closed());
  EXPECT_THROW(loop.set_time_budget(-1ms), ac::ValueError);
  loop.close();
  EXPECT_THROW(loop.set_time_budget(1ms), ac::RuntimeError);
}

ac::Task<> refuse_inside(bool *refused) {
  try {
    ac::Loop::current().shutdown(1s);
  } catch (const ac::RuntimeError &) {
    *refused = true;
  }
  co_return;
}

TEST(Host, ShutdownIsRefusedWhileTheLoopRuns) {
  bool refused = false;
  run_v(refuse_inside(&refused));
  EXPECT_TRUE(refused);
}

// At least `us` microseconds of real time.
void spin(int us) {
  auto end = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
  while (std::chrono::steady_clock::now() < end) {
  }
}

TEST(Host, TimeBudgetSpreadsABurstOverSteps) {
  ac::Loop loop;
  std::vector<int> order;
  for (int i = 0; i < 1000; ++i) loop.call_soon([&order, i] {
      spin(20);
      order.push_back(i);
    });
  loop.set_time_budget(2ms);
  size_t steps = 0, most = 0;
  while (order.size() < 1000 && steps < 5000) {
    size_t n = loop.step();
    EXPECT_GE(n, 1u);
    most = std::max(most, n);
    ++steps;
  }
  ASSERT_EQ(order.size(), 1000u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(order[static_cast<size_t>(i)], i);
  // Each callback takes at least 20 µs: a 2 ms budget is spent after 100.
  EXPECT_LE(most, 101u);
  EXPECT_GE(steps, 10u);
  loop.set_time_budget(0s);
  int count = 0;
  for (int i = 0; i < 50; ++i) loop.call_soon([&count] { ++count; });
  EXPECT_EQ(loop.step(), 50u);
  EXPECT_EQ(count, 50);
  loop.close();
}

}  // namespace
