/* spawn.c — P1: start a child and wait for it, one after another: the
 * cost per child of ac_process_exec + ac_process_wait, next to a raw
 * libuv uv_spawn + exit callback in the same program (bench/run.py puts
 * asyncio's create_subprocess_exec + wait and Go's os/exec Run beside
 * them). The child is /bin/true with the parent's descriptors (asyncio's
 * default), so the figure is the runtime's cost around fork/exec/reap,
 * not a pipe's.
 *
 *   spawn [N]      (default 1000 children each way)
 *
 * Prints `RESULT P1 <system> <us> us/child` for asyncore-c and raw-libuv. */
#define _POSIX_C_SOURCE 200809L
#include <asyncore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <uv.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const child[] = {"/bin/true", NULL};

static int ours(int n, double *seconds) {
  ac_loop *loop = NULL;
  if (ac_loop_new(AC_LOOP_DEFAULT, &loop) != 0) return -1;
  int rc = 0;
  double t0 = now();
  for (int i = 0; i < n && rc == 0; i++) {
    ac_process *p = NULL;
    ac_future *f = NULL;
    int64_t code = -1;
    rc = ac_process_exec(loop, child, NULL, &p);
    if (rc == 0) rc = ac_process_wait(p, &f);
    if (rc == 0) rc = ac_loop_run_until_complete(loop, f);
    if (rc == 0) rc = ac_future_result_int64(f, &code);
    if (rc == 0 && code != 0) rc = -1;
    ac_future_unref(f);
    ac_process_unref(p);
  }
  *seconds = now() - t0;
  ac_loop_close(loop);
  ac_loop_unref(loop);
  return rc;
}

static int exited;
static int64_t status;

static void on_exit_cb(uv_process_t *p, int64_t st, int sig) {
  (void)sig;
  status = st;
  exited = 1;
  uv_close((uv_handle_t *)p, NULL);
}

static int raw(int n, double *seconds) {
  uv_loop_t loop;
  if (uv_loop_init(&loop) != 0) return -1;
  uv_stdio_container_t io[3];
  for (int i = 0; i < 3; i++) {
    io[i].flags = UV_INHERIT_FD;
    io[i].data.fd = i;
  }
  uv_process_options_t o = {0};
  o.file = child[0];
  o.args = (char **)child;
  o.exit_cb = on_exit_cb;
  o.stdio = io;
  o.stdio_count = 3;
  int rc = 0;
  double t0 = now();
  for (int i = 0; i < n && rc == 0; i++) {
    uv_process_t p;
    exited = 0;
    status = -1;
    rc = uv_spawn(&loop, &p, &o);
    if (rc == 0) uv_run(&loop, UV_RUN_DEFAULT);
    if (rc == 0 && (!exited || status != 0)) rc = -1;
  }
  *seconds = now() - t0;
  uv_loop_close(&loop);
  return rc;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  if (n < 1) n = 1;
  double a = 0, b = 0;
  int rc = ours(n, &a);
  if (rc != 0) {
    fprintf(stderr, "spawn: ac_process_exec/wait failed: %s\n", ac_last_error_message(rc));
    return 1;
  }
  if (raw(n, &b) != 0) {
    fprintf(stderr, "spawn: uv_spawn failed\n");
    return 1;
  }
  printf("HOW P1 asyncore-c ac_process_exec + ac_process_wait of /bin/true, one at a time\n");
  printf("HOW P1 raw-libuv uv_spawn + exit callback of /bin/true, one at a time\n");
  printf("RESULT P1 asyncore-c %.1f us/child\n", a * 1e6 / n);
  printf("RESULT P1 raw-libuv %.1f us/child\n", b * 1e6 / n);
  return 0;
}
