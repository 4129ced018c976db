/*
 * await_sequence.c — awaiting coroutines one after the other:
 *
 *   async def greet(name, delay):
 *       await asyncio.sleep(delay)
 *       print(f"Hello, {name} after {delay} seconds")
 *
 *   async def main_await():
 *       print("Starting main_await")
 *       await greet("Alice", 2)
 *       await greet("Bob", 1)
 *       print("Finished main_await")
 *
 * Each greet is a task awaited before the next one is created, so Alice
 * greets first and the run takes 3 seconds.
 */
#include <asyncore.h>
#include <stdio.h>
#include <string.h>

struct greet {
  AC_ASYNC_FIELDS;
  const char *name;
  int delay;
};

static int greet_step(ac_task *task, void *state) {
  struct greet *g = state;
  AC_BEGIN(g);
  AC_AWAIT(g, ac_task_sleep(task, g->delay));
  AC_CHECK(task);
  printf("Hello, %s after %d seconds\n", g->name, g->delay);
  AC_END(g);
}

/* Creates greet(name, delay) and awaits it from `parent`'s step. */
static int await_greet(ac_task *parent, const char *name, int delay) {
  struct greet *g;
  ac_task *t;
  int rc = ac_task_new_inline(ac_task_get_loop(parent), greet_step, sizeof *g, 0, &t, (void **)&g);
  if (rc < 0) return rc;
  g->name = name;
  g->delay = delay;
  return ac_task_await_owned(parent, ac_task_future(t));
}

struct main_state {
  AC_ASYNC_FIELDS;
};

static int main_await(ac_task *task, void *state) {
  struct main_state *s = state;
  AC_BEGIN(s);
  printf("Starting main_await\n");
  AC_AWAIT(s, await_greet(task, "Alice", 2));
  AC_CHECK(task);
  AC_AWAIT(s, await_greet(task, "Bob", 1));
  AC_CHECK(task);
  printf("Finished main_await\n");
  AC_END(s);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) flags |= AC_LOOP_VIRTUAL_CLOCK;
  struct main_state s = {0};
  int rc = ac_run(main_await, &s, NULL, flags, NULL, NULL);
  if (rc != 0) fprintf(stderr, "main failed: %s\n", ac_strerror(rc));
  return rc == 0 ? 0 : 1;
}
