// asyncore/structured.hpp — deadlines and task groups: wait_for, timeout
// scopes, TaskGroup, shield, wait, as_completed (asyncio's names).
//
// Timeouts. `co_await wait_for(work(), 2.5)` runs work() as a task and
// throws TimeoutError if it is not done in time (it is cancelled and its
// cleanup has run by then). `co_await timeout(2.5, body())` runs body()
// inline, in the awaiting task, inside a timeout scope (asyncio.timeout):
// when the deadline passes the task is cancelled, and the scope turns its
// own cancellation, and only its own, into TimeoutError. A TimeoutScope can
// also be held directly; since a destructor cannot tell how the body ended,
// it must be left with `scope.exit(ep)` (see below) — timeout() does that.
//
// Task groups. A destructor cannot co_await, so a group is joined by an
// explicit await, and the safe shape does it for you:
//
//   co_await with_task_group([&](TaskGroup &tg) -> Task<> {
//     tg.create_task(download("a"));
//     tg.create_task(download("b"));
//     co_return;                      // the group is joined after the body
//   });
//
// with_task_group() joins the group when the body ends, however it ends,
// and passes the body's exception to the join (asyncio's __aexit__). The
// join throws GroupError with the tasks' exceptions (in the order they
// failed, the body's last), or CancelledError. A TaskGroup held directly
// must be joined with `co_await tg.join(ep)`; one destroyed unjoined
// cancels its tasks without waiting for them.
#pragma once

#include <asyncore.h>

#include <cmath>
#include <exception>
#include <optional>
#include <type_traits>
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

inline ac_task *require_current_task() {
  ac_task *t = ac_loop_current_task(get_running_loop());
  if (t == nullptr) throw Error(AC_ESTATE, "not called from a task");
  return t;
}
}  // namespace detail

// ---- wait_for

// Runs `task` and gives its result, or cancels it once `timeout` seconds
// have passed, waits for its cleanup and throws TimeoutError
// (asyncio.wait_for). A TaskHandle may be passed instead of a Task.
template <class T>
Task<T> wait_for(TaskHandle<T> task, double timeout) {
  ac_future *w = nullptr;
  check(ac_wait_for(get_running_loop(), ac_task_future(task.get()), timeout, &w));
  Future waiting = Future::adopt(w);
  co_await waiting;  // the outcome (a copy); the typed result is read from the task
  if constexpr (std::is_void_v<T>) {
    task.result();
  } else {
    co_return task.result();
  }
}
template <class T>
Task<T> wait_for(Task<T> task, double timeout) {
  return wait_for(create_task(std::move(task)), timeout);
}

// ---- timeout scopes

class TimeoutScope {
 public:
  // Enters a scope expiring `delay` seconds from now (+infinity: never)
  // for the running task.
  explicit TimeoutScope(double delay) : TimeoutScope(delay, false) {}
  // Enters a scope expiring at loop time `when`.
  static TimeoutScope at(double when) { return TimeoutScope(when, true); }
  TimeoutScope(TimeoutScope &&o) noexcept
      : scope_(std::exchange(o.scope_, nullptr)), exited_(o.exited_) {}
  TimeoutScope &operator=(TimeoutScope &&) = delete;
  // Not exited (the frame is being destroyed): leave quietly, taking back
  // a cancellation the scope may have requested.
  ~TimeoutScope() {
    if (scope_ != nullptr && !exited_) ac_timeout_exit(scope_, 0);
    ac_timeout_unref(scope_);
  }

  double when() const noexcept { return ac_timeout_when(scope_); }
  bool expired() const noexcept { return ac_timeout_expired(scope_) == 1; }
  void reschedule(double when) { check(ac_timeout_reschedule(scope_, when)); }

  // Leaves the scope with how the body ended (`ep` null: normally), from
  // the same task: throws TimeoutError when the scope's own deadline
  // cancelled the body, rethrows `ep` otherwise, returns if it is null.
  void exit(std::exception_ptr ep = nullptr) {
    exited_ = true;
    int rc = ac_timeout_exit(scope_, detail::outcome_code(ep));
    if (rc == AC_ETIMEDOUT) throw TimeoutError();
    if (ep) std::rethrow_exception(ep);
    if (rc < 0) throw_code(rc);
  }

 private:
  TimeoutScope(double t, bool absolute) {
    ac_loop *loop = get_running_loop();
    ac_task *task = detail::require_current_task();
    check(absolute ? ac_timeout_new_at(loop, t, &scope_) : ac_timeout_new(loop, t, &scope_));
    int rc = ac_timeout_enter(scope_, task);
    if (rc < 0) {
      ac_timeout_unref(scope_);
      scope_ = nullptr;
      throw_code(rc);
    }
  }
  ac_timeout *scope_ = nullptr;
  bool exited_ = false;
};

namespace detail {
template <class T>
Task<T> scoped(double t, bool absolute, Task<T> body) {
  // Entered when this runs (when awaited), not when made. (A local, not a
  // temporary in the co_await expression: GCC 12 mishandles class
  // temporaries that live across a suspension.)
  TimeoutScope scope = absolute ? TimeoutScope::at(t) : TimeoutScope(t);
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
  scope.exit(ep);
  if constexpr (!std::is_void_v<T>) co_return std::move(*value);
}
}  // namespace detail

// Runs `body` inline within a timeout scope of `delay` seconds
// (asyncio.timeout): TimeoutError if the deadline cancels it.
template <class T>
Task<T> timeout(double delay, Task<T> body) {
  return detail::scoped(delay, false, std::move(body));
}
// The same with an absolute loop time (asyncio.timeout_at).
template <class T>
Task<T> timeout_at(double when, Task<T> body) {
  return detail::scoped(when, true, std::move(body));
}

// ---- shield

// A Task that waits for `task` but whose cancellation does not cancel it
// (asyncio.shield): the awaiting task sees CancelledError, the work goes on.
// Spawns a Task at once.
template <class T>
Task<T> shield(TaskHandle<T> task) {
  ac_future *s = nullptr;
  check(ac_shield(get_running_loop(), ac_task_future(task.get()), &s));
  return [](TaskHandle<T> t, Future sf) -> Task<T> {
    co_await sf;
    if constexpr (std::is_void_v<T>) {
      t.result();
    } else {
      co_return t.result();
    }
  }(std::move(task), Future::adopt(s));
}
template <class T>
Task<T> shield(Task<T> task) {
  return shield(create_task(std::move(task)));
}

// ---- task groups

class TaskGroup {
 public:
  // Opens a group whose parent is the running task.
  TaskGroup() { check(ac_taskgroup_new(detail::require_current_task(), &tg_)); }
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

  // Spawns `task` in the group (asyncio's tg.create_task).
  template <class T>
  TaskHandle<T> create_task(Task<T> task, const char *name = nullptr) {
    void *state = detail::as_driver_state(task);
    ac_task *t = nullptr;
    check(ac_taskgroup_spawn(tg_, &detail::driver_step<T>, state, &detail::driver_free<T>, 0, &t));
    TaskHandle<T> h = TaskHandle<T>::adopt(t);
    if (name != nullptr) h.set_name(name);
    return h;
  }

  // Waits for every task (asyncio's __aexit__), with how the body ended:
  // throws GroupError (the tasks' exceptions, then the body's) or
  // CancelledError.
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
  int size() const noexcept { return ac_taskgroup_size(tg_); }
  ac_taskgroup *get() const noexcept { return tg_; }

 private:
  ac_taskgroup *tg_ = nullptr;
  bool joined_ = false;
};

// Opens a group, runs body(group) inline, then joins the group with how the
// body ended. Returns the body's result.
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

// Indices (into the futures given to wait) of the done and pending ones.
struct WaitResult {
  std::vector<size_t> done;
  std::vector<size_t> pending;
};

// Waits until `mode` holds or `timeout` passes (asyncio.wait); never
// throws for a timeout and never cancels the futures (borrowed: keep them
// alive meanwhile).
inline Task<WaitResult> wait(std::vector<ac_future *> futures, WaitMode mode = WaitMode::all_completed,
                             double timeout = AC_NO_TIMEOUT) {
  ac_future *w = nullptr;
  check(ac_wait(get_running_loop(), futures.data(), futures.size(), static_cast<int>(mode), timeout, &w));
  Future waiting = Future::adopt(w);
  co_await waiting;
  auto index_of = [&futures](ac_future *f) {
    for (size_t i = 0; i < futures.size(); ++i)
      if (futures[i] == f) return i;
    return futures.size();
  };
  WaitResult r;
  int nd = check(ac_wait_done_count(w));
  int np = check(ac_wait_pending_count(w));
  for (int i = 0; i < nd; ++i) r.done.push_back(index_of(ac_wait_done_at(w, static_cast<size_t>(i))));
  for (int i = 0; i < np; ++i) r.pending.push_back(index_of(ac_wait_pending_at(w, static_cast<size_t>(i))));
  co_return r;
}
template <class T>
Task<WaitResult> wait(const std::vector<TaskHandle<T>> &tasks, WaitMode mode = WaitMode::all_completed,
                      double timeout = AC_NO_TIMEOUT) {
  std::vector<ac_future *> futures;
  for (const auto &t : tasks) futures.push_back(ac_task_future(t.get()));
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
// throws TimeoutError for the inputs still pending at the deadline.
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
  ~AsCompleted() { ac_as_completed_unref(it_); }

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
    for (const auto &t : tasks) v.push_back(ac_task_future(t.get()));
    return v;
  }
  ac_as_completed *it_ = nullptr;
};

}  // namespace asyncore
