// timer_heap.hpp — a binary min-heap of TimerNode by (when, seq).
// Nodes know their index, so cancelling one is O(log n).
#pragma once

#include <vector>

#include "core/runnable.hpp"

namespace ac {

class TimerHeap {
 public:
  bool empty() const noexcept { return nodes_.empty(); }
  size_t size() const noexcept { return nodes_.size(); }
  TimerNode *top() const noexcept { return nodes_.front(); }

  // Throws std::bad_alloc.
  void push(TimerNode *n) {
    nodes_.push_back(n);
    sift_up(nodes_.size() - 1);
  }
  TimerNode *pop() noexcept {
    TimerNode *n = nodes_.front();
    remove(n);
    return n;
  }
  void remove(TimerNode *n) noexcept {
    size_t i = n->heap_index();
    if (i == TimerNode::npos) return;
    TimerNode *last = nodes_.back();
    nodes_.pop_back();
    n->set_heap_index(TimerNode::npos);
    if (i < nodes_.size()) {
      nodes_[i] = last;
      last->set_heap_index(i);
      sift_down(i);
      sift_up(last->heap_index());
    }
  }

 private:
  static bool less(const TimerNode *a, const TimerNode *b) noexcept {
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
  }
  void place(size_t i, TimerNode *n) noexcept {
    nodes_[i] = n;
    n->set_heap_index(i);
  }
  void sift_up(size_t i) noexcept {
    TimerNode *n = nodes_[i];
    while (i > 0) {
      size_t parent = (i - 1) / 2;
      if (!less(n, nodes_[parent])) break;
      place(i, nodes_[parent]);
      i = parent;
    }
    place(i, n);
  }
  void sift_down(size_t i) noexcept {
    TimerNode *n = nodes_[i];
    size_t count = nodes_.size();
    for (;;) {
      size_t child = 2 * i + 1;
      if (child >= count) break;
      if (child + 1 < count && less(nodes_[child + 1], nodes_[child])) ++child;
      if (!less(nodes_[child], n)) break;
      place(i, nodes_[child]);
      i = child;
    }
    place(i, n);
  }

  std::vector<TimerNode *> nodes_;
};

}  // namespace ac
