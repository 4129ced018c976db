/*
 * await.c — the await API (await.h) and the two natives that are nothing
 * but a wait: await(x) and sleep(seconds).
 *
 * A native suspends its task by yielding from the task's coroutine after
 * it registered the wait with the library (ac_task_await, ac_task_sleep,
 * ac_task_await_owned) and noted what the step returns in the task's
 * `pending`. The step (step.c) sees the note, returns it to the library
 * and, once the wait is over, resumes the coroutine with `true, values...`
 * or `false, error object`, which reaches the native's continuation
 * (Lua 5.4: resumed_k) or, on LuaJIT, the Lua wrapper of the native.
 */
#include "await.h"
#include "natives.h"
#include "task.h"

#if ACL_HAS_K
/* Once resumed (stack: [kept value,] true, values... | false, error). */
static int resumed_k(lua_State *L, int status, lua_KContext ctx) {
  int mode = (int)ctx;
  int base = mode == ACL_K_KEEP || mode == ACL_K_SOURCE ? 1 : 0;
  (void)status;
  if (!lua_toboolean(L, base + 1)) {
    lua_settop(L, base + 2);
    return lua_error(L);
  }
  switch (mode) {
    case ACL_K_TRUE:
      lua_pushboolean(L, 1);
      return 1;
    case ACL_K_KEEP:
      lua_pushvalue(L, 1);
      return 1;
    case ACL_K_NONE:
      return 0;
    case ACL_K_SOURCE:
      /* A future standing for another's outcome: the values are read
       * from the source. */
      lua_settop(L, 1);
      lua_getfield(L, 1, "_source_values");
      lua_insert(L, 1);
      lua_call(L, 1, LUA_MULTRET);
      return lua_gettop(L);
    default:
      return lua_gettop(L) - base - 1;
  }
}
#endif

/* The outcome of the done future f, as a native that did not suspend
 * returns it: its values, or its error raised (on LuaJIT: false, error). */
static int push_done_outcome(lua_State *L, acl_state *st, ac_future *f) {
  ac_value v;
  int base = lua_gettop(L);
  if (ac_future_result(f, &v) == 0) return acl_return_now(L, acl_push_value(L, st, &v));
  {
    ac_error *err = ac_future_error(f);
    if (err != NULL) {
      acl_push_error_object(L, st, err);
    } else {
      acl_push_made_error(L, st, AC_ECANCELLED, NULL);
    }
  }
#if ACL_HAS_K
  (void)base;
  return lua_error(L);
#else
  lua_pushboolean(L, 0);
  lua_insert(L, base + 1);
  return 2;
#endif
}

acl_task *acl_waiting_task(lua_State *L, acl_state *st, const char *what) {
  acl_task *ts = acl_running_task(L, st);
  if (ts == NULL) {
    acl_raise_misuse(L, st,
                     "%s: only a task's coroutine can await (use asyncore.run or create_task)",
                     what);
    return NULL;
  }
  return ts;
}

/* Suspends the native's task: `pending` (AC_STEP_AWAIT after the wait was
 * registered, or AC_STEP_YIELD) is what the step returns. Returns the
 * native's return value (`return suspend(...)`). */
static int suspend(lua_State *L, acl_task *ts, int pending, int mode) {
  ts->pending = pending;
#if ACL_HAS_K
  if (mode != ACL_K_KEEP && mode != ACL_K_SOURCE) lua_settop(L, 0);
  return lua_yieldk(L, 0, (lua_KContext)mode, resumed_k);
#else
  /* The values the coroutine is resumed with are the native's results. */
  (void)mode;
  lua_settop(L, 0);
  return lua_yield(L, 0);
#endif
}

/* Hands f (owned) to the running task ts as its await; raises (does not
 * return) when the coroutine cannot yield or the await is refused. */
static void hand_await(lua_State *L, acl_state *st, acl_task *ts, ac_future *f) {
  int rc;
  if (!lua_isyieldable(L)) {
    /* The callers check this before they make f: a safety net. */
    ac_future_cancel(f, NULL);
    ac_future_unref(f);
    luaL_error(L, "attempt to yield across a C-call boundary");
    return;
  }
  rc = ac_task_await_owned(ts->task, f);
  if (rc != AC_STEP_AWAIT) acl_raise_code(L, st, rc, NULL);
}

int acl_await_owned(lua_State *L, acl_state *st, acl_task *ts, ac_future *f, int mode) {
  hand_await(L, st, ts, f);
  return suspend(L, ts, AC_STEP_AWAIT, mode);
}

acl_task *acl_awaiting_task(lua_State *L, acl_state *st) {
  acl_task *ts = acl_running_task(L, st);
  return ts != NULL && lua_isyieldable(L) ? ts : NULL;
}

void acl_check_yieldable(lua_State *L) {
  if (!lua_isyieldable(L)) luaL_error(L, "attempt to yield across a C-call boundary");
}

#if ACL_HAS_K
int acl_await_owned_k(lua_State *L, acl_state *st, acl_task *ts, ac_future *f, lua_KContext ctx,
                      lua_KFunction k) {
  hand_await(L, st, ts, f);
  ts->pending = AC_STEP_AWAIT;
  return lua_yieldk(L, 0, ctx, k);
}
#endif

int acl_return_now(lua_State *L, int n) {
#if ACL_HAS_K
  return n;
#else
  lua_pushboolean(L, 1);
  lua_insert(L, -n - 1);
  return n + 1;
#endif
}

/* await(x) -> x's values (Lua 5.4); true, values | false, error (LuaJIT).
 * Suspends the running task until the Task or core future x is done (on
 * Lua 5.4 also a Future object of the Lua layer: a table whose _f is the
 * core future, and whose _source_values, if any, gives the values). */
int acl_await(lua_State *L) {
  acl_state *st = ACL_ST(L);
  acl_task *ts = acl_waiting_task(L, st, "asyncore.await");
  ac_future *f;
  int rc, mode = ACL_K_VALUES;
  /* A Task object is recognised as SWIG's wrapper of a task. */
  if (ACL_HAS_K && lua_type(L, 1) == LUA_TTABLE) {
    lua_settop(L, 1);
    lua_getfield(L, 1, "_f");
    f = acl_to_future(L, 2);
    if (f != NULL) {
      lua_getfield(L, 1, "_source_values");
      if (!lua_isnil(L, -1)) mode = ACL_K_SOURCE;
    }
  } else {
    f = acl_to_future(L, 1);
  }
  if (f == NULL)
    return luaL_error(L, "asyncore: a Future or Task expected, got %s", luaL_typename(L, 1));
  if (f == ac_task_future(ts->task)) {
    /* asyncio throws RuntimeError into a task that awaits itself. */
    lua_pushfstring(L, "Task cannot await on itself: <Task %s>", ac_task_name(ts->task));
    acl_push_made_error(L, st, AC_EMISUSE, lua_tostring(L, -1));
    return lua_error(L);
  }
  if (ac_future_done(f) == 1) {
    /* A done future does not suspend the task (asyncio): its outcome now
     * (for a future standing for another's outcome, read from the source
     * once it holds a result). */
    if (mode == ACL_K_SOURCE && ac_future_state_of(f) == AC_FUTURE_RESULT) {
      lua_settop(L, 1);
      lua_getfield(L, 1, "_source_values");
      lua_insert(L, 1);
      lua_call(L, 1, LUA_MULTRET);
      return acl_return_now(L, lua_gettop(L));
    }
    return push_done_outcome(L, st, f);
  }
  acl_check_yieldable(L);
  rc = ac_task_await(ts->task, f);
  if (rc != AC_STEP_AWAIT) {
    acl_push_made_error(L, st, rc,
                    rc == AC_EINVAL ? "a task cannot await itself or a future of another loop"
                                    : NULL);
    return lua_error(L);
  }
  if (mode == ACL_K_SOURCE) lua_settop(L, 1);
  return suspend(L, ts, AC_STEP_AWAIT, mode);
}

/* sleep(seconds, result) -> result (Lua 5.4); true | false, error
 * (LuaJIT). 0 or less: one loop iteration. */
int acl_sleep(lua_State *L) {
  acl_state *st = ACL_ST(L);
  acl_task *ts = acl_running_task(L, st);
  double seconds = (double)luaL_optnumber(L, 1, 0);
  int rc;
  if (ts == NULL) return acl_raise_misuse(L, st, "%s: not inside a task", "asyncore.sleep");
  acl_check_yieldable(L);
  lua_settop(L, 2);
  lua_replace(L, 1); /* keep result */
  if (seconds <= 0) return suspend(L, ts, AC_STEP_YIELD, ACL_K_KEEP);
  rc = ac_task_sleep(ts->task, seconds);
  if (rc != AC_STEP_AWAIT) return acl_raise_code(L, st, rc, "sleep");
  return suspend(L, ts, AC_STEP_AWAIT, ACL_K_KEEP);
}

