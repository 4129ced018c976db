/*
 * task.h — the core of the Lua binding: a Lua task (a coroutine driven by
 * libasyncore's step protocol) and its Task object. Read by the core's own
 * files (task.c, step.c), by the await API (await.c) and by the
 * registration (module.c); the primitives go through await.h instead.
 */
#ifndef ASYNCORE_LUA_TASK_H
#define ASYNCORE_LUA_TASK_H

#include "acl.h"

/* Lua 5.4 keeps the Task object's Loop object, and the function of a task
 * that has not started (no slot needed for it), in the object's user
 * values; Lua 5.1 and LuaJIT keep the Loop object as its environment. */
#if LUA_VERSION_NUM >= 504
#define ACL_FN_IN_OBJECT 1
#else
#define ACL_FN_IN_OBJECT 0
#endif

/* How many coroutines of finished tasks are kept for the next tasks. */
#define ACL_POOL_DEFAULT 128

/* The state of one Lua task; the task owns it (freed by acl_task_free). */
struct acl_task {
  acl_state *st;
  /* Borrowed: set once the task exists (the task frees this block before
   * it goes away); NULL until then. */
  ac_task *task;
  /* The coroutine, anchored by co_slot; NULL until the first step for a
   * task made without arguments (its function waits in fn_slot). */
  lua_State *co;
  acl_task_object *obj; /* the Task object's block (anchored by obj_slot) */
  acl_task *prev, *next; /* acl_state.tasks */
  int co_slot;   /* slot of the coroutine, or 0 */
  int fn_slot;   /* slot of the function of a task not started yet, or 0 */
  int obj_slot;  /* slot of the Task object while the task lives */
  int nargs;     /* arguments waiting on the coroutine for its first resume */
  /* Set by the await API (await.c) right before the coroutine
   * yields from a native that registered what it waits for: the step
   * returns it (AC_STEP_AWAIT or AC_STEP_YIELD). 0: the coroutine yielded
   * by itself (coroutine.yield). */
  unsigned char pending;
  unsigned char own_co;  /* the coroutine is ours (not the caller's): reusable */
  unsigned char started; /* resumed at least once */
};
/* A Lua task is one block: the task (160 bytes), the word of its free
 * function, then this; at most 72 bytes keeps the block at 240. */
typedef char acl_task_fits[sizeof(struct acl_task) <= 72 ? 1 : -1];

/* ---- task.c: Task objects, spawning ---- */

/* The running task when L is its coroutine, else NULL. Never raises. */
static inline acl_task *acl_running_task(lua_State *L, acl_state *st) {
  acl_task *ts = st->current;
  return ts != NULL && ts->co == L ? ts : NULL;
}
/* Pushes the class of Task objects, made on the first call in a state
 * (the Lua layer adds the methods), which also sets the core's defaults
 * (the pool's size). May raise. */
ACL_INTERNAL void acl_push_task_class(lua_State *L, acl_state *st);
/* The state's detach_tasks (acl_state_open): the Lua state is closing
 * (st->L is NULL already); cancels the live Lua tasks, which end at their
 * next step, and drops the pooled coroutines. */
ACL_INTERNAL void acl_detach_tasks(acl_state *st);

/* ---- step.c: the step, task blocks, the coroutine pool ---- */

/* The step function and free_state of every Lua task (ac_task_new). */
ACL_INTERNAL int acl_task_step(ac_task *task, void *state);
ACL_INTERNAL void acl_task_free(void *state);
/* A zeroed task block with room in front for its task (spawn makes the
 * task there: AC_TASK_IN_STATE), or NULL. */
ACL_INTERNAL acl_task *acl_task_block(void);
/* Adds a new coroutine to the pool unless it is full. May raise. */
ACL_INTERNAL void acl_pool_add_new(lua_State *L, acl_state *st);
/* A coroutine for a task made with arguments: from the pool, else new,
 * with its slot. May raise. */
ACL_INTERNAL lua_State *acl_pool_take(lua_State *L, acl_state *st, int *slot);

#endif
