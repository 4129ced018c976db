// task.cpp — ac_task_* and ac_run at the boundary.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/sleep.hpp"
#include "core/task.hpp"
#include "core/value.hpp"
#include "../shim.hpp"
#include "../io/signal_run.hpp"

using ac::shim::fail;

using ac::shim::check_loop;
using ac::shim::check_loop_fast;
using ac::shim::run_free;

// Why a step that armed a sleep cannot store its outcome.
static constexpr const char *kSleeps =
    "the step awaits a sleep: it must return AC_STEP_AWAIT; the step that resumes stores the outcome";

static ac_task *as_task(const ac_future *f) noexcept {
  return ac::is_future(f) && f->is_task ? static_cast<ac_task *>(const_cast<ac_future *>(f))
                                        : nullptr;
}
static ac_task *valid_task(const ac_task *t) noexcept {
  return as_task(static_cast<const ac_future *>(t));
}

// Starts a created task: hands out the caller's reference, then either runs
// the first step now (eager) or schedules it.
static int start_task(ac_loop *loop, ac_task *t, uint32_t flags, ac_task **out) noexcept {
  if (out != nullptr) {
    t->ref();
    *out = t;
  }
  if ((flags & AC_TASK_EAGER) != 0 && loop->running) {
    t->run_eager();
    return 0;
  }
  try {
    t->schedule_step();
  } catch (...) {
    // Cannot be scheduled: it never runs. Fail it so awaiters see why.
    ac_error *e = ac::error_new(AC_ENOMEM, nullptr);
    t->set_error(e);
    ac::error_unref(e);
    t->mark_error_retrieved();
    ac::task_release_self(t);
    if (out != nullptr) {
      t->unref();
      *out = nullptr;
    }
    return fail(AC_ENOMEM);
  }
  return 0;
}

AC_API int ac_task_new(ac_loop *loop, ac_step_fn step, void *state, ac_free_fn free_state,
                       uint32_t flags, ac_task **out) noexcept {
  int rc = check_loop(loop);
  if (rc == 0 && (flags & AC_TASK_IN_STATE) != 0) {
    ac_task *t = nullptr;
    if (step == nullptr || (flags & ~uint32_t{AC_TASK_EAGER | AC_TASK_IN_STATE}) != 0)
      rc = fail(AC_EINVAL);
    else if ((t = ac::task_new_in(loop, step, state, free_state)) == nullptr)
      rc = fail(AC_EINVAL, "AC_TASK_IN_STATE: the state is not a block of ac_task_state_alloc, "
                           "or a task was made in it already");
    else  // no allocation: the task is in the state's room
      return start_task(loop, t, flags, out);
  }
  if (rc == 0 && (step == nullptr || (flags & ~uint32_t{AC_TASK_EAGER}) != 0)) rc = fail(AC_EINVAL);
  if (rc != 0) {
    run_free(free_state, state);
    return rc;
  }
  ac_task *t;
  try {
    t = ac::task_new(loop, step, state, free_state, 0);
  } catch (...) {
    run_free(free_state, state);
    return fail(AC_ENOMEM);
  }
  return start_task(loop, t, flags, out);
}

AC_API int ac_task_new_inline(ac_loop *loop, ac_step_fn step, size_t state_size, uint32_t flags,
                              ac_task **out, void **state_out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (step == nullptr || state_size == 0 || state_out == nullptr || flags != 0) return fail(AC_EINVAL);
  ac_task *t;
  AC_GUARD(t = ac::task_new(loop, step, nullptr, nullptr, state_size);)
  *state_out = t->step_state();
  return start_task(loop, t, flags, out);
}

AC_API void *ac_task_state_alloc(size_t size) noexcept { return ac::task_state_alloc(size); }
AC_API void ac_task_state_free(void *state, size_t size) noexcept { ac::task_state_free(state, size); }

AC_API int ac_task_new_copy(ac_loop *loop, ac_step_fn step, const void *init, size_t state_size,
                            ac_free_fn free_state, uint32_t flags, ac_task **out,
                            void **state_out) noexcept {
  int rc = check_loop(loop);
  if (rc == 0 && (step == nullptr || init == nullptr || state_size == 0 ||
                  (flags & ~static_cast<uint32_t>(AC_TASK_EAGER)) != 0))
    rc = fail(AC_EINVAL);
  ac_task *t = nullptr;
  if (rc == 0) {
    try {
      t = ac::task_new(loop, step, nullptr, free_state, state_size, init);
    } catch (...) {
      rc = fail(AC_ENOMEM);
    }
  }
  if (rc != 0) {
    // `init` is still the caller's state: it is released as it is.
    run_free(free_state, const_cast<void *>(init));
    return rc;
  }
  if (state_out != nullptr) *state_out = t->step_state();
  return start_task(loop, t, flags, out);
}

AC_API ac_task *ac_task_ref(ac_task *t) noexcept {
  if (valid_task(t) != nullptr) t->ref();
  return t;
}
AC_API void ac_task_unref(ac_task *t) noexcept {
  if (valid_task(t) != nullptr) t->unref();
}
AC_API ac_future *ac_task_future(ac_task *t) noexcept { return valid_task(t); }
AC_API ac_task *ac_future_as_task(ac_future *f) noexcept { return as_task(f); }
AC_API ac_loop *ac_task_get_loop(const ac_task *t) noexcept {
  return valid_task(t) != nullptr ? t->loop : nullptr;
}

AC_API int ac_task_set_name(ac_task *t, const char *name) noexcept {
  if (valid_task(t) == nullptr || name == nullptr) return fail(AC_EINVAL);
  size_t n = std::strlen(name) + 1;
  auto *copy = static_cast<char *>(std::malloc(n));
  if (copy == nullptr) return fail(AC_ENOMEM);
  std::memcpy(copy, name, n);
  return t->set_name(copy) ? 0 : fail(AC_ENOMEM);
}
AC_API const char *ac_task_get_name(const ac_task *t) noexcept {
  ac_task *task = valid_task(t);
  return task != nullptr ? task->get_name() : nullptr;
}
AC_API const char *ac_task_name(const ac_task *t) noexcept { return ac_task_get_name(t); }

AC_API ac_task *ac_loop_current_task(const ac_loop *loop) noexcept {
  return loop != nullptr ? loop->current_task : nullptr;
}

AC_API int64_t ac_loop_foreach_task(ac_loop *loop, void (*fn)(ac_task *, void *), void *ud) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (fn == nullptr) return fail(AC_EINVAL);
  int64_t n = 0;
  for (ac_task *t = loop->tasks_head; t != nullptr;) {
    ac_task *next = t->next_task;
    fn(t, ud);
    ++n;
    t = next;
  }
  return n;
}

AC_API int ac_task_cancel(ac_task *t, const char *message) noexcept {
  if (valid_task(t) == nullptr) return fail(AC_EINVAL);
  int rc = check_loop_fast(t->loop);
  if (rc != 0) return rc;
  if (t->done()) return 0;
  // A pending task of a closed loop never steps again: a request could
  // never be delivered (asyncio: "Event loop is closed").
  if (t->loop->closed) return fail(AC_ECLOSED);
  return t->cancel(message) ? 1 : 0;
}
AC_API int64_t ac_task_cancelling(const ac_task *t) noexcept {
  return valid_task(t) != nullptr ? t->cancelling() : fail(AC_EINVAL);
}
AC_API int64_t ac_task_uncancel(ac_task *t) noexcept {
  return valid_task(t) != nullptr ? t->uncancel() : fail(AC_EINVAL);
}

// An await's answer, with asyncio's reason recorded for a refusal.
static int await_answer(const ac_task *task, const ac_future *fut, int rc) noexcept {
  if (rc == AC_EMISUSE)
    return ac::shim::fail(rc, fut == task ? ac_task::kAwaitItself : ac_task::kOtherLoop);
  return rc;
}
AC_API int ac_task_await(ac_task *task, ac_future *fut) noexcept {
  if (valid_task(task) == nullptr) return ac::shim::fail(AC_EINVAL, nullptr);
  return await_answer(task, fut, task->await(fut));
}
AC_API int ac_task_await_pending(ac_task *task, ac_future *fut) noexcept {
  if (valid_task(task) == nullptr) return ac::shim::fail(AC_EINVAL, nullptr);
  return await_answer(task, fut, task->await_pending(fut));
}
AC_API int ac_task_await_owned(ac_task *task, ac_future *fut) noexcept {
  int rc = ac_task_await(task, fut);
  if (ac::is_future(fut)) fut->unref();
  return rc;
}
AC_API int ac_task_sleep(ac_task *task, double seconds) noexcept {
  if (valid_task(task) == nullptr || std::isnan(seconds)) return fail(AC_EINVAL);
  if (!task->stepping()) return fail(AC_ESTATE);
  if (seconds <= 0) return AC_STEP_YIELD;  // asyncio: sleep(delay <= 0) yields once
  // On the task's own timer; on a sleep future when the step has stored
  // its outcome already (the timer lives in the outcome's slot).
  int rc = task->sleep(seconds);
  if (rc == ac_task::kSleepAsFuture)
    AC_GUARD(return ac_task_await_owned(task, ac::sleep_new(task->loop, seconds));)
  return rc < 0 ? fail(rc) : rc;
}

AC_API int ac_task_outcome(const ac_task *task) noexcept {
  return valid_task(task) != nullptr ? task->resume_code() : fail(AC_EINVAL);
}
AC_API ac_future *ac_task_awaited(const ac_task *task) noexcept {
  return valid_task(task) != nullptr ? task->last_awaited() : nullptr;
}
AC_API int ac_task_propagate(ac_task *task) noexcept {
  if (valid_task(task) == nullptr) return fail(AC_EINVAL);
  if (task->resume_code() >= 0) return 0;
  if (task->sleeping()) return fail(AC_ESTATE, kSleeps);
  ac::error_unref(task->error);
  task->error = ac::error_ref(task->resume_error());
  return task->resume_code();
}

AC_API ac_error *ac_task_outcome_error(const ac_task *task) noexcept {
  if (valid_task(task) == nullptr || task->resume_code() >= 0) return nullptr;
  return task->resume_error();
}

// The calls that store the task's outcome belong to its running step
// (asyncio: only the coroutine itself returns or raises), and not after
// it has armed a sleep: that step must return AC_STEP_AWAIT.
static int check_in_step(const ac_task *task) noexcept {
  if (valid_task(task) == nullptr) return fail(AC_EINVAL);
  if (!task->stepping() || task->loop->current_task != task) return fail(AC_EMISUSE);
  if (task->sleeping()) return fail(AC_ESTATE, kSleeps);
  return 0;
}

AC_API int ac_task_return(ac_task *task, const ac_value *v) noexcept {
  int rc = check_in_step(task);
  if (rc != 0) return rc;
  if (!ac::shim::valid_value(v)) return fail(AC_EINVAL);
  ac_value owned;
  rc = ac::value_copy_in_valid(&owned, v);
  if (rc != 0) return rc;
  ac::value_release(&task->result);
  task->result = owned;
  return AC_STEP_DONE;
}
// A number is stored in place (no value to validate or copy): `set`
// fills the released result.
template <class Set>
static int return_in_place(ac_task *task, Set set) noexcept {
  int rc = check_in_step(task);
  if (rc != 0) return rc;
  ac::value_release(&task->result);
  set(task->result);
  return AC_STEP_DONE;
}
AC_API int ac_task_return_int64(ac_task *task, int64_t v) noexcept {
  return return_in_place(task, [v](ac_value &r) {
    r.kind = AC_VALUE_INT64;
    r.u.i64 = v;
  });
}
AC_API int ac_task_return_double(ac_task *task, double v) noexcept {
  return return_in_place(task, [v](ac_value &r) {
    r.kind = AC_VALUE_DOUBLE;
    r.u.f64 = v;
  });
}
AC_API int ac_task_raise(ac_task *task, ac_error *err) noexcept {
  int rc = check_in_step(task);
  if (rc != 0) return rc;
  if (err == nullptr || err->code >= 0) return fail(AC_EINVAL);
  ac::error_unref(task->error);
  task->error = ac::error_ref(err);
  return err->code;
}
AC_API int ac_task_fail(ac_task *task, int code, const char *message) noexcept {
  int rc = check_in_step(task);
  if (rc != 0) return rc;
  if (code >= 0) return fail(AC_EINVAL);
  AC_GUARD(ac_error *e = ac::error_new(code, message); ac::error_unref(task->error);
           task->error = e; return code;)
}

namespace {
void collect(ac_task *t, void *ud) {
  auto *tasks = static_cast<std::vector<ac_future *> *>(ud);
  tasks->push_back(t);  // capacity reserved by the caller
  t->ref();
}

double seconds_left(uint64_t deadline) noexcept {
  if (deadline == UINT64_MAX) return -1;  // no deadline
  uint64_t t = uv_hrtime();
  return t >= deadline ? 0 : static_cast<double>(deadline - t) * 1e-9;
}

// asyncio.run's _cancel_all_tasks: cancel what is left, run until those
// tasks have finished (one gather of them) or the deadline passed, then
// report each that ended with an error rather than cancelled.
void cancel_all_tasks(ac_loop *loop, uint64_t deadline) {
  std::vector<ac_future *> tasks;
  tasks.reserve(loop->task_count);
  ac_loop_foreach_task(loop, collect, &tasks);
  if (tasks.empty()) return;
  for (ac_future *t : tasks) static_cast<ac_task *>(t)->cancel(nullptr);
  ac_future *all = nullptr;
  if (ac_gather(loop, tasks.data(), tasks.size(), AC_GATHER_RETURN_EXCEPTIONS, &all) == 0) {
    loop->run_until_complete(all, seconds_left(deadline));
    all->unref();
  }
  for (ac_future *t : tasks) {
    if (t->state == AC_FUTURE_ERROR) {
      t->mark_error_retrieved();
      loop->report("unhandled exception during asyncio.run() shutdown", t->error, t, "task");
    }
    t->unref();
  }
}

// Work on other threads that a future of the loop still waits for: run
// until it has come back, or the deadline.
void wait_for_thread_work(ac_loop *loop, uint64_t deadline) {
  while (loop->thread_jobs > 0 || loop->ts_waits > 0) {
    double left = seconds_left(deadline);
    if (left == 0) return;
    loop->step(left < 0 ? 1e9 : left, nullptr, nullptr);
  }
}

int64_t shutdown(ac_loop *loop, double timeout) {
  uint64_t deadline = UINT64_MAX;
  if (timeout < 1e9) deadline = uv_hrtime() + static_cast<uint64_t>(timeout * 1e9);
  cancel_all_tasks(loop, deadline);
  wait_for_thread_work(loop, deadline);
  int64_t left = static_cast<int64_t>(loop->task_count);
  loop->close();
  return left;
}
}  // namespace

AC_API int64_t ac_loop_shutdown(ac_loop *loop, double timeout) noexcept {
  if (loop == nullptr) return fail(AC_EINVAL);
  if (loop->closed) return fail(AC_ECLOSED, ac::shim::kLoopClosed);
  if (!loop->owned_by_caller()) return fail(AC_EWRONGTHREAD, ac::shim::kWrongThread);
  // Only the host's uv_run may run a hosted loop (ac_loop_new_on_uv).
  if (loop->hosted) return fail(AC_ENOTSUP, "a loop on a host's libuv loop runs in the host's uv_run");
  if (loop->running) return fail(AC_ERUNNING, "Cannot close a running event loop");
  if (ac::running_loop() != nullptr)
    return fail(AC_ERUNNING, "Cannot run the event loop while another loop is running");
  if (!(timeout >= 0)) return fail(AC_EINVAL);  // also NaN
  try {
    return shutdown(loop, timeout);
  } catch (...) {
    // Out of memory: the leftovers are reported as destroyed while
    // pending when the loop closes.
    loop->close();
    return fail(AC_ENOMEM);
  }
}

AC_API int ac_run(ac_step_fn step, void *state, ac_free_fn free_state, uint32_t loop_flags,
                  ac_value *result, ac_error **error) noexcept {
  if (result != nullptr) ac::value_init(result);
  if (error != nullptr) *error = nullptr;
  if (ac::running_loop() != nullptr) {
    // asyncio.run refuses to nest in a running loop of this thread.
    run_free(free_state, state);
    if (error != nullptr) {
      try {
        *error = ac::error_new(AC_ERUNNING,
                               "asyncio.run() cannot be called from a running event loop");
      } catch (...) {
      }
    }
    return ac::shim::fail(AC_ERUNNING, "asyncio.run() cannot be called from a running event loop");
  }
  ac_loop *loop;
  int rc = ac_loop_new(loop_flags, &loop);
  if (rc != 0) {
    run_free(free_state, state);
    return rc;
  }
  ac_task *main;
  rc = ac_task_new(loop, step, state, free_state, 0, &main);
  if (rc != 0) {
    ac_loop_unref(loop);
    return rc;
  }
  // asyncio.run's Ctrl-C: the first SIGINT cancels the main task.
  void *sigint = ac::shim::run_sigint_install(loop, main);
  rc = ac_loop_run_until_complete(loop, main);
  bool interrupted = false;
  if (ac::shim::run_sigint_remove(loop, sigint) > 0 && rc == AC_ECANCELLED) {
    // asyncio raises KeyboardInterrupt instead of CancelledError.
    rc = -EINTR;
    interrupted = true;
  }
  if (rc == 0 && result != nullptr) ac_future_take_result(main, result);
  if (interrupted && error != nullptr) {
    try {
      *error = ac::error_new(rc, "KeyboardInterrupt");
    } catch (...) {
    }
  } else if (rc != 0 && error != nullptr) {
    *error = ac::error_ref(ac_future_error(main));
  }
  if (rc != 0) main->mark_error_retrieved();
  ac_task_unref(main);
  ac_loop_shutdown(loop, AC_RUN_SHUTDOWN_TIMEOUT);
  ac_loop_unref(loop);
  return rc;
}
