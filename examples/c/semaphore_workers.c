/*
 * semaphore_workers.c — five workers, at most two at work at a time.
 *
 * The C twin of asyncio's Semaphore example:
 *
 *   semaphore = asyncio.Semaphore(2)
 *   async def limited_worker(task_id):
 *       print(f"Task {task_id}: Waiting for semaphore")
 *       async with semaphore:
 *           print(f"Task {task_id}: Acquired semaphore, working...")
 *           await asyncio.sleep(1)
 *           print(f"Task {task_id}: Releasing semaphore")
 *
 *   async def main_semaphore():
 *       print("Starting main_semaphore")
 *       tasks = [asyncio.create_task(limited_worker(i)) for i in range(5)]
 *       await asyncio.gather(*tasks)
 *       print("Finished main_semaphore")
 *
 * Workers enter in the order they asked (the semaphore is FIFO-fair) and the
 * program checks that never more than two are inside. The run takes about
 * 3 s (two, two, then one); --virtual-clock runs it without waiting.
 */
#include <asyncore.h>
#include <stdio.h>
#include <string.h>

enum { TASKS = 5, LIMIT = 2 };

static ac_semaphore *semaphore;
static int working, most_working;

struct worker {
  AC_ASYNC_FIELDS;
  int id;
};

static int limited_worker(ac_task *task, void *state) {
  struct worker *w = state;
  ac_future *acquired;
  int rc;
  AC_BEGIN(w);
  printf("Task %d: Waiting for semaphore\n", w->id);
  if ((rc = ac_semaphore_acquire(semaphore, &acquired)) < 0) return rc;
  AC_AWAIT(w, ac_task_await_owned(task, acquired));
  AC_CHECK(task);
  if (++working > most_working) most_working = working;
  printf("Task %d: Acquired semaphore, working...\n", w->id);
  AC_AWAIT(w, ac_task_sleep(task, 1));
  if (ac_task_outcome(task) == 0) printf("Task %d: Releasing semaphore\n", w->id);
  --working;
  ac_semaphore_release(semaphore);
  AC_CHECK(task);
  AC_END(w);
}

struct main_state {
  AC_ASYNC_FIELDS;
  ac_task *tasks[TASKS];
  int i;
};

static int main_semaphore(ac_task *task, void *state) {
  struct main_state *m = state;
  int rc;
  AC_BEGIN(m);
  printf("Starting main_semaphore\n");
  if ((rc = ac_semaphore_new(ac_task_get_loop(task), LIMIT, &semaphore)) < 0) return rc;
  for (m->i = 0; m->i < TASKS; ++m->i) {
    struct worker *w;
    rc = ac_task_new_inline(ac_task_get_loop(task), limited_worker, sizeof *w, 0,
                            &m->tasks[m->i], (void **)&w);
    if (rc < 0) return rc;
    w->id = m->i;
  }
  for (m->i = 0; m->i < TASKS; ++m->i) {
    AC_AWAIT(m, ac_task_await(task, ac_task_future(m->tasks[m->i])));
    AC_CHECK(task);
  }
  printf("Finished main_semaphore\n");
  AC_END(m);
}

static void free_main(void *state) {
  struct main_state *m = state;
  for (int i = 0; i < TASKS; ++i) ac_task_unref(m->tasks[i]);
  ac_semaphore_unref(semaphore);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) flags |= AC_LOOP_VIRTUAL_CLOCK;
  struct main_state m;
  memset(&m, 0, sizeof m);
  setvbuf(stdout, NULL, _IOLBF, 0);
  int rc = ac_run(main_semaphore, &m, free_main, flags, NULL, NULL);
  if (rc != 0) {
    fprintf(stderr, "semaphore_workers: %s (%s)\n", ac_strerror(rc), ac_err_name(rc));
    return 1;
  }
  if (most_working > LIMIT) {
    fprintf(stderr, "semaphore_workers: %d workers at once\n", most_working);
    return 1;
  }
  return 0;
}
