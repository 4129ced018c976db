/**
 * \file
 * asyncore/common.h — export macro, version, the callback shape shared by
 * every part of the contract.
 *
 * Conventions that hold for every function in asyncore.h unless its comment
 * says otherwise:
 *
 *  - Return value: 0 (or a non-negative count) on success, a negative
 *    AC_E* code on failure (asyncore/error.h). Out-parameters are written
 *    only on success.
 *  - Ownership: a function whose name ends in _new, or that fills an
 *    `T **out`, hands the caller one reference; the caller drops it with the
 *    matching _unref. Pointers returned directly (not through `out`) are
 *    borrowed: valid while the object they came from is alive.
 *  - Threads: every object belongs to its loop, and a loop to its owner
 *    thread: the one that created it, or the one it was handed to with
 *    ac_loop_bind_thread. Functions marked "Thread: any" may be called from
 *    any thread; all others only from the loop's thread, and return
 *    AC_EWRONGTHREAD from another where the comment says the thread is
 *    checked.
 *  - Callbacks: always (fn, ud, free_ud). free_ud (may be NULL) runs exactly
 *    once per registration: after the callback ran, when it is cancelled or
 *    removed, when the loop closes before it could run, or at once when the
 *    registering call itself fails. A registration the loop does not hold
 *    yet when it closes (a done-callback of a future still pending) is
 *    released when that future completes or is freed, whichever comes
 *    first; the callback itself never runs on a closed loop.
 *  - Names: ac_OBJECT_VERB or ac_OBJECT_PROPERTY, with asyncio's word. A
 *    property asyncio reads with get_x() is ac_OBJECT_get_x
 *    (ac_task_get_name, ac_future_get_loop, ac_loop_get_debug), and so is
 *    one whose plain noun names a type (ac_error_get_kind,
 *    ac_future_get_state); one asyncio reads as x() or an attribute keeps
 *    the plain word (ac_loop_time, ac_queue_qsize, ac_timeout_when).
 *    Former names stay as deprecated aliases.
 *  - Counts: a count the contract returns or takes (tasks, children,
 *    items, waiters woken, callbacks run or removed, cancel requests) is an
 *    int64_t, so a negative return is always an AC_E* code; the length of
 *    memory or of an array passed in is a size_t. Yes/no answers are int
 *    (1 or 0).
 *  - Nothing in this library throws, longjmps, or exits the process.
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_COMMON_H
#define ASYNCORE_COMMON_H

#include <stddef.h>
#include <stdint.h>

/** \def AC_EXPORT
 * Marks the functions the library exports (default visibility, or
 * dllexport/dllimport on Windows). */
#if defined(_WIN32)
#  if defined(AC_BUILDING_LIBRARY)
#    define AC_EXPORT __declspec(dllexport)
#  else
#    define AC_EXPORT __declspec(dllimport)
#  endif
#elif defined(__GNUC__)
#  define AC_EXPORT __attribute__((visibility("default")))
#else
#  define AC_EXPORT
#endif

/** \def AC_NOEXCEPT
 * `noexcept` when the header is compiled as C++ (nothing in this library
 * throws), empty in C. */
#ifdef __cplusplus
#  define AC_NOEXCEPT noexcept
extern "C" {
#else
#  define AC_NOEXCEPT
#endif

/** @{ */
/** The version of these headers; AC_VERSION_HEX below combines them. */
#define AC_VERSION_MAJOR 0
#define AC_VERSION_MINOR 1
#define AC_VERSION_PATCH 0
/** @} */
/** AC_VERSION_HEX is 0xMMmmpp: compare with >= to test for a feature. */
#define AC_VERSION_HEX \
  ((AC_VERSION_MAJOR << 16) | (AC_VERSION_MINOR << 8) | AC_VERSION_PATCH)

/** The version of the library actually loaded, as AC_VERSION_HEX.
 * Thread: any. Never fails. */
AC_EXPORT unsigned ac_version(void) AC_NOEXCEPT;
/** The same as "MAJOR.MINOR.PATCH"; static storage. Thread: any. */
AC_EXPORT const char *ac_version_string(void) AC_NOEXCEPT;

/** Releases user data handed to the library; see "Callbacks" above. */
typedef void (*ac_free_fn)(void *ud);

/** @{ */
/** Opaque handles. All are reference counted. */
typedef struct ac_loop ac_loop;
typedef struct ac_future ac_future;
typedef struct ac_task ac_task;
/** A scheduled callback (asyncio's Handle / TimerHandle): what
 * ac_loop_call_soon, ac_loop_call_later and ac_loop_call_at hand out. */
typedef struct ac_call ac_call;
/** \deprecated The former name of ac_call (the same type): "handle" is
 * libuv's word for a long-lived loop object, not a scheduled callback. */
typedef ac_call ac_handle;
typedef struct ac_error ac_error;
/** @} */

/** @{ */
/** Memory handed across the boundary (bytes results, strings the caller
 * must free) is allocated with ac_alloc and freed with ac_free.
 * Thread: any. ac_alloc returns NULL when out of memory; ac_free(NULL) is a
 * no-op. */
AC_EXPORT void *ac_alloc(size_t size) AC_NOEXCEPT;
AC_EXPORT void ac_free(void *ptr) AC_NOEXCEPT;
/** @} */

/** @{ */
/** Small blocks from the runtime's own allocator: per-thread free lists by
 * size class, fresh blocks carved from slabs (what tasks and futures are
 * made of). For memory a host makes and frees at the runtime's rate, such
 * as the frames of its coroutines: the C++ face allocates every Task
 * coroutine frame here.
 * ac_free_small must be given the size given to ac_alloc_small. Thread:
 * any; a block may be freed on another thread than the one that
 * allocated it (it then serves that thread). Blocks above 1024 bytes, and
 * every block under AddressSanitizer, valgrind, on Windows or with the
 * environment variable ASYNCORE_POOL=0, come from malloc and go back to it.
 * ac_alloc_small returns NULL when out of memory (size 0 counts as 1);
 * ac_free_small(NULL, n) is a no-op. Never mix these with ac_alloc and
 * ac_free. */
AC_EXPORT void *ac_alloc_small(size_t size) AC_NOEXCEPT;
AC_EXPORT void ac_free_small(void *ptr, size_t size) AC_NOEXCEPT;

/** Gives back memory the runtime keeps for reuse. The small-block pool
 * keeps what tasks, futures and ac_alloc_small's callers free, so a
 * process holds its peak of such blocks (a burst of 200,000 tasks leaves
 * ~50 MB); ac_trim returns what it can: the calling thread's cached
 * blocks that came from malloc go back to malloc, and every slab of the
 * pool (64 KiB) whose blocks are all free — on the calling thread's lists,
 * or left by threads that exited — goes back to the system (its pages are
 * released; its address range is used again before new ones). Blocks
 * other live threads keep are theirs to give back, by calling ac_trim on
 * those threads. Returns the bytes given back (0 or more), or AC_ENOTSUP
 * where the runtime keeps nothing for reuse (every block is malloc's:
 * under AddressSanitizer or valgrind, on Windows, with ASYNCORE_POOL=0).
 * Thread: any. Call it when the host is idle, e.g. after a burst or when
 * a level is unloaded; its cost grows with the free blocks it walks. */
AC_EXPORT int64_t ac_trim(void) AC_NOEXCEPT;
/** @} */

#ifdef __cplusplus
}
#endif
#endif
