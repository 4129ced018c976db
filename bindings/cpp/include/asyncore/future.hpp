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

#include <cmath>
#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "error.hpp"
#include "loop.hpp"
#include "value.hpp"

namespace asyncore {
namespace detail {

// A call's failure: its code and the reason it gave (ac_last_error_message
// read right after it), kept until an awaiter throws it. Every awaiter has
// one and nearly all stay empty, so the text is a block of its own, made
// only on failure: an empty Failure is made, moved and destroyed as two
// words.
struct Failure {
  int rc = 0;
  std::unique_ptr<std::string> message;  // set when rc < 0
  Failure() noexcept = default;
  Failure(int code, std::string text) : rc(code) {
    if (code < 0) message = std::make_unique<std::string>(std::move(text));
  }
  static Failure of(int rc) {
    if (rc >= 0) return Failure();
    const char *m = ac_last_error_message(rc);
    return Failure(rc, m != nullptr ? m : "");
  }
  static Failure with(int rc, const char *message) { return Failure(rc, message); }
  explicit operator bool() const noexcept { return rc < 0; }
  [[noreturn]] void raise() const { throw_as(rc, ErrorRef(), message ? *message : std::string()); }
};

// A live task's future is the task itself, converted (asyncore/task.h,
// ac_task_future): no C call. Null for null.
inline ac_future *task_future(ac_task *t) noexcept { return reinterpret_cast<ac_future *>(t); }

// Why an await was refused, out of line: `d` null (not in a task's
// step), or the C call's `rc`.
AC_CPP_COLD inline void refuse(DriverState *d, ac_future *fut, int rc, Failure &failure) {
  if (d == nullptr) {
    failure = Failure::with(AC_EMISUSE, "awaited outside a task");
  } else if (rc == AC_EMISUSE && fut == task_future(d->task)) {
    // asyncio: RuntimeError("Task cannot await on itself: <Task ...>").
    const char *name = ac_task_name(d->task);
    failure = Failure{AC_EMISUSE, std::string("Task cannot await on itself: <Task pending name='") +
                                      (name != nullptr ? name : "") + "'>"};
  } else {
    failure = rc < 0 ? Failure::of(rc) : Failure::with(AC_EINTERNAL, "unexpected await result");
  }
}

// The one C call of an await: suspends the running task on `fut` (true),
// or not. UnlessDone: ac_task_await_pending, which goes on without
// suspending when `fut` is done (false, nothing taken); else ac_task_await,
// which always suspends (resumed at once for a done future). False with
// `failure` set when the await is refused (the coroutine then does not
// suspend and throws it); the refusals are told apart out of line.
template <bool UnlessDone>
inline bool suspend_via(ac_future *fut, std::coroutine_handle<> h, Failure &failure) {
  DriverState *d = tls_running.driver;
  if (d == nullptr) [[unlikely]] {
    refuse(d, fut, 0, failure);
    return false;
  }
  int rc = UnlessDone ? ac_task_await_pending(d->task, fut) : ac_task_await(d->task, fut);
  if (rc == AC_STEP_AWAIT) [[likely]] {
    d->resume_point = h;
    d->suspended = DriverState::Suspend::await;
    return true;
  }
  if (!UnlessDone || rc != 0) [[unlikely]] refuse(d, fut, rc, failure);
  return false;
}

// ac_task_await: the task takes a reference of its own.
inline bool suspend_on(ac_future *fut, std::coroutine_handle<> h, Failure &failure) {
  return suspend_via<false>(fut, h, failure);
}

// ac_task_await_pending: suspended, the task holds the caller's reference
// to `fut` (valid until the step that resumes from it returns); not
// suspended, `fut` is done (the caller keeps its reference) or the await
// was refused.
inline bool suspend_unless_done(ac_future *fut, std::coroutine_handle<> h, Failure &failure) {
  return suspend_via<true>(fut, h, failure);
}

// Suspends the running task until the callbacks already ready have run:
// true, or false with `failure` set outside a task.
inline bool suspend_yield(std::coroutine_handle<> h, Failure &failure) {
  DriverState *d = tls_running.driver;
  if (d == nullptr) [[unlikely]] {
    refuse(d, nullptr, 0, failure);
    return false;
  }
  d->resume_point = h;
  d->suspended = DriverState::Suspend::yield;
  return true;
}

// check_outcome's throws, out of line.
[[noreturn]] AC_CPP_COLD inline void raise_outcome(DriverState *d, int code) {
  if (d == nullptr) throw RuntimeError(AC_EINTERNAL, "resumed outside its task");
  // The error delivered: the awaited future's, or the cancellation (with
  // its message) of a task cancelled while ready.
  ac_error *e = ac_task_outcome_error(d->task);
  if (e != nullptr && ac_error_code(e) == code) throw_error(e);
  throw_as(code, ErrorRef(), {});
}

// After a wake-up: throws when the await did not succeed — the awaited
// future's own error, or the task's cancellation delivered here.
inline void check_outcome() {
  DriverState *d = tls_running.driver;
  if (d == nullptr) [[unlikely]] raise_outcome(d, AC_EINTERNAL);
  int code = ac_task_outcome(d->task);  // AC_EINVAL for a null task
  if (code != 0) [[unlikely]] raise_outcome(d, code);
}

// The outcome of a done future as T (void: nothing), or its exception;
// InvalidStateError while it is pending (asyncio's "Result is not set.").
template <class T>
T read_done_result(ac_future *f);
template <class T>
T read_result(ac_future *f) {
  if (ac_future_done(f) != 1) throw InvalidStateError("Result is not set.");
  return read_done_result<T>(f);
}
// The same for a future known to be done.
template <class T>
T read_done_result(ac_future *f) {
  if constexpr (is_int_like<T>) {
    int64_t x;
    if (ac_future_result_int64(f, &x) == 0) return static_cast<T>(x);
    // Not an int64 result: the general path says why.
  }
  ac_value v;
  int rc = ac_future_result(f, &v);
  if (rc != 0) {
    ac_error *e = ac_future_error(f);
    if (e != nullptr) throw_error(e);
    throw_as(rc, ErrorRef(), {});
  }
  if constexpr (!std::is_void_v<T>) return Codec<T>::decode(v);
}

// The exception of a done future (null when it holds a result); a
// cancelled one raises its CancelledError, a pending one
// InvalidStateError (asyncio's Future.exception()).
inline std::exception_ptr read_exception(ac_future *f) {
  if (ac_future_done(f) != 1) throw InvalidStateError("Exception is not set.");
  ac_error *e = ac_future_error(f);
  if (e == nullptr) return nullptr;
  if (ac_future_cancelled(f) == 1) throw_error(e);
  return exception_from_error(e);
}

// The end of an await of `f`: the refusal thrown, or the outcome the task
// resumed with, or the result of `f` as T.
template <class T>
T end_await(const Failure &failure, bool suspended, ac_future *f) {
  if (failure) failure.raise();
  if (suspended) {
    check_outcome();
    // Resumed with outcome 0: the future holds a result, and a void
    // await has nothing more to read.
    if constexpr (std::is_void_v<T>) return;
  }
  // Done: await_ready saw it done, or the task resumed from it.
  return read_done_result<T>(f);
}

// Awaits a C future and gives its result as T. Holds a reference to the
// future while it exists. A failure given at construction (the call that
// made the future failed) is thrown when awaited.
template <class T>
class FutureAwaiter {
 public:
  // Takes a reference of its own, or (Adopt) the caller's.
  struct Adopt {};
  explicit FutureAwaiter(ac_future *f) noexcept : fut_(ac_future_ref(f)) {}
  FutureAwaiter(ac_future *f, Adopt) noexcept : fut_(f) {}
  explicit FutureAwaiter(Failure failure) noexcept : fut_(nullptr), failure_(std::move(failure)) {}
  FutureAwaiter(FutureAwaiter &&o) noexcept
      : fut_(std::exchange(o.fut_, nullptr)), failure_(std::move(o.failure_)), suspended_(o.suspended_) {}
  FutureAwaiter(const FutureAwaiter &) = delete;
  FutureAwaiter &operator=(const FutureAwaiter &) = delete;
  ~FutureAwaiter() {
    // Suspended on it, the task took the reference over.
    if (fut_ != nullptr && !suspended_) ac_future_unref(fut_);
  }

  bool await_ready() const noexcept { return failure_ || ac_future_done(fut_) == 1; }
  bool await_suspend(std::coroutine_handle<> h) {
    suspended_ = suspend_unless_done(fut_, h, failure_);
    return suspended_;
  }
  T await_resume() { return end_await<T>(failure_, suspended_, fut_); }
  // The future: until the awaiter goes, or (suspended) until the step that
  // resumed from it returns.
  ac_future *get() const noexcept { return fut_; }

 private:
  ac_future *fut_;
  Failure failure_;
  bool suspended_ = false;
};

// An awaiter of the future a call hands out (`rc` the call's return):
// the call's failure, if any, is thrown when awaited.
template <class T>
FutureAwaiter<T> await_made(int rc, ac_future *f) {
  if (rc < 0) return FutureAwaiter<T>(Failure::of(rc));
  return FutureAwaiter<T>(f, typename FutureAwaiter<T>::Adopt{});  // the call's reference
}

// An operation that hands out a future (`call(&f)`, e.g. a lock's
// acquire), started when first awaited — as an asyncio coroutine, which
// does nothing until awaited — then awaited like the future: no suspension
// when it is done at once; the call's failure is thrown. The result is
// `make(future)` after success when a Make is given, else the future's as
// T.
struct NoMake {};
template <class T, class Call, class Make = NoMake>
class OpAwaiter {
 public:
  explicit OpAwaiter(Call call, Make make = {}) : call_(std::move(call)), make_(std::move(make)) {}
  bool await_ready() {
    start();
    return inner_->await_ready();
  }
  bool await_suspend(std::coroutine_handle<> h) { return inner_->await_suspend(h); }
  decltype(auto) await_resume() {
    start();
    if constexpr (std::is_same_v<Make, NoMake>) {
      return inner_->await_resume();
    } else {
      inner_->await_resume();
      return make_(inner_->get());
    }
  }

 private:
  void start() {
    if (inner_) return;
    ac_future *f = nullptr;
    int rc = call_(&f);
    // Made in place, holding the call's reference.
    if (rc < 0)
      inner_.emplace(Failure::of(rc));
    else
      inner_.emplace(f, typename FutureAwaiter<T>::Adopt{});
  }
  Call call_;
  Make make_;
  std::optional<FutureAwaiter<T>> inner_;
};

template <class T, class Call>
OpAwaiter<T, Call> op_awaiter(Call call) {
  return OpAwaiter<T, Call>(std::move(call));
}
template <class T, class Call, class Make>
OpAwaiter<T, Call, Make> op_awaiter(Call call, Make make) {
  return OpAwaiter<T, Call, Make>(std::move(call), std::move(make));
}

// sleep(seconds): the task's own timer (ac_task_sleep, no future), or a
// plain yield for 0 or less.
class SleepAwaiter {
 public:
  explicit SleepAwaiter(double seconds) noexcept : seconds_(seconds) {}
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    if (std::isnan(seconds_)) {
      failure_ = Failure::with(AC_EINVAL, "sleep length must not be NaN");
    } else if (seconds_ <= 0) {
      return suspended_ = suspend_yield(h, failure_);  // asyncio: sleep(0) or less yields once
    } else if (tls_running.loop == nullptr) {
      failure_ = Failure::with(AC_EMISUSE, "no running event loop");
    } else {
      failure_ = suspend_sleeping(h);
    }
    suspended_ = !failure_;
    return suspended_;
  }
  void await_resume() {
    if (failure_) failure_.raise();
    if (suspended_) check_outcome();
  }

 private:
  Failure suspend_sleeping(std::coroutine_handle<> h) {
    DriverState *d = tls_running.driver;
    if (d == nullptr) return Failure::with(AC_EMISUSE, "awaited outside a task");
    int rc = ac_task_sleep(d->task, seconds_);
    if (rc != AC_STEP_AWAIT)
      return rc < 0 ? Failure::of(rc) : Failure::with(AC_EINTERNAL, "unexpected sleep result");
    d->resume_point = h;
    d->suspended = DriverState::Suspend::await;
    return {};
  }

  double seconds_;
  Failure failure_;
  bool suspended_ = false;
};

template <class F>
void future_callback_trampoline(ac_future *f, void *ud) noexcept;
void function_callback_trampoline(ac_future *f, void *ud) noexcept;

}  // namespace detail

// Suspends the running task for `seconds` (asyncio.sleep); 0 or less lets
// the callbacks already ready run first. A cancellation point: throws
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
  ~Future() { if (f_ != nullptr) ac_future_unref(f_); }
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
  // Fails the future with the exception (a CancelledError cancels it);
  // InvalidStateError when it is done already.
  void set_exception(std::exception_ptr ep) {
    ErrorRef e = ErrorRef::adopt(error_from_exception(ep));
    if (!e) throw std::bad_alloc();
    if (ac_error_code(e.get()) == AC_ECANCELLED) {
      if (ac_future_done(f_) == 1) throw InvalidStateError("invalid state");
      check(ac_future_cancel(f_, ac_error_message(e.get())));
      return;
    }
    check(ac_future_set_error(f_, e.get()));
  }
  void set_error(int code, const char *message = nullptr) {
    check(ac_future_set_error_code(f_, code, message));
  }
  // True if cancelled now, false if already done. Without a message the
  // CancelledError's message is empty (asyncio).
  bool cancel(const char *message = nullptr) { return check(ac_future_cancel(f_, message)) == 1; }

  // The result of a done future, or its exception (CancelledError when
  // cancelled); InvalidStateError while pending ("Result is not set.").
  template <class T = Value>
  T result() const {
    return detail::read_result<T>(f_);
  }
  // The exception of a done future, or null when it holds a result;
  // CancelledError is raised for a cancelled one, InvalidStateError while
  // pending ("Exception is not set."), as asyncio's exception().
  std::exception_ptr exception() const { return detail::read_exception(f_); }

  // fn(Future &) runs through the loop once the future is done (never
  // inline), in the context current now. An exception it throws goes to
  // the exception handler.
  template <class F>
  void add_done_callback(F &&fn) {
    using Fn = std::decay_t<F>;
    check(ac_future_add_done_callback(f_, &detail::future_callback_trampoline<Fn>,
                                      new Fn(std::forward<F>(fn)), &detail::delete_callable<Fn>));
  }
  // A plain function can be removed again by its address.
  using Callback = void (*)(Future &);
  void add_done_callback(Callback fn) {
    check(ac_future_add_done_callback(f_, &detail::function_callback_trampoline,
                                      reinterpret_cast<void *>(fn), nullptr));
  }
  // Removes every registration of `fn` not run yet; how many were removed
  // (asyncio's remove_done_callback).
  int64_t remove_done_callback(Callback fn) {
    return check_count(ac_future_remove_done_callback(f_, &detail::function_callback_trampoline,
                                                reinterpret_cast<void *>(fn)));
  }

  detail::FutureAwaiter<Value> operator co_await() const noexcept {
    return detail::FutureAwaiter<Value>(f_);
  }
  // For the combinators (wait_for, shield …): the C future.
  ac_future *c_future() const noexcept { return f_; }
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
    report_callback_exception(loop, std::current_exception());
  }
}
inline void function_callback_trampoline(ac_future *f, void *ud) noexcept {
  auto fn = reinterpret_cast<Future::Callback>(ud);
  future_callback_trampoline<Future::Callback>(f, &fn);
}
}  // namespace detail

inline Value Loop::run_until_complete(const Future &future) {
  {
    detail::RunningScope scope(nullptr, l_);
    int rc = ac_loop_run_until_complete(l_, future.get());
    // Stopped, re-entered, closed, wrong thread: the future is still pending.
    if (!future.done()) throw_code(rc < 0 ? rc : AC_ESTATE);
  }
  return future.result<Value>();
}

}  // namespace asyncore
