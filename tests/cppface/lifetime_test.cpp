// RAII: handles, frames, captures and values are released exactly once.
#include <gtest/gtest.h>

#include <memory>

#include "face_test_util.hpp"

namespace {
using namespace facetest;

ac::Task<int> slow_value(Tracked t) {
  co_await ac::sleep(5);
  co_return static_cast<int>(t.name.size());
}

ac::Task<> drop_handle(int *seen) {
  {
    auto t = ac::create_task(slow_value(Tracked("abc")));
    auto watcher = [](ac::TaskHandle<int> h, int *out) -> ac::Task<> { *out = co_await h; };
    (void)ac::create_task(watcher(t.share(), seen));
  }  // both handles dropped: the tasks go on
  co_await ac::sleep(6);
}

TEST(Lifetime, DroppingAHandleDoesNotStopTheTask) {
  Tracked::alive = 0;
  int seen = 0;
  run_v(drop_handle(&seen));
  EXPECT_EQ(seen, 3);
  EXPECT_EQ(Tracked::alive, 0);
}

// `co_await handle` borrows the handle's reference: the handle may go
// while the await is suspended (the task holds its own), and awaiting a
// handle of a task already done takes no reference at all.
ac::Task<> drop_while_awaited(int *seen, int *again) {
  auto held = std::make_unique<ac::TaskHandle<int>>(ac::create_task(slow_value(Tracked("abcd"))));
  auto dropper = [](std::unique_ptr<ac::TaskHandle<int>> *h) -> ac::Task<> {
    co_await ac::sleep(1);
    h->reset();
  };
  auto d = ac::create_task(dropper(&held));
  auto keep = held->share();
  *seen = co_await *held;  // suspended until 5; `held` is gone at 1
  EXPECT_FALSE(held);
  *again = co_await keep;  // done: no suspension
  co_await d;
}

TEST(Lifetime, AHandleDroppedWhileAwaitedLeavesTheAwaitWhole) {
  Tracked::alive = 0;
  int seen = 0, again = 0;
  run_v(drop_while_awaited(&seen, &again));
  EXPECT_EQ(seen, 4);
  EXPECT_EQ(again, 4);
  EXPECT_EQ(Tracked::alive, 0);
}

ac::Task<> forever(Tracked) { co_await ac::sleep(1e9); }

ac::Task<> leave_tasks_behind() {
  (void)ac::create_task(forever(Tracked("left")));
  (void)ac::create_task(forever(Tracked("behind")));
  co_await ac::sleep(1);
  EXPECT_EQ(Tracked::alive, 2);
}

TEST(Lifetime, RunCancelsLeftoverTasksAndReleasesTheirFrames) {
  Tracked::alive = 0;
  run_v(leave_tasks_behind());
  EXPECT_EQ(Tracked::alive, 0);
}

TEST(Lifetime, ClosingALoopReleasesPendingFrames) {
  Tracked::alive = 0;
  {
    ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
    HandlerLog log;
    log.install(loop);
    auto t = loop.create_task(forever(Tracked("pending")));
    loop.call_later(1, [&loop] { loop.stop(); });
    loop.run_forever();
    EXPECT_EQ(Tracked::alive, 1);
    loop.close();
    EXPECT_EQ(log.messages.size(), 1u);  // "task destroyed but pending"
    EXPECT_FALSE(t.done());
  }  // the last handle goes: the frame goes
  EXPECT_EQ(Tracked::alive, 0);
}

TEST(Lifetime, CallbackCapturesAreReleasedOnceRunOrCancelled) {
  Tracked::alive = 0;
  {
    ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
    int runs = 0;
    auto h1 = loop.call_soon([t = Tracked("a"), &runs] { ++runs; });
    auto h2 = loop.call_later(5, [t = Tracked("b"), &runs] { ++runs; });
    EXPECT_TRUE(h2.cancel());
    EXPECT_TRUE(h2.cancelled());
    EXPECT_EQ(Tracked::alive, 1);
    EXPECT_FALSE(h2.cancel());
    loop.call_later(1, [&loop] { loop.stop(); });
    loop.run_forever();
    EXPECT_EQ(runs, 1);
    EXPECT_EQ(Tracked::alive, 0);
    (void)loop.call_soon([t = Tracked("never")] {});
    EXPECT_EQ(Tracked::alive, 1);
  }  // closing the loop drops what never ran
  EXPECT_EQ(Tracked::alive, 0);
}

TEST(Lifetime, HandlesAreMoveOnlyAndShareTakesAReference) {
  static_assert(!std::is_copy_constructible_v<ac::Future>);
  static_assert(!std::is_copy_constructible_v<ac::TaskHandle<int>>);
  static_assert(!std::is_copy_constructible_v<ac::Loop>);
  static_assert(!std::is_copy_constructible_v<ac::Task<int>>);
  ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
  ac::Future f = ac::Future::create(loop.get());
  ac::Future g = f.share();
  ac::Future h = std::move(f);
  EXPECT_FALSE(f);
  EXPECT_EQ(g.get(), h.get());
  h.set_result(std::string("x"));
  EXPECT_EQ(g.result().as_bytes(), "x");
  EXPECT_EQ(g.result<std::string>(), "x");
}

TEST(Lifetime, PointerResultIsDeletedWithItsFuture) {
  Tracked::alive = 0;
  {
    ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
    ac::Future f = ac::Future::create(loop.get());
    f.set_result(Tracked("boxed"));
    EXPECT_EQ(Tracked::alive, 1);
    EXPECT_EQ(f.result<Tracked>().name, "boxed");  // a copy, gone already
    EXPECT_EQ(Tracked::alive, 1);
  }
  EXPECT_EQ(Tracked::alive, 0);
}

}  // namespace
