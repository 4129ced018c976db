// placed_list.hpp — a list kept in insertion order whose entries leave in
// O(1) however long it grows: the registrations of a future's done
// callbacks (future.cpp) and of a thread-safe future's (tsfuture.cpp).
//
// A short list is a vector, walked to find what leaves, as asyncio's list
// is. Once it holds kIndexFrom entries it also keeps where each entry sits,
// by key: a removal leaves a hole in place (the entries after it do not
// move, so the places stay true), and the holes are squeezed out once they
// are half the list. n registrations of one future dropped one by one, in
// any order, thus cost O(n), not O(n^2).
//
// An entry whose key is already indexed (the same waiter twice, one user
// data under two functions) is indexed at its first place only;
// `unindexed_` counts the others, which a removal finds by a walk (only
// while there are any).
//
// Traits: `using Key`; `static Key key(const T &)`; `static bool
// is_hole(const T &)`; `static void make_hole(T &)`. Readers of items()
// skip the holes.
#pragma once

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <vector>

namespace ac {

template <class T, class Traits>
class PlacedList {
 public:
  using Key = typename Traits::Key;
  static constexpr size_t kIndexFrom = 32;

  PlacedList() = default;
  PlacedList(const PlacedList &) = delete;
  PlacedList &operator=(const PlacedList &) = delete;

  // In insertion order, holes included.
  const std::vector<T> &items() const noexcept { return items_; }
  void reserve(size_t n) { items_.reserve(n); }

  // Throws std::bad_alloc (the list is unchanged then).
  void push(const T &v) {
    items_.push_back(v);
    if (index_) {
      try {
        if (!index_->emplace(Traits::key(v), items_.size() - 1).second) ++unindexed_;
      } catch (...) {
        items_.pop_back();
        throw;
      }
    } else if (items_.size() >= kIndexFrom) {
      build_index();
    }
  }

  // Takes out the first entry under `key` that `match` accepts, copied to
  // *out when out is not null; false when there is none.
  template <class Match>
  bool remove_first(const Key &key, Match match, T *out = nullptr) noexcept {
    if (!index_) {
      for (auto it = items_.begin(); it != items_.end(); ++it) {
        if (Traits::key(*it) == key && match(*it)) {
          if (out != nullptr) *out = *it;
          items_.erase(it);
          return true;
        }
      }
      return false;
    }
    size_t at = items_.size();
    if (auto it = index_->find(key); it != index_->end() && match(items_[it->second])) {
      at = it->second;
      index_->erase(it);
    } else if (unindexed_ != 0) {
      // Either the indexed entry does not match or the key left the index
      // with its first entry: look among the others.
      for (size_t i = 0; i < items_.size(); ++i) {
        const T &v = items_[i];
        if (!Traits::is_hole(v) && Traits::key(v) == key && match(v) &&
            (it == index_->end() || it->second != i)) {
          at = i;
          --unindexed_;
          break;
        }
      }
    }
    if (at == items_.size()) return false;
    if (out != nullptr) *out = items_[at];
    Traits::make_hole(items_[at]);
    if (++holes_ > items_.size() / 2) squeeze();
    return true;
  }

  // Keeps the live entries `keep` accepts, in order, with no holes.
  template <class Keep>
  void filter(Keep keep) noexcept {
    size_t kept = 0;
    for (T &v : items_)
      if (!Traits::is_hole(v) && keep(v)) items_[kept++] = v;
    items_.resize(kept);
    holes_ = 0;
    if (index_) reindex();
  }

  // Hands the entries (holes included) over to `to` and empties the list.
  void take_all(std::vector<T> &to) noexcept {
    to.swap(items_);
    items_.clear();
    holes_ = 0;
    index_.reset();
    unindexed_ = 0;
  }

 private:
  void squeeze() noexcept {
    filter([](const T &) { return true; });
  }
  // Out of memory while indexing: the list goes on unindexed (walked).
  void build_index() noexcept {
    try {
      index_ = std::make_unique<std::unordered_map<Key, size_t>>();
    } catch (...) {
      return;
    }
    reindex();
  }
  void reindex() noexcept {
    try {
      index_->clear();
      index_->reserve(items_.size());
      unindexed_ = 0;
      for (size_t i = 0; i < items_.size(); ++i)
        if (!index_->emplace(Traits::key(items_[i]), i).second) ++unindexed_;
    } catch (...) {
      // Unindexed again: with no holes (filter squeezed them out), the
      // walk in remove_first is the right one.
      index_.reset();
      unindexed_ = 0;
    }
  }

  std::vector<T> items_;
  size_t holes_ = 0;
  std::unique_ptr<std::unordered_map<Key, size_t>> index_;
  size_t unindexed_ = 0;
};

}  // namespace ac
