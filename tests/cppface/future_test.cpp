// Futures, done-callbacks, task-local context.
#include <gtest/gtest.h>

#include "face_test_util.hpp"

namespace {
using namespace facetest;

ac::Task<> completes_later(ac::Future f) {
  co_await ac::sleep(2);
  f.set_result(int64_t{7});
}

ac::Task<> await_c_future(Trace *tr) {
  auto f = ac::Future::create();
  f.add_done_callback([tr](ac::Future &done) { (*tr)("callback " + std::to_string(done.result().as_int())); });
  (void)ac::create_task(completes_later(f.share()));
  int v = co_await f.as<int>();
  (*tr)("awaited " + std::to_string(v) + " at " + std::to_string(static_cast<int>(now())));
  co_await ac::sleep(0);
}

TEST(Future, AwaitGivesTheResultAndCallbacksRunThroughTheLoop) {
  Trace tr;
  run_v(await_c_future(&tr));
  EXPECT_EQ(tr.text(), "callback 7\nawaited 7 at 2\n");
}

ac::Task<> misuse() {
  auto f = ac::Future::create();
  EXPECT_THROW((void)f.result(), ac::InvalidStateError);  // "Result is not set."
  f.set_result();
  try {
    f.set_result();
    ADD_FAILURE();
  } catch (const ac::InvalidStateError &e) {
    EXPECT_EQ(e.code(), AC_ESTATE);
  }
  EXPECT_FALSE(f.cancel());
  EXPECT_TRUE((co_await f).is_none());
  auto g = ac::Future::create();
  g.set_exception(std::make_exception_ptr(ac::CancelledError("via exception")));
  EXPECT_TRUE(g.cancelled());
  // asyncio: exception() of a cancelled future raises its CancelledError.
  try {
    (void)g.exception();
    ADD_FAILURE();
  } catch (const ac::CancelledError &e) {
    EXPECT_EQ(e.message(), "via exception");
  }
}

TEST(Future, MisuseThrowsTheCodeTheCApiReturns) { run_v(misuse()); }

ac::ContextVar<std::string> request_id;

ac::Task<> child_reads(Trace *tr) {
  (*tr)("child sees " + request_id.get_or("none"));
  request_id.set("child");
  co_return;
}

ac::Task<> context_flows_down(Trace *tr) {
  auto before = ac::create_task(child_reads(tr));
  request_id.set("parent");
  auto after = ac::create_task(child_reads(tr));
  co_await before;
  co_await after;
  (*tr)("parent sees " + request_id.get_or("none"));
  EXPECT_TRUE(request_id.reset());
  EXPECT_FALSE(request_id.get().has_value());
}

TEST(Future, ContextVarFlowsToTasksCreatedAfterNeverUp) {
  Trace tr;
  run_v(context_flows_down(&tr));
  EXPECT_EQ(tr.text(), "child sees none\nchild sees parent\nparent sees parent\n");
}

}  // namespace
