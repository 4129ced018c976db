/*
 * wait_for_timeout.c — give a task a deadline (asyncio.wait_for): on
 * timeout the task is cancelled, its cleanup runs, and only then is the
 * timeout reported.
 *
 * The C twin of:
 *
 *   async def long_running_task():
 *       try:
 *           print("Long-running task: Starting...")
 *           for i in range(5):
 *               await asyncio.sleep(1)
 *               print(f"Long-running task: {i+1} second passed.")
 *           return "Task completed successfully"
 *       except asyncio.CancelledError:
 *           print("Long-running task: Was cancelled!")
 *           raise
 *       finally:
 *           print("Long-running task: Cleanup done.")
 *
 *   async def main_timeout():
 *       print("Main: Starting task with a timeout...")
 *       try:
 *           result = await asyncio.wait_for(long_running_task(), timeout=2.5)
 *           print(f"Main: Result: {result}")
 *       except asyncio.TimeoutError:
 *           print("Main: Task timed out after 2.5 seconds!")
 *       except asyncio.CancelledError:
 *           print("Main: Task was explicitly cancelled outside of timeout (e.g., by another task).")
 *       print("Main: Finished.")
 *
 * Pass --virtual-clock to run on the loop's virtual clock.
 */
#include <asyncore.h>
#include <stdio.h>
#include <string.h>

struct long_running {
  AC_ASYNC_FIELDS;
  int i;
};

static int long_running_task(ac_task *task, void *state) {
  struct long_running *s = state;
  int rc = 0;
  AC_BEGIN(s);
  printf("Long-running task: Starting...\n");
  for (s->i = 0; s->i < 5; ++s->i) {
    AC_AWAIT(s, ac_task_sleep(task, 1));  /* a cancellation point */
    if ((rc = ac_task_propagate(task)) < 0) break;
    printf("Long-running task: %d second passed.\n", s->i + 1);
  }
  if (rc == AC_ECANCELLED) printf("Long-running task: Was cancelled!\n");
  printf("Long-running task: Cleanup done.\n");  /* finally */
  if (rc < 0) return rc;
  {
    static const char done[] = "Task completed successfully";
    ac_value v;
    ac_value_set_bytes(&v, done, sizeof done - 1);
    return ac_task_return(task, &v);
  }
  AC_END(s);
}

struct main_state {
  AC_ASYNC_FIELDS;
  ac_task *worker;
  ac_future *deadline;
};

static int main_timeout(ac_task *task, void *state) {
  struct main_state *m = state;
  ac_loop *loop = ac_task_get_loop(task);
  struct long_running *s;
  int rc;
  AC_BEGIN(m);
  printf("Main: Starting task with a timeout...\n");
  if ((rc = ac_task_new_inline(loop, long_running_task, sizeof *s, 0, &m->worker, (void **)&s)) < 0)
    return rc;
  if ((rc = ac_wait_for(loop, ac_task_future(m->worker), 2.5, &m->deadline)) < 0) return rc;
  AC_AWAIT(m, ac_task_await(task, m->deadline));
  rc = ac_task_outcome(task);
  if (rc == 0) {
    ac_value v;
    ac_future_result(m->deadline, &v);
    printf("Main: Result: %.*s\n", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
  } else if (rc == AC_ETIMEDOUT) {
    printf("Main: Task timed out after 2.5 seconds!\n");
  } else if (rc == AC_ECANCELLED) {
    printf("Main: Task was explicitly cancelled outside of timeout (e.g., by another task).\n");
  } else {
    return ac_task_propagate(task);
  }
  printf("Main: Finished.\n");
  AC_END(m);
}

static void free_main(void *state) {
  struct main_state *m = state;
  ac_task_unref(m->worker);
  ac_future_unref(m->deadline);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) flags |= AC_LOOP_VIRTUAL_CLOCK;
  struct main_state m = {0};
  setvbuf(stdout, NULL, _IOLBF, 0);
  int rc = ac_run(main_timeout, &m, free_main, flags, NULL, NULL);
  if (rc != 0) {
    fprintf(stderr, "wait_for_timeout: %s (%s)\n", ac_strerror(rc), ac_err_name(rc));
    return 1;
  }
  return 0;
}
