/*
 * tour.c — the first libasyncore program: two tasks run concurrently.
 *
 * The C twin of asyncio's create_task example:
 *
 *   async def greet_concurrent(name, delay):
 *       await asyncio.sleep(delay)
 *       print(f"Hello, {name} after {delay} seconds")
 *
 *   async def main_concurrent():
 *       print("Starting main_concurrent")
 *       task1 = asyncio.create_task(greet_concurrent("Alice", 2))
 *       task2 = asyncio.create_task(greet_concurrent("Bob", 1))
 *       await task1
 *       await task2
 *       print("Finished main_concurrent")
 *
 * Bob (1 s) greets before Alice (2 s) although Alice was created first, and
 * the whole run takes about 2 s, not 3. Pass --virtual-clock to run it on
 * the loop's virtual clock (no real waiting; the same output).
 */
#include <asyncore.h>
#include <stdio.h>
#include <string.h>

struct greet {
  AC_ASYNC_FIELDS;
  const char *name;
  int delay;
};

static int greet_concurrent(ac_task *task, void *state) {
  struct greet *g = state;
  AC_BEGIN(g);
  AC_AWAIT(g, ac_task_sleep(task, g->delay));
  AC_CHECK(task);
  printf("Hello, %s after %d seconds\n", g->name, g->delay);
  AC_END(g);
}

struct main_state {
  AC_ASYNC_FIELDS;
  ac_task *task1, *task2;
};

static int spawn_greeter(ac_task *parent, const char *name, int delay, ac_task **out) {
  struct greet *g;
  int rc = ac_task_new_inline(ac_task_get_loop(parent), greet_concurrent, sizeof *g, 0, out,
                              (void **)&g);
  if (rc == 0) {
    g->name = name;
    g->delay = delay;
  }
  return rc;
}

static int main_concurrent(ac_task *task, void *state) {
  struct main_state *m = state;
  int rc;
  AC_BEGIN(m);
  printf("Starting main_concurrent\n");
  if ((rc = spawn_greeter(task, "Alice", 2, &m->task1)) < 0) return rc;
  if ((rc = spawn_greeter(task, "Bob", 1, &m->task2)) < 0) return rc;
  AC_AWAIT(m, ac_task_await(task, ac_task_future(m->task1)));
  AC_CHECK(task);
  AC_AWAIT(m, ac_task_await(task, ac_task_future(m->task2)));
  AC_CHECK(task);
  printf("Finished main_concurrent\n");
  AC_END(m);
}

static void free_main(void *state) {
  struct main_state *m = state;
  ac_task_unref(m->task1);
  ac_task_unref(m->task2);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) flags |= AC_LOOP_VIRTUAL_CLOCK;
  struct main_state m = {0};
  setvbuf(stdout, NULL, _IOLBF, 0);
  int rc = ac_run(main_concurrent, &m, free_main, flags, NULL, NULL);
  if (rc != 0) {
    fprintf(stderr, "tour: %s (%s)\n", ac_strerror(rc), ac_err_name(rc));
    return 1;
  }
  return 0;
}
