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
  ~Executor() { if (ex_ != nullptr) ac_executor_unref(ex_); }
  // flags: ac_executor_shutdown_flags.
  void shutdown(uint32_t flags = AC_EXECUTOR_DEFAULT) { check(ac_executor_shutdown(ex_, flags)); }
  ac_executor *get() const noexcept { return ex_; }

 private:
  ac_executor *ex_ = nullptr;
};

// A future any thread may complete, read or wait on
// (concurrent.futures.Future over ac_tsfuture). Copies share the future
// (atomic counting), so each thread can hold its own.
//   ThreadsafeFuture started;              // made on any thread
//   ... on a worker: started.set_result();
//   ... in a task:   co_await started;     // wraps it on the running loop
class ThreadsafeFuture {
 public:
  ThreadsafeFuture() { check(ac_tsfuture_new(&ts_)); }
  static ThreadsafeFuture adopt(ac_tsfuture *ts) noexcept { return ThreadsafeFuture(ts); }
  ThreadsafeFuture(const ThreadsafeFuture &o) noexcept : ts_(ac_tsfuture_ref(o.ts_)) {}
  ThreadsafeFuture(ThreadsafeFuture &&o) noexcept : ts_(std::exchange(o.ts_, nullptr)) {}
  ThreadsafeFuture &operator=(ThreadsafeFuture o) noexcept {
    std::swap(ts_, o.ts_);
    return *this;
  }
  ~ThreadsafeFuture() { if (ts_ != nullptr) ac_tsfuture_unref(ts_); }

  // Thread: any, for all of these.
  bool done() const noexcept { return ac_tsfuture_done(ts_) == 1; }
  bool cancelled() const noexcept { return ac_tsfuture_cancelled(ts_) == 1; }
  // Completing is const: copies are views of one shared future.
  void set_result() const { check(ac_tsfuture_set_result_none(ts_)); }
  template <class T>
  void set_result(T &&v) const {
    using U = std::decay_t<T>;
    ac_value c;
    detail::Codec<U>::encode(std::forward<T>(v), &c);
    int rc = ac_tsfuture_set_result(ts_, &c);
    if (rc < 0) {
      detail::Codec<U>::discard(&c);
      throw_code(rc);
    }
  }
  void set_exception(std::exception_ptr ep) const {
    ErrorRef e = ErrorRef::adopt(error_from_exception(ep));
    if (!e) throw std::bad_alloc();
    if (ac_error_code(e.get()) == AC_ECANCELLED) {
      ac_tsfuture_cancel(ts_, ac_error_message(e.get()));
      return;
    }
    check(ac_tsfuture_set_error(ts_, e.get()));
  }
  bool cancel(const char *message = nullptr) const { return check(ac_tsfuture_cancel(ts_, message)) == 1; }
  // Blocks this thread until done (true) or `timeout` seconds passed
  // (false); negative waits forever. Never from a loop that would complete it.
  bool wait(double timeout = -1) const {
    int rc = ac_tsfuture_wait(ts_, timeout);
    if (rc == AC_ETIMEDOUT) return false;
    check(rc);
    return true;
  }
  // The result of a done future, or its exception.
  template <class T = Value>
  T result() const {
    ac_value v;
    int rc = ac_tsfuture_result(ts_, &v);
    if (rc != 0) {
      ac_error *e = ac_tsfuture_error(ts_);
      if (e != nullptr) throw_error(e);
      throw_code(rc);
    }
    if constexpr (!std::is_void_v<T>) return detail::Codec<T>::decode(v);
  }

  // In a task: waits for it through the running loop (asyncio.wrap_future).
  template <class T>
  class Awaiter {
   public:
    Awaiter(ac_future *wrapped, int rc, ac_tsfuture *ts) noexcept : rc_(rc), inner_(wrapped), ts_(ts) {
      ac_future_unref(wrapped);
    }
    bool await_ready() const noexcept { return rc_ < 0 || inner_.await_ready(); }
    bool await_suspend(std::coroutine_handle<> h) noexcept { return inner_.await_suspend(h); }
    T await_resume() {
      if (rc_ < 0) throw_code(rc_);
      inner_.await_resume();  // throws the outcome's exception
      // The typed value is read from the thread-safe future itself (the
      // wrapping loop future only lends pointer results).
      ac_value v;
      check(ac_tsfuture_result(ts_, &v));
      if constexpr (!std::is_void_v<T>) return detail::Codec<T>::decode(v);
    }

   private:
    int rc_;
    detail::FutureAwaiter<void> inner_;
    ac_tsfuture *ts_;  // the ThreadsafeFuture outlives the co_await expression
  };
  Awaiter<Value> operator co_await() const { return as<Value>(); }
  template <class T>
  Awaiter<T> as() const {
    ac_future *f = nullptr;
    int rc = ac_tsfuture_wrap(ts_, get_running_loop(), &f);
    return Awaiter<T>(rc < 0 ? nullptr : f, rc, ts_);
  }
  ac_tsfuture *get() const noexcept { return ts_; }

 private:
  explicit ThreadsafeFuture(ac_tsfuture *ts) noexcept : ts_(ts) {}
  ac_tsfuture *ts_ = nullptr;
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
