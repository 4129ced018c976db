/*
 * threads.c — the C half of the Lua conformance program (scenarios 42-45,
 * 119, 120, 180):
 * the Lua module `conformance_threads`. Lua code runs only on its loop's
 * thread, so the work done on other threads is C, as asyncore.to_thread and
 * asyncore.TsFuture expect.
 *
 *   work_42, work_epipe       ac_work_fn values (light userdata) for
 *                             asyncore.to_thread: return 42, fail with EPIPE
 *   read_k, write_k, k_ud     the same for 119 (read / set K in the
 *                             worker's copy of the context; ud = k_ud(K:key()))
 *   work_slow_7               the same for 180: 20 ms of real work, then 7
 *   work_einval               an ac_work_v2_fn for asyncore.to_thread_v2 (120):
 *                             fails with ValueError('bad reply') caused by
 *                             ConnectionResetError('peer reset')
 *   complete_later(ts, v)     starts a thread that sets the thread-safe
 *                             future `ts` (tsf:ptr()) to the integer v;
 *                             returns the thread (light userdata)
 *   call_soon_threadsafe_from_thread(target)
 *                             starts a thread that schedules the Lua
 *                             function of `target` (a light userdata,
 *                             loop:threadsafe_callback(fn):ptr()) with
 *                             asyncore_lua_call_soon_threadsafe; returns
 *                             the thread
 *   join(thread)              waits for that thread and releases it
 *   thread_id()               a number naming the calling thread
 */
#define _POSIX_C_SOURCE 200809L
#include <asyncore.h>
#include <asyncore_lua.h>
#include <lauxlib.h>
#include <lua.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int work_42(void *ud, ac_value *result) {
  (void)ud;
  ac_value_set_int64(result, 42);
  return 0;
}

/* 180: real work that takes real time (the virtual clock waits for it). */
static int work_slow_7(void *ud, ac_value *result) {
  struct timespec nap = {0, 20 * 1000000L};
  (void)ud;
  nanosleep(&nap, NULL);
  ac_value_set_int64(result, 7);
  return 0;
}

static int work_epipe(void *ud, ac_value *result) {
  (void)ud;
  (void)result;
  return AC_EPIPE;
}

/* 119: the work runs in a copy of the calling task's context; ac_context_*
 * with a NULL loop reach it. `ud` is k_ud(key): the key of K and a buffer
 * for the result's bytes (one job at a time). */
struct k_job {
  ac_context_key key;
  char buf[64];
};
static struct k_job k_job;

static int read_k(void *ud, ac_value *result) {
  struct k_job *j = ud;
  ac_value v;
  if (ac_context_get(NULL, j->key, &v) == 1 && v.kind == AC_VALUE_BYTES)
    snprintf(j->buf, sizeof j->buf, "%.*s", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
  else
    snprintf(j->buf, sizeof j->buf, "unset");
  ac_value_set_bytes(result, j->buf, strlen(j->buf));
  return 0;
}
static int write_k(void *ud, ac_value *result) {
  struct k_job *j = ud;
  ac_value v;
  ac_value_set_bytes(&v, "worker", 6);
  if (ac_context_set(NULL, j->key, &v) < 0) return AC_EINVAL;
  return read_k(ud, result);
}

/* k_ud(key) -> the `ud` of read_k / write_k for the context key `key`. */
static int k_ud(lua_State *L) {
  k_job.key = (ac_context_key)luaL_checknumber(L, 1);
  lua_pushlightuserdata(L, &k_job);
  return 1;
}

/* 120: raise ValueError('bad reply') from ConnectionResetError(...): an
 * ac_work_v2_fn fails with an error object it made, cause and all. */
static int work_einval(void *ud, ac_value *result, ac_error **error) {
  ac_error *reset;
  (void)ud;
  (void)result;
  if (ac_error_new(AC_ECONNRESET, "peer reset", NULL, &reset) < 0) return AC_ENOMEM;
  if (ac_error_new(AC_EINVAL, "bad reply", reset, error) < 0) *error = NULL;
  ac_error_unref(reset);
  return AC_EINVAL;
}

/* A thread of the program's own: it completes a thread-safe future, or
 * schedules a Lua function on its loop. */
struct completer {
  pthread_t thread;
  ac_tsfuture *ts; /* a reference of its own, dropped by the thread */
  int64_t value;
  asyncore_lua_post *post; /* or this target (loop:threadsafe_callback) */
};

static void *complete(void *ud) {
  struct completer *c = ud;
  if (c->post != NULL) {
    asyncore_lua_call_soon_threadsafe(c->post);
    return NULL;
  }
  ac_tsfuture_set_result_int64(c->ts, c->value);
  ac_tsfuture_unref(c->ts);
  c->ts = NULL;
  return NULL;
}

static int complete_later(lua_State *L) {
  struct completer *c;
  luaL_checktype(L, 1, LUA_TLIGHTUSERDATA);
  c = calloc(1, sizeof *c);
  if (c == NULL) return luaL_error(L, "out of memory");
  c->ts = ac_tsfuture_ref((ac_tsfuture *)lua_touserdata(L, 1));
  c->value = (int64_t)luaL_checknumber(L, 2);
  if (pthread_create(&c->thread, NULL, complete, c) != 0) {
    ac_tsfuture_unref(c->ts);
    free(c);
    return luaL_error(L, "pthread_create failed");
  }
  lua_pushlightuserdata(L, c);
  return 1;
}

/* call_soon_threadsafe_from_thread(target): starts a thread that schedules
 * the Lua function of `target` (loop:threadsafe_callback(fn):ptr()) on its
 * loop (45); returns the thread. */
static int call_soon_threadsafe_from_thread(lua_State *L) {
  struct completer *c;
  luaL_checktype(L, 1, LUA_TLIGHTUSERDATA);
  c = calloc(1, sizeof *c);
  if (c == NULL) return luaL_error(L, "out of memory");
  c->post = (asyncore_lua_post *)lua_touserdata(L, 1);
  if (pthread_create(&c->thread, NULL, complete, c) != 0) {
    free(c);
    return luaL_error(L, "pthread_create failed");
  }
  lua_pushlightuserdata(L, c);
  return 1;
}

/* thread_id() -> a number naming the calling thread. */
static int thread_id(lua_State *L) {
  pthread_t self = pthread_self();
  lua_Integer id = 0;
  memcpy(&id, &self, sizeof self < sizeof id ? sizeof self : sizeof id);
  lua_pushinteger(L, id);
  return 1;
}

static int join(lua_State *L) {
  struct completer *c;
  luaL_checktype(L, 1, LUA_TLIGHTUSERDATA);
  c = lua_touserdata(L, 1);
  pthread_join(c->thread, NULL);
  free(c);
  return 0;
}

/* An ac_work_fn as light userdata (a function pointer is not a void *). */
static void push_work_fn(lua_State *L, ac_work_fn fn) {
  void *p;
  memcpy(&p, &fn, sizeof p);
  lua_pushlightuserdata(L, p);
}

static void push_work_v2_fn(lua_State *L, ac_work_v2_fn fn) {
  void *p;
  memcpy(&p, &fn, sizeof p);
  lua_pushlightuserdata(L, p);
}

int luaopen_conformance_threads(lua_State *L) {
  lua_createtable(L, 0, 11);
  lua_pushcfunction(L, k_ud);
  lua_setfield(L, -2, "k_ud");
  push_work_fn(L, work_42);
  lua_setfield(L, -2, "work_42");
  push_work_fn(L, work_slow_7);
  lua_setfield(L, -2, "work_slow_7");
  push_work_fn(L, work_epipe);
  lua_setfield(L, -2, "work_epipe");
  push_work_fn(L, read_k);
  lua_setfield(L, -2, "read_k");
  push_work_fn(L, write_k);
  lua_setfield(L, -2, "write_k");
  push_work_v2_fn(L, work_einval);
  lua_setfield(L, -2, "work_einval");
  lua_pushcfunction(L, complete_later);
  lua_setfield(L, -2, "complete_later");
  lua_pushcfunction(L, join);
  lua_setfield(L, -2, "join");
  lua_pushcfunction(L, call_soon_threadsafe_from_thread);
  lua_setfield(L, -2, "call_soon_threadsafe_from_thread");
  lua_pushcfunction(L, thread_id);
  lua_setfield(L, -2, "thread_id");
  return 1;
}
