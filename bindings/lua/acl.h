/*
 * acl.h — internals of the Lua binding, shared by its C files (not part of
 * any public API; every symbol stays inside the module).
 *
 * Four rules shape everything here:
 *
 *  - Lua code and the Lua API calls that may raise run only inside a
 *    protected call, never directly in a frame the library called: a Lua
 *    error must not unwind through libasyncore. A task's coroutine runs
 *    inside lua_resume, which is protected; the step around it calls only
 *    API functions that cannot raise (step.c), and anything more goes
 *    through acl_protect on the binding's callback thread: the state's main
 *    thread (Lua 5.4: LUA_RIDX_MAINTHREAD; Lua 5.1/LuaJIT: the main thread
 *    when the module is opened on it, else a thread of our own), never a
 *    coroutine captured when something was registered.
 *
 *  - Everything the library holds for Lua (a task's coroutine and object, a
 *    callback, a Lua value stored in a future) is a slot or a registry
 *    reference owned by a small C block that also holds the shared
 *    acl_state. The block is released exactly once, by the library's free
 *    callback. Once the Lua state is closing (acl_state.L == NULL) releases
 *    free C memory only and steps and callbacks touch nothing of Lua.
 *
 *  - Dependencies go one way, down the layers; nothing calls up (a lower
 *    layer reaches a higher one only through a function pointer it was
 *    handed, as the state's detach_tasks):
 *
 *      module.c      the registration: every native of the module under
 *                    its Lua name, by the file that provides it (natives.h
 *                    declares them); the Task class; the constants. Run by
 *                    luaopen (lua.i's %init)
 *      ---------------------------------------------------------------
 *      sync.c        Lock, Semaphore, Condition, Event, Queue
 *      future.c      futures' states, results, errors
 *      context.c     context variables
 *      callback.c    Lua functions the loop calls (call_soon, done-
 *                    callbacks, readers and writers, servers'
 *                    connections, the exception handler, other threads)
 *      fs.c          files and descriptors
 *      process.c     child processes, signals, pipes, terminals
 *      tls.c         a TLS context's SNI callback
 *      loop.c        loops made by Lua or handed over by a host
 *      ---------------------------------------------------------------
 *      await.h/.c    the await API: how a native suspends the running
 *                    task on a future and what it returns once resumed;
 *                    the natives await and sleep
 *      ---------------------------------------------------------------
 *      task.h        the core: Task objects, spawning and the task
 *      task.c        natives (task.c); the step that resumes a task's
 *      step.c        coroutine, task blocks, the coroutine pool (step.c)
 *      ---------------------------------------------------------------
 *      value.c       Lua values and ac_value, error objects, argument
 *                    checks and failure returns (acl.h)
 *      state.c       the per-state block, protected calls, slots and
 *                    anchors (acl.h); calls nothing of ours
 *      lua.i         the bridge to SWIG's wrappers (acl.h); calls nothing
 *                    of ours (its %init, the module's entry, calls
 *                    module.c)
 *
 *    Within a layer the order is the one listed, upward never: task.c
 *    stands on step.c, value.c on state.c and the bridge; the primitives
 *    do not call each other. A file of the primitives includes natives.h
 *    (and await.h when it waits), never task.h: the core's structures are
 *    the await API's business. The core never includes await.h.
 *    check-layers.py checks all this from the sources (the test
 *    lua-layers).
 *
 *  - Every native has one shape: `int fn(lua_State *L)`, listed once in
 *    module.c's table and registered there with the same two upvalues
 *    (ACL_ST(L): the state; ACL_TASK_CLASS: the class of Task objects).
 *    It checks its arguments first, with luaL_check*, luaL_opt* and
 *    acl_check_* (a wrong argument raises Lua's argument error before the
 *    library is called), then answers a failure of the library one of two
 *    ways, which the comment at its definition states:
 *      - natives the Lua layer (asyncore.lua) wraps return the code for it
 *        to check: `nil, code` when they return something else on success
 *        (acl_push_fail, acl_push_new_future), the code alone (0: done)
 *        when they return nothing; the few whose success has several
 *        shapes put the code first (queue_get_nowait: `0, item, priority
 *        | code`) or return `false, error object` (future_result);
 *      - natives user code reaches directly (awaiting, sleeping, the
 *        primitives' and queues' waits, create_task) raise the Lua layer's
 *        error object themselves (acl_raise_code, acl_raise_misuse).
 *    Neither kind lets a Lua error escape into the library: natives run
 *    only in Lua's own calls.
 */
#ifndef ASYNCORE_LUA_ACL_H
#define ASYNCORE_LUA_ACL_H

#include <math.h>
#include <stdint.h>

#include <asyncore.h>
#include <lauxlib.h>
#include <lua.h>

#if defined(__GNUC__)
#define ACL_INTERNAL __attribute__((visibility("hidden")))
#else
#define ACL_INTERNAL
#endif

/* Lua 5.1 / LuaJIT compatibility. */
#define acl_absindex(L, i) ((i) > 0 || (i) <= LUA_REGISTRYINDEX ? (i) : lua_gettop(L) + (i) + 1)
#if LUA_VERSION_NUM < 502
#define acl_rawlen(L, i) lua_objlen(L, i)
#else
#define acl_rawlen(L, i) lua_rawlen(L, i)
#endif
/* Continuations (lua_yieldk, lua_pcallk): Lua 5.4 only. */
#if LUA_VERSION_NUM >= 504
#define ACL_HAS_K 1
#else
#define ACL_HAS_K 0
#endif

/* The upvalues of every native (module.c registers them). */
#define ACL_ST(L) ((acl_state *)lua_touserdata(L, lua_upvalueindex(1)))
#define ACL_TASK_CLASS lua_upvalueindex(2)

/* The registry key under which a host hands its loop to the module
 * (a light userdata ac_loop *, set before require). */
#define ACL_HOST_LOOP_KEY "asyncore.host_loop"

typedef struct acl_task acl_task; /* the core's (task.h) */
typedef struct acl_owned_loop acl_owned_loop;

/* A coroutine kept for reuse, and its slot (step.c). */
typedef struct acl_pooled_co {
  lua_State *co;
  int slot;
} acl_pooled_co;

/* One per Lua state that opened the module. Each group of fields names
 * the file that owns it; other files only read them. */
typedef struct acl_state {
  /* -- state.c -- */
  /* The callback thread; NULL from the moment the Lua state closes. */
  lua_State *L;
  /* C-side holders: the module itself plus every anchor, task state and
   * callback block. The block is freed when the count reaches 0, which may
   * be long after the Lua state is gone (a host's loop outlives it). */
  int holds;
  /* Registry reference of the thread made for callbacks (Lua 5.1 when the
   * module was opened in a coroutine), or LUA_NOREF. */
  int thread_ref;
  /* Loops the Lua side created; closed with the Lua state. */
  acl_owned_loop *loops;
  /* What cancels the live tasks and drops what the core keeps when the
   * Lua state closes (the core's, handed over by module.c), or NULL. */
  void (*detach_tasks)(struct acl_state *st);
  /* Slots (see acl_slot_new): the threads whose stacks hold them (listed
   * in a table of the registry), the free slots, and the next slot never
   * used. */
  int slot_list_ref;
  lua_State **slot_threads;
  int slot_threads_n;
  int *slots_free;
  int slots_free_n, slots_free_cap;
  int slots_next;

  /* -- value.c -- */
  /* Registry reference of the Lua function that makes error objects
   * (set by the Lua layer), or LUA_NOREF. */
  int factory_ref;

  /* -- task.c, step.c (the core) -- */
  /* Live Lua tasks, so that closing the Lua state can cancel them
   * (newest first). */
  acl_task *tasks;
  /* The Lua task whose coroutine runs now (steps nest: an eager task's
   * first step runs inside another's), or NULL. */
  acl_task *current;
  /* Registry references: the class (metatable) of Task objects, and a
   * weak table of the Task objects made for tasks that are not Lua tasks
   * of this state (keyed by the task's address). */
  int task_class_ref;
  int foreign_ref;
  /* The Lua function create_task falls back to (the Lua layer's general
   * path), or LUA_NOREF. */
  int create_fallback_ref;
  /* Coroutines of finished tasks, ready to run the next ones. */
  acl_pooled_co *pool;
  int pool_n, pool_max;

  /* -- callback.c -- */
  /* Where the error being reported now comes from, for the exception
   * handler's context (asyncio's keys 'handle' and 'task'): set around
   * ac_loop_call_exception_handler, which calls the handler inline. The
   * Handle object of a loop callback (registry reference, or LUA_NOREF);
   * the future of a done-callback (or NULL); the key the future goes
   * under ("task" for run()'s shutdown report; NULL: "future"). */
  int report_handle_ref;
  ac_future *report_done_future;
  const char *report_future_key;
} acl_state;

/* ---- state.c: the per-state block, protected calls, slots, anchors ---- */

ACL_INTERNAL acl_state *acl_state_hold(acl_state *st);
ACL_INTERNAL void acl_state_release(acl_state *st);
/* Creates the state (once per Lua state; later calls return it), its
 * sentinel (whose __gc detaches everything, calling detach_tasks first)
 * and the callback thread. May raise (memory). */
ACL_INTERNAL acl_state *acl_state_open(lua_State *L, void (*detach_tasks)(acl_state *st));
/* Remembers a loop created from Lua, to close it with the Lua state.
 * Returns 0 or AC_ENOMEM. */
ACL_INTERNAL int acl_state_own_loop(acl_state *st, ac_loop *loop);

/* Runs fn(L) with the lightuserdata `ctx` as its only argument, protected,
 * on the callback thread. Returns 0, or -1 when fn raised; then, if errbuf
 * is not NULL, a description of the error is copied there. The stack of
 * the callback thread is left as it was. Must not be called once the state
 * is closing. */
ACL_INTERNAL int acl_protect(acl_state *st, lua_CFunction fn, void *ctx, char *errbuf,
                             size_t errlen);

/* Slots: Lua values the C side keeps alive, numbered by small integers
 * that C recycles (cheaper than registry references: see state.c). 0 is
 * no slot. */
/* Anchors the value at idx in a new slot. Lua context: may raise. */
ACL_INTERNAL int acl_slot_new(lua_State *L, acl_state *st, int idx);
/* Pushes the value of a slot. Never raises (needs 2 free stack places). */
ACL_INTERNAL void acl_slot_push(lua_State *L, acl_state *st, int slot);
/* Releases a slot (0: nothing). Never raises; no Lua at all once the state
 * is closing. */
ACL_INTERNAL void acl_slot_free(acl_state *st, int slot);

/* Anchors: a Lua value kept alive by the library. */
typedef struct acl_anchor {
  acl_state *st;
  int ref;
  int multi; /* the value is a pack of several values ({n=..., ...}) */
} acl_anchor;
/* Pops the value at the top of L and anchors it; NULL when out of memory
 * (the value is popped anyway). May raise (registry growth). */
ACL_INTERNAL acl_anchor *acl_anchor_new(lua_State *L, acl_state *st, int multi);
/* Destructor of an anchored value (ac_value pointer free_fn). */
ACL_INTERNAL void acl_anchor_free(void *anchor);
/* Pushes the anchored value (unpacked when multi); returns the count. */
ACL_INTERNAL int acl_anchor_push(lua_State *L, const acl_anchor *a);

/* ---- value.c: values, error objects, argument checks, failures ---- */

/* The ac_value of the number at idx. Never raises. Integers (Lua 5.1 and
 * LuaJIT: whole numbers exactly representable, not -0) are INT64, other
 * numbers DOUBLE. */
static inline void acl_number_value(lua_State *L, int idx, ac_value *v) {
#if LUA_VERSION_NUM >= 503
  if (lua_isinteger(L, idx)) {
    ac_value_set_int64(v, (int64_t)lua_tointeger(L, idx));
    return;
  }
  ac_value_set_double(v, (double)lua_tonumber(L, idx));
#else
  double d = (double)lua_tonumber(L, idx);
  if (d >= -9007199254740992.0 && d <= 9007199254740992.0 && (double)(int64_t)d == d &&
      !(d == 0 && signbit(d)))
    ac_value_set_int64(v, (int64_t)d);
  else
    ac_value_set_double(v, d);
#endif
}
/* Converts the values at [idx, idx+n) to one ac_value: n == 0 gives NONE,
 * several are packed. Strings become BYTES borrowed from Lua (copy them
 * before the next Lua call: storing functions do); other objects are
 * anchored. Returns 0 or AC_ENOMEM. May raise (registry growth). */
ACL_INTERNAL int acl_to_value(lua_State *L, acl_state *st, int idx, int n, ac_value *out);
/* Releases what acl_to_value made when it could not be stored: the
 * anchor, never the borrowed bytes. */
ACL_INTERNAL void acl_value_discard(ac_value *v);
/* Pushes the Lua values of `v` (nil for NONE; several for a pack); returns
 * the count. Pointers that are not our anchors become light userdata. */
ACL_INTERNAL int acl_push_value(lua_State *L, acl_state *st, const ac_value *v);

/* Pushes the Lua error object for `err`: its Lua payload when a Lua error
 * made it, else what the Lua layer's factory makes of it. May raise. */
ACL_INTERNAL void acl_push_error_object(lua_State *L, acl_state *st, ac_error *err);
/* Pushes the error object of a failure of `code` made here, with
 * `message` (NULL: the code's; a CancelledError or TimeoutError made here
 * has none, as asyncio's). May raise. */
ACL_INTERNAL void acl_push_made_error(lua_State *L, acl_state *st, int code,
                                      const char *message);
/* Raises the Lua layer's error object for `code`, as its check() makes it:
 * the message is the reason the failing call recorded. Before the Lua
 * layer is loaded: a plain message (what: its prefix, or NULL). */
ACL_INTERNAL int acl_raise_code(lua_State *L, acl_state *st, int code, const char *what);
/* Raises RuntimeError (AC_EMISUSE) with the message fmt % arg (a format
 * as lua_pushfstring's, with one %s). */
ACL_INTERNAL int acl_raise_misuse(lua_State *L, acl_state *st, const char *fmt, const char *arg);
/* Builds an ac_error for the Lua error value at `idx` with the message
 * `text` (for a Lua error: message and traceback). An error object of the
 * Lua layer keeps its code (a re-raised library error keeps its ac_error
 * itself). Returns a new reference, or NULL (memory). May raise. */
ACL_INTERNAL ac_error *acl_error_from_lua(lua_State *L, acl_state *st, int idx,
                                          const char *text);
/* The message of the Lua error value at idx, as luaL_tolstring gives it
 * (pushed). May raise (a __tostring that fails). */
ACL_INTERNAL const char *acl_error_text(lua_State *L, int idx);
/* Reports `err` to the loop's exception handler with `message`. */
ACL_INTERNAL void acl_report(ac_loop *loop, const char *message, ac_error *err);

/* Argument checks of the natives: the handle of the wrapper at idx, or
 * Lua's argument error ("Loop expected" ...). Task objects are futures. */
ACL_INTERNAL ac_loop *acl_check_loop(lua_State *L, int idx);
ACL_INTERNAL ac_future *acl_check_future(lua_State *L, int idx);
ACL_INTERNAL ac_queue *acl_check_queue(lua_State *L, int idx);
ACL_INTERNAL ac_stream *acl_check_stream(lua_State *L, int idx);

/* Failure returns of the natives the Lua layer checks: `nil, rc` (2). */
ACL_INTERNAL int acl_push_fail(lua_State *L, int rc);
/* The future a call made (taking over its reference), or `nil, rc` when
 * rc is not 0. */
ACL_INTERNAL int acl_push_new_future(lua_State *L, int rc, ac_future *f);

/* ---- the bridge (the SWIG side, lua.i) ---- */

/* > 0 while a wrapper's finalizer drops its handle (see lua_typemaps.i):
 * whatever reports an error then makes no new wrapper. */
ACL_INTERNAL extern int acl_finalizing;

/* The Lua object of a task (a full userdata whose block is laid out as
 * SWIG's own wrapper of an acs_task, so that SWIG's functions accept it as
 * a Task; lua.i checks the layout): it holds one reference to the task,
 * dropped by its __gc. */
typedef struct acl_task_object {
  void *swig_type; /* SWIG's type of acs_task */
  int own;         /* 1 */
  ac_task *task;   /* NULL until the task exists (see spawn) */
} acl_task_object;
/* SWIG's type of acs_task (for acl_task_object.swig_type). */
ACL_INTERNAL void *acl_swig_task_type(void);

/* Wrapper objects: the to-functions return NULL when the value is not
 * such a wrapper and never raise; push-functions take a new reference for
 * the wrapper (except acl_push_handle and acl_push_server, which take
 * over the caller's). */
ACL_INTERNAL ac_loop *acl_to_loop(lua_State *L, int idx);
ACL_INTERNAL ac_future *acl_to_future(lua_State *L, int idx); /* a future or a task */
ACL_INTERNAL ac_task *acl_to_task(lua_State *L, int idx);
ACL_INTERNAL ac_error *acl_to_error(lua_State *L, int idx);
ACL_INTERNAL ac_taskgroup *acl_to_taskgroup(lua_State *L, int idx);
ACL_INTERNAL ac_queue *acl_to_queue(lua_State *L, int idx);
ACL_INTERNAL ac_stream *acl_to_stream(lua_State *L, int idx);
/* The TLS context a TlsContext wrapper holds (borrowed), or NULL. */
ACL_INTERNAL ac_tls_context *acl_to_tls_context(lua_State *L, int idx);
/* Fast unwrapping of primitives for the natives: the handle of a SWIG
 * wrapper of that exact type at idx, or NULL. Never raises. */
ACL_INTERNAL ac_lock *acl_to_lock(lua_State *L, int idx);
ACL_INTERNAL ac_semaphore *acl_to_semaphore(lua_State *L, int idx);
ACL_INTERNAL ac_event *acl_to_event(lua_State *L, int idx);
ACL_INTERNAL ac_condition *acl_to_condition(lua_State *L, int idx);
ACL_INTERNAL void acl_push_loop(lua_State *L, ac_loop *loop);
ACL_INTERNAL void acl_push_future(lua_State *L, ac_future *f);
ACL_INTERNAL void acl_push_task(lua_State *L, ac_task *t);
ACL_INTERNAL void acl_push_error(lua_State *L, ac_error *err);
ACL_INTERNAL void acl_push_handle(lua_State *L, ac_call *h);
ACL_INTERNAL void acl_push_stream(lua_State *L, ac_stream *s);
ACL_INTERNAL void acl_push_server(lua_State *L, ac_server *srv);
/* A wrapper of f (a Task for a task) that holds no reference, for the
 * span of a call that borrows f; returns the wrapper's block, which
 * acl_forget_borrowed empties afterwards (its methods then see NULL). */
ACL_INTERNAL void *acl_push_borrowed_future(lua_State *L, ac_future *f);
ACL_INTERNAL void acl_forget_borrowed(void *wrapper);

#endif
