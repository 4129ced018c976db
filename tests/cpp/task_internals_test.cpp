// Internals of loop + task that the C ABI does not show directly: the
// loop's reference accounting and the task list.
#include <gtest/gtest.h>

#include "core/future.hpp"
#include "core/sleep.hpp"
#include "core/task.hpp"

namespace {

int step_yield_twice(ac_task *, void *state) {
  int *n = static_cast<int *>(state);
  return ++*n < 3 ? AC_STEP_YIELD : AC_STEP_DONE;
}

TEST(TaskInternals, LoopHoldsPendingTasksAndReleasesThemWhenDone) {
  int rc = 0;
  ac_loop *loop = ac_loop::create(AC_LOOP_VIRTUAL_CLOCK, &rc);
  ASSERT_NE(loop, nullptr);
  int n = 0;
  ac_task *t = ac::task_new(loop, step_yield_twice, &n, nullptr, 0);
  t->ref();  // ours
  t->schedule_step();
  EXPECT_EQ(loop->task_count, 1u);
  EXPECT_EQ(t->refs, 2);
  EXPECT_EQ(loop->run_until_complete(t), 0);
  EXPECT_EQ(n, 3);
  EXPECT_EQ(loop->task_count, 0u);
  EXPECT_EQ(t->refs, 1);  // the loop's own reference is gone
  t->unref();
  EXPECT_EQ(loop->close(), 0);
  EXPECT_EQ(loop->refs.load(), 1);  // only the creator's share is left
  loop->refs.fetch_sub(1);
  loop->destroy();
}

TEST(TaskInternals, SleepFutureHoldsTheHeapReferenceUntilFired) {
  int rc = 0;
  ac_loop *loop = ac_loop::create(AC_LOOP_VIRTUAL_CLOCK, &rc);
  ASSERT_NE(loop, nullptr);
  ac_future *f = ac::sleep_new(loop, 2.0);
  EXPECT_EQ(f->refs, 2);
  EXPECT_EQ(loop->timers.size(), 1u);
  EXPECT_EQ(loop->run_until_complete(f), 0);
  EXPECT_EQ(f->refs, 1);
  EXPECT_EQ(loop->timers.size(), 0u);
  EXPECT_DOUBLE_EQ(loop->now(), 2.0);
  f->unref();
  EXPECT_EQ(loop->close(), 0);
  loop->refs.fetch_sub(1);
  loop->destroy();
}

}  // namespace
