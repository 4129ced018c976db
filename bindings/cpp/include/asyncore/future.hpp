// asyncore/future.hpp — futures, and how a coroutine awaits any C future.
//
// A leaf await (a future, a task handle, sleep, a primitive) goes through
// the C step protocol: it registers the future with ac_task_await and
// suspends the coroutine chain; when the future is done the loop steps the
// task again and the awaiter reads the outcome (ac_task_outcome): a value,
// or an exception (the future's error mapped by error.hpp, CancelledError
// when the task itself is being cancelled).
//
// As in asyncio, awaiting a future that is already done does not suspend.
#pragma once

#include <asyncore.h>

#include <coroutine>
#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include "error.hpp"
#include "loop.hpp"
#include "value.hpp"

namespace asyncore {
namespace detail {

// Suspends the running task on `fut`. 0 on success, else the error code to
// throw from await_resume (the coroutine then does not suspend).
inline int suspend_on(ac_future *fut, std::coroutine_handle<> h) noexcept {
  DriverState *d = tls_running.driver;
  if (d == nullptr || d->task == nullptr) return AC_ESTATE;
  int rc = ac_task_await(d->task, fut);
  if (rc != AC_STEP_AWAIT) return rc < 0 ? rc : AC_EINTERNAL;
  d->resume_point = h;
  d->suspended = DriverState::Suspend::await;
  return 0;
}

// Suspends the running task until the callbacks already ready have run.
inline int suspend_yield(std::coroutine_handle<> h) noexcept {
  DriverState *d = tls_running.driver;
  if (d == nullptr || d->task == nullptr) return AC_ESTATE;
  d->resume_point = h;
  d->suspended = DriverState::Suspend::yield;
  return 0;
}

// After a wake-up: throws when the await did not succeed.
inline void check_outcome() {
  DriverState *d = tls_running.driver;
  if (d == nullptr || d->task == nullptr) throw Error(AC_ESTATE, "resumed outside its task");
  int code = ac_task_outcome(d->task);
  if (code == 0) return;
  ac_future *awaited = ac_task_awaited(d->task);
  ac_error *e = awaited != nullptr ? ac_future_error(awaited) : nullptr;
  if (e != nullptr && ac_error_code(e) == code) throw_error(e);
  throw_code(code);
}

// The outcome of a done future as T (void: nothing), or its exception.
template <class T>
T read_result(ac_future *f) {
  ac_value v;
  int rc = ac_future_result(f, &v);
  if (rc != 0) {
    ac_error *e = ac_future_error(f);
    if (e != nullptr) throw_error(e);
    throw_code(rc);
  }
  if constexpr (!std::is_void_v<T>) return Codec<T>::decode(v);
}

// Awaits a C future and gives its result as T. Holds a reference to the
// future while it exists.
template <class T>
class FutureAwaiter {
 public:
  explicit FutureAwaiter(ac_future *f) noexcept : fut_(ac_future_ref(f)) {}
  FutureAwaiter(FutureAwaiter &&o) noexcept
      : fut_(std::exchange(o.fut_, nullptr)), rc_(o.rc_), suspended_(o.suspended_) {}
  FutureAwaiter(const FutureAwaiter &) = delete;
  FutureAwaiter &operator=(const FutureAwaiter &) = delete;
  ~FutureAwaiter() { ac_future_unref(fut_); }

  bool await_ready() const noexcept { return ac_future_done(fut_) == 1; }
  bool await_suspend(std::coroutine_handle<> h) noexcept {
    rc_ = suspend_on(fut_, h);
    suspended_ = rc_ == 0;
    return suspended_;
  }
  T await_resume() {
    if (rc_ < 0) throw_code(rc_);
    if (suspended_) {
      check_outcome();
      // Resumed with outcome 0: the future holds a result, and a void
      // await has nothing more to read.
      if constexpr (std::is_void_v<T>) return;
    }
    return read_result<T>(fut_);
  }

 private:
  ac_future *fut_;
  int rc_ = 0;
  bool suspended_ = false;
};

// sleep(seconds): a timer future, or a plain yield for 0.
class SleepAwaiter {
 public:
  explicit SleepAwaiter(double seconds) noexcept : seconds_(seconds) {}
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) noexcept {
    if (!(seconds_ >= 0)) {
      rc_ = AC_EINVAL;
    } else if (seconds_ == 0) {
      rc_ = suspend_yield(h);
    } else {
      ac_future *f = nullptr;
      rc_ = tls_running.loop != nullptr ? ac_sleep(tls_running.loop, seconds_, &f) : AC_ESTATE;
      if (rc_ == 0) {
        rc_ = suspend_on(f, h);
        ac_future_unref(f);  // the task holds its own reference while it waits
      }
    }
    suspended_ = rc_ == 0;
    return suspended_;
  }
  void await_resume() {
    if (rc_ < 0) throw_code(rc_);
    if (suspended_) check_outcome();
  }

 private:
  double seconds_;
  int rc_ = 0;
  bool suspended_ = false;
};

template <class F>
void future_callback_trampoline(ac_future *f, void *ud) noexcept;

}  // namespace detail

// Suspends the running task for `seconds` (asyncio.sleep); 0 lets the
// callbacks already ready run first. A cancellation point: throws
// CancelledError when the task is cancelled meanwhile.
[[nodiscard]] inline detail::SleepAwaiter sleep(double seconds) noexcept {
  return detail::SleepAwaiter(seconds);
}

// One reference to an ac_future. Move-only; share() takes another.
// `co_await future` gives its result as a Value; `co_await future.as<T>()`
// as a T.
class Future {
 public:
  Future() noexcept = default;
  // A new pending future on `loop` (default: the running loop).
  static Future create(ac_loop *loop = nullptr) {
    ac_future *f = nullptr;
    check(ac_future_new(loop != nullptr ? loop : get_running_loop(), &f));
    return adopt(f);
  }
  static Future adopt(ac_future *f) noexcept {
    Future x;
    x.f_ = f;
    return x;
  }
  static Future borrow(ac_future *f) noexcept { return adopt(ac_future_ref(f)); }
  Future(Future &&o) noexcept : f_(std::exchange(o.f_, nullptr)) {}
  Future &operator=(Future o) noexcept {
    std::swap(f_, o.f_);
    return *this;
  }
  ~Future() { ac_future_unref(f_); }
  Future share() const noexcept { return borrow(f_); }

  ac_future *get() const noexcept { return f_; }
  ac_future *release() noexcept { return std::exchange(f_, nullptr); }
  explicit operator bool() const noexcept { return f_ != nullptr; }

  bool done() const noexcept { return ac_future_done(f_) == 1; }
  bool cancelled() const noexcept { return ac_future_cancelled(f_) == 1; }
  ac_future_state state() const noexcept { return static_cast<ac_future_state>(ac_future_state_of(f_)); }

  void set_result() { check(ac_future_set_result_none(f_)); }
  template <class T>
  void set_result(T &&v) {
    using U = std::decay_t<T>;
    ac_value c;
    detail::Codec<U>::encode(std::forward<T>(v), &c);
    int rc = ac_future_set_result(f_, &c);
    if (rc < 0) {
      detail::Codec<U>::discard(&c);
      throw_code(rc);
    }
  }
  // Fails the future with the exception (a CancelledError cancels it).
  void set_exception(std::exception_ptr ep) {
    ErrorRef e = ErrorRef::adopt(error_from_exception(ep));
    if (!e) throw std::bad_alloc();
    if (ac_error_code(e.get()) == AC_ECANCELLED) {
      check(ac_future_done(f_) == 1 ? AC_ESTATE : ac_future_cancel(f_, ac_error_message(e.get())));
      return;
    }
    check(ac_future_set_error(f_, e.get()));
  }
  void set_error(int code, const char *message = nullptr) {
    check(ac_future_set_error_code(f_, code, message));
  }
  // True if cancelled now, false if already done.
  bool cancel(const char *message = nullptr) { return check(ac_future_cancel(f_, message)) == 1; }

  // The result of a done future (Error AC_ESTATE while pending), or its
  // exception.
  template <class T = Value>
  T result() const {
    return detail::read_result<T>(f_);
  }
  // The exception of a done future, or null when it holds a result.
  std::exception_ptr exception() const {
    if (!done()) throw Error(AC_ESTATE, "future is pending");
    ac_error *e = ac_future_error(f_);
    return e != nullptr ? exception_from_error(e) : nullptr;
  }

  // fn(Future &) runs through the loop once the future is done (never
  // inline). An exception it throws goes to the exception handler.
  template <class F>
  void add_done_callback(F &&fn) {
    using Fn = std::decay_t<F>;
    check(ac_future_add_done_callback(f_, &detail::future_callback_trampoline<Fn>,
                                      new Fn(std::forward<F>(fn)), &detail::delete_callable<Fn>));
  }

  detail::FutureAwaiter<Value> operator co_await() const noexcept {
    return detail::FutureAwaiter<Value>(f_);
  }
  template <class T>
  detail::FutureAwaiter<T> as() const noexcept {
    return detail::FutureAwaiter<T>(f_);
  }

 private:
  ac_future *f_ = nullptr;
};

namespace detail {
template <class F>
void future_callback_trampoline(ac_future *f, void *ud) noexcept {
  ac_loop *loop = ac_future_get_loop(f);
  RunningScope scope(nullptr, loop);
  try {
    Future view = Future::borrow(f);
    (*static_cast<F *>(ud))(view);
  } catch (...) {
    report_exception(loop, "exception in a done-callback", std::current_exception(), f);
  }
}
}  // namespace detail

}  // namespace asyncore
