/* w1_gather.c — W1 in asyncio's shape: create N trivial tasks that each
 * return an int, then one ac_gather over all of them, awaited once; prints
 * wall ns per task. Warm-up at N/10 first. The tasks are made as in
 * w1_spawn.c (which awaits them one by one), so the difference between the
 * two is what the gather costs. */
#define _POSIX_C_SOURCE 200809L
#include <asyncore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int trivial(ac_task *t, void *st) {
  (void)st;
  return ac_task_return_int64(t, 1);
}

struct gatherer {
  AC_ASYNC_FIELDS;
  int n;
  int64_t sum;
  ac_task **tasks;
  ac_future **items;
  ac_future *gather;
};

static int gatherer_step(ac_task *t, void *p) {
  struct gatherer *s = p;
  ac_loop *loop = ac_task_get_loop(t);
  AC_BEGIN(s);
  for (int i = 0; i < s->n; i++) {
    int rc = ac_task_new(loop, trivial, NULL, NULL, 0, &s->tasks[i]);
    if (rc < 0) return rc;
    s->items[i] = ac_task_future(s->tasks[i]);
  }
  {
    int rc = ac_gather(loop, s->items, (size_t)s->n, AC_GATHER_DEFAULT, &s->gather);
    if (rc < 0) return rc;
  }
  AC_AWAIT(s, ac_task_await(t, s->gather));
  AC_CHECK(t);
  for (int i = 0; i < s->n; i++) {
    ac_value v;
    if (ac_gather_result_at(s->gather, (size_t)i, &v) == 0 && v.kind == AC_VALUE_INT64)
      s->sum += v.u.i64;
    ac_task_unref(s->tasks[i]);
  }
  ac_future_unref(s->gather);
  s->gather = NULL;
  AC_END(s);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double run(int n) {
  struct gatherer s = {0, n, 0, malloc(sizeof(ac_task *) * (size_t)n),
                       malloc(sizeof(ac_future *) * (size_t)n), NULL};
  double t0 = now();
  int rc = ac_run(gatherer_step, &s, NULL, 0, NULL, NULL);
  double dt = now() - t0;
  free(s.tasks);
  free(s.items);
  if (rc != 0 || s.sum != n) {
    fprintf(stderr, "w1 gather: failed (%s), sum %lld\n", ac_err_name(rc), (long long)s.sum);
    exit(1);
  }
  return dt;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 200000;
  run(n / 10);
  double dt = run(n);
  printf("RESULT W1g asyncore-c %.1f ns/task\n", dt * 1e9 / n);
  return 0;
}
