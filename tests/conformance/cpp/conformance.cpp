// conformance.cpp — the C++ implementation of the conformance scenarios,
// written with the C++ face (asyncore.hpp) as a C++ user would: 01-56 and
// main here, the others by area in sync.cpp (57-98), tasks.cpp (100-130)
// and structured.cpp (140-179), which share conformance.hpp.
//
//   conformance_cpp NAME     runs scenario NAME and prints its trace
//   conformance_cpp --list   prints the names it implements
//
// Every scenario runs on the virtual clock; "t=N" is the loop time in ms.
#include <asyncore.hpp>

#include "conformance.hpp"

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <algorithm>
#include <string>
#include <thread>
#include <vector>

namespace ac = asyncore;

namespace {

long long ms() { return std::llround(ac::Loop::current().time() * 1000.0); }

void trace(const std::string &line) { std::printf("%s\n", line.c_str()); }
void trace_t(const std::string &line) { std::printf("t=%lld %s\n", ms(), line.c_str()); }

std::string str(long long v) { return std::to_string(v); }

// ---- 01 - 03 callbacks and futures

ac::Task<> s01() {
  auto loop = ac::Loop::current();
  loop.call_soon([] {
    trace("A");
    ac::Loop::current().call_soon([] { trace("D"); });
  });
  loop.call_soon([] { trace("B"); });
  loop.call_soon([] { trace("C"); });
  co_await ac::sleep(1);
  trace_t("main: done");
}

ac::Task<> s02() {
  auto loop = ac::Loop::current();
  loop.call_later(0.2, [] { trace_t("late"); });
  loop.call_later(0.1, [] { trace_t("first"); });
  loop.call_later(0.1, [] { trace_t("second"); });
  co_await ac::sleep(1);
  trace_t("main: done");
}

ac::Task<> s03() {
  auto f = ac::Future::create();
  f.add_done_callback([](ac::Future &d) { trace("cb1: result=" + str(d.result<int64_t>())); });
  f.set_result(int64_t{7});
  trace("main: set_result returned");
  f.add_done_callback([](ac::Future &d) { trace("cb2: result=" + str(d.result<int64_t>())); });
  trace("main: add after done returned");
  co_await ac::sleep(0);
  trace("main: resumed");
}

// ---- 04 - 07 tasks

ac::Task<> worker(std::string name, double delay) {
  co_await ac::sleep(delay);
  trace_t(name + ": woke");
}

ac::Task<> s04() {
  auto a = ac::create_task(worker("A", 2));
  auto b = ac::create_task(worker("B", 1));
  co_await a;
  co_await b;
  trace_t("main: done");
}

ac::Task<> s05() {
  co_await worker("A", 2);
  co_await worker("B", 1);
  trace_t("main: done");
}

ac::Task<int> producer() {
  co_await ac::sleep(1);
  co_return 42;
}
ac::Task<> waiter(std::string name, ac::TaskHandle<int> p) {
  int r = co_await p;
  trace_t(name + ": got " + str(r));
}

ac::Task<> s06() {
  auto p = ac::create_task(producer());
  auto w1 = ac::create_task(waiter("W1", p.share()));
  auto w2 = ac::create_task(waiter("W2", p.share()));
  co_await w1;
  co_await w2;
  trace("main: cancel after done -> " + str(p.cancel()));
}

ac::Task<> failing() {
  co_await ac::sleep(1);
  throw ac::Error(AC_ECONNRESET, "peer reset");
}

ac::Task<> s07() {
  auto t = ac::create_task(failing());
  try {
    co_await t;
  } catch (const ac::Error &e) {
    trace_t(std::string("main: caught ") + e.name() + ": " + e.message());
  }
}

// ---- 08 - 14 cancellation

ac::Task<> started() {
  trace("T: started");
  co_return;
}

ac::Task<> s08() {
  auto t = ac::create_task(started());
  trace("main: cancel -> " + str(t.cancel()));
  try {
    co_await t;
  } catch (const ac::CancelledError &) {
    trace("main: T cancelled");
  }
}

ac::Task<> sleeper() {
  trace("T: sleeping");
  struct Cleanup {
    ~Cleanup() { trace_t("T: cleanup"); }
  } cleanup;
  try {
    co_await ac::sleep(10);
  } catch (const ac::CancelledError &e) {
    trace_t("T: cancelled (" + e.message() + ")");
    throw;
  }
}

ac::Task<> s09() {
  auto t = ac::create_task(sleeper());
  co_await ac::sleep(1);
  t.cancel("stop");
  try {
    co_await t;
  } catch (const ac::CancelledError &e) {
    trace_t("main: T cancelled (" + e.message() + "), cancelled=" + str(t.cancelled()));
  }
}

ac::Task<int> swallower() {
  try {
    co_await ac::sleep(10);
  } catch (const ac::CancelledError &) {
    trace_t("T: swallowed");
  }
  co_await ac::sleep(1);
  co_return 5;
}

ac::Task<> s10() {
  auto t = ac::create_task(swallower());
  co_await ac::sleep(1);
  t.cancel();
  int r = co_await t;
  trace_t("main: T returned " + str(r) + ", cancelling=" + str(t.cancelling()));
}

ac::Task<int> ran_to_end() {
  co_await ac::sleep(1);
  trace_t("T: ran to the end");
  co_return 1;
}

ac::Task<> s11() {
  auto t = ac::create_task(ran_to_end());
  t.cancel();
  trace("main: cancelling=" + str(t.cancelling()));
  trace("main: uncancel -> " + str(t.uncancel()));
  int r = co_await t;
  trace_t("main: T returned " + str(r));
}

ac::Task<> inner() {
  try {
    co_await ac::sleep(10);
  } catch (const ac::CancelledError &) {
    trace_t("inner: cancelled");
    throw;
  }
}
ac::Task<> outer(ac::TaskHandle<> i) {
  try {
    co_await i;
  } catch (const ac::CancelledError &) {
    trace_t("outer: cancelled");
    throw;
  }
}

ac::Task<> s12() {
  auto i = ac::create_task(inner());
  auto o = ac::create_task(outer(i.share()));
  co_await ac::sleep(1);
  o.cancel();
  try {
    co_await o;
  } catch (const ac::CancelledError &) {
    trace_t("main: outer cancelled, inner cancelled=" + str(i.cancelled()));
  }
}

ac::Task<int> finish_cancelled() {
  ac::current_task().cancel();
  trace("T: cancel requested");
  co_return 3;
}

ac::Task<> s13() {
  auto t = ac::create_task(finish_cancelled());
  try {
    co_await t;
  } catch (const ac::CancelledError &) {
    trace("main: T cancelled=" + str(t.cancelled()));
  }
}

ac::Task<> cancel_self() {
  ac::current_task().cancel();
  try {
    co_await ac::sleep(5);
  } catch (const ac::CancelledError &) {
    trace("T: cancelled at its await");
    throw;
  }
}

ac::Task<> s14() {
  auto t = ac::create_task(cancel_self());
  try {
    co_await t;
  } catch (const ac::CancelledError &) {
    trace("main: T cancelled");
  }
}

// ---- 15 - 16 scheduling

ac::Task<> spinner(std::string name) {
  for (int i = 0; i < 3; ++i) {
    trace(name + " " + str(i));
    co_await ac::sleep(0);
  }
}

ac::Task<> s15() {
  auto a = ac::create_task(spinner("A"));
  auto b = ac::create_task(spinner("B"));
  co_await a;
  co_await b;
}

ac::Task<> eager_body() {
  trace("E: first step");
  co_await ac::sleep(1);
  trace_t("E: done");
}

ac::Task<> s16() {
  auto e = ac::spawn(ac::get_running_loop(), eager_body(), nullptr, AC_TASK_EAGER);
  trace("main: after create");
  co_await e;
}

// ---- 17 - 18 context

ac::ContextVar<std::string> K;

ac::Task<> child(std::string name) {
  trace(name + " sees " + K.get_or("none"));
  K.set(name);
  co_return;
}

ac::Task<> s17() {
  K.set("main");
  auto c1 = ac::create_task(child("C1"));
  K.set("main2");
  auto c2 = ac::create_task(child("C2"));
  co_await c1;
  co_await c2;
  trace("main sees " + K.get_or("none"));
}

ac::Task<> s18() {
  auto loop = ac::Loop::current();
  K.set("one");
  loop.call_soon([] { trace("cb1 sees " + K.get_or("none")); });
  K.set("two");
  loop.call_soon([] { trace("cb2 sees " + K.get_or("none")); });
  co_await ac::sleep(0);
}

// ---- 19 - 24 run, errors, clock, futures, names, timers

ac::Task<> leftover() {
  try {
    co_await ac::sleep(100);
  } catch (const ac::CancelledError &) {
    trace_t("L: cancelled");
    throw;
  }
}

ac::Task<int> s19_main() {
  (void)ac::create_task(leftover());
  co_await ac::sleep(1);
  co_return 7;
}

ac::Task<> s19() {
  // Handled in main(): run() must own the loop here.
  co_return;
}

ac::Task<> failing_plain() {
  co_await ac::sleep(1);
  throw ac::Error(AC_ECONNRESET);
}

ac::Task<> s20() {
  ac::Loop::current().set_exception_handler([](const char *, ac_error *error, ac_future *) {
    trace_t(std::string("handler: ") + ac_err_name(ac_error_code(error)));
  });
  (void)ac::create_task(failing_plain());
  co_await ac::sleep(2);
  trace_t("main: done");
}

ac::Task<> s21() {
  trace_t("start");
  co_await ac::sleep(1.5);
  trace_t("after 1.5");
  co_await ac::sleep(0.25);
  trace_t("after 0.25");
}

ac::Task<> future_waiter(ac::Future f) {
  try {
    co_await f;
  } catch (const ac::CancelledError &e) {
    trace_t("W: cancelled (" + e.message() + ")");
    throw;
  }
}

ac::Task<> s22() {
  auto f = ac::Future::create();
  auto w = ac::create_task(future_waiter(f.share()));
  co_await ac::sleep(1);
  f.cancel("bye");
  try {
    co_await w;
  } catch (const ac::CancelledError &) {
    trace_t("main: W cancelled=" + str(w.cancelled()));
  }
}

ac::Task<> named() {
  trace("T: my name is " + ac::current_task().name());
  co_return;
}

ac::Task<> s23() {
  auto t = ac::create_task(named());
  t.set_name("worker-1");
  co_await t;
}

ac::Task<> s24() {
  auto loop = ac::Loop::current();
  auto h = loop.call_later(1, [] { trace_t("dropped"); });
  loop.call_later(1, [] { trace_t("kept"); });
  trace("main: cancel -> " + str(h.cancel()));
  co_await ac::sleep(2);
  trace_t("main: done");
}


// ---- 25 - 41 structured concurrency

ac::Task<int64_t> cworker(std::string name, double delay, int64_t value) {
  co_await ac::sleep(delay);
  trace_t(name + ": done");
  co_return value;
}
ac::Task<int64_t> cfailing(double delay, int code = AC_ECONNRESET) {
  co_await ac::sleep(delay);
  throw ac::Error(code);
}
ac::Task<> csleeper(std::string name) {
  try {
    co_await ac::sleep(10);
  } catch (const ac::CancelledError &) {
    trace_t(name + ": cancelled");
    throw;
  }
}

std::string code_name(const std::exception_ptr &ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const ac::Error &e) {
    return e.name();
  } catch (...) {
    return "?";
  }
}
std::string codes_of(const ac::GroupError &g) {
  std::string out;
  for (const auto &c : g.exceptions()) out += (out.empty() ? "" : ", ") + code_name(c);
  return out;
}

ac::Task<> s25() {
  auto [a, b, c] = co_await ac::gather(cworker("A", 3, 30), cworker("B", 1, 10), cworker("C", 2, 20));
  trace_t("main: results=[" + str(a) + ", " + str(b) + ", " + str(c) + "]");
}

ac::Task<> s26() {
  auto b = ac::create_task(cworker("B", 2, 2));
  try {
    co_await ac::gather(cfailing(1), b.share());
  } catch (const ac::Error &e) {
    trace_t(std::string("main: gather failed with ") + e.name());
  }
  int64_t r = co_await b;
  trace_t("main: B returned " + str(r));
}

ac::Task<> s27() {
  auto [a, b] = co_await ac::gather_settled(cfailing(1), cworker("B", 2, 2));
  trace_t("main: results=[" + code_name(a.error()) + ", " + str(b.get()) + "]");
}

ac::Task<> gather_waiter() { co_await ac::gather(csleeper("A"), csleeper("B")); }

ac::Task<> s28() {
  auto w = ac::create_task(gather_waiter());
  co_await ac::sleep(1);
  w.cancel();
  try {
    co_await w;
  } catch (const ac::CancelledError &) {
    trace_t("main: waiter cancelled");
  }
}

std::string names_of(const std::vector<size_t> &idx) {
  static const char *const names[3] = {"A", "B", "C"};
  std::string out;
  for (size_t i : idx) out += std::string(out.empty() ? "" : ", ") + names[i];
  return out;
}

std::vector<ac::TaskHandle<int64_t>> three(int64_t a, int64_t b, int64_t c, double da, double db, double dc) {
  std::vector<ac::TaskHandle<int64_t>> v;
  v.push_back(ac::create_task(cworker("A", da, a)));
  v.push_back(ac::create_task(cworker("B", db, b)));
  v.push_back(ac::create_task(cworker("C", dc, c)));
  return v;
}

ac::Task<> s29() {
  auto ts = three(0, 0, 0, 2, 1, 3);
  auto r = co_await ac::wait(ts, ac::WaitMode::first_completed);
  trace_t("main: done=[" + names_of(r.done) + "] pending=[" + names_of(r.pending) + "]");
}

ac::Task<> s30() {
  auto ts = three(0, 0, 0, 2, 1, 3);
  auto r = co_await ac::wait(ts, ac::WaitMode::all_completed, 1.5);
  trace_t("main: done=[" + names_of(r.done) + "] pending=[" + names_of(r.pending) + "]");
  co_await ts[0];
  trace_t("main: A still finished");
}

ac::Task<> s31() {
  auto ts = three(30, 10, 20, 3, 1, 2);
  ac::AsCompleted it(ts);
  while (auto i = co_await it.next()) {
    int64_t r = co_await ts[*i];
    trace_t("main: next=" + str(r));
  }
}

ac::Task<> long_running() {
  struct Cleanup {
    ~Cleanup() { trace_t("T: cleanup"); }
  } cleanup;
  try {
    for (int i = 1; i <= 5; ++i) {
      co_await ac::sleep(1);
      trace_t("T: " + str(i));
    }
  } catch (const ac::CancelledError &) {
    trace_t("T: cancelled");
    throw;
  }
}

ac::Task<> s32() {
  try {
    co_await ac::wait_for(long_running(), 2.5);
  } catch (const ac::TimeoutError &) {
    trace_t("main: timed out");
  }
}

ac::Task<> s33() {
  int64_t r = co_await ac::wait_for(cworker("A", 1, 5), 2);
  trace_t("main: got " + str(r));
}

ac::Task<> sleep_for(double s) { co_await ac::sleep(s); }

ac::Task<> s34() {
  try {
    co_await ac::timeout(1.5, sleep_for(10));
  } catch (const ac::TimeoutError &) {
    trace_t("main: timed out");
  }
  trace("main: cancelling=" + str(ac::current_task().cancelling()));
}

ac::Task<> inner_scope() {
  try {
    co_await ac::timeout(5, sleep_for(10));
  } catch (const ac::TimeoutError &) {
    trace_t("inner: timed out");
    throw;
  } catch (const ac::CancelledError &) {
    trace_t("inner: cancelled");
    throw;
  }
}

ac::Task<> s35() {
  try {
    co_await ac::timeout(1, inner_scope());
  } catch (const ac::TimeoutError &) {
    trace_t("outer: timed out");
  }
}

ac::Task<int64_t> work9() {
  co_await ac::sleep(3);
  trace_t("work: done");
  co_return 9;
}
ac::Task<> shield_waiter(ac::TaskHandle<int64_t> w) { co_await ac::shield(std::move(w)); }

ac::Task<> s36() {
  auto w = ac::create_task(work9());
  auto s = ac::create_task(shield_waiter(w.share()));
  co_await ac::sleep(1);
  s.cancel();
  try {
    co_await s;
  } catch (const ac::CancelledError &) {
    trace_t("main: shielded waiter cancelled");
  }
  int64_t r = co_await w;
  trace_t("main: work returned " + str(r));
}

ac::Task<> s37() {
  co_await ac::with_task_group([](ac::TaskGroup &tg) -> ac::Task<> {
    tg.create_task(cworker("A", 2, 0));
    tg.create_task(cworker("B", 1, 0));
    co_return;
  });
  trace_t("main: group done");
}

ac::Task<> s38() {
  try {
    co_await ac::with_task_group([](ac::TaskGroup &tg) -> ac::Task<> {
      tg.create_task(csleeper("B"));
      tg.create_task(cfailing(1));
      try {
        co_await ac::sleep(100);
      } catch (const ac::CancelledError &) {
        trace_t("body: cancelled");
        throw;
      }
    });
  } catch (const ac::GroupError &g) {
    trace_t("main: " + g.message() + ": " + codes_of(g));
  }
}

ac::Task<> s39() {
  try {
    co_await ac::with_task_group([](ac::TaskGroup &tg) -> ac::Task<> {
      tg.create_task(cfailing(1, AC_ECONNRESET));
      tg.create_task(cfailing(1, AC_EPIPE));
      co_return;
    });
  } catch (const ac::GroupError &g) {
    trace_t("main: " + str(static_cast<long long>(g.exceptions().size())) + " errors: " + codes_of(g));
  }
}

ac::Task<> s40() {
  try {
    co_await ac::with_task_group([](ac::TaskGroup &tg) -> ac::Task<> {
      tg.create_task(csleeper("B"));
      co_await ac::sleep(1);
      throw ac::Error(AC_EINVAL);
    });
  } catch (const ac::GroupError &g) {
    trace_t("main: " + str(static_cast<long long>(g.exceptions().size())) + " errors: " + codes_of(g));
  }
}

ac::Task<> group_parent() {
  co_await ac::with_task_group([](ac::TaskGroup &tg) -> ac::Task<> {
    tg.create_task(csleeper("A"));
    tg.create_task(csleeper("B"));
    co_return;
  });
}

ac::Task<> s41() {
  auto p = ac::create_task(group_parent());
  co_await ac::sleep(1);
  p.cancel();
  try {
    co_await p;
  } catch (const ac::CancelledError &) {
    trace_t("main: parent cancelled");
  }
}

// ---- 42 - 45 threads

ac::Task<> s42() {
  int r = co_await ac::to_thread([] { return 42; });
  trace("main: got " + str(r));
}

ac::Task<> s43() {
  try {
    co_await ac::to_thread([] { throw ac::Error(AC_EPIPE); });
  } catch (const ac::Error &e) {
    trace(std::string("main: caught ") + e.name());
  }
}

ac::Task<> s44() {
  ac::ThreadsafeFuture f;
  std::thread other([f] { f.set_result(int64_t{7}); });
  int64_t r = co_await f.as<int64_t>();
  trace("main: got " + str(r));
  other.join();
}

ac::Task<> s45() {
  auto done = ac::Future::create();
  auto loop = ac::Loop::current();
  auto loop_thread = std::this_thread::get_id();
  ac_future *raw = done.get();
  std::thread other([&loop, loop_thread, raw] {
    loop.call_soon_threadsafe([loop_thread, raw] {
      trace("callback: on the loop thread=" + str(std::this_thread::get_id() == loop_thread));
      ac_future_set_result_none(raw);
    });
  });
  co_await done;
  trace("main: done");
  other.join();
}


// ---- 46 - 56 primitives and queues (every line carries t=)

std::optional<ac::Lock> g_lock;
std::optional<ac::Semaphore> g_sem;
std::optional<ac::Event> g_event;
std::optional<ac::Condition> g_cond;
std::optional<ac::Barrier> g_barrier;
int g_inside = 0, g_max_inside = 0;

ac::Task<> holder(std::string name) {
  trace_t(name + " wants");
  try {
    auto guard = co_await *g_lock;
    trace_t(name + " holds");
    co_await ac::sleep(1);
    trace_t(name + " releases");
  } catch (const ac::CancelledError &) {
    trace_t(name + ": cancelled");
    throw;
  }
}

ac::Task<> s46() {
  g_lock.emplace();
  co_await ac::gather(holder("A"), holder("B"), holder("C"));
  g_lock.reset();
}

ac::Task<> s47() {
  g_lock.emplace();
  co_await g_lock->acquire();
  auto w = ac::create_task(holder("W"));
  auto n = ac::create_task(holder("N"));
  co_await ac::sleep(1);
  w.cancel();
  g_lock->release();
  co_await ac::gather_settled(std::move(w), std::move(n));
  trace_t("main: locked=" + str(g_lock->locked()));
  g_lock.reset();
}

ac::Task<> sem_worker(int i) {
  auto permit = co_await *g_sem;
  g_max_inside = std::max(g_max_inside, ++g_inside);
  trace_t("W" + str(i) + " in (inside=" + str(g_inside) + ")");
  co_await ac::sleep(1);
  --g_inside;
  trace_t("W" + str(i) + " out");
}

ac::Task<> s48() {
  g_sem.emplace(2);
  std::vector<ac::Task<>> ws;
  for (int i = 0; i < 4; ++i) ws.push_back(sem_worker(i));
  co_await ac::gather(std::move(ws));
  trace_t("main: max inside=" + str(g_max_inside));
  g_sem.reset();
}

ac::Task<> event_waiter(std::string name) {
  co_await g_event->wait();
  trace_t(name + " woke");
}

ac::Task<> s49() {
  g_event.emplace();
  auto a = ac::create_task(event_waiter("A"));
  auto b = ac::create_task(event_waiter("B"));
  co_await ac::sleep(2);
  g_event->set();
  co_await a;
  co_await b;
  trace_t("main: is_set=" + str(g_event->is_set()));
  g_event.reset();
}

ac::Task<> cond_waiter(std::string name) {
  auto guard = co_await *g_cond;
  co_await g_cond->wait();
  trace_t(name + " notified");
}

ac::Task<> s50() {
  g_cond.emplace();
  auto w1 = ac::create_task(cond_waiter("W1"));
  auto w2 = ac::create_task(cond_waiter("W2"));
  co_await ac::sleep(1);
  {
    auto guard = co_await *g_cond;
    g_cond->notify(1);
  }
  co_await ac::sleep(1);
  {
    auto guard = co_await *g_cond;
    g_cond->notify_all();
  }
  co_await w1;
  co_await w2;
  g_cond.reset();
}

ac::Task<> fifo_consumer(ac::Queue<int64_t> &q) {
  for (int i = 0; i < 3; ++i) {
    int64_t v = co_await q.get();
    trace_t("got " + str(v));
    co_await ac::sleep(1);
    q.task_done();
  }
}

ac::Task<> s51() {
  ac::Queue<int64_t> q;
  for (int64_t i = 1; i <= 3; ++i) q.put_nowait(i);
  auto c = ac::create_task(fifo_consumer(q));
  co_await q.join();
  trace_t("main: joined");
  co_await c;
}

ac::Task<> bounded_producer(ac::Queue<int64_t> &q) {
  for (int64_t i = 0; i < 3; ++i) {
    co_await q.put(i);
    trace_t("put " + str(i));
  }
}
ac::Task<> slow_consumer(ac::Queue<int64_t> &q) {
  co_await ac::sleep(1);
  for (int i = 0; i < 3; ++i) {
    int64_t v = co_await q.get();
    trace_t("got " + str(v));
    co_await ac::sleep(1);
  }
}

ac::Task<> s52() {
  ac::Queue<int64_t> q(1);
  co_await ac::gather(bounded_producer(q), slow_consumer(q));
}

ac::Task<> queue_getter(ac::Queue<int64_t> &q, std::string name) {
  try {
    int64_t v = co_await q.get();
    trace_t(name + ": got " + str(v));
  } catch (const ac::CancelledError &) {
    trace_t(name + ": cancelled");
    throw;
  } catch (const ac::QueueShutDown &) {
    trace_t(name + ": shut down");
  }
}

ac::Task<> s53() {
  ac::Queue<int64_t> q;
  auto g1 = ac::create_task(queue_getter(q, "G1"));
  auto g2 = ac::create_task(queue_getter(q, "G2"));
  co_await ac::sleep(1);
  q.put_nowait(42);
  g1.cancel();
  co_await ac::gather_settled(std::move(g1), std::move(g2));
}

ac::Task<> s54() {
  ac::Queue<int64_t> q;
  auto g = ac::create_task(queue_getter(q, "G"));
  co_await ac::sleep(1);
  q.shutdown();
  co_await g;
  try {
    co_await q.put(1);
  } catch (const ac::QueueShutDown &e) {
    trace_t(std::string("main: put refused ") + e.name());
  }
}

ac::Task<> s55() {
  ac::Queue<std::string> q(0, AC_QUEUE_PRIORITY);
  co_await q.put(5, "five");
  co_await q.put(1, "one");
  co_await q.put(5, "five again");
  for (int i = 0; i < 3; ++i) trace_t("got " + co_await q.get());
}

ac::Task<> party(std::string name, double delay) {
  co_await ac::sleep(delay);
  int64_t i = co_await g_barrier->wait();
  trace_t(name + " passed index=" + str(i));
}

ac::Task<> s56() {
  g_barrier.emplace(3);
  co_await ac::gather(party("A", 2), party("B", 1), party("C", 3));
  g_barrier.reset();
}

const std::map<std::string, std::function<ac::Task<>()>> &scenarios() {
  static const std::map<std::string, std::function<ac::Task<>()>> table = {
      {"01-call-soon-fifo", s01},
      {"02-call-later-order", s02},
      {"03-done-callbacks-never-inline", s03},
      {"04-tasks-run-concurrently", s04},
      {"05-await-in-sequence", s05},
      {"06-task-result-shared", s06},
      {"07-task-error-propagates", s07},
      {"08-cancel-before-start", s08},
      {"09-cancel-at-await", s09},
      {"10-cancel-swallowed", s10},
      {"11-uncancel-withdraws", s11},
      {"12-cancel-propagates-to-awaited", s12},
      {"13-finish-with-pending-cancel", s13},
      {"14-cancel-self-then-await", s14},
      {"15-yield-round-robin", s15},
      {"16-eager-task", s16},
      {"17-context-flows-down", s17},
      {"18-callback-context", s18},
      {"19-run-cancels-leftovers", s19},
      {"20-unretrieved-error-reported", s20},
      {"21-virtual-clock", s21},
      {"22-future-cancel-wakes-awaiter", s22},
      {"23-task-name", s23},
      {"24-timer-cancel", s24},
      {"25-gather-results-in-order", s25},
      {"26-gather-first-error", s26},
      {"27-gather-return-exceptions", s27},
      {"28-gather-cancel-cancels-children", s28},
      {"29-wait-first-completed", s29},
      {"30-wait-timeout", s30},
      {"31-as-completed-order", s31},
      {"32-wait-for-timeout-cleanup", s32},
      {"33-wait-for-in-time", s33},
      {"34-timeout-scope-expires", s34},
      {"35-timeout-scopes-nested", s35},
      {"36-shield", s36},
      {"37-taskgroup-waits-for-all", s37},
      {"38-taskgroup-failure-cancels-the-rest", s38},
      {"39-taskgroup-aggregates-errors", s39},
      {"40-taskgroup-body-error", s40},
      {"41-taskgroup-parent-cancelled", s41},
      {"42-to-thread-result", s42},
      {"43-to-thread-error", s43},
      {"44-threadsafe-future", s44},
      {"45-call-soon-threadsafe", s45},
      {"46-lock-fifo", s46},
      {"47-lock-cancelled-waiter", s47},
      {"48-semaphore-bound", s48},
      {"49-event-wakes-all", s49},
      {"50-condition-notify", s50},
      {"51-queue-fifo-and-join", s51},
      {"52-queue-bounded-put-waits", s52},
      {"53-queue-cancelled-get-loses-nothing", s53},
      {"54-queue-shutdown", s54},
      {"55-priority-queue", s55},
      {"56-barrier", s56},
  };
  return table;
}

// Every scenario by name: this file's, then the other files' tables.
std::map<std::string, std::function<ac::Task<>()>> all_scenarios() {
  std::map<std::string, std::function<ac::Task<>()>> all = scenarios();
  for (const auto *table : {&conf::sync_scenarios(), &conf::task_scenarios(), &conf::structured_scenarios()})
    for (const auto &entry : *table) all.emplace(entry.first, entry.second);
  return all;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s NAME | --list\n", argv[0]);
    return 2;
  }
  std::string name = argv[1];
  const auto all = all_scenarios();
  std::map<std::string, std::function<ac::Task<int64_t>()>> returning;
  for (const auto &entry : conf::result_scenarios()) returning.emplace(entry.first, entry.second);
  if (name == "--list") {
    std::map<std::string, int> names;
    for (const auto &entry : all) names[entry.first];
    for (const auto &entry : returning) names[entry.first];
    for (const auto &entry : names) std::printf("%s\n", entry.first.c_str());
    return 0;
  }
  auto it = all.find(name);
  auto ret = returning.find(name);
  if (it == all.end() && ret == returning.end()) {
    std::fprintf(stderr, "unknown scenario %s\n", name.c_str());
    return 2;
  }
  try {
    if (name == "19-run-cancels-leftovers") {
      int r = ac::run(s19_main(), AC_LOOP_VIRTUAL_CLOCK);
      trace("run returned " + str(r));
    } else if (ret != returning.end()) {
      int64_t r = ac::run(ret->second(), AC_LOOP_VIRTUAL_CLOCK);
      trace("run returned " + str(static_cast<long long>(r)));
    } else {
      ac::run(it->second(), AC_LOOP_VIRTUAL_CLOCK);
    }
  } catch (const ac::Error &e) {
    std::printf("main failed: %s\n", e.name());
    return 1;
  } catch (const std::exception &e) {
    std::printf("main failed: %s\n", e.what());
    return 1;
  }
  return 0;
}
