// Watcher: the entries of futures watched together live in one block,
// freed once every entry it will hold has run, or once the watcher cut its
// watches and the entries already in the ready queue have run or were
// dropped. These tests follow the blocks' lives; the sanitizer and
// valgrind passes check that each is freed once. A watcher that allows
// direct watches watches a pending task nobody else waits for with no
// entry at all: the later tests follow those.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "core/future.hpp"
#include "core/task.hpp"
#include "core/watch.hpp"
#include "inspect/dump.hpp"

namespace {

struct Recorder final : ac::Watcher {
  std::vector<std::pair<ac_future *, size_t>> calls;
  void on_watched_done(ac_future *f, size_t index) noexcept override { calls.emplace_back(f, index); }
  ~Recorder() { unwatch_all(); }
};

struct LoopFixture : ::testing::Test {
  ac_loop *loop = nullptr;
  void SetUp() override {
    int rc = 0;
    loop = ac_loop::create(AC_LOOP_VIRTUAL_CLOCK, &rc);
    ASSERT_NE(loop, nullptr);
  }
  bool closed_by_test = false;
  void TearDown() override {
    if (!closed_by_test) {
      EXPECT_EQ(loop->close(), 0);
    }
    loop->refs.fetch_sub(1);
    loop->destroy();
  }
  ac_future *future() { return new ac_future(loop); }
  void resolve(ac_future *f) {
    ac_value none{};
    EXPECT_EQ(f->set_result(&none), 0);
  }
  // Runs what is ready now (the entries of futures just done).
  void run_ready() {
    int pending = 0;
    double next = 0;
    EXPECT_GE(loop->step(0, &pending, &next), 0);
  }
};

using Watch = LoopFixture;

TEST_F(Watch, ReservedBlockIsFreedWhenEveryEntryRan) {
  Recorder r;
  ac_future *f[3] = {future(), future(), future()};
  r.reserve_watches(3);
  for (size_t i = 0; i < 3; ++i) r.watch(f[i], 10 + i);
  EXPECT_EQ(r.blocks_held(), 1u);
  resolve(f[2]);
  resolve(f[0]);
  EXPECT_TRUE(r.calls.empty()) << "never inline: through the loop";
  run_ready();
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.calls[0], std::make_pair(f[2], size_t{12}));
  EXPECT_EQ(r.calls[1], std::make_pair(f[0], size_t{10}));
  EXPECT_EQ(r.blocks_held(), 1u);
  resolve(f[1]);
  run_ready();
  ASSERT_EQ(r.calls.size(), 3u);
  EXPECT_EQ(r.calls[2], std::make_pair(f[1], size_t{11}));
  EXPECT_EQ(r.blocks_held(), 0u) << "every entry ran: the block went";
  for (ac_future *x : f) {
    EXPECT_EQ(x->refs, 1);
    x->unref();
  }
}

TEST_F(Watch, BlockWithRoomLeftWaitsForTheCut) {
  Recorder r;
  ac_future *a = future(), *b = future();
  r.reserve_watches(4);  // two of them never made (children already done)
  r.watch(a, 0);
  r.watch(b, 3);
  resolve(a);
  resolve(b);
  run_ready();
  EXPECT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.blocks_held(), 1u);
  r.unwatch_all();
  EXPECT_EQ(r.blocks_held(), 0u);
  a->unref();
  b->unref();
}

TEST_F(Watch, CutWatchesLeaveScheduledEntriesToRunEmpty) {
  ac_future *a = future(), *b = future();
  {
    Recorder r;
    r.reserve_watches(2);
    r.watch(a, 0);
    r.watch(b, 1);
    resolve(a);  // its entry waits in the ready queue, holding `a`
    EXPECT_EQ(a->refs, 2);
    r.unwatch_all();  // b's entry leaves b's list; a's stays queued
    EXPECT_EQ(r.blocks_held(), 0u);
    EXPECT_FALSE(b->has_callbacks()) << "b's entry left its callback list";
  }  // the watcher is gone before the entry runs
  run_ready();  // runs a's entry: no call, a's reference given back
  EXPECT_EQ(a->refs, 1);
  resolve(b);  // nothing listens any more
  run_ready();
  EXPECT_EQ(b->refs, 1);
  a->unref();
  b->unref();
}

TEST_F(Watch, WatchesOneByOneDoNotAccumulate) {
  // A task group watches its tasks one at a time, for as long as it lives.
  Recorder r;
  for (size_t i = 0; i < 1000; ++i) {
    ac_future *f = future();
    r.watch(f, i);
    resolve(f);
    run_ready();
    f->unref();
    EXPECT_LE(r.blocks_held(), 1u);
  }
  EXPECT_EQ(r.calls.size(), 1000u);
  EXPECT_EQ(r.blocks_held(), 0u);
}

TEST_F(Watch, WatchOfADoneFutureRunsThroughTheLoop) {
  Recorder r;
  ac_future *f = future();
  resolve(f);
  r.reserve_watches(1);
  r.watch(f, 7);
  EXPECT_TRUE(r.calls.empty());
  run_ready();
  ASSERT_EQ(r.calls.size(), 1u);
  EXPECT_EQ(r.calls[0].second, 7u);
  EXPECT_EQ(r.blocks_held(), 0u);
  f->unref();
}

TEST_F(Watch, EntriesLeftInTheReadyQueueAreDroppedByClose) {
  ac_future *f = future();
  auto *r = new Recorder;
  r->reserve_watches(2);
  r->watch(f, 0);
  ac_future *g = future();
  r->watch(g, 1);
  resolve(f);  // queued, never run: the loop closes first
  delete r;    // cuts g's entry; f's is queued
  f->unref();
  g->unref();  // the queued entry still holds f; close drops it (TearDown)
}

// Watches directly where it can (as a gather does): holds a reference to
// each future it watches, in `targets`, and logs its calls in `log`.
struct DirectRecorder final : ac::Watcher {
  std::vector<ac_future *> targets;
  std::vector<std::pair<ac_future *, size_t>> calls;
  std::vector<int> *log = nullptr;
  int id = 0;
  DirectRecorder() { allow_direct_watches(&targets); }
  void on_watched_done(ac_future *f, size_t index) noexcept override {
    calls.emplace_back(f, index);
    if (log != nullptr) log->push_back(id);
  }
  void add(ac_future *f, size_t index) {
    f->ref();
    targets.push_back(f);
    watch(f, index);
  }
  ~DirectRecorder() {
    unwatch_all();
    for (ac_future *f : targets) f->unref();
  }
};

struct LoggingRecorder final : ac::Watcher {
  std::vector<int> *log;
  int id;
  LoggingRecorder(std::vector<int> *l, int i) : log(l), id(i) {}
  void on_watched_done(ac_future *, size_t) noexcept override { log->push_back(id); }
  ~LoggingRecorder() { unwatch_all(); }
};

int step_done(ac_task *, void *) { return AC_STEP_DONE; }

struct DirectFixture : LoopFixture {
  // Runs the first n callbacks ready (the tasks' steps, then what their
  // ends queued).
  void run_first(uint32_t n) {
    uint32_t saved = loop->ready_budget;
    loop->ready_budget = n;
    int pending = 0;
    double next = 0;
    EXPECT_EQ(loop->step(0, &pending, &next), static_cast<int>(n));
    loop->ready_budget = saved;
  }
  // A pending task, not scheduled yet; the caller holds a reference.
  ac_task *task() {
    ac_task *t = ac::task_new(loop, step_done, nullptr, nullptr, 0);
    t->ref();
    return t;
  }
};

using DirectWatch = DirectFixture;

TEST_F(DirectWatch, PendingTasksAreWatchedWithoutABlock) {
  DirectRecorder r;
  ac_task *t1 = task(), *t2 = task();
  r.reserve_watches(2);
  r.add(t1, 0);
  r.add(t2, 1);
  EXPECT_EQ(r.blocks_held(), 0u);
  EXPECT_EQ(t1->direct_watcher(), static_cast<ac::Watcher *>(&r));
  EXPECT_EQ(t1->sole_callback(), nullptr);
  t2->schedule_step();
  t1->schedule_step();
  run_first(2);  // both finish; each goes to the ready queue to tell r
  EXPECT_TRUE(t1->done() && t2->done());
  EXPECT_TRUE(r.calls.empty()) << "never inline: through the loop";
  EXPECT_EQ(ac::describe_runnable(t2), "<Handle done-callback>");
  EXPECT_EQ(t1->refs, 3);  // ours, r's, the ready queue's
  run_ready();
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.calls[0].first, t2);  // in the order they finished
  EXPECT_EQ(r.calls[1].first, t1);
  EXPECT_FALSE(t1->has_callbacks());
  EXPECT_EQ(t1->refs, 2);
  t1->unref();
  t2->unref();
}

TEST_F(DirectWatch, ASecondCallbackTurnsItIntoAnEntryInItsPlace) {
  std::vector<int> log;
  DirectRecorder r;
  r.log = &log;
  r.id = 1;
  LoggingRecorder other(&log, 2);
  ac_task *t = task();
  r.add(t, 0);
  EXPECT_EQ(r.blocks_held(), 0u);
  other.watch(t, 0);  // a second callback: r's watch becomes an entry, first
  EXPECT_EQ(r.blocks_held(), 1u);
  EXPECT_EQ(t->direct_watcher(), nullptr);
  ac_task *u = task();
  r.add(u, 1);  // a task of its own: direct again
  EXPECT_EQ(u->direct_watcher(), static_cast<ac::Watcher *>(&r));
  t->schedule_step();
  u->schedule_step();
  run_ready();
  run_ready();
  EXPECT_EQ(log, (std::vector<int>{1, 2, 1}));
  EXPECT_EQ(r.blocks_held(), 0u);
  t->unref();
  u->unref();
}

TEST_F(DirectWatch, OnlyAPendingTaskNobodyWaitsForIsWatchedDirectly) {
  DirectRecorder r;
  ac_future *f = future();  // not a task
  r.add(f, 0);
  EXPECT_EQ(r.blocks_held(), 1u);
  Recorder first;
  ac_task *t = task();
  first.watch(t, 0);  // somebody waits for t already
  r.add(t, 1);
  EXPECT_EQ(r.blocks_held(), 2u);
  EXPECT_EQ(t->direct_watcher(), nullptr);
  resolve(f);
  t->schedule_step();
  run_ready();
  run_ready();
  EXPECT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(first.calls.size(), 1u);
  f->unref();
  t->unref();
}

TEST_F(DirectWatch, ACutWhileTheNoticeIsQueuedTellsNobody) {
  ac_task *t = task(), *u = task();
  {
    DirectRecorder r;
    r.add(t, 0);
    r.add(u, 1);
    t->schedule_step();
    run_first(1);  // t done, its notice queued; u still pending
    EXPECT_EQ(t->refs, 3);
  }  // the cut: t's notice finds nobody, u is no longer watched
  EXPECT_FALSE(u->has_callbacks());
  run_ready();
  EXPECT_EQ(t->refs, 1);  // the queue's reference given back
  u->schedule_step();
  run_ready();
  EXPECT_EQ(ac::describe_runnable(u), "<Handle done-callback>") << "nothing queued it";
  t->unref();
  u->unref();
}

TEST_F(DirectWatch, TheLoopsCloseDropsAQueuedNotice) {
  auto *r = new DirectRecorder;
  ac_task *t = task();
  r->add(t, 0);
  t->schedule_step();
  run_first(1);  // the notice is queued when the loop closes
  t->unref();
  closed_by_test = true;
  EXPECT_EQ(loop->close(), 0);  // drops it: the queue's reference goes
  EXPECT_TRUE(r->calls.empty());
  EXPECT_EQ(t->refs, 1);  // r's
  delete r;               // the cut finds the watch let go
}

}  // namespace
