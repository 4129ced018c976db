/**
 * \file
 * asyncore/process.h — child processes (asyncio's create_subprocess_exec,
 * create_subprocess_shell and asyncio.subprocess.Process).
 *
 * A child is started with ac_process_exec (an argument vector, the program
 * looked up in PATH as execvp does) or ac_process_shell (a command line for
 * /bin/sh -c; on Windows for %COMSPEC% /c, as Python's shell=True).
 * Each of its standard streams is inherited, connected to
 * /dev/null, to a descriptor of the caller, or to a pipe; stderr can also go
 * where stdout goes. A pipe is an ordinary ac_stream (stream.h: readline,
 * readexactly, readuntil, write, drain, write_eof …) over one end of a
 * Unix socket pair whose other end the child holds, as libuv does (on
 * Windows a loopback TCP connection: a child reads and writes it as it
 * would a pipe).
 *
 * The child is reaped by the loop (libuv's SIGCHLD handling) as soon as it
 * exits, whether or not anyone waits: no zombie stays behind. Its
 * returncode is its exit status, or minus the signal number that ended it
 * (asyncio's -N). On Windows, where terminate and kill end the child with
 * exit code 1 (TerminateProcess), the returncode is that code, as Python's
 * Popen reports there. Waiting, cancelling a wait or a communicate, and dropping
 * the last reference never signal the child: it runs on until it exits.
 * Closing the loop while a child still runs kills it with SIGKILL and reaps
 * it (asyncio's transport close), so a loop never leaves a child behind.
 *
 * Threads: loop thread only. Futures complete through the loop.
 *
 * Stability: experimental (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_PROCESS_H
#define ASYNCORE_PROCESS_H

#include "common.h"
#include "error.h"
#include "future.h"
#include "stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A child process started by this library; reference counted. */
typedef struct ac_process ac_process;

/** @{ */
/** What a standard stream of the child is connected to (asyncio's
 * subprocess.PIPE, STDOUT, DEVNULL, and None for inherit). A value >= 0 is
 * a descriptor of the caller, which the child receives as a copy (the
 * caller keeps and closes its own). */
#define AC_PROCESS_PIPE (-1)
#define AC_PROCESS_STDOUT (-2) /**< stderr only: where stdout goes */
#define AC_PROCESS_DEVNULL (-3)
#define AC_PROCESS_INHERIT (-4)
/** @} */

/** How to start a child. Fill it with ac_process_options_init first (every
 * stream inherited, environment and directory the parent's), then set what
 * differs. */
typedef struct ac_process_options {
  /** AC_PROCESS_* or a descriptor >= 0, for the child's 0, 1 and 2. */
  int stdin_mode;
  int stdout_mode; /**< as stdin_mode, for the child's 1 */
  int stderr_mode; /**< as stdin_mode, for the child's 2; AC_PROCESS_STDOUT merges */
  /** NULL: the parent's environment. Else a NULL-terminated list of
   * "NAME=value" strings that is the child's whole environment. Copied. */
  const char *const *env;
  /** NULL: the parent's working directory. Else the child's. */
  const char *cwd;
} ac_process_options;

/** Sets every field of `o` to its default. Thread: any. */
AC_EXPORT void ac_process_options_init(ac_process_options *o) AC_NOEXCEPT;

/** Starts argv[0] with the arguments argv (NULL-terminated, argv[0]
 * included; argv[0] without '/' is looked up in PATH). `options` may be
 * NULL (all defaults). The child has started when this returns; *out gets
 * a new reference.
 * Errors (nothing is left open then, no child runs): AC_EINVAL (NULL or
 * empty argv, a bad mode, stdin_mode AC_PROCESS_STDOUT), AC_ENOENT (no such
 * program or cwd: asyncio's FileNotFoundError), -EACCES (not executable:
 * PermissionError), AC_EMFILE, AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_process_exec(ac_loop *loop, const char *const *argv,
                              const ac_process_options *options,
                              ac_process **out) AC_NOEXCEPT;
/** Runs `command` with /bin/sh -c (asyncio's create_subprocess_shell); on
 * Windows %COMSPEC% /c "command" (cmd.exe when COMSPEC is not set).
 * Errors as ac_process_exec. */
AC_EXPORT int ac_process_shell(ac_loop *loop, const char *command,
                               const ac_process_options *options,
                               ac_process **out) AC_NOEXCEPT;

/** @{ */
/** Reference counting (loop thread); both accept NULL. Dropping the last
 * reference closes the process's pipes (unless the caller holds the
 * streams) but does not signal the child; it is still reaped when it
 * exits. */
AC_EXPORT ac_process *ac_process_ref(ac_process *p) AC_NOEXCEPT;
AC_EXPORT void ac_process_unref(ac_process *p) AC_NOEXCEPT;
/** @} */
/** The process's loop (borrowed), NULL for NULL. */
AC_EXPORT ac_loop *ac_process_get_loop(const ac_process *p) AC_NOEXCEPT;

/** The child's process id (> 0; it stays readable after the child exited).
 * Errors: AC_EINVAL. */
AC_EXPORT int ac_process_pid(const ac_process *p) AC_NOEXCEPT;
/** asyncio's returncode: 1 and *code set once the child has exited (its
 * status, or -N when signal N ended it), 0 while it runs (*code untouched).
 * Errors: AC_EINVAL. */
AC_EXPORT int ac_process_returncode(const ac_process *p, int *code) AC_NOEXCEPT;

/** @{ */
/** The parent's end of a pipe (borrowed; take a reference with
 * ac_stream_ref to keep it past the process), or NULL when that stream is
 * not AC_PROCESS_PIPE. stdin is for writing (write_eof or close to give
 * the child EOF); stdout and stderr for reading. */
AC_EXPORT ac_stream *ac_process_stdin(const ac_process *p) AC_NOEXCEPT;
AC_EXPORT ac_stream *ac_process_stdout(const ac_process *p) AC_NOEXCEPT;
AC_EXPORT ac_stream *ac_process_stderr(const ac_process *p) AC_NOEXCEPT;
/** @} */

/** A future that completes with the returncode (AC_VALUE_INT64) once the
 * child exited (at once, through the loop, if it has). Cancelling it does
 * not touch the child. Errors: AC_EINVAL, AC_ECLOSED, AC_ENOMEM. A loop
 * closing with the child running fails it with AC_ECLOSED. */
AC_EXPORT int ac_process_wait(ac_process *p, ac_future **out) AC_NOEXCEPT;

/** asyncio's communicate(input): writes `len` bytes of `input` (copied; may
 * be NULL with len 0) to stdin, then closes stdin (a child that exits
 * without reading gives no error: EPIPE and ECONNRESET are ignored as
 * asyncio does); reads stdout and stderr to EOF; waits for the child. The
 * future completes with the returncode (AC_VALUE_INT64); the output is then
 * taken with ac_process_take_output. With input and no stdin pipe, or
 * output wanted from a stream that is not a pipe, nothing is written / the
 * output is empty. Use a timeout scope (timeout.h) around the await for a
 * time limit: cancelling the future stops reading and waiting but leaves
 * the bytes read so far in the streams and the child running.
 * Errors: AC_EINVAL, AC_ESTATE (a communicate is already running),
 * AC_ECLOSED, AC_ENOMEM. */
AC_EXPORT int ac_process_communicate(ac_process *p, const void *input, size_t len,
                                     ac_future **out) AC_NOEXCEPT;
/** Moves out what the last completed communicate read: AC_VALUE_BYTES
 * values (empty when none) into `out` and `err` (either may be NULL);
 * ac_value_clear them. Errors: AC_EINVAL, AC_ESTATE (no completed
 * communicate holds output). */
AC_EXPORT int ac_process_take_output(ac_process *p, ac_value *out,
                                     ac_value *err) AC_NOEXCEPT;

/** @{ */
/** Sends signal `sig` to the child (send_signal), SIGTERM (terminate) or
 * SIGKILL (kill). Once the child has exited these do nothing and return 0
 * (its pid may belong to another process by then), as Python's Popen.
 * Windows has no signals: SIGTERM, SIGKILL and SIGINT end the child (exit
 * code 1), 0 checks that it runs, anything else is AC_ENOTSUP.
 * Errors: AC_EINVAL (bad signal number), AC_ENOTSUP, OS errors. */
AC_EXPORT int ac_process_send_signal(ac_process *p, int sig) AC_NOEXCEPT;
AC_EXPORT int ac_process_terminate(ac_process *p) AC_NOEXCEPT;
AC_EXPORT int ac_process_kill(ac_process *p) AC_NOEXCEPT;
/** @} */

#ifdef __cplusplus
}
#endif
#endif
