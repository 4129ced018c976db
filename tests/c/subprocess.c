#define _DEFAULT_SOURCE
/* subprocess.c — the process API on every system this builds for, Windows
 * included: the children are tests/c/child_helper.c, built beside this
 * test, so nothing here needs /bin/sh. Exit statuses, arguments with
 * spaces and quotes (Windows' command-line quoting), piped stdin and stdout
 * both ways with more bytes than a socket buffer holds, stderr into stdout,
 * DEVNULL, env and cwd, communicate, a request-and-answer dialogue, the
 * shell (/bin/sh or %COMSPEC%), a program not found, terminate (-SIGTERM on
 * POSIX, exit code 1 on Windows, as Python's Popen), unsupported signals on
 * Windows, and a loop closed under a running child. tests/c/process.c goes
 * further on POSIX (signals, zombies, descriptors counted). */
#include <stdio.h>
#include <string.h>

#ifdef _WIN32
#include <direct.h>
#include <windows.h>
#else
#include <sys/stat.h>
#endif

#include "proc_util.h"

static char helper[4096];

/* The helper sits beside this program: its path from ours. */
static void find_helper(const char *argv0) {
#ifdef _WIN32
  (void)argv0;
  DWORD n = GetModuleFileNameA(NULL, helper, sizeof helper);
  CHECK(n > 0 && n < sizeof helper);
  const char *name = "ac_child.exe";
#else
  /* Absolute: the children run in other directories too. */
  CHECK(realpath(argv0, helper) != NULL);
  const char *name = "ac_child";
#endif
  char *slash = NULL;
  for (char *p = helper; *p != '\0'; ++p)
    if (*p == '/' || *p == '\\') slash = p;
  size_t dir = slash != NULL ? (size_t)(slash - helper) + 1 : 0;
  CHECK(dir + strlen(name) < sizeof helper);
  if (dir == 0) {
    snprintf(helper, sizeof helper, "./%s", name);
  } else {
    memcpy(helper + dir, name, strlen(name) + 1);
  }
}

/* The helper with `args`, its stdio as given. */
static ac_process *run(ac_loop *loop, const char *const *args, int in, int out, int err) {
  const char *argv[16] = {helper};
  for (int i = 0; args[i] != NULL; ++i) argv[i + 1] = args[i];
  return start(loop, argv, in, out, err);
}

/* communicate() with `input`; returns the returncode, output in *out. */
static int communicate(ac_loop *loop, ac_process *p, const void *input, size_t n, ac_value *out,
                       ac_value *err) {
  ac_future *f = NULL;
  CHECK_RC(ac_process_communicate(p, input, n, &f), 0);
  CHECK_RC(net_wait(loop, f, 20), 0);
  int64_t code = -1000;
  CHECK_RC(ac_future_result_int64(f, &code), 0);
  ac_future_unref(f);
  CHECK_RC(ac_process_take_output(p, out, err), 0);
  return (int)code;
}

static void test_exit_statuses(void) {
  ac_loop *loop = net_loop();
  static const int codes[] = {0, 3, 255};
  for (int i = 0; i < 3; ++i) {
    char n[8];
    snprintf(n, sizeof n, "%d", codes[i]);
    const char *args[] = {"exit", n, NULL};
    ac_process *p = run(loop, args, AC_PROCESS_DEVNULL, AC_PROCESS_DEVNULL, AC_PROCESS_DEVNULL);
    CHECK(ac_process_pid(p) > 0);
    CHECK_INT(wait_code(loop, p), codes[i]);
    int code = -1;
    CHECK_INT(ac_process_returncode(p, &code), 1);
    CHECK_INT(code, codes[i]);
    ac_process_unref(p);
  }
  th_close(loop);
}

/* Arguments arrive as given: spaces, quotes, backslashes, an empty one. */
static void test_arguments_round_trip(void) {
  ac_loop *loop = net_loop();
  const char *args[] = {"echo", "a b", "say \"hi\"", "back\\slash\\", "", "end", NULL};
  ac_process *p = run(loop, args, AC_PROCESS_DEVNULL, AC_PROCESS_PIPE, AC_PROCESS_INHERIT);
  CHECK(ac_process_stdin(p) == NULL);
  CHECK(ac_process_stderr(p) == NULL);
  char line[128];
  NET_TEXT(loop, ac_stream_readline(ac_process_stdout(p), &nt_f_), line);
  CHECK_STR(line, "a b|say \"hi\"|back\\slash\\||end\n");
  NET_TEXT(loop, ac_stream_read(ac_process_stdout(p), 100, &nt_f_), line);
  CHECK_STR(line, "");
  CHECK_INT(wait_code(loop, p), 0);
  ac_process_unref(p);
  th_close(loop);
}

/* 1 MB through cat: writing and reading overlap (more than any socket
 * buffer), flow control on both sides, EOF passed on by write_eof. */
static void test_cat_both_ways(void) {
  ac_loop *loop = net_loop();
  const char *args[] = {"cat", NULL};
  ac_process *p = run(loop, args, AC_PROCESS_PIPE, AC_PROCESS_PIPE, AC_PROCESS_INHERIT);
  size_t n = 1000000;
  char *input = malloc(n);
  CHECK(input != NULL);
  for (size_t i = 0; i < n; ++i) input[i] = (char)(i * 7 + i / 1000);
  ac_value out, err;
  CHECK_INT(communicate(loop, p, input, n, &out, &err), 0);
  CHECK_INT(out.kind, AC_VALUE_BYTES);
  CHECK_INT(out.u.bytes.len, n);
  CHECK(memcmp(out.u.bytes.data, input, n) == 0);
  CHECK_INT(err.u.bytes.len, 0);
  ac_value_clear(&out);
  ac_value_clear(&err);
  free(input);
  ac_process_unref(p);
  th_close(loop);
}

/* A dialogue: a line written, its answer read, twice, then the exit. */
static void test_request_and_answer(void) {
  ac_loop *loop = net_loop();
  const char *args[] = {"ask", NULL};
  ac_process *p = run(loop, args, AC_PROCESS_PIPE, AC_PROCESS_PIPE, AC_PROCESS_INHERIT);
  ac_stream *in = ac_process_stdin(p), *out = ac_process_stdout(p);
  char text[96];
  CHECK_RC(ac_stream_write(in, "one\n", 4), 0);
  NET_TEXT(loop, ac_stream_readline(out, &nt_f_), text);
  CHECK_STR(text, "got one\n");
  CHECK_RC(ac_stream_write(in, "two\n", 4), 0);
  NET_TEXT(loop, ac_stream_readuntil(out, "w", 1, &nt_f_), text);
  CHECK_STR(text, "got tw");
  NET_TEXT(loop, ac_stream_readexactly(out, 2, &nt_f_), text);
  CHECK_STR(text, "o\n");
  CHECK_INT(wait_code(loop, p), 0);
  NET_TEXT(loop, ac_stream_read(out, 10, &nt_f_), text);
  CHECK_STR(text, "");
  ac_process_unref(p);
  th_close(loop);
}

/* stderr into stdout, stderr as a pipe of its own, stdout to DEVNULL. */
static void test_stdio_modes(void) {
  ac_loop *loop = net_loop();
  const char *both[] = {"both", NULL};
  ac_process *p = run(loop, both, AC_PROCESS_DEVNULL, AC_PROCESS_PIPE, AC_PROCESS_STDOUT);
  ac_value out, err;
  CHECK_INT(communicate(loop, p, NULL, 0, &out, &err), 0);
  CHECK_STR((const char *)out.u.bytes.data, "out\nerr\n");
  CHECK_INT(err.u.bytes.len, 0);
  ac_value_clear(&out);
  ac_value_clear(&err);
  ac_process_unref(p);

  p = run(loop, both, AC_PROCESS_DEVNULL, AC_PROCESS_PIPE, AC_PROCESS_PIPE);
  CHECK_INT(communicate(loop, p, NULL, 0, &out, &err), 0);
  CHECK_STR((const char *)out.u.bytes.data, "out\n");
  CHECK_STR((const char *)err.u.bytes.data, "err\n");
  ac_value_clear(&out);
  ac_value_clear(&err);
  ac_process_unref(p);

  /* DEVNULL stdin: cat sees EOF at once; DEVNULL stdout: no pipe. */
  const char *cat[] = {"cat", NULL};
  p = run(loop, cat, AC_PROCESS_DEVNULL, AC_PROCESS_PIPE, AC_PROCESS_INHERIT);
  CHECK_INT(communicate(loop, p, NULL, 0, &out, NULL), 0);
  CHECK_INT(out.u.bytes.len, 0);
  ac_value_clear(&out);
  ac_process_unref(p);
  const char *flood[] = {"flood", "5000", NULL};
  p = run(loop, flood, AC_PROCESS_DEVNULL, AC_PROCESS_DEVNULL, AC_PROCESS_INHERIT);
  CHECK(ac_process_stdout(p) == NULL);
  CHECK_INT(wait_code(loop, p), 0);
  ac_process_unref(p);
  th_close(loop);
}

/* A child that writes 3 MB and exits: every byte arrives, in order. */
static void test_flood(void) {
  ac_loop *loop = net_loop();
  const char *args[] = {"flood", "3000000", NULL};
  ac_process *p = run(loop, args, AC_PROCESS_DEVNULL, AC_PROCESS_PIPE, AC_PROCESS_INHERIT);
  ac_value out;
  CHECK_INT(communicate(loop, p, NULL, 0, &out, NULL), 0);
  CHECK_INT(out.u.bytes.len, 3000000);
  size_t bad = 0;
  for (size_t i = 0; i < out.u.bytes.len; ++i)
    bad += ((const char *)out.u.bytes.data)[i] != (char)('a' + i % 26);
  CHECK_INT(bad, 0);
  ac_value_clear(&out);
  ac_process_unref(p);
  th_close(loop);
}

/* The environment is exactly what is given; cwd is honoured. */
static void test_env_and_cwd(void) {
  ac_loop *loop = net_loop();
  static char want[8192];
  const char *env[] = {"AC_GREETING=hi there", NULL};
  ac_process_options o;
  ac_process_options_init(&o);
  o.stdout_mode = AC_PROCESS_PIPE;
  o.env = env;
  const char *argv[] = {helper, "env", "AC_GREETING", NULL};
  ac_process *p = NULL;
  CHECK_RC(ac_process_exec(loop, argv, &o, &p), 0);
  ac_value out;
  CHECK_INT(communicate(loop, p, NULL, 0, &out, NULL), 0);
  CHECK_STR((const char *)out.u.bytes.data, "hi there\n");
  ac_value_clear(&out);
  ac_process_unref(p);

  /* One of ours that was not given is not there. */
#ifdef _WIN32
  CHECK(_putenv("AC_PARENT_ONLY=1") == 0);
#else
  CHECK(setenv("AC_PARENT_ONLY", "1", 1) == 0);
#endif
  argv[2] = "AC_PARENT_ONLY";
  CHECK_RC(ac_process_exec(loop, argv, &o, &p), 0);
  CHECK_INT(communicate(loop, p, NULL, 0, &out, NULL), 0);
  CHECK_STR((const char *)out.u.bytes.data, "(unset)\n");
  ac_value_clear(&out);
  ac_process_unref(p);
  /* PATH: not given, so not there on POSIX; on Windows libuv adds the
   * variables a Windows program needs (PATH, SYSTEMROOT ...) from ours. */
  argv[2] = "PATH";
  CHECK_RC(ac_process_exec(loop, argv, &o, &p), 0);
  CHECK_INT(communicate(loop, p, NULL, 0, &out, NULL), 0);
#ifdef _WIN32
  snprintf(want, sizeof want, "%s\n", getenv("PATH"));
  CHECK_STR((const char *)out.u.bytes.data, want);
#else
  CHECK_STR((const char *)out.u.bytes.data, "(unset)\n");
#endif
  ac_value_clear(&out);
  ac_process_unref(p);

  /* cwd: a directory made here (named by our pid: the valgrind run of
   * this test may run beside it). */
  char dir[64];
#ifdef _WIN32
  snprintf(dir, sizeof dir, "ac-subprocess-%d", (int)GetCurrentProcessId());
  CHECK(_mkdir(dir) == 0);
#else
  snprintf(dir, sizeof dir, "ac-subprocess-%d", (int)getpid());
  CHECK(mkdir(dir, 0700) == 0);
#endif
  ac_process_options_init(&o);
  o.stdout_mode = AC_PROCESS_PIPE;
  o.cwd = dir;
  const char *cwd[] = {helper, "cwd", NULL};
  CHECK_RC(ac_process_exec(loop, cwd, &o, &p), 0);
  CHECK_INT(communicate(loop, p, NULL, 0, &out, NULL), 0);
  snprintf(want, sizeof want, "%s\n", dir);
  CHECK_STR((const char *)out.u.bytes.data, want);
  ac_value_clear(&out);
  ac_process_unref(p);
  CHECK(rmdir(dir) == 0);

  /* A cwd that does not exist: FileNotFoundError, no child. */
  o.cwd = "ac-subprocess-no-such-dir";
  p = NULL;
  CHECK_RC(ac_process_exec(loop, cwd, &o, &p), AC_ENOENT);
  CHECK(p == NULL);
  th_close(loop);
}

/* The system's shell: /bin/sh -c on POSIX, %COMSPEC% /c on Windows. */
static void test_shell(void) {
  ac_loop *loop = net_loop();
  ac_process_options o;
  ac_process_options_init(&o);
  o.stdin_mode = AC_PROCESS_DEVNULL;
  o.stdout_mode = AC_PROCESS_PIPE;
  ac_process *p = NULL;
  CHECK_RC(ac_process_shell(loop, "echo shell says hi", &o, &p), 0);
  ac_value out;
  CHECK_INT(communicate(loop, p, NULL, 0, &out, NULL), 0);
#ifdef _WIN32
  CHECK_STR((const char *)out.u.bytes.data, "shell says hi\r\n");
#else
  CHECK_STR((const char *)out.u.bytes.data, "shell says hi\n");
#endif
  ac_value_clear(&out);
  ac_process_unref(p);
  CHECK_RC(ac_process_shell(loop, "exit 7", &o, &p), 0);
  CHECK_INT(wait_code(loop, p), 7);
  ac_process_unref(p);
  th_close(loop);
}

static void test_not_found(void) {
  ac_loop *loop = net_loop();
  const char *argv[] = {"ac-no-such-program-anywhere", NULL};
  ac_process *p = NULL;
  CHECK_RC(ac_process_exec(loop, argv, NULL, &p), AC_ENOENT);
  CHECK(p == NULL);
  CHECK_STR(ac_err_class(AC_ENOENT), "FileNotFoundError");
  th_close(loop);
}

/* terminate(): POSIX reports -SIGTERM; Windows ends the child with exit
 * code 1 (TerminateProcess), which is its returncode, as Python's Popen. A
 * second terminate after the exit does nothing. */
static void test_terminate(void) {
  ac_loop *loop = net_loop();
  const char *args[] = {"sleep", NULL};
  ac_process *p = run(loop, args, AC_PROCESS_DEVNULL, AC_PROCESS_PIPE, AC_PROCESS_INHERIT);
  int code = -1;
  CHECK_INT(ac_process_returncode(p, &code), 0);
  CHECK_RC(ac_process_terminate(p), 0);
#ifdef _WIN32
  CHECK_INT(wait_code(loop, p), 1);
  /* Windows sends only SIGTERM, SIGKILL and SIGINT (and 0). */
  CHECK_RC(ac_process_send_signal(p, 0), 0);
#else
  CHECK_INT(wait_code(loop, p), -SIGTERM);
#endif
  char text[96];
  NET_TEXT(loop, ac_stream_read(ac_process_stdout(p), 10, &nt_f_), text);
  CHECK_STR(text, ""); /* EOF: the child's end went with it */
  CHECK_RC(ac_process_terminate(p), 0);
  CHECK_RC(ac_process_kill(p), 0);
  ac_process_unref(p);
#ifdef _WIN32
  p = run(loop, args, AC_PROCESS_DEVNULL, AC_PROCESS_DEVNULL, AC_PROCESS_INHERIT);
  CHECK_RC(ac_process_send_signal(p, SIGSEGV), AC_ENOTSUP);
  CHECK_RC(ac_process_kill(p), 0);
  CHECK_INT(wait_code(loop, p), 1);
  ac_process_unref(p);
#endif
  th_close(loop);
}

/* A loop closed under a running child kills it and fails the waiter. */
static void test_loop_close_kills(void) {
  ac_loop *loop = net_loop();
  const char *args[] = {"sleep", NULL};
  ac_process *p = run(loop, args, AC_PROCESS_DEVNULL, AC_PROCESS_DEVNULL, AC_PROCESS_INHERIT);
  ac_future *f = NULL;
  CHECK_RC(ac_process_wait(p, &f), 0);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_INT(ac_future_done(f), 1);
  int64_t unused = 0;
  CHECK_RC(ac_future_result_int64(f, &unused), AC_ECLOSED);
  ac_future_unref(f);
  int code = 0;
  CHECK_INT(ac_process_returncode(p, &code), 1);
#ifdef _WIN32
  CHECK_INT(code, 1);
#else
  CHECK_INT(code, -SIGKILL);
#endif
  ac_process_unref(p);
  ac_loop_unref(loop);
}

/* Thirty children one after another, each with three pipes. */
static void test_many_children(void) {
  ac_loop *loop = net_loop();
  for (int i = 0; i < 30; ++i) {
    char n[8];
    snprintf(n, sizeof n, "%d", i);
    const char *args[] = {"echo", n, NULL};
    ac_process *p = run(loop, args, AC_PROCESS_PIPE, AC_PROCESS_PIPE, AC_PROCESS_PIPE);
    ac_value out, err;
    CHECK_INT(communicate(loop, p, NULL, 0, &out, &err), 0);
    char want[16];
    snprintf(want, sizeof want, "%d\n", i);
    CHECK_STR((const char *)out.u.bytes.data, want);
    ac_value_clear(&out);
    ac_value_clear(&err);
    ac_process_unref(p);
  }
  th_close(loop);
}

int main(int argc, char **argv) {
  (void)argc;
  find_helper(argv[0]);
  RUN(test_exit_statuses);
  RUN(test_arguments_round_trip);
  RUN(test_cat_both_ways);
  RUN(test_request_and_answer);
  RUN(test_stdio_modes);
  RUN(test_flood);
  RUN(test_env_and_cwd);
  RUN(test_shell);
  RUN(test_not_found);
  RUN(test_terminate);
  RUN(test_loop_close_kills);
  RUN(test_many_children);
  return th_finish();
}
