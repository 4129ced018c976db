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
