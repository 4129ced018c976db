#define _GNU_SOURCE
/* process.c — ac_process: exec and shell, argv/env/cwd, each standard
 * stream as PIPE / DEVNULL / inherit / a descriptor / stderr into stdout,
 * the pipes as streams, wait and returncode (-N for signal N), communicate
 * (and cancelling it), signals, a binary not found, a thousand short-lived
 * children (zombies and descriptors counted), a python3 child that floods
 * stdout, never reads stdin and ignores SIGTERM, a loop closed under a
 * running child. Real processes throughout. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "proc_util.h"

/* Open descriptors of this process. */
static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (d == NULL) return -1;
  int n = 0;
  while (readdir(d) != NULL) ++n;
  closedir(d);
  return n;
}

/* 1 when this process has no child left at all (running or zombie). */
static int no_children(void) {
  return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

static void test_exec_reads_output(void) {
  int fds_before = count_fds();
  ac_loop *loop = net_loop();
  const char *argv[] = {"echo", "hello", "world", NULL};
  ac_process *p = start(loop, argv, AC_PROCESS_INHERIT, AC_PROCESS_PIPE, AC_PROCESS_INHERIT);
  CHECK(ac_process_pid(p) > 0);
  CHECK(ac_process_stdin(p) == NULL);
  CHECK(ac_process_stderr(p) == NULL);
  char line[96];
  NET_TEXT(loop, ac_stream_readline(ac_process_stdout(p), &nt_f_), line);
  CHECK_STR(line, "hello world\n");
  NET_TEXT(loop, ac_stream_read(ac_process_stdout(p), 100, &nt_f_), line);
  CHECK_STR(line, "");
  CHECK_INT(wait_code(loop, p), 0);
  int code = -1;
  CHECK_INT(ac_process_returncode(p, &code), 1);
  CHECK_INT(code, 0);
  ac_process_unref(p);
  th_close(loop);
  CHECK_INT(count_fds(), fds_before);
  CHECK(no_children());
}

static void test_shell_exit_status_and_stdin(void) {
  ac_loop *loop = net_loop();
  ac_process *p = shell(loop, "read a; read b; echo \"$b,$a\"; exit 3", AC_PROCESS_PIPE,
                        AC_PROCESS_PIPE, AC_PROCESS_INHERIT);
  int code = -1;
  CHECK_INT(ac_process_returncode(p, &code), 0); /* still running */
  ac_stream *in = ac_process_stdin(p);
  CHECK_RC(ac_stream_write(in, "one\ntwo\n", 8), 0);
  ac_future *d = NULL;
  CHECK_RC(ac_stream_drain(in, &d), 0);
  CHECK_RC(net_wait(loop, d, 5), 0);
  ac_future_unref(d);
  char text[96];
  NET_TEXT(loop, ac_stream_readuntil(ac_process_stdout(p), ",", 1, &nt_f_), text);
  CHECK_STR(text, "two,");
  NET_TEXT(loop, ac_stream_readexactly(ac_process_stdout(p), 4, &nt_f_), text);
  CHECK_STR(text, "one\n");
  CHECK_INT(wait_code(loop, p), 3);
  ac_process_unref(p);
  th_close(loop);
}

static void test_cat_echoes_until_eof(void) {
  ac_loop *loop = net_loop();
  const char *argv[] = {"cat", NULL};
  ac_process *p = start(loop, argv, AC_PROCESS_PIPE, AC_PROCESS_PIPE, AC_PROCESS_INHERIT);
  ac_stream *in = ac_process_stdin(p), *out = ac_process_stdout(p);
  CHECK_RC(ac_stream_write(in, "abc\ndef\n", 8), 0);
  CHECK_RC(ac_stream_write_eof(in), 0);
  char text[96];
  NET_TEXT(loop, ac_stream_readline(out, &nt_f_), text);
  CHECK_STR(text, "abc\n");
  NET_TEXT(loop, ac_stream_readline(out, &nt_f_), text);
  CHECK_STR(text, "def\n");
  NET_TEXT(loop, ac_stream_readline(out, &nt_f_), text);
  CHECK_STR(text, "");
  CHECK_INT(ac_stream_at_eof(out), 1);
  CHECK_INT(wait_code(loop, p), 0);
  ac_process_unref(p);
  th_close(loop);
}

/* communicate(): input in, both outputs out, the returncode. */
static void test_communicate(void) {
  ac_loop *loop = net_loop();
  ac_process *p = shell(loop, "tr a-z A-Z; echo oops >&2; exit 2", AC_PROCESS_PIPE,
                        AC_PROCESS_PIPE, AC_PROCESS_PIPE);
  /* 300 KB: more than a socket buffer holds, so writing and reading overlap. */
  size_t n = 300000;
  char *input = malloc(n);
  for (size_t i = 0; i < n; ++i) input[i] = (i % 64 == 63) ? '\n' : 'a' + (char)(i % 26);
  ac_future *f = NULL;
  CHECK_RC(ac_process_communicate(p, input, n, &f), 0);
  ac_future *again = NULL;
  CHECK_RC(ac_process_communicate(p, NULL, 0, &again), AC_ESTATE);
  CHECK_RC(net_wait(loop, f, 10), 0);
  int64_t code = 0;
  CHECK_RC(ac_future_result_int64(f, &code), 0);
  CHECK_INT(code, 2);
  ac_future_unref(f);
  ac_value out, err;
  CHECK_RC(ac_process_take_output(p, &out, &err), 0);
  CHECK_INT(out.kind, AC_VALUE_BYTES);
  CHECK_INT(out.u.bytes.len, n);
  CHECK(memcmp(out.u.bytes.data, "ABCDEFG", 7) == 0);
  CHECK_INT(err.u.bytes.len, 5);
  CHECK(memcmp(err.u.bytes.data, "oops\n", 5) == 0);
  ac_value_clear(&out);
  ac_value_clear(&err);
  free(input);
  ac_process_unref(p);
  th_close(loop);
}

/* stderr into stdout; DEVNULL; a descriptor of ours; env and cwd. */
static void test_stdio_modes_env_cwd(void) {
  ac_loop *loop = net_loop();
  ac_process *p = shell(loop, "echo out; echo err >&2", AC_PROCESS_DEVNULL, AC_PROCESS_PIPE,
                        AC_PROCESS_STDOUT);
  ac_future *f = NULL;
  CHECK_RC(ac_process_communicate(p, NULL, 0, &f), 0);
  CHECK_RC(net_wait(loop, f, 10), 0);
  ac_future_unref(f);
  ac_value out;
  CHECK_RC(ac_process_take_output(p, &out, NULL), 0);
  CHECK_STR((const char *)out.u.bytes.data, "out\nerr\n");
  ac_value_clear(&out);
  ac_process_unref(p);

  /* stdout to DEVNULL: nothing comes back, no pipe. */
  p = shell(loop, "echo gone", AC_PROCESS_INHERIT, AC_PROCESS_DEVNULL, AC_PROCESS_DEVNULL);
  CHECK(ac_process_stdout(p) == NULL);
  CHECK_INT(wait_code(loop, p), 0);
  ac_process_unref(p);

  /* stdout onto a pipe of ours. */
  int fds[2];
  CHECK(pipe(fds) == 0);
  p = shell(loop, "echo to-fd", AC_PROCESS_INHERIT, fds[1], AC_PROCESS_INHERIT);
  close(fds[1]);
  CHECK_INT(wait_code(loop, p), 0);
  char buf[32] = {0};
  CHECK_INT(read(fds[0], buf, sizeof buf - 1), 6);
  CHECK_STR(buf, "to-fd\n");
  close(fds[0]);
  ac_process_unref(p);

  /* The environment is exactly what is given; cwd is honoured. */
  const char *env[] = {"GREETING=hi there", NULL};
  ac_process_options o;
  ac_process_options_init(&o);
  o.stdout_mode = AC_PROCESS_PIPE;
  o.env = env;
  o.cwd = "/";
  const char *argv[] = {"/bin/sh", "-c", "echo \"$GREETING|${HOME-unset}|$(pwd)\"", NULL};
  CHECK_RC(ac_process_exec(loop, argv, &o, &p), 0);
  char line[96];
  NET_TEXT(loop, ac_stream_readline(ac_process_stdout(p), &nt_f_), line);
  CHECK_STR(line, "hi there|unset|/\n");
  CHECK_INT(wait_code(loop, p), 0);
  ac_process_unref(p);

  /* Bad modes. */
  o.stdin_mode = AC_PROCESS_STDOUT;
  CHECK_RC(ac_process_exec(loop, argv, &o, &p), AC_EINVAL);
  o.stdin_mode = -7;
  CHECK_RC(ac_process_exec(loop, argv, &o, &p), AC_EINVAL);
  const char *empty[] = {NULL};
  CHECK_RC(ac_process_exec(loop, empty, NULL, &p), AC_EINVAL);
  th_close(loop);
}

/* Killed by a signal: returncode -N, as asyncio. Signals after the exit
 * do nothing. */
static void test_killed_by_signal(void) {
  ac_loop *loop = net_loop();
  const char *argv[] = {"sleep", "30", NULL};
  ac_process *p = start(loop, argv, AC_PROCESS_INHERIT, AC_PROCESS_INHERIT, AC_PROCESS_INHERIT);
  CHECK_RC(ac_process_kill(p), 0);
  CHECK_INT(wait_code(loop, p), -SIGKILL);
  CHECK_RC(ac_process_terminate(p), 0);
  CHECK_RC(ac_process_send_signal(p, SIGUSR1), 0);
  CHECK_RC(ac_process_send_signal(p, -1), AC_EINVAL);
  ac_process_unref(p);
  p = start(loop, argv, AC_PROCESS_INHERIT, AC_PROCESS_INHERIT, AC_PROCESS_INHERIT);
  CHECK_RC(ac_process_terminate(p), 0);
  CHECK_INT(wait_code(loop, p), -SIGTERM);
  ac_process_unref(p);
  th_close(loop);
  CHECK(no_children());
}

/* The child exits while a grandchild still holds its stdout: wait
 * completes with the status, the pipe stays readable until the last
 * writer goes. */
static void test_exit_with_pipes_open(void) {
  ac_loop *loop = net_loop();
  ac_process *p = shell(loop, "(sleep 0.3; echo late) & echo early; exit 7", AC_PROCESS_INHERIT,
                        AC_PROCESS_PIPE, AC_PROCESS_INHERIT);
  char line[96];
  NET_TEXT(loop, ac_stream_readline(ac_process_stdout(p), &nt_f_), line);
  CHECK_STR(line, "early\n");
  CHECK_INT(wait_code(loop, p), 7);
  NET_TEXT(loop, ac_stream_readline(ac_process_stdout(p), &nt_f_), line);
  CHECK_STR(line, "late\n");
  NET_TEXT(loop, ac_stream_readline(ac_process_stdout(p), &nt_f_), line);
  CHECK_STR(line, "");
  ac_process_unref(p);
  th_close(loop);
  /* The grandchild was the shell's, not ours. */
  CHECK(no_children());
}

/* Writing to a dead child's stdin: EPIPE, and the process lives on
 * (SIGPIPE keeps its default disposition in this test). */
static void test_epipe_on_dead_child_stdin(void) {
  ac_loop *loop = net_loop();
  const char *argv[] = {"true", NULL};
  ac_process *p = start(loop, argv, AC_PROCESS_PIPE, AC_PROCESS_INHERIT, AC_PROCESS_INHERIT);
  CHECK_INT(wait_code(loop, p), 0);
  ac_stream *in = ac_process_stdin(p);
  static char chunk[65536];
  int rc = 0;
  for (int i = 0; i < 64 && rc == 0; ++i) rc = ac_stream_write(in, chunk, sizeof chunk);
  if (rc == 0) {
    ac_future *d = NULL;
    CHECK_RC(ac_stream_drain(in, &d), 0);
    rc = net_wait(loop, d, 5);
    ac_future_unref(d);
  }
  CHECK_RC(rc, AC_EPIPE);
  CHECK_STR(ac_err_class(rc), "BrokenPipeError");
  ac_process_unref(p);
  th_close(loop);
}

/* A program that does not exist: FileNotFoundError's code, nothing left
 * open, no child. */
static void test_binary_not_found(void) {
  int fds_before = count_fds();
  ac_loop *loop = net_loop();
  const char *argv[] = {"/nonexistent/program", "x", NULL};
  ac_process *p = NULL;
  int rc = ac_process_exec(loop, argv, NULL, &p);
  CHECK_RC(rc, AC_ENOENT);
  CHECK_STR(ac_err_class(rc), "FileNotFoundError");
  CHECK(p == NULL);
  const char *in_path[] = {"no-such-program-for-asyncore-tests", NULL};
  ac_process_options o;
  ac_process_options_init(&o);
  o.stdin_mode = o.stdout_mode = o.stderr_mode = AC_PROCESS_PIPE;
  CHECK_RC(ac_process_exec(loop, in_path, &o, &p), AC_ENOENT);
  o.cwd = "/nonexistent/dir";
  const char *sh[] = {"/bin/sh", "-c", "true", NULL};
  CHECK_RC(ac_process_exec(loop, sh, &o, &p), AC_ENOENT);
  th_close(loop);
  CHECK_INT(count_fds(), fds_before);
  CHECK(no_children());
}

/* A thousand short-lived children, fifty at a time, half with a pipe:
 * every one reaped, every descriptor back. */
struct many {
  int done;
  int64_t sum;
};
static void many_done(ac_future *f, void *ud) {
  struct many *m = ud;
  int64_t code = -1;
  if (ac_future_result_int64(f, &code) == 0) m->sum += code;
  m->done++;
}
static void test_thousand_children(void) {
  int fds_before = count_fds();
  ac_loop *loop = net_loop();
  struct many m = {0, 0};
  const char *t[] = {"/bin/true", NULL};
  const char *f[] = {"/bin/false", NULL};
  int started = 0;
  enum { BATCH = 50 };
  /* Under valgrind every fork copies valgrind too: a tenth is enough there. */
  const char *preload = getenv("LD_PRELOAD");
  const int TOTAL = preload != NULL && strstr(preload, "vgpreload") != NULL ? 100 : 1000;
  while (started < TOTAL) {
    int target = started + BATCH;
    for (; started < target; ++started) {
      ac_process *p = start(loop, started % 2 ? f : t, AC_PROCESS_DEVNULL,
                            started % 2 ? AC_PROCESS_PIPE : AC_PROCESS_INHERIT, AC_PROCESS_INHERIT);
      if (p == NULL) return;
      ac_future *w = NULL;
      CHECK_RC(ac_process_wait(p, &w), 0);
      CHECK_RC(ac_future_add_done_callback(w, many_done, &m, NULL), 0);
      ac_future_unref(w);
      ac_process_unref(p); /* the child still gets reaped */
    }
    double end = ac_loop_time(loop) + 20;
    while (m.done < started && ac_loop_time(loop) < end) ac_loop_step(loop, 0.05, NULL, NULL);
  }
  CHECK_INT(m.done, TOTAL);
  CHECK_INT(m.sum, TOTAL / 2); /* /bin/false exits 1 */
  CHECK(no_children());
  th_close(loop);
  CHECK_INT(count_fds(), fds_before);
}

/* python3 that ignores SIGTERM, never reads stdin and floods stdout. */
static void test_misbehaving_python_child(void) {
  const char *py = net_python();
  if (py == NULL) {
    printf("# skipped: no python3\n");
    return;
  }
  ac_loop *loop = net_loop();
  const char *argv[] = {py, "-c",
                        "import signal, sys, time\n"
                        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                        "sys.stdout.write('ready\\n'); sys.stdout.flush()\n"
                        "sys.stdout.buffer.write(b'x' * 4000000); sys.stdout.flush()\n"
                        "time.sleep(60)\n",
                        NULL};
  ac_process *p = start(loop, argv, AC_PROCESS_PIPE, AC_PROCESS_PIPE, AC_PROCESS_INHERIT);
  ac_stream *in = ac_process_stdin(p), *out = ac_process_stdout(p);
  char line[96];
  NET_TEXT(loop, ac_stream_readline(out, &nt_f_), line);
  CHECK_STR(line, "ready\n");
  /* The child never reads: our stdin buffer fills and drain waits. */
  static char chunk[1 << 20];
  CHECK_RC(ac_stream_write(in, chunk, sizeof chunk), 0);
  ac_future *drain = NULL;
  CHECK_RC(ac_stream_drain(in, &drain), 0);
  /* The flood arrives whole. */
  ac_future *r = NULL;
  CHECK_RC(ac_stream_readexactly(out, 4000000, &r), 0);
  CHECK_RC(net_wait(loop, r, 20), 0);
  ac_value v;
  CHECK_RC(ac_future_result(r, &v), 0);
  CHECK_INT(v.u.bytes.len, 4000000);
  ac_future_unref(r);
  CHECK_INT(ac_future_done(drain), 0);
  /* SIGTERM is ignored: a bounded wait is cancelled, the child lives on. */
  CHECK_RC(ac_process_terminate(p), 0);
  ac_future *w = NULL;
  CHECK_RC(ac_process_wait(p, &w), 0);
  CHECK_RC(net_wait(loop, w, 0.5), AC_ECANCELLED);
  ac_future_unref(w);
  int code = 0;
  CHECK_INT(ac_process_returncode(p, &code), 0);
  CHECK_INT(kill(ac_process_pid(p), 0), 0);
  /* SIGKILL is not. */
  CHECK_RC(ac_process_kill(p), 0);
  CHECK_INT(wait_code(loop, p), -SIGKILL);
  /* The pending drain learns the reader is gone. */
  int drc = net_wait(loop, drain, 5);
  CHECK(drc == AC_EPIPE || drc == AC_ECONNRESET);
  ac_future_unref(drain);
  ac_process_unref(p);
  th_close(loop);
  CHECK(no_children());
}

/* Cancelling communicate (a timeout) neither kills the child nor loses
 * what it wrote. */
static void test_communicate_cancelled(void) {
  ac_loop *loop = net_loop();
  ac_process *p = shell(loop, "echo part; exec sleep 30", AC_PROCESS_PIPE, AC_PROCESS_PIPE,
                        AC_PROCESS_INHERIT);
  /* Let "part" arrive first. */
  ac_future *r = NULL;
  CHECK_RC(ac_stream_readuntil(ac_process_stdout(p), "p", 1, &r), 0);
  CHECK_RC(net_wait(loop, r, 5), 0);
  ac_future_unref(r);
  ac_future *f = NULL;
  CHECK_RC(ac_process_communicate(p, NULL, 0, &f), 0);
  CHECK_RC(net_wait(loop, f, 0.3), AC_ECANCELLED);
  ac_future_unref(f);
  net_run_for(loop, 0.05);
  int code = 0;
  CHECK_INT(ac_process_returncode(p, &code), 0);
  char line[96];
  NET_TEXT(loop, ac_stream_readline(ac_process_stdout(p), &nt_f_), line);
  CHECK_STR(line, "art\n");
  CHECK_RC(ac_process_kill(p), 0);
  CHECK_INT(wait_code(loop, p), -SIGKILL);
  ac_process_unref(p);
  th_close(loop);
}

/* Closing the loop under a running child kills and reaps it. */
static void test_loop_close_kills_child(void) {
  int fds_before = count_fds();
  ac_loop *loop = net_loop();
  const char *argv[] = {"sleep", "30", NULL};
  ac_process *p = start(loop, argv, AC_PROCESS_PIPE, AC_PROCESS_PIPE, AC_PROCESS_PIPE);
  int pid = ac_process_pid(p);
  ac_future *w = NULL;
  CHECK_RC(ac_process_wait(p, &w), 0);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_INT(ac_future_done(w), 1);
  CHECK_RC(ac_future_result(w, &(ac_value){0}), AC_ECLOSED);
  int code = 0;
  CHECK_INT(ac_process_returncode(p, &code), 1);
  CHECK_INT(code, -SIGKILL);
  CHECK(kill(pid, 0) != 0 && errno == ESRCH);
  ac_future_unref(w);
  ac_process_unref(p);
  ac_loop_unref(loop);
  CHECK_INT(count_fds(), fds_before);
  CHECK(no_children());
}

/* libuv opens its process-wide signal pipe with the first child: open it
 * before counting descriptors. */
static void warm_up(void) {
  ac_loop *loop = net_loop();
  const char *argv[] = {"true", NULL};
  ac_process *p = NULL;
  if (ac_process_exec(loop, argv, NULL, &p) == 0) {
    ac_future *w = NULL;
    if (ac_process_wait(p, &w) == 0) {
      net_wait(loop, w, 10);
      ac_future_unref(w);
    }
    ac_process_unref(p);
  }
  ac_loop_close(loop);
  ac_loop_unref(loop);
}

int main(void) {
  warm_up();
  RUN(test_exec_reads_output);
  RUN(test_shell_exit_status_and_stdin);
  RUN(test_cat_echoes_until_eof);
  RUN(test_communicate);
  RUN(test_stdio_modes_env_cwd);
  RUN(test_killed_by_signal);
  RUN(test_exit_with_pipes_open);
  RUN(test_epipe_on_dead_child_stdin);
  RUN(test_binary_not_found);
  RUN(test_thousand_children);
  RUN(test_misbehaving_python_child);
  RUN(test_communicate_cancelled);
  RUN(test_loop_close_kills_child);
  return th_finish();
}
