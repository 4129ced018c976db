/*
 * blocking_fetch.c — non-blocking waits overlap, blocking calls do not:
 *
 *   async def non_blocking_fetch(url):
 *       print(f"Non-blocking: Requesting {url}...")
 *       await asyncio.sleep(2)
 *       print(f"Non-blocking: Received data from {url}")
 *   def blocking_fetch(url):
 *       print(f"Blocking: Requesting {url}...")
 *       time.sleep(2)
 *       print(f"Blocking: Received data from {url}")
 *   (run_non_blocking gathers two fetches; run_blocking calls two in a row;
 *    each prints its total time)
 *
 * Both halves are timed with perf_counter(), as the guide's are with
 * time.perf_counter: the real monotonic clock, where the blocking calls
 * block the thread, loop included, for 2 + 2 seconds. With --virtual-clock
 * nothing waits for real and the run is exact: perf_counter() is the
 * loop's virtual clock plus the time blocking calls have held the loop
 * still, and a blocking sleep adds to that time instead of sleeping (a
 * blocked loop cannot move its own clock; the Python twin's virtual-clock
 * run moves the loop's clock for time.sleep the same way).
 */
#define _POSIX_C_SOURCE 200809L
#include <asyncore.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const urls[2] = {"http://api.example.com/data1", "http://api.example.com/data2"};

struct fetch {
  AC_ASYNC_FIELDS;
  const char *url;
};

static int non_blocking_fetch(ac_task *task, void *state) {
  struct fetch *f = state;
  AC_BEGIN(f);
  printf("Non-blocking: Requesting %s...\n", f->url);
  AC_AWAIT(f, ac_task_sleep(task, 2));
  AC_CHECK(task);
  printf("Non-blocking: Received data from %s\n", f->url);
  AC_END(f);
}

static ac_loop *loop_of_main;
static int virtual_clock;
static double blocked; /* seconds blocking calls held the loop (virtual clock) */

/* time.perf_counter */
static double perf_counter(void) {
  if (virtual_clock) return ac_loop_time(loop_of_main) + blocked;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* time.sleep on the loop's thread: blocks it, loop included. */
static void blocking_sleep(int seconds) {
  if (virtual_clock) {
    blocked += seconds;
    return;
  }
  struct timespec ts = {seconds, 0};
  nanosleep(&ts, NULL);
}

static void blocking_fetch(const char *url) {
  printf("Blocking: Requesting %s...\n", url);
  fflush(stdout);
  blocking_sleep(2); /* Blocks the entire thread */
  printf("Blocking: Received data from %s\n", url);
}

static void run_blocking(void) {
  double start = perf_counter();
  blocking_fetch(urls[0]);
  blocking_fetch(urls[1]);
  printf("Blocking total time: %.2f seconds\n\n", perf_counter() - start);
}

struct main_state {
  AC_ASYNC_FIELDS;
  ac_task *tasks[2];
  ac_future *gather;
  double start;
};

static int main_step(ac_task *task, void *state) {
  struct main_state *m = state;
  ac_loop *loop = ac_task_get_loop(task);
  ac_future *items[2];
  int rc;
  AC_BEGIN(m);
  printf("--- Demonstrating Non-blocking I/O ---\n");
  loop_of_main = loop;
  m->start = perf_counter();
  for (int i = 0; i < 2; ++i) {
    struct fetch *f;
    if ((rc = ac_task_new_inline(loop, non_blocking_fetch, sizeof *f, 0, &m->tasks[i], (void **)&f)) < 0)
      return rc;
    f->url = urls[i];
    items[i] = ac_task_future(m->tasks[i]);
  }
  if ((rc = ac_gather(loop, items, 2, AC_GATHER_DEFAULT, &m->gather)) < 0) return rc;
  AC_AWAIT(m, ac_task_await(task, m->gather));
  AC_CHECK(task);
  printf("Non-blocking total time: %.2f seconds\n\n", perf_counter() - m->start);
  printf("--- Demonstrating Blocking I/O (within an async context, still blocks) ---\n");
  run_blocking();
  AC_END(m);
}

static void free_main(void *state) {
  struct main_state *m = state;
  ac_task_unref(m->tasks[0]);
  ac_task_unref(m->tasks[1]);
  ac_future_unref(m->gather);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) {
    flags |= AC_LOOP_VIRTUAL_CLOCK;
    virtual_clock = 1;
  }
  struct main_state m = {0};
  int rc = ac_run(main_step, &m, free_main, flags, NULL, NULL);
  if (rc != 0) fprintf(stderr, "blocking_fetch: %s\n", ac_strerror(rc));
  return rc == 0 ? 0 : 1;
}
