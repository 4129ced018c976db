/*
 * context.c — the natives of context variables (asyncio's contextvars):
 * keys, and the value a key has in the running task's context (or the
 * loop's, outside a task). Values are Lua values (value.c).
 */
#include "natives.h"

/* context_key_new() -> key | nil, code. */
int acl_context_key_new(lua_State *L) {
  ac_context_key key;
  int rc = ac_context_key_new(&key);
  if (rc != 0) return acl_push_fail(L, rc);
  lua_pushnumber(L, (lua_Number)key);
  return 1;
}

static ac_context_key check_key(lua_State *L, int idx) {
  return (ac_context_key)luaL_checknumber(L, idx);
}

/* context_set(loop, key, value) -> code. */
int acl_context_set(lua_State *L) {
  acl_state *st = ACL_ST(L);
  ac_loop *loop = acl_check_loop(L, 1);
  ac_context_key key;
  ac_value v;
  int rc;
  key = check_key(L, 2);
  lua_settop(L, 3);
  rc = acl_to_value(L, st, 3, 1, &v);
  if (rc == 0) {
    rc = ac_context_set(loop, key, &v);
    if (rc != 0) acl_value_discard(&v);
  }
  lua_pushinteger(L, rc);
  return 1;
}

/* context_get(loop, key) -> 1, value | 0 | code. */
int acl_context_get(lua_State *L) {
  acl_state *st = ACL_ST(L);
  ac_loop *loop = acl_check_loop(L, 1);
  ac_value v;
  int rc;
  rc = ac_context_get(loop, check_key(L, 2), &v);
  lua_pushinteger(L, rc);
  if (rc != 1) return 1;
  return 1 + acl_push_value(L, st, &v);
}

/* context_delete(loop, key) -> 1 | 0 | code. */
int acl_context_delete(lua_State *L) {
  ac_loop *loop = acl_check_loop(L, 1);
  lua_pushinteger(L, ac_context_delete(loop, check_key(L, 2)));
  return 1;
}
