// queue.cpp — ac_queue_* at the boundary.
#include <cstdlib>

#include "core/value.hpp"
#include "sync/queue.hpp"
#include "../shim.hpp"

using ac::shim::check_loop;
using ac::shim::check_loop_fast;
using ac::shim::fail;

namespace {

bool is_queue(const ac_queue *q) noexcept { return q != nullptr && q->magic == ac::kQueueMagic; }

int check(const ac_queue *q) noexcept {
  if (!is_queue(q)) return fail(AC_EINVAL, nullptr);
  if (q->loop->closed) return fail(AC_ECLOSED, "Event loop is closed");
  return check_loop_fast(q->loop);
}

// Undoes value_copy_in when the queue did not take the item: our copy of
// bytes goes, a pointer stays the caller's (its destructor must not run).
void discard_copy(ac_value *v) noexcept {
  if (v->kind == AC_VALUE_BYTES) std::free(v->u.bytes.data);
  ac::value_init(v);
}

int put(ac_queue *q, int64_t priority, const ac_value *item, ac_future **out) noexcept {
  int rc = check(q);
  if (rc != 0) return rc;
  if (item == nullptr || !ac::shim::valid_value(item)) return fail(AC_EINVAL, nullptr);
  if (q->shut) return fail(AC_ESHUTDOWN, "");
  if (out == nullptr && q->full()) return fail(AC_EFULL, "");
  ac_value owned;
  rc = ac::value_copy_in_valid(&owned, item);
  if (rc != 0) return rc;
  try {
    rc = out != nullptr ? q->put(&owned, priority, out) : q->put_nowait(&owned, priority);
  } catch (...) {
    rc = fail(AC_ENOMEM);
  }
  if (rc != 0) {
    discard_copy(&owned);
    return fail(rc, rc == AC_EFULL || rc == AC_ESHUTDOWN ? "" : nullptr);
  }
  return 0;
}

}  // namespace

AC_API int ac_queue_new(ac_loop *loop, int kind, size_t maxsize, ac_queue **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr || kind < AC_QUEUE_FIFO || kind > AC_QUEUE_PRIORITY)
    return fail(AC_EINVAL, nullptr);
  AC_GUARD({
    auto *finished = new ac_event(loop);
    try {
      // A size beyond INT64_MAX (a negative size passed through size_t)
      // reads as negative: unbounded, as asyncio's maxsize <= 0.
      *out = new ac_queue(loop, kind, static_cast<int64_t>(maxsize), finished);
    } catch (...) {
      finished->unref();
      throw;
    }
    return 0;
  })
}
AC_API ac_queue *ac_queue_ref(ac_queue *q) noexcept {
  if (is_queue(q)) q->ref();
  return q;
}
AC_API void ac_queue_unref(ac_queue *q) noexcept {
  if (is_queue(q)) q->unref();
}

AC_API int ac_queue_put(ac_queue *q, const ac_value *item, ac_future **out) noexcept {
  if (out == nullptr) return fail(AC_EINVAL, nullptr);
  return put(q, 0, item, out);
}
AC_API int ac_queue_put_nowait(ac_queue *q, const ac_value *item) noexcept {
  return put(q, 0, item, nullptr);
}
AC_API int ac_queue_put_priority(ac_queue *q, int64_t priority, const ac_value *item,
                                 ac_future **out) noexcept {
  if (out == nullptr || (is_queue(q) && q->kind != AC_QUEUE_PRIORITY)) return fail(AC_EINVAL, nullptr);
  return put(q, priority, item, out);
}
AC_API int ac_queue_put_priority_nowait(ac_queue *q, int64_t priority,
                                        const ac_value *item) noexcept {
  if (is_queue(q) && q->kind != AC_QUEUE_PRIORITY) return fail(AC_EINVAL, nullptr);
  return put(q, priority, item, nullptr);
}

AC_API int ac_queue_get(ac_queue *q, ac_future **out) noexcept {
  int rc = check(q);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL, nullptr);
  AC_GUARD({
    rc = q->get(out);
    return rc == 0 ? 0 : fail(rc, "");
  })
}
AC_API int ac_queue_get_nowait(ac_queue *q, ac_value *out, int64_t *priority) noexcept {
  int rc = check(q);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL, nullptr);
  rc = q->get_nowait(out, priority);
  return rc == 0 ? 0 : fail(rc, "");
}

AC_API int64_t ac_queue_qsize(const ac_queue *q) noexcept {
  return is_queue(q) ? static_cast<int64_t>(q->size()) : int64_t{AC_EINVAL};
}
AC_API int ac_queue_empty(const ac_queue *q) noexcept {
  return is_queue(q) ? (q->size() == 0 ? 1 : 0) : fail(AC_EINVAL);
}
AC_API int ac_queue_full(const ac_queue *q) noexcept {
  return is_queue(q) ? (q->full() ? 1 : 0) : fail(AC_EINVAL);
}
AC_API int64_t ac_queue_maxsize(const ac_queue *q) noexcept {
  return is_queue(q) ? q->maxsize : int64_t{AC_EINVAL};
}

AC_API int ac_queue_task_done(ac_queue *q) noexcept {
  int rc = check(q);
  if (rc != 0) return rc;
  rc = q->task_done();
  return rc == 0 ? 0 : fail(rc, "task_done() called too many times");
}
AC_API int ac_queue_join(ac_queue *q, ac_future **out) noexcept {
  int rc = check(q);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL, nullptr);
  AC_GUARD(*out = q->join(); return 0;)
}

AC_API int ac_queue_shutdown(ac_queue *q, int immediate) noexcept {
  int rc = check(q);
  if (rc != 0) return rc;
  q->shutdown(immediate != 0);
  return 0;
}
AC_API int ac_queue_is_shutdown(const ac_queue *q) noexcept {
  return is_queue(q) ? (q->shut ? 1 : 0) : fail(AC_EINVAL);
}
