// structured.cpp — the C++ implementation of the structured scenarios
// (140-179): timeout scopes, wait_for, gather, wait, as_completed, shield
// and task groups.
//
// `async with scope: body` is `co_await scope.run([&]() -> Task<> { body })`
// (the body runs inline in the same task); `async with TaskGroup() as tg`
// is ac::with_task_group. The bodies capture by reference: GCC 12 copies a
// closure with non-trivial captures bitwise when it is made inside a
// co_await expression (see the face's README).
#include <algorithm>

#include "conformance.hpp"

namespace conf {
namespace {

using ac::Task;

Task<> sleep_for(double seconds) { co_await ac::sleep(seconds); }

std::string name_of(const std::exception_ptr &ep) { return code(ep); }

// ==== 140 timeout(0) expires at once

Task<> s140() {
  ac::Timeout scope(0);
  try {
    co_await scope.run([]() -> Task<> {
      trace("body: entered");
      co_await ac::sleep(1);
      trace("body: after the sleep");
    });
  } catch (const ac::TimeoutError &e) {
    trace(std::string("main: caught ") + e.name());
  }
  trace("main: expired=" + str(scope.expired()));
}

// ==== 141 a deadline already past, a negative delay

Task<> s141() {
  auto loop = ac::Loop::current();
  co_await ac::sleep(2);
  std::vector<std::pair<std::string, ac::Timeout>> scopes;
  scopes.emplace_back("timeout_at(now - 1)", ac::Timeout::at(loop.time() - 1));
  scopes.emplace_back("timeout(-1)", ac::Timeout(-1));
  for (auto &entry : scopes) {
    const std::string label = entry.first;
    ac::Timeout &scope = entry.second;
    try {
      co_await scope.run([&label]() -> Task<> {
        co_await ac::sleep(1);
        trace(label + ": after the sleep");
      });
    } catch (const ac::TimeoutError &e) {
      trace(label + ": caught " + e.name() + " when=" + ms_of(scope.when()) + " expired=" + str(scope.expired()));
    }
  }
}

// ==== 142 inside timeout(0), even sleep(0) raises

Task<> other142() {
  trace("other: ran");
  co_return;
}

Task<> s142() {
  ac::Timeout scope(0);
  try {
    co_await scope.run([]() -> Task<> {
      (void)ac::create_task(other142());
      co_await ac::sleep(0);
      trace("body: after sleep(0)");
    });
  } catch (const ac::TimeoutError &e) {
    trace(std::string("main: caught ") + e.name());
  }
  trace("main: expired=" + str(scope.expired()));
}

// ==== 143 a self-cancel inside an expired timeout(0)

Task<> s143() {
  ac::Timeout scope(0);
  auto me = ac::current_task();
  try {
    co_await scope.run([&me]() -> Task<> {
      me.cancel();
      co_await ac::sleep(1);
      trace("body: after the sleep");
    });
  } catch (const ac::TimeoutError &e) {
    trace(std::string("main: caught TimeoutError ") + e.name());
  } catch (const ac::CancelledError &e) {
    trace(std::string("main: caught ") + e.name());
  }
  trace("main: expired=" + str(scope.expired()) + " cancelling=" + str(me.cancelling()));
}

// ==== 144 the TimeoutError's cause

Task<> s144() {
  try {
    co_await ac::timeout(1, sleep_for(5));
  } catch (const ac::TimeoutError &e) {
    std::exception_ptr cause = e.cause();
    trace(std::string("main: caught ") + e.name() + " cause=" + (cause ? code(cause) : "none"));
  }
}

// ==== 145 reschedule() before enter

Task<> s145() {
  auto loop = ac::Loop::current();
  ac::Timeout scope(5);
  try {
    scope.reschedule(loop.time() + 1);
    trace("main: rescheduled");
  } catch (const ac::Error &e) {
    trace("main: reschedule refused: " + e.describe());
  }
  try {
    co_await scope.run(sleep_for(10));
  } catch (const ac::TimeoutError &) {
    trace("main: timed out");
  }
}

// ==== 146 a scope is entered once

Task<> s146() {
  ac::Timeout scope(5);
  try {
    co_await scope.run([&scope]() -> Task<> {
      try {
        co_await scope.run([]() -> Task<> {
          trace("main: entered while active");
          co_return;
        });
      } catch (const ac::CancelledError &) {
        throw;
      } catch (const ac::Error &e) {  // except Exception
        trace("main: nested enter refused: " + e.describe());
      }
      co_await ac::sleep(1);
    });
    trace("main: first use done");
    co_await scope.run([]() -> Task<> {
      trace("main: entered again");
      co_return;
    });
  } catch (const ac::CancelledError &) {
    throw;
  } catch (const ac::Error &e) {
    trace("main: " + e.describe());
  }
  trace("main: expired=" + str(scope.expired()));
}

// ==== 147 reschedule() after exit or expiry

void try_reschedule(const std::string &label, ac::Timeout scope) {
  try {
    scope.reschedule(AC_NO_TIMEOUT);
    trace(label + ": rescheduled");
  } catch (const ac::RuntimeError &e) {
    trace(label + ": " + e.describe());
  }
}

Task<> s147() {
  ac::Timeout done(5);
  co_await done.run(sleep_for(1));
  try_reschedule("after exit", done);
  ac::Timeout expired(1);
  try {
    co_await expired.run([&expired]() -> Task<> {
      try {
        co_await ac::sleep(5);
      } catch (const ac::CancelledError &) {
        try_reschedule("while expiring", expired);
        throw;
      }
    });
  } catch (const ac::TimeoutError &) {
    trace("main: timed out");
  }
  try_reschedule("after expiry", expired);
}

// ==== 148 a body that swallows the scope's cancellation

Task<> s148() {
  auto me = ac::current_task();
  ac::Timeout scope(1);
  co_await scope.run([&me]() -> Task<> {
    try {
      co_await ac::sleep(5);
    } catch (const ac::CancelledError &) {
      trace("body: cancelled, carrying on");
    }
    trace("body: cancelling=" + str(me.cancelling()));
  });
  trace("main: left the scope expired=" + str(scope.expired()) + " cancelling=" + str(me.cancelling()));
  co_await ac::sleep(1);
  trace("main: next await ran");
}

// ==== 149 reschedule() moves the deadline

std::string when149(const ac::Timeout &scope) {
  double w = scope.when();
  return std::isinf(w) ? "none" : ms_of(w);
}

Task<> s149() {
  auto loop = ac::Loop::current();
  {
    ac::Timeout scope(AC_NO_TIMEOUT);
    try {
      co_await scope.run([&scope, &loop]() -> Task<> {
        trace("A: when=" + when149(scope));
        scope.reschedule(loop.time() + 1);
        trace("A: when=" + when149(scope));
        co_await ac::sleep(5);
      });
    } catch (const ac::TimeoutError &e) {
      trace(std::string("A: caught ") + e.name());
    }
  }
  ac::Timeout scope(1);
  co_await scope.run([&scope, &loop]() -> Task<> {
    scope.reschedule(loop.time() + 3);
    co_await ac::sleep(2);
    trace("B: still inside, when=" + when149(scope));
    scope.reschedule(AC_NO_TIMEOUT);
    co_await ac::sleep(5);
    trace("B: done, when=" + when149(scope) + " expired=" + str(scope.expired()));
  });
}

// ==== 150 nested scopes with one deadline

Task<> s150() {
  ac::Timeout outer(1);
  try {
    co_await outer.run([]() -> Task<> {
      ac::Timeout inner(1);
      try {
        co_await inner.run(sleep_for(5));
      } catch (...) {
        trace("inner: " + name_of(std::current_exception()) + " expired=" + str(inner.expired()));
        throw;
      }
    });
  } catch (const ac::TimeoutError &e) {
    trace(std::string("outer: ") + e.name() + " expired=" + str(outer.expired()));
  }
  trace("main: cancelling=" + str(ac::current_task().cancelling()));
}

// ==== 151 a timeout scope in a task being cancelled

Task<> worker151() {
  std::exception_ptr cancelled;
  try {
    co_await ac::sleep(10);
  } catch (const ac::CancelledError &) {
    cancelled = std::current_exception();
  }
  if (!cancelled) co_return;
  trace("worker: cancelled, cancelling=" + str(ac::current_task().cancelling()));
  try {
    co_await ac::timeout(1, sleep_for(5));
  } catch (...) {
    trace("worker: cleanup ended with " + name_of(std::current_exception()));
  }
  std::rethrow_exception(cancelled);
}

Task<> s151() {
  auto t = ac::create_task(worker151());
  co_await ac::sleep(1);
  t.cancel();
  try {
    co_await t;
  } catch (const ac::CancelledError &) {
    trace("main: worker cancelled");
  }
}

// ==== 152 wait_for(coroutine, 0): never starts

Task<int64_t> work152() {
  trace("work: started");
  co_await ac::sleep(1);
  co_return 1;
}

Task<> s152() {
  try {
    co_await ac::wait_for(work152(), 0);
    trace("main: got a result");
  } catch (const ac::TimeoutError &e) {
    trace(std::string("main: caught ") + e.name() + " cause=" + code(e.cause()));
  }
  co_await ac::sleep(2);
  trace("main: done");
}

// ==== 153 wait_for(task, -1)

Task<int64_t> work153(std::string name, double delay) {
  try {
    co_await ac::sleep(delay);
  } catch (const ac::CancelledError &) {
    trace(name + ": cancelled");
    throw;
  }
  co_return 7;
}

Task<> s153() {
  auto slow = ac::create_task(work153("slow", 5));
  auto quick = ac::create_task(work153("quick", 0));
  co_await ac::sleep(1);
  try {
    co_await ac::wait_for(slow, -1);
  } catch (const ac::TimeoutError &e) {
    trace(std::string("main: slow -> ") + e.name() + " cancelled=" + str(slow.cancelled()));
  }
  int64_t r = co_await ac::wait_for(quick, -1);
  trace("main: quick -> " + str(r));
}

// ==== 154 wait_for on a done task does not suspend

Task<int64_t> value_of(int64_t v) { co_return v; }

Task<> bystander() {
  trace("bystander: ran");
  co_return;
}

Task<> s154() {
  auto done = ac::create_task(value_of(3));
  co_await ac::sleep(0);
  (void)ac::create_task(bystander());
  int64_t r = co_await ac::wait_for(done, 0);
  trace("main: timeout 0 -> " + str(r));
  r = co_await ac::wait_for(done, 5);
  trace("main: timeout 5 -> " + str(r));
  trace("main: before yielding");
  co_await ac::sleep(0);
  trace("main: done");
}

// ==== 155 wait_for(coroutine) runs in the caller's task

Task<int64_t> work155(ac::TaskHandle<ac::Value> caller) {
  trace("work: started, in the caller task=" + str(ac::current_task() == caller));
  co_await ac::sleep(1);
  co_return 5;
}

Task<> s155() {
  (void)ac::create_task(bystander());
  int64_t r = co_await ac::wait_for(work155(ac::current_task()), 2);
  trace("main: got " + str(r));
}

// ==== 156 cancelling the waiter of wait_for

Task<> inner156() {
  try {
    co_await ac::sleep(10);
  } catch (const ac::CancelledError &) {
    trace("inner: cancelled");
    throw;
  }
}

Task<> waiter156(ac::TaskHandle<> t) {
  try {
    co_await ac::wait_for(t, 5);
  } catch (...) {
    trace("waiter: " + name_of(std::current_exception()));
    throw;
  }
}

Task<> s156() {
  auto t = ac::create_task(inner156());
  auto w = ac::create_task(waiter156(t.share()));
  co_await ac::sleep(1);
  w.cancel();
  co_await ac::sleep(0.5);
  trace("main: waiter cancelled=" + str(w.cancelled()) + " inner cancelled=" + str(t.cancelled()));
}

// ==== 157 the timed-out task swallows its cancellation

Task<int64_t> stubborn157() {
  bool cancelled = false;
  try {
    co_await ac::sleep(10);
  } catch (const ac::CancelledError &) {
    trace("stubborn: cancelled, returning 42 anyway");
    cancelled = true;
  }
  if (cancelled) co_await ac::sleep(0.5);
  co_return 42;
}

Task<> s157() {
  int64_t r = co_await ac::wait_for(ac::create_task(stubborn157()), 1);
  trace("main: got " + str(r));
}

// ==== 158 the cleanup's error wins

Task<> fragile158() {
  try {
    co_await ac::sleep(10);
  } catch (...) {  // finally:
    trace("fragile: cleaning up");
    throw ac::ValueError("cleanup failed");
  }
  trace("fragile: cleaning up");
  throw ac::ValueError("cleanup failed");
}

Task<> s158() {
  try {
    co_await ac::wait_for(ac::create_task(fragile158()), 1);
  } catch (...) {
    trace("main: caught " + describe(std::current_exception()));
  }
}

// ==== 159 wait_for(shield(task), 0)

Task<int64_t> work159() {
  co_await ac::sleep(1);
  trace("work: finished");
  co_return 9;
}

Task<> s159() {
  auto task = ac::create_task(work159());
  auto guard = ac::shield(task);
  try {
    co_await ac::wait_for(guard, 0);
  } catch (const ac::TimeoutError &e) {
    trace(std::string("main: caught ") + e.name());
  }
  trace("main: shield cancelled=" + str(guard.cancelled()) + " task done=" + str(task.done()));
  int64_t r = co_await task;
  trace("main: task -> " + str(r));
}

// ==== 160 - 165 gather

Task<int64_t> work160(std::string name, double delay, int64_t value) {
  co_await ac::sleep(delay);
  trace(name + ": finished");
  co_return value;
}

Task<> s160() {
  auto a = ac::create_task(work160("A", 1, 1));
  auto b = ac::create_task(work160("B", 2, 2));
  auto g = ac::gather(a, b);
  co_await ac::sleep(0.5);
  a.cancel();
  try {
    co_await g;
  } catch (const ac::CancelledError &e) {
    trace(std::string("main: gather raised ") + e.name());
  }
  trace("main: gather cancelled=" + str(g.cancelled()) + " done=" + str(g.done()));
  int64_t r = co_await b;
  trace("main: B -> " + str(r));
}

Task<int64_t> work161(int64_t v, double delay) {
  co_await ac::sleep(delay);
  co_return v;
}

template <class T>
std::string outcome_text(ac::Outcome<T> &o) {
  return o.ok() ? str(o.get()) : cls(o.error());
}

Task<> s161() {
  auto a = ac::create_task(work161(1, 1));
  auto b = ac::create_task(work161(2, 5));
  auto c = ac::create_task(work161(3, 2));
  auto g = ac::gather_settled(a, b, c);
  co_await ac::sleep(0.5);
  b.cancel();
  auto [ra, rb, rc] = co_await g;
  trace("main: results=[" + join({outcome_text(ra), outcome_text(rb), outcome_text(rc)}) + "]");
  trace("main: gather cancelled=" + str(g.cancelled()));
}

Task<> work162(std::string name, double delay) {
  try {
    co_await ac::sleep(delay);
  } catch (const ac::CancelledError &) {
    trace(name + ": cancelled");
    throw;
  }
  trace(name + ": finished");
}

Task<> s162() {
  auto a = ac::create_task(work162("A", 1));
  auto b = ac::create_task(work162("B", 5));
  auto g = ac::gather_settled(a, b);
  co_await ac::sleep(2);
  trace("main: cancel -> " + str(g.cancel()));
  try {
    co_await g;
  } catch (const ac::CancelledError &e) {
    trace(std::string("main: gather raised ") + e.name());
  }
  trace("main: gather cancelled=" + str(g.cancelled()) + " B cancelled=" + str(b.cancelled()));
  trace("main: cancel again -> " + str(g.cancel()));
}

Task<> s163() {
  auto t = ac::create_task(work161(4, 1));
  auto [x, y] = co_await ac::gather(t, t);
  trace("main: results=[" + str(x) + ", " + str(y) + "]");
  auto u = ac::create_task(work161(5, 5));
  auto g = ac::gather(u, u);
  co_await ac::sleep(1);
  g.cancel();
  trace("main: after gather.cancel(), cancelling=" + str(u.cancelling()));
  try {
    co_await g;
  } catch (const ac::CancelledError &) {
    trace("main: gather cancelled=" + str(g.cancelled()) + " task cancelled=" + str(u.cancelled()));
  }
}

Task<> s164() {
  (void)ac::create_task(bystander());
  auto g = ac::gather();
  trace("main: done before awaiting=" + str(g.done()));
  auto results = co_await g;
  trace("main: results=[] count=" + str(std::tuple_size_v<decltype(results)>));
  auto settled = co_await ac::gather_settled();
  trace("main: with return_exceptions count=" + str(std::tuple_size_v<decltype(settled)>));
  co_await ac::sleep(0);
  trace("main: done");
}

Task<> s165() {
  auto a = ac::create_task(value_of(1));
  auto b = ac::create_task(value_of(2));
  co_await ac::sleep(0);
  (void)ac::create_task(bystander());
  auto g = ac::gather(a, b);
  trace("main: gather done at once=" + str(g.done()));
  auto [x, y] = co_await g;
  trace("main: results=[" + str(x) + ", " + str(y) + "]");
  co_await ac::sleep(0);
  trace("main: done");
}

// ==== 166 - 168 wait

// The sorted names of the tasks at `indices`.
template <class T>
std::string names(const std::vector<size_t> &indices, const std::vector<ac::TaskHandle<T>> &tasks) {
  std::vector<std::string> out;
  for (size_t i : indices) out.push_back(tasks[i].name());
  std::sort(out.begin(), out.end());
  return join(out);
}

Task<> work166(std::string name, double delay, bool fail) {
  co_await ac::sleep(delay);
  if (fail) throw ac::ValueError(name);
  trace(name + ": finished");
}

Task<> s166() {
  auto a = ac::create_task(work166("A", 3, false), "A");
  auto b = ac::create_task(work166("B", 1, true), "B");
  auto c = ac::create_task(work166("C", 5, false), "C");
  ac::Loop::current().call_later(0.5, [c = c.share()] { c.cancel(); });
  std::vector<ac::TaskHandle<>> tasks;
  for (auto *t : {&a, &b, &c}) tasks.push_back(t->share());
  auto r = co_await ac::wait(tasks, ac::WaitMode::first_exception);
  trace("main: done=[" + names(r.done, tasks) + "] pending=[" + names(r.pending, tasks) + "]");
  trace("main: B raised " + describe(b.exception()) + ", A cancelled=" + str(a.cancelled()));
  co_await a;
}

Task<std::string> work167(std::string name, double delay, bool fail) {
  co_await ac::sleep(delay);
  if (fail) throw ac::ValueError(name + " failed");
  co_return name;
}

Task<> s167() {
  auto a = ac::create_task(work167("A", 2, false), "A");
  auto b = ac::create_task(work167("B", 1, true), "B");
  std::vector<ac::TaskHandle<std::string>> ab;
  ab.push_back(a.share());
  ab.push_back(b.share());
  auto r = co_await ac::wait(ab);
  trace("main: all: done=[" + names(r.done, ab) + "] pending=[" + names(r.pending, ab) + "]");
  trace("main: B -> " + describe(b.exception()));
  auto c = ac::create_task(work167("C", 1, false), "C");
  auto d = ac::create_task(work167("D", 2, false), "D");
  std::vector<ac::TaskHandle<std::string>> cdc;
  cdc.push_back(c.share());
  cdc.push_back(d.share());
  cdc.push_back(c.share());
  r = co_await ac::wait(cdc, ac::WaitMode::first_exception);
  trace("main: first exception: done=[" + names(r.done, cdc) + "] pending=[" + names(r.pending, cdc) +
        "] count=" + str(r.done.size()));
}

Task<int64_t> work168(std::string name, int64_t delay) {
  co_await ac::sleep(static_cast<double>(delay));
  trace(name + ": finished");
  co_return delay;
}

Task<> s168() {
  auto a = ac::create_task(work168("A", 2), "A");
  auto b = ac::create_task(work168("B", 3), "B");
  std::vector<ac::TaskHandle<int64_t>> ab;
  ab.push_back(a.share());
  ab.push_back(b.share());
  auto r = co_await ac::wait(ab, ac::WaitMode::first_completed, 1);
  trace("main: done=[" + names(r.done, ab) + "] pending=[" + names(r.pending, ab) + "]");
  trace("main: A cancelled=" + str(a.cancelled()) + " B cancelled=" + str(b.cancelled()));
  int64_t v = co_await b;
  trace("main: B -> " + str(v));
}

// ==== 169 / 170 as_completed

Task<> s169() {
  auto a = ac::create_task(work161(1, 2));
  auto b = ac::create_task(work161(2, 1));
  std::vector<ac::TaskHandle<int64_t>> inputs;
  inputs.push_back(a.share());
  inputs.push_back(b.share());
  inputs.push_back(a.share());
  std::vector<int64_t> got;
  ac::AsCompleted steps(inputs);
  while (auto i = co_await steps.next()) {
    got.push_back(co_await inputs[*i]);
    trace("main: next=" + str(got.back()));
  }
  trace("main: steps=" + str(got.size()));
}

Task<int64_t> work170(int64_t v, double delay) {
  co_await ac::sleep(delay);
  trace("work " + str(v) + ": finished");
  co_return v;
}

Task<> s170() {
  auto a = ac::create_task(work170(1, 1));
  auto b = ac::create_task(work170(2, 3));
  std::vector<ac::TaskHandle<int64_t>> inputs;
  inputs.push_back(a.share());
  inputs.push_back(b.share());
  try {
    ac::AsCompleted steps(inputs, 2);
    while (auto i = co_await steps.next()) {
      int64_t v = co_await inputs[*i];
      trace("main: next=" + str(v));
    }
  } catch (const ac::TimeoutError &e) {
    trace(std::string("main: caught ") + e.name());
  }
  trace("main: B cancelled=" + str(b.cancelled()));
  int64_t v = co_await b;
  trace("main: B -> " + str(v));
}

// ==== 171 / 172 shield

Task<int64_t> work171() {
  co_await ac::sleep(2);
  trace("work: finished");
  co_return 9;
}

Task<> waiter171(ac::Shielded<int64_t> guard) {
  try {
    co_await guard;
  } catch (const ac::CancelledError &e) {
    trace(std::string("waiter: ") + e.name());
    throw;
  }
}

Task<> s171() {
  auto inner = ac::create_task(work171());
  auto guard = ac::shield(inner);
  auto w = ac::create_task(waiter171(guard));
  co_await ac::sleep(1);
  w.cancel();
  co_await ac::sleep(0.5);
  trace("main: shield cancelled=" + str(guard.cancelled()) + " inner cancelling=" + str(inner.cancelling()) +
        " done=" + str(inner.done()));
  int64_t r = co_await inner;
  trace("main: inner -> " + str(r));
}

Task<> failing172() {
  co_await ac::sleep(1);
  throw ac::ValueError("inner failed");
}

Task<> sleeping172() { co_await ac::sleep(10); }

Task<> s172() {
  auto a = ac::create_task(failing172());
  try {
    co_await ac::shield(a);
  } catch (const ac::ValueError &e) {
    trace("main: caught " + e.describe() + " same=" + str(std::current_exception() == a.exception()));
  }
  auto b = ac::create_task(sleeping172());
  auto guard = ac::shield(b);
  ac::Loop::current().call_later(1, [b = b.share()] { b.cancel(); });
  try {
    co_await guard;
  } catch (const ac::CancelledError &e) {
    trace(std::string("main: caught ") + e.name() + " shield cancelled=" + str(guard.cancelled()));
  }
}

// ==== 173 - 179 task groups

Task<> fail173() {
  co_await ac::sleep(1);
  throw ac::ValueError("child failed");
}

Task<> idle173() {
  try {
    co_await ac::sleep(10);
  } catch (const ac::CancelledError &) {
    trace("idle: cancelled");
    throw;
  }
}

std::string group_text(const ac::GroupError &e) {
  std::vector<std::string> kids;
  for (const auto &x : e.exceptions()) kids.push_back(describe(x));
  return e.describe() + " [" + join(kids) + "]";
}

Task<> s173() {
  auto me = ac::current_task();
  try {
    co_await ac::with_task_group([&me](ac::TaskGroup &tg) -> Task<> {
      tg.create_task(idle173());
      tg.create_task(fail173());
      try {
        co_await ac::sleep(5);
      } catch (const ac::CancelledError &) {
        trace("body: cancelled, cancelling=" + str(me.cancelling()));
        throw;
      }
    });
  } catch (const ac::GroupError &e) {
    trace("main: " + group_text(e));
  }
  trace("main: cancelling=" + str(me.cancelling()));
  co_await ac::sleep(1);
  trace("main: next await ran");
}

Task<> s174() {
  auto me = ac::current_task();
  try {
    co_await ac::with_task_group([](ac::TaskGroup &tg) -> Task<> {
      tg.create_task(fail173());
      try {
        co_await ac::sleep(5);
      } catch (const ac::CancelledError &) {
        throw ac::OSError(AC_ECONNRESET, "body failed");
      }
    });
  } catch (const ac::GroupError &e) {
    trace("main: " + group_text(e));
  }
  trace("main: cancelling=" + str(me.cancelling()));
}

// The reason without the part that names the group (asyncio's message names
// it by its repr: "TaskGroup <...> is finished").
std::string why175(const ac::Error &e) {
  std::string m = e.message();
  size_t repr_end = m.rfind("> ");
  if (repr_end != std::string::npos) {
    m = m.substr(repr_end + 2);
  } else if (m.rfind("TaskGroup ", 0) == 0) {
    m = m.substr(10);
  }
  return std::string(e.asyncio_class()) + " (" + m + ")";
}

Task<> noop175() { co_return; }

Task<> late175(ac::TaskGroup &tg) {
  try {
    co_await ac::sleep(5);
  } catch (const ac::CancelledError &) {
    try {
      tg.create_task(noop175());
      trace("late: created a task");
    } catch (const ac::RuntimeError &e) {
      trace("late: refused: " + why175(e));
    }
    throw;
  }
}

Task<> s175() {
  try {
    co_await ac::with_task_group([](ac::TaskGroup &tg) -> Task<> {
      tg.create_task(fail173());
      tg.create_task(late175(tg));
      co_return;
    });
  } catch (const ac::GroupError &e) {
    trace("main: " + e.describe());
  }
  ac::TaskGroup done;
  done.create_task(noop175());
  co_await done.join();
  try {
    done.create_task(noop175());
    trace("main: created a task");
  } catch (const ac::RuntimeError &e) {
    trace("main: refused: " + why175(e));
  }
}

Task<> fail176(std::string name) {
  co_await ac::sleep(1);
  throw ac::ValueError(name);
}

Task<> idle176(std::string name) {
  try {
    co_await ac::sleep(10);
  } catch (const ac::CancelledError &) {
    trace(name + ": cancelled");
    throw;
  }
}

ac::TaskHandle<> fail_or_idle(ac::TaskGroup &tg, bool fails, const char *name) {
  if (fails) return tg.create_task(fail176(name));
  return tg.create_task(idle176(name));
}

Task<> nested176(std::string label, bool inner_fails, bool outer_fails) {
  auto me = ac::current_task();
  try {
    co_await ac::with_task_group([&](ac::TaskGroup &outer) -> Task<> {
      fail_or_idle(outer, outer_fails, "outer child");
      co_await ac::with_task_group([&](ac::TaskGroup &inner) -> Task<> {
        fail_or_idle(inner, inner_fails, "inner child");
        co_await ac::sleep(5);
      });
    });
  } catch (...) {
    trace(label + ": " + tree(std::current_exception()));
  }
  trace(label + ": cancelling=" + str(me.cancelling()));
}

Task<> s176() {
  co_await ac::create_task(nested176("inner error", true, false));
  co_await ac::create_task(nested176("outer error", false, true));
  co_await ac::create_task(nested176("both errors", true, true));
}

Task<> nested177(std::string label, bool inner_fails, bool outer_fails) {
  auto me = ac::current_task();
  try {
    co_await ac::with_task_group([&](ac::TaskGroup &outer) -> Task<> {
      auto o = fail_or_idle(outer, outer_fails, "outer child");
      co_await ac::with_task_group([&](ac::TaskGroup &inner) -> Task<> {
        auto i = fail_or_idle(inner, inner_fails, "inner child");
        // The outside cancel comes right after the last child failed.
        auto &last = inner_fails ? i : o;
        last.add_done_callback([m = me.share()](auto &) { m.cancel(); });
        co_await ac::sleep(5);
      });
    });
  } catch (...) {
    trace(label + ": " + tree(std::current_exception()));
  }
  trace(label + ": cancelling=" + str(me.cancelling()));
  try {
    co_await ac::sleep(0);
    trace(label + ": next await ran");
  } catch (const ac::CancelledError &) {
    trace(label + ": next await cancelled");
  }
}

Task<> s177() {
  co_await ac::create_task(nested177("inner error", true, false));
  co_await ac::create_task(nested177("outer error", false, true));
  co_await ac::create_task(nested177("both errors", true, true));
}

Task<> child178(std::string name, double delay) {
  std::exception_ptr cancelled;
  try {
    co_await ac::sleep(delay);
  } catch (const ac::CancelledError &) {
    cancelled = std::current_exception();
  }
  if (cancelled) {
    trace(name + ": cancelled, cleaning up");
    co_await ac::sleep(0.5);
    trace(name + ": cleaned up");
    std::rethrow_exception(cancelled);
  }
  trace(name + ": finished");
}

Task<> parent178() {
  auto me = ac::current_task();
  try {
    co_await ac::with_task_group([](ac::TaskGroup &tg) -> Task<> {
      tg.create_task(child178("A", 1));
      tg.create_task(child178("B", 5));
      co_return;
    });
  } catch (const ac::CancelledError &e) {
    trace(std::string("parent: ") + e.name() + " cancelling=" + str(me.cancelling()));
    throw;
  }
}

Task<> s178() {
  auto t = ac::create_task(parent178());
  co_await ac::sleep(2);
  t.cancel();
  try {
    co_await t;
  } catch (const ac::CancelledError &) {
    trace("main: parent cancelled=" + str(t.cancelled()));
  }
}

Task<> leaf179(std::string name, double delay) {
  co_await ac::sleep(delay);
  trace(name + ": finished");
}

Task<> root179(ac::TaskGroup &tg) {
  co_await ac::sleep(1);
  tg.create_task(leaf179("leaf 1", 1));
  tg.create_task(leaf179("leaf 2", 2));
  trace("root: added two tasks");
}

Task<> s179() {
  co_await ac::with_task_group([](ac::TaskGroup &tg) -> Task<> {
    tg.create_task(root179(tg));
    trace("body: done");
    co_return;
  });
  trace("main: group done");
}

}  // namespace

const std::vector<Scenario> &structured_scenarios() {
  static const std::vector<Scenario> table = {
      {"140-timeout-zero-expires-at-once", s140},
      {"141-timeout-past-deadline-and-negative", s141},
      {"142-timeout-zero-sleep-zero-raises", s142},
      {"143-timeout-zero-self-cancel", s143},
      {"144-timeout-error-cause", s144},
      {"145-timeout-reschedule-before-enter", s145},
      {"146-timeout-reenter-refused", s146},
      {"147-timeout-reschedule-after-exit-or-expiry", s147},
      {"148-timeout-swallowed-cancel", s148},
      {"149-timeout-reschedule-moves-deadline", s149},
      {"150-timeouts-nested-same-deadline", s150},
      {"151-timeout-while-cancelling", s151},
      {"152-wait-for-zero-never-starts", s152},
      {"153-wait-for-negative-cancels", s153},
      {"154-wait-for-done-task-no-suspend", s154},
      {"155-wait-for-coroutine-in-caller", s155},
      {"156-wait-for-cancelled-from-outside", s156},
      {"157-wait-for-inner-swallows-cancel", s157},
      {"158-wait-for-cleanup-error-wins", s158},
      {"159-wait-for-shield-zero", s159},
      {"160-gather-child-cancelled-alone", s160},
      {"161-gather-child-cancelled-return-exceptions", s161},
      {"162-gather-cancelled-from-outside", s162},
      {"163-gather-same-task-twice", s163},
      {"164-gather-zero", s164},
      {"165-gather-done-children-no-suspend", s165},
      {"166-wait-first-exception", s166},
      {"167-wait-all-completed-with-errors", s167},
      {"168-wait-timeout-does-not-cancel", s168},
      {"169-as-completed-duplicates", s169},
      {"170-as-completed-timeout", s170},
      {"171-shield-outer-cancelled-inner-goes-on", s171},
      {"172-shield-inner-outcome-reaches-awaiter", s172},
      {"173-taskgroup-child-error-while-body-awaits", s173},
      {"174-taskgroup-body-error-and-child-error", s174},
      {"175-taskgroup-create-task-refused", s175},
      {"176-taskgroups-nested-errors", s176},
      {"177-taskgroups-nested-errors-outer-cancelled", s177},
      {"178-taskgroup-cancelled-while-joining", s178},
      {"179-taskgroup-spawn-while-joining", s179},
  };
  return table;
}

}  // namespace conf
