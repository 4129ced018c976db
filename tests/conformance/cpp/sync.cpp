// sync.cpp — the C++ implementation of the sync scenarios numbered from 57:
// Lock, Event, Condition, Semaphore, Barrier and the queues.
//
// A primitive a task outlives main with is shared (std::shared_ptr), as a
// Python object stays alive while a task holds it.
#include "conformance.hpp"

namespace conf {
namespace {

using ac::Task;

template <class T, class... A>
std::shared_ptr<T> make(A &&...a) {
  return std::make_shared<T>(std::forward<A>(a)...);
}

// ==== 57 Lock.release() unlocked

Task<> s57() {
  ac::Lock lock;
  try {
    lock.release();
  } catch (const ac::RuntimeError &e) {
    trace("fresh lock: " + e.describe());
  }
  co_await lock.acquire();
  trace("acquired: locked=" + str(lock.locked()));
  lock.release();
  trace("released: locked=" + str(lock.locked()));
  try {
    lock.release();
  } catch (const ac::RuntimeError &e) {
    trace("released again: " + e.describe());
  }
}

// ==== 58 locked() until the woken waiter runs

Task<> w58(ac::Lock &lock) {
  trace("W wants");
  co_await lock.acquire();
  trace("W holds: locked=" + str(lock.locked()));
  co_await ac::sleep(1);
  trace("W releases");
  lock.release();
}

Task<> s58() {
  ac::Lock lock;
  co_await lock.acquire();
  auto w = ac::create_task(w58(lock));
  co_await ac::sleep(1);
  lock.release();
  trace("main released: locked=" + str(lock.locked()));
  co_await lock.acquire();
  trace("main holds again: locked=" + str(lock.locked()));
  lock.release();
  co_await w;
}

// ==== 59 a woken waiter cancelled before it runs

Task<> holder59(ac::Lock &lock, std::string name) {
  trace(name + " wants");
  try {
    co_await lock.acquire();
  } catch (const ac::CancelledError &) {
    trace(name + ": cancelled");
    throw;
  }
  trace(name + " holds");
  co_await ac::sleep(1);
  trace(name + " releases");
  lock.release();
}

Task<> s59() {
  ac::Lock lock;
  co_await lock.acquire();
  auto a = ac::create_task(holder59(lock, "A"));
  auto b = ac::create_task(holder59(lock, "B"));
  co_await ac::sleep(1);
  lock.release();  // wakes A ...
  a.cancel();      // ... which is cancelled before it runs
  try {
    co_await a;
  } catch (const ac::CancelledError &) {
    trace("main: A ended cancelled");
  }
  co_await b;
  trace("main: locked=" + str(lock.locked()));
}

// ==== 60 ready operations do not suspend

Task<> other60() {
  trace("other task runs");
  co_return;
}

Task<> s60() {
  auto t = ac::create_task(other60());
  ac::Lock lock;
  co_await lock.acquire();
  trace("lock acquired");
  ac::Semaphore sem(1);
  co_await sem.acquire();
  trace("semaphore acquired");
  ac::Event ev;
  ev.set();
  co_await ev.wait();
  trace("event waited");
  ac::Queue<int64_t> q(1);
  co_await q.put(5);
  trace("put 5");
  int64_t v = co_await q.get();
  trace("got " + str(v));
  q.task_done();
  co_await q.join();
  trace("joined");
  ac::Condition cond;
  co_await cond.acquire();
  int64_t r = co_await cond.wait_for([] { return 7; });
  trace("wait_for returned " + str(r));
  cond.release();
  ac::Barrier b(1);
  int64_t i = co_await b.wait();
  trace("barrier passed: index=" + str(i));
  co_await t;
}

// ==== 61 a woken event waiter returns even if clear() runs before it

Task<> waiter61(ac::Event &ev, std::string name) {
  trace(name + " waits");
  co_await ev.wait();
  trace(name + " woke: is_set=" + str(ev.is_set()));
}

Task<> s61() {
  ac::Event ev;
  auto a = ac::create_task(waiter61(ev, "A"));
  co_await ac::sleep(1);
  ev.set();
  ev.clear();
  trace("main: set then clear, is_set=" + str(ev.is_set()));
  auto b = ac::create_task(waiter61(ev, "B"));
  co_await a;
  co_await ac::sleep(1);
  ev.set();
  ev.set();
  trace("main: set twice, is_set=" + str(ev.is_set()));
  co_await b;
}

// ==== 62 set() wakes the waiters in order; a wait after set() passes

Task<> waiter62(ac::Event &ev, std::string name) {
  trace(name + " waits");
  co_await ev.wait();
  trace(name + " passed");
}

Task<> s62() {
  ac::Event ev;
  auto a = ac::create_task(waiter62(ev, "A"));
  auto b = ac::create_task(waiter62(ev, "B"));
  co_await ac::sleep(1);
  auto c = ac::create_task(waiter62(ev, "C"));
  ev.set();
  trace("main: set");
  co_await a;
  co_await b;
  co_await c;
}

// ==== 63 a woken event waiter cancelled before it resumes

Task<> waiter63(ac::Event &ev, std::string name) {
  try {
    co_await ev.wait();
  } catch (const ac::CancelledError &) {
    trace(name + ": cancelled");
    throw;
  }
  trace(name + " passed");
}

Task<> s63() {
  ac::Event ev;
  auto a = ac::create_task(waiter63(ev, "A"));
  auto b = ac::create_task(waiter63(ev, "B"));
  co_await ac::sleep(1);
  ev.set();
  a.cancel();
  try {
    co_await a;
  } catch (const ac::CancelledError &) {
    trace("main: A ended cancelled");
  }
  co_await b;
  trace("main: is_set=" + str(ev.is_set()));
}

// ==== 64 notify(n)

Task<> waiter64(ac::Condition &cond, std::string name) {
  auto held = co_await cond;
  trace(name + " waits");
  co_await cond.wait();
  trace(name + " woke: locked=" + str(cond.locked()));
}

Task<> s64() {
  ac::Condition cond;
  std::vector<ac::TaskHandle<>> tasks;
  for (const char *n : {"A", "B", "C"}) tasks.push_back(ac::create_task(waiter64(cond, n)));
  co_await ac::sleep(1);
  {
    auto held = co_await cond;
    cond.notify(1);
    trace("main: notify(1)");
    co_await ac::sleep(1);
    trace("main: releases");
  }
  co_await ac::sleep(1);
  {
    auto held = co_await cond;
    cond.notify(5);
    trace("main: notify(5)");
  }
  for (auto &t : tasks) co_await t;
  trace("main: locked=" + str(cond.locked()));
}

// ==== 65 notify_all()

Task<> waiter65(ac::Condition &cond, std::string name) {
  auto held = co_await cond;
  trace(name + " waits");
  co_await cond.wait();
  trace(name + " woke");
}

Task<> s65() {
  ac::Condition cond;
  auto a = ac::create_task(waiter65(cond, "A"));
  auto b = ac::create_task(waiter65(cond, "B"));
  co_await ac::sleep(1);
  ac::TaskHandle<> c;
  {
    auto held = co_await cond;
    cond.notify_all();
    trace("main: notify_all");
    c = ac::create_task(waiter65(cond, "C"));
  }
  co_await a;
  co_await b;
  co_await ac::sleep(1);
  {
    auto held = co_await cond;
    cond.notify_all();
    trace("main: notify_all again");
  }
  co_await c;
}

// ==== 66 wait_for(predicate)

std::vector<int> items66;

int64_t two_items() {
  trace("predicate: " + str(items66.size()) + " items");
  return items66.size() >= 2 ? static_cast<int64_t>(items66.size()) : 0;
}

Task<> consumer66(ac::Condition &cond) {
  auto held = co_await cond;
  int64_t n = co_await cond.wait_for(two_items);
  trace("consumer: wait_for returned " + str(n) + ", locked=" + str(cond.locked()));
}

Task<> s66() {
  ac::Condition cond;
  auto c = ac::create_task(consumer66(cond));
  for (int i = 0; i < 2; ++i) {
    co_await ac::sleep(1);
    auto held = co_await cond;
    items66.push_back(i);
    cond.notify();
    trace("main: added item " + str(i));
  }
  co_await c;
}

// ==== 67 a condition needs its lock

Task<> s67() {
  ac::Condition cond;
  try {
    co_await cond.wait();
  } catch (const ac::RuntimeError &e) {
    trace("wait: " + e.describe());
  }
  try {
    cond.notify();
  } catch (const ac::RuntimeError &e) {
    trace("notify: " + e.describe());
  }
  try {
    cond.notify_all();
  } catch (const ac::RuntimeError &e) {
    trace("notify_all: " + e.describe());
  }
  int64_t r = co_await cond.wait_for([] { return 3; });
  trace("wait_for(true) returned " + str(r) + ", locked=" + str(cond.locked()));
  try {
    co_await cond.wait_for([] { return 0; });
  } catch (const ac::RuntimeError &e) {
    trace("wait_for(false): " + e.describe());
  }
}

// ==== 68 a waiter cancelled in wait() takes the lock back first

Task<> waiter68(ac::Condition &cond) {
  auto held = co_await cond;
  trace("W waits");
  try {
    co_await cond.wait();
  } catch (const ac::CancelledError &) {
    trace("W cancelled: locked=" + str(cond.locked()));
    throw;
  }
}

Task<> s68() {
  ac::Condition cond;
  auto w = ac::create_task(waiter68(cond));
  co_await ac::sleep(1);
  co_await cond.acquire();
  trace("main holds the lock; cancels W");
  w.cancel();
  co_await ac::sleep(1);
  trace("main releases");
  cond.release();
  try {
    co_await w;
  } catch (const ac::CancelledError &) {
    trace("main: W ended cancelled");
  }
  trace("main: locked=" + str(cond.locked()));
}

// ==== 69 a notified waiter cancelled before it resumes

Task<> waiter69(ac::Condition &cond, std::string name) {
  auto held = co_await cond;
  trace(name + " waits");
  try {
    co_await cond.wait();
  } catch (const ac::CancelledError &) {
    trace(name + ": cancelled");
    throw;
  }
  trace(name + " notified");
}

Task<> s69() {
  ac::Condition cond;
  auto a = ac::create_task(waiter69(cond, "A"));
  auto b = ac::create_task(waiter69(cond, "B"));
  co_await ac::sleep(1);
  {
    auto held = co_await cond;
    cond.notify(1);
    a.cancel();
    trace("main: notify(1), cancel A");
  }
  co_await ac::sleep(1);
  trace("main: B done=" + str(b.done()));
  if (!b.done()) {
    auto held = co_await cond;
    cond.notify_all();
  }
  try {
    co_await a;
  } catch (const ac::CancelledError &) {
    trace("main: A ended cancelled");
  }
  co_await b;
}

// ==== 70 a condition over a lock shares it

Task<> waiter70(ac::Condition &cond) {
  auto held = co_await cond;
  trace("W waits");
  co_await cond.wait();
  trace("W notified");
}

Task<> s70() {
  ac::Lock lock;
  ac::Condition cond(lock);
  co_await lock.acquire();
  trace("lock held: cond.locked=" + str(cond.locked()));
  lock.release();
  {
    auto held = co_await cond;
    trace("cond held: lock.locked=" + str(lock.locked()));
  }
  auto w = ac::create_task(waiter70(cond));
  co_await ac::sleep(1);
  trace("W waiting: lock.locked=" + str(lock.locked()));
  {
    auto held = co_await lock;
    cond.notify();
    trace("main: notify under the lock");
  }
  co_await w;
  trace("main: lock.locked=" + str(lock.locked()));
}

// ==== 71 semaphore value errors

Task<> s71() {
  try {
    ac::Semaphore bad(-1);
  } catch (const ac::ValueError &e) {
    trace("Semaphore(-1): " + e.describe());
  }
  ac::BoundedSemaphore sem(2);
  co_await sem.acquire();
  sem.release();
  trace("acquired and released: locked=" + str(sem.locked()));
  try {
    sem.release();
  } catch (const ac::ValueError &e) {
    trace("extra release: " + e.describe());
  }
  co_await sem.acquire();
  trace("one taken: locked=" + str(sem.locked()));
  co_await sem.acquire();
  trace("two taken: locked=" + str(sem.locked()));
}

// ==== 72 a release-then-acquire queues behind the waiters

Task<> repeat72(ac::Semaphore &sem) {
  co_await sem.acquire();
  trace("A holds");
  co_await ac::sleep(1);
  sem.release();
  trace("A released: locked=" + str(sem.locked()));
  co_await sem.acquire();
  trace("A holds again");
  co_await ac::sleep(1);
  sem.release();
}

Task<> once72(ac::Semaphore &sem, std::string name) {
  co_await sem.acquire();
  trace(name + " holds");
  co_await ac::sleep(1);
  sem.release();
}

Task<> s72() {
  ac::Semaphore sem(1);
  std::vector<ac::TaskHandle<>> tasks;
  tasks.push_back(ac::create_task(repeat72(sem)));
  tasks.push_back(ac::create_task(once72(sem, "B")));
  tasks.push_back(ac::create_task(once72(sem, "C")));
  for (auto &t : tasks) co_await t;
  trace("main: locked=" + str(sem.locked()));
}

// ==== 73 locked() while woken waiters have not run

Task<> late73() {
  trace("D runs");
  co_return;
}

Task<> first73(std::shared_ptr<ac::Semaphore> sem) {
  co_await sem->acquire();
  trace("A acquired");
  (void)ac::create_task(late73());
}

Task<> releaser73(std::shared_ptr<ac::Semaphore> sem) {
  sem->release();
  sem->release();
  sem->release();
  trace("R released three: locked=" + str(sem->locked()));
  co_await sem->acquire();
  trace("R acquired");
}

Task<> newcomer73(std::shared_ptr<ac::Semaphore> sem) {
  co_await sem->acquire();
  trace("B acquired");
}

Task<> s73() {
  auto sem = make<ac::Semaphore>(0);
  auto a = ac::create_task(first73(sem));
  co_await ac::sleep(1);
  auto r = ac::create_task(releaser73(sem));
  auto b = ac::create_task(newcomer73(sem));
  co_await ac::sleep(1);
  trace("main: locked=" + str(sem->locked()));
}

// ==== 74 a woken semaphore waiter cancelled before it runs

Task<> worker74(ac::Semaphore &sem, std::string name) {
  try {
    co_await sem.acquire();
  } catch (const ac::CancelledError &) {
    trace(name + ": cancelled");
    throw;
  }
  trace(name + " acquired");
}

Task<> s74() {
  ac::Semaphore sem(0);
  auto a = ac::create_task(worker74(sem, "A"));
  auto b = ac::create_task(worker74(sem, "B"));
  co_await ac::sleep(1);
  sem.release();  // wakes A ...
  a.cancel();     // ... which is cancelled before it runs
  try {
    co_await a;
  } catch (const ac::CancelledError &) {
    trace("main: A ended cancelled");
  }
  co_await b;
  trace("main: locked=" + str(sem.locked()));
  sem.release();
  trace("main: released, locked=" + str(sem.locked()));
}

// ==== 75 waiters cancelled while queued are skipped

Task<> s75() {
  ac::Semaphore sem(0);
  std::vector<ac::TaskHandle<>> tasks;
  for (const char *n : {"A", "B", "C", "D"}) tasks.push_back(ac::create_task(worker74(sem, n)));
  co_await ac::sleep(1);
  tasks[0].cancel();
  tasks[1].cancel();
  sem.release();
  co_await ac::sleep(1);
  trace("main: C done=" + str(tasks[2].done()) + " D done=" + str(tasks[3].done()));
  sem.release();
  for (auto &t : tasks) {
    try {
      co_await t;
    } catch (const ac::CancelledError &) {
    }
  }
  trace("main: locked=" + str(sem.locked()));
}

// ==== 76 two releases wake the first two waiters

Task<> worker76(ac::Semaphore &sem, std::string name) {
  trace(name + " wants");
  co_await sem.acquire();
  trace(name + " acquired");
}

Task<> s76() {
  ac::Semaphore sem(0);
  auto a = ac::create_task(worker76(sem, "A"));
  auto b = ac::create_task(worker76(sem, "B"));
  co_await ac::sleep(1);
  sem.release();
  auto x = ac::create_task(worker76(sem, "X"));
  sem.release();
  co_await a;
  co_await b;
  co_await ac::sleep(1);
  trace("main: X done=" + str(x.done()));
  sem.release();
  co_await x;
}

// ==== 77 barrier indexes

Task<> party77(ac::Barrier &b, std::string name, double delay) {
  co_await ac::sleep(delay);
  trace(name + " arrives: n_waiting=" + str(b.n_waiting()));
  int64_t i = co_await b.wait();
  trace(name + " passed: index=" + str(i));
}

Task<> s77() {
  ac::Barrier b(3);
  std::vector<ac::TaskHandle<>> tasks;
  tasks.push_back(ac::create_task(party77(b, "A", 2)));
  tasks.push_back(ac::create_task(party77(b, "B", 1)));
  tasks.push_back(ac::create_task(party77(b, "C", 3)));
  for (auto &t : tasks) co_await t;
  trace("main: parties=" + str(b.parties()) + " n_waiting=" + str(b.n_waiting()) +
        " broken=" + str(b.broken()));
  ac::Barrier one(1);
  int64_t i = co_await one.wait();
  int64_t j = co_await one.wait();
  trace("main: Barrier(1) passed twice: index=" + str(i) + ", " + str(j));
}

// ==== 78 a wait while the barrier drains

Task<> party78(ac::Barrier &b, std::string name) {
  trace(name + " arrives: n_waiting=" + str(b.n_waiting()));
  int64_t i = co_await b.wait();
  trace(name + " passed: index=" + str(i));
}

Task<> s78() {
  ac::Barrier b(2);
  std::vector<ac::TaskHandle<>> tasks;
  for (const char *n : {"A", "B", "C", "D"}) tasks.push_back(ac::create_task(party78(b, n)));
  for (auto &t : tasks) co_await t;
  trace("main: n_waiting=" + str(b.n_waiting()) + " broken=" + str(b.broken()));
}

// ==== 79 a party cancelled while waiting leaves the barrier

Task<> party79(ac::Barrier &b, std::string name, double delay) {
  co_await ac::sleep(delay);
  int64_t i = 0;
  try {
    i = co_await b.wait();
  } catch (const ac::CancelledError &) {
    trace(name + ": cancelled");
    throw;
  }
  trace(name + " passed: index=" + str(i));
}

Task<> s79() {
  ac::Barrier b(3);
  auto a = ac::create_task(party79(b, "A", 0));
  auto x = ac::create_task(party79(b, "X", 1));
  co_await ac::sleep(2);
  trace("main: n_waiting=" + str(b.n_waiting()) + ", cancels X");
  x.cancel();
  try {
    co_await x;
  } catch (const ac::CancelledError &) {
  }
  trace("main: n_waiting=" + str(b.n_waiting()));
  auto c = ac::create_task(party79(b, "C", 1));
  auto d = ac::create_task(party79(b, "D", 2));
  co_await a;
  co_await c;
  co_await d;
  trace("main: n_waiting=" + str(b.n_waiting()) + " broken=" + str(b.broken()));
}

// ==== 80 abort()

Task<> party80(ac::Barrier &b, std::string name) {
  try {
    co_await b.wait();
  } catch (const ac::BrokenBarrierError &e) {
    trace(name + ": " + e.describe());
  }
}

Task<> s80() {
  ac::Barrier b(3);
  auto a = ac::create_task(party80(b, "A"));
  auto c = ac::create_task(party80(b, "B"));
  co_await ac::sleep(1);
  b.abort();
  trace("main: aborted, broken=" + str(b.broken()) + " n_waiting=" + str(b.n_waiting()));
  co_await a;
  co_await c;
  try {
    co_await b.wait();
  } catch (const ac::BrokenBarrierError &e) {
    trace("main: later wait: " + e.describe());
  }
}

// ==== 81 reset()

Task<> party81(ac::Barrier &b, std::string name, double delay) {
  co_await ac::sleep(delay);
  int64_t i = 0;
  try {
    i = co_await b.wait();
  } catch (const ac::BrokenBarrierError &e) {
    trace(name + ": " + e.describe());
    co_return;
  }
  trace(name + " passed: index=" + str(i));
}

Task<> s81() {
  ac::Barrier b(3);
  std::vector<ac::TaskHandle<>> first;
  for (const char *n : {"A", "B"}) first.push_back(ac::create_task(party81(b, n, 0)));
  co_await ac::sleep(1);
  b.reset();
  trace("main: reset");
  for (auto &t : first) co_await t;
  trace("main: broken=" + str(b.broken()) + " n_waiting=" + str(b.n_waiting()));
  std::vector<ac::TaskHandle<>> again;
  again.push_back(ac::create_task(party81(b, "X", 1)));
  again.push_back(ac::create_task(party81(b, "Y", 2)));
  again.push_back(ac::create_task(party81(b, "Z", 3)));
  for (auto &t : again) co_await t;
}

// ==== 82 Barrier(0) and Barrier(-4)

Task<> s82() {
  for (int n : {0, -4}) {
    try {
      ac::Barrier bad(n);
    } catch (const ac::ValueError &e) {
      trace("Barrier(" + str(n) + "): " + e.describe());
    }
  }
  trace("Barrier(1): parties=" + str(ac::Barrier(1).parties()));
  co_return;
}

// ==== 83 a released party cancelled before it runs

Task<> party83(ac::Barrier &b, std::string name) {
  int64_t i = 0;
  try {
    i = co_await b.wait();
  } catch (const ac::CancelledError &) {
    trace(name + ": cancelled");
    throw;
  }
  trace(name + " passed: index=" + str(i));
}

Task<> s83() {
  ac::Barrier b(2);
  auto a = ac::create_task(party83(b, "A"));
  co_await ac::sleep(1);
  int64_t i = co_await b.wait();
  trace("main passed: index=" + str(i) + "; cancels A");
  a.cancel();
  try {
    co_await a;
  } catch (const ac::CancelledError &) {
    trace("main: A ended cancelled");
  }
  trace("main: broken=" + str(b.broken()) + " n_waiting=" + str(b.n_waiting()));
  auto c = ac::create_task(party83(b, "C"));
  co_await ac::sleep(1);
  i = co_await b.wait();
  trace("main passed again: index=" + str(i));
  co_await c;
}

// ==== 84 a woken put cancelled before it runs

using StrQueue = ac::Queue<std::string>;
using IntQueue = ac::Queue<int64_t>;

Task<> putter84(std::shared_ptr<StrQueue> q, std::string name, std::string item) {
  try {
    co_await q->put(item);
  } catch (const ac::CancelledError &) {
    trace(name + ": cancelled, qsize=" + str(q->qsize()));
    throw;
  }
  trace(name + ": put " + item + ", qsize=" + str(q->qsize()));
}

Task<> s84() {
  auto q = make<StrQueue>(1);
  q->put_nowait("x");
  auto p1 = ac::create_task(putter84(q, "P1", "a"));
  auto p2 = ac::create_task(putter84(q, "P2", "b"));
  co_await ac::sleep(1);
  trace("main: got " + q->get_nowait());  // frees the slot: P1 is woken ...
  p1.cancel();                             // ... and cancelled before it runs
  co_await ac::sleep(1);
  trace("main: P1 cancelled=" + str(p1.cancelled()) + " P2 done=" + str(p2.done()) +
        ", qsize=" + str(q->qsize()));
  (void)ac::create_task(putter84(q, "P1 again", "a"));
  co_await ac::sleep(1);
  trace("main: got " + q->get_nowait());
  co_await ac::sleep(1);
  std::string got = q->get_nowait();
  trace("main: got " + got + ", qsize=" + str(q->qsize()));
}

// ==== 85 an item that woke a cancelled get stays first

Task<> getter85(IntQueue &q, std::string name) {
  int64_t v = 0;
  try {
    v = co_await q.get();
  } catch (const ac::CancelledError &) {
    trace(name + ": cancelled, qsize=" + str(q.qsize()));
    throw;
  }
  trace(name + ": got " + str(v));
}

Task<> s85() {
  IntQueue q;
  auto g = ac::create_task(getter85(q, "G"));
  co_await ac::sleep(1);
  q.put_nowait(1);  // wakes G ...
  q.put_nowait(2);
  g.cancel();  // ... which is cancelled before it runs
  try {
    co_await g;
  } catch (const ac::CancelledError &) {
    trace("main: G ended cancelled");
  }
  co_await ac::create_task(getter85(q, "G2"));
  co_await ac::create_task(getter85(q, "G3"));
  trace("main: qsize=" + str(q.qsize()));
}

// ==== 86 an item that wakes a getter is not reserved for it

Task<> getter86(IntQueue &q) {
  int64_t v = co_await q.get();
  trace("G: got " + str(v));
}

Task<> s86() {
  IntQueue q;
  auto g = ac::create_task(getter86(q));
  co_await ac::sleep(1);
  q.put_nowait(1);
  try {
    int64_t v = q.get_nowait();
    trace("main: get_nowait -> " + str(v));
  } catch (const ac::QueueEmpty &) {
    trace("main: get_nowait -> QueueEmpty");
  }
  co_await ac::sleep(1);
  trace("main: G done=" + str(g.done()) + ", qsize=" + str(q.qsize()));
  q.put_nowait(2);
  co_await g;
}

// ==== 87 a slot that wakes a putter is not reserved for it

Task<> putter87(StrQueue &q) {
  co_await q.put("p");
  trace("P: put p, qsize=" + str(q.qsize()));
}

Task<> s87() {
  StrQueue q(1);
  q.put_nowait("x");
  auto p = ac::create_task(putter87(q));
  co_await ac::sleep(1);
  trace("main: got " + q.get_nowait());
  try {
    q.put_nowait("m");
    trace("main: put_nowait m done");
  } catch (const ac::QueueFull &) {
    trace("main: put_nowait m -> QueueFull");
  }
  co_await ac::sleep(1);
  bool done = p.done();
  trace("main: P done=" + str(done) + ", got " + q.get_nowait());
  co_await p;
  trace("main: got " + q.get_nowait());
}

// ==== 88 maxsize 0 or negative: unbounded

Task<> s88() {
  for (int size : {0, -1}) {
    IntQueue q(size);
    for (int64_t i = 0; i < 5; ++i) co_await q.put(i);
    q.put_nowait(5);
    trace("Queue(" + str(size) + "): maxsize=" + str(q.maxsize()) + " qsize=" + str(q.qsize()) +
          " full=" + str(q.full()));
  }
}

// ==== 89 queue errors

Task<> s89() {
  IntQueue q(1);
  try {
    q.get_nowait();
  } catch (const ac::QueueEmpty &e) {
    trace("get_nowait on empty: " + e.describe());
  }
  q.put_nowait(1);
  try {
    q.put_nowait(2);
  } catch (const ac::QueueFull &e) {
    trace("put_nowait on full: " + e.describe() + ", qsize=" + str(q.qsize()));
  }
  trace("got " + str(q.get_nowait()));
  q.task_done();
  try {
    q.task_done();
  } catch (const ac::ValueError &e) {
    trace("task_done again: " + e.describe());
  }
  co_await q.join();
  trace("joined");
}

// ==== 90 shutdown() drains

Task<> putter90(StrQueue &q) {
  try {
    co_await q.put("b");
  } catch (const ac::QueueShutDown &e) {
    trace("P: " + e.describe());
  }
}

template <class Q>
Task<> joiner(Q &q, std::string name) {
  co_await q.join();
  trace(name + ": joined");
}

Task<> s90() {
  StrQueue q(1);
  q.put_nowait("a");
  auto p = ac::create_task(putter90(q));
  auto j = ac::create_task(joiner(q, "J"));
  co_await ac::sleep(1);
  q.shutdown();
  trace("main: shut down, qsize=" + str(q.qsize()));
  co_await p;
  std::string got = co_await q.get();
  trace("main: got " + got);
  try {
    co_await q.get();
  } catch (const ac::QueueShutDown &e) {
    trace("main: get: " + e.describe());
  }
  try {
    q.get_nowait();
  } catch (const ac::QueueShutDown &e) {
    trace("main: get_nowait: " + e.describe());
  }
  try {
    q.put_nowait("c");
  } catch (const ac::QueueShutDown &e) {
    trace("main: put_nowait: " + e.describe());
  }
  co_await ac::sleep(1);
  trace("main: J done=" + str(j.done()));
  q.task_done();
  co_await j;
}

// ==== 91 shutdown(immediate=True)

Task<> s91() {
  StrQueue q;
  for (const char *item : {"a", "b", "c"}) q.put_nowait(item);
  std::string got = co_await q.get();
  trace("main: got " + got);
  auto j = ac::create_task(joiner(q, "J"));
  co_await ac::sleep(1);
  q.shutdown(true);
  trace("main: shut down now, qsize=" + str(q.qsize()));
  try {
    co_await q.get();
  } catch (const ac::QueueShutDown &e) {
    trace("main: get: " + e.describe());
  }
  try {
    co_await q.put("d");
  } catch (const ac::QueueShutDown &e) {
    trace("main: put: " + e.describe());
  }
  co_await ac::sleep(1);
  trace("main: J done=" + str(j.done()));
  q.task_done();
  co_await j;
  co_await q.join();
  trace("main: joined after shutdown");
  try {
    q.task_done();
  } catch (const ac::ValueError &e) {
    trace("main: task_done: " + e.describe());
  }
}

// ==== 92 LifoQueue

Task<> getter92(IntQueue &q) {
  int64_t v = co_await q.get();
  trace("G: got " + str(v));
}

Task<> s92() {
  IntQueue q(0, AC_QUEUE_LIFO);
  auto g = ac::create_task(getter92(q));
  co_await ac::sleep(1);
  for (int64_t i : {1, 3, 2}) co_await q.put(i);
  co_await g;
  std::vector<std::string> items;
  for (int k = 0; k < 2; ++k) items.push_back(str(co_await q.get()));
  trace("main: got " + join(items));
  for (int64_t i : {4, 5, 6}) q.put_nowait(i);
  items.clear();
  for (int k = 0; k < 3; ++k) items.push_back(str(q.get_nowait()));
  trace("main: got " + join(items));
}

// ==== 93 join() waits for every item

Task<> s93() {
  IntQueue q;
  co_await q.join();
  trace("main: join on a fresh queue returned");
  q.put_nowait(1);
  q.put_nowait(2);
  auto j1 = ac::create_task(joiner(q, "J1"));
  auto j2 = ac::create_task(joiner(q, "J2"));
  q.get_nowait();
  q.get_nowait();
  co_await ac::sleep(1);
  q.task_done();
  trace("main: one task_done");
  co_await ac::sleep(1);
  q.task_done();
  trace("main: second task_done");
  co_await j1;
  co_await j2;
}

// ==== 94 a put cancelled while it waits never inserts

Task<> putter94(StrQueue &q, std::string name, std::string item) {
  try {
    co_await q.put(item);
  } catch (const ac::CancelledError &) {
    trace(name + ": cancelled");
    throw;
  }
  trace(name + ": put " + item);
}

Task<> s94() {
  StrQueue q(1);
  std::vector<ac::TaskHandle<>> tasks;
  tasks.push_back(ac::create_task(putter94(q, "A", "a")));
  tasks.push_back(ac::create_task(putter94(q, "B", "b")));
  tasks.push_back(ac::create_task(putter94(q, "C", "c")));
  tasks.push_back(ac::create_task(putter94(q, "D", "d")));
  co_await ac::sleep(1);
  tasks[2].cancel();
  co_await ac::sleep(1);
  std::vector<std::string> got;
  while (got.size() < 3) got.push_back(co_await q.get());
  trace("main: got " + join(got) + ", qsize=" + str(q.qsize()));
  for (auto &t : tasks) {
    try {
      co_await t;
    } catch (const ac::CancelledError &) {
    }
  }
}

// ==== 95 getters served in order

Task<> getter95(IntQueue &q, std::string name) {
  int64_t v = 0;
  try {
    v = co_await q.get();
  } catch (const ac::CancelledError &) {
    trace(name + ": cancelled");
    throw;
  }
  trace(name + ": got " + str(v));
}

Task<> s95() {
  IntQueue q;
  std::vector<ac::TaskHandle<>> tasks;
  for (const char *n : {"G1", "G2", "G3", "G4"}) tasks.push_back(ac::create_task(getter95(q, n)));
  co_await ac::sleep(1);
  tasks[1].cancel();
  co_await ac::sleep(1);
  for (int64_t i : {10, 20, 30}) q.put_nowait(i);
  for (auto &t : tasks) {
    try {
      co_await t;
    } catch (const ac::CancelledError &) {
    }
  }
  trace("main: qsize=" + str(q.qsize()));
}

// ==== 96 a bounded PriorityQueue

Task<> putter96(StrQueue &q, int64_t prio, std::string name) {
  co_await q.put(prio, name);
  trace("put " + name + " (priority " + str(prio) + "), qsize=" + str(q.qsize()));
}

Task<> s96() {
  StrQueue q(2, AC_QUEUE_PRIORITY);
  co_await q.put(5, "five");
  co_await q.put(3, "three");
  auto p = ac::create_task(putter96(q, 1, "one"));
  co_await ac::sleep(1);
  trace("main: full=" + str(q.full()));
  std::string name = co_await q.get();
  trace("main: got " + name);
  co_await p;
  std::vector<std::string> got;
  while (!q.empty()) got.push_back(q.get_nowait());
  trace("main: got " + join(got));
}

// ==== 97 shutdown(immediate=True) wakes the waiters

Task<> getter97(StrQueue &q) {
  try {
    std::string v = co_await q.get();
    trace("G: got " + v);
  } catch (const ac::QueueShutDown &e) {
    trace("G: " + e.describe());
  }
}

Task<> putter97(StrQueue &q) {
  try {
    co_await q.put("y");
    trace("P: put y");
  } catch (const ac::QueueShutDown &e) {
    trace("P: " + e.describe() + ", qsize=" + str(q.qsize()));
  }
}

Task<> s97() {
  StrQueue empty;
  StrQueue full(1);
  full.put_nowait("x");
  auto g = ac::create_task(getter97(empty));
  auto p = ac::create_task(putter97(full));
  co_await ac::sleep(1);
  empty.shutdown(true);
  full.shutdown(true);
  trace("main: shut down, qsize=" + str(full.qsize()));
  co_await g;
  co_await p;
  co_await full.join();
  trace("main: joined");
}

// ==== 98 an acquire or get abandoned by a timeout leaves no trace

Task<> lock_waiter98(ac::Lock &lock) {
  try {
    co_await ac::wait_for(lock.acquire(), 1);
    trace("W: acquired");
  } catch (const ac::TimeoutError &) {
    trace("W: timed out, locked=" + str(lock.locked()));
  }
}

Task<> get_waiter98(IntQueue &q) {
  try {
    int64_t v = co_await ac::wait_for(q.get(), 1);
    trace("G: got " + str(v));
  } catch (const ac::TimeoutError &) {
    trace("G: timed out, qsize=" + str(q.qsize()));
  }
}

Task<> s98() {
  ac::Lock lock;
  IntQueue q;
  co_await lock.acquire();
  auto w = ac::create_task(lock_waiter98(lock));
  auto g = ac::create_task(get_waiter98(q));
  co_await ac::sleep(2);
  lock.release();
  q.put_nowait(7);
  trace("main: released, locked=" + str(lock.locked()) + "; put 7, qsize=" + str(q.qsize()));
  co_await w;
  co_await g;
}

}  // namespace

const std::vector<Scenario> &sync_scenarios() {
  static const std::vector<Scenario> table = {
      {"57-lock-release-unlocked", s57},
      {"58-lock-locked-until-waiter-runs", s58},
      {"59-lock-woken-waiter-cancelled", s59},
      {"60-ready-operations-do-not-suspend", s60},
      {"61-event-clear-before-waiter-runs", s61},
      {"62-event-wait-after-set-passes", s62},
      {"63-event-woken-waiter-cancelled", s63},
      {"64-condition-notify-n", s64},
      {"65-condition-notify-all", s65},
      {"66-condition-wait-for", s66},
      {"67-condition-needs-the-lock", s67},
      {"68-condition-cancelled-waiter-reacquires", s68},
      {"69-condition-notified-then-cancelled", s69},
      {"70-condition-shared-lock", s70},
      {"71-semaphore-value-errors", s71},
      {"72-semaphore-reacquire-queues-behind", s72},
      {"73-semaphore-locked-while-woken-waiters", s73},
      {"74-semaphore-woken-waiter-cancelled", s74},
      {"75-semaphore-cancelled-waiters-skipped", s75},
      {"76-semaphore-two-releases-first-two-waiters", s76},
      {"77-barrier-indexes", s77},
      {"78-barrier-draining", s78},
      {"79-barrier-cancelled-waiter", s79},
      {"80-barrier-abort", s80},
      {"81-barrier-reset", s81},
      {"82-barrier-parties-error", s82},
      {"83-barrier-released-party-cancelled", s83},
      {"84-queue-woken-put-cancelled", s84},
      {"85-queue-woken-get-cancelled-keeps-order", s85},
      {"86-queue-woken-get-not-reserved", s86},
      {"87-queue-woken-put-not-reserved", s87},
      {"88-queue-maxsize-not-positive", s88},
      {"89-queue-errors", s89},
      {"90-queue-shutdown-drains", s90},
      {"91-queue-shutdown-immediate", s91},
      {"92-lifo-queue-order", s92},
      {"93-queue-join-waits-for-every-item", s93},
      {"94-queue-put-cancelled-while-waiting", s94},
      {"95-queue-getters-served-in-order", s95},
      {"96-priority-queue-blocked-put", s96},
      {"97-queue-shutdown-wakes-waiters", s97},
      {"98-acquire-timeout-leaves-no-trace", s98},
  };
  return table;
}

}  // namespace conf
