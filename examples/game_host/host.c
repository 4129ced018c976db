/*
 * host.c — a game host: a C frame loop at 60 frames per second that runs a
 * Lua scene on the loop and prints what the loop cost each frame.
 *
 * The host owns the loop and the frame: each frame it makes one
 * ac_loop_step(loop, 0) (never blocking) under a time budget of 2 ms, so a
 * script that starts a burst of work spreads it over frames instead of
 * stalling one. When the scene says its story is over the host unloads it
 * (the scene cancels what should not outlive it: its guard cleans up),
 * steps a few more frames, closes the Lua state, and shuts the loop down
 * with a bound (ac_loop_shutdown): whatever is left is cancelled, and
 * anything that would not end in time is reported and abandoned — the
 * host's exit never hangs.
 *
 *   game_host [--virtual-clock] scene.lua
 *
 * With --virtual-clock frames do not sleep and the loop's time jumps to
 * the next timer when a frame finds nothing to do: the output is exact,
 * and the per-frame statistics (real time) are left out.
 */
#define _POSIX_C_SOURCE 199309L
#include <asyncore.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FRAME_NS 16666667L
#define MAX_FRAMES 100000

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* scene.over, read from the table the scene script returned. */
static int scene_over(lua_State *L) {
  lua_getfield(L, -1, "over");
  int over = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return over;
}

static void count_task(ac_task *task, void *ud) {
  (void)task;
  (void)ud;
}

int main(int argc, char **argv) {
  int virtual_clock = argc > 1 && strcmp(argv[1], "--virtual-clock") == 0;
  if (argc < 2 + virtual_clock) {
    fprintf(stderr, "usage: game_host [--virtual-clock] scene.lua\n");
    return 2;
  }
  ac_loop *loop;
  int rc = ac_loop_new(virtual_clock ? AC_LOOP_VIRTUAL_CLOCK : AC_LOOP_DEFAULT, &loop);
  if (rc != 0) {
    fprintf(stderr, "game_host: %s\n", ac_strerror(rc));
    return 1;
  }
  ac_loop_set_time_budget(loop, 0.002);

  lua_State *L = luaL_newstate();
  luaL_openlibs(L);
  lua_pushlightuserdata(L, loop);
  lua_setfield(L, LUA_REGISTRYINDEX, "asyncore.host_loop");
  if (luaL_dofile(L, argv[argc - 1]) != 0 || !lua_istable(L, -1)) {
    fprintf(stderr, "game_host: %s\n", lua_isstring(L, -1) ? lua_tostring(L, -1) : "no scene table");
    lua_close(L);
    ac_loop_shutdown(loop, 1);
    ac_loop_unref(loop);
    return 1;
  }

  uint64_t *cost = malloc(sizeof *cost * MAX_FRAMES);
  int frames = 0, unloaded_at = -1;
  uint64_t next = now_ns();
  while (frames < MAX_FRAMES) {
    uint64_t t0 = now_ns();
    int64_t n = ac_loop_step(loop, 0, NULL, NULL);
    cost[frames++] = now_ns() - t0;
    if (n < 0) {
      fprintf(stderr, "game_host: step: %s\n", ac_strerror((int)n));
      break;
    }
    if (unloaded_at < 0 && scene_over(L)) {
      printf("host: unloading the scene\n");
      lua_getfield(L, -1, "unload");
      if (lua_pcall(L, 0, 0, 0) != 0) {
        fprintf(stderr, "game_host: unload: %s\n", lua_tostring(L, -1));
        lua_pop(L, 1);
      }
      unloaded_at = frames;
    }
    /* A few frames for the scene's tasks to clean up, then leave. */
    if (unloaded_at >= 0 && frames - unloaded_at >= 5) break;
    if (!virtual_clock) {
      next += FRAME_NS;
      uint64_t t = now_ns();
      if (next > t) {
        struct timespec ts = {0, (long)(next - t)};
        nanosleep(&ts, NULL);
      }
    }
  }
  printf("host: %d task(s) still running\n", (int)ac_loop_foreach_task(loop, count_task, NULL));
  if (!virtual_clock) {
    int over = 0;
    for (int i = 0; i < frames; ++i) over += cost[i] > 2000000;
    qsort(cost, (size_t)frames, sizeof *cost, cmp_u64);
    printf("host: %d frames; loop step median %.1f us, 99th percentile %.1f us, longest %.1f us; "
           "%d over the 2 ms budget\n",
           frames, cost[frames / 2] / 1e3, cost[frames * 99 / 100] / 1e3, cost[frames - 1] / 1e3,
           over);
  }
  free(cost);

  /* Unload the scripts; the loop outlives them. */
  lua_close(L);
  int64_t abandoned = ac_loop_shutdown(loop, 1);
  printf("host: Lua closed; loop shut down, %d task(s) abandoned\n", (int)abandoned);
  ac_loop_unref(loop);
  return 0;
}
