/*
 * future.c — the natives that read and settle futures from Lua: a future's
 * state, its values or error, and setting them. Each takes a Task object
 * or a core wrapper (Future, Task); none waits (awaiting is await.c's).
 */
#include "natives.h"

/* future_done(x) -> boolean. */
int acl_future_done(lua_State *L) {
  lua_pushboolean(L, ac_future_done(acl_check_future(L, 1)) == 1);
  return 1;
}

/* future_cancelled(x) -> boolean. */
int acl_future_cancelled(lua_State *L) {
  lua_pushboolean(L, ac_future_cancelled(acl_check_future(L, 1)) == 1);
  return 1;
}

/* future_state(x) -> FUTURE_*. */
int acl_future_state(lua_State *L) {
  lua_pushinteger(L, ac_future_state_of(acl_check_future(L, 1)));
  return 1;
}

/* future_id(x) -> the identity of x's future (a light userdata). */
int acl_future_id(lua_State *L) {
  lua_pushlightuserdata(L, acl_check_future(L, 1));
  return 1;
}

/* future_result(fut) -> true, values... | false, error | nil (pending). */
int acl_future_result(lua_State *L) {
  acl_state *st = ACL_ST(L);
  ac_future *f = acl_check_future(L, 1);
  ac_value v;
  int rc = ac_future_result(f, &v);
  if (rc == AC_ESTATE && !ac_future_done(f)) {
    lua_pushnil(L);
    return 1;
  }
  if (rc == 0) {
    lua_pushboolean(L, 1);
    return 1 + acl_push_value(L, st, &v);
  }
  lua_pushboolean(L, 0);
  {
    ac_error *err = ac_future_error(f);
    if (err != NULL) {
      acl_push_error_object(L, st, err);
    } else {
      ac_error *made = NULL;
      if (ac_error_new(rc, NULL, NULL, &made) != 0) return luaL_error(L, "out of memory");
      acl_push_error_object(L, st, made);
      ac_error_unref(made);
    }
  }
  return 2;
}

/* future_set_result(fut, ...) -> code. */
int acl_future_set_result(lua_State *L) {
  acl_state *st = ACL_ST(L);
  ac_future *f = acl_check_future(L, 1);
  ac_value v;
  int rc = acl_to_value(L, st, 2, lua_gettop(L) - 1, &v);
  if (rc == 0) {
    rc = ac_future_set_result(f, &v);
    if (rc != 0) acl_value_discard(&v);
  }
  lua_pushinteger(L, rc);
  return 1;
}

/* future_set_exception(fut, err) -> code. */
int acl_future_set_exception(lua_State *L) {
  acl_state *st = ACL_ST(L);
  ac_future *f = acl_check_future(L, 1);
  ac_error *err;
  int rc;
  luaL_checkany(L, 2);
  err = acl_error_from_lua(L, st, 2, acl_error_text(L, 2));
  if (err == NULL) return luaL_error(L, "out of memory");
  rc = ac_future_set_error(f, err);
  ac_error_unref(err);
  lua_pushinteger(L, rc);
  return 1;
}
