/*
 * step.c — a Lua coroutine driven as a libasyncore task: the step
 * function, the end of a task, and the blocks and coroutines kept for the
 * next tasks.
 *
 * The step protocol (asyncore/task.h) maps onto coroutines one to one:
 *
 *   step         resume the coroutine (first: with its arguments; after an
 *                await: with `true, values...` or `false, error object`);
 *   a native     (await, sleep, a lock's acquire, a queue's get ...) that
 *                must wait registers the wait itself through the await API
 *                (await.h), which notes it in acl_task.pending and yields;
 *                the step returns what was noted;
 *   yield(fut)   a coroutine that yields by itself: it awaits fut;
 *   yield()      sleep(0): AC_STEP_YIELD;
 *   return ...   the task's result (the values, packed when several);
 *   error(e)     the task fails: a library error object keeps its code (a
 *                CancelledError ends the task cancelled), anything else
 *                fails it with AC_EHOST, the message and the coroutine's
 *                traceback, and e itself as the error's payload, so whoever
 *                awaits the task gets e back.
 *
 * A Lua error never crosses the library's frames: the coroutine runs
 * inside lua_resume, which catches its errors, and the step itself touches
 * Lua outside it only with calls that cannot raise (pushing numbers,
 * booleans and registry values, reading results). Whatever needs more
 * (strings, error objects, anchoring values, a failed coroutine) goes
 * through acl_protect on the callback thread.
 */
#include <stdlib.h>
#include <string.h>

#include "task.h"

static void unlink_task(acl_task *ts) {
  if (ts->prev != NULL)
    ts->prev->next = ts->next;
  else
    ts->st->tasks = ts->next;
  if (ts->next != NULL) ts->next->prev = ts->prev;
  ts->prev = ts->next = NULL;
}

/* ---- the pool of coroutines ----
 *
 * A task made without arguments gets its coroutine at its first step, and
 * a coroutine whose function returned is kept (up to pool_max) for the
 * next task: most tasks then cost no new coroutine. A coroutine that
 * failed, or that was handed in by the caller, is never reused. */

static int pool_push(acl_state *st, lua_State *co, int slot) {
  if (st->pool_n >= st->pool_max) return 0;
  if (st->pool == NULL) {
    st->pool = (acl_pooled_co *)malloc(sizeof *st->pool * (size_t)st->pool_max);
    if (st->pool == NULL) return 0;
  }
  st->pool[st->pool_n].co = co;
  st->pool[st->pool_n].slot = slot;
  st->pool_n++;
  return 1;
}

/* A new coroutine in the pool (Lua context: may raise). */
void acl_pool_add_new(lua_State *L, acl_state *st) {
  lua_State *co;
  int slot;
  if (st->pool_n >= st->pool_max) return;
  co = lua_newthread(L);
  slot = acl_slot_new(L, st, -1);
  lua_pop(L, 1);
  if (!pool_push(st, co, slot)) acl_slot_free(st, slot);
}

/* A coroutine for a task made with arguments: from the pool, else new.
 * Lua context: may raise. */
lua_State *acl_pool_take(lua_State *L, acl_state *st, int *slot) {
  lua_State *co;
  if (st->pool_n > 0) {
    st->pool_n--;
    *slot = st->pool[st->pool_n].slot;
    return st->pool[st->pool_n].co;
  }
  co = lua_newthread(L);
  *slot = acl_slot_new(L, st, -1);
  lua_pop(L, 1);
  return co;
}

/* Task blocks have room in front for the task (AC_TASK_IN_STATE): task
 * and block are one allocation of the runtime's pool, which keeps freed
 * blocks for the next tasks. */
acl_task *acl_task_block(void) {
  acl_task *ts = (acl_task *)ac_task_state_alloc(sizeof *ts);
  if (ts != NULL) memset(ts, 0, sizeof *ts);
  return ts;
}

/* A new coroutine for ts (protected: acl_protect). */
static int new_coroutine_body(lua_State *L) {
  acl_task *ts = (acl_task *)lua_touserdata(L, 1);
  ts->co = lua_newthread(L);
  ts->co_slot = acl_slot_new(L, ts->st, -1);
  return 0;
}

/* Whether co may run another task: its function returned. */
static int reusable(lua_State *co) {
  lua_Debug ar;
  return lua_status(co) == LUA_OK && lua_getstack(co, 0, &ar) == 0;
}

/* free_state: once, when the task finishes or is freed. */
void acl_task_free(void *state) {
  acl_task *ts = (acl_task *)state;
  acl_state *st = ts->st;
  unlink_task(ts);
  if (st->current == ts) st->current = NULL;
  if (st->L != NULL) {
    if (ts->co != NULL) {
      if (ts->own_co && reusable(ts->co)) {
        lua_settop(ts->co, 0);
        /* The slot goes with the coroutine. */
        if (!pool_push(st, ts->co, ts->co_slot)) acl_slot_free(st, ts->co_slot);
      } else {
        acl_slot_free(st, ts->co_slot);
      }
    }
    acl_slot_free(st, ts->fn_slot);
    acl_slot_free(st, ts->obj_slot);
  }
  ac_task_state_free(ts, sizeof *ts); /* once the task is made: freed with it */
  acl_state_release(st);
}

/* Gives a task made without arguments its coroutine, with its function
 * on it. Returns 0, or -1 when no coroutine could be made. */
static int bind_coroutine(acl_task *ts) {
  acl_state *st = ts->st;
  lua_State *co;
  if (st->pool_n > 0) {
    st->pool_n--;
    ts->co = st->pool[st->pool_n].co;
    ts->co_slot = st->pool[st->pool_n].slot;
  } else if (acl_protect(st, new_coroutine_body, ts, NULL, 0) != 0 || ts->co == NULL) {
    ts->co = NULL;
    return -1;
  }
  co = ts->co;
  ts->own_co = 1;
  if (!lua_checkstack(co, 4)) return -1;
  /* Nothing here allocates. */
#if ACL_FN_IN_OBJECT
  if (ts->fn_slot == 0) {
    /* The function waits in the object's second user value. */
    acl_slot_push(co, st, ts->obj_slot);
    lua_getiuservalue(co, -1, 2);
    lua_pushnil(co);
    lua_setiuservalue(co, -3, 2);
    lua_replace(co, -2);
    return 0;
  }
#endif
  acl_slot_push(co, st, ts->fn_slot);
  acl_slot_free(st, ts->fn_slot);
  ts->fn_slot = 0;
  return 0;
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

/* Resumes the task's coroutine with the nargs values on its stack, as the
 * running task. */
static int resume_task(acl_task *ts, int nargs, int *nres) {
  acl_state *st = ts->st;
  acl_task *prev = st->current;
  int status;
  ts->pending = 0;
  st->current = ts;
  status = resume(ts->co, prev != NULL ? prev->co : st->L, nargs, nres);
  st->current = prev;
  return status;
}

/* Fast path of the step: pushes onto co what the last await ended with
 * when that needs no allocation (a result that is nothing, a number, or a
 * single anchored value); returns the count, or -1 (nothing pushed) for
 * the protected path. */
static int push_outcome_fast(acl_state *st, lua_State *co, ac_task *task) {
  ac_future *awaited;
  ac_value v;
  if (ac_task_outcome(task) != 0 || !lua_checkstack(co, 3)) return -1;
  awaited = ac_task_awaited(task);
  if (awaited == NULL) {
    lua_pushboolean(co, 1);
    return 1;
  }
  if (ac_future_result(awaited, &v) != 0) return -1;
  switch (v.kind) {
    case AC_VALUE_NONE:
      lua_pushboolean(co, 1);
      lua_pushnil(co);
      return 2;
    case AC_VALUE_INT64:
      lua_pushboolean(co, 1);
#if LUA_VERSION_NUM >= 503
      lua_pushinteger(co, (lua_Integer)v.u.i64);
#else
      lua_pushnumber(co, (lua_Number)v.u.i64);
#endif
      return 2;
    case AC_VALUE_DOUBLE:
      lua_pushboolean(co, 1);
      lua_pushnumber(co, (lua_Number)v.u.f64);
      return 2;
    case AC_VALUE_POINTER: {
      const acl_anchor *a = (const acl_anchor *)v.u.pointer.ptr;
      if (v.u.pointer.free_fn != acl_anchor_free || a == NULL || a->st != st || a->multi)
        return -1;
      lua_pushboolean(co, 1);
      lua_rawgeti(co, LUA_REGISTRYINDEX, a->ref);
      return 2;
    }
    default:
      return -1;
  }
}

/* Fast path: the coroutine returned nothing or one number or string; the
 * task takes it as its result. Returns 1 when done so (*rc: what the step
 * returns), 0 for the protected path. */
static int finish_fast(lua_State *co, ac_task *task, int nres, int *rc) {
  ac_value v;
  int r;
  if (nres == 0) {
    *rc = AC_STEP_DONE;
    return 1;
  }
  if (nres != 1) return 0;
  switch (lua_type(co, -1)) {
    case LUA_TNIL:
      lua_pop(co, 1);
      *rc = AC_STEP_DONE;
      return 1;
    case LUA_TNUMBER:
      acl_number_value(co, -1, &v);
      break;
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(co, -1, &len);
      ac_value_set_bytes(&v, s, len);
      break;
    }
    default:
      return 0;
  }
  /* Bytes are copied by the task. */
  r = ac_task_return(task, &v);
  lua_pop(co, 1);
  *rc = r < 0 ? ac_task_fail(task, r, "the task's result could not be stored") : AC_STEP_DONE;
  return 1;
}

/* ---- the protected path ---- */

struct step_ctx {
  acl_task *ts;
  ac_task *task;
  int rc;       /* what the step returns */
  int resumed;  /* the coroutine was resumed already: status, nres */
  int status;
  int nres;
};

/* Moves the n values on top of L to co. */
static void move_to(lua_State *L, lua_State *co, int n) {
  if (!lua_checkstack(co, n + 1)) luaL_error(L, "asyncore: coroutine stack overflow");
  lua_xmove(L, co, n);
}

/* Pushes onto co `false, error object` for a failure of `code` made here. */
static int push_failure(lua_State *L, lua_State *co, acl_state *st, int code,
                        const char *message) {
  lua_pushboolean(L, 0);
  acl_push_made_error(L, st, code, message);
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
    /* The error delivered: the awaited future's, or the cancellation
     * (with its message) of a task cancelled while ready. */
    ac_error *err = ac_task_outcome_error(task);
    if (err == NULL) return push_failure(L, co, st, rc, NULL);
    lua_pushboolean(L, 0);
    acl_push_error_object(L, st, err);
  }
  {
    int n = lua_gettop(L) - base;
    move_to(L, co, n);
    return n;
  }
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
  lua_State *co = ts->co;
  int status, nres, nargs;
  if (c->resumed) {
    status = c->status;
    nres = c->nres;
  } else {
    nargs = push_outcome(L, co, st, c->task);
    status = resume_task(ts, nargs, &nres);
  }
  for (;;) {
    if (status == LUA_YIELD) {
      ac_future *fut;
      int rc;
      if (ts->pending != 0) {
        /* A native registered the wait. */
        lua_pop(co, nres);
        c->rc = ts->pending;
        return 0;
      }
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
      } else {
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
      }
      status = resume_task(ts, nargs, &nres);
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

static int step_protected(acl_task *ts, ac_task *task, int resumed, int status, int nres) {
  struct step_ctx c;
  char err[512];
  c.ts = ts;
  c.task = task;
  c.rc = AC_EINTERNAL;
  c.resumed = resumed;
  c.status = status;
  c.nres = nres;
  if (acl_protect(ts->st, step_body, &c, err, sizeof err) != 0)
    return ac_task_fail(task, AC_EHOST, err);
  return c.rc;
}

int acl_task_step(ac_task *task, void *state) {
  acl_task *ts = (acl_task *)state;
  lua_State *co = ts->co;
  int nargs, status, nres = 0, rc;
  if (ts->st->L == NULL) return ac_task_fail(task, AC_ECANCELLED, "the Lua state was closed");
  ts->task = task;
  if (!ts->started) {
    ts->started = 1;
    /* An eager task's first step runs before spawn has the task. */
    if (ts->obj->task == NULL) ts->obj->task = ac_task_ref(task);
    if (ts->co == NULL && bind_coroutine(ts) != 0)
      return ac_task_fail(task, AC_ENOMEM, "no coroutine for the task");
    co = ts->co;
    nargs = ts->nargs;
  } else {
    nargs = push_outcome_fast(ts->st, co, task);
    if (nargs < 0) return step_protected(ts, task, 0, 0, 0);
  }
  status = resume_task(ts, nargs, &nres);
  if (status == LUA_YIELD && ts->pending != 0) {
    lua_pop(co, nres);
    return ts->pending;
  }
  if (status == LUA_OK && finish_fast(co, task, nres, &rc)) return rc;
  return step_protected(ts, task, 1, status, nres);
}

