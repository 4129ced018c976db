/*
 * lock_shared_counter.c — three tasks update a shared counter under a Lock:
 *
 *   shared_counter = 0
 *   lock = asyncio.Lock()
 *
 *   async def increment_counter(task_id):
 *       global shared_counter
 *       print(f"Task {task_id}: Attempting to acquire lock...")
 *       async with lock:
 *           print(f"Task {task_id}: Lock acquired. Current counter: {shared_counter}")
 *           temp_counter = shared_counter
 *           await asyncio.sleep(0.1)
 *           shared_counter = temp_counter + 1
 *           print(f"Task {task_id}: Lock released. New counter: {shared_counter}")
 *
 *   async def main_locks():
 *       print("Main: Running tasks with shared counter...")
 *       await asyncio.gather(increment_counter(1), increment_counter(2), increment_counter(3))
 *       print(f"Main: Final shared counter value: {shared_counter}")
 *
 * The read-sleep-write would lose updates without the lock; with it the
 * counter ends at 3. As in asyncio, taking a free lock does not suspend:
 * the step awaits the acquire future only when it is not done yet, so
 * task 1 holds the lock before tasks 2 and 3 ask for it. The expected
 * output is CPython's. Pass --virtual-clock to run on the virtual clock.
 */
#include <asyncore.h>
#include <stdio.h>
#include <string.h>

enum { TASKS = 3 };

static ac_lock *lock;
static int shared_counter;

struct incrementer {
  AC_ASYNC_FIELDS;
  int id;
  int temp_counter;
  ac_future *acquired;
};

static int increment_counter(ac_task *task, void *state) {
  struct incrementer *w = state;
  int rc;
  AC_BEGIN(w);
  printf("Task %d: Attempting to acquire lock...\n", w->id);
  if ((rc = ac_lock_acquire(lock, &w->acquired)) < 0) return rc;
  if (!ac_future_done(w->acquired)) {
    AC_AWAIT(w, ac_task_await_owned(task, w->acquired));
    AC_CHECK(task); /* not acquired: nothing to release */
  } else {
    ac_future_unref(w->acquired);
  }
  printf("Task %d: Lock acquired. Current counter: %d\n", w->id, shared_counter);
  w->temp_counter = shared_counter;
  AC_AWAIT(w, ac_task_sleep(task, 0.1));
  if (ac_task_outcome(task) == 0) {
    shared_counter = w->temp_counter + 1;
    printf("Task %d: Lock released. New counter: %d\n", w->id, shared_counter);
  }
  ac_lock_release(lock); /* also when cancelled: "async with" */
  AC_CHECK(task);
  AC_END(w);
}

struct main_state {
  AC_ASYNC_FIELDS;
  ac_task *tasks[TASKS];
  ac_future *gather;
};

static int main_locks(ac_task *task, void *state) {
  struct main_state *m = state;
  ac_loop *loop = ac_task_get_loop(task);
  ac_future *items[TASKS];
  int rc;
  AC_BEGIN(m);
  if ((rc = ac_lock_new(loop, &lock)) < 0) return rc;
  printf("Main: Running tasks with shared counter...\n");
  for (int i = 0; i < TASKS; ++i) {
    struct incrementer *w;
    if ((rc = ac_task_new_inline(loop, increment_counter, sizeof *w, 0, &m->tasks[i], (void **)&w)) < 0)
      return rc;
    w->id = i + 1;
    items[i] = ac_task_future(m->tasks[i]);
  }
  if ((rc = ac_gather(loop, items, TASKS, AC_GATHER_DEFAULT, &m->gather)) < 0) return rc;
  AC_AWAIT(m, ac_task_await(task, m->gather));
  AC_CHECK(task);
  printf("Main: Final shared counter value: %d\n", shared_counter);
  AC_END(m);
}

static void free_main(void *state) {
  struct main_state *m = state;
  for (int i = 0; i < TASKS; ++i) ac_task_unref(m->tasks[i]);
  ac_future_unref(m->gather);
  ac_lock_unref(lock);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) flags |= AC_LOOP_VIRTUAL_CLOCK;
  struct main_state m;
  memset(&m, 0, sizeof m);
  int rc = ac_run(main_locks, &m, free_main, flags, NULL, NULL);
  if (rc != 0) fprintf(stderr, "lock_shared_counter: %s\n", ac_strerror(rc));
  return rc == 0 ? 0 : 1;
}
