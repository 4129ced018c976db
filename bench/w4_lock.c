/* w4_lock.c — W4: 100 tasks x 2,000 acquisitions of one lock, yielding
 * while holding it; prints ns per acquisition. Warm-up at 1/10 first. */
#define _POSIX_C_SOURCE 200809L
#include <asyncore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { TASKS = 100 };
static ac_lock *lock;
static int per_task;

struct locker {
  AC_ASYNC_FIELDS;
  int i;
};

static int locker_step(ac_task *t, void *p) {
  struct locker *s = p;
  ac_future *f;
  int rc;
  AC_BEGIN(s);
  for (s->i = 0; s->i < per_task; s->i++) {
    if ((rc = ac_lock_acquire(lock, &f)) < 0) return rc;
    AC_AWAIT(s, ac_task_await_owned(t, f));
    AC_CHECK(t);
    AC_YIELD(s);
    /* asyncio's `async with lock: await sleep(0)`: a cancellation is
     * delivered at the sleep, and the lock is released either way. */
    rc = ac_task_propagate(t);
    ac_lock_release(lock);
    if (rc < 0) return rc;
  }
  AC_END(s);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double run(int n) {
  ac_loop *loop;
  ac_task *tasks[TASKS];
  per_task = n;
  ac_loop_new(0, &loop);
  ac_lock_new(loop, &lock);
  for (int i = 0; i < TASKS; i++) {
    struct locker *s;
    ac_task_new_inline(loop, locker_step, sizeof *s, 0, &tasks[i], (void **)&s);
  }
  double t0 = now();
  for (int i = 0; i < TASKS; i++) ac_loop_run_until_complete(loop, ac_task_future(tasks[i]));
  double t1 = now();
  for (int i = 0; i < TASKS; i++) ac_task_unref(tasks[i]);
  ac_lock_unref(lock);
  ac_loop_close(loop);
  ac_loop_unref(loop);
  return (t1 - t0) * 1e9 / ((double)n * TASKS);
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 2000;
  run(rounds / 10 > 0 ? rounds / 10 : 1);
  printf("RESULT W4 asyncore-c %.1f ns/acquire\n", run(rounds));
  return 0;
}
