/*
 * sync.c — the natives of the primitives and queues on their hot paths.
 *
 * As asyncio, an operation whose result is ready does not suspend: a free
 * lock or permit is taken, a set event passes, a queued item is taken and
 * room in a queue is filled at once. Only an operation that must wait makes
 * a future, registers it as what the running task awaits, and suspends
 * (task.c: acl_await_owned).
 *
 * Each native takes the Lua object (a table whose `_h` is the core
 * wrapper) or the core wrapper itself. Errors are the Lua layer's error
 * objects, as its check() makes them. Upvalues: the state, the Task class,
 * the string "_h", and for the primitives' natives their kind.
 */
#include <stdio.h>

#include "acl.h"

#define ST(L) ((acl_state *)lua_touserdata(L, lua_upvalueindex(1)))
#define KEY_H lua_upvalueindex(3)
#define KIND(L) ((const prim_kind *)lua_touserdata(L, lua_upvalueindex(4)))

/* The handle of the object at idx (the core wrapper the Lua layer keeps at
 * its index 1, and as `_h`; or the wrapper itself), converted by `to`. The
 * handle stays alive through the object. */
static void *handle_at(lua_State *L, int idx, void *(*to)(lua_State *, int), const char *what) {
  void *h;
  if (lua_type(L, idx) == LUA_TTABLE) {
    lua_rawgeti(L, idx, 1);
    h = to(L, -1);
    if (h == NULL) {
      lua_pushvalue(L, KEY_H);
      lua_rawget(L, idx);
      h = to(L, -1);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  } else {
    h = to(L, idx);
  }
  if (h == NULL) luaL_argerror(L, idx, what);
  return h;
}

static void check_yieldable(lua_State *L) {
  if (!lua_isyieldable(L)) luaL_error(L, "attempt to yield across a C-call boundary");
}

static int return_true(lua_State *L) {
  lua_pushboolean(L, 1);
  return acl_return_now(L, 1);
}

/* ---- Lock, Semaphore, Condition (its lock): one shape ---- */

typedef struct prim_kind {
  const char *expected; /* the argument error */
  void *(*to)(lua_State *L, int idx);
  int (*try_acquire)(void *h);
  int (*acquire)(void *h, ac_future **out);
  int (*release)(void *h);
} prim_kind;

static void *to_lock(lua_State *L, int idx) { return acl_to_lock(L, idx); }
static int lock_try(void *h) { return ac_lock_try_acquire((ac_lock *)h); }
static int lock_acquire(void *h, ac_future **out) { return ac_lock_acquire((ac_lock *)h, out); }
static int lock_release(void *h) { return ac_lock_release((ac_lock *)h); }

static void *to_semaphore(lua_State *L, int idx) { return acl_to_semaphore(L, idx); }
static int sem_try(void *h) { return ac_semaphore_try_acquire((ac_semaphore *)h); }
static int sem_acquire(void *h, ac_future **out) {
  return ac_semaphore_acquire((ac_semaphore *)h, out);
}
static int sem_release(void *h) { return ac_semaphore_release((ac_semaphore *)h); }

static void *to_condition(lua_State *L, int idx) { return acl_to_condition(L, idx); }
static int cond_try(void *h) { return ac_lock_try_acquire(ac_condition_lock((ac_condition *)h)); }
static int cond_acquire(void *h, ac_future **out) {
  return ac_condition_acquire((ac_condition *)h, out);
}
static int cond_release(void *h) { return ac_condition_release((ac_condition *)h); }

static const prim_kind kind_lock = {"Lock expected", to_lock, lock_try, lock_acquire, lock_release};
static const prim_kind kind_semaphore = {"Semaphore expected", to_semaphore, sem_try, sem_acquire,
                                         sem_release};
static const prim_kind kind_condition = {"Condition expected", to_condition, cond_try,
                                         cond_acquire, cond_release};

/* acquire(prim) -> true: takes it, waiting while it is not free. */
static int l_acquire(lua_State *L) {
  acl_state *st = ST(L);
  const prim_kind *k = KIND(L);
  void *h = handle_at(L, 1, k->to, k->expected);
  acl_task *ts = acl_waiting_task(L, st, "asyncore.await");
  ac_future *f = NULL;
  int rc = k->try_acquire(h);
  if (rc == 1) return return_true(L);
  if (rc < 0) return acl_raise_code(L, st, rc, NULL);
  check_yieldable(L);
  rc = k->acquire(h, &f);
  if (rc != 0) return acl_raise_code(L, st, rc, NULL);
  return acl_await_owned(L, st, ts, f, ACL_K_TRUE);
}

/* release(prim). */
static int l_release(lua_State *L) {
  const prim_kind *k = KIND(L);
  int rc = k->release(handle_at(L, 1, k->to, k->expected));
  if (rc < 0) return acl_raise_code(L, ST(L), rc, "release");
  return 0;
}

#if LUA_VERSION_NUM >= 504
/* with(prim, fn, ...) -> fn's values: calls fn(...) holding prim, which is
 * released after fn returns or raises (then the error goes on). Lua 5.4
 * only: fn may suspend the task, which a C function can allow only through
 * a continuation. */
static int with_called(lua_State *L, int status, lua_KContext ctx) {
  /* Stack: prim (which keeps the handle ctx alive), then fn's values or
   * its error. */
  int rc = KIND(L)->release((void *)ctx);
  if (rc < 0) return acl_raise_code(L, ST(L), rc, "release");
  if (status != LUA_OK && status != LUA_YIELD) return lua_error(L);
  return lua_gettop(L) - 1;
}

static int with_call(lua_State *L, int n, void *h) {
  /* Stack: prim, fn, args (n values in all). */
  lua_KContext ctx = (lua_KContext)h;
  return with_called(L, lua_pcallk(L, n - 2, LUA_MULTRET, 0, ctx, with_called), ctx);
}

static int with_acquired(lua_State *L, int status, lua_KContext ctx) {
  int n = (int)ctx;
  (void)status;
  /* Stack: prim, fn, args, then true, value | false, error. */
  if (!lua_toboolean(L, n + 1)) {
    lua_settop(L, n + 2);
    return lua_error(L); /* not acquired: nothing to release */
  }
  lua_settop(L, n);
  return with_call(L, n, handle_at(L, 1, KIND(L)->to, KIND(L)->expected));
}

static int l_with(lua_State *L) {
  acl_state *st = ST(L);
  const prim_kind *k = KIND(L);
  void *h = handle_at(L, 1, k->to, k->expected);
  acl_task *ts;
  ac_future *f = NULL;
  int rc, n = lua_gettop(L);
  luaL_checkany(L, 2);
  ts = acl_waiting_task(L, st, "asyncore.await");
  rc = k->try_acquire(h);
  if (rc == 1) return with_call(L, n, h);
  if (rc < 0) return acl_raise_code(L, st, rc, NULL);
  check_yieldable(L);
  rc = k->acquire(h, &f);
  if (rc != 0) return acl_raise_code(L, st, rc, NULL);
  rc = ac_task_await_owned(ts->task, f);
  if (rc != AC_STEP_AWAIT) return acl_raise_code(L, st, rc, NULL);
  ts->pending = AC_STEP_AWAIT;
  return lua_yieldk(L, 0, (lua_KContext)n, with_acquired);
}
#endif

/* ---- Event ---- */

static void *to_event(lua_State *L, int idx) { return acl_to_event(L, idx); }

/* event_wait(ev) -> true. */
static int l_event_wait(lua_State *L) {
  acl_state *st = ST(L);
  ac_event *ev = (ac_event *)handle_at(L, 1, to_event, "Event expected");
  acl_task *ts = acl_waiting_task(L, st, "asyncore.await");
  ac_future *f = NULL;
  int rc = ac_event_is_set(ev);
  if (rc == 1) return return_true(L);
  if (rc < 0) return acl_raise_code(L, st, rc, NULL);
  check_yieldable(L);
  rc = ac_event_wait(ev, &f);
  if (rc != 0) return acl_raise_code(L, st, rc, NULL);
  return acl_await_owned(L, st, ts, f, ACL_K_TRUE);
}

/* ---- Queue ---- */

static void *to_queue(lua_State *L, int idx) { return acl_to_queue(L, idx); }

/* queue_get(q) -> the next item, waiting while the queue is empty. */
static int l_queue_get(lua_State *L) {
  acl_state *st = ST(L);
  ac_queue *q = (ac_queue *)handle_at(L, 1, to_queue, "Queue expected");
  acl_task *ts;
  ac_future *f = NULL;
  ac_value v;
  int64_t priority = 0;
  int rc, n;
  rc = ac_queue_get_nowait(q, &v, &priority);
  if (rc == 0) {
    /* The item is ours now: push it, then release our hold (an anchor's
     * value stays alive on the stack). */
    n = acl_push_value(L, st, &v);
    ac_value_clear(&v);
    return acl_return_now(L, n);
  }
  if (rc != AC_EEMPTY) return acl_raise_code(L, st, rc, "get");
  ts = acl_waiting_task(L, st, "asyncore.await");
  check_yieldable(L);
  rc = ac_queue_get(q, &f);
  if (rc != 0) return acl_raise_code(L, st, rc, NULL);
  return acl_await_owned(L, st, ts, f, ACL_K_VALUES);
}

/* queue_put(q, item, [priority]): waits while the queue is full. */
static int l_queue_put(lua_State *L) {
  acl_state *st = ST(L);
  ac_queue *q = (ac_queue *)handle_at(L, 1, to_queue, "Queue expected");
  acl_task *ts;
  ac_future *f = NULL;
  ac_value v;
  int has_priority, rc;
  int64_t priority;
  has_priority = !lua_isnoneornil(L, 3);
  priority = has_priority ? (int64_t)luaL_checknumber(L, 3) : 0;
  lua_settop(L, 3);
  rc = acl_to_value(L, st, 2, 1, &v);
  if (rc != 0) return acl_raise_code(L, st, rc, "put");
  rc = has_priority ? ac_queue_put_priority_nowait(q, priority, &v) : ac_queue_put_nowait(q, &v);
  if (rc == 0) return acl_return_now(L, 0);
  if (rc == AC_EFULL) {
    ts = st->current;
    if (ts == NULL || ts->co != L || !lua_isyieldable(L)) {
      acl_value_discard(&v);
      ts = acl_waiting_task(L, st, "asyncore.await");
      check_yieldable(L);
    }
    rc = has_priority ? ac_queue_put_priority(q, priority, &v, &f) : ac_queue_put(q, &v, &f);
    if (rc == 0) return acl_await_owned(L, st, ts, f, ACL_K_NONE);
    acl_value_discard(&v);
    return acl_raise_code(L, st, rc, NULL);
  }
  acl_value_discard(&v);
  return acl_raise_code(L, st, rc, "put");
}

static const luaL_Reg natives[] = {
    {"event_wait", l_event_wait},
    {"queue_get", l_queue_get},
    {"queue_put", l_queue_put},
    {NULL, NULL},
};

/* Registers name = fn with the upvalues (state, class, "_h", kind). */
static void set_native(lua_State *L, int module, int cls, const char *name, lua_CFunction fn,
                       const prim_kind *kind) {
  lua_pushlightuserdata(L, acl_state_of(L));
  lua_pushvalue(L, cls);
  lua_pushliteral(L, "_h");
  lua_pushlightuserdata(L, (void *)kind);
  lua_pushcclosure(L, fn, 4);
  lua_setfield(L, module, name);
}

void acl_open_sync(lua_State *L, int module, int cls) {
  static const struct {
    const char *prefix;
    const prim_kind *kind;
  } kinds[] = {{"lock", &kind_lock}, {"semaphore", &kind_semaphore},
               {"condition", &kind_condition}};
  const luaL_Reg *r;
  size_t i;
  char name[32];
  for (r = natives; r->name != NULL; r++) set_native(L, module, cls, r->name, r->func, NULL);
  for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    snprintf(name, sizeof name, "%s_acquire", kinds[i].prefix);
    set_native(L, module, cls, name, l_acquire, kinds[i].kind);
    snprintf(name, sizeof name, "%s_release", kinds[i].prefix);
    set_native(L, module, cls, name, l_release, kinds[i].kind);
#if LUA_VERSION_NUM >= 504
    snprintf(name, sizeof name, "%s_with", kinds[i].prefix);
    set_native(L, module, cls, name, l_with, kinds[i].kind);
#endif
  }
}
