/*
 * detach_host.c — a C host owns the loop, Lua scripts schedule work on it
 * (timers, call_soon callbacks, tasks waiting on a sleep, a future, a
 * thread-safe future and work on a thread, a task not started yet,
 * done-callbacks, a thread-safe call, an exception handler), then the host
 * closes the Lua state (lua_close) and keeps stepping the loop while the
 * outside work completes: nothing reaches the closed state, every Lua task
 * ends, the loop shuts down with nothing to abandon, and what the Lua side
 * held is freed (the suite runs this under valgrind and ASan).
 *
 *   detach_host   (LUA_PATH / LUA_CPATH find the module)
 */
#include <asyncore.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asyncore_lua.h"

static int failures = 0;
#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                     \
    }                                                                 \
  } while (0)

/* Every Lua function the script leaves on the loop calls hit(name). */
static int hits = 0;
static char hit_log[1024];
static int lua_hit(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  hits++;
  if (strlen(hit_log) + strlen(name) + 2 < sizeof hit_log) {
    strcat(hit_log, name);
    strcat(hit_log, " ");
  }
  return 0;
}

/* Work on a thread that blocks until the host releases it. */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_open = 0;
static int work_started = 0;
static int work_done = 0;
static int blocking_work(void *ud, ac_value *result) {
  (void)ud;
  pthread_mutex_lock(&gate_mu);
  work_started = 1;
  pthread_cond_broadcast(&gate_cv);
  while (!gate_open) pthread_cond_wait(&gate_cv, &gate_mu);
  work_done = 1;
  pthread_mutex_unlock(&gate_mu);
  ac_value_set_int64(result, 42);
  return 0;
}

static void count_task(ac_task *task, void *ud) {
  (void)task;
  (void)ud;
}

static const char script[] =
    "local ac = require 'asyncore'\n"
    "local loop = ac.loop\n"
    "loop:set_exception_handler(function(_, ctx) hit('handler: ' .. ctx.message) end)\n"
    "ts = ac.TsFuture()\n"
    "ts_ptr = ts:ptr()\n"
    "local function task(name, fn)\n"
    "  local t = ac.create_task(function()\n"
    "    local ok, e = pcall(fn)\n"
    "    hit(name .. (ok and ' done' or ' ' .. tostring(e)))\n"
    "    if not ok then error(e, 0) end\n"
    "  end)\n"
    "  t:add_done_callback(function() hit(name .. ' done-callback') end)\n"
    "  return t\n"
    "end\n"
    "task('sleeper', function() ac.sleep(1) end)\n"
    "task('future', function() ac.await(ac.Future()) end)\n"
    "task('tsfuture', function() ts:await() end)\n"
    "task('thread', function() ac.to_thread(work_fn, nil) end)\n"
    "local target = loop:threadsafe_callback(function() hit('threadsafe') end)\n"
    "target_ptr = target:ptr()\n"
    "keep_target = target\n"
    "function arm()\n"
    "  loop:call_soon(function() hit('soon') end)\n"
    "  loop:call_later(0.5, function() hit('timer') end)\n"
    "  loop:call_at(loop:time() + 2, function() hit('timer at') end)\n"
    "  local f = ac.Future()\n"
    "  f:add_done_callback(function() hit('future done-callback') end)\n"
    "  f:set_result('x')\n"
    "  task('unstarted', function() ac.sleep(0) end)\n"
    "  loop:call_soon(function() error('a callback that fails') end)\n"
    "end\n";

int main(void) {
  ac_loop *loop;
  lua_State *L;
  ac_tsfuture *ts;
  asyncore_lua_post *target;
  int i, before;

  CHECK(ac_loop_new(AC_LOOP_VIRTUAL_CLOCK, &loop) == 0);
  L = luaL_newstate();
  luaL_openlibs(L);
  lua_pushlightuserdata(L, loop);
  lua_setfield(L, LUA_REGISTRYINDEX, "asyncore.host_loop");
  lua_pushcfunction(L, lua_hit);
  lua_setglobal(L, "hit");
  lua_pushlightuserdata(L, *(void **)&(ac_work_fn){blocking_work});
  lua_setglobal(L, "work_fn");
  if (luaL_dostring(L, script) != 0) {
    fprintf(stderr, "detach_host: %s\n", lua_tostring(L, -1));
    return 1;
  }
  /* The tasks start and reach their awaits. */
  CHECK(ac_loop_step(loop, 0, NULL, NULL) >= 4);
  CHECK(hits == 0);
  /* More work, all of it still to run when the state closes. */
  lua_getglobal(L, "arm");
  if (lua_pcall(L, 0, 0, 0) != 0) {
    fprintf(stderr, "detach_host: %s\n", lua_tostring(L, -1));
    return 1;
  }
  lua_getglobal(L, "ts_ptr");
  ts = ac_tsfuture_ref((ac_tsfuture *)lua_touserdata(L, -1));
  lua_getglobal(L, "target_ptr");
  target = (asyncore_lua_post *)lua_touserdata(L, -1);
  lua_pop(L, 2);
  CHECK(ts != NULL && target != NULL);
  CHECK(asyncore_lua_call_soon_threadsafe(target) == 0);
  CHECK(ac_loop_foreach_task(loop, count_task, NULL) == 5);
  /* The work is running on its thread (it cannot be withdrawn now). */
  pthread_mutex_lock(&gate_mu);
  while (!work_started) pthread_cond_wait(&gate_cv, &gate_mu);
  pthread_mutex_unlock(&gate_mu);

  lua_close(L);
  before = hits;
  CHECK(before == 0);

  /* The outside work completes after the detach. */
  pthread_mutex_lock(&gate_mu);
  gate_open = 1;
  pthread_cond_broadcast(&gate_cv);
  pthread_mutex_unlock(&gate_mu);
  /* Its waiter's cancellation cancelled it (asyncio's wrap_future). */
  CHECK(ac_tsfuture_cancelled(ts) == 1);
  CHECK(ac_tsfuture_set_result_int64(ts, 7) == AC_ESTATE);
  ac_tsfuture_unref(ts);

  /* The host's frames go on: timers fall due, the thread's result comes
   * back, the cancelled tasks end; none of it touches Lua. */
  for (i = 0; i < 200 && (ac_loop_foreach_task(loop, count_task, NULL) > 0 || !work_done); i++)
    CHECK(ac_loop_step(loop, 0.01, NULL, NULL) >= 0);
  for (i = 0; i < 10; i++) CHECK(ac_loop_step(loop, 0.01, NULL, NULL) >= 0);
  CHECK(work_done == 1);
  CHECK(ac_loop_foreach_task(loop, count_task, NULL) == 0);
  CHECK(hits == before);
  /* Nothing left to cancel or abandon. */
  CHECK(ac_loop_shutdown(loop, 1.0) == 0);
  ac_loop_unref(loop);
  if (hits != before) fprintf(stderr, "detach_host: Lua ran after lua_close: %s\n", hit_log);
  if (failures == 0) printf("detach_host: OK\n");
  return failures == 0 ? 0 : 1;
}
