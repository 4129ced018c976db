/* w1_taskgroup.c — W1 in a task group: N trivial tasks spawned into one
 * group, then the group's join, awaited once (asyncio's `async with
 * TaskGroup() as tg:` around N `tg.create_task`); prints wall ns per task.
 * Warm-up at N/10 first. The tasks are those of w1_spawn.c and
 * w1_gather.c, so the three programs differ only in how the tasks are
 * waited for (bench/callgrind.py counts all three).
 *
 *   w1_taskgroup [N=200000]
 */
#define _POSIX_C_SOURCE 200809L
#include <asyncore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int trivial(ac_task *t, void *st) {
  (void)st;
  return ac_task_return_int64(t, 1);
}

struct body {
  AC_ASYNC_FIELDS;
  int n;
  ac_taskgroup *tg;
  ac_future *join;
};

static int body_step(ac_task *t, void *p) {
  struct body *s = p;
  int rc;
  AC_BEGIN(s);
  if ((rc = ac_taskgroup_new(t, &s->tg)) < 0) return rc;
  for (int i = 0; i < s->n; i++)
    if ((rc = ac_taskgroup_spawn(s->tg, trivial, NULL, NULL, 0, NULL)) < 0) return rc;
  if ((rc = ac_taskgroup_join(s->tg, 0, NULL, &s->join)) < 0) return rc;
  AC_AWAIT(s, ac_task_await(t, s->join));
  rc = ac_task_outcome(t);
  ac_future_unref(s->join);
  s->join = NULL;
  ac_taskgroup_unref(s->tg);
  s->tg = NULL;
  if (rc < 0) return rc;
  AC_END(s);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double run(int n) {
  struct body s = {0, n, NULL, NULL};
  double t0 = now();
  int rc = ac_run(body_step, &s, NULL, 0, NULL, NULL);
  double dt = now() - t0;
  if (rc != 0) {
    fprintf(stderr, "w1 taskgroup: failed (%s)\n", ac_err_name(rc));
    exit(1);
  }
  return dt;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 200000;
  run(n / 10);
  double dt = run(n);
  printf("RESULT W1tg asyncore-c %.1f ns/task\n", dt * 1e9 / n);
  return 0;
}
