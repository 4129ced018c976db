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
 * As in CPython (examples/python/to_thread.py), main awaits the worker's
 * result first and the sleep task second: the worker prints both its lines
 * before its result wakes main, and the 0.5 s sleep has long finished by
 * then, so "Non-blocking task finished." comes after the worker's lines
 * (the guide's prose shows another order, which its code never prints).
 *
 * --virtual-clock runs the loop on its virtual clock (the sleep costs no
 * real time). The blocking function then takes no real time either, as
 * time.sleep on a worker does in the Python twin's virtual-clock run: the
 * await alone orders the two threads' lines, and no clock of the loop can
 * show how long the worker blocked.
 */
#include <asyncore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int virtual_clock;

/* time.sleep: blocks the calling thread (not at all on the virtual clock). */
static void blocking_sleep(int seconds) {
  struct timespec ts = {virtual_clock ? 0 : seconds, 0};
  nanosleep(&ts, NULL);
}

struct blocking_call {
  int duration;
  char result[64]; /* outlives the call: the library copies it afterwards */
};

static int blocking_function(void *ud, ac_value *result) {
  struct blocking_call *c = ud;
  printf("  Blocking function started for %ds\n", c->duration);
  blocking_sleep(c->duration); /* This is a blocking call */
  printf("  Blocking function finished after %ds\n", c->duration);
  int n = snprintf(c->result, sizeof c->result, "Blocking result after %ds", c->duration);
  ac_value_set_bytes(result, c->result, (size_t)n);
  return 0;
}

static void free_blocking_call(void *ud) { free(ud); }

/* asyncio.create_task(asyncio.sleep(0.5)) */
static int sleep_half_second(ac_task *task, void *state) {
  (void)state;
  if (ac_task_awaited(task) == NULL) return ac_task_sleep(task, 0.5);
  return ac_task_propagate(task);
}

struct main_state {
  AC_ASYNC_FIELDS;
  ac_task *task1;
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
    /* NULL executor: libuv's worker pool. */
    if ((rc = ac_to_thread(loop, blocking_function, c, free_blocking_call, NULL, &m->blocking)) < 0)
      return rc;
  }
  AC_AWAIT(m, ac_task_await(task, m->blocking));
  AC_CHECK(task);

  AC_AWAIT(m, ac_task_await(task, ac_task_future(m->task1)));
  AC_CHECK(task);
  printf("Main: Non-blocking task finished.\n");
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
  ac_future_unref(m->blocking);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) {
    flags |= AC_LOOP_VIRTUAL_CLOCK;
    virtual_clock = 1;
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
