// Exceptions <-> ac_error, both ways, and nothing lost on the way.
#include <gtest/gtest.h>

#include <stdexcept>

#include "face_test_util.hpp"

namespace {
using namespace facetest;

struct ParseError : std::runtime_error {
  int line;
  ParseError(const char *m, int l) : std::runtime_error(m), line(l) {}
};

ac::Task<int> parse() {
  co_await ac::sleep(1);
  throw ParseError("bad token", 7);
}

ac::Task<> foreign_exception_keeps_its_type() {
  auto t = ac::create_task(parse());
  try {
    co_await t;
    ADD_FAILURE() << "no exception";
  } catch (const ParseError &e) {
    EXPECT_STREQ(e.what(), "bad token");
    EXPECT_EQ(e.line, 7);
  }
  // What C sees: AC_EHOST with the message.
  ac_error *e = ac_future_error(t.future().get());
  EXPECT_NE(e, nullptr);
  EXPECT_EQ(ac_error_code(e), AC_EHOST);
  EXPECT_EQ(ac_error_get_kind(e), AC_ERROR_KIND_HOST);
  EXPECT_STREQ(ac_error_message(e), "bad token");
}

TEST(Exceptions, ForeignExceptionKeepsItsTypeThroughATask) { run_v(foreign_exception_keeps_its_type()); }

TEST(Exceptions, RunRethrowsTheOriginalException) {
  try {
    run_v(parse());
    FAIL() << "no exception";
  } catch (const ParseError &e) {
    EXPECT_EQ(e.line, 7);
  }
}

ac::Task<> c_error_codes_map_to_exceptions() {
  auto f = ac::Future::create();
  f.set_error(AC_ECONNRESET, "peer went away");
  try {
    co_await f;
    ADD_FAILURE();
  } catch (const ac::Error &e) {
    EXPECT_EQ(e.code(), AC_ECONNRESET);
    EXPECT_EQ(e.message(), "peer went away");
    EXPECT_STREQ(e.name(), "ECONNRESET");
    EXPECT_EQ(e.raw(), ac_future_error(f.get()));
  }
  auto g = ac::Future::create();
  g.set_error(AC_ETIMEDOUT);
  EXPECT_THROW(co_await g, ac::TimeoutError);
  auto h = ac::Future::create();
  h.cancel("stop");
  try {
    co_await h;
    ADD_FAILURE();
  } catch (const ac::CancelledError &e) {
    EXPECT_EQ(e.message(), "stop");
  }
}

TEST(Exceptions, CErrorCodesMapToExceptions) { run_v(c_error_codes_map_to_exceptions()); }

ac::Task<> rethrow_first(ac::Future f) { co_await f; }

ac::Task<> c_error_passes_through_unchanged() {
  ac_error *cause = nullptr, *err = nullptr;
  EXPECT_EQ(ac_error_new(AC_ENOENT, "no file", nullptr, &cause), 0);
  ac_error_new(AC_EPIPE, "write failed", cause, &err);
  auto f = ac::Future::create();
  ac_future_set_error(f.get(), err);
  // A C++ task rethrows it; a C reader of that task sees the same object.
  auto t = ac::create_task(rethrow_first(f.share()));
  try {
    co_await t;
  } catch (const ac::Error &) {
  }
  EXPECT_EQ(ac_future_error(t.future().get()), err);
  EXPECT_EQ(ac_error_cause(ac_future_error(t.future().get())), cause);
  ac_error_unref(err);
  ac_error_unref(cause);
}

TEST(Exceptions, CErrorPassesThroughACppTaskUnchanged) { run_v(c_error_passes_through_unchanged()); }

ac::Task<> group_error_from_c() {
  ac_error *group = nullptr, *c1 = nullptr;
  ac_error_new(AC_EGROUP, "two failed", nullptr, &group);
  ac_error_new(AC_ECONNRESET, nullptr, nullptr, &c1);
  ac_error_add_child(group, c1);
  ac_error *c2 = ac::error_from_exception(std::make_exception_ptr(ParseError("p", 2)));
  ac_error_add_child(group, c2);
  auto f = ac::Future::create();
  ac_future_set_error(f.get(), group);
  ac_error_unref(c1);
  ac_error_unref(c2);
  ac_error_unref(group);
  try {
    co_await f;
    ADD_FAILURE();
  } catch (const ac::GroupError &g) {
    EXPECT_EQ(g.exceptions().size(), 2u);
    EXPECT_THROW(std::rethrow_exception(g.exceptions()[0]), ac::Error);
    EXPECT_THROW(std::rethrow_exception(g.exceptions()[1]), ParseError);
  }
}

TEST(Exceptions, GroupErrorFromCMapsItsChildren) { run_v(group_error_from_c()); }

ac::Task<> throws_group() {
  co_await ac::sleep(0);
  throw ac::GroupError("grouped", {std::make_exception_ptr(ac::TimeoutError()),
                                   std::make_exception_ptr(std::logic_error("x"))});
}

ac::Task<> group_error_to_c() {
  auto t = ac::create_task(throws_group());
  EXPECT_THROW(co_await t, ac::GroupError);
  ac_error *e = ac_future_error(t.future().get());
  EXPECT_EQ(ac_error_code(e), AC_EGROUP);
  EXPECT_EQ(ac_error_child_count(e), 2);
  EXPECT_EQ(ac_error_code(ac_error_child(e, 0)), AC_ETIMEDOUT);
  EXPECT_EQ(ac_error_code(ac_error_child(e, 1)), AC_EHOST);
  EXPECT_STREQ(ac_error_message(ac_error_child(e, 1)), "x");
}

TEST(Exceptions, GroupErrorReachesCWithItsChildren) { run_v(group_error_to_c()); }

TEST(Exceptions, UnknownExceptionTypeBecomesHostError) {
  ac_error *e = ac::error_from_exception(std::make_exception_ptr(17));
  EXPECT_EQ(ac_error_code(e), AC_EHOST);
  EXPECT_THROW(ac::throw_error(e), int);
  ac_error_unref(e);
}

ac::Task<> fails_unobserved() {
  co_await ac::sleep(1);
  throw std::runtime_error("nobody listens");
}

ac::Task<> drop_failing_task() {
  (void)ac::create_task(fails_unobserved());
  co_await ac::sleep(2);
}

TEST(Exceptions, UnobservedTaskErrorIsReported) {
  ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
  HandlerLog log;
  log.install(loop);
  loop.run_until_complete(drop_failing_task());
  ASSERT_EQ(log.codes.size(), 1u);
  EXPECT_EQ(log.codes[0], AC_EHOST);
}

TEST(Exceptions, CallbackExceptionIsReportedNotPropagated) {
  ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
  HandlerLog log;
  log.install(loop);
  loop.call_soon([] { throw std::runtime_error("in callback"); });
  loop.call_later(1, [&loop] { loop.stop(); });
  loop.run_forever();
  ASSERT_EQ(log.messages.size(), 1u);
  EXPECT_EQ(log.messages[0], "Exception in callback");
  EXPECT_EQ(log.codes[0], AC_EHOST);
}

ac::Task<int> nested_thrower(int depth) {
  if (depth == 0) {
    co_await ac::sleep(0.5);
    throw std::out_of_range("deep");
  }
  co_return co_await nested_thrower(depth - 1);
}

ac::Task<> nested_exception_propagates_inline() {
  try {
    co_await nested_thrower(5);
  } catch (const std::out_of_range &e) {
    EXPECT_STREQ(e.what(), "deep");
  }
}

TEST(Exceptions, NestedExceptionPropagatesThroughInlineFrames) { run_v(nested_exception_propagates_inline()); }

}  // namespace
