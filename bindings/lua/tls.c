/*
 * tls.c — the SNI callback of a server TLS context: a Lua function the
 * handshake calls with the name a client asked for.
 *
 * The function runs on the binding's callback thread, protected, while
 * the handshake is under way (on the loop's thread). It returns the
 * TlsContext wrapper of the context to use, or nil to keep the current
 * one; an error keeps the current one too (nothing may unwind into the
 * library's handshake). The registry reference to the function is dropped
 * when the context replaces or frees the callback.
 */
#include <stdlib.h>

#include "natives.h"

typedef struct acl_sni {
  acl_state *st;
  int fn_ref;
} acl_sni;

struct sni_call {
  acl_sni *sni;
  const char *name;
  ac_tls_context *chosen;
};

static int sni_body(lua_State *L) {
  struct sni_call *c = (struct sni_call *)lua_touserdata(L, 1);
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->sni->fn_ref);
  lua_pushstring(L, c->name);
  lua_call(L, 1, 1);
  /* Borrowed: the wrapper stays referenced by whoever returned it until
   * the library takes the connection's own reference, right after. */
  c->chosen = lua_isnil(L, -1) ? NULL : acl_to_tls_context(L, -1);
  lua_pop(L, 1);
  return 0;
}

static ac_tls_context *sni_choose(const char *server_name, void *ud) {
  acl_sni *sni = (acl_sni *)ud;
  struct sni_call c;
  if (sni->st->L == NULL) return NULL; /* the Lua state is gone */
  c.sni = sni;
  c.name = server_name;
  c.chosen = NULL;
  if (acl_protect(sni->st, sni_body, &c, NULL, 0) != 0) return NULL;
  return c.chosen;
}

static void sni_free(void *ud) {
  acl_sni *sni = (acl_sni *)ud;
  if (sni->st->L != NULL) luaL_unref(sni->st->L, LUA_REGISTRYINDEX, sni->fn_ref);
  acl_state_release(sni->st);
  free(sni);
}

/* tls_set_sni(context, fn | nil) -> 0 | code. */
int acl_tls_set_sni(lua_State *L) {
  ac_tls_context *ctx = acl_to_tls_context(L, 1);
  acl_sni *sni;
  int rc;
  luaL_argcheck(L, ctx != NULL, 1, "TlsContext expected");
  if (lua_isnoneornil(L, 2)) {
    lua_pushinteger(L, ac_tls_context_set_sni_callback(ctx, NULL, NULL, NULL));
    return 1;
  }
  luaL_checktype(L, 2, LUA_TFUNCTION);
  sni = (acl_sni *)malloc(sizeof *sni);
  if (sni == NULL) return luaL_error(L, "asyncore: out of memory");
  lua_pushvalue(L, 2);
  sni->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  sni->st = acl_state_hold(ACL_ST(L));
  /* On failure the library has run sni_free already. */
  rc = ac_tls_context_set_sni_callback(ctx, sni_choose, sni, sni_free);
  lua_pushinteger(L, rc);
  return 1;
}
