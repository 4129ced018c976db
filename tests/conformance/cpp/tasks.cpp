// tasks.cpp — the C++ implementation of the task scenarios numbered from
// 100: futures, tasks, cancellation, callbacks, context, the loop and
// errors; and from 180: work on other threads and the virtual clock.
#include <chrono>
#include <thread>

#include "conformance.hpp"

namespace conf {
namespace {

using ac::Task;

// ==== 100 completing a done future

Task<> s100() {
  auto f = ac::Future::create();
  f.set_result(int64_t{1});
  try {
    f.set_result(int64_t{2});
  } catch (const ac::InvalidStateError &e) {
    say("set_result again: " + e.describe());
  }
  try {
    f.set_exception(std::make_exception_ptr(ac::ValueError("late")));
  } catch (const ac::InvalidStateError &e) {
    say("set_exception after result: " + e.describe());
  }
  say("result still " + str(f.result<int64_t>()));
  auto g = ac::Future::create();
  g.cancel();
  try {
    g.set_result(int64_t{3});
  } catch (const ac::InvalidStateError &e) {
    say("set_result after cancel: " + e.describe());
  }
  say("cancelled=" + str(g.cancelled()));
  co_return;
}

// ==== 101 reading a pending future

Task<> s101() {
  auto f = ac::Future::create();
  try {
    f.result();
  } catch (const ac::InvalidStateError &e) {
    say("result() pending: " + e.describe());
  }
  try {
    f.exception();
  } catch (const ac::InvalidStateError &e) {
    say("exception() pending: " + e.describe());
  }
  f.set_exception(std::make_exception_ptr(ac::ValueError("bad value")));
  say("exception() failed: " + describe(f.exception()));
  try {
    f.result();
  } catch (const ac::ValueError &e) {
    say("result() failed: " + e.describe());
  }
  auto g = ac::Future::create();
  g.cancel();
  try {
    g.result();
  } catch (const ac::CancelledError &e) {
    say("result() cancelled: " + e.describe());
  }
  try {
    g.exception();
  } catch (const ac::CancelledError &e) {
    say("exception() cancelled: " + e.describe());
  }
  co_return;
}

// ==== 102 done-callbacks in order, through the ready queue

auto named102(std::string name) {
  return [name](ac::Future &fut) { say(name + ": result=" + str(fut.result<int64_t>())); };
}

Task<> s102() {
  auto loop = ac::Loop::current();
  auto f = ac::Future::create();
  f.add_done_callback(named102("cb1"));
  f.add_done_callback(named102("cb2"));
  f.set_result(int64_t{5});
  say("main: set_result returned");
  loop.call_soon([] { say("soon: X"); });
  f.add_done_callback(named102("cb3"));
  say("main: cb3 added");
  co_await ac::sleep(0);
  say("main: resumed");
}

// ==== 103 remove_done_callback

void cb_a(ac::Future &) { say("A ran"); }
void cb_b(ac::Future &) { say("B ran"); }

Task<> s103() {
  auto f = ac::Future::create();
  for (ac::Future::Callback cb : {cb_a, cb_b, cb_a, cb_b, cb_a}) f.add_done_callback(cb);
  say("remove A -> " + str(f.remove_done_callback(cb_a)));
  say("remove A again -> " + str(f.remove_done_callback(cb_a)));
  f.set_result();
  say("remove B after done -> " + str(f.remove_done_callback(cb_b)));
  co_await ac::sleep(0);
  say("main: done");
}

// ==== 104 / 105 errors nobody retrieved

void timed_handler(const ac::ExceptionContext &c) {
  trace("handler: " + c.message + "; keys=" + c.keys() + "; error=" + code(c.exception));
}

Task<> s104() {
  ac::Loop::current().set_exception_handler(timed_handler);
  {
    auto read = ac::Future::create();
    read.set_exception(std::make_exception_ptr(ac::OSError(AC_ECONNRESET, "peer reset")));
    trace("main: read error=" + code(read.exception()));
  }  // read = None
  trace("main: dropped the read one");
  {
    auto unread = ac::Future::create();
    unread.set_exception(std::make_exception_ptr(ac::OSError(AC_EPIPE, "pipe closed")));
  }  // unread = None
  trace("main: dropped the unread one");
  co_return;
}

Task<> fail105(double delay) {
  co_await ac::sleep(delay);
  throw ac::OSError(AC_ECONNRESET, "peer reset");
}

Task<> s105() {
  ac::Loop::current().set_exception_handler(timed_handler);
  auto awaited = ac::create_task(fail105(1));
  (void)ac::create_task(fail105(2));
  try {
    co_await awaited;
  } catch (const ac::OSError &e) {
    trace(std::string("main: caught ") + e.name());
  }
  awaited = ac::TaskHandle<>();
  co_await ac::sleep(5);
  trace("main: done");
}

// ==== 106 cancel messages

Task<> body106(std::string name) {
  try {
    co_await ac::sleep(10);
  } catch (const ac::CancelledError &e) {
    trace(name + ": sees " + e.describe() + " (str empty=" + str(e.message().empty()) + ")");
    throw;
  }
}

Task<> never106() {
  say("never printed");
  co_return;
}

Task<> s106() {
  const std::pair<const char *, const char *> runs[] = {{"T1", nullptr}, {"T2", "stop now"}};
  for (const auto &[name, message] : runs) {
    auto t = ac::create_task(body106(name));
    co_await ac::sleep(1);
    t.cancel(message);
    try {
      co_await t;
    } catch (const ac::CancelledError &e) {
      trace(std::string("main: ") + name + " gave " + e.describe());
    }
  }
  auto early = ac::create_task(never106());
  early.cancel("too early");
  try {
    co_await early;
  } catch (const ac::CancelledError &e) {
    trace("main: T3 gave " + e.describe());
  }
}

// ==== 107 a cancel message through a chain

Task<> inner107(std::string name) {
  try {
    co_await ac::sleep(10);
  } catch (const ac::CancelledError &e) {
    trace(name + ": " + e.describe());
    throw;
  }
}

Task<> outer107(std::string name, ac::TaskHandle<> inner_task) {
  try {
    co_await inner_task;
  } catch (const ac::CancelledError &e) {
    trace(name + ": " + e.describe());
    throw;
  }
}

Task<> chain107(bool cancel_outer, const char *message) {
  auto b = ac::create_task(inner107("B"));
  auto a = ac::create_task(outer107("A", b.share()));
  co_await ac::sleep(1);
  (cancel_outer ? a : b).cancel(message);
  try {
    co_await a;
  } catch (const ac::CancelledError &e) {
    trace("main: " + e.describe() + "; A cancelled=" + str(a.cancelled()) + " B cancelled=" + str(b.cancelled()));
  }
}

Task<> s107() {
  co_await chain107(true, "from the top");
  co_await chain107(false, "from the bottom");
}

// ==== 108 cancelled twice

Task<> body108() {
  try {
    co_await ac::sleep(10);
  } catch (const ac::CancelledError &e) {
    auto me = ac::current_task();
    trace("T: " + e.describe() + "; cancelling=" + str(me.cancelling()));
    trace("T: uncancel -> " + str(me.uncancel()));
    throw;
  }
}

Task<> s108() {
  auto t = ac::create_task(body108());
  co_await ac::sleep(1);
  trace("main: cancel -> " + str(t.cancel("first")));
  trace("main: cancel -> " + str(t.cancel("second")));
  trace("main: cancelling=" + str(t.cancelling()));
  try {
    co_await t;
  } catch (const ac::CancelledError &e) {
    trace("main: " + e.describe());
  }
  bool again = t.cancel();
  trace("main: cancel done -> " + str(again) + "; cancelling=" + str(t.cancelling()));
}

// ==== 109 a swallowed cancellation

Task<std::string> stubborn109() {
  auto me = ac::current_task();
  try {
    co_await ac::sleep(10);
  } catch (const ac::CancelledError &) {
    trace("T: swallowed, cancelling=" + str(me.cancelling()));
  }
  co_await ac::sleep(2);
  trace("T: slept 2 more");
  trace("T: uncancel -> " + str(me.uncancel()));
  co_return "kept going";
}

Task<> s109() {
  auto t = ac::create_task(stubborn109());
  co_await ac::sleep(1);
  t.cancel();
  std::string result = co_await t;
  trace("main: " + result + "; cancelled=" + str(t.cancelled()) + " cancelling=" + str(t.cancelling()));
}

// ==== 110 self-cancel, then await a done and a pending future

Task<std::string> body110(ac::Future done, ac::Future pending) {
  auto me = ac::current_task();
  say("T: cancel self -> " + str(me.cancel()));
  int64_t v = co_await done.as<int64_t>();
  say("T: done future gave " + str(v));
  try {
    co_await pending;
  } catch (const ac::CancelledError &) {
    say("T: cancelled at the pending await; future cancelled=" + str(pending.cancelled()));
  }
  co_return "survived";
}

Task<> s110() {
  auto done = ac::Future::create();
  done.set_result(int64_t{7});
  auto pending = ac::Future::create();
  auto t = ac::create_task(body110(done.share(), pending.share()));
  std::string r = co_await t;
  say("main: T returned " + r);
}

// ==== 111 awaiting something done does not suspend

Task<std::string> quick111() { co_return "quick result"; }

Task<> bystander111() {
  say("B: runs");
  co_return;
}

Task<> s111() {
  auto q = ac::create_task(quick111());
  std::string r = co_await q;
  say("main: awaited pending task: " + r);
  auto b = ac::create_task(bystander111());
  auto f = ac::Future::create();
  f.set_result(int64_t{11});
  int64_t v = co_await f.as<int64_t>();
  say("main: done future: " + str(v));
  r = co_await q;
  say("main: done task: " + r);
  r = co_await q;
  say("main: done task again: " + r);
  co_await ac::sleep(0);
  say("main: after sleep(0)");
  co_await b;
}

// ==== 112 sleep(0) yields; a negative delay acts as 0

Task<> s112() {
  auto loop = ac::Loop::current();
  loop.call_soon([] { trace("cb X"); });
  co_await ac::sleep(0);
  trace("main: after sleep(0)");
  loop.call_soon([] { trace("cb Y"); });
  co_await ac::sleep(-1);
  trace("main: after sleep(-1)");
  co_await ac::sleep(0.5);
  trace("main: after sleep(0.5)");
}

// ==== 113 a task awaiting itself

Task<std::string> body113() {
  auto me = ac::current_task();
  try {
    co_await me;
  } catch (const ac::RuntimeError &e) {
    std::string m = e.message();
    say(std::string("T: ") + e.asyncio_class() + ": " + m.substr(0, m.find(':')));
  }
  co_return "recovered";
}

Task<> s113() {
  std::string r = co_await ac::create_task(body113());
  say("main: T returned " + r);
}

// ==== 114 running a loop from inside a running loop

Task<> never114() {
  say("never printed");
  co_return;
}

Task<> s114() {
  auto loop = ac::Loop::current();
  try {
    ac::run(never114(), AC_LOOP_VIRTUAL_CLOCK);
    say("run: ran");
  } catch (const ac::RuntimeError &e) {
    say("run: " + e.describe());
  }
  auto fut = ac::Future::create();
  try {
    loop.run_until_complete(fut);
    say("run_until_complete, same loop: ran");
  } catch (const ac::RuntimeError &e) {
    say("run_until_complete, same loop: " + e.describe());
  }
  ac::Loop other(AC_LOOP_VIRTUAL_CLOCK);
  auto other_fut = ac::Future::create(other.get());
  other.call_soon([f = other_fut.share()]() mutable { f.set_result(); });
  try {
    other.run_until_complete(other_fut);
    say("run_until_complete, other loop: ran");
  } catch (const ac::RuntimeError &e) {
    say("run_until_complete, other loop: " + e.describe());
  }
  other.close();
  say("main: still running=" + str(loop.is_running()) + ", fut done=" + str(fut.done()));
  co_return;
}

// ==== 115 a closed loop

Task<> s115() {
  ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
  auto fut = ac::Future::create(loop.get());
  say("new loop: closed=" + str(loop.is_closed()));
  loop.close();
  say("after close: closed=" + str(loop.is_closed()));
  try {
    loop.call_soon([] { say("never printed"); });
  } catch (const ac::RuntimeError &e) {
    say("call_soon: " + e.describe());
  }
  try {
    loop.call_later(1, [] { say("never printed"); });
  } catch (const ac::RuntimeError &e) {
    say("call_later: " + e.describe());
  }
  try {
    loop.run_until_complete(fut);
  } catch (const ac::RuntimeError &e) {
    say("run_until_complete: " + e.describe());
  }
  loop.close();
  say("closed twice: closed=" + str(loop.is_closed()));
  co_return;
}

// ==== 116 run() shutdown: a leftover failing while cancelled

Task<> leftover116() {
  try {
    co_await ac::sleep(100);
  } catch (const ac::CancelledError &) {
    trace("L: cancelled, cleanup fails");
    throw ac::ValueError("cleanup failed");
  }
}

Task<int64_t> main116() {
  ac::Loop::current().set_exception_handler([](const ac::ExceptionContext &c) {
    say("handler: " + c.message + "; keys=" + c.keys() + "; error=" + describe(c.exception));
  });
  (void)ac::create_task(leftover116());
  co_await ac::sleep(1);
  trace("main: returns");
  co_return 7;
}

Task<> s116() { (void)co_await main116(); }

// ==== 117 / 118 context

ac::ContextVar<std::string> K;

void show117(const std::string &name) { trace(name + " sees " + K.get_or("unset")); }

Task<> worker117() {
  auto loop = ac::Loop::current();
  K.set("worker");
  loop.call_soon([] { show117("soon"); });
  loop.call_later(1, [] { show117("later"); });
  auto f = ac::Future::create();
  f.add_done_callback([](ac::Future &) { show117("done-callback"); });
  K.set("worker, changed");
  f.set_result();
  show117("worker");
  co_return;
}

Task<> s117() {
  K.set("main");
  co_await ac::create_task(worker117());
  show117("main");
  co_await ac::sleep(2);
}

Task<> grandchild118() {
  say("G sees " + K.get_or("unset"));
  co_return;
}

Task<> child118() {
  say("C sees " + K.get_or("unset"));
  K.set("child");
  co_await ac::create_task(grandchild118());
  say("C still sees " + K.get_or("unset"));
}

Task<> s118() {
  K.set("before create");
  auto t = ac::create_task(child118());
  K.set("after create");
  co_await t;
  say("main sees " + K.get_or("unset"));
}

// ==== 119 to_thread and the caller's context

Task<> job119() {
  K.set("job");
  say("worker read " + co_await ac::to_thread([] { return K.get_or("unset"); }));
  say("worker set " + co_await ac::to_thread([] {
        K.set("worker");
        return K.get_or("unset");
      }));
  say("job sees " + K.get_or("unset"));
}

Task<> s119() {
  K.set("main");
  co_await ac::create_task(job119());
  say("main sees " + K.get_or("unset"));
}

// ==== 120 a worker's error with message and cause

Task<> s120() {
  try {
    co_await ac::to_thread([] {
      try {
        throw ac::OSError(AC_ECONNRESET, "peer reset");
      } catch (const ac::OSError &) {
        throw ac::ValueError("bad reply", std::current_exception());  // raise ... from e
      }
    });
  } catch (const ac::ValueError &e) {
    say(std::string("main: ") + e.name() + ": " + e.message());
    std::exception_ptr c = e.cause();
    say("main: cause " + code(c) + ": " + msg(c));
  }
}

// ==== 121 - 124 timers and handles

Task<> s121() {
  auto loop = ac::Loop::current();
  loop.call_later(1, [] { trace("A: call_later(1)"); });
  loop.call_at(1.0, [] { trace("B: call_at(1)"); });
  auto dropped = loop.call_later(0.5, [] { trace("never printed"); });
  loop.call_at(2.0, [] { trace("C: call_at(2)"); });
  loop.call_later(2, [] { trace("D: call_later(2)"); });
  dropped.cancel();
  trace("main: dropped cancelled=" + str(dropped.cancelled()));
  co_await ac::sleep(3);
  trace("main: done");
}

Task<> s122() {
  auto loop = ac::Loop::current();
  loop.call_later(0, [] { say("timer: call_later(0)"); });
  loop.call_soon([] { say("soon 1"); });
  loop.call_soon([] { say("soon 2"); });
  co_await ac::sleep(0);
  say("main: after sleep(0)");
  co_await ac::sleep(0);
  say("main: after second sleep(0)");
}

Task<> s123() {
  auto loop = ac::Loop::current();
  auto zero = loop.call_later(0, [] { trace("zero"); });
  auto neg = loop.call_later(-1, [] { trace("negative"); });
  auto past = loop.call_at(loop.time() - 5, [] { trace("past"); });
  trace("main: when " + ms_of(zero.when()) + ", " + ms_of(neg.when()) + ", " + ms_of(past.when()));
  co_await ac::sleep(1);
  trace("main: done");
}

Task<> s124() {
  auto loop = ac::Loop::current();
  auto soon = loop.call_soon([] { trace("never printed"); });
  auto later = loop.call_later(1.5, [] { trace("never printed"); });
  auto kept = loop.call_later(2.5, [] { trace("kept: ran"); });
  trace("main: cancelled=" + str(soon.cancelled()) + ", when=" + ms_of(later.when()) + ", " + ms_of(kept.when()));
  soon.cancel();
  later.cancel();
  later.cancel();
  trace("main: cancelled=" + str(soon.cancelled()) + ", " + str(later.cancelled()) + ", " + str(kept.cancelled()));
  co_await ac::sleep(3);
  trace("main: done");
}

// ==== 125 / 126 eager tasks (asyncio's eager_task_factory: spawn with
// AC_TASK_EAGER)

Task<int64_t> quick125() {
  say("E: runs");
  co_return 5;
}

Task<> s125() {
  auto t = ac::spawn(ac::get_running_loop(), quick125(), nullptr, AC_TASK_EAGER);
  say("main: created, done=" + str(t.done()));
  t.add_done_callback([](auto &) { say("E: callback"); });
  int64_t v = co_await t;
  say("main: awaited " + str(v));
  co_await ac::sleep(0);
  say("main: after sleep(0)");
}

Task<> body126(ac::TaskHandle<ac::Value> main_task) {
  auto me = ac::current_task();
  say("E: first step, is main=" + str(me == main_task) + ", sees " + K.get_or("unset"));
  K.set("eager");
  co_await ac::sleep(0);
  say("E: second step, sees " + K.get_or("unset"));
}

Task<> s126() {
  auto me = ac::current_task();
  K.set("main");
  auto t = ac::spawn(ac::get_running_loop(), body126(me.share()), nullptr, AC_TASK_EAGER);
  say("main: created, current is main=" + str(ac::current_task() == me) + ", sees " + K.get_or("unset"));
  co_await t;
  say("main: done");
}

// ==== 127 cancelling a future

Task<> s127() {
  auto f = ac::Future::create();
  f.add_done_callback([](ac::Future &fut) { say("callback: cancelled=" + str(fut.cancelled())); });
  say("cancel -> " + str(f.cancel("first")));
  say("cancel again -> " + str(f.cancel("second")));
  say("done=" + str(f.done()) + " cancelled=" + str(f.cancelled()));
  try {
    f.result();
  } catch (const ac::CancelledError &e) {
    say("result(): " + e.describe());
  }
  auto g = ac::Future::create();
  g.set_result(int64_t{4});
  bool cancelled = g.cancel();
  say("cancel a done future -> " + str(cancelled) + "; result=" + str(g.result<int64_t>()));
  co_await ac::sleep(0);
}

// ==== 128 the awaiter's turn among the done-callbacks

Task<std::string> work128() {
  co_await ac::sleep(1);
  co_return "w";
}

Task<> waiter128(std::string name, ac::TaskHandle<std::string> t) {
  std::string r = co_await t;
  trace(name + ": got " + r);
}

Task<> s128() {
  auto t = ac::create_task(work128());
  t.add_done_callback([](auto &) { trace("cb1"); });
  auto w = ac::create_task(waiter128("W", t.share()));
  co_await ac::sleep(0.5);
  t.add_done_callback([](auto &) { trace("cb2"); });
  std::string r = co_await t;
  trace("main: got " + r);
  co_await w;
}

// ==== 129 current_task, all_tasks

Task<ac::TaskHandle<ac::Value>> child129(double delay) {
  co_await ac::sleep(delay);
  co_return ac::current_task();
}

bool holds(const std::vector<ac::TaskHandle<ac::Value>> &tasks, const ac::TaskHandle<ac::Value> &t) {
  for (const auto &x : tasks)
    if (x == t) return true;
  return false;
}

Task<> s129() {
  auto me = ac::current_task();
  ac::Loop::current().call_soon([] { trace("callback: current is None=" + str(!ac::current_task())); });
  auto a = ac::create_task(child129(1));
  auto b = ac::create_task(child129(2));
  auto tasks = ac::all_tasks();
  trace("main: all_tasks=" + str(tasks.size()) + ", main in it=" + str(holds(tasks, me)));
  auto seen = co_await a;
  trace("main: A saw itself=" + str(seen.get() == a.get()));
  trace("main: all_tasks=" + str(ac::all_tasks().size()));
  co_await b;
  size_t n = ac::all_tasks().size();
  trace("main: all_tasks=" + str(n) + ", current is main=" + str(ac::current_task() == me));
}

// ==== 130 an error raised by a callback

void bad130(const std::string &what) { throw ac::ValueError(what + " failed"); }

Task<> s130() {
  auto loop = ac::Loop::current();
  loop.set_exception_handler([](const ac::ExceptionContext &c) {
    say("handler: keys=" + c.keys() + "; error=" + describe(c.exception));
  });
  loop.call_soon([] { bad130("callback"); });
  loop.call_soon([] { say("next callback runs"); });
  auto f = ac::Future::create();
  f.add_done_callback([](ac::Future &) { bad130("done-callback"); });
  f.add_done_callback([](ac::Future &) { say("next done-callback runs"); });
  f.set_result();
  co_await ac::sleep(0);
  say("main: done");
}

// ==== 131 run() finishes the iteration in which main completes

Task<> other131() {
  trace("other: started");
  try {
    co_await ac::sleep(1);
  } catch (const ac::CancelledError &) {
    trace("other: cancelled");
    throw;
  }
}

Task<int64_t> s131() {
  (void)ac::create_task(other131());
  trace("main: done");
  co_return 3;
}

// ==== 180 to_thread work holds the virtual clock

Task<> sleeper180() {
  trace("sleeper: sleeping 10");
  co_await ac::sleep(10);
  trace("sleeper: woke");
}

Task<> s180() {
  auto t = ac::create_task(sleeper180());
  co_await ac::sleep(0);
  int64_t r = co_await ac::to_thread([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // real work, real time
    return int64_t{7};
  });
  trace("main: job gave " + str(r));
  co_await t;
  trace("main: done");
}

}  // namespace

const std::vector<ResultScenario> &result_scenarios() {
  static const std::vector<ResultScenario> table = {
      {"131-run-finishes-the-iteration", s131},
  };
  return table;
}

const std::vector<Scenario> &task_scenarios() {
  static const std::vector<Scenario> table = {
      {"100-future-set-when-done", s100},
      {"101-future-result-not-ready", s101},
      {"102-done-callbacks-order", s102},
      {"103-remove-done-callback", s103},
      {"104-unretrieved-future-error", s104},
      {"105-unretrieved-task-error", s105},
      {"106-cancel-message", s106},
      {"107-cancel-message-chain", s107},
      {"108-cancel-twice", s108},
      {"109-cancel-swallowed-continues", s109},
      {"110-self-cancel-then-await", s110},
      {"111-await-done-no-suspend", s111},
      {"112-sleep-zero-yields", s112},
      {"113-task-awaits-itself", s113},
      {"114-run-inside-running-loop", s114},
      {"115-closed-loop", s115},
      {"116-run-shutdown-error", s116},
      {"117-callback-context", s117},
      {"118-task-context-copy", s118},
      {"119-to-thread-context", s119},
      {"120-to-thread-error-cause", s120},
      {"121-timers-equal-deadline", s121},
      {"122-timer-joins-ready-queue", s122},
      {"123-call-later-negative", s123},
      {"124-handle-cancel", s124},
      {"125-eager-finishes-at-once", s125},
      {"126-eager-step-context", s126},
      {"127-future-cancel", s127},
      {"128-awaiter-wakeup-order", s128},
      {"129-current-task-all-tasks", s129},
      {"130-callback-error-reported", s130},
      {"180-to-thread-holds-clock", s180},
  };
  return table;
}

}  // namespace conf
