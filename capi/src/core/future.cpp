// future.cpp — ac_future_* and ac_sleep at the boundary.
#include <cmath>

#include "core/handle.hpp"
#include "core/sleep.hpp"
#include "core/task.hpp"
#include "core/value.hpp"
#include "../shim.hpp"

using ac::shim::fail;

using ac::shim::check_loop;
using ac::shim::check_loop_fast;
using ac::shim::run_free;

// A future that may be used from here (valid, not a task when `no_task`).
static int check_future(const ac_future *f) noexcept {
  if (!ac::is_future(f)) return fail(AC_EINVAL);
  return check_loop_fast(f->loop);
}

AC_API int ac_future_new(ac_loop *loop, ac_future **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL);
  AC_GUARD(*out = new ac_future(loop); return 0;)
}

AC_API ac_future *ac_future_ref(ac_future *f) noexcept {
  if (ac::is_future(f)) f->ref();
  return f;
}
AC_API void ac_future_unref(ac_future *f) noexcept {
  if (ac::is_future(f)) f->unref();
}
AC_API ac_loop *ac_future_get_loop(const ac_future *f) noexcept {
  return ac::is_future(f) ? f->loop : nullptr;
}
AC_API int ac_future_get_state(const ac_future *f) noexcept {
  return ac::is_future(f) ? static_cast<int>(f->state) : fail(AC_EINVAL);
}
AC_API int ac_future_state_of(const ac_future *f) noexcept { return ac_future_get_state(f); }
AC_API int ac_future_done(const ac_future *f) noexcept {
  return ac::is_future(f) ? (f->done() ? 1 : 0) : fail(AC_EINVAL);
}
AC_API int ac_future_cancelled(const ac_future *f) noexcept {
  return ac::is_future(f) ? (f->state == AC_FUTURE_CANCELLED ? 1 : 0) : fail(AC_EINVAL);
}

AC_API int ac_future_set_result(ac_future *f, const ac_value *v) noexcept {
  int rc = check_future(f);
  if (rc != 0) return rc;
  if (f->is_task || !ac::shim::valid_value(v)) return fail(AC_EINVAL);
  if (f->done()) return fail(AC_ESTATE);
  ac_value owned;
  rc = ac::value_copy_in_valid(&owned, v);
  if (rc != 0) return rc;
  return f->set_result(&owned);
}
AC_API int ac_future_set_result_none(ac_future *f) noexcept {
  ac_value x;
  ac_value_set_none(&x);
  return ac_future_set_result(f, &x);
}
AC_API int ac_future_set_result_int64(ac_future *f, int64_t v) noexcept {
  ac_value x;
  ac_value_set_int64(&x, v);
  return ac_future_set_result(f, &x);
}
AC_API int ac_future_set_result_double(ac_future *f, double v) noexcept {
  ac_value x;
  ac_value_set_double(&x, v);
  return ac_future_set_result(f, &x);
}
AC_API int ac_future_set_result_bytes(ac_future *f, const void *data, size_t len) noexcept {
  ac_value x;
  ac_value_set_bytes(&x, data, len);
  return ac_future_set_result(f, &x);
}

AC_API int ac_future_set_error(ac_future *f, ac_error *err) noexcept {
  int rc = check_future(f);
  if (rc != 0) return rc;
  if (f->is_task || err == nullptr || err->code >= 0 || err->code == AC_ECANCELLED)
    return fail(AC_EINVAL);
  return f->set_error(err);
}
AC_API int ac_future_set_error_code(ac_future *f, int code, const char *message) noexcept {
  int rc = check_future(f);
  if (rc != 0) return rc;
  if (f->is_task || code >= 0 || code == AC_ECANCELLED) return fail(AC_EINVAL);
  if (f->done()) return fail(AC_ESTATE);
  AC_GUARD(ac_error *e = ac::error_new(code, message); rc = f->set_error(e); ac::error_unref(e);
           return rc;)
}
AC_API int ac_future_cancel(ac_future *f, const char *message) noexcept {
  int rc = check_future(f);
  if (rc != 0) return rc;
  // A task follows ac_task_cancel's rule on a closed loop.
  if (f->is_task && !f->done() && f->loop->closed) return fail(AC_ECLOSED);
  return f->cancel(message) ? 1 : 0;
}

namespace {
// Carries a cross-thread completion to the loop's thread.
struct Completion {
  ac_future *future;
  int code;
  ac_value value;
  ac_error *error;
};
void complete_on_loop(ac_loop *, void *ud) {
  auto *c = static_cast<Completion *>(ud);
  ac_future *f = c->future;
  if (!f->done()) {
    if (c->code == 0) {
      if (f->is_task) {
        ac::value_release(&c->value);
      } else {
        f->set_result(&c->value);
      }
    } else if (c->code == AC_ECANCELLED) {
      f->cancel(c->error != nullptr ? c->error->message.c_str() : nullptr);
    } else if (!f->is_task) {
      f->set_error(c->error);
    }
  }
}
void free_completion(void *ud) {
  auto *c = static_cast<Completion *>(ud);
  ac::value_release(&c->value);
  ac::error_unref(c->error);
  // The reference the submitting thread gave up. When the loop closed
  // before this ran we are on the closing (loop) thread too.
  c->future->unref();
  delete c;
}
}  // namespace

AC_API int ac_future_complete_threadsafe(ac_future *f, int code, const ac_value *v,
                                         const char *message) noexcept {
  // The value is required for a result, ignored for an error.
  if (!ac::is_future(f) || code > 0 || (code == 0 && !ac::shim::valid_value(v))) return fail(AC_EINVAL);
  auto *c = new (std::nothrow) Completion{f, code, {}, nullptr};
  if (c == nullptr) return fail(AC_ENOMEM);
  ac::value_init(&c->value);
  // Release what this thread made, but not the caller's future reference:
  // only the loop thread may touch that count.
  auto discard = [c] {
    ac::value_release(&c->value);
    ac::error_unref(c->error);
    delete c;
  };
  try {
    if (code == 0) {
      int rc = ac::value_copy_in(&c->value, v);
      if (rc != 0) {
        delete c;
        return rc;
      }
    } else {
      c->error = ac::error_new(code, message);
    }
  } catch (...) {
    discard();
    return fail(AC_ENOMEM);
  }
  auto *h = new (std::nothrow) ac_call(f->loop, complete_on_loop, c, free_completion);
  if (h == nullptr) {
    discard();
    return fail(AC_ENOMEM);
  }
  int rc = f->loop->submit_threadsafe(h);
  if (rc != 0) {
    h->free_ud = nullptr;  // free_completion would drop the caller's reference
    h->release_callback();
    delete h;
    discard();
  }
  return rc;
}

static int read_outcome(ac_future *f) noexcept {
  if (f->state == AC_FUTURE_PENDING) return fail(AC_ESTATE);
  if (f->state == AC_FUTURE_RESULT) return 0;
  f->mark_error_retrieved();
  if (f->state == AC_FUTURE_CANCELLED || f->error == nullptr) return fail(AC_ECANCELLED);
  return f->error->code;
}

// A done future's outcome (0 when it holds a result, read in place by the
// caller), or why there is none.
static int read_result_in_place(ac_future *f) noexcept {
  int rc = check_future(f);
  if (rc != 0) return rc;
  if (f->state == AC_FUTURE_PENDING) return ac::shim::fail(AC_ESTATE, "Result is not set.");
  return read_outcome(f);
}
AC_API int ac_future_result(ac_future *f, ac_value *out) noexcept {
  int rc = read_result_in_place(f);
  if (rc == 0 && out != nullptr) *out = f->result;
  return rc;
}
AC_API int ac_future_result_int64(ac_future *f, int64_t *out) noexcept {
  int rc = read_result_in_place(f);
  if (rc != 0) return rc;
  if (f->result.kind != AC_VALUE_INT64 || out == nullptr) return fail(AC_EINVAL);
  *out = f->result.u.i64;
  return 0;
}
AC_API int ac_future_result_double(ac_future *f, double *out) noexcept {
  int rc = read_result_in_place(f);
  if (rc != 0) return rc;
  if (f->result.kind != AC_VALUE_DOUBLE || out == nullptr) return fail(AC_EINVAL);
  *out = f->result.u.f64;
  return 0;
}
AC_API int ac_future_take_result(ac_future *f, ac_value *out) noexcept {
  int rc = check_future(f);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL);
  rc = read_outcome(f);
  if (rc == 0) ac::value_move(out, &f->result);
  return rc;
}
AC_API int ac_future_exception(ac_future *f, ac_error **out) noexcept {
  int rc = check_future(f);
  if (rc != 0) return rc;
  if (out == nullptr) return ac::shim::fail(AC_EINVAL, nullptr);
  if (f->state == AC_FUTURE_PENDING) return ac::shim::fail(AC_ESTATE, "Exception is not set.");
  f->mark_error_retrieved();
  if (f->state == AC_FUTURE_CANCELLED) return ac::shim::fail(AC_ECANCELLED, "");
  *out = f->state == AC_FUTURE_ERROR ? f->error : nullptr;
  return 0;
}

AC_API ac_error *ac_future_error(ac_future *f) noexcept {
  if (!ac::is_future(f) || f->state == AC_FUTURE_PENDING || f->state == AC_FUTURE_RESULT)
    return nullptr;
  f->mark_error_retrieved();
  return f->error;
}

AC_API int ac_future_add_done_callback(ac_future *f, ac_future_callback_fn fn, void *ud,
                                       ac_free_fn free_ud) noexcept {
  int rc = ac::is_future(f) ? check_loop(f->loop) : fail(AC_EINVAL);
  if (rc == 0 && fn == nullptr) rc = fail(AC_EINVAL);
  if (rc != 0) {
    run_free(free_ud, ud);
    return rc;
  }
  auto *cb = new (std::nothrow) ac::FutureCallback(fn, ud, free_ud, nullptr);
  if (cb == nullptr) {
    run_free(free_ud, ud);
    return fail(AC_ENOMEM);
  }
  cb->context = ac::context_ref(*f->loop->current_context);
  try {
    f->add_callback(cb);
  } catch (...) {
    delete cb;
    return fail(AC_ENOMEM);
  }
  return 0;
}

AC_API int64_t ac_future_remove_done_callback(ac_future *f, ac_future_callback_fn fn, void *ud) noexcept {
  int rc = check_future(f);
  if (rc != 0) return rc;
  return f->remove_user_callbacks(fn, ud);
}

AC_API int ac_sleep(ac_loop *loop, double seconds, ac_future **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  // asyncio: a delay <= 0 is sleep(0), NaN is refused.
  if (std::isnan(seconds) || out == nullptr) return fail(AC_EINVAL);
  if (seconds < 0) seconds = 0;
  AC_GUARD(*out = ac::sleep_new(loop, seconds); return 0;)
}
