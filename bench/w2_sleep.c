/* w2_sleep.c — W2: N tasks each sleep 100 ms once; prints the wall time and
 * the resident memory per task while all of them sleep. */
#define _POSIX_C_SOURCE 200809L
#include <asyncore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long rss_bytes(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f != NULL) {
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
  }
  return resident * sysconf(_SC_PAGESIZE);
}

struct sleeper {
  AC_ASYNC_FIELDS;
};
static int sleeper_step(ac_task *t, void *p) {
  struct sleeper *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 0.1));
  AC_CHECK(t);
  AC_END(s);
}

static long peak;
static void measure(ac_loop *loop, void *ud) {
  (void)loop;
  (void)ud;
  peak = rss_bytes();
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 100000;
  ac_loop *loop;
  if (ac_loop_new(0, &loop) != 0) return 1;
  long before = rss_bytes();
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  ac_task **tasks = malloc(sizeof *tasks * (size_t)n);
  for (long i = 0; i < n; i++) {
    void *st;
    if (ac_task_new_inline(loop, sleeper_step, sizeof(struct sleeper), 0, &tasks[i], &st) != 0)
      return 1;
  }
  /* Every task has started (and sleeps) after one iteration. */
  ac_loop_call_later(loop, 0.05, measure, NULL, NULL, NULL);
  /* Equal sleeps end in creation order: the last one ends the run. */
  ac_loop_run_until_complete(loop, ac_task_future(tasks[n - 1]));
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("RESULT W2 asyncore-c %.0f B/task\n", (double)(peak - before - (long)sizeof *tasks * n) / n);
  printf("RESULT W2ms asyncore-c %.0f ms\n",
         ((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9) * 1e3);
  for (long i = 0; i < n; i++) ac_task_unref(tasks[i]);
  free(tasks);
  ac_loop_close(loop);
  ac_loop_unref(loop);
  return 0;
}
