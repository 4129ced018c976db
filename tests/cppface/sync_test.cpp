// Lock, Semaphore, Event, Condition, Barrier and Queue<T> through the face.
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>

#include "face_test_util.hpp"

namespace {
using namespace facetest;

ac::Task<> holder(ac::Lock *lock, std::string name, Trace *tr, double hold) {
  (*tr)(name + " wants");
  auto guard = co_await *lock;
  (*tr)(name + " holds");
  co_await ac::sleep(hold);
  (*tr)(name + " releases");
}

ac::Task<> lock_fifo(Trace *tr) {
  ac::Lock lock;
  co_await ac::gather(holder(&lock, "A", tr, 1), holder(&lock, "B", tr, 1), holder(&lock, "C", tr, 1));
  EXPECT_FALSE(lock.locked());
  EXPECT_DOUBLE_EQ(now(), 3.0);
}
TEST(Lock, GuardHoldsUntilScopeExitAndWaitersAreServedFifo) {
  Trace tr;
  run_v(lock_fifo(&tr));
  EXPECT_EQ(tr.text(),
            "A wants\nA holds\nB wants\nC wants\nA releases\nB holds\nB releases\nC holds\nC releases\n");
}

ac::Task<> throws_holding(ac::Lock *lock) {
  auto guard = co_await *lock;
  co_await ac::sleep(1);
  throw std::runtime_error("while holding");
}

ac::Task<> released_on_exception() {
  ac::Lock lock;
  EXPECT_THROW(co_await throws_holding(&lock), std::runtime_error);
  EXPECT_FALSE(lock.locked());
  EXPECT_TRUE(lock.try_acquire());
  EXPECT_FALSE(lock.try_acquire());
  lock.release();
  try {
    lock.release();
    ADD_FAILURE();
  } catch (const ac::Error &e) {
    EXPECT_EQ(e.code(), AC_EMISUSE);  // asyncio's RuntimeError
  }
}
TEST(Lock, ExceptionUnwindingReleasesTheLock) { run_v(released_on_exception()); }

ac::Task<> cancelled_waiter(Trace *tr) {
  ac::Lock lock;
  auto first = co_await lock;
  auto waiter = ac::create_task(holder(&lock, "W", tr, 1));
  auto next = ac::create_task(holder(&lock, "N", tr, 1));
  co_await ac::sleep(1);
  waiter.cancel();
  first.unlock();
  EXPECT_THROW(co_await waiter, ac::CancelledError);
  co_await next;
  EXPECT_FALSE(lock.locked());
}
TEST(Lock, ACancelledWaiterNeverHoldsItAndLosesNoWakeUp) {
  Trace tr;
  run_v(cancelled_waiter(&tr));
  EXPECT_EQ(tr.text(), "W wants\nN wants\nN holds\nN releases\n");
}

ac::Task<> bounded_worker(ac::Semaphore *sem, int *inside, int *peak) {
  auto permit = co_await *sem;
  *peak = std::max(*peak, ++*inside);
  co_await ac::sleep(1);
  --*inside;
}

ac::Task<> semaphore_bound() {
  ac::Semaphore sem(2);
  int inside = 0, peak = 0;
  std::vector<ac::Task<>> ws;
  for (int i = 0; i < 5; ++i) ws.push_back(bounded_worker(&sem, &inside, &peak));
  co_await ac::gather(std::move(ws));
  EXPECT_EQ(peak, 2);
  EXPECT_EQ(sem.value(), 2);
  EXPECT_DOUBLE_EQ(now(), 3.0);
  ac::Semaphore bounded(1, true);
  try {
    bounded.release();
    ADD_FAILURE();
  } catch (const ac::ValueError &e) {
    EXPECT_EQ(e.message(), "BoundedSemaphore released too many times");
  }
}
TEST(Semaphore, NeverMoreInsideThanItsValue) { run_v(semaphore_bound()); }

ac::Task<> event_waiter(ac::Event *ev, std::string name, Trace *tr) {
  co_await ev->wait();
  (*tr)(name + " woke at " + std::to_string(static_cast<int>(now())));
}

ac::Task<> event_wakes_all(Trace *tr) {
  ac::Event ev;
  auto a = ac::create_task(event_waiter(&ev, "A", tr));
  auto b = ac::create_task(event_waiter(&ev, "B", tr));
  co_await ac::sleep(2);
  ev.set();
  co_await a;
  co_await b;
  EXPECT_TRUE(ev.is_set());
  co_await ev.wait();  // set: no wait
  ev.clear();
  EXPECT_FALSE(ev.is_set());
}
TEST(Event, SetWakesEveryWaiter) {
  Trace tr;
  run_v(event_wakes_all(&tr));
  EXPECT_EQ(tr.text(), "A woke at 2\nB woke at 2\n");
}

ac::Task<> condition_consumer(ac::Condition *cond, std::vector<int> *items, Trace *tr) {
  auto guard = co_await *cond;
  co_await cond->wait_for([items] { return !items->empty(); });
  EXPECT_TRUE(cond->locked());
  (*tr)("consumed " + std::to_string(items->back()));
  items->pop_back();
}

ac::Task<> condition_notify(Trace *tr) {
  ac::Condition cond;
  std::vector<int> items;
  auto c = ac::create_task(condition_consumer(&cond, &items, tr));
  co_await ac::sleep(1);
  {
    auto guard = co_await cond;
    items.push_back(7);
    EXPECT_EQ(cond.notify(), 1);
  }
  co_await c;
  EXPECT_FALSE(cond.locked());
}
TEST(Condition, WaitForPredicateWithTheLockHeld) {
  Trace tr;
  run_v(condition_notify(&tr));
  EXPECT_EQ(tr.text(), "consumed 7\n");
}

ac::Task<int64_t> arrive(ac::Barrier *b, double delay) {
  co_await ac::sleep(delay);
  co_return co_await b->wait();
}

ac::Task<> barrier_round() {
  ac::Barrier b(3);
  auto [x, y, z] = co_await ac::gather(arrive(&b, 2), arrive(&b, 1), arrive(&b, 3));
  EXPECT_EQ(x, 1);
  EXPECT_EQ(y, 0);
  EXPECT_EQ(z, 2);
  EXPECT_DOUBLE_EQ(now(), 3.0);
  b.abort();
  EXPECT_TRUE(b.broken());
  // asyncio: the wait itself raises BrokenBarrierError when awaited.
  try {
    (void)co_await b.wait();
    ADD_FAILURE();
  } catch (const ac::BrokenBarrierError &e) {
    EXPECT_EQ(e.code(), AC_EBROKEN);
  }
}
TEST(Barrier, ArrivalIndicesAndBreaking) { run_v(barrier_round()); }

// ---- Queue<T>

struct Job {
  int id;
  Tracked tag;
};

ac::Task<> queue_types() {
  ac::Queue<std::string> s;
  co_await s.put("one");
  s.put_nowait("two");
  EXPECT_EQ(s.qsize(), 2u);
  EXPECT_EQ(co_await s.get(), "one");
  EXPECT_EQ(s.get_nowait(), "two");
  EXPECT_THROW(s.get_nowait(), ac::QueueEmpty);

  ac::Queue<std::optional<int>> o;
  co_await o.put(5);
  co_await o.put(std::nullopt);  // the sentinel: NONE for C
  EXPECT_EQ(co_await o.get(), std::optional<int>(5));
  EXPECT_EQ(co_await o.get(), std::nullopt);

  ac::Queue<Job> j;
  // Made before the co_await: GCC 12 bitwise-copies a braced aggregate
  // temporary that appears inside a co_await expression.
  Job job{1, Tracked("job")};
  co_await j.put(std::move(job));
  Job got = co_await j.get();
  EXPECT_EQ(got.id, 1);
}
TEST(Queue, TypedItemsCrossAsTaggedValues) {
  Tracked::alive = 0;
  run_v(queue_types());
  EXPECT_EQ(Tracked::alive, 0);
}

ac::Task<> producer(ac::Queue<int> *q, Trace *tr) {
  for (int i = 0; i < 3; ++i) {
    co_await q->put(i);
    (*tr)("put " + std::to_string(i) + " at " + std::to_string(static_cast<int>(now())));
  }
}

ac::Task<> bounded_queue(Trace *tr) {
  ac::Queue<int> q(1);
  auto p = ac::create_task(producer(&q, tr));
  co_await ac::sleep(1);
  EXPECT_TRUE(q.full());
  EXPECT_THROW(q.put_nowait(9), ac::QueueFull);
  for (int i = 0; i < 3; ++i) {
    int v = co_await q.get();
    (*tr)("got " + std::to_string(v));
    q.task_done();
    co_await ac::sleep(1);
  }
  co_await p;
  co_await q.join();
}
TEST(Queue, ABoundedQueueMakesThePutterWait) {
  Trace tr;
  run_v(bounded_queue(&tr));
  EXPECT_EQ(tr.text(), "put 0 at 0\ngot 0\nput 1 at 1\ngot 1\nput 2 at 2\ngot 2\n");
}

ac::Task<int> getter(ac::Queue<int> *q) { co_return co_await q->get(); }

ac::Task<> cancelled_get_loses_nothing() {
  ac::Queue<int> q;
  auto g1 = ac::create_task(getter(&q));
  auto g2 = ac::create_task(getter(&q));
  co_await ac::sleep(1);
  q.put_nowait(42);  // wakes g1, which is cancelled before it runs: it takes nothing
  g1.cancel();
  EXPECT_THROW(co_await g1, ac::CancelledError);
  EXPECT_EQ(co_await g2, 42);
}
TEST(Queue, ACancelledGetLosesNoItem) { run_v(cancelled_get_loses_nothing()); }

ac::Task<> shutdown_and_priority() {
  ac::Queue<std::string> q;
  auto g = ac::create_task([](ac::Queue<std::string> *q) -> ac::Task<std::string> { co_return co_await q->get(); }(&q));
  co_await ac::sleep(1);
  q.shutdown();
  EXPECT_THROW(co_await g, ac::QueueShutDown);
  EXPECT_THROW(co_await q.put("late"), ac::QueueShutDown);

  ac::Queue<std::string> pq(0, AC_QUEUE_PRIORITY);
  co_await pq.put(5, "five");
  co_await pq.put(1, "one");
  co_await pq.put(5, "five again");
  EXPECT_EQ(co_await pq.get(), "one");
  EXPECT_EQ(co_await pq.get(), "five");
  EXPECT_EQ(co_await pq.get(), "five again");
}
TEST(Queue, ShutdownAndPriorityOrder) { run_v(shutdown_and_priority()); }

TEST(Queue, QueuedItemsAreReleasedWithTheQueue) {
  Tracked::alive = 0;
  ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
  {
    ac::Queue<Job> q(0, AC_QUEUE_FIFO, loop.get());
    q.put_nowait(Job{1, Tracked("a")});
    q.put_nowait(Job{2, Tracked("b")});
    EXPECT_EQ(Tracked::alive, 2);
  }
  EXPECT_EQ(Tracked::alive, 0);
}

}  // namespace
