// asyncore/gather.hpp — typed gather over ac_gather (asyncio.gather).
//
//   auto [a, b] = co_await gather(fetch_int(), fetch_text());   // tuple<int, string>
//   std::vector<int> v = co_await gather(std::move(tasks));      // vector<Task<T>>
//   auto [x, y] = co_await gather_settled(f(), g());              // tuple<Outcome<..>, ..>
//
// gather() spawns every Task at once, left to right, and makes the gather
// future at once, as asyncio.gather does: it returns a GatherFuture, which
// can be awaited (the results in argument order; a void task gives
// std::monostate), asked done() / cancelled(), or cancelled. Already
// spawned TaskHandles may be mixed in (an lvalue handle is shared, so the
// same task may be passed twice). The rules are ac_gather's (asyncio 3.13):
// the first failure (in completion order) is rethrown at once while the
// other tasks go on; a child cancelled on its own makes the gather raise
// CancelledError without the gather being cancelled; cancel() cancels
// every child still running (once per argument) and the gather then
// raises CancelledError; a gather of children already done is done when
// made, and one of no children too. gather_settled() is
// return_exceptions=True: it never throws for a child, each Outcome holds a
// value or an exception.
#pragma once

#include <asyncore.h>

#include <exception>
#include <memory>
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

// An owned handle for an argument: a Task is spawned, an rvalue handle is
// taken over, an lvalue handle is shared.
template <class T>
TaskHandle<T> as_handle(Task<T> &&t) {
  return create_task(std::move(t));
}
template <class T>
TaskHandle<T> as_handle(TaskHandle<T> &&t) noexcept {
  return std::move(t);
}
template <class T>
TaskHandle<T> as_handle(const TaskHandle<T> &t) noexcept {
  return t.share();
}
template <class T>
TaskHandle<T> as_handle(TaskHandle<T> &t) noexcept {
  return t.share();
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
// The same for child `i` of the done gather `g`: a result is read through
// the gather in one call; an exception through the child.
template <class T>
gather_result_t<T> gathered_at(ac_future *g, size_t i, const TaskHandle<T> &h) {
  ac_value v;
  if (ac_gather_result_at(g, i, &v) == 0) {
    if constexpr (std::is_void_v<T>) {
      return {};
    } else {
      return Codec<T>::decode(v);
    }
  }
  return gathered(h);
}
template <class T>
Outcome<T> settled_at(ac_future *g, size_t i, const TaskHandle<T> &h) {
  try {
    return Outcome<T>(gathered_at(g, i, h));
  } catch (...) {
    return Outcome<T>(std::current_exception());
  }
}

// The C gather of `futures` (borrowed; the caller keeps them).
inline Future make_gather(const std::vector<ac_future *> &futures, uint32_t flags) {
  ac_future *g = nullptr;
  check(ac_gather(get_running_loop(), futures.data(), futures.size(), flags, &g));
  return Future::adopt(g);
}

// What a GatherFuture shares: the C gather and how to read the results.
template <class R>
struct GatherState {
  Future gather;
  virtual ~GatherState() = default;
  virtual R collect() = 0;
};

template <class R, bool Settled, class... Hs>
struct TupleGather final : GatherState<R> {
  std::tuple<Hs...> handles;
  explicit TupleGather(std::tuple<Hs...> h) : handles(std::move(h)) {
    std::vector<ac_future *> fs =
        std::apply([](auto &...x) { return std::vector<ac_future *>{x.c_future()...}; }, handles);
    this->gather = make_gather(fs, Settled ? AC_GATHER_RETURN_EXCEPTIONS : AC_GATHER_DEFAULT);
  }
  R collect() override {
    if constexpr (Settled) {
      return std::apply([](auto &...h) { return R{settled(h)...}; }, handles);
    } else {
      return std::apply([](auto &...h) { return R{gathered(h)...}; }, handles);
    }
  }
};

template <class T, bool Settled>
struct VectorGather final : GatherState<std::vector<std::conditional_t<Settled, Outcome<T>, gather_result_t<T>>>> {
  using R = std::vector<std::conditional_t<Settled, Outcome<T>, gather_result_t<T>>>;
  std::vector<TaskHandle<T>> handles;
  explicit VectorGather(std::vector<TaskHandle<T>> h) : handles(std::move(h)) {
    // The handles are the tasks' addresses, which are their futures'
    // (asyncore/task.h, ac_task_future): the array goes to the C call as it
    // is.
    static_assert(sizeof(TaskHandle<T>) == sizeof(ac_future *) && std::is_standard_layout_v<TaskHandle<T>>);
    ac_future *g = nullptr;
    check(ac_gather(get_running_loop(), reinterpret_cast<ac_future *const *>(handles.data()),
                    handles.size(), Settled ? AC_GATHER_RETURN_EXCEPTIONS : AC_GATHER_DEFAULT, &g));
    this->gather = Future::adopt(g);
  }
  R collect() override {
    using V = typename R::value_type;
    ac_future *g = this->gather.get();
    size_t n = handles.size();
    if constexpr (!Settled && std::is_trivially_default_constructible_v<V> && std::is_trivially_copyable_v<V>) {
      // Plain values (integers ...): the vector made at its size, each
      // written in place.
      R out(n);
      const TaskHandle<T> *hs = handles.data();  // not read again after each call
      for (size_t i = 0; i < n; ++i) out[i] = gathered_at(g, i, hs[i]);
      return out;
    } else {
      R out;
      out.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        if constexpr (Settled) {
          out.push_back(settled_at(g, i, handles[i]));
        } else {
          out.push_back(gathered_at(g, i, handles[i]));
        }
      }
      return out;
    }
  }
};

}  // namespace detail

// The future asyncio.gather returns, typed: awaiting it gives the results
// (R: a tuple or a vector). Copies share the one gather.
template <class R>
class GatherFuture {
 public:
  using value_type = R;
  explicit GatherFuture(std::shared_ptr<detail::GatherState<R>> st) noexcept : st_(std::move(st)) {}
  GatherFuture share() const noexcept { return *this; }

  bool done() const noexcept { return st_->gather.done(); }
  bool cancelled() const noexcept { return st_->gather.cancelled(); }
  // Cancels the children still running (true), or false once the gather
  // is done (asyncio's gather.cancel()).
  bool cancel(const char *message = nullptr) { return st_->gather.cancel(message); }
  // The results of a done gather, or its exception.
  R result() const {
    st_->gather.template result<void>();
    return st_->collect();
  }
  std::exception_ptr exception() const { return st_->gather.exception(); }
  ac_future *c_future() const noexcept { return st_->gather.get(); }

  class Awaiter {
   public:
    explicit Awaiter(std::shared_ptr<detail::GatherState<R>> st) noexcept
        : st_(std::move(st)), inner_(st_->gather.get()) {}
    bool await_ready() const noexcept { return inner_.await_ready(); }
    bool await_suspend(std::coroutine_handle<> h) { return inner_.await_suspend(h); }
    R await_resume() {
      inner_.await_resume();  // the first failure, or the cancellation
      return st_->collect();
    }

   private:
    std::shared_ptr<detail::GatherState<R>> st_;
    detail::FutureAwaiter<void> inner_;
  };
  Awaiter operator co_await() const noexcept { return Awaiter(st_); }

 private:
  std::shared_ptr<detail::GatherState<R>> st_;
};

namespace detail {
template <bool Settled, class... Hs>
auto gather_tuple(std::tuple<Hs...> handles) {
  using R = std::conditional_t<Settled, std::tuple<Outcome<handle_value_t<Hs>>...>,
                               std::tuple<gather_result_t<handle_value_t<Hs>>...>>;
  return GatherFuture<R>(std::make_shared<TupleGather<R, Settled, Hs...>>(std::move(handles)));
}
}  // namespace detail

// gather(Task<A>, TaskHandle<B>, ...) -> GatherFuture<tuple<A, B, ...>>.
template <class... As>
auto gather(As &&...aws) {
  // A braced list spawns left to right (function arguments would not).
  return detail::gather_tuple<false>(std::tuple<decltype(detail::as_handle(std::forward<As>(aws)))...>{
      detail::as_handle(std::forward<As>(aws))...});
}

// gather_settled(...) -> GatherFuture<tuple<Outcome<A>, Outcome<B>, ...>>.
template <class... As>
auto gather_settled(As &&...aws) {
  return detail::gather_tuple<true>(std::tuple<decltype(detail::as_handle(std::forward<As>(aws)))...>{
      detail::as_handle(std::forward<As>(aws))...});
}

// gather(vector<Task<T>>) -> GatherFuture<vector<T>> (void: monostate).
template <class T>
GatherFuture<std::vector<gather_result_t<T>>> gather(std::vector<Task<T>> tasks) {
  std::vector<TaskHandle<T>> handles;
  handles.reserve(tasks.size());
  for (auto &t : tasks) handles.push_back(create_task(std::move(t)));
  return GatherFuture<std::vector<gather_result_t<T>>>(
      std::make_shared<detail::VectorGather<T, false>>(std::move(handles)));
}
template <class T>
GatherFuture<std::vector<gather_result_t<T>>> gather(std::vector<TaskHandle<T>> handles) {
  return GatherFuture<std::vector<gather_result_t<T>>>(
      std::make_shared<detail::VectorGather<T, false>>(std::move(handles)));
}
template <class T>
GatherFuture<std::vector<Outcome<T>>> gather_settled(std::vector<TaskHandle<T>> handles) {
  return GatherFuture<std::vector<Outcome<T>>>(std::make_shared<detail::VectorGather<T, true>>(std::move(handles)));
}

}  // namespace asyncore
