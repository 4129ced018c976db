/*
 * task.c — Task objects and spawning: the Lua object of a task, the
 * natives that make and find tasks, and the class of Task objects.
 *
 * A Task object is a full userdata laid out as SWIG's wrapper of a task
 * (acl_task_object), so that the SWIG methods of Task take it; its class
 * is the module's own (the Lua layer adds the methods). The object of a
 * Lua task lives in a slot of the task while the task runs; a task that
 * is not a Lua task of this state gets one on demand, shared through a
 * weak table while anyone holds it.
 */
#include <stdlib.h>
#include <string.h>

#include "natives.h"
#include "task.h"

/* The Task object's user values: its Loop object, and (Lua 5.4) the
 * function of a task that has not started. */
#if LUA_VERSION_NUM >= 504
#define acl_newobject(L, size) lua_newuserdatauv(L, size, 2)
#define acl_setobjectloop(L, idx) lua_setiuservalue(L, idx, 1)
#define acl_getobjectloop(L, idx) ((void)lua_getiuservalue(L, idx, 1))
#else
#define acl_newobject(L, size) lua_newuserdata(L, size)
#define acl_setobjectloop(L, idx) ((void)lua_setfenv(L, idx))
#define acl_getobjectloop(L, idx) lua_getfenv(L, idx)
#endif

/* ------------------------------------------------------------------ */
/* Task objects                                                        */
/* ------------------------------------------------------------------ */

/* The Task object at idx, or NULL (the class is the natives' second
 * upvalue). Never raises. */
static acl_task_object *test_object(lua_State *L, int idx) {
  int same;
  if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx)) return NULL;
  same = lua_rawequal(L, -1, ACL_TASK_CLASS);
  lua_pop(L, 1);
  return same ? (acl_task_object *)lua_touserdata(L, idx) : NULL;
}

/* Pushes a new Task object for `task` (a new reference; NULL: set later)
 * whose loop is the Loop object at loop_idx. class_idx: the Task class. */
static acl_task_object *new_object(lua_State *L, int class_idx, ac_task *task, int loop_idx) {
  acl_task_object *o;
  class_idx = class_idx < 0 && class_idx > LUA_REGISTRYINDEX ? lua_gettop(L) + class_idx + 1
                                                              : class_idx;
  loop_idx = loop_idx < 0 ? lua_gettop(L) + loop_idx + 1 : loop_idx;
  o = (acl_task_object *)acl_newobject(L, sizeof *o);
  o->swig_type = acl_swig_task_type();
  o->own = 1;
  o->task = NULL;
  lua_pushvalue(L, class_idx);
  lua_setmetatable(L, -2);
  lua_pushvalue(L, loop_idx);
  acl_setobjectloop(L, -2);
  if (task != NULL) o->task = ac_task_ref(task);
  return o;
}

/* __gc: drops the object's reference (which may report an error nobody
 * retrieved: see AC_SWIG_RELEASE). */
static int object_gc(lua_State *L) {
  acl_task_object *o = (acl_task_object *)lua_touserdata(L, 1);
  if (o != NULL && lua_type(L, 1) == LUA_TUSERDATA && o->task != NULL) {
    ac_task *t = o->task;
    o->task = NULL;
    acl_finalizing++;
    ac_task_unref(t);
    acl_finalizing--;
  }
  return 0;
}

/* __index(object, key): the class's methods; `_loop` (the Loop object),
 * and the core wrappers `_t` (Task) and `_f` (Future), made on demand. */
static int object_index(lua_State *L) {
  lua_pushvalue(L, 2);
  lua_gettable(L, lua_upvalueindex(1));
  if (!lua_isnil(L, -1) || lua_type(L, 1) != LUA_TUSERDATA || lua_type(L, 2) != LUA_TSTRING)
    return 1;
  {
    const char *k = lua_tostring(L, 2);
    acl_task_object *o = (acl_task_object *)lua_touserdata(L, 1);
    if (k[0] != '_') return 1;
    if (strcmp(k, "_loop") == 0) {
      acl_getobjectloop(L, 1);
      return 1;
    }
    if (o->task == NULL) return 1;
    if (strcmp(k, "_f") == 0) {
      acl_push_future(L, ac_task_future(o->task));
    } else if (strcmp(k, "_t") == 0) {
      acl_push_task(L, o->task);
    }
  }
  return 1;
}

/* ------------------------------------------------------------------ */
/* Spawning                                                            */
/* ------------------------------------------------------------------ */

/* Creates the task of fn_idx (a function, or a coroutine not started)
 * with the nargs values from arg0 as its arguments, on `loop` or in
 * `group`; pushes its object (loop_idx: the Loop object), or nil and the
 * code. class_idx: the Task class. */
static int spawn_task(lua_State *L, acl_state *st, int class_idx, ac_loop *loop,
                      ac_taskgroup *group, int loop_idx, int fn_idx, int arg0, int nargs,
                      uint32_t flags, const char *name) {
  lua_State *co = NULL;
  acl_task *ts;
  acl_task_object *o;
  ac_task *task = NULL;
  int co_slot = 0, fn_slot = 0, obj_slot, rc, i, own_co = 1;

  /* Everything that may raise comes before the allocation. */
  luaL_checkstack(L, nargs + 4, "asyncore: too many arguments");
  if (lua_type(L, fn_idx) == LUA_TTHREAD) {
    /* The caller's coroutine: never pooled. */
    co = lua_tothread(L, fn_idx);
    own_co = 0;
    co_slot = acl_slot_new(L, st, fn_idx);
  } else if (nargs == 0) {
    /* The coroutine comes at the first step (from the pool); keep one
     * ready there. */
    if (st->pool_n == 0) acl_pool_add_new(L, st);
    if (!ACL_FN_IN_OBJECT) fn_slot = acl_slot_new(L, st, fn_idx);
  } else {
    co = acl_pool_take(L, st, &co_slot);
    if (!lua_checkstack(co, nargs + 1)) {
      acl_slot_free(st, co_slot);
      return luaL_error(L, "asyncore: too many arguments");
    }
    lua_pushvalue(L, fn_idx);
    for (i = 0; i < nargs; i++) lua_pushvalue(L, arg0 + i);
    lua_xmove(L, co, nargs + 1);
  }
  o = new_object(L, class_idx, NULL, loop_idx);
#if ACL_FN_IN_OBJECT
  if (co == NULL) {
    lua_pushvalue(L, fn_idx);
    lua_setiuservalue(L, -2, 2);
  }
#endif
  obj_slot = acl_slot_new(L, st, -1);
  ts = acl_task_block();
  if (ts == NULL) {
    acl_slot_free(st, co_slot);
    acl_slot_free(st, fn_slot);
    acl_slot_free(st, obj_slot);
    return luaL_error(L, "asyncore: out of memory");
  }
  ts->st = acl_state_hold(st);
  ts->co = co;
  ts->co_slot = co_slot;
  ts->fn_slot = fn_slot;
  ts->own_co = own_co;
  ts->obj_slot = obj_slot;
  ts->obj = o;
  ts->nargs = nargs;
  ts->next = st->tasks;
  if (st->tasks != NULL) st->tasks->prev = ts;
  st->tasks = ts;

  /* On failure ac_task_new frees ts through acl_task_free. An eager task may
   * even finish (and free ts) inside the call: ts is not touched after. */
  flags |= AC_TASK_IN_STATE; /* ts is a block of acl_task_block */
  if (group != NULL)
    rc = ac_taskgroup_spawn(group, acl_task_step, ts, acl_task_free, flags, &task);
  else
    rc = ac_task_new(loop, acl_task_step, ts, acl_task_free, flags, &task);
  if (rc != 0) return acl_push_fail(L, rc);
  if (o->task == NULL) {
    o->task = task; /* the object takes the reference */
  } else {
    ac_task_unref(task); /* an eager first step gave it one */
  }
  if (!ac_future_done(ac_task_future(task))) ts->task = task;
  if (name != NULL) ac_task_set_name(task, name);
  return 1; /* the object, on top */
}

static void check_body(lua_State *L, int idx) {
  if (lua_type(L, idx) == LUA_TTHREAD) {
    lua_State *given = lua_tothread(L, idx);
    luaL_argcheck(L, given != L && lua_status(given) == LUA_OK && lua_gettop(given) == 1 &&
                         lua_type(given, 1) == LUA_TFUNCTION,
                  idx, "a coroutine that has not started expected");
  } else {
    luaL_checktype(L, idx, LUA_TFUNCTION);
  }
}

/* spawn(loop | taskgroup, Loop object, fn, flags, name, ...) -> Task |
 * nil, code. Creates a task (of the loop, or in the task group) running
 * fn(...): fn is a function (run in a new coroutine) or a coroutine that
 * has not started yet. */
int acl_spawn(lua_State *L) {
  acl_state *st = ACL_ST(L);
  ac_loop *loop = acl_to_loop(L, 1);
  ac_taskgroup *group = loop == NULL ? acl_to_taskgroup(L, 1) : NULL;
  uint32_t flags;
  const char *name;
  int nargs;
  luaL_argcheck(L, loop != NULL || group != NULL, 1, "Loop or TaskGroup expected");
  luaL_checktype(L, 2, LUA_TTABLE);
  check_body(L, 3);
  flags = (uint32_t)luaL_optinteger(L, 4, 0);
  name = luaL_optstring(L, 5, NULL);
  nargs = lua_gettop(L) - 5;
  if (nargs < 0) nargs = 0;
  return spawn_task(L, st, ACL_TASK_CLASS, loop, group, 2, 3, 6, nargs, flags, name);
}

/* create_task(fn, ...) -> Task, or false when this is not the common case
 * (not called from a task's coroutine, or fn not a function): the Lua
 * layer then takes its general path. A task of the running task's loop. */
int acl_create_task(lua_State *L) {
  acl_state *st = ACL_ST(L);
  acl_task *cur = acl_running_task(L, st);
  ac_task *parent;
  int nargs, n;
  if (cur == NULL || lua_type(L, 1) != LUA_TFUNCTION || (parent = cur->obj->task) == NULL) {
    if (st->create_fallback_ref == LUA_NOREF) {
      lua_pushboolean(L, 0);
      return 1;
    }
    /* The Lua layer's general path. */
    lua_rawgeti(L, LUA_REGISTRYINDEX, st->create_fallback_ref);
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
  }
  nargs = lua_gettop(L) - 1;
  acl_slot_push(L, st, cur->obj_slot);
  acl_getobjectloop(L, -1);
  n = spawn_task(L, st, ACL_TASK_CLASS, ac_task_get_loop(parent), NULL, lua_gettop(L), 1, 2,
                 nargs, AC_TASK_DEFAULT, NULL);
  if (n == 2) return acl_raise_code(L, st, (int)lua_tointeger(L, -1), "create_task");
  return 1;
}

/* set_create_task_fallback(fn): what create_task calls (with its
 * arguments) when it is not the common case. */
int acl_set_create_task_fallback(lua_State *L) {
  acl_state *st = ACL_ST(L);
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_pushvalue(L, 1);
  if (st->create_fallback_ref != LUA_NOREF)
    luaL_unref(L, LUA_REGISTRYINDEX, st->create_fallback_ref);
  st->create_fallback_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

/* set_coroutine_pool(n) -> the previous size: how many coroutines of
 * finished tasks are kept for the next tasks (0: none, each task gets a
 * coroutine of its own). */
int acl_set_coroutine_pool(lua_State *L) {
  acl_state *st = ACL_ST(L);
  lua_Integer n = luaL_checkinteger(L, 1);
  int prev = st->pool_max;
  luaL_argcheck(L, n >= 0 && n <= 1 << 20, 1, "0 .. 2^20 expected");
  while (st->pool_n > n) {
    st->pool_n--;
    acl_slot_free(st, st->pool[st->pool_n].slot);
  }
  if (n > st->pool_max) {
    acl_pooled_co *grown =
        (acl_pooled_co *)realloc(st->pool, sizeof *st->pool * (size_t)n);
    if (grown == NULL) return luaL_error(L, "asyncore: out of memory");
    st->pool = grown;
  }
  st->pool_max = (int)n;
  lua_pushinteger(L, prev);
  return 1;
}

/* current_task() -> the Task whose coroutine calls, or nil. */
int acl_current_task(lua_State *L) {
  acl_state *st = ACL_ST(L);
  acl_task *ts = acl_running_task(L, st);
  if (ts == NULL) return 0;
  acl_slot_push(L, st, ts->obj_slot);
  return 1;
}

/* task_object(core Task | Task, Loop object) -> Task, made now. The
 * object of a core task: the one of its Lua task while it runs, else one
 * shared while anyone holds it. */
int acl_task_object_for(lua_State *L) {
  acl_state *st = ACL_ST(L);
  ac_task *t;
  acl_task *ts;
  if (test_object(L, 1) != NULL) {
    lua_settop(L, 1);
    lua_pushboolean(L, 0);
    return 2;
  }
  t = acl_to_task(L, 1);
  luaL_argcheck(L, t != NULL, 1, "Task expected");
  luaL_checktype(L, 2, LUA_TTABLE);
  for (ts = st->tasks; ts != NULL; ts = ts->next) {
    if (ts->obj->task == t) {
      acl_slot_push(L, st, ts->obj_slot);
      lua_pushboolean(L, 0);
      return 2;
    }
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, st->foreign_ref);
  lua_pushlightuserdata(L, t);
  lua_rawget(L, -2);
  {
    acl_task_object *o = test_object(L, -1);
    /* A collected object may still be listed (LuaJIT clears weak values
     * after finalizers): it holds no task then. */
    if (o != NULL && o->task == t) {
      lua_pushboolean(L, 0);
      return 2;
    }
  }
  lua_pop(L, 1);
  new_object(L, ACL_TASK_CLASS, t, 2);
  lua_pushlightuserdata(L, t);
  lua_pushvalue(L, -2);
  lua_rawset(L, -4);
  lua_pushboolean(L, 1);
  return 2;
}

/* live_tasks(loop) -> the Task of every Lua task of `loop` that is not
 * done, oldest first. */
int acl_live_tasks(lua_State *L) {
  acl_state *st = ACL_ST(L);
  ac_loop *loop = acl_check_loop(L, 1);
  acl_task *ts, *last = NULL;
  int n = 0;
  lua_newtable(L);
  for (ts = st->tasks; ts != NULL; ts = ts->next) last = ts;
  for (ts = last; ts != NULL; ts = ts->prev) {
    ac_task *t = ts->obj->task;
    if (t == NULL || ac_task_get_loop(t) != loop || ac_future_done(ac_task_future(t))) continue;
    acl_slot_push(L, st, ts->obj_slot);
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}


/* ------------------------------------------------------------------ */
/* The class of Task objects                                           */
/* ------------------------------------------------------------------ */

void acl_push_task_class(lua_State *L, acl_state *st) {
  int cls;
  if (st->task_class_ref != LUA_NOREF) {
    /* Opened before in this state: the same class. */
    lua_rawgeti(L, LUA_REGISTRYINDEX, st->task_class_ref);
    return;
  }
  /* The first opening in this state: the core's defaults too. */
  st->pool_max = ACL_POOL_DEFAULT;
  lua_newtable(L);
  cls = lua_gettop(L);
  lua_pushcfunction(L, object_gc);
  lua_setfield(L, cls, "__gc");
  lua_pushvalue(L, cls);
  lua_pushcclosure(L, object_index, 1);
  lua_setfield(L, cls, "__index");
  lua_pushvalue(L, cls);
  st->task_class_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  /* Objects of tasks that are not Lua tasks, weak by value. */
  lua_newtable(L);
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "v");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  st->foreign_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

void acl_detach_tasks(acl_state *st) {
  acl_task *t;
  /* Lua tasks of any loop (a host's too) end at their next step.
   * Cancelling never runs a step or frees a task inline. */
  for (t = st->tasks; t != NULL; t = t->next)
    if (t->task != NULL) ac_task_cancel(t->task, "the Lua state was closed");
  /* The pooled coroutines went with the Lua state; with st->L NULL no
   * task comes back to the pool. */
  free(st->pool);
  st->pool = NULL;
  st->pool_n = st->pool_max = 0;
}
