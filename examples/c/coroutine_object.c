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
 * C has no coroutine object to print the class of. What it has is a task:
 * a step function and its state, handed to a loop. coro_obj here is such a
 * task, made on a loop that never runs, so its first step never runs:
 * "Starting my_coroutine" is never printed. The line shows what the task
 * says of itself: its name, its future's state (pending) and whether its
 * step has started (the state's resume point is still the first). So this
 * twin prints its own line (examples/expected/coroutine_object.c.txt), not
 * CPython's "<class 'coroutine'>". Closing the loop drops the task unrun
 * (the loop reports it, as CPython warns of a coroutine never awaited).
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

static const char *state_name(int state) {
  switch (state) {
    case AC_FUTURE_PENDING: return "pending";
    case AC_FUTURE_RESULT: return "finished";
    case AC_FUTURE_ERROR: return "failed";
    case AC_FUTURE_CANCELLED: return "cancelled";
    default: return "?";
  }
}

/* The loop's report of the task dropped unrun, on stdout with the rest. */
static void report(ac_loop *loop, const char *message, ac_error *err, ac_future *fut, void *ud) {
  (void)loop, (void)err, (void)fut, (void)ud;
  printf("%s\n", message);
}

int main(void) {
  ac_loop *loop;
  ac_task *coro_obj;
  struct my_coroutine state = {0};
  int rc = ac_loop_new(AC_LOOP_DEFAULT, &loop);
  if (rc < 0) return 1;
  ac_loop_set_exception_handler(loop, report, NULL, NULL);
  if ((rc = ac_task_new(loop, my_coroutine_step, &state, NULL, 0, &coro_obj)) < 0) return 1;
  printf("Type of coro_obj: ac_task %s (%s, %s)\n", ac_task_name(coro_obj),
         state_name(ac_future_state_of(ac_task_future(coro_obj))),
         state.ac_resume_point_ == 0 ? "not started" : "started");
  ac_task_unref(coro_obj);
  ac_loop_close(loop);
  ac_loop_unref(loop);
  return state.ac_resume_point_ == 0 ? 0 : 1;
}
