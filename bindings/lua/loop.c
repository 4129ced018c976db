/*
 * loop.c — the natives of the loops a Lua program runs on: one the Lua
 * side made, which closes with the Lua state, and one a host handed over.
 */
#include "natives.h"

/* own_loop(loop) -> code: the loop is closed with the Lua state. */
int acl_own_loop(lua_State *L) {
  lua_pushinteger(L, acl_state_own_loop(ACL_ST(L), acl_check_loop(L, 1)));
  return 1;
}

/* host_loop() -> the loop a host handed over under ACL_HOST_LOOP_KEY (a
 * light userdata in the registry, set before require), or nil. */
int acl_host_loop(lua_State *L) {
  ac_loop *loop;
  lua_getfield(L, LUA_REGISTRYINDEX, ACL_HOST_LOOP_KEY);
  loop = lua_type(L, -1) == LUA_TLIGHTUSERDATA ? (ac_loop *)lua_touserdata(L, -1) : NULL;
  lua_pop(L, 1);
  if (loop == NULL) {
    lua_pushnil(L);
    return 1;
  }
  acl_push_loop(L, loop);
  return 1;
}
