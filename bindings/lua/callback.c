/*
 * callback.c — Lua functions the loop calls: call_soon/call_later/call_at,
 * done-callbacks, descriptors' readers and writers, servers' connections,
 * the exception handler, and functions other threads schedule
 * (asyncore_lua.h).
 *
 * Each registration is a block holding the function's registry reference;
 * the library's free_ud releases it exactly once. The function runs on the
 * callback thread inside acl_protect, itself under lua_pcall with a
 * message handler that keeps the traceback; an error goes to the loop's
 * exception handler as an AC_EHOST error (message and traceback, the Lua
 * error value as payload). It never reaches the host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "natives.h"
#include "asyncore_lua.h"

typedef struct acl_callback {
  acl_state *st;
  int fn_ref;
  /* The Handle object of a loop callback (registry reference), which the
   * exception handler's context names when the function raises; or
   * LUA_NOREF. */
  int handle_ref;
} acl_callback;

static acl_callback *callback_new(lua_State *L, acl_state *st, int fn_idx) {
  acl_callback *cb;
  int ref;
  luaL_checktype(L, fn_idx, LUA_TFUNCTION);
  lua_pushvalue(L, fn_idx);
  ref = luaL_ref(L, LUA_REGISTRYINDEX);
  cb = (acl_callback *)malloc(sizeof *cb);
  if (cb == NULL) {
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
    luaL_error(L, "asyncore: out of memory");
    return NULL;
  }
  cb->st = acl_state_hold(st);
  cb->fn_ref = ref;
  cb->handle_ref = LUA_NOREF;
  return cb;
}

/* Keeps the Handle object at idx (if any) with the callback. */
static void callback_set_handle(lua_State *L, acl_callback *cb, int idx) {
  if (lua_isnoneornil(L, idx)) return;
  lua_pushvalue(L, idx);
  cb->handle_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

static void callback_free(void *ud) {
  acl_callback *cb = (acl_callback *)ud;
  if (cb->st->L != NULL) {
    luaL_unref(cb->st->L, LUA_REGISTRYINDEX, cb->fn_ref);
    luaL_unref(cb->st->L, LUA_REGISTRYINDEX, cb->handle_ref);
  }
  acl_state_release(cb->st);
  free(cb);
}

/* Message handler: {error value, traceback}. */
static int keep_traceback(lua_State *L) {
  lua_createtable(L, 2, 0);
  lua_pushvalue(L, 1);
  lua_rawseti(L, -2, 1);
  luaL_traceback(L, L, acl_error_text(L, 1), 1);
  lua_rawseti(L, -3, 2);
  lua_pop(L, 1); /* the text */
  return 1;
}

/* Reports err to loop's handler as coming from the callback `cb` (its
 * Handle object) or from a done-callback of `done` (the handler's context
 * names it under 'handle', as asyncio's does). */
static void report_from(acl_state *st, ac_loop *loop, const char *what, ac_error *err,
                        const acl_callback *cb, ac_future *done) {
  int prev_ref = st->report_handle_ref;
  ac_future *prev_done = st->report_done_future;
  st->report_handle_ref = cb != NULL ? cb->handle_ref : LUA_NOREF;
  st->report_done_future = done;
  acl_report(loop, what, err);
  st->report_handle_ref = prev_ref;
  st->report_done_future = prev_done;
}

/* Calls the function below its `nargs` arguments on top of L; on error,
 * reports it to `loop`'s handler with `what` (as coming from `cb` or a
 * done-callback of `done`; or, for the exception handler itself, straight
 * to the default handler). */
static void call_reporting(lua_State *L, acl_state *st, ac_loop *loop, int nargs,
                           const char *what, int from_handler, const acl_callback *cb,
                           ac_future *done) {
  int fn = lua_gettop(L) - nargs;
  ac_error *err;
  lua_pushcfunction(L, keep_traceback);
  lua_insert(L, fn);
  if (lua_pcall(L, nargs, 0, fn) == 0) {
    lua_remove(L, fn);
    return;
  }
  lua_remove(L, fn);
  if (lua_type(L, -1) == LUA_TTABLE) {
    lua_rawgeti(L, -1, 1);
    lua_rawgeti(L, -2, 2);
    err = acl_error_from_lua(L, st, -2, lua_tostring(L, -1));
    lua_pop(L, 3);
  } else {
    /* The message handler itself failed (memory). */
    err = acl_error_from_lua(L, st, -1, lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  if (from_handler)
    ac_loop_default_exception_handler(loop, what, err, NULL);
  else
    report_from(st, loop, what, err, cb, done);
  ac_error_unref(err);
}

struct call_ctx {
  acl_callback *cb;
  ac_loop *loop;
  ac_stream *stream; /* the argument of a connection callback, or NULL */
  ac_future *done;   /* the future of a done-callback, or NULL */
};

static int call_body(lua_State *L) {
  struct call_ctx *c = (struct call_ctx *)lua_touserdata(L, 1);
  int nargs = 0;
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->cb->fn_ref);
  if (c->stream != NULL) {
    acl_push_stream(L, c->stream);
    nargs = 1;
  }
  call_reporting(L, c->cb->st, c->loop, nargs, "Exception in callback", 0, c->cb, c->done);
  return 0;
}

/* Runs cb's function (with `stream` as its argument when not NULL);
 * errors of the machinery itself are reported too. */
static void run_callback_with(ac_loop *loop, acl_callback *cb, ac_stream *stream,
                              ac_future *done) {
  struct call_ctx c;
  char err[512];
  if (cb->st->L == NULL) return; /* the Lua state is gone */
  c.cb = cb;
  c.loop = loop;
  c.stream = stream;
  c.done = done;
  if (acl_protect(cb->st, call_body, &c, err, sizeof err) != 0) {
    ac_error *e = NULL;
    if (ac_error_new(AC_EHOST, err, NULL, &e) == 0) {
      report_from(cb->st, loop, "Exception in callback", e, cb, done);
      ac_error_unref(e);
    }
  }
}

static void loop_callback(ac_loop *loop, void *ud) {
  run_callback_with(loop, (acl_callback *)ud, NULL, NULL);
}

static void done_callback(ac_future *f, void *ud) {
  run_callback_with(ac_future_get_loop(f), (acl_callback *)ud, NULL, f);
}

static int push_handle_result(lua_State *L, int rc, ac_call *h) {
  if (rc != 0) return acl_push_fail(L, rc);
  acl_push_handle(L, h);
  return 1;
}

/* call_soon(loop, fn, [handle object]) -> Handle | nil, code. The Lua
 * layer's Handle object, if given, is what the exception handler's
 * context names when fn raises. */
int acl_call_soon(lua_State *L) {
  ac_loop *loop = acl_check_loop(L, 1);
  acl_callback *cb = callback_new(L, ACL_ST(L), 2);
  ac_call *h = NULL;
  int rc;
  callback_set_handle(L, cb, 3);
  rc = ac_loop_call_soon(loop, loop_callback, cb, callback_free, &h);
  return push_handle_result(L, rc, h);
}

/* call_later(loop, delay, fn, [handle object]) -> Handle | nil, code. */
int acl_call_later(lua_State *L) {
  ac_loop *loop = acl_check_loop(L, 1);
  double delay = (double)luaL_checknumber(L, 2);
  acl_callback *cb = callback_new(L, ACL_ST(L), 3);
  ac_call *h = NULL;
  int rc;
  callback_set_handle(L, cb, 4);
  rc = ac_loop_call_later(loop, delay, loop_callback, cb, callback_free, &h);
  return push_handle_result(L, rc, h);
}

/* call_at(loop, when, fn, [handle object]) -> Handle | nil, code. */
int acl_call_at(lua_State *L) {
  ac_loop *loop = acl_check_loop(L, 1);
  double when = (double)luaL_checknumber(L, 2);
  acl_callback *cb = callback_new(L, ACL_ST(L), 3);
  ac_call *h = NULL;
  int rc;
  callback_set_handle(L, cb, 4);
  rc = ac_loop_call_at(loop, when, loop_callback, cb, callback_free, &h);
  return push_handle_result(L, rc, h);
}

/* add_done_callback(fut, fn) -> token | nil, code. The token removes it. */
int acl_add_done_callback(lua_State *L) {
  ac_future *f = acl_check_future(L, 1);
  acl_callback *cb;
  int rc;
  cb = callback_new(L, ACL_ST(L), 2);
  rc = ac_future_add_done_callback(f, done_callback, cb, callback_free);
  if (rc != 0) return acl_push_fail(L, rc);
  lua_pushlightuserdata(L, cb);
  return 1;
}

/* remove_done_callback(fut, token) -> count removed | code. */
int acl_remove_done_callback(lua_State *L) {
  ac_future *f = acl_check_future(L, 1);
  luaL_checktype(L, 2, LUA_TLIGHTUSERDATA);
  lua_pushinteger(L, ac_future_remove_done_callback(f, done_callback, lua_touserdata(L, 2)));
  return 1;
}

/* ---- Lua functions other threads schedule (asyncore_lua.h) ---- */

/* The block behind a target: the public part first. pub.pending counts
 * the calls not ended plus one for the Lua object; whoever brings it to 0
 * frees the block (any thread: it holds C memory and a loop reference). */
typedef struct acl_post {
  asyncore_lua_post pub;
  acl_callback *cb; /* the Lua function; NULL once the object is closed */
} acl_post;

#define ACL_POST_META "asyncore.ThreadsafeCallback"

static void post_unref(acl_post *p) {
  if (__atomic_sub_fetch(&p->pub.pending, 1, __ATOMIC_ACQ_REL) == 0) {
    ac_loop_unref(p->pub.loop);
    free(p);
  }
}

/* On the loop's thread: the Lua function, unless the object is gone. */
static void post_run(ac_loop *loop, void *ud) {
  acl_post *p = (acl_post *)ud;
  if (p->cb != NULL) run_callback_with(loop, p->cb, NULL, NULL);
}

/* Ends one call (after it ran, at the loop's close, or at once when the
 * call failed). */
static void post_end(void *ud) { post_unref((acl_post *)ud); }

static acl_post **check_post(lua_State *L) {
  return (acl_post **)luaL_checkudata(L, 1, ACL_POST_META);
}

/* target:close() (and __gc): the Lua function is released; calls made
 * before never run it. */
static int post_close(lua_State *L) {
  acl_post **slot = check_post(L);
  acl_post *p = *slot;
  if (p == NULL) return 0;
  *slot = NULL;
  if (p->cb != NULL) {
    acl_callback *cb = p->cb;
    p->cb = NULL;
    callback_free(cb);
  }
  post_unref(p);
  return 0;
}

/* target:ptr() -> the asyncore_lua_post * (a light userdata). */
static int post_ptr(lua_State *L) {
  acl_post *p = *check_post(L);
  luaL_argcheck(L, p != NULL, 1, "the target is closed");
  lua_pushlightuserdata(L, &p->pub);
  return 1;
}

/* target:call() -> code: the same call as C makes (asyncio's
 * call_soon_threadsafe is valid on the loop's thread too). */
static int post_call(lua_State *L) {
  acl_post *p = *check_post(L);
  luaL_argcheck(L, p != NULL, 1, "the target is closed");
  lua_pushinteger(L, asyncore_lua_call_soon_threadsafe(&p->pub));
  return 1;
}

/* threadsafe_callback(loop, fn) -> target | nil, code: fn, which C code on
 * any thread schedules with asyncore_lua_call_soon_threadsafe. */
int acl_threadsafe_callback(lua_State *L) {
  ac_loop *loop = acl_check_loop(L, 1);
  acl_state *st = ACL_ST(L);
  acl_post **slot;
  acl_post *p;
  luaL_checktype(L, 2, LUA_TFUNCTION);
  if (ac_loop_is_closed(loop) == 1) {
    return acl_push_fail(L, AC_ECLOSED);
  }
  slot = (acl_post **)lua_newuserdata(L, sizeof *slot);
  *slot = NULL;
  if (luaL_newmetatable(L, ACL_POST_META)) {
    lua_pushcfunction(L, post_close);
    lua_setfield(L, -2, "__gc");
    lua_createtable(L, 0, 3);
    lua_pushcfunction(L, post_ptr);
    lua_setfield(L, -2, "ptr");
    lua_pushcfunction(L, post_call);
    lua_setfield(L, -2, "call");
    lua_pushcfunction(L, post_close);
    lua_setfield(L, -2, "close");
    lua_setfield(L, -2, "__index");
  }
  lua_setmetatable(L, -2);
  p = (acl_post *)calloc(1, sizeof *p);
  if (p == NULL) return luaL_error(L, "asyncore: out of memory");
  p->pub.loop = ac_loop_ref(loop);
  p->pub.fn = post_run;
  p->pub.ud = p;
  p->pub.free_ud = post_end;
  p->pub.pending = 1; /* the object's */
  *slot = p;
  p->cb = callback_new(L, st, 2);
  return 1;
}

/* ---- servers ---- */

static void on_connection(ac_server *server, ac_stream *stream, void *ud) {
  (void)server;
  run_callback_with(ac_stream_get_loop(stream), (acl_callback *)ud, stream, NULL);
}

/* server_listen(loop, host, port, backlog, fn[, reuse_address, reuse_port,
 * ipv6_only]) -> Server | nil, code: TCP, the options (sockopt.h's
 * ac_server_options: integers, nil for the default);
 * server_listen(loop, path, nil, backlog, fn): a Unix socket. fn(stream)
 * runs for each connection, as a callback of the loop. */
int acl_server_listen(lua_State *L) {
  ac_loop *loop = acl_check_loop(L, 1);
  const char *where = luaL_optstring(L, 2, NULL);
  int is_unix = lua_isnoneornil(L, 3);
  int port = is_unix ? 0 : (int)luaL_checkinteger(L, 3);
  int backlog = (int)luaL_optinteger(L, 4, 0);
  acl_callback *cb;
  ac_server *srv = NULL;
  ac_server_options opts;
  int rc;
  if (is_unix) luaL_argcheck(L, where != NULL, 2, "socket path expected");
  ac_server_options_init(&opts);
  opts.reuse_address = (int)luaL_optinteger(L, 6, opts.reuse_address);
  opts.reuse_port = (int)luaL_optinteger(L, 7, opts.reuse_port);
  opts.ipv6_only = (int)luaL_optinteger(L, 8, opts.ipv6_only);
  cb = callback_new(L, ACL_ST(L), 5);
  if (is_unix)
    rc = ac_server_listen_unix(loop, where, backlog, on_connection, cb, callback_free, &srv);
  else
    rc = ac_server_listen_tcp_ex(loop, where, port, backlog, &opts, on_connection, cb,
                                 callback_free, &srv);
  if (rc != 0) return acl_push_fail(L, rc);
  acl_push_server(L, srv);
  return 1;
}

/* ---- the exception handler ---- */

struct handler_ctx {
  acl_callback *cb;
  ac_loop *loop;
  const char *message;
  ac_error *error;
  ac_future *future;
};

/* Pushes the core wrapper of f (a Task for a task). */
static void push_future_or_task(lua_State *L, ac_future *f) {
  ac_task *t = ac_future_as_task(f);
  if (t != NULL)
    acl_push_task(L, t);
  else
    acl_push_future(L, f);
}

/* The context key of the reported future: "task" for what asyncio names
 * so (a leftover of run's shutdown, a task destroyed while pending),
 * "future" otherwise. */
static const char *future_key(const acl_state *st, const ac_loop *loop) {
  const char *subject;
  if (st->report_future_key != NULL) return st->report_future_key;
  subject = ac_loop_exception_subject(loop);
  return subject != NULL && strcmp(subject, "task") == 0 ? "task" : "future";
}

/* The context is asyncio's: message, exception, and what the error came
 * from: future (or task), or the handle of the callback that raised
 * (`handle`: the Handle object of a loop callback; for a done-callback
 * `_done_future`, the future, of which the Lua layer makes the Handle). */
static int handler_body(lua_State *L) {
  struct handler_ctx *c = (struct handler_ctx *)lua_touserdata(L, 1);
  acl_state *st = c->cb->st;
  void *borrowed = NULL;
  /* In a finalizer (a wrapper dropped the last reference of a future
   * whose error nobody read), no wrapper that holds a reference is made:
   * one made while the Lua state closes would never be finalized. The
   * future goes in a wrapper that holds none, emptied after the call
   * (kept at index 2 until then); the Lua layer passes it on as it is. */
  if (c->future != NULL && acl_finalizing > 0) borrowed = acl_push_borrowed_future(L, c->future);
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->cb->fn_ref);
  lua_createtable(L, 0, 4);
  lua_pushstring(L, c->message != NULL ? c->message : "");
  lua_setfield(L, -2, "message");
  if (c->error != NULL) {
    acl_push_error_object(L, st, c->error);
    lua_setfield(L, -2, "exception");
  }
  if (c->future != NULL) {
    if (borrowed != NULL) {
      lua_pushvalue(L, 2);
      lua_pushboolean(L, 1);
      lua_setfield(L, -3, "_borrowed");
    } else {
      push_future_or_task(L, c->future);
    }
    lua_setfield(L, -2, future_key(st, c->loop));
  }
  if (st->report_handle_ref != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, st->report_handle_ref);
    lua_setfield(L, -2, "handle");
  } else if (st->report_done_future != NULL && acl_finalizing == 0) {
    push_future_or_task(L, st->report_done_future);
    lua_setfield(L, -2, "_done_future");
  }
  /* The loop, for a handler whose Loop object is gone (the Lua layer
   * holds it weakly: a strong hold would keep the loop alive for ever). */
  if (acl_finalizing == 0) {
    acl_push_loop(L, c->loop);
    lua_setfield(L, -2, "_loop");
  }
  /* What the handler itself makes the loop report is not from there. */
  st->report_handle_ref = LUA_NOREF;
  st->report_done_future = NULL;
  st->report_future_key = NULL;
  call_reporting(L, st, c->loop, 1, "Unhandled error in the exception handler", 1, NULL, NULL);
  if (borrowed != NULL) acl_forget_borrowed(borrowed);
  return 0;
}

static void exception_handler(ac_loop *loop, const char *message, ac_error *error,
                              ac_future *future, void *ud) {
  acl_callback *cb = (acl_callback *)ud;
  struct handler_ctx c;
  char err[512];
  if (cb->st->L == NULL) {
    ac_loop_default_exception_handler(loop, message, error, future);
    return;
  }
  c.cb = cb;
  c.loop = loop;
  c.message = message;
  c.error = error;
  c.future = future;
  if (acl_protect(cb->st, handler_body, &c, err, sizeof err) != 0) {
    ac_loop_default_exception_handler(loop, message, error, future);
    ac_loop_default_exception_handler(loop, err, NULL, NULL);
  }
}

/* set_exception_handler(loop, fn | nil) -> code. fn(context) receives a
 * table {message=, error=, code=, future=}. */
int acl_set_exception_handler(lua_State *L) {
  ac_loop *loop = acl_check_loop(L, 1);
  acl_callback *cb;
  if (lua_isnoneornil(L, 2)) {
    lua_pushinteger(L, ac_loop_set_exception_handler(loop, NULL, NULL, NULL));
    return 1;
  }
  cb = callback_new(L, ACL_ST(L), 2);
  lua_pushinteger(L, ac_loop_set_exception_handler(loop, exception_handler, cb, callback_free));
  return 1;
}

/* call_exception_handler(loop, message, [error value], [future or task,
 * [key]]) -> code. The future goes under `key` in the handler's context
 * ("future" by default; asyncio names run()'s leftovers "task"). */
int acl_call_exception_handler(lua_State *L) {
  acl_state *st = ACL_ST(L);
  ac_loop *loop = acl_check_loop(L, 1);
  const char *message = luaL_checkstring(L, 2);
  ac_future *future = lua_isnoneornil(L, 4) ? NULL : acl_to_future(L, 4);
  const char *key = luaL_optstring(L, 5, NULL);
  const char *prev_key = st->report_future_key;
  int prev_ref = st->report_handle_ref;
  ac_future *prev_done = st->report_done_future;
  ac_error *err = NULL;
  int rc;
  luaL_argcheck(L, lua_isnoneornil(L, 4) || future != NULL, 4, "Future or Task expected");
  luaL_argcheck(L, key == NULL || strcmp(key, "future") == 0 || strcmp(key, "task") == 0, 5,
                "\"future\" or \"task\" expected");
  if (!lua_isnoneornil(L, 3)) {
    err = acl_error_from_lua(L, st, 3, acl_error_text(L, 3));
    if (err == NULL) return luaL_error(L, "asyncore: out of memory");
  }
  /* Static strings: the handler runs inline, within this call. */
  st->report_future_key = key != NULL && strcmp(key, "task") == 0 ? "task" : NULL;
  st->report_handle_ref = LUA_NOREF;
  st->report_done_future = NULL;
  rc = ac_loop_call_exception_handler(loop, message, err, future);
  st->report_future_key = prev_key;
  st->report_handle_ref = prev_ref;
  st->report_done_future = prev_done;
  ac_error_unref(err);
  lua_pushinteger(L, rc);
  return 1;
}

/* add_reader(loop, fd, fn) / add_writer(loop, fd, fn) -> 0 | code
 * (asyncore/fdwatch.h); fn() runs as a loop callback. */
static int add_watch(lua_State *L, int write) {
  ac_loop *loop = acl_check_loop(L, 1);
  int fd = (int)luaL_checkinteger(L, 2);
  acl_callback *cb = callback_new(L, ACL_ST(L), 3);
  int rc = write ? ac_loop_add_writer(loop, fd, loop_callback, cb, callback_free)
                 : ac_loop_add_reader(loop, fd, loop_callback, cb, callback_free);
  lua_pushinteger(L, rc);
  return 1;
}
int acl_add_reader(lua_State *L) { return add_watch(L, 0); }
int acl_add_writer(lua_State *L) { return add_watch(L, 1); }
