// thread.cpp — ac_executor_*, ac_to_thread, ac_tsfuture_*, ac_run_threadsafe
// at the boundary.
#include <cmath>

#include "core/future.hpp"
#include "core/task.hpp"
#include "core/value.hpp"
#include "thread/executor.hpp"
#include "thread/tsfuture.hpp"
#include "../shim.hpp"

using ac::shim::fail;

using ac::shim::check_loop;
using ac::shim::run_free;

// ---------------------------------------------------------------- executors

AC_API int ac_executor_new(uint32_t n_threads, ac_executor **out) noexcept {
  if (out == nullptr || n_threads < 1 || n_threads > 1024) return fail(AC_EINVAL);
  auto *ex = new (std::nothrow) ac_executor();
  if (ex == nullptr) return fail(AC_ENOMEM);
  int rc = ex->start(n_threads);
  if (rc != 0) {
    ex->release();
    return rc;
  }
  *out = ex;
  return 0;
}

AC_API ac_executor *ac_executor_ref(ac_executor *ex) noexcept {
  if (ac::is_executor(ex)) ex->user_refs.fetch_add(1, std::memory_order_relaxed);
  return ex;
}

AC_API void ac_executor_unref(ac_executor *ex) noexcept {
  if (!ac::is_executor(ex)) return;
  if (ex->user_refs.fetch_sub(1, std::memory_order_acq_rel) == 1) ex->drop_users();
}

AC_API int ac_executor_shutdown(ac_executor *ex, uint32_t flags) noexcept {
  if (!ac::is_executor(ex) ||
      (flags & ~uint32_t{AC_EXECUTOR_WAIT | AC_EXECUTOR_CANCEL_PENDING}) != 0)
    return fail(AC_EINVAL);
  return ex->shutdown(flags);
}

static int submit_work(ac_loop *loop, ac::WorkFn fn, void *ud, ac_free_fn free_ud,
                       ac_executor *ex, ac_future **out) noexcept {
  int rc = check_loop(loop);
  if (rc == 0 && ((fn.plain == nullptr && fn.with_error == nullptr) || out == nullptr ||
                  (ex != nullptr && !ac::is_executor(ex))))
    rc = fail(AC_EINVAL);
  if (rc != 0) {
    run_free(free_ud, ud);
    return rc;
  }
  return ac::to_thread(loop, fn, ud, free_ud, ex, out);
}

AC_API int ac_to_thread(ac_loop *loop, ac_work_fn fn, void *ud, ac_free_fn free_ud,
                        ac_executor *ex, ac_future **out) noexcept {
  ac::WorkFn w;
  w.plain = fn;
  return submit_work(loop, w, ud, free_ud, ex, out);
}

AC_API int ac_to_thread_v2(ac_loop *loop, ac_work_v2_fn fn, void *ud, ac_free_fn free_ud,
                           ac_executor *ex, ac_future **out) noexcept {
  ac::WorkFn w;
  w.with_error = fn;
  return submit_work(loop, w, ud, free_ud, ex, out);
}

// ------------------------------------------------------ thread-safe futures

AC_API int ac_tsfuture_new(ac_tsfuture **out) noexcept {
  if (out == nullptr) return fail(AC_EINVAL);
  auto *ts = new (std::nothrow) ac_tsfuture();
  if (ts == nullptr) return fail(AC_ENOMEM);
  *out = ts;
  return 0;
}

AC_API ac_tsfuture *ac_tsfuture_ref(ac_tsfuture *ts) noexcept {
  if (ac::is_tsfuture(ts)) ts->ref();
  return ts;
}
AC_API void ac_tsfuture_unref(ac_tsfuture *ts) noexcept {
  if (ac::is_tsfuture(ts)) ts->unref();
}

AC_API int ac_tsfuture_get_state(const ac_tsfuture *ts) noexcept {
  return ac::is_tsfuture(ts) ? ts->state.load(std::memory_order_acquire) : fail(AC_EINVAL);
}
AC_API int ac_tsfuture_state_of(const ac_tsfuture *ts) noexcept { return ac_tsfuture_get_state(ts); }
AC_API int ac_tsfuture_done(const ac_tsfuture *ts) noexcept {
  return ac::is_tsfuture(ts) ? (ts->done() ? 1 : 0) : fail(AC_EINVAL);
}
AC_API int ac_tsfuture_cancelled(const ac_tsfuture *ts) noexcept {
  if (!ac::is_tsfuture(ts)) return fail(AC_EINVAL);
  return ts->state.load(std::memory_order_acquire) == AC_FUTURE_CANCELLED ? 1 : 0;
}

AC_API int ac_tsfuture_set_result(ac_tsfuture *ts, const ac_value *v) noexcept {
  if (!ac::is_tsfuture(ts) || !ac::shim::valid_value(v)) return fail(AC_EINVAL);
  if (ts->done()) return fail(AC_ESTATE);
  ac_value owned;
  int rc = ac::value_copy_in_valid(&owned, v);
  if (rc != 0) return rc;
  rc = ts->complete(AC_FUTURE_RESULT, &owned, nullptr);
  // Lost a race with another completer: the caller keeps its value, so
  // only our copy of bytes goes (a pointer's destructor must not run).
  if (rc != 0 && owned.kind == AC_VALUE_BYTES) ac::value_release(&owned);
  return rc;
}
AC_API int ac_tsfuture_set_result_none(ac_tsfuture *ts) noexcept {
  ac_value x;
  ac_value_set_none(&x);
  return ac_tsfuture_set_result(ts, &x);
}
AC_API int ac_tsfuture_set_result_int64(ac_tsfuture *ts, int64_t v) noexcept {
  ac_value x;
  ac_value_set_int64(&x, v);
  return ac_tsfuture_set_result(ts, &x);
}
AC_API int ac_tsfuture_set_error(ac_tsfuture *ts, ac_error *err) noexcept {
  if (!ac::is_tsfuture(ts) || err == nullptr || err->code >= 0 || err->code == AC_ECANCELLED)
    return fail(AC_EINVAL);
  return ts->complete(AC_FUTURE_ERROR, nullptr, ac::error_ref(err));
}
AC_API int ac_tsfuture_set_error_code(ac_tsfuture *ts, int code, const char *message) noexcept {
  if (!ac::is_tsfuture(ts) || code >= 0 || code == AC_ECANCELLED) return fail(AC_EINVAL);
  if (ts->done()) return fail(AC_ESTATE);
  AC_GUARD(return ts->complete(AC_FUTURE_ERROR, nullptr, ac::error_new(code, message));)
}
AC_API int ac_tsfuture_cancel(ac_tsfuture *ts, const char *message) noexcept {
  if (!ac::is_tsfuture(ts)) return fail(AC_EINVAL);
  return ts->cancel(message) ? 1 : 0;
}

AC_API int ac_tsfuture_wait(ac_tsfuture *ts, double timeout) noexcept {
  if (!ac::is_tsfuture(ts) || std::isnan(timeout)) return fail(AC_EINVAL);
  return ts->wait(timeout) ? 0 : fail(AC_ETIMEDOUT);
}

AC_API int ac_tsfuture_result(ac_tsfuture *ts, ac_value *out) noexcept {
  if (!ac::is_tsfuture(ts)) return fail(AC_EINVAL);
  int rc = ts->outcome();
  if (rc == 0 && out != nullptr) {
    std::lock_guard<std::mutex> lock(ts->mu);
    *out = ts->result;
  }
  return rc;
}
AC_API int ac_tsfuture_result_int64(ac_tsfuture *ts, int64_t *out) noexcept {
  ac_value v{};
  int rc = ac_tsfuture_result(ts, &v);
  if (rc != 0) return rc;
  if (v.kind != AC_VALUE_INT64 || out == nullptr) return fail(AC_EINVAL);
  *out = v.u.i64;
  return 0;
}
AC_API int ac_tsfuture_take_result(ac_tsfuture *ts, ac_value *out) noexcept {
  if (!ac::is_tsfuture(ts) || out == nullptr) return fail(AC_EINVAL);
  int rc = ts->outcome();
  if (rc == 0) {
    std::lock_guard<std::mutex> lock(ts->mu);
    ac::value_move(out, &ts->result);
  }
  return rc;
}
AC_API ac_error *ac_tsfuture_error(ac_tsfuture *ts) noexcept {
  if (!ac::is_tsfuture(ts)) return nullptr;
  int s = ts->state.load(std::memory_order_acquire);
  return s == AC_FUTURE_ERROR || s == AC_FUTURE_CANCELLED ? ts->error : nullptr;
}

AC_API int ac_tsfuture_add_done_callback(ac_tsfuture *ts, ac_tsfuture_callback_fn fn, void *ud,
                                         ac_free_fn free_ud) noexcept {
  if (!ac::is_tsfuture(ts) || fn == nullptr) {
    run_free(free_ud, ud);
    return fail(AC_EINVAL);
  }
  try {
    ts->add_callback(fn, ud, free_ud);
  } catch (...) {
    run_free(free_ud, ud);
    return fail(AC_ENOMEM);
  }
  return 0;
}
AC_API int64_t ac_tsfuture_remove_done_callback(ac_tsfuture *ts, ac_tsfuture_callback_fn fn,
                                                void *ud) noexcept {
  if (!ac::is_tsfuture(ts)) return fail(AC_EINVAL);
  return ts->remove_callbacks(fn, ud);
}

AC_API int ac_tsfuture_wrap(ac_tsfuture *ts, ac_loop *loop, ac_future **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (!ac::is_tsfuture(ts) || out == nullptr) return fail(AC_EINVAL);
  AC_GUARD(*out = ac::tsfuture_wrap(ts, loop); return 0;)
}

AC_API int ac_tsfuture_wrap_held(ac_tsfuture *ts, ac_loop *loop, ac_future **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (!ac::is_tsfuture(ts) || out == nullptr) return fail(AC_EINVAL);
  AC_GUARD(*out = ac::tsfuture_wrap(ts, loop, true); return 0;)
}

AC_API int ac_task_await_tsfuture(ac_task *task, ac_tsfuture *ts) noexcept {
  if (!ac::is_future(task) || !task->is_task || !ac::is_tsfuture(ts)) return fail(AC_EINVAL);
  if (!task->stepping()) return fail(AC_ESTATE);
  ac_future *f;
  int rc = ac_tsfuture_wrap(ts, task->loop, &f);
  if (rc != 0) return rc;
  return ac_task_await_owned(task, f);
}

// ------------------------------------------------------------ run_threadsafe

AC_API int ac_run_threadsafe(ac_loop *loop, ac_step_fn step, void *state, ac_free_fn free_state,
                             ac_tsfuture **out) noexcept {
  if (loop == nullptr || step == nullptr) {
    run_free(free_state, state);
    return fail(AC_EINVAL);
  }
  int rc = 0;
  ac_tsfuture *ts = ac::run_threadsafe(loop, step, state, free_state, &rc);
  if (ts == nullptr) return rc;
  if (out != nullptr) {
    *out = ts;
  } else {
    ts->unref();
  }
  return 0;
}
