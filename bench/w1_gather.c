/* w1_gather.c — W1 in asyncio's shape: create N trivial tasks that each
 * return an int, then one ac_gather over all of them, awaited once; prints
 * wall ns per task. Warm-up at N/10 first. The tasks are made as in
 * w1_spawn.c (which awaits them one by one), so the difference between the
 * two is what the gather costs.
 *
 * With `memory` (or `memory-notrim`) it measures memory after a burst
 * instead: one burst of N, the resident set and the first-touch page
 * faults it cost, then what ac_trim gives back and how long it takes,
 * then the same burst again (after the trim it faults its pages in again;
 * without one it reuses the pool). Figures, not assertions.
 *
 *   w1_gather [N=200000] [memory|memory-notrim]
 */
#define _POSIX_C_SOURCE 200809L
#include <asyncore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

static long faults(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

/* Resident bytes (Linux's /proc), or -1. */
static long long resident(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long long size, pages = -1;
  if (f == NULL) return -1;
  if (fscanf(f, "%lld %lld", &size, &pages) != 2) pages = -1;
  fclose(f);
  return pages < 0 ? -1 : pages * 4096;
}

/* One burst: its wall time and page faults per task. */
static void burst(int n, const char *label) {
  long f0 = faults();
  double dt = run(n);
  long f1 = faults();
  printf("RESULT %s %.1f ns/task %.3f faults/task\n", label, dt * 1e9 / n, (double)(f1 - f0) / n);
}

static int memory(int n, int trim) {
  long long r0 = resident();
  burst(n, "first-burst");
  long long r1 = resident();
  printf("RESULT resident-after-burst %.1f MB (%+.0f B/task)\n", r1 / 1e6, (double)(r1 - r0) / n);
  if (trim) {
    double t0 = now();
    int64_t given = ac_trim();
    double dt = now() - t0;
    printf("RESULT trim %.1f MB given back in %.2f ms; resident %.1f MB\n", given / 1e6, dt * 1e3,
           resident() / 1e6);
  }
  burst(n, trim ? "burst-after-trim" : "burst-reusing-pool");
  return 0;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 200000;
  if (argc > 2 && strncmp(argv[2], "memory", 6) == 0) return memory(n, strcmp(argv[2], "memory") == 0);
  run(n / 10);
  double dt = run(n);
  printf("RESULT W1g asyncore-c %.1f ns/task\n", dt * 1e9 / n);
  return 0;
}
