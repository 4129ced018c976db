/*
 * host.c — a C "game loop" that owns the event loop and scripts its
 * entities in Lua.
 *
 * The host creates the loop, hands it to Lua (a light userdata in the
 * registry under "asyncore.host_loop", read when the module is required),
 * runs the level script, then steps the loop once per frame at 60 frames
 * per second with ac_loop_step, never blocking: the frame loop stays the
 * host's. When the level is over it closes the Lua state while one entity
 * is still sleeping, steps the loop a little longer (the loop outlives the
 * scripts: that entity is cancelled and touches no Lua), and closes the
 * loop.
 *
 *   host [--virtual-clock] game.lua
 *
 * With --virtual-clock the loop's time jumps to the next timer whenever a
 * frame finds nothing to do and frames do not sleep: the run is instant
 * and its output exact.
 */
#define _POSIX_C_SOURCE 199309L /* nanosleep */
#include <asyncore.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define FRAME_SECONDS (1.0 / 60.0)
#define MAX_FRAMES 100000

static void sleep_frame(void) {
  struct timespec ts = {0, (long)(FRAME_SECONDS * 1e9)};
  nanosleep(&ts, NULL);
}

static int game_over(lua_State *L) {
  int over;
  lua_getglobal(L, "game_over");
  over = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return over;
}

static void count_task(ac_task *task, void *ud) {
  (void)task;
  (void)ud;
}

int main(int argc, char **argv) {
  int virtual_clock = argc > 1 && strcmp(argv[1], "--virtual-clock") == 0;
  const char *script = argv[argc - 1];
  ac_loop *loop;
  lua_State *L;
  int frames = 0, rc, i;

  if (argc < 2 + virtual_clock) {
    fprintf(stderr, "usage: host [--virtual-clock] game.lua\n");
    return 2;
  }
  rc = ac_loop_new(virtual_clock ? AC_LOOP_VIRTUAL_CLOCK : AC_LOOP_DEFAULT, &loop);
  if (rc != 0) {
    fprintf(stderr, "host: %s\n", ac_strerror(rc));
    return 1;
  }

  L = luaL_newstate();
  luaL_openlibs(L);
  lua_pushlightuserdata(L, loop);
  lua_setfield(L, LUA_REGISTRYINDEX, "asyncore.host_loop");
  if (luaL_dofile(L, script) != 0) {
    fprintf(stderr, "host: %s\n", lua_tostring(L, -1));
    lua_close(L);
    ac_loop_close(loop);
    ac_loop_unref(loop);
    return 1;
  }

  /* The frame loop: one step per frame, never blocking. */
  while (!game_over(L) && frames < MAX_FRAMES) {
    rc = ac_loop_step(loop, 0, NULL, NULL);
    if (rc < 0) {
      fprintf(stderr, "host: step: %s\n", ac_strerror(rc));
      break;
    }
    frames++;
    if (!virtual_clock) sleep_frame();
  }
  printf("host: level over after %d frames, %d task(s) still running\n", frames,
         (int)ac_loop_foreach_task(loop, count_task, NULL));

  /* Unload the scripts; the loop lives on. */
  lua_close(L);
  for (i = 0; i < 3; i++) ac_loop_step(loop, 0, NULL, NULL);
  printf("host: Lua closed, %d task(s) left\n", (int)ac_loop_foreach_task(loop, count_task, NULL));

  ac_loop_close(loop);
  ac_loop_unref(loop);
  return 0;
}
