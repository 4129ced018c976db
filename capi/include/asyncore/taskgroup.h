/**
 * \file
 * asyncore/taskgroup.h — task groups (asyncio.TaskGroup): structured
 * concurrency for step tasks.
 *
 * A task (the parent) opens a group in its step, spawns tasks into it,
 * goes on with its own awaits (the body), then joins: it awaits the
 * group's join future, which completes once every task of the group is
 * done.
 *
 *   ac_taskgroup_new(task, &s->tg);
 *   ac_taskgroup_spawn(s->tg, child_step, st, free_st, 0, NULL);
 *   ... the body's own awaits ...
 *   ac_taskgroup_join(s->tg, body_outcome, NULL, &join);
 *   AC_AWAIT(s, ac_task_await_owned(task, join));
 *   rc = ac_task_outcome(task);   // 0, AC_EGROUP or AC_ECANCELLED
 *
 * Rules (asyncio 3.13):
 *  - The first task of the group to fail cancels every other task of the
 *    group and the parent (so the body's current await, or the join, sees
 *    AC_ECANCELLED); the group takes that cancellation back when it
 *    finishes (ac_task_uncancel), so it does not leak out of the group.
 *  - The join fails with one AC_EGROUP error whose children
 *    (ac_error_child) are the tasks' errors in the order they failed,
 *    followed by the body's own error if it joined with one. Cancelled
 *    tasks are not errors. The message is "unhandled errors in a TaskGroup
 *    (N sub-exception[s])", as Python prints the ExceptionGroup.
 *  - A body that joins with an error or a cancellation cancels the tasks.
 *    Cancelling the parent while it awaits the join cancels the tasks too;
 *    either way the join still waits for all of them, then ends cancelled
 *    unless tasks failed (errors win over a cancellation). If the parent
 *    was also cancelled from outside while the group failed, the join
 *    delivers the group error and the outside cancellation is delivered
 *    again at the parent's next await that suspends (asyncio's
 *    uncancel() + cancel() in __aexit__).
 *  - Spawning after the join completed ("TaskGroup is finished") or once
 *    the group is aborting ("TaskGroup is shutting down") is refused with
 *    AC_EMISUSE (asyncio's RuntimeError; the reason through
 *    ac_last_error_message); spawning while the join waits for the last
 *    tasks is allowed.
 *
 * The group is a future (the join future is the group itself) and is
 * reference counted with the future calls; ac_taskgroup_unref drops one.
 * Loop thread only. None of these runs callbacks, except a spawn with
 * AC_TASK_EAGER, which runs the new task's first step.
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_TASKGROUP_H
#define ASYNCORE_TASKGROUP_H

#include "common.h"
#include "error.h"
#include "future.h"
#include "task.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A task group (asyncio.TaskGroup); reference counted. */
typedef struct ac_taskgroup ac_taskgroup;

/** Opens a group whose parent is `parent`, which must be the task whose step
 * is running (asyncio: the current task). `out` receives one reference.
 * Errors: AC_EINVAL (NULL), AC_EMISUSE (not called from parent's step),
 * AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_taskgroup_new(ac_task *parent, ac_taskgroup **out) AC_NOEXCEPT;
/** Adds a reference to `tg` and returns it; NULL is accepted. */
AC_EXPORT ac_taskgroup *ac_taskgroup_ref(ac_taskgroup *tg) AC_NOEXCEPT;
/** Drops a reference to `tg`; NULL is accepted. */
AC_EXPORT void ac_taskgroup_unref(ac_taskgroup *tg) AC_NOEXCEPT;

/** Creates a task in the group: as ac_task_new (same arguments, same
 * ownership of state), and the group watches it. Errors: as ac_task_new,
 * and AC_EINVAL for a NULL group, AC_EMISUSE when the group is finished or
 * shutting down (free_state runs at once). */
AC_EXPORT int ac_taskgroup_spawn(ac_taskgroup *tg, ac_step_fn step, void *state,
                                 ac_free_fn free_state, uint32_t flags,
                                 ac_task **out) AC_NOEXCEPT;
/** As ac_task_new_copy, in the group. Errors: as ac_taskgroup_spawn (on
 * error free_state runs at once on `init`). */
AC_EXPORT int ac_taskgroup_spawn_copy(ac_taskgroup *tg, ac_step_fn step, const void *init,
                                      size_t state_size, ac_free_fn free_state,
                                      uint32_t flags, ac_task **out,
                                      void **state_out) AC_NOEXCEPT;
/** As ac_task_new_inline, in the group. Errors: as ac_taskgroup_spawn. */
AC_EXPORT int ac_taskgroup_spawn_inline(ac_taskgroup *tg, ac_step_fn step, size_t state_size,
                                        uint32_t flags, ac_task **out,
                                        void **state_out) AC_NOEXCEPT;

/** Leaves the group's body, from the parent's step: `body_outcome` is how
 * the body ended (0, an error code, or AC_ECANCELLED; usually
 * ac_task_outcome), `body_error` optionally the error it ended with
 * (borrowed; its code must be body_outcome). `out` receives a reference to
 * the join future (the group's own future view): await it. It completes
 * with NONE, or fails with AC_EGROUP, or is cancelled (see the rules).
 * Errors: AC_EINVAL (NULL tg or out, body_outcome > 0, body_error whose
 * code differs), AC_EMISUSE (joined before, or not from the parent's
 * step), AC_ENOMEM. */
AC_EXPORT int ac_taskgroup_join(ac_taskgroup *tg, int body_outcome, ac_error *body_error,
                                ac_future **out) AC_NOEXCEPT;

/** The number of tasks of the group not yet done; AC_EINVAL for NULL. */
AC_EXPORT int64_t ac_taskgroup_size(const ac_taskgroup *tg) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
