/*
 * event_loop.c — the loop interleaves two coroutines awaited with gather:
 *
 *   async def task_a():
 *       print("Task A started"); await asyncio.sleep(0.5); print("Task A finished")
 *   async def task_b():
 *       print("Task B started"); await asyncio.sleep(1); print("Task B finished")
 *   async def main():
 *       print("Main routine starting tasks...")
 *       await asyncio.gather(task_a(), task_b())
 *       print("Main routine all tasks completed.")
 *
 * Pass --virtual-clock to run on the loop's virtual clock.
 */
#include <asyncore.h>
#include <stdio.h>
#include <string.h>

struct sleeper {
  AC_ASYNC_FIELDS;
  const char *name;
  double delay;
};

static int sleeper_step(ac_task *task, void *state) {
  struct sleeper *s = state;
  AC_BEGIN(s);
  printf("Task %s started\n", s->name);
  AC_AWAIT(s, ac_task_sleep(task, s->delay));
  AC_CHECK(task);
  printf("Task %s finished\n", s->name);
  AC_END(s);
}

struct main_state {
  AC_ASYNC_FIELDS;
  ac_task *tasks[2];
  ac_future *gather;
};

static int main_step(ac_task *task, void *state) {
  struct main_state *m = state;
  ac_loop *loop = ac_task_get_loop(task);
  static const char *const names[2] = {"A", "B"};
  static const double delays[2] = {0.5, 1};
  ac_future *items[2];
  int rc;
  AC_BEGIN(m);
  printf("Main routine starting tasks...\n");
  for (int i = 0; i < 2; ++i) {
    struct sleeper *s;
    if ((rc = ac_task_new_inline(loop, sleeper_step, sizeof *s, 0, &m->tasks[i], (void **)&s)) < 0)
      return rc;
    s->name = names[i];
    s->delay = delays[i];
    items[i] = ac_task_future(m->tasks[i]);
  }
  if ((rc = ac_gather(loop, items, 2, AC_GATHER_DEFAULT, &m->gather)) < 0) return rc;
  AC_AWAIT(m, ac_task_await(task, m->gather));
  AC_CHECK(task);
  printf("Main routine all tasks completed.\n");
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
  if (rc != 0) fprintf(stderr, "event_loop: %s\n", ac_strerror(rc));
  return rc == 0 ? 0 : 1;
}
