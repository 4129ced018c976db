/* w1_spawn.c — W1: spawn N trivial tasks that each return an int, then
 * await them all; prints wall ns per task. Warm-up at N/10 first. */
#define _POSIX_C_SOURCE 200809L
#include <asyncore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int trivial(ac_task *t, void *st) {
  (void)st;
  return ac_task_return_int64(t, 1);
}

struct spawner {
  AC_ASYNC_FIELDS;
  int n, i;
  int64_t sum;
  ac_task **tasks;
};

static int spawner_step(ac_task *t, void *p) {
  struct spawner *s = p;
  ac_loop *loop = ac_task_get_loop(t);
  AC_BEGIN(s);
  for (s->i = 0; s->i < s->n; s->i++) {
    int rc = ac_task_new(loop, trivial, NULL, NULL, 0, &s->tasks[s->i]);
    if (rc < 0) return rc;
  }
  for (s->i = 0; s->i < s->n; s->i++) {
    AC_AWAIT(s, ac_task_await(t, ac_task_future(s->tasks[s->i])));
    AC_CHECK(t);
    int64_t v;
    ac_future_result_int64(ac_task_awaited(t), &v);
    s->sum += v;
    ac_task_unref(s->tasks[s->i]);
  }
  AC_END(s);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double run(int n) {
  struct spawner s = {0, n, 0, 0, malloc(sizeof(ac_task *) * (size_t)n)};
  double t0 = now();
  int rc = ac_run(spawner_step, &s, NULL, 0, NULL, NULL);
  double dt = now() - t0;
  free(s.tasks);
  if (rc != 0 || s.sum != n) {
    fprintf(stderr, "w1: failed (%s), sum %lld\n", ac_err_name(rc), (long long)s.sum);
    exit(1);
  }
  return dt;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 200000;
  run(n / 10);
  double dt = run(n);
  printf("RESULT W1 asyncore-c %.1f ns/task\n", dt * 1e9 / n);
  return 0;
}
