/*
 * task.c — a Lua coroutine driven as a libasyncore task.
 *
 * The step protocol (asyncore/task.h) maps onto coroutines one to one:
 *
 *   step         resume the coroutine (first: with its arguments; after an
 *                await: with `true, values...` or `false, error object`);
 *   yield(fut)   the coroutine awaits fut: the step registers it with
 *                ac_task_await and returns AC_STEP_AWAIT;
 *   yield()      sleep(0): AC_STEP_YIELD;
 *   return ...   the task's result (the values, packed when several);
 *   error(e)     the task fails: a library error object keeps its code (a
 *                CancelledError ends the task cancelled), anything else
 *                fails it with AC_EHOST, the message and the coroutine's
 *                traceback, and e itself as the error's payload, so whoever
 *                awaits the task gets e back.
 *
 * Each step runs inside acl_protect on the callback thread; the coroutine
 * is resumed from there, so a Lua error never crosses the library's frames.
 */
#include <stdlib.h>

#include "acl.h"

struct step_ctx {
  acl_task *ts;
  ac_task *task;
  int rc; /* what the step returns */
};

static void unlink_task(acl_task *ts) {
  if (ts->prev != NULL)
    ts->prev->next = ts->next;
  else
    ts->st->tasks = ts->next;
  if (ts->next != NULL) ts->next->prev = ts->prev;
  ts->prev = ts->next = NULL;
}

/* free_state: once, when the task finishes or is freed. */
static void task_free(void *state) {
  acl_task *ts = (acl_task *)state;
  acl_state *st = ts->st;
  unlink_task(ts);
  if (st->L != NULL) luaL_unref(st->L, LUA_REGISTRYINDEX, ts->co_ref);
  acl_state_release(st);
  free(ts);
}

/* Moves the n values on top of L to co. */
static void move_to(lua_State *L, lua_State *co, int n) {
  if (!lua_checkstack(co, n + 1)) luaL_error(L, "asyncore: coroutine stack overflow");
  lua_xmove(L, co, n);
}

/* Pushes `false, error object` for a failure of `code` made here. */
static int push_failure(lua_State *L, lua_State *co, acl_state *st, int code,
                        const char *message) {
  ac_error *err = NULL;
  if (ac_error_new(code, message, NULL, &err) != 0) luaL_error(L, "out of memory");
  lua_pushboolean(L, 0);
  /* err leaks if the factory raises; only on out-of-memory. */
  acl_push_error_object(L, st, err);
  ac_error_unref(err);
  move_to(L, co, 2);
  return 2;
}

/* Pushes onto co what the last await ended with; returns the count. */
static int push_outcome(lua_State *L, lua_State *co, acl_state *st, ac_task *task) {
  int rc = ac_task_outcome(task);
  ac_future *awaited = ac_task_awaited(task);
  int base = lua_gettop(L);
  if (rc == 0) {
    ac_value v;
    lua_pushboolean(L, 1);
    if (awaited != NULL && ac_future_result(awaited, &v) == 0) acl_push_value(L, st, &v);
  } else {
    ac_error *err = awaited != NULL ? ac_future_error(awaited) : NULL;
    /* A cancellation delivered to a task whose awaited future completed
     * (the task was cancelled while ready) has no error of its own. */
    if (err == NULL || (rc == AC_ECANCELLED && ac_error_code(err) != AC_ECANCELLED))
      return push_failure(L, co, st, rc, NULL);
    lua_pushboolean(L, 0);
    acl_push_error_object(L, st, err);
  }
  {
    int n = lua_gettop(L) - base;
    move_to(L, co, n);
    return n;
  }
}

static int resume(lua_State *co, lua_State *from, int nargs, int *nres) {
#if LUA_VERSION_NUM >= 504
  return lua_resume(co, from, nargs, nres);
#elif LUA_VERSION_NUM >= 502
  int status = lua_resume(co, from, nargs);
  *nres = lua_gettop(co);
  return status;
#else
  int status;
  (void)from;
  status = lua_resume(co, nargs);
  *nres = lua_gettop(co);
  return status;
#endif
}

/* The coroutine finished with the nres values on its stack. */
static void finish(lua_State *L, lua_State *co, struct step_ctx *c, int nres) {
  ac_value v;
  int base, rc;
  if (!lua_checkstack(L, nres + 2)) luaL_error(L, "asyncore: stack overflow");
  lua_xmove(co, L, nres);
  base = lua_gettop(L) - nres + 1;
  rc = acl_to_value(L, c->ts->st, base, nres, &v);
  if (rc != 0) {
    c->rc = ac_task_fail(c->task, rc, NULL);
    return;
  }
  rc = ac_task_return(c->task, &v);
  if (rc < 0) {
    acl_value_discard(&v);
    c->rc = ac_task_fail(c->task, rc, "the task's result could not be stored");
    return;
  }
  c->rc = AC_STEP_DONE;
}

/* The coroutine raised; its error value is on top of co. */
static void fail(lua_State *L, lua_State *co, struct step_ctx *c) {
  ac_error *err;
  int e;
  lua_xmove(co, L, 1);
  e = lua_gettop(L);
  luaL_traceback(L, co, acl_error_text(L, e), 0);
  err = acl_error_from_lua(L, c->ts->st, e, lua_tostring(L, -1));
  if (err == NULL) {
    c->rc = ac_task_fail(c->task, AC_ENOMEM, NULL);
    return;
  }
  c->rc = ac_task_raise(c->task, err);
  ac_error_unref(err);
}

static int step_body(lua_State *L) {
  struct step_ctx *c = (struct step_ctx *)lua_touserdata(L, 1);
  acl_task *ts = c->ts;
  acl_state *st = ts->st;
  lua_State *co;
  int nargs;
  lua_rawgeti(L, LUA_REGISTRYINDEX, ts->co_ref);
  co = lua_tothread(L, -1);
  if (co == NULL) return luaL_error(L, "asyncore: the task's coroutine is gone");
  if (!ts->started) {
    ts->started = 1;
    nargs = ts->nargs;
  } else {
    nargs = push_outcome(L, co, st, c->task);
  }
  for (;;) {
    int nres = 0;
    int status = resume(co, L, nargs, &nres);
    if (status == LUA_YIELD) {
      ac_future *fut;
      int rc;
      if (nres == 0) {
        c->rc = AC_STEP_YIELD;
        return 0;
      }
      fut = acl_to_future(co, -nres);
      if (fut == NULL) {
        lua_pop(co, nres);
        nargs = push_failure(L, co, st, AC_EINVAL,
                             "a task's coroutine yielded a value that is not a Future or Task "
                             "(use asyncore.await)");
        continue;
      }
      /* The task takes its own reference: the wrapper may go now. */
      rc = ac_task_await(c->task, fut);
      lua_pop(co, nres);
      if (rc == AC_STEP_AWAIT) {
        c->rc = rc;
        return 0;
      }
      nargs = push_failure(L, co, st, rc,
                           rc == AC_EINVAL ? "a task cannot await itself or a future of "
                                             "another loop"
                                           : NULL);
      continue;
    }
    if (status == LUA_OK) {
      finish(L, co, c, nres);
      return 0;
    }
    fail(L, co, c);
    return 0;
  }
}

static int task_step(ac_task *task, void *state) {
  acl_task *ts = (acl_task *)state;
  struct step_ctx c;
  char err[512];
  if (ts->st->L == NULL) return ac_task_fail(task, AC_ECANCELLED, "the Lua state was closed");
  ts->task = task;
  c.ts = ts;
  c.task = task;
  c.rc = AC_EINTERNAL;
  if (acl_protect(ts->st, step_body, &c, err, sizeof err) != 0)
    return ac_task_fail(task, AC_EHOST, err);
  return c.rc;
}

/* spawn(loop | taskgroup, fn, flags, name, ...) -> Task | nil, code.
 * Creates a task (of the loop, or in the task group) running fn(...): fn
 * is a function (run in a new coroutine) or a coroutine that has not
 * started yet. */
int acl_spawn(lua_State *L) {
  acl_state *st = acl_state_of(L);
  ac_loop *loop = acl_to_loop(L, 1);
  ac_taskgroup *group = loop == NULL ? acl_to_taskgroup(L, 1) : NULL;
  uint32_t flags;
  const char *name;
  int nargs, ref, rc;
  lua_State *co;
  acl_task *ts;
  ac_task *task = NULL;
  luaL_argcheck(L, loop != NULL || group != NULL, 1, "Loop or TaskGroup expected");
  if (lua_type(L, 2) == LUA_TTHREAD) {
    lua_State *given = lua_tothread(L, 2);
    luaL_argcheck(L, given != L && lua_status(given) == LUA_OK && lua_gettop(given) == 1 &&
                     lua_type(given, 1) == LUA_TFUNCTION,
                  2, "a coroutine that has not started expected");
  } else {
    luaL_checktype(L, 2, LUA_TFUNCTION);
  }
  flags = (uint32_t)luaL_optinteger(L, 3, 0);
  name = luaL_optstring(L, 4, NULL);
  nargs = lua_gettop(L) - 4;
  if (nargs < 0) nargs = 0;

  /* Everything that may raise comes before the allocation. */
  if (lua_type(L, 2) == LUA_TTHREAD) {
    co = lua_tothread(L, 2);
    lua_pushvalue(L, 2);
    if (!lua_checkstack(co, nargs + 1)) return luaL_error(L, "asyncore: too many arguments");
  } else {
    co = lua_newthread(L);
    if (!lua_checkstack(co, nargs + 1)) return luaL_error(L, "asyncore: too many arguments");
    lua_pushvalue(L, 2);
    lua_xmove(L, co, 1);
  }
  if (nargs > 0) {
    int i;
    luaL_checkstack(L, nargs, "asyncore: too many arguments");
    for (i = 0; i < nargs; i++) lua_pushvalue(L, 5 + i);
    lua_xmove(L, co, nargs);
  }
  lua_pushvalue(L, -1);
  ref = luaL_ref(L, LUA_REGISTRYINDEX);
  ts = (acl_task *)calloc(1, sizeof *ts);
  if (ts == NULL) {
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
    return luaL_error(L, "asyncore: out of memory");
  }
  ts->st = acl_state_hold(st);
  ts->co_ref = ref;
  ts->nargs = nargs;
  ts->next = st->tasks;
  if (st->tasks != NULL) st->tasks->prev = ts;
  st->tasks = ts;

  /* On failure ac_task_new frees ts through task_free. An eager task may
   * even finish (and free ts) inside the call: ts is not touched after. */
  if (group != NULL)
    rc = ac_taskgroup_spawn(group, task_step, ts, task_free, flags, &task);
  else
    rc = ac_task_new(loop, task_step, ts, task_free, flags, &task);
  if (rc != 0) {
    lua_pushnil(L);
    lua_pushinteger(L, rc);
    return 2;
  }
  if (!ac_future_done(ac_task_future(task))) ts->task = task;
  if (name != NULL) ac_task_set_name(task, name);
  acl_push_task(L, task);
  ac_task_unref(task);
  return 1;
}
