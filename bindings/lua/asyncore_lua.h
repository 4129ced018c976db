/*
 * asyncore_lua.h — what C code living next to the Lua binding may use:
 * scheduling a Lua function from any thread (asyncio's
 * loop.call_soon_threadsafe).
 *
 * Lua runs only on its loop's thread. A Lua program that hands work to
 * threads of its own (written in C) makes a target there:
 *
 *   local target = loop:threadsafe_callback(function() ... end)
 *   start_my_thread(target:ptr())          -- a light userdata
 *
 * and the C thread schedules the function, as often as it likes:
 *
 *   asyncore_lua_call_soon_threadsafe(ptr); // fn runs on the loop's thread
 *
 * Each call runs the function once, on the loop's thread, after the
 * callbacks already ready, and wakes the loop (ac_loop_call_soon_threadsafe).
 * The Lua program keeps `target` alive (or closes it with target:close())
 * for as long as a thread may call: a call made after the target was
 * dropped is undefined. A call already made when the target is dropped or
 * the loop closes never runs the function, and frees nothing the caller
 * holds.
 */
#ifndef ASYNCORE_LUA_H
#define ASYNCORE_LUA_H

#include <asyncore.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The target of a Lua function (loop:threadsafe_callback(fn):ptr()). */
typedef struct asyncore_lua_post {
  ac_loop *loop;       /* holds a reference while the target lives */
  ac_callback_fn fn;   /* the binding's callback */
  void *ud;            /* its argument */
  ac_free_fn free_ud;  /* ends one call (run or dropped) */
  int pending;         /* calls made and not ended yet (atomic) */
} asyncore_lua_post;

/* Thread: any. Schedules the target's Lua function on its loop; returns 0,
 * or AC_ECLOSED (the loop is closed), AC_ENOMEM. */
static inline int asyncore_lua_call_soon_threadsafe(asyncore_lua_post *post) {
  __atomic_add_fetch(&post->pending, 1, __ATOMIC_ACQ_REL);
  /* On failure free_ud runs at once and ends the call. */
  return ac_loop_call_soon_threadsafe(post->loop, post->fn, post->ud, post->free_ud);
}

#ifdef __cplusplus
}
#endif
#endif
