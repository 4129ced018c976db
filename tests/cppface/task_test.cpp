// Task<T>: laziness, inline nesting, results as C values, spawning.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "face_test_util.hpp"

namespace {
using namespace facetest;

ac::Task<int> answer(bool *ran) {
  *ran = true;
  co_return 42;
}

TEST(Task, IsLazyUntilAwaited) {
  bool ran = false;
  auto t = answer(&ran);
  EXPECT_FALSE(ran);
  EXPECT_TRUE(t.valid());
  EXPECT_EQ(run_v(std::move(t)), 42);
  EXPECT_TRUE(ran);
}

ac::Task<int> with_arg(Tracked arg, bool *ran) {
  *ran = true;
  co_return static_cast<int>(arg.name.size());
}

TEST(Task, NeverAwaitedReleasesFrameAndArguments) {
  Tracked::alive = 0;
  bool ran = false;
  {
    auto t = with_arg(Tracked("arg"), &ran);
    EXPECT_EQ(Tracked::alive, 1);  // the frame's copy
  }
  EXPECT_FALSE(ran);
  EXPECT_EQ(Tracked::alive, 0);
}

int count_tasks(ac_loop *loop) {
  return ac_loop_foreach_task(loop, [](ac_task *, void *) {}, nullptr);
}

ac::Task<int> leaf(int depth) {
  if (depth == 0) {
    co_await ac::sleep(1);
    co_return count_tasks(ac::get_running_loop());
  }
  co_return co_await leaf(depth - 1);
}

TEST(Task, NestedAwaitRunsInlineInOneCTask) {
  // Ten nested coroutines, one sleep at the bottom: still one C task.
  EXPECT_EQ(run_v(leaf(10)), 1);
}

ac::Task<long> deep(int n) {
  if (n == 0) co_return 0;
  co_return 1 + co_await deep(n - 1);
}

// Optimised builds turn symmetric transfer into a tail call, so depth costs
// no stack; sanitizer builds do not, so they check a shallower chain.
#if defined(__SANITIZE_ADDRESS__) || defined(__OPTIMIZE__) == 0
constexpr int kDeep = 500;
#else
constexpr int kDeep = 200000;
#endif

TEST(Task, DeepNestingCompletesBySymmetricTransfer) { EXPECT_EQ(run_v(deep(kDeep)), kDeep); }

struct Point {
  int x, y;
};

ac::Task<Point> make_point() {
  co_await ac::sleep(0);
  co_return Point{3, 4};
}
ac::Task<std::string> make_text() { co_return std::string("hi\0there", 8); }
ac::Task<double> make_half() { co_return 0.5; }
ac::Task<bool> make_true() { co_return true; }
ac::Task<std::unique_ptr<int>> make_unique() { co_return std::make_unique<int>(9); }

ac::Task<> results_cross_as_c_values() {
  auto p = ac::create_task(make_point());
  auto s = ac::create_task(make_text());
  auto d = ac::create_task(make_half());
  auto b = ac::create_task(make_true());
  Point pt = co_await p;
  EXPECT_EQ(pt.x, 3);
  EXPECT_EQ(pt.y, 4);
  EXPECT_EQ(co_await s, std::string("hi\0there", 8));
  EXPECT_EQ(co_await d, 0.5);
  EXPECT_TRUE(co_await b);
  // What C sees.
  ac_value v;
  EXPECT_EQ(ac_future_result(p.future().get(), &v), 0);
  EXPECT_EQ(v.kind, AC_VALUE_POINTER);
  EXPECT_EQ(ac_future_result(s.future().get(), &v), 0);
  EXPECT_EQ(v.kind, AC_VALUE_BYTES);
  EXPECT_EQ(v.u.bytes.len, 8u);
  EXPECT_EQ(ac_future_result(d.future().get(), &v), 0);
  EXPECT_EQ(v.kind, AC_VALUE_DOUBLE);
  EXPECT_EQ(ac_future_result(b.future().get(), &v), 0);
  EXPECT_EQ(v.kind, AC_VALUE_INT64);
  EXPECT_EQ(v.u.i64, 1);
  // Every awaiter of a copyable result gets its own copy.
  Point again = co_await p;
  EXPECT_EQ(again.y, 4);
  // The wrong type is refused, not misread.
  auto as_wrong = ac::TaskHandle<std::string>::borrow(p.get());
  EXPECT_THROW(as_wrong.result(), ac::Error);
}

TEST(Task, ResultsCrossAsCValues) { run_v(results_cross_as_c_values()); }

TEST(Task, RunReturnsMoveOnlyResult) {
  std::unique_ptr<int> p = run_v(make_unique());
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, 9);
}

ac::Task<> trace_step(Trace *tr, const char *name) {
  (*tr)(std::string(name) + " runs");
  co_return;
}

ac::Task<> eager_and_lazy(Trace *tr) {
  auto lazy = ac::create_task(trace_step(tr, "lazy"));
  auto eager = ac::spawn(ac::get_running_loop(), trace_step(tr, "eager"), nullptr, AC_TASK_EAGER);
  (*tr)("parent continues");
  EXPECT_TRUE(eager.done());
  co_await lazy;
}

TEST(Task, EagerSpawnRunsFirstStepInline) {
  Trace tr;
  run_v(eager_and_lazy(&tr));
  EXPECT_EQ(tr.text(), "eager runs\nparent continues\nlazy runs\n");
}

ac::Task<> await_done_future(Trace *tr) {
  auto f = ac::Future::create();
  f.set_result(int64_t{5});
  auto other = ac::create_task(trace_step(tr, "other"));
  // A done future does not suspend: "other" has not run yet.
  int v = static_cast<int>((co_await f).as_int());
  (*tr)("got " + std::to_string(v));
  co_await ac::sleep(0);
  (*tr)("after yield");
}

TEST(Task, AwaitingADoneFutureDoesNotSuspend) {
  Trace tr;
  run_v(await_done_future(&tr));
  EXPECT_EQ(tr.text(), "got 5\nother runs\nafter yield\n");
}

TEST(Task, EmptyTaskIsRefused) {
  ac::Task<int> empty;
  EXPECT_THROW(run_v(std::move(empty)), ac::Error);
  ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
  try {
    (void)loop.create_task(ac::Task<>());
    FAIL() << "no exception";
  } catch (const ac::Error &e) {
    EXPECT_EQ(e.code(), AC_EINVAL);
  }
}

TEST(Task, CreateTaskOutsideALoopThrows) {
  bool ran = false;
  try {
    (void)ac::create_task(answer(&ran));
    FAIL() << "no exception";
  } catch (const ac::RuntimeError &e) {
    // asyncio.create_task outside a loop: RuntimeError "no running event loop".
    EXPECT_EQ(e.message(), "no running event loop");
  }
  EXPECT_FALSE(ran);
}

ac::Task<double> sleeps() {
  co_await ac::sleep(1.5);
  co_await ac::sleep(0.25);
  co_return now();
}

TEST(Task, SleepFollowsTheVirtualClock) { EXPECT_DOUBLE_EQ(run_v(sleeps()), 1.75); }

ac::Task<std::string> negative_sleep() {
  std::string order;
  ac::Loop::current().call_soon([&order] { order += "callback "; });
  co_await ac::sleep(-1);  // asyncio: a negative delay is sleep(0), one yield
  order += "task";
  EXPECT_DOUBLE_EQ(now(), 0.0);
  co_return order;
}

TEST(Task, NegativeSleepYieldsOnceLikeSleepZero) { EXPECT_EQ(run_v(negative_sleep()), "callback task"); }

TEST(Task, LoopRunUntilCompleteSetsTheRunningLoop) {
  ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
  EXPECT_EQ(ac::running_loop(), nullptr);
  EXPECT_DOUBLE_EQ(loop.run_until_complete(sleeps()), 1.75);
  EXPECT_EQ(ac::running_loop(), nullptr);
  auto t = loop.create_task(make_half());
  EXPECT_EQ(t.name().rfind("Task-", 0), 0u);
  t.set_name("half");
  EXPECT_EQ(t.name(), "half");
  EXPECT_THROW((void)t.result(), ac::InvalidStateError);  // pending: "Result is not set."
  loop.run_until_complete(ac::Task<>([](ac::TaskHandle<double> h) -> ac::Task<> {
    co_await h;
  }(t.share())));
  EXPECT_EQ(t.result(), 0.5);
}

// A burst of tasks leaves their blocks in the runtime's pool; trim() gives
// back the slabs that are wholly free, and the pool serves again after it.
ac::Task<int> numbered(int i) { co_return i; }
ac::Task<long> burst(int n) {
  std::vector<ac::TaskHandle<int>> hs;
  hs.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) hs.push_back(ac::create_task(numbered(i)));
  long sum = 0;
  for (auto &h : hs) sum += co_await h;
  co_return sum;
}
TEST(Trim, GivesBackWhatABurstOfTasksLeft) {
  EXPECT_EQ(run_v(burst(20000)), 199990000L);
  int64_t n = ac::trim();
  int64_t again = ac_trim();  // the C call tells whether there is a pool
  if (again == AC_ENOTSUP) {
    EXPECT_EQ(n, 0);
    GTEST_SKIP() << "no small-block pool here (AddressSanitizer, valgrind, Windows or ASYNCORE_POOL=0)";
  }
  EXPECT_GE(n, int64_t{1} << 20);  // 20,000 tasks and frames: megabytes
  EXPECT_EQ(again, 0);
  EXPECT_EQ(run_v(burst(20000)), 199990000L);
  EXPECT_GE(ac::trim(), int64_t{1} << 20);
}

}  // namespace
