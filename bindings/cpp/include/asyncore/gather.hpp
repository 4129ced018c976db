// asyncore/gather.hpp — typed gather (asyncio.gather).
//
//   auto [a, b] = co_await gather(fetch_int(), fetch_text());   // tuple<int, string>
//   std::vector<int> v = co_await gather(std::move(tasks));      // vector<Task<int>>
//
// gather() spawns every Task at once (as asyncio.gather wraps coroutines in
// tasks when it is called) and returns a Task that waits for all of them
// and gives their results in argument order; a void task gives
// std::monostate. The first failure, in completion order, is rethrown at
// once and the other tasks go on (asyncio's default); cancelling the
// awaiting task cancels every task still running.
#pragma once

#include <asyncore.h>

#include <exception>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "error.hpp"
#include "future.hpp"
#include "loop.hpp"
#include "task.hpp"

namespace asyncore {

template <class T>
using gather_result_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

namespace detail {

template <class T>
TaskHandle<T> as_handle(Task<T> &&t) {
  return create_task(std::move(t));
}
template <class T>
TaskHandle<T> as_handle(TaskHandle<T> &&t) noexcept {
  return std::move(t);
}

template <class T>
gather_result_t<T> gathered(const TaskHandle<T> &h) {
  if constexpr (std::is_void_v<T>) {
    h.result();
    return {};
  } else {
    return h.result();
  }
}

// Shared by the done-callbacks of the gathered futures and the waiter:
// `signal` completes when all are done or one failed. Reference counted
// (one per registration, one for the waiter) because a callback may still
// be queued after the waiter left.
struct GatherState {
  int refs = 1;
  size_t remaining = 0;
  ac_future *signal = nullptr;       // owned
  ac_future *first_failed = nullptr;  // owned; the first one that did not succeed

  static void unref(void *p) noexcept {
    auto *s = static_cast<GatherState *>(p);
    if (--s->refs == 0) {
      ac_future_unref(s->signal);
      ac_future_unref(s->first_failed);
      delete s;
    }
  }
  static void on_done(ac_future *f, void *p) noexcept {
    auto *s = static_cast<GatherState *>(p);
    if (ac_future_done(s->signal) == 1) return;
    if (ac_future_state_of(f) != AC_FUTURE_RESULT) {
      s->first_failed = ac_future_ref(f);
      ac_future_set_result_none(s->signal);
    } else if (--s->remaining == 0) {
      ac_future_set_result_none(s->signal);
    }
  }
};

// Waits for every future (borrowed; the caller keeps them alive) to succeed,
// or rethrows the first failure.
inline Task<> wait_all_or_first_failure(std::vector<ac_future *> futures) {
  struct StateRef {
    GatherState *s = new GatherState();
    ~StateRef() { GatherState::unref(s); }
  } ref;
  GatherState *s = ref.s;
  check(ac_future_new(get_running_loop(), &s->signal));
  for (ac_future *f : futures) {
    if (ac_future_done(f) != 1) {
      ++s->remaining;
    } else if (ac_future_state_of(f) != AC_FUTURE_RESULT && s->first_failed == nullptr) {
      s->first_failed = ac_future_ref(f);
    }
  }
  if (s->first_failed == nullptr && s->remaining > 0) {
    for (ac_future *f : futures) {
      if (ac_future_done(f) == 1) continue;
      ++s->refs;
      check(ac_future_add_done_callback(f, &GatherState::on_done, s, &GatherState::unref));
    }
    bool cancelled = false;
    try {
      co_await Future::borrow(s->signal);
    } catch (const CancelledError &) {
      cancelled = true;
    }
    if (cancelled) {
      for (ac_future *f : futures) ac_future_cancel(f, nullptr);
      throw CancelledError();
    }
  }
  if (s->first_failed != nullptr) read_result<void>(s->first_failed);
}

template <class T>
struct handle_value;
template <class T>
struct handle_value<TaskHandle<T>> {
  using type = T;
};

// (The handles travel as one tuple: GCC 12 cannot copy a parameter pack
// into a coroutine frame.)
template <class... Hs>
Task<std::tuple<gather_result_t<typename handle_value<Hs>::type>...>> gather_handles(
    std::tuple<Hs...> handles) {
  co_await wait_all_or_first_failure(
      std::apply([](auto &...h) { return std::vector<ac_future *>{ac_task_future(h.get())...}; }, handles));
  co_return std::apply(
      [](auto &...h) {
        return std::tuple<gather_result_t<typename handle_value<Hs>::type>...>{gathered(h)...};
      },
      handles);
}

template <class T>
Task<std::vector<gather_result_t<T>>> gather_vector(std::vector<TaskHandle<T>> handles) {
  std::vector<ac_future *> futures;
  futures.reserve(handles.size());
  for (auto &h : handles) futures.push_back(ac_task_future(h.get()));
  co_await wait_all_or_first_failure(std::move(futures));
  std::vector<gather_result_t<T>> out;
  out.reserve(handles.size());
  for (auto &h : handles) out.push_back(gathered(h));
  co_return out;
}

}  // namespace detail

// gather(Task<A>, TaskHandle<B>, ...) -> Task<tuple<A, B, ...>>.
template <class... As>
auto gather(As &&...aws) {
  // A braced list spawns left to right (function arguments would not).
  return detail::gather_handles(std::tuple<decltype(detail::as_handle(std::forward<As>(aws)))...>{
      detail::as_handle(std::forward<As>(aws))...});
}

// gather(vector<Task<T>>) -> Task<vector<T>>.
template <class T>
Task<std::vector<gather_result_t<T>>> gather(std::vector<Task<T>> tasks) {
  std::vector<TaskHandle<T>> handles;
  handles.reserve(tasks.size());
  for (auto &t : tasks) handles.push_back(create_task(std::move(t)));
  return detail::gather_vector(std::move(handles));
}
template <class T>
Task<std::vector<gather_result_t<T>>> gather(std::vector<TaskHandle<T>> handles) {
  return detail::gather_vector(std::move(handles));
}

}  // namespace asyncore
