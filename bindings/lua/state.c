/*
 * state.c — the binding's per-Lua-state block, its sentinel, slots,
 * anchors, and the protected call every piece of Lua work from the library
 * goes through.
 *
 * Lifetime: the sentinel is a userdata kept in the registry; Lua finalizes
 * it while the state closes. Its __gc marks the state closed (L = NULL)
 * before doing anything else, then has the core cancel the live Lua tasks
 * (detach_tasks, handed over when the state was opened: this file knows
 * nothing of tasks) and closes the loops the Lua side created. From then
 * on, steps and callbacks the library still runs (a host's loop lives on)
 * see L == NULL and touch nothing of Lua; free callbacks free C memory
 * only. No Lua code runs during the detach: other finalizers may already
 * have freed the wrappers it would use.
 *
 * The module's code must outlive the Lua state too: lua_close unloads the
 * C libraries it loaded, yet a host's loop still holds step functions and
 * callbacks of this module. So the module pins itself in memory when it is
 * first opened (dlopen of its own file with RTLD_NODELETE).
 */
#define _GNU_SOURCE /* dladdr, RTLD_NODELETE */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"

#define ACL_STATE_KEY "asyncore.state"

struct acl_owned_loop {
  ac_loop *loop; /* one reference */
  acl_owned_loop *next;
};

acl_state *acl_state_hold(acl_state *st) {
  st->holds++;
  return st;
}

void acl_state_release(acl_state *st) {
  if (--st->holds == 0) {
    free(st->slots_free);
    free(st->slot_threads);
    free(st);
  }
}

/* The bounded number of iterations the detach gives cancelled tasks to
 * finish before the loop is closed. Lua tasks need two (the wake-up, the
 * step that ends them); C tasks that ignore cancellation are reported by
 * the close instead. */
#define ACL_DETACH_STEPS 16

static void cancel_task(ac_task *task, void *ud) {
  ac_task_cancel(task, (const char *)ud);
}

static void count_task(ac_task *task, void *ud) {
  (void)task;
  (void)ud;
}

static const char closed_message[] = "the Lua state was closed";

static int sentinel_gc(lua_State *L) {
  acl_state **slot = (acl_state **)lua_touserdata(L, 1);
  acl_state *st = slot != NULL ? *slot : NULL;
  acl_owned_loop *o;
  if (st == NULL) return 0;
  *slot = NULL;
  /* First of all: no Lua from here on. */
  st->L = NULL;
  /* Lua tasks of any loop (a host's too) end at their next step. */
  if (st->detach_tasks != NULL) st->detach_tasks(st);
  /* Loops the Lua side created: let the cancelled tasks end, then close. */
  for (o = st->loops; o != NULL;) {
    acl_owned_loop *next = o->next;
    if (ac_loop_is_closed(o->loop) == 0 && ac_loop_is_running(o->loop) == 0) {
      int i;
      ac_loop_foreach_task(o->loop, cancel_task, (void *)closed_message);
      for (i = 0; i < ACL_DETACH_STEPS; i++)
        if (ac_loop_foreach_task(o->loop, count_task, NULL) <= 0 ||
            ac_loop_step(o->loop, 0, NULL, NULL) < 0)
          break;
      ac_loop_close(o->loop);
    }
    ac_loop_unref(o->loop);
    free(o);
    o = next;
  }
  st->loops = NULL;
  /* The slots went with the Lua state. */
  free(st->slots_free);
  st->slots_free = NULL;
  st->slots_free_n = st->slots_free_cap = 0;
  free(st->slot_threads);
  st->slot_threads = NULL;
  st->slot_threads_n = 0;
  acl_state_release(st);
  return 0;
}

/* Keeps this module mapped after lua_close (see the top of the file). */
static void pin_module(void) {
#if defined(RTLD_NODELETE)
  static int pinned = 0;
  Dl_info info;
  if (pinned) return;
  if (dladdr((void *)&pin_module, &info) != 0 && info.dli_fname != NULL)
    pinned = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) != NULL;
#endif
}

acl_state *acl_state_open(lua_State *L, void (*detach_tasks)(acl_state *st)) {
  acl_state **slot;
  acl_state *st;
  pin_module();
  lua_getfield(L, LUA_REGISTRYINDEX, ACL_STATE_KEY);
  slot = (acl_state **)lua_touserdata(L, -1);
  lua_pop(L, 1);
  if (slot != NULL && *slot != NULL) return *slot; /* opened before */

  slot = (acl_state **)lua_newuserdata(L, sizeof *slot);
  *slot = NULL;
  lua_newtable(L);
  lua_pushcfunction(L, sentinel_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, ACL_STATE_KEY);

  st = (acl_state *)calloc(1, sizeof *st);
  if (st == NULL) {
    luaL_error(L, "asyncore: out of memory");
    return NULL;
  }
  st->holds = 1; /* the sentinel's */
  st->thread_ref = LUA_NOREF;
  st->factory_ref = LUA_NOREF;
  st->task_class_ref = LUA_NOREF;
  st->foreign_ref = LUA_NOREF;
  st->create_fallback_ref = LUA_NOREF;
  st->report_handle_ref = LUA_NOREF;
  st->detach_tasks = detach_tasks;
  st->slots_next = 1;
  lua_newtable(L);
  st->slot_list_ref = luaL_ref(L, LUA_REGISTRYINDEX);
#if LUA_VERSION_NUM >= 502
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
  st->L = lua_tothread(L, -1);
  lua_pop(L, 1);
#else
  /* Lua 5.1 cannot name its main thread from a coroutine: use L when it
   * is the main thread, else a thread of our own, kept in the registry. */
  if (lua_pushthread(L)) {
    st->L = L;
    lua_pop(L, 1);
  } else {
    lua_pop(L, 1);
    st->L = lua_newthread(L);
    st->thread_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
#endif
  lua_getfield(L, LUA_REGISTRYINDEX, ACL_STATE_KEY);
  slot = (acl_state **)lua_touserdata(L, -1);
  *slot = st;
  lua_pop(L, 1);
  return st;
}

int acl_state_own_loop(acl_state *st, ac_loop *loop) {
  acl_owned_loop **p;
  acl_owned_loop *o;
  /* Forget the loops closed since: they hold nothing of Lua any more. */
  for (p = &st->loops; *p != NULL;) {
    if (ac_loop_is_closed((*p)->loop) == 1) {
      o = *p;
      *p = o->next;
      ac_loop_unref(o->loop);
      free(o);
    } else {
      p = &(*p)->next;
    }
  }
  o = (acl_owned_loop *)malloc(sizeof *o);
  if (o == NULL) return AC_ENOMEM;
  o->loop = ac_loop_ref(loop);
  o->next = st->loops;
  st->loops = o;
  return 0;
}

int acl_protect(acl_state *st, lua_CFunction fn, void *ctx, char *errbuf, size_t errlen) {
  lua_State *L = st->L;
  int top, status;
  if (!lua_checkstack(L, 8)) {
    if (errbuf != NULL) snprintf(errbuf, errlen, "%s", "Lua stack overflow");
    return -1;
  }
  top = lua_gettop(L);
#if LUA_VERSION_NUM >= 502
  /* A light C function and a light userdata: neither allocates. */
  lua_pushcfunction(L, fn);
  lua_pushlightuserdata(L, ctx);
  status = lua_pcall(L, 1, 0, 0);
#else
  status = lua_cpcall(L, fn, ctx);
#endif
  if (status != 0 && errbuf != NULL) {
    const char *m = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    snprintf(errbuf, errlen, "%s", m != NULL ? m : "error in the Lua binding");
  }
  lua_settop(L, top);
  return status == 0 ? 0 : -1;
}

/* Slots live on the stacks of threads made for that (a stack is a plain
 * array the collector reads without write barriers), ACL_SLOT_CHUNK per
 * thread (LuaJIT lets C reach 8,000 stack places of a thread). */
#define ACL_SLOT_CHUNK 4096

static lua_State *slot_thread(acl_state *st, int slot, int *pos) {
  int k = (slot - 1) / ACL_SLOT_CHUNK;
  *pos = slot - k * ACL_SLOT_CHUNK;
  return st->slot_threads[k];
}

int acl_slot_new(lua_State *L, acl_state *st, int idx) {
  int slot, pos;
  lua_State *T;
  idx = acl_absindex(L, idx);
  if (st->slots_free_n > 0) {
    slot = st->slots_free[--st->slots_free_n];
  } else {
    int k = (st->slots_next - 1) / ACL_SLOT_CHUNK;
    if (k >= st->slot_threads_n) {
      /* A new thread for the next ACL_SLOT_CHUNK slots. */
      lua_State **grown;
      luaL_checkstack(L, 2, "asyncore: stack overflow");
      grown = (lua_State **)realloc(st->slot_threads, sizeof *grown * (size_t)(k + 1));
      if (grown == NULL) luaL_error(L, "asyncore: out of memory");
      st->slot_threads = grown;
      T = lua_newthread(L);
      lua_rawgeti(L, LUA_REGISTRYINDEX, st->slot_list_ref);
      lua_insert(L, -2);
      lua_rawseti(L, -2, k + 1); /* the list anchors the thread */
      lua_pop(L, 1);
      if (!lua_checkstack(T, ACL_SLOT_CHUNK + 1)) luaL_error(L, "asyncore: out of memory");
      st->slot_threads[k] = T;
      st->slot_threads_n = k + 1;
    }
    slot = st->slots_next++;
    T = slot_thread(st, slot, &pos);
    if (lua_gettop(T) < pos) lua_settop(T, pos);
  }
  T = slot_thread(st, slot, &pos);
  lua_pushvalue(L, idx);
  lua_xmove(L, T, 1);
  lua_replace(T, pos);
  return slot;
}

void acl_slot_push(lua_State *L, acl_state *st, int slot) {
  int pos;
  lua_State *T = slot_thread(st, slot, &pos);
  lua_pushvalue(T, pos);
  lua_xmove(T, L, 1);
}

void acl_slot_free(acl_state *st, int slot) {
  int pos;
  lua_State *T;
  if (slot == 0 || st->L == NULL) return;
  T = slot_thread(st, slot, &pos);
  lua_pushnil(T);
  lua_replace(T, pos);
  if (st->slots_free_n == st->slots_free_cap) {
    int cap = st->slots_free_cap != 0 ? st->slots_free_cap * 2 : 256;
    int *grown = (int *)realloc(st->slots_free, sizeof *grown * (size_t)cap);
    if (grown == NULL) return; /* the slot is not reused: harmless */
    st->slots_free = grown;
    st->slots_free_cap = cap;
  }
  st->slots_free[st->slots_free_n++] = slot;
}

acl_anchor *acl_anchor_new(lua_State *L, acl_state *st, int multi) {
  /* Reference first: if it raises, nothing is allocated yet. */
  int ref = luaL_ref(L, LUA_REGISTRYINDEX);
  acl_anchor *a = (acl_anchor *)malloc(sizeof *a);
  if (a == NULL) {
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
    return NULL;
  }
  a->st = acl_state_hold(st);
  a->ref = ref;
  a->multi = multi;
  return a;
}

void acl_anchor_free(void *anchor) {
  acl_anchor *a = (acl_anchor *)anchor;
  if (a == NULL) return;
  if (a->st->L != NULL) luaL_unref(a->st->L, LUA_REGISTRYINDEX, a->ref);
  acl_state_release(a->st);
  free(a);
}

int acl_anchor_push(lua_State *L, const acl_anchor *a) {
  int n, i;
  lua_rawgeti(L, LUA_REGISTRYINDEX, a->ref);
  if (!a->multi) return 1;
  lua_getfield(L, -1, "n");
  n = (int)lua_tointeger(L, -1);
  lua_pop(L, 1);
  luaL_checkstack(L, n, "too many results");
  for (i = 1; i <= n; i++) lua_rawgeti(L, -i, i);
  lua_remove(L, -n - 1);
  return n;
}
