/*
 * gather_workers.c — run workers concurrently and collect their results in
 * argument order (asyncio.gather).
 *
 * The C twin of:
 *
 *   async def worker(name, delay):
 *       await asyncio.sleep(delay)
 *       return f"{name} finished after {delay}s"
 *
 *   async def main_gather():
 *       print("Starting main_gather")
 *       results = await asyncio.gather(
 *           worker("Worker A", 3), worker("Worker B", 1), worker("Worker C", 2))
 *       print("All workers finished.")
 *       for res in results:
 *           print(res)
 *
 * B finishes first and A last, yet the results come back in the order the
 * workers were passed; the whole run takes about 3 s, not 6. Pass
 * --virtual-clock to run on the loop's virtual clock (same output, no wait).
 */
#include <asyncore.h>
#include <stdio.h>
#include <string.h>

struct worker {
  AC_ASYNC_FIELDS;
  const char *name;
  int delay;
};

static int worker(ac_task *task, void *state) {
  struct worker *w = state;
  char text[64];
  AC_BEGIN(w);
  AC_AWAIT(w, ac_task_sleep(task, w->delay));
  AC_CHECK(task);
  snprintf(text, sizeof text, "%s finished after %ds", w->name, w->delay);
  {
    ac_value v;
    ac_value_set_bytes(&v, text, strlen(text));
    return ac_task_return(task, &v);  /* the bytes are copied */
  }
  AC_END(w);
}

static int start_worker(ac_loop *loop, const char *name, int delay, ac_task **out) {
  struct worker *w;
  int rc = ac_task_new_inline(loop, worker, sizeof *w, 0, out, (void **)&w);
  if (rc == 0) {
    w->name = name;
    w->delay = delay;
  }
  return rc;
}

struct main_state {
  AC_ASYNC_FIELDS;
  ac_task *workers[3];
  ac_future *gather;
};

static int main_gather(ac_task *task, void *state) {
  struct main_state *m = state;
  static const char *names[] = {"Worker A", "Worker B", "Worker C"};
  static const int delays[] = {3, 1, 2};
  ac_loop *loop = ac_task_get_loop(task);
  int rc;
  AC_BEGIN(m);
  printf("Starting main_gather\n");
  ac_future *items[3];
  for (int i = 0; i < 3; ++i) {
    if ((rc = start_worker(loop, names[i], delays[i], &m->workers[i])) < 0) return rc;
    items[i] = ac_task_future(m->workers[i]);
  }
  if ((rc = ac_gather(loop, items, 3, AC_GATHER_DEFAULT, &m->gather)) < 0) return rc;
  AC_AWAIT(m, ac_task_await(task, m->gather));
  AC_CHECK(task);
  printf("All workers finished.\n");
  for (size_t i = 0; i < 3; ++i) {
    ac_value v;
    if ((rc = ac_gather_result_at(m->gather, i, &v)) < 0) return rc;
    printf("%.*s\n", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
  }
  AC_END(m);
}

static void free_main(void *state) {
  struct main_state *m = state;
  for (int i = 0; i < 3; ++i) ac_task_unref(m->workers[i]);
  ac_future_unref(m->gather);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) flags |= AC_LOOP_VIRTUAL_CLOCK;
  struct main_state m = {0};
  setvbuf(stdout, NULL, _IOLBF, 0);
  int rc = ac_run(main_gather, &m, free_main, flags, NULL, NULL);
  if (rc != 0) {
    fprintf(stderr, "gather_workers: %s (%s)\n", ac_strerror(rc), ac_err_name(rc));
    return 1;
  }
  return 0;
}
