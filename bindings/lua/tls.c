/*
 * tls.c — the SNI callback of a server TLS context: a Lua function the
 * handshake calls with the name a client asked for.
 *
 * The function runs on the binding's callback thread, protected, while
 * the handshake is under way (on the loop's thread). It returns the
 * TlsContext wrapper of the context to use, or nil to keep the current
 * one; an error keeps the current one too (nothing may unwind into the
 * library's handshake). The function's anchor (acl_anchor) is released
 * when the context replaces or frees the callback.
 */
#include "natives.h"

/* The callback is its function's anchor (acl_anchor_free releases it). */
struct sni_call {
  acl_anchor *fn;
  const char *name;
  ac_tls_context *chosen;
};

static int sni_body(lua_State *L) {
  struct sni_call *c = (struct sni_call *)lua_touserdata(L, 1);
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->fn->ref);
  lua_pushstring(L, c->name);
  lua_call(L, 1, 1);
  /* Borrowed: the wrapper stays referenced by whoever returned it until
   * the library takes the connection's own reference, right after. */
  c->chosen = lua_isnil(L, -1) ? NULL : acl_to_tls_context(L, -1);
  lua_pop(L, 1);
  return 0;
}

static ac_tls_context *sni_choose(const char *server_name, void *ud) {
  acl_anchor *fn = (acl_anchor *)ud;
  struct sni_call c;
  if (fn->st->L == NULL) return NULL; /* the Lua state is gone */
  c.fn = fn;
  c.name = server_name;
  c.chosen = NULL;
  if (acl_protect(fn->st, sni_body, &c, NULL, 0) != 0) return NULL;
  return c.chosen;
}

/* tls_set_sni(context, fn | nil) -> 0 | code. */
int acl_tls_set_sni(lua_State *L) {
  ac_tls_context *ctx = acl_to_tls_context(L, 1);
  acl_anchor *fn;
  int rc;
  luaL_argcheck(L, ctx != NULL, 1, "TlsContext expected");
  if (lua_isnoneornil(L, 2)) {
    lua_pushinteger(L, ac_tls_context_set_sni_callback(ctx, NULL, NULL, NULL));
    return 1;
  }
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 2);
  fn = acl_anchor_new(L, ACL_ST(L), 0);
  if (fn == NULL) return luaL_error(L, "asyncore: out of memory");
  /* On failure the library has released the anchor already. */
  rc = ac_tls_context_set_sni_callback(ctx, sni_choose, fn, acl_anchor_free);
  lua_pushinteger(L, rc);
  return 1;
}
