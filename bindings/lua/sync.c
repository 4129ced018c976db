/*
 * sync.c — the natives of the primitives (Lock, Semaphore, Condition,
 * Event) and queues on their hot paths.
 *
 * As asyncio, an operation whose result is ready does not suspend: a free
 * lock or permit is taken, a set event passes, a queued item is taken and
 * room in a queue is filled at once. Only an operation that must wait makes
 * a future and awaits it through the await API (await.h).
 *
 * Each native takes the Lua object (a table whose `_h` is the core
 * wrapper) or the core wrapper itself. The waiting natives raise the Lua
 * layer's error objects, as its check() makes them; the _nowait natives
 * return the code.
 */
#include "await.h"
#include "natives.h"

/* The handle of the object at idx (the core wrapper the Lua layer keeps at
 * its index 1, and as `_h`; or the wrapper itself), converted by `to`. The
 * handle stays alive through the object. */
static void *handle_at(lua_State *L, int idx, void *(*to)(lua_State *, int), const char *what) {
  void *h;
  if (lua_type(L, idx) == LUA_TTABLE) {
    lua_rawgeti(L, idx, 1);
    h = to(L, -1);
    if (h == NULL) {
      lua_pushliteral(L, "_h");
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
static int acquire(lua_State *L, const prim_kind *k) {
  acl_state *st = ACL_ST(L);
  void *h = handle_at(L, 1, k->to, k->expected);
  acl_task *ts = acl_waiting_task(L, st, "asyncore.await");
  ac_future *f = NULL;
  int rc = k->try_acquire(h);
  if (rc == 1) return return_true(L);
  if (rc < 0) return acl_raise_code(L, st, rc, NULL);
  acl_check_yieldable(L);
  rc = k->acquire(h, &f);
  if (rc != 0) return acl_raise_code(L, st, rc, NULL);
  return acl_await_owned(L, st, ts, f, ACL_K_TRUE);
}

/* release(prim). */
static int release(lua_State *L, const prim_kind *k) {
  int rc = k->release(handle_at(L, 1, k->to, k->expected));
  if (rc < 0) return acl_raise_code(L, ACL_ST(L), rc, "release");
  return 0;
}

#if ACL_HAS_K
/* with(prim, fn, ...) -> fn's values: calls fn(...) holding prim, which is
 * released after fn returns or raises (then the error goes on). Lua 5.4
 * only: fn may suspend the task, which a C function can allow only through
 * a continuation. The continuations of each kind are with_called and
 * with_acquired below, reached through small functions of their own
 * (WITH_NATIVES), which give them the kind. */
static int with_called(lua_State *L, int status, lua_KContext ctx, const prim_kind *k) {
  /* Stack: prim (which keeps the handle ctx alive), then fn's values or
   * its error. */
  int rc = k->release((void *)ctx);
  if (rc < 0) return acl_raise_code(L, ACL_ST(L), rc, "release");
  if (status != LUA_OK && status != LUA_YIELD) return lua_error(L);
  return lua_gettop(L) - 1;
}

static int with_call(lua_State *L, int n, void *h, lua_KFunction called) {
  /* Stack: prim, fn, args (n values in all). */
  lua_KContext ctx = (lua_KContext)h;
  return called(L, lua_pcallk(L, n - 2, LUA_MULTRET, 0, ctx, called), ctx);
}

static int with_acquired(lua_State *L, int status, lua_KContext ctx, const prim_kind *k,
                         lua_KFunction called) {
  int n = (int)ctx;
  (void)status;
  /* Stack: prim, fn, args, then true, value | false, error. */
  if (!lua_toboolean(L, n + 1)) {
    lua_settop(L, n + 2);
    return lua_error(L); /* not acquired: nothing to release */
  }
  lua_settop(L, n);
  return with_call(L, n, handle_at(L, 1, k->to, k->expected), called);
}

static int with(lua_State *L, const prim_kind *k, lua_KFunction called, lua_KFunction acquired) {
  acl_state *st = ACL_ST(L);
  void *h = handle_at(L, 1, k->to, k->expected);
  acl_task *ts;
  ac_future *f = NULL;
  int rc, n = lua_gettop(L);
  luaL_checkany(L, 2);
  ts = acl_waiting_task(L, st, "asyncore.await");
  rc = k->try_acquire(h);
  if (rc == 1) return with_call(L, n, h, called);
  if (rc < 0) return acl_raise_code(L, st, rc, NULL);
  acl_check_yieldable(L);
  rc = k->acquire(h, &f);
  if (rc != 0) return acl_raise_code(L, st, rc, NULL);
  return acl_await_owned_k(L, st, ts, f, (lua_KContext)n, acquired);
}

#define WITH_NATIVES(name, kind)                                                    \
  static int name##_called(lua_State *L, int status, lua_KContext ctx) {          \
    return with_called(L, status, ctx, &kind);                                     \
  }                                                                                 \
  static int name##_acquired(lua_State *L, int status, lua_KContext ctx) {        \
    return with_acquired(L, status, ctx, &kind, name##_called);                    \
  }                                                                                 \
  int acl_##name##_with(lua_State *L) {                                            \
    return with(L, &kind, name##_called, name##_acquired);                         \
  }
WITH_NATIVES(lock, kind_lock)
WITH_NATIVES(semaphore, kind_semaphore)
WITH_NATIVES(condition, kind_condition)
#endif

/* lock_acquire(lock) -> true; lock_release(lock); the same for semaphore_
 * and condition_ (a Condition's lock). */
int acl_lock_acquire(lua_State *L) { return acquire(L, &kind_lock); }
int acl_lock_release(lua_State *L) { return release(L, &kind_lock); }
int acl_semaphore_acquire(lua_State *L) { return acquire(L, &kind_semaphore); }
int acl_semaphore_release(lua_State *L) { return release(L, &kind_semaphore); }
int acl_condition_acquire(lua_State *L) { return acquire(L, &kind_condition); }
int acl_condition_release(lua_State *L) { return release(L, &kind_condition); }

/* ---- Event ---- */

static void *to_event(lua_State *L, int idx) { return acl_to_event(L, idx); }

/* event_wait(ev) -> true. */
int acl_event_wait(lua_State *L) {
  acl_state *st = ACL_ST(L);
  ac_event *ev = (ac_event *)handle_at(L, 1, to_event, "Event expected");
  acl_task *ts = acl_waiting_task(L, st, "asyncore.await");
  ac_future *f = NULL;
  int rc = ac_event_is_set(ev);
  if (rc == 1) return return_true(L);
  if (rc < 0) return acl_raise_code(L, st, rc, NULL);
  acl_check_yieldable(L);
  rc = ac_event_wait(ev, &f);
  if (rc != 0) return acl_raise_code(L, st, rc, NULL);
  return acl_await_owned(L, st, ts, f, ACL_K_TRUE);
}

/* ---- Queue ---- */

static void *to_queue(lua_State *L, int idx) { return acl_to_queue(L, idx); }

/* queue_get(q) -> the next item, waiting while the queue is empty. */
int acl_queue_get(lua_State *L) {
  acl_state *st = ACL_ST(L);
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
  acl_check_yieldable(L);
  rc = ac_queue_get(q, &f);
  if (rc != 0) return acl_raise_code(L, st, rc, NULL);
  return acl_await_owned(L, st, ts, f, ACL_K_VALUES);
}

/* queue_put(q, item, [priority]): waits while the queue is full. */
int acl_queue_put(lua_State *L) {
  acl_state *st = ACL_ST(L);
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
    ts = acl_awaiting_task(L, st);
    if (ts == NULL) {
      acl_value_discard(&v);
      ts = acl_waiting_task(L, st, "asyncore.await");
      acl_check_yieldable(L);
    }
    rc = has_priority ? ac_queue_put_priority(q, priority, &v, &f) : ac_queue_put(q, &v, &f);
    if (rc == 0) return acl_await_owned(L, st, ts, f, ACL_K_NONE);
    acl_value_discard(&v);
    return acl_raise_code(L, st, rc, NULL);
  }
  acl_value_discard(&v);
  return acl_raise_code(L, st, rc, "put");
}

/* ---- queues without waiting: the code ---- */

/* queue_put_nowait(q, item, [priority]) -> code. */
int acl_queue_put_nowait(lua_State *L) {
  acl_state *st = ACL_ST(L);
  ac_queue *q = acl_check_queue(L, 1);
  int has_priority = !lua_isnoneornil(L, 3);
  int64_t priority = has_priority ? (int64_t)luaL_checknumber(L, 3) : 0;
  ac_value v;
  int rc;
  lua_settop(L, 3);
  rc = acl_to_value(L, st, 2, 1, &v);
  if (rc == 0) {
    rc = has_priority ? ac_queue_put_priority_nowait(q, priority, &v) : ac_queue_put_nowait(q, &v);
    if (rc != 0) acl_value_discard(&v);
  }
  lua_pushinteger(L, rc);
  return 1;
}

/* queue_get_nowait(q) -> 0, item, priority | code. */
int acl_queue_get_nowait(lua_State *L) {
  acl_state *st = ACL_ST(L);
  ac_queue *q = acl_check_queue(L, 1);
  ac_value v;
  int64_t priority = 0;
  int rc = ac_queue_get_nowait(q, &v, &priority);
  lua_pushinteger(L, rc);
  if (rc != 0) return 1;
  /* The item is ours now: push it, then release our hold (an anchor's
   * value stays alive on the stack). */
  acl_push_value(L, st, &v);
  ac_value_clear(&v);
  lua_pushnumber(L, (lua_Number)priority);
  return 3;
}
