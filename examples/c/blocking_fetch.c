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
 * The non-blocking part is timed with the loop's clock (virtual with
 * --virtual-clock: no real waiting); the blocking part really blocks the
 * thread for 2 + 2 seconds and is timed with the real clock, since a
 * blocked loop cannot advance any clock of its own. (Its test accepts
 * 4.00 to 4.50 s there: a busy machine oversleeps.)
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

static double real_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void blocking_fetch(const char *url) {
  struct timespec two = {2, 0};
  printf("Blocking: Requesting %s...\n", url);
  fflush(stdout);
  nanosleep(&two, NULL); /* blocks the whole thread, loop included */
  printf("Blocking: Received data from %s\n", url);
}

static void run_blocking(void) {
  double start = real_now();
  blocking_fetch(urls[0]);
  blocking_fetch(urls[1]);
  printf("Blocking total time: %.2f seconds\n\n", real_now() - start);
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
  m->start = ac_loop_time(loop);
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
  printf("Non-blocking total time: %.2f seconds\n\n", ac_loop_time(loop) - m->start);
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
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) flags |= AC_LOOP_VIRTUAL_CLOCK;
  struct main_state m = {0};
  int rc = ac_run(main_step, &m, free_main, flags, NULL, NULL);
  if (rc != 0) fprintf(stderr, "blocking_fetch: %s\n", ac_strerror(rc));
  return rc == 0 ? 0 : 1;
}
