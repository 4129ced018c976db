// gather: typed results in argument order, first failure, cancellation.
#include <gtest/gtest.h>

#include "face_test_util.hpp"

namespace {
using namespace facetest;

ac::Task<int> num(int v, double delay, Trace *tr) {
  (*tr)("start " + std::to_string(v));
  co_await ac::sleep(delay);
  (*tr)("end " + std::to_string(v));
  co_return v;
}
ac::Task<std::string> text(double delay) {
  co_await ac::sleep(delay);
  co_return "txt";
}
ac::Task<> nothing() { co_return; }

ac::Task<> mixed_types(Trace *tr) {
  auto [a, s, none, b] = co_await ac::gather(num(1, 3, tr), text(1), nothing(), num(2, 2, tr));
  EXPECT_EQ(a, 1);
  EXPECT_EQ(s, "txt");
  EXPECT_EQ(b, 2);
  (void)none;
  EXPECT_DOUBLE_EQ(now(), 3.0);
}

TEST(Gather, MixedTypesInArgumentOrder) {
  Trace tr;
  run_v(mixed_types(&tr));
  EXPECT_EQ(tr.text(), "start 1\nstart 2\nend 2\nend 1\n");
}

ac::Task<int> fails_after(double delay) {
  co_await ac::sleep(delay);
  throw std::runtime_error("failed at " + std::to_string(static_cast<int>(delay)));
}

ac::Task<> first_failure(Trace *tr) {
  auto slow = ac::create_task(num(9, 5, tr));
  try {
    co_await ac::gather(slow.share(), fails_after(2), fails_after(1));
    ADD_FAILURE();
  } catch (const std::runtime_error &e) {
    (*tr)(e.what());
  }
  EXPECT_DOUBLE_EQ(now(), 1.0);  // at once, not when all are done
  EXPECT_FALSE(slow.done());     // the others go on
  EXPECT_EQ(co_await slow, 9);
}

TEST(Gather, FirstFailureIsRethrownAtOnce) {
  Trace tr;
  ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
  HandlerLog log;
  log.install(loop);
  loop.run_until_complete(first_failure(&tr));
  EXPECT_EQ(tr.text(), "start 9\nfailed at 1\nend 9\n");
}

ac::Task<> vector_gather() {
  Trace tr;
  std::vector<ac::Task<int>> tasks;
  for (int i = 0; i < 4; ++i) tasks.push_back(num(i, 4 - i, &tr));
  std::vector<int> v = co_await ac::gather(std::move(tasks));
  EXPECT_EQ(v, (std::vector<int>{0, 1, 2, 3}));
  std::vector<ac::Task<int>> none;
  EXPECT_TRUE((co_await ac::gather(std::move(none))).empty());
}

TEST(Gather, VectorOfTasks) { run_v(vector_gather()); }

template <class R>
ac::Task<> await_gathered(ac::GatherFuture<R> g) {
  co_await g;
}

ac::Task<> cancel_gather(Trace *tr) {
  auto a = ac::create_task(num(1, 10, tr));
  auto b = ac::create_task(num(2, 10, tr));
  auto g = ac::create_task(await_gathered(ac::gather(a.share(), b.share())));
  co_await ac::sleep(1);
  g.cancel();
  EXPECT_THROW(co_await g, ac::CancelledError);
  EXPECT_TRUE(a.cancelled());
  EXPECT_TRUE(b.cancelled());
}

TEST(Gather, CancellingTheWaiterCancelsTheChildren) {
  Trace tr;
  run_v(cancel_gather(&tr));
  EXPECT_EQ(tr.text(), "start 1\nstart 2\n");
}

}  // namespace
