/*
 * task.c — a Lua coroutine driven as a libasyncore task, its Lua object,
 * and the natives a task's coroutine calls to wait.
 *
 * The step protocol (asyncore/task.h) maps onto coroutines one to one:
 *
 *   step         resume the coroutine (first: with its arguments; after an
 *                await: with `true, values...` or `false, error object`);
 *   a native     (await, sleep, a lock's acquire, a queue's get ...) that
 *                must wait registers the wait itself, from inside the step
 *                (ac_task_await), notes it in acl_task.pending and yields;
 *                the step returns what it noted. On Lua 5.4 the native's
 *                continuation turns `true, values...` into its results or
 *                raises the error; on LuaJIT (no continuations) the native
 *                returns them as they come and a Lua wrapper does it;
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
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"

#if LUA_VERSION_NUM >= 504
#define ACL_HAS_K 1
/* User values: the Loop object, and the function of a task that has not
 * started (no slot needed for it). */
#define acl_newobject(L, size) lua_newuserdatauv(L, size, 2)
#define ACL_FN_IN_OBJECT 1
#define acl_setobjectloop(L, idx) lua_setiuservalue(L, idx, 1)
#define acl_getobjectloop(L, idx) ((void)lua_getiuservalue(L, idx, 1))
#else
#define ACL_HAS_K 0
#define acl_newobject(L, size) lua_newuserdata(L, size)
#define ACL_FN_IN_OBJECT 0
#define acl_setobjectloop(L, idx) ((void)lua_setfenv(L, idx))
#define acl_getobjectloop(L, idx) lua_getfenv(L, idx)
#endif

/* Upvalues of the natives. */
#define ST(L) ((acl_state *)lua_touserdata(L, lua_upvalueindex(1)))
#define TASK_CLASS lua_upvalueindex(2)

/* ------------------------------------------------------------------ */
/* Task objects                                                        */
/* ------------------------------------------------------------------ */

acl_task_object *acl_test_task_object(lua_State *L, acl_state *st, int idx) {
  int same;
  if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx)) return NULL;
  lua_rawgeti(L, LUA_REGISTRYINDEX, st->task_class_ref);
  same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return same ? (acl_task_object *)lua_touserdata(L, idx) : NULL;
}

/* The same, for the natives (the class is their second upvalue). */
static acl_task_object *test_object(lua_State *L, int idx) {
  int same;
  if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx)) return NULL;
  same = lua_rawequal(L, -1, TASK_CLASS);
  lua_pop(L, 1);
  return same ? (acl_task_object *)lua_touserdata(L, idx) : NULL;
}

/* Pushes a new Task object for `task` (a new reference; NULL: set later)
 * whose loop is the Loop object at loop_idx. class_idx: the Task class. */
static acl_task_object *new_object(lua_State *L, int class_idx, ac_task *task, int loop_idx) {
  acl_task_object *o;
  class_idx = class_idx < 0 && class_idx > LUA_REGISTRYINDEX ? lua_gettop(L) + class_idx + 1
                                                              : class_idx;
  loop_idx = loop_idx < 0 ? lua_gettop(L) + loop_idx + 1 : loop_idx;
  o = (acl_task_object *)acl_newobject(L, sizeof *o);
  o->swig_type = acl_swig_task_type();
  o->own = 1;
  o->task = NULL;
  lua_pushvalue(L, class_idx);
  lua_setmetatable(L, -2);
  lua_pushvalue(L, loop_idx);
  acl_setobjectloop(L, -2);
  if (task != NULL) o->task = ac_task_ref(task);
  return o;
}

/* __gc: drops the object's reference (which may report an error nobody
 * retrieved: see AC_SWIG_RELEASE). */
static int object_gc(lua_State *L) {
  acl_task_object *o = (acl_task_object *)lua_touserdata(L, 1);
  if (o != NULL && lua_type(L, 1) == LUA_TUSERDATA && o->task != NULL) {
    ac_task *t = o->task;
    o->task = NULL;
    acl_finalizing++;
    ac_task_unref(t);
    acl_finalizing--;
  }
  return 0;
}

/* __index(object, key): the class's methods; `_loop` (the Loop object),
 * and the core wrappers `_t` (Task) and `_f` (Future), made on demand. */
static int object_index(lua_State *L) {
  lua_pushvalue(L, 2);
  lua_gettable(L, lua_upvalueindex(1));
  if (!lua_isnil(L, -1) || lua_type(L, 1) != LUA_TUSERDATA || lua_type(L, 2) != LUA_TSTRING)
    return 1;
  {
    const char *k = lua_tostring(L, 2);
    acl_task_object *o = (acl_task_object *)lua_touserdata(L, 1);
    if (k[0] != '_') return 1;
    if (strcmp(k, "_loop") == 0) {
      acl_getobjectloop(L, 1);
      return 1;
    }
    if (o->task == NULL) return 1;
    if (strcmp(k, "_f") == 0) {
      acl_push_future(L, ac_task_future(o->task));
    } else if (strcmp(k, "_t") == 0) {
      acl_push_task(L, o->task);
    }
  }
  return 1;
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/* Pushes the error object of a failure of `code` made here. May raise. */
static void push_made_error(lua_State *L, acl_state *st, int code, const char *message) {
  ac_error *err = NULL;
  /* asyncio's CancelledError and TimeoutError made here carry no message. */
  if (message == NULL && (code == AC_ECANCELLED || code == AC_ETIMEDOUT)) message = "";
  if (ac_error_new(code, message, NULL, &err) != 0) luaL_error(L, "out of memory");
  /* err leaks if the factory raises; only on out-of-memory. */
  acl_push_error_object(L, st, err);
  ac_error_unref(err);
}

int acl_raise_code(lua_State *L, acl_state *st, int code, const char *what) {
  luaL_checkstack(L, 4, "asyncore: stack overflow");
  if (st->factory_ref == LUA_NOREF) {
    lua_pushfstring(L, "%s: %s", what != NULL ? what : ac_err_name(code),
                    ac_last_error_message(code));
    return lua_error(L);
  }
  /* As the Lua layer's check(): make_error(code), whose message is the
   * reason the failing call recorded (asyncio's words), read before any
   * other call of the library. */
  lua_rawgeti(L, LUA_REGISTRYINDEX, st->factory_ref);
  lua_pushinteger(L, code);
  lua_call(L, 1, 1);
  return lua_error(L);
}

/* ------------------------------------------------------------------ */
/* The step                                                            */
/* ------------------------------------------------------------------ */

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
static void pool_add_new(lua_State *L, acl_state *st) {
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
static lua_State *pool_take(lua_State *L, acl_state *st, int *slot) {
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

/* Task blocks: a few are kept for the next tasks. */
#define ACL_SPARE_MAX 256

static acl_task *task_block(acl_state *st) {
  acl_task *ts = st->spare;
  if (ts == NULL) return (acl_task *)calloc(1, sizeof *ts);
  st->spare = ts->next;
  st->spare_n--;
  memset(ts, 0, sizeof *ts);
  return ts;
}

static void task_block_free(acl_state *st, acl_task *ts) {
  if (st->L != NULL && st->spare_n < ACL_SPARE_MAX) {
    ts->next = st->spare;
    st->spare = ts;
    st->spare_n++;
    return;
  }
  free(ts);
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
static void task_free(void *state) {
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
  task_block_free(st, ts);
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

/* The Lua value of a number at idx of L. */
static void number_value(lua_State *L, int idx, ac_value *v) {
#if LUA_VERSION_NUM >= 503
  if (lua_isinteger(L, idx)) {
    ac_value_set_int64(v, (int64_t)lua_tointeger(L, idx));
    return;
  }
  ac_value_set_double(v, (double)lua_tonumber(L, idx));
#else
  double d = (double)lua_tonumber(L, idx);
  if (d >= -9007199254740992.0 && d <= 9007199254740992.0 && (double)(int64_t)d == d &&
      !(d == 0 && signbit(d)))
    ac_value_set_int64(v, (int64_t)d);
  else
    ac_value_set_double(v, d);
#endif
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
      number_value(co, -1, &v);
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
  push_made_error(L, st, code, message);
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

static int task_step(ac_task *task, void *state) {
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

/* ------------------------------------------------------------------ */
/* Spawning                                                            */
/* ------------------------------------------------------------------ */

/* Creates the task of fn_idx (a function, or a coroutine not started)
 * with the nargs values from arg0 as its arguments, on `loop` or in
 * `group`; pushes its object (loop_idx: the Loop object), or nil and the
 * code. class_idx: the Task class. */
static int spawn_task(lua_State *L, acl_state *st, int class_idx, ac_loop *loop,
                      ac_taskgroup *group, int loop_idx, int fn_idx, int arg0, int nargs,
                      uint32_t flags, const char *name) {
  lua_State *co = NULL;
  acl_task *ts;
  acl_task_object *o;
  ac_task *task = NULL;
  int co_slot = 0, fn_slot = 0, obj_slot, rc, i, own_co = 1;

  /* Everything that may raise comes before the allocation. */
  luaL_checkstack(L, nargs + 4, "asyncore: too many arguments");
  if (lua_type(L, fn_idx) == LUA_TTHREAD) {
    /* The caller's coroutine: never pooled. */
    co = lua_tothread(L, fn_idx);
    own_co = 0;
    co_slot = acl_slot_new(L, st, fn_idx);
  } else if (nargs == 0) {
    /* The coroutine comes at the first step (from the pool); keep one
     * ready there. */
    if (st->pool_n == 0) pool_add_new(L, st);
    if (!ACL_FN_IN_OBJECT) fn_slot = acl_slot_new(L, st, fn_idx);
  } else {
    co = pool_take(L, st, &co_slot);
    if (!lua_checkstack(co, nargs + 1)) {
      acl_slot_free(st, co_slot);
      return luaL_error(L, "asyncore: too many arguments");
    }
    lua_pushvalue(L, fn_idx);
    for (i = 0; i < nargs; i++) lua_pushvalue(L, arg0 + i);
    lua_xmove(L, co, nargs + 1);
  }
  o = new_object(L, class_idx, NULL, loop_idx);
#if ACL_FN_IN_OBJECT
  if (co == NULL) {
    lua_pushvalue(L, fn_idx);
    lua_setiuservalue(L, -2, 2);
  }
#endif
  obj_slot = acl_slot_new(L, st, -1);
  ts = task_block(st);
  if (ts == NULL) {
    acl_slot_free(st, co_slot);
    acl_slot_free(st, fn_slot);
    acl_slot_free(st, obj_slot);
    return luaL_error(L, "asyncore: out of memory");
  }
  ts->st = acl_state_hold(st);
  ts->co = co;
  ts->co_slot = co_slot;
  ts->fn_slot = fn_slot;
  ts->own_co = own_co;
  ts->obj_slot = obj_slot;
  ts->obj = o;
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
  if (o->task == NULL) {
    o->task = task; /* the object takes the reference */
  } else {
    ac_task_unref(task); /* an eager first step gave it one */
  }
  if (!ac_future_done(ac_task_future(task))) ts->task = task;
  if (name != NULL) ac_task_set_name(task, name);
  return 1; /* the object, on top */
}

static void check_body(lua_State *L, int idx) {
  if (lua_type(L, idx) == LUA_TTHREAD) {
    lua_State *given = lua_tothread(L, idx);
    luaL_argcheck(L, given != L && lua_status(given) == LUA_OK && lua_gettop(given) == 1 &&
                         lua_type(given, 1) == LUA_TFUNCTION,
                  idx, "a coroutine that has not started expected");
  } else {
    luaL_checktype(L, idx, LUA_TFUNCTION);
  }
}

/* spawn(loop | taskgroup, Loop object, fn, flags, name, ...) -> Task |
 * nil, code. Creates a task (of the loop, or in the task group) running
 * fn(...): fn is a function (run in a new coroutine) or a coroutine that
 * has not started yet. */
static int l_spawn(lua_State *L) {
  acl_state *st = ST(L);
  ac_loop *loop = acl_to_loop(L, 1);
  ac_taskgroup *group = loop == NULL ? acl_to_taskgroup(L, 1) : NULL;
  uint32_t flags;
  const char *name;
  int nargs;
  luaL_argcheck(L, loop != NULL || group != NULL, 1, "Loop or TaskGroup expected");
  luaL_checktype(L, 2, LUA_TTABLE);
  check_body(L, 3);
  flags = (uint32_t)luaL_optinteger(L, 4, 0);
  name = luaL_optstring(L, 5, NULL);
  nargs = lua_gettop(L) - 5;
  if (nargs < 0) nargs = 0;
  return spawn_task(L, st, TASK_CLASS, loop, group, 2, 3, 6, nargs, flags, name);
}

/* The running task when L is its coroutine, else NULL. */
static acl_task *running(lua_State *L, acl_state *st) {
  acl_task *ts = st->current;
  return ts != NULL && ts->co == L ? ts : NULL;
}

/* create_task(fn, ...) -> Task, or false when this is not the common case
 * (not called from a task's coroutine, or fn not a function): the Lua
 * layer then takes its general path. A task of the running task's loop. */
static int l_create_task(lua_State *L) {
  acl_state *st = ST(L);
  acl_task *cur = running(L, st);
  ac_task *parent;
  int nargs, n;
  if (cur == NULL || lua_type(L, 1) != LUA_TFUNCTION || (parent = cur->obj->task) == NULL) {
    if (st->create_fallback_ref == LUA_NOREF) {
      lua_pushboolean(L, 0);
      return 1;
    }
    /* The Lua layer's general path. */
    lua_rawgeti(L, LUA_REGISTRYINDEX, st->create_fallback_ref);
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
  }
  nargs = lua_gettop(L) - 1;
  acl_slot_push(L, st, cur->obj_slot);
  acl_getobjectloop(L, -1);
  n = spawn_task(L, st, TASK_CLASS, ac_task_get_loop(parent), NULL, lua_gettop(L), 1, 2, nargs,
                 AC_TASK_DEFAULT, NULL);
  if (n == 2) return acl_raise_code(L, st, (int)lua_tointeger(L, -1), "create_task");
  return 1;
}

/* set_create_task_fallback(fn): what create_task calls (with its
 * arguments) when it is not the common case. */
static int l_set_create_task_fallback(lua_State *L) {
  acl_state *st = ST(L);
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_pushvalue(L, 1);
  if (st->create_fallback_ref != LUA_NOREF)
    luaL_unref(L, LUA_REGISTRYINDEX, st->create_fallback_ref);
  st->create_fallback_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

/* set_coroutine_pool(n) -> the previous size: how many coroutines of
 * finished tasks are kept for the next tasks (0: none, each task gets a
 * coroutine of its own). */
static int l_set_coroutine_pool(lua_State *L) {
  acl_state *st = ST(L);
  lua_Integer n = luaL_checkinteger(L, 1);
  int prev = st->pool_max;
  luaL_argcheck(L, n >= 0 && n <= 1 << 20, 1, "0 .. 2^20 expected");
  while (st->pool_n > n) {
    st->pool_n--;
    acl_slot_free(st, st->pool[st->pool_n].slot);
  }
  if (n > st->pool_max) {
    acl_pooled_co *grown =
        (acl_pooled_co *)realloc(st->pool, sizeof *st->pool * (size_t)n);
    if (grown == NULL) return luaL_error(L, "asyncore: out of memory");
    st->pool = grown;
  }
  st->pool_max = (int)n;
  lua_pushinteger(L, prev);
  return 1;
}

/* current_task() -> the Task whose coroutine calls, or nil. */
static int l_current_task(lua_State *L) {
  acl_state *st = ST(L);
  acl_task *ts = running(L, st);
  if (ts == NULL) return 0;
  acl_slot_push(L, st, ts->obj_slot);
  return 1;
}

/* task_object(core Task | Task, Loop object) -> Task, made now. The
 * object of a core task: the one of its Lua task while it runs, else one
 * shared while anyone holds it. */
static int l_task_object(lua_State *L) {
  acl_state *st = ST(L);
  ac_task *t;
  acl_task *ts;
  if (test_object(L, 1) != NULL) {
    lua_settop(L, 1);
    lua_pushboolean(L, 0);
    return 2;
  }
  t = acl_to_task(L, 1);
  luaL_argcheck(L, t != NULL, 1, "Task expected");
  luaL_checktype(L, 2, LUA_TTABLE);
  for (ts = st->tasks; ts != NULL; ts = ts->next) {
    if (ts->obj->task == t) {
      acl_slot_push(L, st, ts->obj_slot);
      lua_pushboolean(L, 0);
      return 2;
    }
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, st->foreign_ref);
  lua_pushlightuserdata(L, t);
  lua_rawget(L, -2);
  {
    acl_task_object *o = test_object(L, -1);
    /* A collected object may still be listed (LuaJIT clears weak values
     * after finalizers): it holds no task then. */
    if (o != NULL && o->task == t) {
      lua_pushboolean(L, 0);
      return 2;
    }
  }
  lua_pop(L, 1);
  new_object(L, TASK_CLASS, t, 2);
  lua_pushlightuserdata(L, t);
  lua_pushvalue(L, -2);
  lua_rawset(L, -4);
  lua_pushboolean(L, 1);
  return 2;
}

/* live_tasks(loop) -> the Task of every Lua task of `loop` that is not
 * done, oldest first. */
static int l_live_tasks(lua_State *L) {
  acl_state *st = ST(L);
  ac_loop *loop = acl_to_loop(L, 1);
  acl_task *ts, *last = NULL;
  int n = 0;
  luaL_argcheck(L, loop != NULL, 1, "Loop expected");
  lua_newtable(L);
  for (ts = st->tasks; ts != NULL; ts = ts->next) last = ts;
  for (ts = last; ts != NULL; ts = ts->prev) {
    ac_task *t = ts->obj->task;
    if (t == NULL || ac_task_get_loop(t) != loop || ac_future_done(ac_task_future(t))) continue;
    acl_slot_push(L, st, ts->obj_slot);
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

/* ------------------------------------------------------------------ */
/* Waiting                                                             */
/* ------------------------------------------------------------------ */

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
      push_made_error(L, st, AC_ECANCELLED, NULL);
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

/* Raises RuntimeError (an error object of the Lua layer) with `message`
 * (a format, as lua_pushfstring's). */
static int raise_misuse(lua_State *L, acl_state *st, const char *fmt, const char *arg) {
  lua_pushfstring(L, fmt, arg);
  push_made_error(L, st, AC_EMISUSE, lua_tostring(L, -1));
  return lua_error(L);
}

acl_task *acl_waiting_task(lua_State *L, acl_state *st, const char *what) {
  acl_task *ts = running(L, st);
  if (ts == NULL) {
    raise_misuse(L, st, "%s: only a task's coroutine can await (use asyncore.run or create_task)",
                 what);
    return NULL;
  }
  return ts;
}

int acl_suspend(lua_State *L, acl_task *ts, int pending, int mode) {
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

int acl_await_owned(lua_State *L, acl_state *st, acl_task *ts, ac_future *f, int mode) {
  int rc;
  if (!lua_isyieldable(L)) {
    /* The callers check this before they make f: a safety net. */
    ac_future_cancel(f, NULL);
    ac_future_unref(f);
    return luaL_error(L, "attempt to yield across a C-call boundary");
  }
  rc = ac_task_await_owned(ts->task, f);
  if (rc != AC_STEP_AWAIT) return acl_raise_code(L, st, rc, NULL);
  return acl_suspend(L, ts, AC_STEP_AWAIT, mode);
}

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
static int l_await(lua_State *L) {
  acl_state *st = ST(L);
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
    push_made_error(L, st, AC_EMISUSE, lua_tostring(L, -1));
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
  if (!lua_isyieldable(L)) return luaL_error(L, "attempt to yield across a C-call boundary");
  rc = ac_task_await(ts->task, f);
  if (rc != AC_STEP_AWAIT) {
    push_made_error(L, st, rc,
                    rc == AC_EINVAL ? "a task cannot await itself or a future of another loop"
                                    : NULL);
    return lua_error(L);
  }
  if (mode == ACL_K_SOURCE) lua_settop(L, 1);
  return acl_suspend(L, ts, AC_STEP_AWAIT, mode);
}

/* sleep(seconds, result) -> result (Lua 5.4); true | false, error
 * (LuaJIT). 0 or less: one loop iteration. */
static int l_sleep(lua_State *L) {
  acl_state *st = ST(L);
  acl_task *ts = running(L, st);
  double seconds = (double)luaL_optnumber(L, 1, 0);
  int rc;
  if (ts == NULL) return raise_misuse(L, st, "%s: not inside a task", "asyncore.sleep");
  if (!lua_isyieldable(L)) return luaL_error(L, "attempt to yield across a C-call boundary");
  lua_settop(L, 2);
  lua_replace(L, 1); /* keep result */
  if (seconds <= 0) return acl_suspend(L, ts, AC_STEP_YIELD, ACL_K_KEEP);
  rc = ac_task_sleep(ts->task, seconds);
  if (rc != AC_STEP_AWAIT) return acl_raise_code(L, st, rc, "sleep");
  return acl_suspend(L, ts, AC_STEP_AWAIT, ACL_K_KEEP);
}

/* ---- small queries of futures and tasks (a Task or a core wrapper) ---- */

static ac_future *check_future_arg(lua_State *L, int idx) {
  ac_future *f = acl_to_future(L, idx); /* Task objects included */
  luaL_argcheck(L, f != NULL, idx, "Future or Task expected");
  return f;
}

/* future_done(x) -> boolean. */
static int l_future_done(lua_State *L) {
  lua_pushboolean(L, ac_future_done(check_future_arg(L, 1)) == 1);
  return 1;
}

/* future_cancelled(x) -> boolean. */
static int l_future_cancelled(lua_State *L) {
  lua_pushboolean(L, ac_future_cancelled(check_future_arg(L, 1)) == 1);
  return 1;
}

/* future_state(x) -> FUTURE_*. */
static int l_future_state(lua_State *L) {
  lua_pushinteger(L, ac_future_state_of(check_future_arg(L, 1)));
  return 1;
}

/* future_id(x) -> the identity of x's future (a light userdata). */
static int l_future_id(lua_State *L) {
  lua_pushlightuserdata(L, check_future_arg(L, 1));
  return 1;
}

/* ------------------------------------------------------------------ */
/* Registration                                                        */
/* ------------------------------------------------------------------ */

static const luaL_Reg natives[] = {
    {"spawn", l_spawn},
    {"create_task", l_create_task},
    {"current_task", l_current_task},
    {"task_object", l_task_object},
    {"live_tasks", l_live_tasks},
    {"await", l_await},
    {"sleep", l_sleep},
    {"future_done", l_future_done},
    {"future_cancelled", l_future_cancelled},
    {"future_state", l_future_state},
    {"future_id", l_future_id},
    {"set_create_task_fallback", l_set_create_task_fallback},
    {"set_coroutine_pool", l_set_coroutine_pool},
    {NULL, NULL},
};

void acl_register(lua_State *L, int module, int cls, const luaL_Reg *list) {
  acl_state *st = acl_state_of(L);
  for (; list->name != NULL; list++) {
    lua_pushlightuserdata(L, st);
    lua_pushvalue(L, cls);
    lua_pushcclosure(L, list->func, 2);
    lua_setfield(L, module, list->name);
  }
}

void acl_open_natives(lua_State *L, int module) {
  acl_state *st = acl_state_of(L);
  int cls;
  if (st->task_class_ref != LUA_NOREF) {
    /* Opened before in this state: the same class. */
    lua_rawgeti(L, LUA_REGISTRYINDEX, st->task_class_ref);
    cls = lua_gettop(L);
  } else {
    /* The class of Task objects (the Lua layer adds the methods). */
    lua_newtable(L);
    cls = lua_gettop(L);
    lua_pushcfunction(L, object_gc);
    lua_setfield(L, cls, "__gc");
    lua_pushvalue(L, cls);
    lua_pushcclosure(L, object_index, 1);
    lua_setfield(L, cls, "__index");
    lua_pushvalue(L, cls);
    st->task_class_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    /* Objects of tasks that are not Lua tasks, weak by value. */
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "v");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    st->foreign_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_pushvalue(L, cls);
  lua_setfield(L, module, "task_class");
  acl_register(L, module, cls, natives);
  acl_open_sync(L, module, cls);
  lua_pushboolean(L, ACL_HAS_K);
  lua_setfield(L, module, "resumes_natives");
  lua_settop(L, cls - 1);
}
