/*
 * hello_world.c — asyncio.run(main()) in C:
 *
 *   async def main():
 *       print("Hello")
 *       await asyncio.sleep(0.1)
 *       print("World")
 *
 *   asyncio.run(main())
 *
 * ac_run creates a loop, runs the main task to its end and closes the loop.
 * Pass --virtual-clock to run on the loop's virtual clock.
 */
#include <asyncore.h>
#include <stdio.h>
#include <string.h>

struct main_state {
  AC_ASYNC_FIELDS;
};

static int main_step(ac_task *task, void *state) {
  struct main_state *s = state;
  AC_BEGIN(s);
  printf("Hello\n");
  AC_AWAIT(s, ac_task_sleep(task, 0.1));
  AC_CHECK(task);
  printf("World\n");
  AC_END(s);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) flags |= AC_LOOP_VIRTUAL_CLOCK;
  struct main_state s = {0};
  int rc = ac_run(main_step, &s, NULL, flags, NULL, NULL);
  if (rc != 0) fprintf(stderr, "main failed: %s\n", ac_strerror(rc));
  return rc == 0 ? 0 : 1;
}
