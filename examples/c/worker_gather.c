/*
 * worker_gather.c — gather for simple concurrency:
 *
 *   async def worker(name, delay):
 *       print(f"Worker {name}: Starting...")
 *       await asyncio.sleep(delay)
 *       print(f"Worker {name}: Finished after {delay} seconds.")
 *       return f"Result from {name}"
 *
 *   async def main_gather():
 *       print("Main: Scheduling workers with asyncio.gather...")
 *       results = await asyncio.gather(
 *           worker("Alpha", 2), worker("Beta", 1), worker("Gamma", 3))
 *       print(f"Main: All workers finished. Results: {results}")
 *
 * Pass --virtual-clock to run on the loop's virtual clock.
 */
#include <asyncore.h>
#include <stdio.h>
#include <string.h>

#define N_WORKERS 3

struct worker {
  AC_ASYNC_FIELDS;
  const char *name;
  int delay;
};

static int worker_step(ac_task *task, void *state) {
  struct worker *w = state;
  char text[64];
  ac_value v;
  AC_BEGIN(w);
  printf("Worker %s: Starting...\n", w->name);
  AC_AWAIT(w, ac_task_sleep(task, w->delay));
  AC_CHECK(task);
  printf("Worker %s: Finished after %d seconds.\n", w->name, w->delay);
  snprintf(text, sizeof text, "Result from %s", w->name);
  ac_value_set_bytes(&v, text, strlen(text));
  return ac_task_return(task, &v);
  AC_END(w);
}

struct main_state {
  AC_ASYNC_FIELDS;
  ac_task *tasks[N_WORKERS];
  ac_future *gather;
};

static int main_gather(ac_task *task, void *state) {
  struct main_state *m = state;
  ac_loop *loop = ac_task_get_loop(task);
  static const char *const names[N_WORKERS] = {"Alpha", "Beta", "Gamma"};
  static const int delays[N_WORKERS] = {2, 1, 3};
  ac_future *items[N_WORKERS];
  int rc;
  AC_BEGIN(m);
  printf("Main: Scheduling workers with asyncio.gather...\n");
  for (int i = 0; i < N_WORKERS; ++i) {
    struct worker *w;
    if ((rc = ac_task_new_inline(loop, worker_step, sizeof *w, 0, &m->tasks[i], (void **)&w)) < 0)
      return rc;
    w->name = names[i];
    w->delay = delays[i];
    items[i] = ac_task_future(m->tasks[i]);
  }
  if ((rc = ac_gather(loop, items, N_WORKERS, AC_GATHER_DEFAULT, &m->gather)) < 0) return rc;
  AC_AWAIT(m, ac_task_await(task, m->gather));
  AC_CHECK(task);
  printf("Main: All workers finished. Results: [");
  for (int i = 0; i < N_WORKERS; ++i) {
    ac_value v;
    ac_gather_result_at(m->gather, (size_t)i, &v);
    printf("%s'%.*s'", i ? ", " : "", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
  }
  printf("]\n");
  AC_END(m);
}

static void free_main(void *state) {
  struct main_state *m = state;
  for (int i = 0; i < N_WORKERS; ++i) ac_task_unref(m->tasks[i]);
  ac_future_unref(m->gather);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) flags |= AC_LOOP_VIRTUAL_CLOCK;
  struct main_state m = {0};
  int rc = ac_run(main_gather, &m, free_main, flags, NULL, NULL);
  if (rc != 0) fprintf(stderr, "worker_gather: %s\n", ac_strerror(rc));
  return rc == 0 ? 0 : 1;
}
