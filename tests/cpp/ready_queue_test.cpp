#include "core/ready_queue.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

struct Probe final : ac::Runnable {
  int id;
  std::vector<int> *log;
  Probe(int i, std::vector<int> *l) : id(i), log(l) {}
  void run() noexcept override { log->push_back(id); }
  void drop() noexcept override { log->push_back(-id); }
};

TEST(ReadyQueue, FifoAcrossGrowthAndWrapAround) {
  ac::ReadyQueue q;
  std::vector<int> log;
  std::vector<Probe> probes;
  probes.reserve(2000);
  for (int i = 0; i < 2000; ++i) probes.emplace_back(i, &log);
  // Interleave pushes and pops so head wraps before the queue grows.
  int next_push = 0;
  for (int round = 0; round < 10; ++round) {
    for (int k = 0; k < 200; ++k) q.push(&probes[next_push++]);
    for (int k = 0; k < 150; ++k) q.pop()->run();
  }
  while (!q.empty()) q.pop()->run();
  ASSERT_EQ(log.size(), 2000u);
  for (int i = 0; i < 2000; ++i) EXPECT_EQ(log[i], i);
}

TEST(ReadyQueue, RemoveKeepsOrderOfTheRest) {
  ac::ReadyQueue q;
  std::vector<int> log;
  Probe a(1, &log), b(2, &log), c(3, &log);
  q.push(&a);
  q.push(&b);
  q.push(&c);
  q.push(&b);
  q.remove(&b);
  EXPECT_EQ(q.size(), 2u);
  q.pop()->run();
  q.pop()->run();
  EXPECT_EQ(log, (std::vector<int>{1, 3}));
}

}  // namespace

namespace {

// Probes with ids first, first + 1, ... (n of them), logging to `log`.
std::vector<Probe> make_probes(int n, std::vector<int> *log, int first = 1) {
  std::vector<Probe> probes;
  probes.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) probes.emplace_back(first + i, log);
  return probes;
}

// Pushes probes[0..n) and gives each one's ticket.
std::vector<uint64_t> push_all(ac::ReadyQueue &q, std::vector<Probe> &probes, size_t n) {
  std::vector<uint64_t> ticket;
  for (size_t i = 0; i < n; ++i) {
    ticket.push_back(q.next_ticket());
    q.push(&probes[i]);
  }
  return ticket;
}

// remove_at: O(1) by ticket, a tombstone left in the slot; the batch
// loses a removed entry of its own and keeps its count of the others.
TEST(ReadyQueue, RemoveAtByTicketInsideAndOutsideTheBatch) {
  ac::ReadyQueue q;
  std::vector<int> log;
  std::vector<Probe> probes = make_probes(8, &log);
  std::vector<uint64_t> ticket = push_all(q, probes, 5);
  q.begin_batch(q.size());  // 1..5
  q.pop_batch()->run();     // 1
  q.remove_at(ticket[2], &probes[2]);  // 3, inside the batch
  EXPECT_EQ(q.batch_left(), 3u);
  EXPECT_EQ(q.size(), 3u);
  ticket.push_back(q.next_ticket());
  q.push(&probes[5]);                  // 6, after the batch
  q.remove_at(ticket[5], &probes[5]);  // outside the batch: its count stays
  EXPECT_EQ(q.batch_left(), 3u);
  EXPECT_EQ(q.size(), 3u);
  while (q.batch_left() > 0) q.pop_batch()->run();
  q.end_batch();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(log, (std::vector<int>{1, 2, 4, 5}));
}

// Only tombstones left: the queue is empty and pushes go on from there;
// tickets stay right across growth and wrap-around.
TEST(ReadyQueue, TombstonesAcrossGrowthAndWrapAround) {
  ac::ReadyQueue q;
  std::vector<int> log;
  std::vector<Probe> probes = make_probes(3000, &log, 0);
  std::vector<uint64_t> ticket(3000);
  std::vector<int> expect;
  int next = 0;
  for (int round = 0; round < 10; ++round) {
    int first = next;
    for (int k = 0; k < 300; ++k, ++next) {
      ticket[next] = q.next_ticket();
      q.push(&probes[next]);
    }
    // Every third of this round's entries leaves, from the back.
    for (int k = 299; k >= 0; k -= 3) q.remove_at(ticket[first + k], &probes[first + k]);
    for (int k = 0; k < 200; ++k) q.pop()->run();
  }
  while (!q.empty()) q.pop()->run();
  for (int i = 0; i < 3000; ++i)
    if ((i % 300) % 3 != 2) expect.push_back(i);
  EXPECT_EQ(log, expect);
  // Everything removed: empty at once, and the next entry comes first.
  Probe x(9000, &log), y(9001, &log);
  uint64_t tx = q.next_ticket();
  q.push(&x);
  q.remove_at(tx, &x);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  q.push(&y);
  EXPECT_EQ(q.pop(), &y);
}

// A batch capped below the queue's length (the loop's budget) counts
// live entries, not the tombstones between them.
TEST(ReadyQueue, CappedBatchSkipsTombstones) {
  ac::ReadyQueue q;
  std::vector<int> log;
  std::vector<Probe> probes = make_probes(6, &log);
  std::vector<uint64_t> ticket = push_all(q, probes, probes.size());
  q.remove_at(ticket[0], &probes[0]);
  q.remove_at(ticket[2], &probes[2]);
  q.begin_batch(2);  // 2 and 4
  q.remove_at(ticket[4], &probes[4]);  // 5: outside the batch
  EXPECT_EQ(q.batch_left(), 2u);
  while (q.batch_left() > 0) q.pop_batch()->run();
  q.end_batch();
  EXPECT_EQ(log, (std::vector<int>{2, 4}));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.pop(), &probes[5]);
}

// A removal storm costs O(1) per entry: 200,000 entries, every other one
// removed by ticket (a walk per removal would be 10^10 steps).
TEST(ReadyQueue, RemovalStormByTicket) {
  ac::ReadyQueue q;
  std::vector<int> log;
  constexpr int kN = 200000;
  std::vector<Probe> probes = make_probes(kN, &log, 0);
  std::vector<uint64_t> ticket = push_all(q, probes, kN);
  q.begin_batch(q.size());
  for (int i = 1; i < kN; i += 2) q.remove_at(ticket[i], &probes[i]);
  EXPECT_EQ(q.batch_left(), static_cast<size_t>(kN / 2));
  while (q.batch_left() > 0) q.pop_batch()->run();
  q.end_batch();
  ASSERT_EQ(log.size(), static_cast<size_t>(kN / 2));
  for (int i = 0; i < kN / 2; ++i) ASSERT_EQ(log[i], 2 * i);
  EXPECT_TRUE(q.empty());
}

}  // namespace
