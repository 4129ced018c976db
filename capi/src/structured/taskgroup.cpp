// taskgroup.cpp — ac_taskgroup_* at the boundary.
#include <new>

#include "structured/taskgroup.hpp"
#include "../shim.hpp"

using ac::shim::check_loop;
using ac::shim::fail;
using ac::shim::run_free;

static ac_taskgroup *valid_group(const ac_taskgroup *tg) noexcept {
  // is_group is set by the group's constructor only (no dynamic_cast, which
  // compares type names, at each spawn).
  if (!ac::is_future(tg) || !tg->is_group) return nullptr;
  return const_cast<ac_taskgroup *>(tg);
}

AC_API int ac_taskgroup_new(ac_task *parent, ac_taskgroup **out) noexcept {
  if (ac_task_future(parent) == nullptr || out == nullptr) return fail(AC_EINVAL);
  int rc = check_loop(parent->loop);
  if (rc != 0) return rc;
  if (parent->loop->current_task != parent || !parent->stepping() || parent->done())
    return fail(AC_EMISUSE, "TaskGroup cannot determine the parent task");
  auto *tg = new (std::nothrow) ac_taskgroup(parent->loop, parent);
  if (tg == nullptr) return fail(AC_ENOMEM);
  *out = tg;
  return 0;
}

AC_API ac_taskgroup *ac_taskgroup_ref(ac_taskgroup *tg) noexcept {
  if (valid_group(tg) != nullptr) tg->ref();
  return tg;
}
AC_API void ac_taskgroup_unref(ac_taskgroup *tg) noexcept {
  if (valid_group(tg) != nullptr) tg->unref();
}

// Puts a task just created under the group; on failure the task is
// cancelled (it has not run unless eager) and the error returned.
static int adopt(ac_taskgroup *tg, ac_task *t, ac_task **out) noexcept {
  try {
    tg->add(t);
  } catch (...) {
    t->cancel(nullptr);
    t->unref();
    return fail(AC_ENOMEM);
  }
  if (out != nullptr) {
    *out = t;
  } else {
    t->unref();
  }
  return 0;
}

// 0 when a task may be created in the group now, else the code to return.
static int check_spawn(ac_taskgroup *tg) noexcept {
  int rc = valid_group(tg) == nullptr ? AC_EINVAL : check_loop(tg->loop);
  if (rc != 0) return rc;
  const char *why = tg->spawn_refusal();
  return why != nullptr ? fail(AC_EMISUSE, why) : 0;
}

AC_API int ac_taskgroup_spawn(ac_taskgroup *tg, ac_step_fn step, void *state,
                              ac_free_fn free_state, uint32_t flags, ac_task **out) noexcept {
  int rc = check_spawn(tg);
  if (rc != 0) {
    run_free(free_state, state);
    return rc;
  }
  ac_task *t;
  rc = ac_task_new(tg->loop, step, state, free_state, flags, &t);
  if (rc != 0) return rc;
  return adopt(tg, t, out);
}

AC_API int ac_taskgroup_spawn_copy(ac_taskgroup *tg, ac_step_fn step, const void *init,
                                   size_t state_size, ac_free_fn free_state, uint32_t flags,
                                   ac_task **out, void **state_out) noexcept {
  int rc = check_spawn(tg);
  if (rc != 0) {
    run_free(free_state, const_cast<void *>(init));
    return rc;
  }
  ac_task *t;
  rc = ac_task_new_copy(tg->loop, step, init, state_size, free_state, flags, &t, state_out);
  if (rc != 0) return rc;
  return adopt(tg, t, out);
}

AC_API int ac_taskgroup_spawn_inline(ac_taskgroup *tg, ac_step_fn step, size_t state_size,
                                     uint32_t flags, ac_task **out, void **state_out) noexcept {
  int rc = check_spawn(tg);
  if (rc != 0) return rc;
  ac_task *t;
  rc = ac_task_new_inline(tg->loop, step, state_size, flags, &t, state_out);
  if (rc != 0) return rc;
  return adopt(tg, t, out);
}

AC_API int ac_taskgroup_join(ac_taskgroup *tg, int body_outcome, ac_error *body_error,
                             ac_future **out) noexcept {
  if (valid_group(tg) == nullptr || out == nullptr || body_outcome > 0) return fail(AC_EINVAL);
  if (body_error != nullptr && (body_outcome >= 0 || body_error->code != body_outcome))
    return fail(AC_EINVAL);
  int rc = check_loop(tg->loop);
  if (rc != 0) return rc;
  AC_GUARD(rc = tg->join(body_outcome, body_error);
           if (rc != 0) return fail(rc, "TaskGroup has already been exited or is not the current task's");
           tg->ref(); *out = tg; return 0;)
}

AC_API int64_t ac_taskgroup_size(const ac_taskgroup *tg) noexcept {
  ac_taskgroup *g = valid_group(tg);
  return g != nullptr ? static_cast<int64_t>(g->live) : fail(AC_EINVAL);
}
