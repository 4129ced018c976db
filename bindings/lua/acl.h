/*
 * acl.h — internals of the Lua binding, shared by its C files (not part of
 * any public API; every symbol stays inside the module).
 *
 * Two rules shape everything here:
 *
 *  - Lua code and the Lua API calls that may raise run only inside a
 *    protected call, never directly in a frame the library called: a Lua
 *    error must not unwind through libasyncore. A task's coroutine runs
 *    inside lua_resume, which is protected; the step around it calls only
 *    API functions that cannot raise (task.c), and anything more goes
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
 */
#ifndef ASYNCORE_LUA_ACL_H
#define ASYNCORE_LUA_ACL_H

#include <asyncore.h>
#include <lauxlib.h>
#include <lua.h>

#if defined(__GNUC__)
#define ACL_INTERNAL __attribute__((visibility("hidden")))
#else
#define ACL_INTERNAL
#endif

typedef struct acl_task acl_task;
typedef struct acl_owned_loop acl_owned_loop;

/* One per Lua state that opened the module. */
typedef struct acl_state {
  /* The callback thread; NULL from the moment the Lua state closes. */
  lua_State *L;
  /* C-side holders: the module itself plus every anchor, task state and
   * callback block. The block is freed when the count reaches 0, which may
   * be long after the Lua state is gone (a host's loop outlives it). */
  int holds;
  /* Registry reference of the thread made for callbacks (Lua 5.1 when the
   * module was opened in a coroutine), or LUA_NOREF. */
  int thread_ref;
  /* Registry reference of the Lua function that makes error objects
   * (set by the Lua layer), or LUA_NOREF. */
  int factory_ref;
  /* Live Lua tasks, so that closing the Lua state can cancel them
   * (newest first). */
  acl_task *tasks;
  /* Loops the Lua side created; closed with the Lua state. */
  acl_owned_loop *loops;
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
  /* Where the error being reported now comes from, for the exception
   * handler's context (asyncio's keys 'handle' and 'task'): set around
   * ac_loop_call_exception_handler, which calls the handler inline. The
   * Handle object of a loop callback (registry reference, or LUA_NOREF);
   * the future of a done-callback (or NULL); the key the future goes
   * under ("task" for run()'s shutdown report; NULL: "future"). */
  int report_handle_ref;
  ac_future *report_done_future;
  const char *report_future_key;
  /* Coroutines of finished tasks, ready to run the next ones (task.c). */
  struct acl_pooled_co *pool;
  int pool_n, pool_max;
  /* Task blocks kept for the next tasks (a list through .next). */
  acl_task *spare;
  int spare_n;
  /* Slots (see acl_slot_new): the threads whose stacks hold them (listed
   * in a table of the registry), the free slots, and the next slot never
   * used. */
  int slot_list_ref;
  lua_State **slot_threads;
  int slot_threads_n;
  int *slots_free;
  int slots_free_n, slots_free_cap;
  int slots_next;
} acl_state;

/* A coroutine kept for reuse, and its slot. */
typedef struct acl_pooled_co {
  lua_State *co;
  int slot;
} acl_pooled_co;

/* The Lua object of a task (a full userdata whose block is laid out as
 * SWIG's own wrapper of an acs_task, so that SWIG's functions accept it as
 * a Task): it holds one reference to the task, dropped by its __gc. */
typedef struct acl_task_object {
  void *swig_type; /* SWIG's type of acs_task */
  int own;         /* 1 */
  ac_task *task;   /* NULL until the task exists (see spawn) */
} acl_task_object;

/* The state of one Lua task (task.c); the task owns it. */
struct acl_task {
  acl_state *st;
  /* Borrowed: set once the task exists (the task frees this block before
   * it goes away); NULL until then. */
  ac_task *task;
  /* The coroutine, anchored by co_slot; NULL until the first step for a
   * task made without arguments (its function waits in fn_slot). */
  lua_State *co;
  int co_slot;   /* slot of the coroutine, or 0 */
  int fn_slot;   /* slot of the function of a task not started yet, or 0 */
  int own_co;    /* the coroutine is ours (not the caller's): reusable */
  int obj_slot;  /* slot of the Task object while the task lives */
  acl_task_object *obj; /* that object's block (anchored by obj_slot) */
  int nargs;     /* arguments waiting on the coroutine for its first resume */
  int started;   /* resumed at least once */
  /* Set by a native that registered what the coroutine waits for, right
   * before it yields: the step returns it (AC_STEP_AWAIT or AC_STEP_YIELD).
   * 0: the coroutine yielded by itself (coroutine.yield). */
  int pending;
  acl_task *prev, *next; /* acl_state.tasks */
};

/* How many coroutines of finished tasks are kept for the next tasks. */
#define ACL_POOL_DEFAULT 128

/* ---- state.c ---- */

/* > 0 while a wrapper's finalizer drops its handle (see lua_typemaps.i). */
ACL_INTERNAL extern int acl_finalizing;

/* The state of the Lua state `L` belongs to (never NULL after luaopen). */
ACL_INTERNAL acl_state *acl_state_of(lua_State *L);
ACL_INTERNAL acl_state *acl_state_hold(acl_state *st);
ACL_INTERNAL void acl_state_release(acl_state *st);
/* Creates the state, its sentinel (whose __gc detaches everything) and the
 * callback thread; called once by luaopen. May raise (memory). */
ACL_INTERNAL void acl_state_open(lua_State *L);
/* Remembers a loop created from Lua, to close it with the Lua state. */
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
/* Pops the value on top into `slot`, which holds a value now (so nothing
 * is allocated). Never raises (needs 2 free stack places). */
ACL_INTERNAL void acl_slot_replace(lua_State *L, acl_state *st, int slot);
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

/* ---- value.c ---- */

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

/* ---- task.c ---- */

/* The task object at idx (a Task of this module), or NULL. Never raises. */
ACL_INTERNAL acl_task_object *acl_test_task_object(lua_State *L, acl_state *st, int idx);
/* Pushes the Lua error object for `code` (what: a prefix of the message,
 * or NULL) and raises it. */
ACL_INTERNAL int acl_raise_code(lua_State *L, acl_state *st, int code, const char *what);
/* Registers the natives that take the binding's state as their upvalue
 * (the hot paths: tasks, awaiting, primitives, queues) in the table at
 * idx. */
ACL_INTERNAL void acl_open_natives(lua_State *L, int idx);
/* Registers `list` in the table at `module`, each function a closure with
 * the upvalues (state, Task class at `cls`). */
ACL_INTERNAL void acl_register(lua_State *L, int module, int cls, const luaL_Reg *list);

/* What a native that suspended returns once resumed (Lua 5.4; on LuaJIT
 * it returns `true, values...` or `false, error` as they come). */
enum {
  ACL_K_VALUES = 0, /* the awaited future's values */
  ACL_K_TRUE = 1,   /* true */
  ACL_K_KEEP = 2,   /* the value the native left at index 1 */
  ACL_K_NONE = 3,   /* nothing */
  ACL_K_SOURCE = 4  /* x:_source_values() of the object x at index 1 */
};
/* The running task when L is its coroutine; else raises "<what>: only a
 * task's coroutine can await ...". */
ACL_INTERNAL acl_task *acl_waiting_task(lua_State *L, acl_state *st, const char *what);
/* Suspends the native's task: `pending` (AC_STEP_AWAIT after the wait was
 * registered, or AC_STEP_YIELD) is what the step returns. Returns the
 * native's return value (`return acl_suspend(...)`). */
ACL_INTERNAL int acl_suspend(lua_State *L, acl_task *ts, int pending, int mode);
/* Makes ts await `f` (taking over the caller's reference) and suspends;
 * raises when it cannot (the task cannot yield here, a code). */
ACL_INTERNAL int acl_await_owned(lua_State *L, acl_state *st, acl_task *ts, ac_future *f,
                                 int mode);
/* Returns from a native that did not suspend with the n values on top
 * (on LuaJIT preceded by true, as after a suspension). */
ACL_INTERNAL int acl_return_now(lua_State *L, int n);

/* ---- sync.c ---- */

/* Registers the natives of the primitives and queues in the table at
 * `module` (cls: the Task class). */
ACL_INTERNAL void acl_open_sync(lua_State *L, int module, int cls);

/* ---- bridge (the SWIG side, lua.i) ---- */

/* Wrapper objects: the to-functions return NULL when the value is not
 * such a wrapper and never raise; push-functions take a new reference for
 * the wrapper (except acl_push_handle, which takes over the caller's). */
ACL_INTERNAL ac_loop *acl_to_loop(lua_State *L, int idx);
ACL_INTERNAL ac_future *acl_to_future(lua_State *L, int idx); /* a future or a task */
ACL_INTERNAL ac_task *acl_to_task(lua_State *L, int idx);
ACL_INTERNAL ac_error *acl_to_error(lua_State *L, int idx);
ACL_INTERNAL ac_taskgroup *acl_to_taskgroup(lua_State *L, int idx);
ACL_INTERNAL ac_queue *acl_to_queue(lua_State *L, int idx);
ACL_INTERNAL void acl_push_loop(lua_State *L, ac_loop *loop);
ACL_INTERNAL void acl_push_future(lua_State *L, ac_future *f);
ACL_INTERNAL void acl_push_task(lua_State *L, ac_task *t);
ACL_INTERNAL void acl_push_error(lua_State *L, ac_error *err);
ACL_INTERNAL void acl_push_handle(lua_State *L, ac_handle *h);
ACL_INTERNAL void acl_push_stream(lua_State *L, ac_stream *s);
ACL_INTERNAL ac_stream *acl_to_stream(lua_State *L, int idx);
/* The TLS context a TlsContext wrapper holds (borrowed), or NULL. */
ACL_INTERNAL ac_tls_context *acl_to_tls_context(lua_State *L, int idx);

/* ---- process.c ---- */
ACL_INTERNAL void acl_open_process(lua_State *L, int module);
ACL_INTERNAL int acl_process_spawn(lua_State *L);
ACL_INTERNAL int acl_add_signal_handler(lua_State *L);
ACL_INTERNAL int acl_remove_signal_handler(lua_State *L);
ACL_INTERNAL int acl_pipe_connect(lua_State *L);
ACL_INTERNAL int acl_tty_set_raw(lua_State *L);
ACL_INTERNAL int acl_tty_winsize(lua_State *L);
ACL_INTERNAL void acl_push_server(lua_State *L, ac_server *srv);
/* A wrapper of f (a Task for a task) that holds no reference, for the
 * span of a call that borrows f; returns the wrapper's block, which
 * acl_forget_borrowed empties afterwards (its methods then see NULL). */
ACL_INTERNAL void *acl_push_borrowed_future(lua_State *L, ac_future *f);
ACL_INTERNAL void acl_forget_borrowed(void *wrapper);
/* SWIG's type of acs_task (for acl_task_object.swig_type). */
ACL_INTERNAL void *acl_swig_task_type(void);
/* Fast unwrapping of primitives for the natives: the handle of a SWIG
 * wrapper of that exact type at idx, or NULL. Never raises. */
ACL_INTERNAL ac_lock *acl_to_lock(lua_State *L, int idx);
ACL_INTERNAL ac_semaphore *acl_to_semaphore(lua_State *L, int idx);
ACL_INTERNAL ac_event *acl_to_event(lua_State *L, int idx);
ACL_INTERNAL ac_condition *acl_to_condition(lua_State *L, int idx);

/* ---- natives (Lua functions of the core module) ---- */

/* callback.c */
ACL_INTERNAL int acl_call_soon(lua_State *L);
ACL_INTERNAL int acl_call_later(lua_State *L);
ACL_INTERNAL int acl_call_at(lua_State *L);
ACL_INTERNAL int acl_add_done_callback(lua_State *L);
ACL_INTERNAL int acl_remove_done_callback(lua_State *L);
ACL_INTERNAL int acl_set_exception_handler(lua_State *L);
ACL_INTERNAL int acl_call_exception_handler(lua_State *L);
ACL_INTERNAL int acl_server_listen(lua_State *L);
/* ---- tls.c ---- */
ACL_INTERNAL int acl_tls_set_sni(lua_State *L);
ACL_INTERNAL int acl_threadsafe_callback(lua_State *L);
/* value.c */
ACL_INTERNAL int acl_future_result(lua_State *L);
ACL_INTERNAL int acl_future_set_result(lua_State *L);
ACL_INTERNAL int acl_future_set_exception(lua_State *L);
ACL_INTERNAL int acl_set_error_factory(lua_State *L);
ACL_INTERNAL int acl_error_payload(lua_State *L);
ACL_INTERNAL int acl_error_from_value(lua_State *L);
ACL_INTERNAL int acl_queue_put_nowait(lua_State *L);
ACL_INTERNAL int acl_queue_get_nowait(lua_State *L);
ACL_INTERNAL int acl_context_key_new(lua_State *L);
ACL_INTERNAL int acl_context_set(lua_State *L);
ACL_INTERNAL int acl_context_get(lua_State *L);
ACL_INTERNAL int acl_context_delete(lua_State *L);
/* state.c */
ACL_INTERNAL int acl_own_loop(lua_State *L);
ACL_INTERNAL int acl_host_loop(lua_State *L);

/* Lua 5.1 / LuaJIT compatibility. */
#define acl_absindex(L, i) ((i) > 0 || (i) <= LUA_REGISTRYINDEX ? (i) : lua_gettop(L) + (i) + 1)
#if LUA_VERSION_NUM < 502
#define acl_rawlen(L, i) lua_objlen(L, i)
#else
#define acl_rawlen(L, i) lua_rawlen(L, i)
#endif

/* The registry key under which a host hands its loop to the module
 * (a light userdata ac_loop *, set before require). */
#define ACL_HOST_LOOP_KEY "asyncore.host_loop"

#endif
