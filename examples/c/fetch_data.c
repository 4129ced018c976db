/*
 * fetch_data.c — coroutines run concurrently through gather:
 *
 *   async def fetch_data(delay_seconds: int, item: str):
 *       print(f"Start fetching {item}...")
 *       await asyncio.sleep(delay_seconds)
 *       print(f"Finished fetching {item}!")
 *       return f"Data for {item}"
 *
 *   async def main():
 *       print("Main started")
 *       coroutine1 = fetch_data(2, "user_profile")
 *       coroutine2 = fetch_data(1, "product_catalog")
 *       results = await asyncio.gather(coroutine1, coroutine2)
 *       print(f"Results: {results}")
 *       print("Main finished")
 *
 * The two fetches overlap (the run takes 2 s, not 3) and the results come
 * back in argument order. Pass --virtual-clock to run on the virtual clock.
 */
#include <asyncore.h>
#include <stdio.h>
#include <string.h>

struct fetch {
  AC_ASYNC_FIELDS;
  int delay_seconds;
  const char *item;
};

static int fetch_data(ac_task *task, void *state) {
  struct fetch *f = state;
  char text[64];
  ac_value v;
  AC_BEGIN(f);
  printf("Start fetching %s...\n", f->item);
  AC_AWAIT(f, ac_task_sleep(task, f->delay_seconds));
  AC_CHECK(task);
  printf("Finished fetching %s!\n", f->item);
  snprintf(text, sizeof text, "Data for %s", f->item);
  ac_value_set_bytes(&v, text, strlen(text));
  return ac_task_return(task, &v);
  AC_END(f);
}

struct main_state {
  AC_ASYNC_FIELDS;
  ac_task *tasks[2];
  ac_future *gather;
};

static int spawn_fetch(ac_loop *loop, int delay, const char *item, ac_task **out) {
  struct fetch *f;
  int rc = ac_task_new_inline(loop, fetch_data, sizeof *f, 0, out, (void **)&f);
  if (rc == 0) {
    f->delay_seconds = delay;
    f->item = item;
  }
  return rc;
}

static int main_step(ac_task *task, void *state) {
  struct main_state *m = state;
  ac_loop *loop = ac_task_get_loop(task);
  ac_future *items[2];
  ac_value r1, r2;
  int rc;
  AC_BEGIN(m);
  printf("Main started\n");
  if ((rc = spawn_fetch(loop, 2, "user_profile", &m->tasks[0])) < 0) return rc;
  if ((rc = spawn_fetch(loop, 1, "product_catalog", &m->tasks[1])) < 0) return rc;
  items[0] = ac_task_future(m->tasks[0]);
  items[1] = ac_task_future(m->tasks[1]);
  if ((rc = ac_gather(loop, items, 2, AC_GATHER_DEFAULT, &m->gather)) < 0) return rc;
  AC_AWAIT(m, ac_task_await(task, m->gather));
  AC_CHECK(task);
  ac_gather_result_at(m->gather, 0, &r1);
  ac_gather_result_at(m->gather, 1, &r2);
  printf("Results: ['%.*s', '%.*s']\n", (int)r1.u.bytes.len, (const char *)r1.u.bytes.data,
         (int)r2.u.bytes.len, (const char *)r2.u.bytes.data);
  printf("Main finished\n");
  AC_END(m);
}

static void free_main(void *state) {
  struct main_state *m = state;
  ac_task_unref(m->tasks[0]);
  ac_task_unref(m->tasks[1]);
  ac_future_unref(m->gather);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) flags |= AC_LOOP_VIRTUAL_CLOCK;
  struct main_state m = {0};
  int rc = ac_run(main_step, &m, free_main, flags, NULL, NULL);
  if (rc != 0) fprintf(stderr, "fetch_data: %s\n", ac_strerror(rc));
  return rc == 0 ? 0 : 1;
}
