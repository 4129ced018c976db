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

ac::Task<int> bad_child(double delay) {
  co_await ac::sleep(delay);
  throw ac::ValueError("bad child");
}

// The vector forms hand their handles to the library as they are (a
// handle is its task's address): every kind of result comes back in
// argument order, a handle passed twice counts once, and a failure is
// rethrown or, settled, kept as the child's outcome.
ac::Task<> vector_kinds() {
  std::vector<ac::Task<std::string>> texts;
  for (int i = 0; i < 3; ++i) texts.push_back(text(3 - i));
  std::vector<std::string> got = co_await ac::gather(std::move(texts));
  std::vector<std::string> want(3, std::string("txt"));
  EXPECT_EQ(got, want);

  std::vector<ac::Task<>> voids;
  for (int i = 0; i < 3; ++i) voids.push_back(nothing());
  auto nones = co_await ac::gather(std::move(voids));
  EXPECT_EQ(nones.size(), 3u);

  Trace tr;
  auto twice = ac::create_task(num(7, 1, &tr));
  std::vector<ac::TaskHandle<int>> handles;
  handles.push_back(twice.share());
  handles.push_back(ac::create_task(num(8, 2, &tr)));
  handles.push_back(twice.share());
  std::vector<int> ints = co_await ac::gather(std::move(handles));
  EXPECT_EQ(ints, (std::vector<int>{7, 8, 7}));

  std::vector<ac::TaskHandle<int>> failing;
  failing.push_back(ac::create_task(num(1, 1, &tr)));
  failing.push_back(ac::create_task(bad_child(2)));
  bool threw = false;
  try {
    co_await ac::gather(std::move(failing));
  } catch (const ac::ValueError &) {
    threw = true;
  }
  EXPECT_TRUE(threw);

  std::vector<ac::TaskHandle<int>> settled;
  settled.push_back(ac::create_task(num(2, 1, &tr)));
  settled.push_back(ac::create_task(bad_child(1)));
  auto outcomes = co_await ac::gather_settled(std::move(settled));
  EXPECT_EQ(outcomes.size(), 2u);
  if (outcomes.size() != 2) co_return;
  EXPECT_TRUE(outcomes[0].ok());
  EXPECT_EQ(outcomes[0].get(), 2);
  EXPECT_FALSE(outcomes[1].ok());
  EXPECT_THROW(outcomes[1].get(), ac::ValueError);
}

TEST(Gather, VectorsOfEveryKindAndAHandleTwice) { run_v(vector_kinds()); }

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
