// asyncio's exception classes and messages through the face: every
// condition raises the class asyncio raises, with asyncio's message; a
// timeout scope's TimeoutError carries the CancelledError as its cause;
// cancel() without a message gives an empty message.
#include <cmath>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "face_test_util.hpp"

namespace {
using namespace facetest;

// Calls fn() and returns "Class: message" of the ac::Error it throws, or
// "no exception".
template <class F>
std::string raised(F fn) {
  try {
    fn();
  } catch (const ac::Error &e) {
    return e.describe();
  }
  return "no exception";
}

// ---- RuntimeError

ac::Task<> runtime_errors() {
  ac::Lock lock;
  try {
    lock.release();
    ADD_FAILURE() << "released an unlocked lock";
  } catch (const ac::RuntimeError &e) {
    EXPECT_EQ(e.message(), "Lock is not acquired.");
    EXPECT_STREQ(e.asyncio_class(), "RuntimeError");
    EXPECT_STREQ(e.what(), "Lock is not acquired.");
  }
  ac::Condition cond;
  try {
    co_await cond.wait();
    ADD_FAILURE() << "waited without the lock";
  } catch (const ac::RuntimeError &e) {
    EXPECT_EQ(e.message(), "cannot wait on un-acquired lock");
  }
  EXPECT_EQ(raised([&] { cond.notify(); }), "RuntimeError: cannot notify on un-acquired lock");
  EXPECT_EQ(raised([&] { cond.notify_all(); }), "RuntimeError: cannot notify on un-acquired lock");

  ac::Timeout scope(5);
  EXPECT_EQ(raised([&] { scope.reschedule(1); }), "RuntimeError: Timeout has not been entered");
  EXPECT_EQ(raised([&] { scope.exit(); }), "RuntimeError: Timeout has not been entered");
  co_await scope.run([&]() -> ac::Task<> {
    EXPECT_EQ(raised([&] { scope.enter(); }), "RuntimeError: Timeout has already been entered");
    co_return;
  });
  EXPECT_EQ(raised([&] { scope.reschedule(1); }), "RuntimeError: Cannot change state of finished Timeout");
}
TEST(AsyncioErrors, MisuseIsRuntimeErrorWithAsyncioWords) { run_v(runtime_errors()); }

ac::Task<int> awaits_itself() {
  auto me = ac::current_task();
  try {
    co_await me;
    ADD_FAILURE() << "a task awaited itself";
  } catch (const ac::RuntimeError &e) {
    EXPECT_EQ(e.message(), "Task cannot await on itself: <Task pending name='" + me.name() + "'>");
  }
  // The refused await left the task as it was: it suspends again and ends
  // with its own result, not with the refusal.
  co_await ac::sleep(0.5);
  co_return 7;
}
ac::Task<> await_self() {
  auto h = ac::create_task(awaits_itself(), "selfish");
  EXPECT_EQ(co_await h, 7);
  EXPECT_FALSE(h.exception());
}
TEST(AsyncioErrors, ATaskAwaitingItselfIsRuntimeError) { run_v(await_self()); }

// Every other refusal of an await keeps the reason the C call gave.
ac::Task<> refused_awaits(ac::Future foreign) {
  try {
    co_await foreign;
    ADD_FAILURE() << "awaited a future of another loop";
  } catch (const ac::RuntimeError &e) {
    EXPECT_EQ(e.message(), "Task got Future attached to a different loop");
  }
  try {
    co_await ac::sleep(std::nan(""));
    ADD_FAILURE() << "slept NaN seconds";
  } catch (const ac::ValueError &e) {
    EXPECT_EQ(e.message(), "sleep length must not be NaN");
  }
  ac::Queue<int> q;
  q.shutdown();
  try {
    co_await q.put(1);
    ADD_FAILURE() << "put into a shut-down queue";
  } catch (const ac::QueueShutDown &) {
  }
  co_await ac::sleep(0);  // and the task goes on awaiting
}
TEST(AsyncioErrors, RefusedAwaitsKeepTheirReason) {
  ac::Loop other(AC_LOOP_VIRTUAL_CLOCK);
  ac::Future foreign = ac::Future::create(other.get());
  run_v(refused_awaits(std::move(foreign)));
}

TEST(AsyncioErrors, ClosedAndRunningLoopsAreRuntimeError) {
  ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
  loop.close();
  EXPECT_THROW(loop.call_soon([] {}), ac::RuntimeError);
  EXPECT_THROW(loop.call_later(1, [] {}), ac::RuntimeError);
  EXPECT_THROW((void)ac::Future::create(loop.get()), ac::RuntimeError);
  ac::Loop running(AC_LOOP_VIRTUAL_CLOCK);
  running.run_until_complete([](ac::Loop &l) -> ac::Task<> {
    auto f = ac::Future::create();
    EXPECT_THROW(l.run_until_complete(f), ac::RuntimeError);  // already running
    EXPECT_FALSE(f.done());
    co_return;
  }(running));
  EXPECT_THROW((void)ac::get_running_loop(), ac::RuntimeError);
}

// ---- ValueError

ac::Task<> value_errors() {
  EXPECT_EQ(raised([] { ac::Semaphore s(-1); }), "ValueError: Semaphore initial value must be >= 0");
  EXPECT_EQ(raised([] { ac::Barrier b(0); }), "ValueError: parties must be >= 1");
  ac::BoundedSemaphore sem(1);
  co_await sem.acquire();
  sem.release();
  try {
    sem.release();
    ADD_FAILURE() << "over-released a bounded semaphore";
  } catch (const ac::ValueError &e) {
    EXPECT_EQ(e.message(), "BoundedSemaphore released too many times");
  }
  ac::Queue<int> q;
  q.put_nowait(1);
  (void)q.get_nowait();
  q.task_done();
  EXPECT_EQ(raised([&] { q.task_done(); }), "ValueError: task_done() called too many times");
}
TEST(AsyncioErrors, BadValuesAreValueError) { run_v(value_errors()); }

// ---- InvalidStateError

ac::Task<> invalid_state() {
  auto f = ac::Future::create();
  EXPECT_EQ(raised([&] { f.result(); }), "InvalidStateError: Result is not set.");
  EXPECT_EQ(raised([&] { f.exception(); }), "InvalidStateError: Exception is not set.");
  f.set_result(1);
  EXPECT_EQ(raised([&] { f.set_result(2); }), "InvalidStateError: invalid state");
  EXPECT_THROW(f.set_exception(std::make_exception_ptr(ac::ValueError("late"))), ac::InvalidStateError);
  auto t = ac::create_task([]() -> ac::Task<int> {
    co_await ac::sleep(1);
    co_return 1;
  }());
  EXPECT_THROW(t.result(), ac::InvalidStateError);
  co_await t;
}
TEST(AsyncioErrors, DoneOrPendingFuturesRaiseInvalidStateError) { run_v(invalid_state()); }

// ---- queues, barriers, groups

ac::Task<> queue_and_barrier_errors() {
  ac::Queue<int> q(1);
  EXPECT_EQ(raised([&] { q.get_nowait(); }), "QueueEmpty");
  q.put_nowait(1);
  EXPECT_EQ(raised([&] { q.put_nowait(2); }), "QueueFull");
  EXPECT_THROW(q.put_nowait(2), ac::QueueFull);
  q.shutdown();
  try {
    co_await q.put(3);
    ADD_FAILURE() << "put on a shut-down queue";
  } catch (const ac::QueueShutDown &e) {
    EXPECT_EQ(e.message(), "");
    EXPECT_STREQ(e.what(), "QueueShutDown");
  }
  ac::Barrier b(2);
  b.abort();
  try {
    co_await b.wait();
    ADD_FAILURE() << "waited on a broken barrier";
  } catch (const ac::RuntimeError &e) {  // a BrokenBarrierError is a RuntimeError, as in Python
    EXPECT_NE(dynamic_cast<const ac::BrokenBarrierError *>(&e), nullptr);
    EXPECT_STREQ(e.asyncio_class(), "BrokenBarrierError");
  }
}
TEST(AsyncioErrors, QueueAndBarrierConditions) { run_v(queue_and_barrier_errors()); }

ac::Task<> group_errors() {
  try {
    co_await ac::with_task_group([](ac::TaskGroup &tg) -> ac::Task<> {
      tg.create_task([]() -> ac::Task<> {
        co_await ac::sleep(1);
        throw ac::ValueError("child failed");
      }());
      co_return;
    });
    ADD_FAILURE() << "the group did not fail";
  } catch (const ac::ExceptionGroup &g) {
    EXPECT_EQ(g.describe(), "ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)");
    EXPECT_EQ(g.exceptions().size(), 1u);
    if (g.exceptions().size() == 1) {
      EXPECT_EQ(ac::describe(g.exceptions()[0]), "ValueError: child failed");
      EXPECT_THROW(std::rethrow_exception(g.exceptions()[0]), ac::ValueError);
    }
  }
}
TEST(AsyncioErrors, GroupsRaiseExceptionGroupWithTheChildren) { run_v(group_errors()); }

// ---- TimeoutError and CancelledError

ac::Task<> timeout_cause() {
  try {
    co_await ac::timeout(1, []() -> ac::Task<> { co_await ac::sleep(5); }());
    ADD_FAILURE() << "no timeout";
  } catch (const ac::TimeoutError &e) {
    EXPECT_EQ(e.message(), "");  // asyncio's TimeoutError() has no message
    EXPECT_STREQ(e.asyncio_class(), "TimeoutError");
    std::exception_ptr cause = e.cause();
    EXPECT_TRUE(cause);
    if (cause) {
      EXPECT_THROW(std::rethrow_exception(cause), ac::CancelledError);
    }
  }
  // wait_for's TimeoutError carries the cancellation too.
  try {
    co_await ac::wait_for([]() -> ac::Task<> { co_await ac::sleep(5); }(), 1);
    ADD_FAILURE() << "no timeout";
  } catch (const ac::TimeoutError &e) {
    EXPECT_EQ(e.message(), "");
    EXPECT_EQ(ac::describe(e.cause()), "CancelledError");
  }
  // A TimeoutError is an OSError, as in Python.
  try {
    co_await ac::timeout(0, []() -> ac::Task<> { co_await ac::sleep(1); }());
  } catch (const ac::OSError &e) {
    EXPECT_EQ(e.code(), AC_ETIMEDOUT);
  }
}
TEST(AsyncioErrors, TimeoutErrorCarriesTheCancelledErrorAsItsCause) { run_v(timeout_cause()); }

ac::Task<> cancel_messages() {
  auto body = []() -> ac::Task<> { co_await ac::sleep(10); };
  auto plain = ac::create_task(body());
  auto with = ac::create_task(body());
  co_await ac::sleep(1);
  plain.cancel();
  with.cancel("stop");
  try {
    co_await plain;
  } catch (const ac::CancelledError &e) {
    EXPECT_EQ(e.message(), "");
    EXPECT_EQ(e.describe(), "CancelledError");
  }
  try {
    co_await with;
  } catch (const ac::CancelledError &e) {
    EXPECT_EQ(e.describe(), "CancelledError: stop");
  }
  auto f = ac::Future::create();
  f.cancel();
  EXPECT_EQ(raised([&] { f.result(); }), "CancelledError");
}
TEST(AsyncioErrors, CancelWithoutAMessageHasAnEmptyMessage) { run_v(cancel_messages()); }

// ---- errors made by C++ code keep their class and cause through C

ac::Task<> cpp_errors_cross_c() {
  auto t = ac::create_task([]() -> ac::Task<> {
    co_await ac::sleep(1);
    try {
      throw ac::OSError(AC_ECONNRESET, "peer reset");
    } catch (const ac::OSError &) {
      throw ac::ValueError("bad reply", std::current_exception());
    }
  }());
  try {
    co_await t;
  } catch (const ac::ValueError &e) {
    EXPECT_EQ(e.describe(), "ValueError: bad reply");
    EXPECT_EQ(ac::describe(e.cause()), "ConnectionResetError: peer reset");
  }
  // What C sees: the code, the message, and the cause as an ac_error.
  ac_error *e = ac_future_error(t.future().get());
  EXPECT_EQ(ac_error_code(e), AC_EINVAL);
  EXPECT_STREQ(ac_error_message(e), "bad reply");
  EXPECT_EQ(ac_error_code(ac_error_cause(e)), AC_ECONNRESET);
}
TEST(AsyncioErrors, CppErrorsKeepClassAndCauseThroughC) { run_v(cpp_errors_cross_c()); }

// ---- the exception handler's context, as asyncio's dict

TEST(AsyncioErrors, HandlerContextNamesItsSubject) {
  ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
  std::vector<std::string> seen;
  loop.set_exception_handler([&seen](const ac::ExceptionContext &c) {
    seen.push_back(c.keys() + " | " + c.subject + " | " + ac::describe(c.exception));
  });
  loop.call_soon([] { throw ac::ValueError("callback failed"); });
  loop.run_until_complete([]() -> ac::Task<> {
    {
      auto f = ac::Future::create();
      f.set_exception(std::make_exception_ptr(ac::OSError(AC_EPIPE, "pipe closed")));
    }  // dropped unread
    co_await ac::sleep(0);
  }());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], "exception, handle, message | handle | ValueError: callback failed");
  EXPECT_EQ(seen[1], "exception, future, message | future | BrokenPipeError: pipe closed");
}

}  // namespace
