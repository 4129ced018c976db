// asyncore/gather.hpp — typed gather over ac_gather (asyncio.gather).
//
//   auto [a, b] = co_await gather(fetch_int(), fetch_text());   // tuple<int, string>
//   std::vector<int> v = co_await gather(std::move(tasks));      // vector<Task<int>>
//   auto [x, y] = co_await gather_settled(f(), g());              // tuple<Outcome<..>, ..>
//
// gather() spawns every Task at once, left to right (asyncio.gather wraps
// coroutines in tasks when it is called), and returns a Task that awaits
// one C gather of them and gives their results in argument order; a void
// task gives std::monostate. Already spawned TaskHandles may be mixed in.
// The rules are ac_gather's: the first failure (in completion order) is
// rethrown at once while the other tasks go on; cancelling the awaiting
// task cancels every task still running. gather_settled() is
// return_exceptions=True: it never throws for a child, each Outcome holds
// a value or an exception.
#pragma once

#include <asyncore.h>

#include <exception>
#include <optional>
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

// A child's outcome in gather_settled: a value or an exception.
template <class T>
class Outcome {
 public:
  using value_type = gather_result_t<T>;
  explicit Outcome(value_type v) : value_(std::move(v)) {}
  explicit Outcome(std::exception_ptr e) noexcept : error_(std::move(e)) {}
  bool ok() const noexcept { return !error_; }
  const std::exception_ptr &error() const noexcept { return error_; }
  // The value, or the exception rethrown.
  value_type &get() {
    if (error_) std::rethrow_exception(error_);
    return *value_;
  }

 private:
  std::optional<value_type> value_;
  std::exception_ptr error_;
};

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
struct handle_value;
template <class T>
struct handle_value<TaskHandle<T>> {
  using type = T;
};
template <class H>
using handle_value_t = typename handle_value<H>::type;

// The result of a done task, void as monostate.
template <class T>
gather_result_t<T> gathered(const TaskHandle<T> &h) {
  if constexpr (std::is_void_v<T>) {
    h.result();
    return {};
  } else {
    return h.result();
  }
}
template <class T>
Outcome<T> settled(const TaskHandle<T> &h) {
  try {
    return Outcome<T>(gathered(h));
  } catch (...) {
    return Outcome<T>(std::current_exception());
  }
}

// Awaits one ac_gather of `futures` (borrowed; the caller keeps them).
inline Task<> await_gather(std::vector<ac_future *> futures, uint32_t flags) {
  ac_future *g = nullptr;
  check(ac_gather(get_running_loop(), futures.data(), futures.size(), flags, &g));
  Future all = Future::adopt(g);
  co_await all;
}

// (The handles travel as one tuple: GCC 12 cannot copy a parameter pack
// into a coroutine frame.)
template <bool Settled, class... Hs>
auto gather_tuple(std::tuple<Hs...> handles)
    -> Task<std::conditional_t<Settled, std::tuple<Outcome<handle_value_t<Hs>>...>,
                               std::tuple<gather_result_t<handle_value_t<Hs>>...>>> {
  co_await await_gather(
      std::apply([](auto &...h) { return std::vector<ac_future *>{ac_task_future(h.get())...}; }, handles),
      Settled ? AC_GATHER_RETURN_EXCEPTIONS : AC_GATHER_DEFAULT);
  if constexpr (Settled) {
    co_return std::apply(
        [](auto &...h) { return std::tuple<Outcome<handle_value_t<Hs>>...>{settled(h)...}; }, handles);
  } else {
    co_return std::apply(
        [](auto &...h) { return std::tuple<gather_result_t<handle_value_t<Hs>>...>{gathered(h)...}; },
        handles);
  }
}

template <class T>
Task<std::vector<gather_result_t<T>>> gather_vector(std::vector<TaskHandle<T>> handles) {
  std::vector<ac_future *> futures;
  futures.reserve(handles.size());
  for (auto &h : handles) futures.push_back(ac_task_future(h.get()));
  co_await await_gather(std::move(futures), AC_GATHER_DEFAULT);
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
  return detail::gather_tuple<false>(std::tuple<decltype(detail::as_handle(std::forward<As>(aws)))...>{
      detail::as_handle(std::forward<As>(aws))...});
}

// gather_settled(...) -> Task<tuple<Outcome<A>, Outcome<B>, ...>>.
template <class... As>
auto gather_settled(As &&...aws) {
  return detail::gather_tuple<true>(std::tuple<decltype(detail::as_handle(std::forward<As>(aws)))...>{
      detail::as_handle(std::forward<As>(aws))...});
}

// gather(vector<Task<T>>) -> Task<vector<T>> (void: vector<monostate>).
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
