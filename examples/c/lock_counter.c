/*
 * lock_counter.c — five tasks increment a shared counter under a Lock.
 *
 * The C twin of asyncio's Lock example:
 *
 *   lock = asyncio.Lock()
 *   shared_resource = 0
 *
 *   async def increment_with_lock(task_id):
 *       global shared_resource
 *       print(f"Task {task_id}: Trying to acquire lock")
 *       async with lock:
 *           print(f"Task {task_id}: Lock acquired, current resource: {shared_resource}")
 *           await asyncio.sleep(0.01)
 *           shared_resource += 1
 *           print(f"Task {task_id}: Resource incremented to {shared_resource}, releasing lock")
 *
 *   async def main_lock():
 *       print("Starting main_lock")
 *       tasks = [asyncio.create_task(increment_with_lock(i)) for i in range(5)]
 *       await asyncio.gather(*tasks)
 *       print(f"Final shared resource value: {shared_resource}")
 *
 * Every task first announces itself (awaiting the acquire future takes one
 * trip through the loop), then the tasks get the lock one after the other in
 * the order they asked for it, and the final value is 5. Pass
 * --virtual-clock to run on the loop's virtual clock.
 */
#include <asyncore.h>
#include <stdio.h>
#include <string.h>

enum { TASKS = 5 };

static ac_lock *lock;
static int shared_resource;

struct worker {
  AC_ASYNC_FIELDS;
  int id;
};

static int increment_with_lock(ac_task *task, void *state) {
  struct worker *w = state;
  ac_future *acquired;
  int rc;
  AC_BEGIN(w);
  printf("Task %d: Trying to acquire lock\n", w->id);
  if ((rc = ac_lock_acquire(lock, &acquired)) < 0) return rc;
  AC_AWAIT(w, ac_task_await_owned(task, acquired));
  AC_CHECK(task);  // not acquired: nothing to release
  printf("Task %d: Lock acquired, current resource: %d\n", w->id, shared_resource);
  AC_AWAIT(w, ac_task_sleep(task, 0.01));
  if (ac_task_outcome(task) == 0) {
    shared_resource += 1;
    printf("Task %d: Resource incremented to %d, releasing lock\n", w->id, shared_resource);
  }
  ac_lock_release(lock);  // also when the sleep was cancelled ("async with")
  AC_CHECK(task);
  AC_END(w);
}

struct main_state {
  AC_ASYNC_FIELDS;
  ac_task *tasks[TASKS];
  int i;
};

static int main_lock(ac_task *task, void *state) {
  struct main_state *m = state;
  int rc;
  AC_BEGIN(m);
  printf("Starting main_lock\n");
  if ((rc = ac_lock_new(ac_task_get_loop(task), &lock)) < 0) return rc;
  for (m->i = 0; m->i < TASKS; ++m->i) {
    struct worker *w;
    rc = ac_task_new_inline(ac_task_get_loop(task), increment_with_lock, sizeof *w, 0,
                            &m->tasks[m->i], (void **)&w);
    if (rc < 0) return rc;
    w->id = m->i;
  }
  for (m->i = 0; m->i < TASKS; ++m->i) {
    AC_AWAIT(m, ac_task_await(task, ac_task_future(m->tasks[m->i])));
    AC_CHECK(task);
  }
  printf("Final shared resource value: %d\n", shared_resource);
  AC_END(m);
}

static void free_main(void *state) {
  struct main_state *m = state;
  for (int i = 0; i < TASKS; ++i) ac_task_unref(m->tasks[i]);
  ac_lock_unref(lock);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) flags |= AC_LOOP_VIRTUAL_CLOCK;
  struct main_state m;
  memset(&m, 0, sizeof m);
  setvbuf(stdout, NULL, _IOLBF, 0);
  int rc = ac_run(main_lock, &m, free_main, flags, NULL, NULL);
  if (rc != 0) {
    fprintf(stderr, "lock_counter: %s (%s)\n", ac_strerror(rc), ac_err_name(rc));
    return 1;
  }
  return shared_resource == TASKS ? 0 : 1;
}
