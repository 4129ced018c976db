// Loop::dump and Loop::stats through the face.
#include <gtest/gtest.h>

#include <cstdio>

#include "face_test_util.hpp"

namespace {
using namespace facetest;

std::string addr(const void *p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%p", p);
  return buf;
}
std::string id(const ac::TaskHandle<> &t) { return std::to_string(t.id()); }

ac::Task<> hold_then_wait(ac::Lock *lock, ac::Event *ev) {
  auto guard = co_await *lock;
  co_await ev->wait();
}
ac::Task<> take(ac::Lock *lock) { auto guard = co_await *lock; }
ac::Task<> follow(ac::TaskHandle<> *t) { co_await *t; }
ac::Task<> nap(double s) { co_await ac::sleep(s); }
ac::Task<> get_one(ac::Queue<int> *q) { co_await q->get(); }

ac::Task<> scenario(std::string *text, std::string *json, std::string *want_text,
                    std::string *want_json, ac_loop_stats *st) {
  ac::Lock lock;
  ac::Event ev;
  ac::Queue<int> q;
  auto c = ac::create_task(hold_then_wait(&lock, &ev), "C");
  co_await ac::sleep(0);  // C holds the lock
  auto b = ac::create_task(take(&lock), "B");
  auto a = ac::create_task(follow(&b), "A");
  auto d = ac::create_task(take(&lock), "D");
  auto e = ac::create_task(nap(5), "E");
  auto f = ac::create_task(get_one(&q), "F");
  co_await ac::sleep(2.5);
  ac::Loop loop = ac::Loop::current();
  *text = loop.dump();
  *json = loop.dump(AC_DUMP_JSON);
  *st = loop.stats();
  ac::TaskHandle<> main = ac::TaskHandle<>::borrow(ac_loop_current_task(loop.get()));
  std::string L = addr(lock.get()), E = addr(ev.get()), Q = addr(q.get_raw());
  *want_text = "#" + id(main) + " main running\n" +
               "#" + id(c) + " C waiting: event " + E + " position=1 waiters=1\n" +
               "#" + id(a) + " A waiting: task #" + id(b) + " B\n" +
               "  #" + id(b) + " B waiting: lock " + L + " position=1 waiters=2 locked=yes\n" +
               "#" + id(d) + " D waiting: lock " + L + " position=2 waiters=2 locked=yes\n" +
               "#" + id(e) + " E waiting: sleep left=2.500\n" +
               "#" + id(f) + " F waiting: queue_get " + Q + " position=1 waiters=1 size=0\n";
  *want_json =
      "{\"id\":" + id(main) + ",\"name\":\"main\",\"state\":\"running\",\"cancelling\":0,\"awaits\":null,\"awaited_by\":[]}\n"
      "{\"id\":" + id(c) + ",\"name\":\"C\",\"state\":\"waiting\",\"cancelling\":0,\"awaits\":{\"kind\":\"event\",\"object\":\"" + E + "\",\"position\":1,\"waiters\":1},\"awaited_by\":[]}\n"
      "{\"id\":" + id(b) + ",\"name\":\"B\",\"state\":\"waiting\",\"cancelling\":0,\"awaits\":{\"kind\":\"lock\",\"object\":\"" + L + "\",\"position\":1,\"waiters\":2,\"locked\":true},\"awaited_by\":[" + id(a) + "]}\n"
      "{\"id\":" + id(a) + ",\"name\":\"A\",\"state\":\"waiting\",\"cancelling\":0,\"awaits\":{\"kind\":\"task\",\"id\":" + id(b) + ",\"name\":\"B\"},\"awaited_by\":[]}\n"
      "{\"id\":" + id(d) + ",\"name\":\"D\",\"state\":\"waiting\",\"cancelling\":0,\"awaits\":{\"kind\":\"lock\",\"object\":\"" + L + "\",\"position\":2,\"waiters\":2,\"locked\":true},\"awaited_by\":[]}\n"
      "{\"id\":" + id(e) + ",\"name\":\"E\",\"state\":\"waiting\",\"cancelling\":0,\"awaits\":{\"kind\":\"sleep\",\"left\":2.5},\"awaited_by\":[]}\n"
      "{\"id\":" + id(f) + ",\"name\":\"F\",\"state\":\"waiting\",\"cancelling\":0,\"awaits\":{\"kind\":\"queue_get\",\"object\":\"" + Q + "\",\"position\":1,\"waiters\":1,\"size\":0},\"awaited_by\":[]}\n";
  ev.set();
  for (auto *t : {&a, &b, &d, &e, &f}) t->cancel();
  for (auto *t : {&a, &b, &d, &e, &f}) {
    try {
      co_await *t;
    } catch (const ac::CancelledError &) {
    }
  }
  co_await c;
}

TEST(Dump, ShowsEveryTaskAndWhatItAwaits) {
  std::string text, json, want_text, want_json;
  ac_loop_stats st{};
  ac::Loop loop(AC_LOOP_VIRTUAL_CLOCK);
  auto main = loop.create_task(scenario(&text, &json, &want_text, &want_json, &st), "main");
  loop.run_until_complete(main.future());
  EXPECT_EQ(text, want_text);
  EXPECT_EQ(json, want_json);
  EXPECT_EQ(st.tasks_alive, 7u);
  EXPECT_EQ(st.tasks_created, 7u);
  EXPECT_EQ(st.timers, 1u);  // E's sleep
  EXPECT_EQ(loop.dump(), "");
  EXPECT_EQ(loop.stats().tasks_alive, 0u);
  loop.close();
  EXPECT_THROW(loop.dump(), ac::Error);
  EXPECT_THROW(loop.stats(), ac::Error);
}

}  // namespace
