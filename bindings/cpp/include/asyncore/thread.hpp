// asyncore/thread.hpp — blocking work on worker threads (asyncio.to_thread),
// over ac_to_thread.
//
//   std::string r = co_await ac::to_thread([] { return blocking_call(2); });
//
// The callable runs on a worker (libuv's pool, or an Executor's threads)
// while the loop goes on; the awaiting task resumes with its return value,
// or with the exception it threw (rethrown as the original object). The
// callable and its result are kept in a block shared by the task and the
// worker, so nothing is copied through the C value and nothing dangles when
// the awaiting task is cancelled: cancelling before the work started keeps
// it from running; once started, it runs to the end and its result is
// dropped, as asyncio's.
#pragma once

#include <asyncore.h>

#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "error.hpp"
#include "future.hpp"
#include "gather.hpp"
#include "loop.hpp"
#include "task.hpp"

namespace asyncore {

// A dedicated pool of worker threads (ac_executor). Move-only.
class Executor {
 public:
  explicit Executor(uint32_t threads) { check(ac_executor_new(threads, &ex_)); }
  Executor(Executor &&o) noexcept : ex_(std::exchange(o.ex_, nullptr)) {}
  Executor &operator=(Executor o) noexcept {
    std::swap(ex_, o.ex_);
    return *this;
  }
  // Dropping the last reference shuts the pool down without waiting.
  ~Executor() { ac_executor_unref(ex_); }
  // flags: ac_executor_shutdown_flags.
  void shutdown(uint32_t flags = AC_EXECUTOR_DEFAULT) { check(ac_executor_shutdown(ex_, flags)); }
  ac_executor *get() const noexcept { return ex_; }

 private:
  ac_executor *ex_ = nullptr;
};

namespace detail {

template <class F>
struct ThreadWork {
  using R = std::invoke_result_t<F &>;
  F fn;
  std::optional<gather_result_t<R>> result;  // written by the worker
  std::exception_ptr error;                   // likewise

  static int run(void *ud, ac_value *) noexcept {
    auto &self = **static_cast<std::shared_ptr<ThreadWork> *>(ud);
    try {
      if constexpr (std::is_void_v<R>) {
        self.fn();
        self.result.emplace();
      } else {
        self.result.emplace(self.fn());
      }
      return 0;
    } catch (...) {
      self.error = std::current_exception();
      return AC_EHOST;
    }
  }
  static void release(void *ud) noexcept { delete static_cast<std::shared_ptr<ThreadWork> *>(ud); }
};

template <class F>
Task<std::invoke_result_t<F &>> to_thread_on(ac_executor *ex, F fn) {
  using W = ThreadWork<F>;
  using R = typename W::R;
  auto work = std::make_shared<W>(W{std::move(fn), std::nullopt, nullptr});
  ac_future *f = nullptr;
  check(ac_to_thread(get_running_loop(), &W::run, new std::shared_ptr<W>(work), &W::release, ex, &f));
  Future done = Future::adopt(f);
  try {
    co_await done;
  } catch (const Error &e) {
    // The worker's own exception travels beside the C error.
    if (e.code() != AC_EHOST || !work->error) throw;
  }
  if (work->error) std::rethrow_exception(work->error);
  if constexpr (!std::is_void_v<R>) co_return std::move(*work->result);
}

}  // namespace detail

// Runs fn() on libuv's worker pool (asyncio.to_thread); a Task of its
// result. The callable must not touch the loop, except through the calls
// marked "Thread: any".
template <class F>
Task<std::invoke_result_t<std::decay_t<F> &>> to_thread(F &&fn) {
  return detail::to_thread_on(nullptr, std::decay_t<F>(std::forward<F>(fn)));
}
// The same on an Executor's threads (loop.run_in_executor).
template <class F>
Task<std::invoke_result_t<std::decay_t<F> &>> to_thread(const Executor &ex, F &&fn) {
  return detail::to_thread_on(ex.get(), std::decay_t<F>(std::forward<F>(fn)));
}

}  // namespace asyncore
