// Internals of loop + task that the C ABI does not show directly: the
// loop's reference accounting and the task list.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/context.hpp"
#include "core/error.hpp"
#include "core/future.hpp"
#include "core/sleep.hpp"
#include "core/task.hpp"

namespace {

int step_yield_twice(ac_task *, void *state) {
  int *n = static_cast<int *>(state);
  return ++*n < 3 ? AC_STEP_YIELD : AC_STEP_DONE;
}

TEST(TaskInternals, LoopHoldsPendingTasksAndReleasesThemWhenDone) {
  int rc = 0;
  ac_loop *loop = ac_loop::create(AC_LOOP_VIRTUAL_CLOCK, &rc);
  ASSERT_NE(loop, nullptr);
  int n = 0;
  ac_task *t = ac::task_new(loop, step_yield_twice, &n, nullptr, 0);
  t->ref();  // ours
  t->schedule_step();
  EXPECT_EQ(loop->task_count, 1u);
  EXPECT_EQ(t->refs, 2);
  EXPECT_EQ(loop->run_until_complete(t), 0);
  EXPECT_EQ(n, 3);
  EXPECT_EQ(loop->task_count, 0u);
  EXPECT_EQ(t->refs, 1);  // the loop's own reference is gone
  t->unref();
  EXPECT_EQ(loop->close(), 0);
  EXPECT_EQ(loop->refs.load(), 1);  // only the creator's share is left
  loop->refs.fetch_sub(1);
  loop->destroy();
}

TEST(TaskInternals, SleepFutureHoldsTheHeapReferenceUntilFired) {
  int rc = 0;
  ac_loop *loop = ac_loop::create(AC_LOOP_VIRTUAL_CLOCK, &rc);
  ASSERT_NE(loop, nullptr);
  ac_future *f = ac::sleep_new(loop, 2.0);
  EXPECT_EQ(f->refs, 2);
  EXPECT_EQ(loop->timers.size(), 1u);
  EXPECT_EQ(loop->run_until_complete(f), 0);
  EXPECT_EQ(f->refs, 1);
  EXPECT_EQ(loop->timers.size(), 0u);
  EXPECT_DOUBLE_EQ(loop->now(), 2.0);
  f->unref();
  EXPECT_EQ(loop->close(), 0);
  loop->refs.fetch_sub(1);
  loop->destroy();
}

// A host's state is not a field of the task (which is 160 bytes): its
// address is the first word after the task, and only a task with one has
// that word.
struct HostState {
  int steps = 0;
  int frees = 0;
  void *seen[3] = {};
};

int step_records_state(ac_task *t, void *state) {
  auto *h = static_cast<HostState *>(state);
  h->seen[h->steps] = t->step_state();
  return ++h->steps < 3 ? AC_STEP_YIELD : AC_STEP_DONE;
}

void free_host_state(void *state) { ++static_cast<HostState *>(state)->frees; }

void *g_null_seen = reinterpret_cast<void *>(1);
int step_sees_null(ac_task *t, void *state) {
  g_null_seen = state;
  EXPECT_EQ(t->step_state(), nullptr);
  return AC_STEP_DONE;
}

// A future's callback list is one word: empty, the one entry, or a vector
// of them all once a second comes. Order and removal hold across the
// three forms.
std::string g_order;
void record_cb(ac_future *, void *ud) { g_order += *static_cast<const char *>(ud); }
void add_cb(ac_future *f, const char *ud) {
  auto *cb = new ac::FutureCallback(record_cb, const_cast<char *>(ud), nullptr, nullptr);
  cb->context = ac::context_ref(*f->loop->current_context);
  f->add_callback(cb);
}
int remove_cb(ac_future *f, const char *ud) { return f->remove_user_callbacks(record_cb, const_cast<char *>(ud)); }

TEST(TaskInternals, TheCallbackListIsOneWordInEachOfItsForms) {
  static_assert(sizeof(ac_future) <= 72, "a future is 72 bytes");
  int rc = 0;
  ac_loop *loop = ac_loop::create(AC_LOOP_VIRTUAL_CLOCK, &rc);
  ASSERT_NE(loop, nullptr);
  static const char a = 'a', b = 'b', c = 'c', d = 'd';
  ac_value none;
  ac::value_init(&none);
  auto *f = new ac_future(loop);
  EXPECT_FALSE(f->has_callbacks());
  add_cb(f, &a);
  ASSERT_NE(f->sole_callback(), nullptr);  // the entry itself
  EXPECT_EQ(f->sole_callback()->kind, ac::Runnable::kFutureCallback);
  add_cb(f, &b);
  EXPECT_EQ(f->sole_callback(), nullptr);  // a vector now
  add_cb(f, &c);
  EXPECT_EQ(remove_cb(f, &a), 1);
  add_cb(f, &d);
  EXPECT_EQ(remove_cb(f, &c), 1);
  EXPECT_TRUE(f->has_callbacks());
  g_order.clear();
  ASSERT_EQ(f->set_result(&none), 0);
  EXPECT_FALSE(f->has_callbacks());
  EXPECT_EQ(loop->run_until_complete(f), 0);
  EXPECT_EQ(g_order, "bd");

  // The sole entry removed leaves the list empty; a vector emptied by
  // removals stays until the end and schedules nothing.
  auto *g = new ac_future(loop);
  add_cb(g, &a);
  EXPECT_EQ(remove_cb(g, &a), 1);
  EXPECT_FALSE(g->has_callbacks());
  add_cb(g, &a);
  add_cb(g, &b);
  EXPECT_EQ(remove_cb(g, &a), 1);
  EXPECT_EQ(remove_cb(g, &b), 1);
  EXPECT_TRUE(g->has_callbacks());
  g_order.clear();
  ASSERT_EQ(g->set_result(&none), 0);
  EXPECT_EQ(loop->run_until_complete(g), 0);
  EXPECT_EQ(g_order, "");

  // Left registered when the future goes: released with it (nothing
  // leaks under ASan or valgrind), in both forms.
  auto *h1 = new ac_future(loop);
  auto *h2 = new ac_future(loop);
  add_cb(h1, &a);
  add_cb(h2, &a);
  add_cb(h2, &b);
  h1->unref();
  h2->unref();
  f->unref();
  g->unref();
  EXPECT_EQ(g_order, "");
  EXPECT_EQ(loop->close(), 0);
  loop->refs.fetch_sub(1);
  loop->destroy();
}

// A long list (32 entries or more) keeps where each entry sits: a removal
// leaves a hole, squeezed out once holes are half the list. Order holds
// through removals by entry, removals by function, squeezes and later
// additions; an entry registered twice leaves once per removal.
std::vector<int> g_ran;
void record_index_cb(ac_future *, void *ud) { g_ran.push_back(static_cast<int>(reinterpret_cast<intptr_t>(ud))); }
ac::FutureCallback *add_index_cb(ac_future *f, int i) {
  auto *cb = new ac::FutureCallback(record_index_cb, reinterpret_cast<void *>(static_cast<intptr_t>(i)), nullptr,
                                    nullptr);
  cb->context = ac::context_ref(*f->loop->current_context);
  f->add_callback(cb);
  return cb;
}

TEST(TaskInternals, ALongCallbackListRemovesInPlaceAndKeepsOrder) {
  int rc = 0;
  ac_loop *loop = ac_loop::create(AC_LOOP_VIRTUAL_CLOCK, &rc);
  ASSERT_NE(loop, nullptr);
  auto *f = new ac_future(loop);
  constexpr int kN = 300;
  std::vector<ac::FutureCallback *> cbs;
  for (int i = 0; i < kN; ++i) cbs.push_back(add_index_cb(f, i));
  // The entry at 7 registered again, after them all.
  f->add_callback(cbs[7]);
  std::vector<bool> kept(kN, true);
  // Every other entry of the first two thirds, in a scrambled order (the
  // squeeze runs on the way).
  for (int k = 0; k < kN; ++k) {
    int i = (k * 97) % kN;
    if (i % 2 == 1 && i < 200 && i != 7) {
      EXPECT_TRUE(f->remove_callback(cbs[i]));
      EXPECT_FALSE(f->remove_callback(cbs[i]));  // gone: nothing more to take
      delete cbs[i];
      kept[i] = false;
    }
  }
  // Both registrations of 7 leave, then no third.
  EXPECT_TRUE(f->remove_callback(cbs[7]));
  EXPECT_TRUE(f->remove_callback(cbs[7]));
  EXPECT_FALSE(f->remove_callback(cbs[7]));
  delete cbs[7];
  kept[7] = false;
  // By function and data, as ac_future_remove_done_callback does.
  EXPECT_EQ(f->remove_user_callbacks(record_index_cb, reinterpret_cast<void *>(static_cast<intptr_t>(250))), 1);
  kept[250] = false;
  // After the squeezes the places are still true.
  for (int i = kN; i < kN + 40; ++i) cbs.push_back(add_index_cb(f, i));
  kept.resize(kN + 40, true);
  EXPECT_TRUE(f->remove_callback(cbs[kN + 5]));
  delete cbs[kN + 5];
  kept[kN + 5] = false;
  EXPECT_TRUE(f->remove_callback(cbs[298]));
  delete cbs[298];
  kept[298] = false;

  std::vector<int> want;
  for (int i = 0; i < kN + 40; ++i)
    if (kept[i]) want.push_back(i);
  g_ran.clear();
  ac_value none;
  ac::value_init(&none);
  ASSERT_EQ(f->set_result(&none), 0);
  EXPECT_EQ(loop->run_until_complete(f), 0);
  EXPECT_EQ(g_ran, want);
  f->unref();
  EXPECT_EQ(loop->close(), 0);
  loop->refs.fetch_sub(1);
  loop->destroy();
}

TEST(TaskInternals, AHostsStateIsTheWordAfterTheTaskUntilReleased) {
  static_assert(sizeof(ac_task) <= 160, "a task is 160 bytes (docs/performance.md)");
  int rc = 0;
  ac_loop *loop = ac_loop::create(AC_LOOP_VIRTUAL_CLOCK, &rc);
  ASSERT_NE(loop, nullptr);
  HostState h;
  ac_task *t = ac::task_new(loop, step_records_state, &h, free_host_state, 0);
  t->ref();
  EXPECT_EQ(t->step_state(), &h);
  t->schedule_step();
  EXPECT_EQ(loop->run_until_complete(t), 0);
  EXPECT_EQ(h.steps, 3);
  for (void *p : h.seen) EXPECT_EQ(p, &h);
  EXPECT_EQ(h.frees, 1);                  // once, with the host's address
  EXPECT_EQ(t->step_state(), nullptr);    // released with the outcome
  t->unref();

  // No state: no word after the task, and the step gets null.
  ac_task *u = ac::task_new(loop, step_sees_null, nullptr, nullptr, 0);
  u->ref();
  u->schedule_step();
  EXPECT_EQ(loop->run_until_complete(u), 0);
  EXPECT_EQ(g_null_seen, nullptr);
  u->unref();

  // An inline state is the block after the task, and stays there.
  ac_task *v = ac::task_new(loop, step_yield_twice, nullptr, nullptr, sizeof(int));
  v->ref();
  void *inline_state = v->step_state();
  EXPECT_EQ(static_cast<char *>(inline_state) - reinterpret_cast<char *>(v), 160);
  v->schedule_step();
  EXPECT_EQ(loop->run_until_complete(v), 0);
  EXPECT_EQ(*static_cast<int *>(inline_state), 3);
  EXPECT_EQ(v->step_state(), inline_state);
  v->unref();
  EXPECT_EQ(loop->close(), 0);
  loop->refs.fetch_sub(1);
  loop->destroy();
}

// The error behind a failed outcome is held only while the step resuming
// with it runs.
struct Resumed {
  ac_future *awaited;
  ac_error *seen_error = nullptr;
  int seen_code = 0;
  int steps = 0;
};

int step_awaits_failure(ac_task *t, void *state) {
  auto *r = static_cast<Resumed *>(state);
  if (r->steps++ == 0) return t->await(r->awaited);
  r->seen_error = t->resume_error();
  r->seen_code = t->resume_code();
  return AC_STEP_DONE;
}

TEST(TaskInternals, TheErrorBehindAnOutcomeLivesWhileItsStepRuns) {
  int rc = 0;
  ac_loop *loop = ac_loop::create(AC_LOOP_VIRTUAL_CLOCK, &rc);
  ASSERT_NE(loop, nullptr);
  auto *f = new ac_future(loop);
  Resumed r{f};
  ac_task *t = ac::task_new(loop, step_awaits_failure, &r, nullptr, 0);
  t->ref();
  t->schedule_step();
  loop->step(0, nullptr, nullptr);  // the first step: it awaits f
  ac_error *e = ac::error_new(AC_ECONNRESET, "reset by peer");
  EXPECT_EQ(f->set_error(e), 0);
  EXPECT_EQ(loop->run_until_complete(t), 0);
  EXPECT_EQ(r.steps, 2);  // the await, then the resume
  EXPECT_EQ(r.seen_error, e);
  EXPECT_EQ(r.seen_code, AC_ECONNRESET);
  EXPECT_EQ(t->resume_error(), nullptr);  // released when the step ended
  EXPECT_EQ(e->refs.load(), 2);           // ours and the future's
  ac::error_unref(e);
  f->unref();
  t->unref();
  EXPECT_EQ(loop->close(), 0);
  loop->refs.fetch_sub(1);
  loop->destroy();
}

}  // namespace
