/*
 * queue_producer_consumer.c — a producer and a consumer decoupled by a Queue:
 *
 *   async def producer(q: asyncio.Queue, num_items: int):
 *       for i in range(num_items):
 *           item = f"item_{i}"
 *           await q.put(item)
 *           print(f"Producer: Put {item} into queue")
 *           await asyncio.sleep(random.uniform(0.1, 0.5))
 *       await q.put(None)  # Sentinel to signal consumer to stop
 *
 *   async def consumer(q: asyncio.Queue):
 *       while True:
 *           item = await q.get()
 *           if item is None:
 *               print("Consumer: Received stop signal. Exiting.")
 *               q.task_done()
 *               break
 *           print(f"Consumer: Got {item} from queue, processing...")
 *           await asyncio.sleep(random.uniform(0.5, 1.0))
 *           print(f"Consumer: Finished processing {item}")
 *           q.task_done()
 *
 *   async def main_queue():
 *       queue = asyncio.Queue()
 *       await asyncio.gather(producer(queue, 5), consumer(queue))
 *       await queue.join()
 *       print("Main: All producer/consumer tasks finished.")
 *
 * The random delays are fixed draws from the same ranges, so the run is
 * deterministic; the expected output is CPython's with those delays. As in
 * asyncio, a put on an unbounded queue and a get of a queued item do not
 * suspend: the steps await their futures only when not done yet.
 * Pass --virtual-clock to run on the loop's virtual clock.
 */
#include <asyncore.h>
#include <stdio.h>
#include <string.h>

enum { ITEMS = 5 };

static const double produce_delay[ITEMS] = {0.2, 0.45, 0.15, 0.3, 0.4}; /* uniform(0.1, 0.5) */
static const double consume_delay[ITEMS] = {0.6, 0.85, 0.55, 0.9, 0.7}; /* uniform(0.5, 1.0) */

static ac_queue *queue;

struct producer_state {
  AC_ASYNC_FIELDS;
  int i;
  ac_future *put;
};

static int producer(ac_task *task, void *state) {
  struct producer_state *p = state;
  char item[32];
  ac_value v;
  int rc;
  AC_BEGIN(p);
  for (p->i = 0; p->i < ITEMS; ++p->i) {
    snprintf(item, sizeof item, "item_%d", p->i);
    ac_value_set_bytes(&v, item, strlen(item)); /* the queue keeps a copy */
    if ((rc = ac_queue_put(queue, &v, &p->put)) < 0) return rc;
    if (!ac_future_done(p->put)) {
      AC_AWAIT(p, ac_task_await(task, p->put));
    }
    rc = ac_future_result(p->put, NULL);
    ac_future_unref(p->put);
    if (rc < 0) return rc;
    printf("Producer: Put item_%d into queue\n", p->i);
    AC_AWAIT(p, ac_task_sleep(task, produce_delay[p->i]));
    AC_CHECK(task);
  }
  ac_value_set_none(&v); /* the sentinel */
  if ((rc = ac_queue_put(queue, &v, &p->put)) < 0) return rc;
  if (!ac_future_done(p->put)) {
    AC_AWAIT(p, ac_task_await(task, p->put));
  }
  rc = ac_future_result(p->put, NULL);
  ac_future_unref(p->put);
  if (rc < 0) return rc;
  AC_END(p);
}

struct consumer_state {
  AC_ASYNC_FIELDS;
  int n;
  ac_future *got;
  char item[16];
};

static int consumer(ac_task *task, void *state) {
  struct consumer_state *c = state;
  ac_value item;
  int rc;
  AC_BEGIN(c);
  for (;;) {
    if ((rc = ac_queue_get(queue, &c->got)) < 0) return rc;
    if (!ac_future_done(c->got)) {
      AC_AWAIT(c, ac_task_await(task, c->got));
    }
    rc = ac_future_result(c->got, &item); /* borrowed view */
    if (rc == 0 && item.kind == AC_VALUE_BYTES)
      snprintf(c->item, sizeof c->item, "%.*s", (int)item.u.bytes.len, (const char *)item.u.bytes.data);
    ac_future_unref(c->got);
    if (rc < 0) return rc;
    if (item.kind == AC_VALUE_NONE) {
      printf("Consumer: Received stop signal. Exiting.\n");
      ac_queue_task_done(queue);
      break;
    }
    printf("Consumer: Got %s from queue, processing...\n", c->item);
    AC_AWAIT(c, ac_task_sleep(task, consume_delay[c->n++]));
    AC_CHECK(task);
    printf("Consumer: Finished processing %s\n", c->item);
    ac_queue_task_done(queue);
  }
  AC_END(c);
}

struct main_state {
  AC_ASYNC_FIELDS;
  ac_task *tasks[2];
  ac_future *gather;
};

static int main_queue(ac_task *task, void *state) {
  struct main_state *m = state;
  ac_loop *loop = ac_task_get_loop(task);
  ac_future *items[2], *joined;
  int rc;
  AC_BEGIN(m);
  if ((rc = ac_queue_new(loop, AC_QUEUE_FIFO, 0, &queue)) < 0) return rc;
  {
    struct producer_state *p;
    struct consumer_state *c;
    if ((rc = ac_task_new_inline(loop, producer, sizeof *p, 0, &m->tasks[0], (void **)&p)) < 0) return rc;
    if ((rc = ac_task_new_inline(loop, consumer, sizeof *c, 0, &m->tasks[1], (void **)&c)) < 0) return rc;
  }
  items[0] = ac_task_future(m->tasks[0]);
  items[1] = ac_task_future(m->tasks[1]);
  if ((rc = ac_gather(loop, items, 2, AC_GATHER_DEFAULT, &m->gather)) < 0) return rc;
  AC_AWAIT(m, ac_task_await(task, m->gather));
  AC_CHECK(task);
  if ((rc = ac_queue_join(queue, &joined)) < 0) return rc;
  AC_AWAIT(m, ac_task_await_owned(task, joined));
  AC_CHECK(task);
  printf("Main: All producer/consumer tasks finished.\n");
  AC_END(m);
}

static void free_main(void *state) {
  struct main_state *m = state;
  ac_task_unref(m->tasks[0]);
  ac_task_unref(m->tasks[1]);
  ac_future_unref(m->gather);
  ac_queue_unref(queue);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) flags |= AC_LOOP_VIRTUAL_CLOCK;
  struct main_state m;
  memset(&m, 0, sizeof m);
  int rc = ac_run(main_queue, &m, free_main, flags, NULL, NULL);
  if (rc != 0) fprintf(stderr, "queue_producer_consumer: %s\n", ac_strerror(rc));
  return rc == 0 ? 0 : 1;
}
