/*
 * blocking.c — the C half of the to_thread example: a Lua module
 * ("blocking") handing out a blocking C function for asyncore.to_thread.
 * Lua code never runs off the loop's thread, so the work itself is C.
 *
 *   blocking.fn                       the ac_work_fn (light userdata)
 *   blocking.call(duration, scale) -> ud   its argument
 *   blocking.free(ud)                 releases it once the work is done
 *
 * The function prints, sleeps duration * scale seconds (scale 0: not at
 * all, for the virtual clock), prints again and returns "Blocking result
 * after Ns" as bytes.
 */
#define _POSIX_C_SOURCE 199309L /* nanosleep */
#include <asyncore.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct blocking_call {
  int duration;
  double scale;
  char result[64]; /* outlives the call: the library copies it afterwards */
};

static int blocking_function(void *ud, ac_value *result) {
  struct blocking_call *c = ud;
  double seconds = c->duration * c->scale;
  struct timespec ts = {(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)};
  int n;
  printf("  Blocking function started for %ds\n", c->duration);
  fflush(stdout);
  nanosleep(&ts, NULL); /* This is a blocking call */
  printf("  Blocking function finished after %ds\n", c->duration);
  fflush(stdout);
  n = snprintf(c->result, sizeof c->result, "Blocking result after %ds", c->duration);
  ac_value_set_bytes(result, c->result, (size_t)n);
  return 0;
}

static int call(lua_State *L) {
  struct blocking_call *c = calloc(1, sizeof *c);
  if (c == NULL) return luaL_error(L, "out of memory");
  c->duration = (int)luaL_checknumber(L, 1);
  c->scale = luaL_optnumber(L, 2, 1.0);
  lua_pushlightuserdata(L, c);
  return 1;
}

static int release(lua_State *L) {
  free(lua_touserdata(L, 1));
  return 0;
}

int luaopen_blocking(lua_State *L) {
  lua_createtable(L, 0, 3);
  lua_pushlightuserdata(L, *(void **)&(ac_work_fn){blocking_function});
  lua_setfield(L, -2, "fn");
  lua_pushcfunction(L, call);
  lua_setfield(L, -2, "call");
  lua_pushcfunction(L, release);
  lua_setfield(L, -2, "free");
  return 1;
}
