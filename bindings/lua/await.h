/*
 * await.h — the await API: how a native suspends the running Lua task on
 * a future, and what it returns once the task is resumed.
 *
 * A native that must wait (a lock's acquire, a queue's get ...) does, in
 * this order:
 *
 *   ts = acl_waiting_task(L, st, what);  // raises outside a task
 *   ... the operation's fast path: done at once? return acl_return_now(...)
 *   acl_check_yieldable(L);              // raises, before anything is made
 *   ... make the future f the task waits for (a new reference)
 *   return acl_await_owned(L, st, ts, f, ACL_K_TRUE);
 *
 * acl_await_owned registers f as what the task awaits (ac_task_await_owned,
 * from inside the task's step), notes it for the step and yields; the step
 * returns AC_STEP_AWAIT. When f is done the task's next step resumes the
 * coroutine with `true, values...` or `false, error object`: on Lua 5.4 the
 * native's continuation turns that into its results (by `mode`) or raises
 * the error; on LuaJIT (no continuations) the native returns `true,
 * values...` or `false, error` as they come and a Lua wrapper of the Lua
 * layer does it. A native that did not suspend returns through
 * acl_return_now, which gives the same shape.
 *
 * Only the Lua task whose coroutine calls can wait: the functions here
 * know the core (task.h), the natives that use them do not.
 */
#ifndef ASYNCORE_LUA_AWAIT_H
#define ASYNCORE_LUA_AWAIT_H

#include "acl.h"

/* What a native that suspended returns once resumed (Lua 5.4; on LuaJIT
 * it returns `true, values...` or `false, error` as they come). */
enum {
  ACL_K_VALUES = 0, /* the awaited future's values */
  ACL_K_TRUE = 1,   /* true */
  ACL_K_KEEP = 2,   /* the value the native left at index 1 */
  ACL_K_NONE = 3,   /* nothing */
  ACL_K_SOURCE = 4  /* x:_source_values() of the object x at index 1 */
};

/* The running task when L is its coroutine; else raises RuntimeError
 * "<what>: only a task's coroutine can await ...". */
ACL_INTERNAL acl_task *acl_waiting_task(lua_State *L, acl_state *st, const char *what);
/* The running task when L is its coroutine and may yield here, else NULL.
 * Never raises (for a native that must undo something before it raises). */
ACL_INTERNAL acl_task *acl_awaiting_task(lua_State *L, acl_state *st);
/* Raises "attempt to yield across a C-call boundary" when L cannot yield
 * here (a metamethod, a pcall on LuaJIT ...). */
ACL_INTERNAL void acl_check_yieldable(lua_State *L);
/* Makes ts await `f` (taking over the caller's reference) and suspends;
 * raises when it cannot (the task cannot yield here, a code). Returns the
 * native's return value (`return acl_await_owned(...)`). */
ACL_INTERNAL int acl_await_owned(lua_State *L, acl_state *st, acl_task *ts, ac_future *f,
                                 int mode);
#if ACL_HAS_K
/* The same with a continuation of the native's own: k(L, status, ctx)
 * runs once the task is resumed, with `true, values...` or `false, error`
 * on top of what the native left on its stack. */
ACL_INTERNAL int acl_await_owned_k(lua_State *L, acl_state *st, acl_task *ts, ac_future *f,
                                   lua_KContext ctx, lua_KFunction k);
#endif
/* Returns from a native that did not suspend with the n values on top
 * (on LuaJIT preceded by true, as after a suspension). */
ACL_INTERNAL int acl_return_now(lua_State *L, int n);

#endif
