/**
 * \file
 * asyncore/error.h — error codes and the rich error object.
 *
 * Every failing call returns a negative code. Codes for operating-system
 * conditions are the negated errno values (as libuv's are on Unix), so any
 * code libuv reports passes through unchanged. Codes that only this library
 * produces live below -10000 and never collide with an errno.
 *
 * A failed future carries an ac_error: the code plus a message, an optional
 * cause (the error that led to this one), optional children (the failures
 * of a task group), and an optional host payload (a binding's own error
 * object, kept alive and released with the error).
 *
 * Stability: stable (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_ERROR_H
#define ASYNCORE_ERROR_H

#include <errno.h>
#include "common.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

/** X-macro table of the codes this library names: (NAME, value, message).
 * Append only; values never change. */
#define AC_ERRNO_MAP(XX)                                                      \
  XX(CANCELLED, -10001, "operation cancelled")                               \
  XX(STATE, -10002, "invalid state")                                         \
  XX(WRONGTHREAD, -10003, "called from a thread that does not own the loop") \
  XX(CLOSED, -10004, "object is closed")                                     \
  XX(RUNNING, -10005, "event loop is already running")                       \
  XX(STOPPED, -10006, "event loop stopped before the future completed")      \
  XX(GROUP, -10007, "one or more tasks of a group failed")                   \
  XX(HOST, -10008, "error raised by host code")                              \
  XX(EMPTY, -10009, "queue is empty")                                        \
  XX(FULL, -10010, "queue is full")                                          \
  XX(SHUTDOWN, -10011, "queue is shut down")                                 \
  XX(BROKEN, -10012, "barrier is broken")                                    \
  XX(INCOMPLETE, -10013, "end of stream before the expected data")           \
  XX(LIMIT, -10014, "buffer limit exceeded")                                 \
  XX(INTERNAL, -10015, "internal error")                                    \
  XX(MISUSE, -10016, "operation not valid in the object's current state")   \
  XX(TLS, -10017, "TLS protocol error")                                      \
  XX(TLSVERIFY, -10018, "TLS certificate verification failed")

/** The codes this library names (see the top of this file): negated
 * errno values, resolver errors (getaddrinfo's EAI_*, with libuv's values)
 * and the codes of this library (AC_E*, from AC_ERRNO_MAP). */
typedef enum ac_errno {
  AC_OK = 0,
  /* Operating-system conditions: the negated errno on POSIX systems; on
   * Windows libuv's own values for the same conditions (its UV_E* codes
   * there are fixed numbers, not the C runtime's errno), so a code libuv
   * reports passes through unchanged on every platform. */
#ifdef _WIN32
  AC_EINVAL = -4071,
  AC_ENOMEM = -4057,
  AC_ETIMEDOUT = -4039,
  AC_EAGAIN = -4088,
  AC_EBADF = -4083,
  AC_ENOENT = -4058,
  AC_EEXIST = -4075,
  AC_EPIPE = -4047,
  AC_ECONNREFUSED = -4078,
  AC_ECONNRESET = -4077,
  AC_EADDRINUSE = -4091,
  AC_EMFILE = -4066,
  AC_ENOSPC = -4055,
  AC_ENOTSUP = -4049,
#else
  AC_EINVAL = -EINVAL,
  AC_ENOMEM = -ENOMEM,
  AC_ETIMEDOUT = -ETIMEDOUT,
  AC_EAGAIN = -EAGAIN,
  AC_EBADF = -EBADF,
  AC_ENOENT = -ENOENT,
  AC_EEXIST = -EEXIST,
  AC_EPIPE = -EPIPE,
  AC_ECONNREFUSED = -ECONNREFUSED,
  AC_ECONNRESET = -ECONNRESET,
  AC_EADDRINUSE = -EADDRINUSE,
  AC_EMFILE = -EMFILE,
  AC_ENOSPC = -ENOSPC,
  AC_ENOTSUP = -ENOTSUP,
#endif
  AC_EOF = -4095, /**< end of file, as libuv's UV_EOF */
  /* Resolver errors (getaddrinfo's EAI_*, asyncio's socket.gaierror), with
   * libuv's values; ac_err_name gives "EAI_NONAME" and so on. */
  AC_EAI_ADDRFAMILY = -3000,
  AC_EAI_AGAIN = -3001,
  AC_EAI_BADFLAGS = -3002,
  AC_EAI_CANCELED = -3003,
  AC_EAI_FAIL = -3004,
  AC_EAI_FAMILY = -3005,
  AC_EAI_MEMORY = -3006,
  AC_EAI_NODATA = -3007,
  AC_EAI_NONAME = -3008,
  AC_EAI_OVERFLOW = -3009,
  AC_EAI_SERVICE = -3010,
  AC_EAI_SOCKTYPE = -3011,
  AC_EAI_BADHINTS = -3013,
  AC_EAI_PROTOCOL = -3014,
  /* Conditions of this library. */
#define AC_XX_(name, value, msg) AC_E##name = value,
  AC_ERRNO_MAP(AC_XX_)
#undef AC_XX_
  AC_ERRNO_LAST_ = -10019
} ac_errno;

/** A short English description of `code` (static storage, never NULL; an
 * unknown code gives "unknown error"). Thread: any. */
AC_EXPORT const char *ac_strerror(int code) AC_NOEXCEPT;
/** The code's name, e.g. "AC_ECANCELLED", "ECONNRESET" (static storage,
 * never NULL; unknown: "UNKNOWN"). Thread: any. */
AC_EXPORT const char *ac_err_name(int code) AC_NOEXCEPT;

/** The class of the exception asyncio raises for the condition `code`
 * names, so every binding can raise (and every program print) the same
 * class: "CancelledError", "TimeoutError", "InvalidStateError"
 * (AC_ESTATE: a future already done, a result not ready), "RuntimeError"
 * (AC_EMISUSE, AC_ECLOSED, AC_ERUNNING, AC_EWRONGTHREAD, AC_ESTOPPED,
 * AC_EINTERNAL), "ValueError" (AC_EINVAL), "QueueEmpty", "QueueFull",
 * "QueueShutDown", "BrokenBarrierError", "ExceptionGroup" (AC_EGROUP),
 * "IncompleteReadError", "LimitOverrunError", "Exception" (AC_EHOST),
 * "SSLError" (AC_ETLS), "SSLCertVerificationError" (AC_ETLSVERIFY), and
 * for an OS condition Python's OSError subclass for that errno
 * ("ConnectionResetError", "BrokenPipeError", "FileNotFoundError" …),
 * "gaierror" for a resolver error (UV_EAI_*), else "OSError". Static
 * storage, never NULL. Thread: any. */
AC_EXPORT const char *ac_err_class(int code) AC_NOEXCEPT;

/** Why the last call on this thread that returned `code` failed, in
 * asyncio's words where asyncio has some ("Lock is not acquired.",
 * "task_done() called too many times"), else ac_strerror(code). Pass the
 * code the call returned; the answer describes the most recent failure on
 * this thread that recorded a reason, when its code is the same. Static
 * storage. Thread: any (each thread has its own). */
AC_EXPORT const char *ac_last_error_message(int code) AC_NOEXCEPT;

/** Broad families of errors, derived from the code. */
typedef enum ac_error_kind {
  AC_ERROR_KIND_OS = 1,        /**< an errno or libuv condition */
  AC_ERROR_KIND_CANCELLED = 2, /**< AC_ECANCELLED */
  AC_ERROR_KIND_TIMEOUT = 3,   /**< AC_ETIMEDOUT */
  AC_ERROR_KIND_USAGE = 4,     /**< invalid argument/state/thread, closed, running */
  AC_ERROR_KIND_GROUP = 5,     /**< AC_EGROUP: see the children */
  AC_ERROR_KIND_HOST = 6,      /**< AC_EHOST: a host language's own error */
  AC_ERROR_KIND_RUNTIME = 7    /**< any other code of this library */
} ac_error_kind;

/** Creates an error with `code` (negative), `message` (copied; NULL means
 * ac_strerror(code)) and an optional `cause` (a new reference is taken).
 * Thread: any. Errors: AC_EINVAL (code >= 0 or out NULL), AC_ENOMEM. */
AC_EXPORT int ac_error_new(int code, const char *message, ac_error *cause,
                           ac_error **out) AC_NOEXCEPT;
/** @{ */
/** Reference counting; thread: any (atomic). ref returns its argument;
 * both accept NULL. */
AC_EXPORT ac_error *ac_error_ref(ac_error *err) AC_NOEXCEPT;
AC_EXPORT void ac_error_unref(ac_error *err) AC_NOEXCEPT;
/** @} */

/** @{ */
/** Accessors; thread: any; NULL err gives 0 / NULL. Strings and the cause
 * are borrowed from the error. */
AC_EXPORT int ac_error_code(const ac_error *err) AC_NOEXCEPT;
AC_EXPORT ac_error_kind ac_error_get_kind(const ac_error *err) AC_NOEXCEPT;
AC_EXPORT const char *ac_error_message(const ac_error *err) AC_NOEXCEPT;
AC_EXPORT ac_error *ac_error_cause(const ac_error *err) AC_NOEXCEPT;
/** @} */

/** @{ */
/** Children (the failures a group error aggregates), in the order added.
 * ac_error_child returns a borrowed pointer or NULL past the end. */
AC_EXPORT int64_t ac_error_child_count(const ac_error *err) AC_NOEXCEPT;
AC_EXPORT ac_error *ac_error_child(const ac_error *err, size_t index) AC_NOEXCEPT;
/** @} */
/** Appends `child` (a new reference is taken). Only while the error is not
 * yet shared: call it before handing the error to a future.
 * Errors: AC_EINVAL (NULL argument, or a cycle: child is err itself, or err
 * is among child's children or causes at any depth), AC_ENOMEM. So the
 * children and causes of an error never lead back to it. */
AC_EXPORT int ac_error_add_child(ac_error *err, ac_error *child) AC_NOEXCEPT;

/** @{ */
/** A host payload: a binding's own error object. The error takes ownership
 * of `payload` (its pointer destructor runs when the error is freed, or at
 * once when replaced); `payload` is required (a NONE value removes it).
 * ac_error_payload gives a borrowed view; kind NONE when there is none.
 * Errors: AC_EINVAL (NULL err or payload, malformed value). */
AC_EXPORT int ac_error_set_payload(ac_error *err, const ac_value *payload) AC_NOEXCEPT;
AC_EXPORT int ac_error_payload(const ac_error *err, ac_value *out) AC_NOEXCEPT;
/** @} */

/** Writes a readable rendering of the error, its cause chain and children
 * (indented) to a new string the caller frees with ac_free. Thread: any.
 * Like Python's traceback for exception groups, it shows at most 15
 * children of an error, then a line "and N more exceptions" (CPython's
 * max_group_width), and replaces an error with children nested more than
 * 10 groups deep by "... (max_group_depth is 10)" (max_group_depth). It
 * renders at most 1000 errors in all, then says the output was truncated.
 * Returns NULL when out of memory or err is NULL. */
AC_EXPORT char *ac_error_format(const ac_error *err) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
