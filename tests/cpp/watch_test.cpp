// Watcher: the entries of futures watched together live in one block,
// freed once every entry it will hold has run, or once the watcher cut its
// watches and the entries already in the ready queue have run or were
// dropped. These tests follow the blocks' lives; the sanitizer and
// valgrind passes check that each is freed once.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "core/future.hpp"
#include "core/watch.hpp"

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
  void TearDown() override {
    EXPECT_EQ(loop->close(), 0);
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

}  // namespace
