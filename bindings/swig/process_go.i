/*
 * process_go.i — the Go part of the interface for child processes,
 * signals, pipes and terminals (process.h, signal.h, pipe.h). Included by
 * bindings/go/go.i, so only SWIG's Go run reads it.
 *
 * The headers are read as they are, except for what takes a C struct of
 * strings (ac_process_options, argument and environment vectors) and what
 * fills ac_value out-parameters: the small helpers below take them in the
 * shapes the Go typemaps already know (byte slices, handle and string
 * out-parameters), so that the Go layer (process.go) makes one crossing
 * per operation.
 */

%{
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
%}

AC_HANDLE_OUT(ac_process)

/* A list of strings for a helper: each one NUL-terminated, one after the
 * other, in a Go []byte. */
%typemap(gotype) (const void *argv_buf, size_t argv_len), (const void *env_buf, size_t env_len) "[]byte"
%typemap(in) (const void *argv_buf, size_t argv_len), (const void *env_buf, size_t env_len)
%{
  $1 = ($1_ltype)$input.array;
  $2 = (size_t)$input.len;
%}
/* Bytes handed out by a helper: the address of a malloc'd copy (freed by
 * the Go side) and its length. */
%typemap(gotype) char **out_bytes, char **err_bytes "*uintptr"
%typemap(gotype) int64_t *out_len, int64_t *err_len "*int64"
/* A terminal's size, a returncode: C ints. */
%typemap(gotype) int *columns, int *rows, int *code "*int32"
/* communicate's input: a Go []byte (copied by the library). */
%typemap(gotype) (const void *input, size_t len) "[]byte"
%typemap(in) (const void *input, size_t len)
%{
  $1 = ($1_ltype)$input.array;
  $2 = (size_t)$input.len;
%}

%nodefaultctor;
%nodefaultdtor;
struct ac_process {};
%clearnodefaultctor;
%clearnodefaultdtor;

%ignore ac_process_options;
%ignore ac_process_options_init;
%ignore ac_process_exec;
%ignore ac_process_shell;
%ignore ac_process_take_output;
%include "asyncore/process.h"
%include "asyncore/signal.h"
%include "asyncore/pipe.h"

%{
/* Splits a list of NUL-terminated strings into a NULL-terminated vector
 * (malloc'd; the strings stay in buf). NULL when out of memory. */
static const char **acgo_split_strings(const char *buf, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; ++i)
    if (buf[i] == '\0') ++n;
  const char **v = (const char **)malloc((n + 1) * sizeof *v);
  if (v == NULL) return NULL;
  size_t k = 0, start = 0;
  for (size_t i = 0; i < len; ++i) {
    if (buf[i] == '\0') {
      v[k++] = buf + start;
      start = i + 1;
    }
  }
  v[k] = NULL;
  return v;
}
%}

%{
int acgo_signal_onstack(int sig);
%}

%inline %{
/* ac_process_exec (shell 0: argv_buf holds the argument vector) or
 * ac_process_shell (shell 1: argv_buf holds the command line). With
 * use_env 0 the child gets the parent's environment; else env_buf is its
 * whole environment ("NAME=value" strings). dir "" means the parent's
 * working directory. */
int acgo_process_spawn(ac_loop *loop, int shell, const void *argv_buf, size_t argv_len,
                       int use_env, const void *env_buf, size_t env_len, const char *dir,
                       int stdin_mode, int stdout_mode, int stderr_mode, ac_process **out) {
  ac_process_options o;
  ac_process_options_init(&o);
  o.stdin_mode = stdin_mode;
  o.stdout_mode = stdout_mode;
  o.stderr_mode = stderr_mode;
  o.cwd = (dir != NULL && dir[0] != '\0') ? dir : NULL;
  const char **argv = acgo_split_strings((const char *)argv_buf, argv_len);
  const char **env = NULL;
  if (argv == NULL) return AC_ENOMEM;
  if (use_env) {
    env = acgo_split_strings((const char *)env_buf, env_len);
    if (env == NULL) {
      free(argv);
      return AC_ENOMEM;
    }
    o.env = env;
  }
  int rc;
  if (shell)
    rc = argv[0] == NULL ? AC_EINVAL : ac_process_shell(loop, argv[0], &o, out);
  else
    rc = ac_process_exec(loop, argv, &o, out);
  free(argv);
  free(env);
  /* libuv watches SIGCHLD from a loop's first child on: give its handler
   * the signal stack at once, before this child (or any other) can end. */
  if (rc == 0) acgo_signal_onstack(SIGCHLD);
  return rc;
}

/* ac_process_take_output with each output as a malloc'd copy (NULL when
 * empty) and its length. */
int acgo_process_take_output(ac_process *p, char **out_bytes, int64_t *out_len,
                             char **err_bytes, int64_t *err_len) {
  ac_value o, e;
  int rc = ac_process_take_output(p, &o, &e);
  if (rc < 0) return rc;
  ac_value *vals[2] = {&o, &e};
  char **bufs[2] = {out_bytes, err_bytes};
  int64_t *lens[2] = {out_len, err_len};
  for (int i = 0; i < 2; ++i) {
    *bufs[i] = NULL;
    *lens[i] = 0;
    if (vals[i]->kind == AC_VALUE_BYTES && vals[i]->u.bytes.len > 0) {
      *bufs[i] = (char *)malloc(vals[i]->u.bytes.len);
      if (*bufs[i] == NULL) {
        rc = AC_ENOMEM;
      } else {
        memcpy(*bufs[i], vals[i]->u.bytes.data, vals[i]->u.bytes.len);
        *lens[i] = (int64_t)vals[i]->u.bytes.len;
      }
    }
  }
  ac_value_clear(&o);
  ac_value_clear(&e);
  if (rc < 0) {
    free(*out_bytes);
    free(*err_bytes);
    *out_bytes = *err_bytes = NULL;
  }
  return rc;
}

/* The Go runtime gives every thread an alternate signal stack and needs
 * every handler to run on it (SA_ONSTACK): a handler that runs on a
 * goroutine's small stack may overflow it. libuv installs its handlers
 * (SIGCHLD for children, the signals watched) without the flag; this adds
 * it to the handler in place for `sig`: 1 when it did, 0 when there was
 * nothing to do, a negative errno. */
int acgo_signal_onstack(int sig) {
  struct sigaction sa;
  if (sigaction(sig, NULL, &sa) != 0) return -errno;
  if (sa.sa_handler == SIG_DFL || sa.sa_handler == SIG_IGN || (sa.sa_flags & SA_ONSTACK) != 0)
    return 0;
  sa.sa_flags |= SA_ONSTACK;
  return sigaction(sig, &sa, NULL) == 0 ? 1 : -errno;
}
%}
