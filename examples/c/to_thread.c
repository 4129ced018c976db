/*
 * to_thread.c — blocking code on a worker thread while the loop goes on.
 *
 * The C twin of asyncio's to_thread example:
 *
 *   def blocking_function(duration):
 *       print(f"  Blocking function started for {duration}s")
 *       time.sleep(duration)  # This is a blocking call
 *       print(f"  Blocking function finished after {duration}s")
 *       return f"Blocking result after {duration}s"
 *
 *   async def main_to_thread():
 *       print("Main: Starting non-blocking operations")
 *       task1 = asyncio.create_task(asyncio.sleep(0.5))
 *       print("Main: Offloading blocking_function to a thread")
 *       blocking_result = await asyncio.to_thread(blocking_function, 2)
 *       await task1
 *       print(f"Main: Non-blocking task finished.")
 *       print(f"Main: Received blocking result: {blocking_result}")
 *       print("Main: Finished")
 *
 * The guide's point, and the output it shows, is that the 0.5 s sleep on the
 * loop finishes while the 2 s blocking function is still running on its
 * worker. To print that story in that order, main awaits the sleep first and
 * the worker's result second.
 *
 * --virtual-clock runs the loop on its virtual clock (the sleep costs no real
 * time). The blocking function still blocks for real — no clock of the loop
 * reaches into a worker — but for a tenth of its duration, so the check runs
 * quickly; the printed durations stay the guide's. Because the virtual clock
 * jumps as soon as the loop is idle, main first waits until the worker has
 * started (a thread-safe future the worker completes), so the worker's first
 * line comes before the sleep's end in both modes.
 */
#include <asyncore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double time_scale = 1.0;

struct blocking_call {
  int duration;
  ac_tsfuture *started;
  char result[64]; /* outlives the call: the library copies it afterwards */
};

static int blocking_function(void *ud, ac_value *result) {
  struct blocking_call *c = ud;
  printf("  Blocking function started for %ds\n", c->duration);
  ac_tsfuture_set_result(c->started, NULL);
  double seconds = c->duration * time_scale;
  struct timespec ts = {(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)};
  nanosleep(&ts, NULL); /* This is a blocking call */
  printf("  Blocking function finished after %ds\n", c->duration);
  int n = snprintf(c->result, sizeof c->result, "Blocking result after %ds", c->duration);
  ac_value_set_bytes(result, c->result, (size_t)n);
  return 0;
}

static void free_blocking_call(void *ud) {
  struct blocking_call *c = ud;
  ac_tsfuture_unref(c->started);
  free(c);
}

/* asyncio.create_task(asyncio.sleep(0.5)) */
static int sleep_half_second(ac_task *task, void *state) {
  (void)state;
  if (ac_task_awaited(task) == NULL) return ac_task_sleep(task, 0.5);
  return ac_task_propagate(task);
}

struct main_state {
  AC_ASYNC_FIELDS;
  ac_task *task1;
  ac_tsfuture *started;
  ac_future *blocking;
};

static int main_to_thread(ac_task *task, void *state) {
  struct main_state *m = state;
  ac_loop *loop = ac_task_get_loop(task);
  int rc;
  AC_BEGIN(m);
  printf("Main: Starting non-blocking operations\n");
  if ((rc = ac_task_new(loop, sleep_half_second, NULL, NULL, 0, &m->task1)) < 0) return rc;

  printf("Main: Offloading blocking_function to a thread\n");
  {
    struct blocking_call *c = calloc(1, sizeof *c);
    if (c == NULL) return AC_ENOMEM;
    c->duration = 2;
    if ((rc = ac_tsfuture_new(&c->started)) < 0) {
      free(c);
      return rc;
    }
    m->started = ac_tsfuture_ref(c->started);
    /* NULL executor: libuv's worker pool. */
    if ((rc = ac_to_thread(loop, blocking_function, c, free_blocking_call, NULL, &m->blocking)) < 0)
      return rc;
  }
  AC_AWAIT(m, ac_task_await_tsfuture(task, m->started));
  AC_CHECK(task);

  AC_AWAIT(m, ac_task_await(task, ac_task_future(m->task1)));
  AC_CHECK(task);
  printf("Main: Non-blocking task finished.\n");

  AC_AWAIT(m, ac_task_await(task, m->blocking));
  AC_CHECK(task);
  {
    ac_value v;
    ac_future_result(m->blocking, &v);
    printf("Main: Received blocking result: %.*s\n", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
  }
  printf("Main: Finished\n");
  AC_END(m);
}

static void free_main(void *state) {
  struct main_state *m = state;
  ac_task_unref(m->task1);
  ac_tsfuture_unref(m->started);
  ac_future_unref(m->blocking);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) {
    flags |= AC_LOOP_VIRTUAL_CLOCK;
    time_scale = 0.1;
  }
  struct main_state m = {0};
  setvbuf(stdout, NULL, _IOLBF, 0);
  int rc = ac_run(main_to_thread, &m, free_main, flags, NULL, NULL);
  if (rc != 0) {
    fprintf(stderr, "to_thread: %s (%s)\n", ac_strerror(rc), ac_err_name(rc));
    return 1;
  }
  return 0;
}
