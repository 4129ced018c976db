#include "core/timer_heap.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace {

struct Node final : ac::TimerNode {
  int id = 0;
  void fire() noexcept override {}
  void drop_timer() noexcept override {}
};

TEST(TimerHeap, PopsByDeadlineThenSequence) {
  ac::TimerHeap h;
  std::vector<Node> nodes(6);
  double whens[] = {3, 1, 2, 1, 1, 0.5};
  for (int i = 0; i < 6; ++i) {
    nodes[i].id = i;
    nodes[i].when = whens[i];
    nodes[i].seq = static_cast<uint64_t>(i);
    h.push(&nodes[i]);
  }
  std::vector<int> order;
  while (!h.empty()) order.push_back(static_cast<Node *>(h.pop())->id);
  EXPECT_EQ(order, (std::vector<int>{5, 1, 3, 4, 2, 0}));
}

TEST(TimerHeap, RandomRemovalsKeepHeapOrder) {
  std::mt19937 rng(12345);
  std::uniform_real_distribution<double> when(0, 100);
  ac::TimerHeap h;
  std::vector<Node> nodes(500);
  for (size_t i = 0; i < nodes.size(); ++i) {
    nodes[i].id = static_cast<int>(i);
    nodes[i].when = when(rng);
    nodes[i].seq = i;
    h.push(&nodes[i]);
  }
  for (size_t i = 0; i < nodes.size(); i += 3) {
    h.remove(&nodes[i]);
    EXPECT_EQ(nodes[i].heap_index(), ac::TimerNode::npos);
  }
  h.remove(&nodes[0]);  // removing twice is harmless
  double last = -1;
  size_t count = 0;
  while (!h.empty()) {
    auto *n = static_cast<Node *>(h.pop());
    EXPECT_NE(n->id % 3, 0);
    EXPECT_GE(n->when, last);
    last = n->when;
    ++count;
  }
  EXPECT_EQ(count, 333u);
}

}  // namespace
