/*
 * coroutine_object.c — a coroutine that is not scheduled does not run:
 *
 *   async def my_coroutine():
 *       print("Starting my_coroutine")
 *       await asyncio.sleep(1)
 *       print("Finished my_coroutine")
 *
 *   coro_obj = my_coroutine()
 *   print(f"Type of coro_obj: {type(coro_obj)}")
 *
 * In C the "coroutine object" is a step function and its state: making the
 * state runs nothing; only handing both to a loop (ac_task_new, ac_run)
 * does. "Starting my_coroutine" is never printed.
 */
#include <asyncore.h>
#include <stdio.h>

struct my_coroutine {
  AC_ASYNC_FIELDS;
};

static int my_coroutine_step(ac_task *task, void *state) {
  struct my_coroutine *s = state;
  AC_BEGIN(s);
  printf("Starting my_coroutine\n");
  AC_AWAIT(s, ac_task_sleep(task, 1));
  AC_CHECK(task);
  printf("Finished my_coroutine\n");
  AC_END(s);
}

int main(void) {
  struct my_coroutine coro_obj = {0};
  ac_step_fn step = my_coroutine_step; /* the coroutine, never scheduled */
  (void)step;
  printf("Type of coro_obj: <class 'coroutine'>\n");
  return coro_obj.ac_resume_point_ == 0 ? 0 : 1;
}
