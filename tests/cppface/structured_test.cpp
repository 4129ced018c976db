// Structured concurrency through the face: wait_for, timeout scopes,
// TaskGroup, shield, wait, as_completed, gather_settled.
#include <gtest/gtest.h>

#include <stdexcept>

#include "face_test_util.hpp"

namespace {
using namespace facetest;

ac::Task<int> slow(int v, double delay, Trace *tr = nullptr) {
  try {
    co_await ac::sleep(delay);
  } catch (const ac::CancelledError &) {
    if (tr != nullptr) (*tr)("slow " + std::to_string(v) + " cancelled at " + std::to_string(static_cast<int>(now())));
    throw;
  }
  co_return v;
}

ac::Task<int> fails(double delay, const char *what) {
  co_await ac::sleep(delay);
  throw std::runtime_error(what);
}

// ---- wait_for

ac::Task<> wait_for_in_time() {
  EXPECT_EQ(co_await ac::wait_for(slow(4, 1), 2), 4);
  EXPECT_DOUBLE_EQ(now(), 1.0);
}
TEST(WaitFor, ReturnsTheResultInTime) { run_v(wait_for_in_time()); }

ac::Task<> wait_for_times_out(Trace *tr) {
  try {
    co_await ac::wait_for(slow(1, 10, tr), 2.5);
    ADD_FAILURE();
  } catch (const ac::TimeoutError &) {
    (*tr)("timeout at " + std::to_string(now()));
  }
}
TEST(WaitFor, TimesOutAfterTheTaskCleanedUp) {
  Trace tr;
  run_v(wait_for_times_out(&tr));
  EXPECT_EQ(tr.text(), "slow 1 cancelled at 2\ntimeout at 2.500000\n");
}

ac::Task<> wait_for_cancelled_from_outside(Trace *tr) {
  auto inner = ac::create_task(slow(1, 10, tr));
  auto w = ac::create_task(ac::wait_for(inner.share(), 5));
  co_await ac::sleep(1);
  w.cancel();
  EXPECT_THROW(co_await w, ac::CancelledError);
  EXPECT_TRUE(inner.cancelled());
}
TEST(WaitFor, CancellingTheWaiterCancelsTheTask) {
  Trace tr;
  run_v(wait_for_cancelled_from_outside(&tr));
  EXPECT_EQ(tr.text(), "slow 1 cancelled at 1\n");
}

// asyncio 3.12: a coroutine given to wait_for runs in the caller's own task,
// under a timeout scope; no task is made for it.
ac::Task<> runs_inline(ac::TaskHandle<ac::Value> caller, size_t *tasks_seen) {
  EXPECT_TRUE(ac::current_task() == caller);
  *tasks_seen = ac::all_tasks().size();
  co_await ac::sleep(1);
}
ac::Task<> wait_for_runs_coroutine_inline() {
  size_t before = ac::all_tasks().size(), during = 0;
  co_await ac::wait_for(runs_inline(ac::current_task(), &during), 2);
  EXPECT_EQ(during, before);
  EXPECT_DOUBLE_EQ(now(), 1.0);
}
TEST(WaitFor, ACoroutineRunsInlineInTheCaller) { run_v(wait_for_runs_coroutine_inline()); }

// A task already done: its result at once, without suspending (a task
// made before does not run in between).
ac::Task<> wait_for_done_task() {
  auto done = ac::create_task(slow(3, 0));
  co_await ac::sleep(0);
  co_await ac::sleep(0);
  EXPECT_TRUE(done.done());
  bool ran = false;
  auto bystander = ac::create_task([](bool *r) -> ac::Task<> {
    *r = true;
    co_return;
  }(&ran));
  EXPECT_EQ(co_await ac::wait_for(done, 5), 3);
  EXPECT_EQ(co_await ac::wait_for(done, 0), 3);
  EXPECT_FALSE(ran);
  co_await bystander;
  EXPECT_TRUE(ran);
}
TEST(WaitFor, ADoneTaskReturnsWithoutSuspending) { run_v(wait_for_done_task()); }

// A timeout of 0 or less cancels at once: a coroutine never starts, a task
// is cancelled and waited for; TimeoutError (cause: the cancellation).
ac::Task<int> never_starts(bool *started) {
  *started = true;
  co_await ac::sleep(1);
  co_return 1;
}
ac::Task<> wait_for_zero(Trace *tr) {
  bool started = false;
  try {
    co_await ac::wait_for(never_starts(&started), 0);
    ADD_FAILURE();
  } catch (const ac::TimeoutError &e) {
    EXPECT_EQ(ac::describe(e.cause()), "CancelledError");
  }
  EXPECT_FALSE(started);
  auto t = ac::create_task(slow(1, 10, tr));
  co_await ac::sleep(1);
  EXPECT_THROW(co_await ac::wait_for(t, -1), ac::TimeoutError);
  EXPECT_TRUE(t.cancelled());
  // An acquire under wait_for(…, 0) never queues: the lock stays free for
  // the next taker.
  ac::Lock lock;
  co_await lock.acquire();
  EXPECT_THROW(co_await ac::wait_for(lock.acquire(), 0), ac::TimeoutError);
  lock.release();
  EXPECT_FALSE(lock.locked());
  EXPECT_TRUE(lock.try_acquire());
}
TEST(WaitFor, ZeroOrLessCancelsAtOnce) {
  Trace tr;
  run_v(wait_for_zero(&tr));
  EXPECT_EQ(tr.text(), "slow 1 cancelled at 1\n");
}

// A future given to wait_for is cancelled at the deadline (asyncio awaits
// it under the scope).
ac::Task<> wait_for_future_times_out() {
  auto f = ac::Future::create();
  EXPECT_THROW(co_await ac::wait_for(f, 1), ac::TimeoutError);
  EXPECT_TRUE(f.cancelled());
  EXPECT_DOUBLE_EQ(now(), 1.0);
}
TEST(WaitFor, AFutureIsCancelledAtTheDeadline) { run_v(wait_for_future_times_out()); }

// ---- timeout scopes

ac::Task<> scope_expires(Trace *tr) {
  try {
    co_await ac::timeout(1.5, slow(1, 10, tr));
    ADD_FAILURE();
  } catch (const ac::TimeoutError &) {
    (*tr)("timeout");
  }
  EXPECT_DOUBLE_EQ(now(), 1.5);
  EXPECT_EQ(ac::current_task().cancelling(), 0);  // the scope took its request back
  EXPECT_EQ(co_await ac::timeout(5, slow(3, 1)), 3);
}
TEST(Timeout, ExpiryBecomesTimeoutErrorAndIsTakenBack) {
  Trace tr;
  run_v(scope_expires(&tr));
  EXPECT_EQ(tr.text(), "slow 1 cancelled at 1\ntimeout\n");
}

ac::Task<> inner_scope(Trace *tr) {
  try {
    co_await ac::timeout(5, slow(1, 10));
  } catch (const ac::TimeoutError &) {
    (*tr)("inner: timeout (wrong)");
    throw;
  } catch (const ac::CancelledError &) {
    (*tr)("inner: cancelled");
    throw;
  }
}

ac::Task<> nested_scopes(Trace *tr) {
  try {
    co_await ac::timeout(1, inner_scope(tr));
  } catch (const ac::TimeoutError &) {
    (*tr)("outer: timeout");
  }
}
TEST(Timeout, OnlyTheExpiredScopeConvertsItsCancellation) {
  Trace tr;
  run_v(nested_scopes(&tr));
  EXPECT_EQ(tr.text(), "inner: cancelled\nouter: timeout\n");
}

ac::Task<> outside_cancel_passes(Trace *tr) {
  try {
    co_await ac::timeout(5, slow(1, 10));
  } catch (const ac::TimeoutError &) {
    (*tr)("timeout (wrong)");
  } catch (const ac::CancelledError &) {
    (*tr)("cancelled");
    throw;
  }
}
ac::Task<> cancel_inside_scope(Trace *tr) {
  auto t = ac::create_task(outside_cancel_passes(tr));
  co_await ac::sleep(1);
  t.cancel();
  EXPECT_THROW(co_await t, ac::CancelledError);
}
TEST(Timeout, AnOutsideCancellationStaysACancellation) {
  Trace tr;
  run_v(cancel_inside_scope(&tr));
  EXPECT_EQ(tr.text(), "cancelled\n");
}

ac::Task<> explicit_scope() {
  ac::Timeout scope(2);
  scope.enter();
  EXPECT_DOUBLE_EQ(scope.when(), 2.0);
  scope.reschedule(0.5);
  std::exception_ptr ep;
  try {
    co_await ac::sleep(1);
  } catch (...) {
    ep = std::current_exception();
  }
  EXPECT_TRUE(scope.expired());
  EXPECT_THROW(scope.exit(ep), ac::TimeoutError);
  EXPECT_DOUBLE_EQ(now(), 0.5);
}
TEST(Timeout, ExplicitScopeWithReschedule) { run_v(explicit_scope()); }

// ---- task groups

ac::Task<> group_success() {
  std::vector<ac::TaskHandle<int>> handles;
  co_await ac::with_task_group([&](ac::TaskGroup &tg) -> ac::Task<> {
    handles.push_back(tg.create_task(slow(1, 2)));
    handles.push_back(tg.create_task(slow(2, 1)));
    EXPECT_EQ(tg.size(), 2);
    co_return;
  });
  EXPECT_DOUBLE_EQ(now(), 2.0);
  EXPECT_EQ(handles[0].result() + handles[1].result(), 3);
}
TEST(TaskGroup, JoinsEveryTask) { run_v(group_success()); }

ac::Task<> group_failure(Trace *tr) {
  ac::TaskHandle<int> sibling;
  try {
    co_await ac::with_task_group([&](ac::TaskGroup &tg) -> ac::Task<> {
      sibling = tg.create_task(slow(7, 10, tr));
      tg.create_task(fails(1, "boom"));
      try {
        co_await ac::sleep(100);
      } catch (const ac::CancelledError &) {
        (*tr)("body cancelled at " + std::to_string(static_cast<int>(now())));
        throw;
      }
    });
    ADD_FAILURE();
  } catch (const ac::GroupError &g) {
    (*tr)(g.message());
    EXPECT_EQ(g.exceptions().size(), 1u);
    EXPECT_THROW(std::rethrow_exception(g.exceptions().at(0)), std::runtime_error);
  }
  EXPECT_TRUE(sibling.cancelled());
  EXPECT_EQ(ac::current_task().cancelling(), 0);
}
TEST(TaskGroup, FailureCancelsSiblingsAndBodyAndRaisesGroupError) {
  Trace tr;
  run_v(group_failure(&tr));
  EXPECT_EQ(tr.text(),
            "slow 7 cancelled at 1\nbody cancelled at 1\nunhandled errors in a TaskGroup (1 sub-exception)\n");
}

ac::Task<> group_errors_in_order() {
  try {
    co_await ac::with_task_group([](ac::TaskGroup &tg) -> ac::Task<> {
      tg.create_task(fails(2, "second"));
      tg.create_task(fails(1, "first"));
      co_return;
    });
  } catch (const ac::GroupError &g) {
    // The first failure cancelled the other task before it could fail.
    EXPECT_EQ(g.exceptions().size(), 1u);
  }
  try {
    co_await ac::with_task_group([](ac::TaskGroup &tg) -> ac::Task<> {
      tg.create_task(fails(1, "a"));
      tg.create_task(fails(1, "b"));
      co_return;
    });
  } catch (const ac::GroupError &g) {
    EXPECT_EQ(g.exceptions().size(), 2u);
    try {
      std::rethrow_exception(g.exceptions()[0]);
    } catch (const std::runtime_error &e) {
      EXPECT_STREQ(e.what(), "a");
    }
  }
}
TEST(TaskGroup, SimultaneousFailuresAreAllKeptInOrder) { run_v(group_errors_in_order()); }

ac::Task<> body_error_joins() {
  ac::TaskHandle<int> child;
  try {
    co_await ac::with_task_group([&](ac::TaskGroup &tg) -> ac::Task<> {
      child = tg.create_task(slow(1, 10));
      co_await ac::sleep(1);
      throw std::logic_error("body");
    });
  } catch (const ac::GroupError &g) {
    EXPECT_EQ(g.exceptions().size(), 1u);
    EXPECT_THROW(std::rethrow_exception(g.exceptions().at(0)), std::logic_error);
  }
  EXPECT_TRUE(child.cancelled());
}
TEST(TaskGroup, BodyErrorCancelsTasksAndJoinsTheGroupError) { run_v(body_error_joins()); }

ac::Task<int> group_returns_value() {
  co_return co_await ac::with_task_group([](ac::TaskGroup &tg) -> ac::Task<int> {
    auto h = tg.create_task(slow(5, 1));
    co_return co_await h;
  });
}
TEST(TaskGroup, BodyResultIsReturned) { EXPECT_EQ(run_v(group_returns_value()), 5); }

ac::Task<> unjoined_group() {
  ac::TaskHandle<int> child;
  {
    ac::TaskGroup tg;
    child = tg.create_task(slow(1, 10));
  }  // never joined: its tasks are cancelled
  co_await ac::sleep(1);
  EXPECT_TRUE(child.cancelled());
}
TEST(TaskGroup, UnjoinedGroupCancelsItsTasks) { run_v(unjoined_group()); }

// ---- shield, wait, as_completed, gather_settled

ac::Task<int> await_shielded(ac::Shielded<int> s) { co_return co_await s; }

ac::Task<> shielded(Trace *tr) {
  auto work = ac::create_task(slow(9, 3, tr));
  auto waiter = ac::create_task(await_shielded(ac::shield(work)));
  co_await ac::sleep(1);
  waiter.cancel();
  EXPECT_THROW(co_await waiter, ac::CancelledError);
  EXPECT_EQ(co_await work, 9);
  EXPECT_DOUBLE_EQ(now(), 3.0);
}
TEST(Shield, CancellingTheWaiterLeavesTheWorkRunning) {
  Trace tr;
  run_v(shielded(&tr));
  EXPECT_EQ(tr.text(), "");
}

ac::Task<> wait_first() {
  std::vector<ac::TaskHandle<int>> ts;
  ts.push_back(ac::create_task(slow(0, 3)));
  ts.push_back(ac::create_task(slow(1, 1)));
  ts.push_back(ac::create_task(slow(2, 2)));
  auto r = co_await ac::wait(ts, ac::WaitMode::first_completed);
  EXPECT_EQ(r.done, (std::vector<size_t>{1}));
  EXPECT_EQ(r.pending, (std::vector<size_t>{0, 2}));
  auto all = co_await ac::wait(ts, ac::WaitMode::all_completed, 1.5);
  EXPECT_EQ(all.done, (std::vector<size_t>{1, 2}));  // 2 finished at 2.0 < 1 + 1.5
  EXPECT_EQ(all.pending, (std::vector<size_t>{0}));
}
TEST(Wait, FirstCompletedAndTimeoutPartition) { run_v(wait_first()); }

// Over many inputs the positions come from a map: each reported future at
// its first position, a handle given twice once.
ac::Task<> wait_many() {
  std::vector<ac::TaskHandle<int>> ts;
  for (int i = 0; i < 40; ++i) ts.push_back(ac::create_task(slow(i, i % 2 == 0 ? 1 : 5)));
  std::vector<ac_future *> fs;
  for (auto &t : ts) fs.push_back(t.c_future());
  fs.push_back(fs[0]);
  fs.push_back(fs[1]);
  auto r = co_await ac::wait(fs, ac::WaitMode::all_completed, 2);
  std::vector<size_t> evens, odds;
  for (size_t i = 0; i < 40; ++i) (i % 2 == 0 ? evens : odds).push_back(i);
  EXPECT_EQ(r.done, evens);
  EXPECT_EQ(r.pending, odds);
  for (auto &t : ts) t.cancel();
}
TEST(Wait, ManyInputsAndAHandleTwice) { run_v(wait_many()); }

ac::Task<> completion_order() {
  std::vector<ac::TaskHandle<int>> ts;
  ts.push_back(ac::create_task(slow(0, 3)));
  ts.push_back(ac::create_task(fails(1, "x")));
  ts.push_back(ac::create_task(slow(2, 2)));
  ac::AsCompleted it(ts);
  std::vector<size_t> order;
  while (auto i = co_await it.next()) {
    order.push_back(*i);
    if (*i == 1) {
      EXPECT_THROW(co_await ts[*i], std::runtime_error);
    } else {
      EXPECT_EQ(co_await ts[*i], static_cast<int>(*i));
    }
  }
  EXPECT_EQ(order, (std::vector<size_t>{1, 2, 0}));
}
TEST(AsCompleted, YieldsIndicesInCompletionOrder) { run_v(completion_order()); }

ac::Task<> settled() {
  auto [a, b] = co_await ac::gather_settled(slow(1, 1), fails(2, "nope"));
  EXPECT_TRUE(a.ok());
  EXPECT_EQ(a.get(), 1);
  EXPECT_FALSE(b.ok());
  EXPECT_THROW(b.get(), std::runtime_error);
  EXPECT_DOUBLE_EQ(now(), 2.0);
}
TEST(Gather, SettledKeepsEveryOutcome) { run_v(settled()); }

}  // namespace
