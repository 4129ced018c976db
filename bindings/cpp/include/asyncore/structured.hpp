// asyncore/structured.hpp — deadlines and task groups: timeout scopes,
// wait_for, shield, TaskGroup, wait, as_completed (asyncio's names and
// asyncio 3.12+'s rules).
//
// Timeout scopes (asyncio.timeout). A destructor cannot co_await, so the
// `async with` takes the body as a coroutine:
//
//   co_await ac::timeout(2.5, body());            // async with timeout(2.5): ...
//   ac::Timeout scope(2.5);                       // asyncio.timeout(2.5)
//   co_await scope.run([&]() -> ac::Task<> { ... scope.reschedule(t); ... });
//   scope.expired(); scope.when();
//
// The body runs inline, in the awaiting task. When the deadline passes the
// task is cancelled, and the scope turns its own cancellation, and only its
// own, into TimeoutError, whose cause() is that CancelledError. A scope is
// entered once ("Timeout has already been entered"); misuse is
// RuntimeError with asyncio's words. A scope can also be entered and left
// by hand: scope.enter(), then scope.exit(ep) with how the body ended.
//
// wait_for(x, seconds) is asyncio 3.12's: a coroutine (a Task<T>, or any
// awaitable such as lock.acquire()) runs inline in the caller's task under
// a timeout scope, no extra task; a task or future (TaskHandle, Future,
// GatherFuture, Shielded) is awaited under the scope, so a done one returns
// without suspending. A timeout of 0 or less cancels x at once (a
// coroutine never starts), waits until it is done and raises TimeoutError
// (cause: its CancelledError) unless it finished anyway.
//
// Task groups. The safe shape joins for you:
//
//   co_await with_task_group([&](TaskGroup &tg) -> Task<> {
//     tg.create_task(download("a"));
//     tg.create_task(download("b"));
//     co_return;                      // the group is joined after the body
//   });
//
// with_task_group() joins the group when the body ends, however it ends,
// and passes the body's exception to the join (asyncio's __aexit__). The
// join throws GroupError (ExceptionGroup) with the tasks' exceptions (in
// the order they failed, the body's last), or CancelledError. A TaskGroup
// held directly must be joined with `co_await tg.join(ep)`; one destroyed
// unjoined cancels its tasks without waiting for them. create_task on a
// group that is finished or shutting down is RuntimeError.
#pragma once

#include <asyncore.h>

#include <cmath>
#include <concepts>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "error.hpp"
#include "future.hpp"
#include "gather.hpp"
#include "loop.hpp"
#include "task.hpp"

namespace asyncore {

namespace detail {
// The code an exception stands for, for the C calls that take an outcome.
inline int outcome_code(const std::exception_ptr &ep) noexcept {
  if (!ep) return 0;
  try {
    std::rethrow_exception(ep);
  } catch (const Error &e) {
    return e.code() < 0 ? e.code() : AC_EHOST;
  } catch (...) {
    return AC_EHOST;
  }
}

inline ac_task *require_current_task(const char *what) {
  ac_task *t = ac_loop_current_task(get_running_loop());
  if (t == nullptr) throw RuntimeError(what);
  return t;
}

// Something with a C future behind it: a Future, a TaskHandle, a
// GatherFuture, a Shielded.
template <class X>
concept FutureLike = requires(const X &x) {
  { x.c_future() } -> std::same_as<ac_future *>;
};

template <class X>
struct is_task : std::false_type {};
template <class T>
struct is_task<Task<T>> : std::true_type {};

// The awaiter `co_await a` uses, and the type it gives.
template <class A>
decltype(auto) awaiter_of(A &&a) {
  if constexpr (requires { std::forward<A>(a).operator co_await(); }) {
    return std::forward<A>(a).operator co_await();
  } else {
    return std::forward<A>(a);
  }
}
template <class A>
using await_result_t = decltype(awaiter_of(std::declval<A>()).await_resume());

// An owned copy of a future-like argument: an lvalue is shared.
template <class X>
std::remove_cvref_t<X> own(X &&x) {
  if constexpr (std::is_lvalue_reference_v<X>) {
    return x.share();
  } else {
    return std::move(x);
  }
}

// Any awaitable as a coroutine that awaits it (asyncio: a coroutine).
template <class A>
Task<await_result_t<A &>> as_task(A a) {
  co_return co_await a;
}
}  // namespace detail

// ---- timeout scopes

// A deadline for a stretch of awaits in one task (asyncio.Timeout). Copies
// are views of the same scope.
class Timeout {
 public:
  // A scope expiring `delay` seconds from now (asyncio.timeout): 0 or less
  // is due at once, AC_NO_TIMEOUT (+infinity) never. Not entered yet.
  explicit Timeout(double delay) { check(ac_timeout_new(get_running_loop(), delay, &scope_)); }
  // A scope expiring at loop time `when` (asyncio.timeout_at).
  static Timeout at(double when) {
    ac_timeout *s = nullptr;
    check(ac_timeout_new_at(get_running_loop(), when, &s));
    return Timeout(Adopt{}, s);
  }
  Timeout(const Timeout &o) noexcept : scope_(ac_timeout_ref(o.scope_)) {}
  Timeout(Timeout &&o) noexcept : scope_(std::exchange(o.scope_, nullptr)) {}
  Timeout &operator=(Timeout o) noexcept {
    std::swap(scope_, o.scope_);
    return *this;
  }
  ~Timeout() { if (scope_ != nullptr) ac_timeout_unref(scope_); }
  Timeout share() const noexcept { return *this; }

  // The deadline (loop time; +infinity for none).
  double when() const noexcept { return ac_timeout_when(scope_); }
  // True once the deadline passed while entered (the scope cancelled its
  // task).
  bool expired() const noexcept { return ac_timeout_expired(scope_) == 1; }
  // Moves the deadline to loop time `when` (+infinity: none) while
  // entered; RuntimeError before the scope is entered, once it expires or
  // after it exits.
  void reschedule(double when) { check(ac_timeout_reschedule(scope_, when)); }

  // Enters the scope for the running task (asyncio's __aenter__);
  // RuntimeError if it was entered before.
  void enter() { check(ac_timeout_enter(scope_, detail::require_current_task("Timeout should be used inside a task"))); }
  // Leaves the scope with how the body ended (`ep` null: normally), from
  // the same task (asyncio's __aexit__): throws TimeoutError (its cause:
  // the CancelledError) when the scope's own deadline cancelled the body,
  // rethrows `ep` otherwise, returns if it is null.
  void exit(std::exception_ptr ep = nullptr) {
    int outcome = detail::outcome_code(ep);
    int rc = ac_timeout_exit(scope_, outcome);
    if (rc == AC_ETIMEDOUT && outcome != AC_ETIMEDOUT) {
      ac_error *e = ac_timeout_error(scope_);
      if (e != nullptr) throw TimeoutError(ErrorRef::borrow(e));
      throw TimeoutError({}, ep);
    }
    if (rc < 0 && rc != outcome) throw_code(rc);
    if (ep) std::rethrow_exception(ep);
  }

  // `async with scope:` around `body` (a Task<T>, or a callable giving
  // one): enters, runs the body inline, exits. Gives the body's result.
  template <class T>
  Task<T> run(Task<T> body) const;
  template <class F>
    requires std::invocable<F &>
  auto run(F body) const;

  ac_timeout *get() const noexcept { return scope_; }

 private:
  struct Adopt {};
  Timeout(Adopt, ac_timeout *s) noexcept : scope_(s) {}
  ac_timeout *scope_ = nullptr;
};

namespace detail {
// Leaves a scope quietly if the frame goes before the body ended (the task
// destroyed while suspended).
struct TimeoutExitGuard {
  ac_timeout *scope;
  bool done = false;
  ~TimeoutExitGuard() {
    if (!done) ac_timeout_exit(scope, 0);
  }
};

template <class T>
Task<T> scoped(Timeout scope, Task<T> body) {
  scope.enter();  // refused: the body never runs
  TimeoutExitGuard guard{scope.get()};
  std::exception_ptr ep;
  std::optional<gather_result_t<T>> value;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(body);
    } else {
      value.emplace(co_await std::move(body));
    }
  } catch (...) {
    ep = std::current_exception();
  }
  guard.done = true;
  scope.exit(ep);
  if constexpr (!std::is_void_v<T>) co_return std::move(*value);
}

template <class F>
auto scoped_call(Timeout scope, F body) -> Task<typename std::invoke_result_t<F &>::value_type> {
  // The callable lives in this frame while its coroutine runs.
  co_return co_await scoped(std::move(scope), body());
}
}  // namespace detail

template <class T>
Task<T> Timeout::run(Task<T> body) const {
  return detail::scoped(*this, std::move(body));
}
template <class F>
  requires std::invocable<F &>
auto Timeout::run(F body) const {
  return detail::scoped_call(*this, std::move(body));
}

// Runs `body` inline within a timeout scope of `delay` seconds
// (async with asyncio.timeout(delay)): TimeoutError if the deadline
// cancels it.
template <class T>
Task<T> timeout(double delay, Task<T> body) {
  return Timeout(delay).run(std::move(body));
}
// The same with an absolute loop time (asyncio.timeout_at).
template <class T>
Task<T> timeout_at(double when, Task<T> body) {
  return Timeout::at(when).run(std::move(body));
}

// ---- wait_for

namespace detail {
inline void unref_future(void *f) noexcept { ac_future_unref(static_cast<ac_future *>(f)); }
inline void release_waiter(ac_future *, void *waiter) noexcept {
  auto *w = static_cast<ac_future *>(waiter);
  if (ac_future_done(w) != 1) ac_future_set_result_none(w);
}

// Cancels `fut` and waits until it is done, whatever its outcome
// (asyncio's _cancel_and_wait); a cancellation of the waiting task itself
// propagates.
inline Task<> cancel_and_wait(Future fut) {
  Future waiter = Future::create();
  check(ac_future_add_done_callback(fut.get(), &release_waiter, ac_future_ref(waiter.get()), &unref_future));
  struct Unregister {
    ac_future *f, *w;
    ~Unregister() { ac_future_remove_done_callback(f, &release_waiter, w); }
  } unregister{fut.get(), waiter.get()};
  if (ac_task *t = ac_future_as_task(fut.get())) {
    ac_task_cancel(t, nullptr);
  } else {
    ac_future_cancel(fut.get(), nullptr);
  }
  co_await waiter;
}

template <FutureLike X>
auto wait_for_future(X fut, double timeout) -> Task<await_result_t<X &>> {
  using R = await_result_t<X &>;
  if (timeout <= 0) {
    if (ac_future_done(fut.c_future()) != 1) co_await cancel_and_wait(Future::borrow(fut.c_future()));
    std::exception_ptr cancelled;
    try {
      // Done now: no suspension.
      if constexpr (std::is_void_v<R>) {
        co_await fut;
        co_return;
      } else {
        co_return co_await fut;
      }
    } catch (const CancelledError &) {
      cancelled = std::current_exception();
    }
    throw TimeoutError({}, cancelled);
  }
  co_return co_await Timeout(timeout).run(as_task(std::move(fut)));
}

template <class T>
Task<T> wait_for_coroutine(Task<T> coro, double timeout) {
  if (timeout <= 0) co_return co_await wait_for_future(create_task(std::move(coro)), timeout);
  co_return co_await Timeout(timeout).run(std::move(coro));
}
}  // namespace detail

// asyncio.wait_for(x, timeout) (3.12): x's result, or TimeoutError once
// `timeout` seconds have passed (x cancelled, its cleanup run). A Task<T>
// runs inline in the caller under a timeout scope; so does any other
// awaitable that is not a future (lock.acquire(), q.get() …). A future or
// task is awaited under the scope (an lvalue is shared, so the caller can
// still look at it). AC_NO_TIMEOUT: no deadline.
template <class T>
Task<T> wait_for(Task<T> coro, double timeout) {
  return detail::wait_for_coroutine(std::move(coro), timeout);
}
template <class X>
  requires detail::FutureLike<std::remove_cvref_t<X>>
auto wait_for(X &&fut, double timeout) {
  return detail::wait_for_future(detail::own(std::forward<X>(fut)), timeout);
}
template <class A>
  requires(!detail::FutureLike<std::remove_cvref_t<A>> && !detail::is_task<std::remove_cvref_t<A>>::value &&
           !std::is_lvalue_reference_v<A>)
auto wait_for(A &&awaitable, double timeout) {
  return detail::wait_for_coroutine(detail::as_task(std::move(awaitable)), timeout);
}

// ---- shield

// The future asyncio.shield returns: it mirrors the inner task, except
// that cancelling it (or the task awaiting it) does not cancel the inner
// task. Awaiting it gives the inner task's result or exception (the same
// exception object). Copies share it.
template <class T>
class Shielded {
 public:
  using value_type = T;
  Shielded(Future shield, TaskHandle<T> inner)
      : st_(std::make_shared<State>(State{std::move(shield), std::move(inner)})) {}
  Shielded share() const noexcept { return *this; }

  bool done() const noexcept { return st_->shield.done(); }
  bool cancelled() const noexcept { return st_->shield.cancelled(); }
  bool cancel(const char *message = nullptr) { return st_->shield.cancel(message); }
  ac_future *c_future() const noexcept { return st_->shield.get(); }
  // The inner task.
  const TaskHandle<T> &inner() const noexcept { return st_->inner; }

  class Awaiter {
   public:
    explicit Awaiter(std::shared_ptr<const void> keep, ac_future *shield, const TaskHandle<T> *inner) noexcept
        : keep_(std::move(keep)), inner_(shield), task_(inner) {}
    bool await_ready() const noexcept { return inner_.await_ready(); }
    bool await_suspend(std::coroutine_handle<> h) { return inner_.await_suspend(h); }
    T await_resume() {
      inner_.await_resume();  // the inner failure, or a cancellation
      // The typed result is read from the task (the shield only lends it).
      return task_->result();
    }

   private:
    std::shared_ptr<const void> keep_;
    detail::FutureAwaiter<void> inner_;
    const TaskHandle<T> *task_;
  };
  Awaiter operator co_await() const noexcept { return Awaiter(st_, st_->shield.get(), &st_->inner); }

 private:
  struct State {
    Future shield;
    TaskHandle<T> inner;
  };
  std::shared_ptr<State> st_;
};

// asyncio.shield(task): spawns a Task at once; an lvalue TaskHandle is
// shared.
template <class T>
Shielded<T> shield(Task<T> task) {
  return shield(create_task(std::move(task)));
}
template <class H>
  requires requires(H &&h) { detail::as_handle(std::forward<H>(h)); }
auto shield(H &&handle) {
  auto inner = detail::as_handle(std::forward<H>(handle));
  ac_future *s = nullptr;
  check(ac_shield(get_running_loop(), inner.c_future(), &s));
  return Shielded<detail::handle_value_t<decltype(inner)>>(Future::adopt(s), std::move(inner));
}

// ---- task groups

class TaskGroup {
 public:
  // Opens a group whose parent is the running task.
  TaskGroup() { check(ac_taskgroup_new(detail::require_current_task("TaskGroup cannot determine the parent task"), &tg_)); }
  TaskGroup(const TaskGroup &) = delete;
  TaskGroup &operator=(const TaskGroup &) = delete;
  ~TaskGroup() {
    if (!joined_) {
      // Left without a join: cancel the tasks; nobody waits for them.
      ac_future *join = nullptr;
      if (ac_taskgroup_join(tg_, AC_ECANCELLED, nullptr, &join) == 0) ac_future_unref(join);
    }
    ac_taskgroup_unref(tg_);
  }

  // Spawns `task` in the group (asyncio's tg.create_task); RuntimeError
  // once the group is finished or shutting down (the task never runs).
  template <class T>
  TaskHandle<T> create_task(Task<T> task, const char *name = nullptr) {
    void *state = detail::as_driver_state(task);
    ac_task *t = nullptr;
    check(ac_taskgroup_spawn(tg_, &detail::driver_step_unbound<T>, state, &detail::driver_free<T>, AC_TASK_IN_STATE, &t));
    TaskHandle<T> h = TaskHandle<T>::adopt(t);
    if (name != nullptr) h.set_name(name);
    return h;
  }

  // Waits for every task (asyncio's __aexit__), with how the body ended:
  // throws GroupError (the tasks' exceptions, then the body's) or
  // CancelledError, else rethrows the body's exception.
  Task<> join(std::exception_ptr body_error = nullptr) {
    joined_ = true;
    ErrorRef e;
    int outcome = 0;
    if (body_error) {
      e = ErrorRef::adopt(error_from_exception(body_error));
      if (!e) throw std::bad_alloc();
      outcome = ac_error_code(e.get());
    }
    ac_future *join = nullptr;
    check(ac_taskgroup_join(tg_, outcome, e.get(), &join));
    Future j = Future::adopt(join);
    co_await j;
    if (body_error) std::rethrow_exception(body_error);
  }

  // Tasks of the group not yet done.
  int64_t size() const noexcept { return ac_taskgroup_size(tg_); }
  ac_taskgroup *get() const noexcept { return tg_; }

 private:
  ac_taskgroup *tg_ = nullptr;
  bool joined_ = false;
};

// Opens a group, runs body(group) inline, then joins the group with how the
// body ended (async with asyncio.TaskGroup() as group). Returns the body's
// result.
template <class F>
auto with_task_group(F body) -> Task<typename decltype(body(std::declval<TaskGroup &>()))::value_type> {
  using T = typename decltype(body(std::declval<TaskGroup &>()))::value_type;
  TaskGroup tg;
  std::exception_ptr ep;
  std::optional<gather_result_t<T>> value;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await body(tg);
    } else {
      value.emplace(co_await body(tg));
    }
  } catch (...) {
    ep = std::current_exception();
  }
  co_await tg.join(ep);
  if constexpr (!std::is_void_v<T>) co_return std::move(*value);
}

// ---- wait

enum class WaitMode : int {
  all_completed = AC_WAIT_ALL_COMPLETED,
  first_completed = AC_WAIT_FIRST_COMPLETED,
  first_exception = AC_WAIT_FIRST_EXCEPTION,
};

// Indices (into the futures given to wait) of the done and pending ones;
// a future given twice counts once, under its first index (asyncio takes
// a set).
struct WaitResult {
  std::vector<size_t> done;
  std::vector<size_t> pending;
};

// Waits until `mode` holds or `timeout` passes (asyncio.wait); never
// throws for a timeout and never cancels the futures (borrowed: keep them
// alive meanwhile). ValueError for no futures.
inline Task<WaitResult> wait(std::vector<ac_future *> futures, WaitMode mode = WaitMode::all_completed,
                             double timeout = AC_NO_TIMEOUT) {
  ac_future *w = nullptr;
  check(ac_wait(get_running_loop(), futures.data(), futures.size(), static_cast<int>(mode), timeout, &w));
  Future waiting = Future::adopt(w);
  co_await waiting;
  // Each reported future's position among the inputs (the first, for one
  // given twice): through a map when they are many, so that a wait over n
  // futures does not cost n² here.
  std::unordered_map<ac_future *, size_t> positions;
  if (futures.size() > 16) {
    positions.reserve(futures.size());
    for (size_t i = futures.size(); i-- > 0;) positions[futures[i]] = i;
  }
  auto index_of = [&](ac_future *f) {
    if (!positions.empty()) {
      auto it = positions.find(f);
      return it != positions.end() ? it->second : futures.size();
    }
    for (size_t i = 0; i < futures.size(); ++i)
      if (futures[i] == f) return i;
    return futures.size();
  };
  WaitResult r;
  int64_t nd = check_count(ac_wait_done_count(w));
  int64_t np = check_count(ac_wait_pending_count(w));
  for (int64_t i = 0; i < nd; ++i) r.done.push_back(index_of(ac_wait_done_at(w, static_cast<size_t>(i))));
  for (int64_t i = 0; i < np; ++i) r.pending.push_back(index_of(ac_wait_pending_at(w, static_cast<size_t>(i))));
  co_return r;
}
template <class T>
Task<WaitResult> wait(const std::vector<TaskHandle<T>> &tasks, WaitMode mode = WaitMode::all_completed,
                      double timeout = AC_NO_TIMEOUT) {
  std::vector<ac_future *> futures;
  for (const auto &t : tasks) futures.push_back(t.c_future());
  return wait(std::move(futures), mode, timeout);
}

// ---- as_completed

// The inputs in the order they finish (asyncio.as_completed):
//
//   AsCompleted it(tasks);
//   while (auto i = co_await it.next()) { auto r = co_await tasks[*i]; ... }
//
// next() gives the index of the next input to finish (await that input to
// get its result or exception), std::nullopt when all were handed out, and
// throws TimeoutError for the inputs still pending at the deadline. An
// input given twice is handed out once.
class AsCompleted {
 public:
  explicit AsCompleted(std::vector<ac_future *> futures, double timeout = AC_NO_TIMEOUT) {
    check(ac_as_completed_new(get_running_loop(), futures.data(), futures.size(), timeout, &it_));
  }
  template <class T>
  explicit AsCompleted(const std::vector<TaskHandle<T>> &tasks, double timeout = AC_NO_TIMEOUT)
      : AsCompleted(futures_of(tasks), timeout) {}
  AsCompleted(AsCompleted &&o) noexcept : it_(std::exchange(o.it_, nullptr)) {}
  AsCompleted &operator=(AsCompleted &&) = delete;
  ~AsCompleted() { if (it_ != nullptr) ac_as_completed_unref(it_); }

  Task<std::optional<size_t>> next() {
    ac_future *nf = nullptr;
    if (check(ac_as_completed_next(it_, &nf)) == 0) co_return std::nullopt;
    Future f = Future::adopt(nf);
    try {
      co_await f;
    } catch (...) {
      // The input's own failure is the input's to report; a timeout or a
      // cancellation of this wait is ours.
      if (ac_as_completed_index(nf) < 0) throw;
    }
    co_return static_cast<size_t>(ac_as_completed_index(nf));
  }

 private:
  template <class T>
  static std::vector<ac_future *> futures_of(const std::vector<TaskHandle<T>> &tasks) {
    std::vector<ac_future *> v;
    for (const auto &t : tasks) v.push_back(t.c_future());
    return v;
  }
  ac_as_completed *it_ = nullptr;
};

}  // namespace asyncore
