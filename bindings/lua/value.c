/*
 * value.c — Lua values to ac_value and back, error objects, and the
 * helpers every native uses to check its arguments and answer a failure
 * (acl.h states the conventions); the natives of error objects.
 *
 * Mapping: nil <-> NONE; integers <-> INT64 (Lua 5.1/LuaJIT: numbers that
 * are whole and exactly representable go out as INT64 and come back as
 * numbers); other numbers <-> DOUBLE; strings <-> BYTES (copied by whoever
 * stores them); anything else (booleans, tables, functions, userdata) is
 * anchored and travels as a POINTER whose destructor drops the anchor, so
 * the very same Lua object comes back. Several values travel as one
 * anchored pack. A POINTER that is not one of our anchors (a C library's
 * own value) comes back as a light userdata.
 */
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "natives.h"

/* The metatable field that marks the error objects of the Lua layer. */
#define ACL_ERROR_MARK "__asyncore_error"

static int is_our_anchor(acl_state *st, const ac_value *v) {
  return v->kind == AC_VALUE_POINTER && v->u.pointer.free_fn == acl_anchor_free &&
         v->u.pointer.ptr != NULL && ((acl_anchor *)v->u.pointer.ptr)->st == st;
}

static int anchor_value(lua_State *L, acl_state *st, int idx, int multi, ac_value *out) {
  acl_anchor *a;
  lua_pushvalue(L, idx);
  a = acl_anchor_new(L, st, multi);
  if (a == NULL) return AC_ENOMEM;
  ac_value_set_pointer(out, a, acl_anchor_free);
  return 0;
}

int acl_to_value(lua_State *L, acl_state *st, int idx, int n, ac_value *out) {
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  ac_value_set_none(out);
  if (n <= 0) return 0;
  if (n > 1) {
    int i, rc;
    lua_createtable(L, n, 1);
    for (i = 0; i < n; i++) {
      lua_pushvalue(L, idx + i);
      lua_rawseti(L, -2, i + 1);
    }
    lua_pushinteger(L, n);
    lua_setfield(L, -2, "n");
    rc = anchor_value(L, st, -1, 1, out);
    lua_pop(L, 1);
    return rc;
  }
  switch (lua_type(L, idx)) {
    case LUA_TNIL:
      return 0;
    case LUA_TNUMBER:
      acl_number_value(L, idx, out);
      return 0;
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, idx, &len);
      ac_value_set_bytes(out, s, len);
      return 0;
    }
    default:
      return anchor_value(L, st, idx, 0, out);
  }
}

void acl_value_discard(ac_value *v) {
  if (v->kind == AC_VALUE_POINTER) ac_value_clear(v);
  ac_value_set_none(v);
}

int acl_push_value(lua_State *L, acl_state *st, const ac_value *v) {
  luaL_checkstack(L, 2, "asyncore: stack overflow");
  switch (v->kind) {
    case AC_VALUE_INT64:
#if LUA_VERSION_NUM >= 503
      lua_pushinteger(L, (lua_Integer)v->u.i64);
#else
      lua_pushnumber(L, (lua_Number)v->u.i64);
#endif
      return 1;
    case AC_VALUE_DOUBLE:
      lua_pushnumber(L, (lua_Number)v->u.f64);
      return 1;
    case AC_VALUE_BYTES:
      lua_pushlstring(L, v->u.bytes.len != 0 ? (const char *)v->u.bytes.data : "",
                      v->u.bytes.len);
      return 1;
    case AC_VALUE_POINTER:
      if (is_our_anchor(st, v)) return acl_anchor_push(L, (const acl_anchor *)v->u.pointer.ptr);
      lua_pushlightuserdata(L, v->u.pointer.ptr);
      return 1;
    default:
      lua_pushnil(L);
      return 1;
  }
}

void acl_push_error_object(lua_State *L, acl_state *st, ac_error *err) {
  ac_value payload;
  luaL_checkstack(L, 5, "asyncore: stack overflow");
  if (err != NULL && ac_error_payload(err, &payload) == 0 && is_our_anchor(st, &payload)) {
    const acl_anchor *a = (const acl_anchor *)payload.u.pointer.ptr;
    lua_rawgeti(L, LUA_REGISTRYINDEX, a->ref);
    return;
  }
  if (acl_finalizing > 0 && st->factory_ref != LUA_NOREF && err != NULL) {
    /* In a finalizer: an error object without a wrapper of the error. */
    lua_rawgeti(L, LUA_REGISTRYINDEX, st->factory_ref);
    lua_pushinteger(L, ac_error_code(err));
    lua_pushstring(L, ac_error_message(err));
    lua_call(L, 2, 1);
    return;
  }
  if (st->factory_ref == LUA_NOREF || err == NULL) {
    /* Before the Lua layer is loaded: a plain message. */
    lua_pushfstring(L, "%s: %s", ac_err_name(ac_error_code(err)),
                    err != NULL ? ac_error_message(err) : "unknown error");
    return;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, st->factory_ref);
  lua_pushinteger(L, ac_error_code(err));
  lua_pushstring(L, ac_error_message(err));
  acl_push_error(L, err);
  lua_call(L, 3, 1);
}

/* rawget of a field of the table at idx (absolute); pushes it. */
static int rawfield(lua_State *L, int idx, const char *name) {
  lua_pushstring(L, name);
  lua_rawget(L, idx);
  return lua_type(L, -1);
}

const char *acl_error_text(lua_State *L, int idx) {
#if LUA_VERSION_NUM >= 502
  return luaL_tolstring(L, idx, NULL);
#else
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  if (luaL_callmeta(L, idx, "__tostring")) {
    if (!lua_isstring(L, -1)) luaL_error(L, "'__tostring' must return a string");
    return lua_tostring(L, -1);
  }
  switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
    case LUA_TSTRING:
      lua_pushvalue(L, idx);
      return lua_tostring(L, -1);
    case LUA_TBOOLEAN:
      lua_pushstring(L, lua_toboolean(L, idx) ? "true" : "false");
      return lua_tostring(L, -1);
    case LUA_TNIL:
      lua_pushliteral(L, "nil");
      return lua_tostring(L, -1);
    default:
      lua_pushfstring(L, "%s: %p", luaL_typename(L, idx), lua_topointer(L, idx));
      return lua_tostring(L, -1);
  }
#endif
}

ac_error *acl_error_from_lua(lua_State *L, acl_state *st, int idx, const char *text) {
  int code = AC_EHOST;
  const char *message = text;
  ac_error *err = NULL;
  ac_value payload;
  int top = lua_gettop(L);
  idx = idx < 0 ? top + idx + 1 : idx;
  if (lua_type(L, idx) == LUA_TTABLE && lua_getmetatable(L, idx)) {
    int mt = lua_gettop(L);
    int marked = rawfield(L, mt, ACL_ERROR_MARK) != LUA_TNIL;
    if (marked) {
      ac_error *same;
      rawfield(L, idx, "_err");
      same = acl_to_error(L, -1);
      if (same != NULL) {
        /* A library error re-raised as it was: keep it whole. */
        lua_settop(L, top);
        return ac_error_ref(same);
      }
      if (rawfield(L, idx, "code") == LUA_TNUMBER && lua_tointeger(L, -1) < 0)
        code = (int)lua_tointeger(L, -1);
      if (rawfield(L, idx, "message") == LUA_TSTRING) message = lua_tostring(L, -1);
    }
  }
  if (ac_error_new(code, message, NULL, &err) != 0) {
    lua_settop(L, top);
    return NULL;
  }
  if (anchor_value(L, st, idx, 0, &payload) == 0 && ac_error_set_payload(err, &payload) != 0)
    ac_value_clear(&payload);
  lua_settop(L, top);
  return err;
}

void acl_report(ac_loop *loop, const char *message, ac_error *err) {
  ac_loop_call_exception_handler(loop, message, err, NULL);
}

/* ---- errors made here, raised ---- */

void acl_push_made_error(lua_State *L, acl_state *st, int code, const char *message) {
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

int acl_raise_misuse(lua_State *L, acl_state *st, const char *fmt, const char *arg) {
  lua_pushfstring(L, fmt, arg);
  acl_push_made_error(L, st, AC_EMISUSE, lua_tostring(L, -1));
  return lua_error(L);
}

/* ---- arguments and failure returns of the natives ---- */

ac_loop *acl_check_loop(lua_State *L, int idx) {
  ac_loop *loop = acl_to_loop(L, idx);
  luaL_argcheck(L, loop != NULL, idx, "Loop expected");
  return loop;
}

ac_future *acl_check_future(lua_State *L, int idx) {
  ac_future *f = acl_to_future(L, idx);
  luaL_argcheck(L, f != NULL, idx, "Future or Task expected");
  return f;
}

ac_queue *acl_check_queue(lua_State *L, int idx) {
  ac_queue *q = acl_to_queue(L, idx);
  luaL_argcheck(L, q != NULL, idx, "Queue expected");
  return q;
}

ac_stream *acl_check_stream(lua_State *L, int idx) {
  ac_stream *s = acl_to_stream(L, idx);
  luaL_argcheck(L, s != NULL, idx, "Stream expected");
  return s;
}

int acl_push_fail(lua_State *L, int rc) {
  lua_pushnil(L);
  lua_pushinteger(L, rc);
  return 2;
}

int acl_push_new_future(lua_State *L, int rc, ac_future *f) {
  if (rc != 0) return acl_push_fail(L, rc);
  acl_push_future(L, f);
  ac_future_unref(f);
  return 1;
}

/* ---- natives of error objects ---- */

/* set_error_factory(fn): fn(code, message, Error) makes error objects. */
int acl_set_error_factory(lua_State *L) {
  acl_state *st = ACL_ST(L);
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_pushvalue(L, 1);
  if (st->factory_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, st->factory_ref);
  st->factory_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

/* error_payload(Error) -> the Lua value a Lua error carries, or nothing. */
int acl_error_payload(lua_State *L) {
  acl_state *st = ACL_ST(L);
  ac_error *err = acl_to_error(L, 1);
  ac_value v;
  luaL_argcheck(L, err != NULL, 1, "Error expected");
  if (ac_error_payload(err, &v) != 0 || v.kind == AC_VALUE_NONE) return 0;
  return acl_push_value(L, st, &v);
}

/* error_from_value(v) -> Error: the library error for a Lua error value
 * (the same one for a re-raised library error). */
int acl_error_from_value(lua_State *L) {
  acl_state *st = ACL_ST(L);
  ac_error *err;
  luaL_checkany(L, 1);
  err = acl_error_from_lua(L, st, 1, acl_error_text(L, 1));
  if (err == NULL) return luaL_error(L, "asyncore: out of memory");
  acl_push_error(L, err);
  ac_error_unref(err);
  return 1;
}
