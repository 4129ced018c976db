/*
 * queue_consumers.c — one producer, two consumers and join, on a Queue.
 *
 * The C twin of asyncio's Queue example (examples/python/queue_consumers.py):
 *
 *   async def producer(queue, num_items):
 *       for i in range(num_items):
 *           item = f"item-{i}"
 *           await asyncio.sleep(random.uniform(0.1, 0.5))  # Simulate work
 *           await queue.put(item)
 *           print(f"Producer: Put {item} into queue")
 *       for _ in range(2):
 *           await queue.put(None)  # Sentinel to signal consumer to stop
 *
 *   async def consumer(queue, consumer_id):
 *       while True:
 *           item = await queue.get()
 *           if item is None:
 *               queue.task_done()
 *               break
 *           print(f"Consumer {consumer_id}: Got {item} from queue")
 *           await asyncio.sleep(random.uniform(0.2, 0.6))  # Simulate work
 *           queue.task_done()
 *       print(f"Consumer {consumer_id}: Finished")
 *
 *   async def main_queue():
 *       print("Starting main_queue")
 *       queue = asyncio.Queue()
 *       producer_task = asyncio.create_task(producer(queue, 5))
 *       consumer_tasks = [asyncio.create_task(consumer(queue, i)) for i in range(2)]
 *       await asyncio.gather(producer_task, *consumer_tasks)
 *       await queue.join()
 *       print("Finished main_queue")
 *
 * As in the Python twin, the random delays are fixed draws from the same
 * ranges, and the producer puts one sentinel per consumer (the guide's
 * single one leaves the second consumer waiting forever). The queue is
 * unbounded, so a put never waits (as in asyncio, where it then does not
 * suspend either).
 */
#include <asyncore.h>
#include <stdio.h>
#include <string.h>

enum { ITEMS = 5, CONSUMERS = 2 };

static ac_queue *queue;
static const double produce_delay[ITEMS] = {0.1, 0.25, 0.2, 0.25, 0.2}; /* uniform(0.1, 0.5) */
static const double consume_delay = 0.3; /* uniform(0.2, 0.6) */

struct producer_state {
  AC_ASYNC_FIELDS;
  int i;
};

static int producer(ac_task *task, void *state) {
  struct producer_state *p = state;
  char item[16];
  ac_value v;
  int rc;
  AC_BEGIN(p);
  for (p->i = 0; p->i < ITEMS; ++p->i) {
    AC_AWAIT(p, ac_task_sleep(task, produce_delay[p->i]));
    AC_CHECK(task);
    snprintf(item, sizeof item, "item-%d", p->i);
    ac_value_set_bytes(&v, item, strlen(item));  // the queue keeps a copy
    if ((rc = ac_queue_put_nowait(queue, &v)) < 0) return rc;
    printf("Producer: Put %s into queue\n", item);
  }
  for (p->i = 0; p->i < CONSUMERS; ++p->i) {
    ac_value_set_none(&v); /* Sentinel to signal consumer to stop */
    if ((rc = ac_queue_put_nowait(queue, &v)) < 0) return rc;
  }
  AC_END(p);
}

struct consumer_state {
  AC_ASYNC_FIELDS;
  int id;
};

static int consumer(ac_task *task, void *state) {
  struct consumer_state *c = state;
  ac_future *got;
  ac_value item;
  int rc;
  AC_BEGIN(c);
  for (;;) {
    if ((rc = ac_queue_get(queue, &got)) < 0) return rc;
    AC_AWAIT(c, ac_task_await_owned(task, got));
    AC_CHECK(task);
    ac_future_result(ac_task_awaited(task), &item); /* borrowed view */
    if (item.kind == AC_VALUE_NONE) {
      ac_queue_task_done(queue);
      break;
    }
    printf("Consumer %d: Got %.*s from queue\n", c->id, (int)item.u.bytes.len,
           (const char *)item.u.bytes.data);
    AC_AWAIT(c, ac_task_sleep(task, consume_delay));
    AC_CHECK(task);
    ac_queue_task_done(queue);
  }
  printf("Consumer %d: Finished\n", c->id);
  AC_END(c);
}

struct main_state {
  AC_ASYNC_FIELDS;
  ac_task *tasks[1 + CONSUMERS];
  int i;
};

static int main_queue(ac_task *task, void *state) {
  struct main_state *m = state;
  ac_loop *loop = ac_task_get_loop(task);
  ac_future *joined;
  int rc;
  AC_BEGIN(m);
  printf("Starting main_queue\n");
  if ((rc = ac_queue_new(loop, AC_QUEUE_FIFO, 0, &queue)) < 0) return rc;
  {
    struct producer_state *p;
    if ((rc = ac_task_new_inline(loop, producer, sizeof *p, 0, &m->tasks[0], (void **)&p)) < 0)
      return rc;
  }
  for (m->i = 0; m->i < CONSUMERS; ++m->i) {
    struct consumer_state *c;
    rc = ac_task_new_inline(loop, consumer, sizeof *c, 0, &m->tasks[1 + m->i], (void **)&c);
    if (rc < 0) return rc;
    c->id = m->i;
  }
  for (m->i = 0; m->i < 1 + CONSUMERS; ++m->i) {
    AC_AWAIT(m, ac_task_await(task, ac_task_future(m->tasks[m->i])));
    AC_CHECK(task);
  }
  if ((rc = ac_queue_join(queue, &joined)) < 0) return rc;
  AC_AWAIT(m, ac_task_await_owned(task, joined));
  AC_CHECK(task);
  printf("Finished main_queue\n");
  AC_END(m);
}

static void free_main(void *state) {
  struct main_state *m = state;
  for (int i = 0; i < 1 + CONSUMERS; ++i) ac_task_unref(m->tasks[i]);
  ac_queue_unref(queue);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) flags |= AC_LOOP_VIRTUAL_CLOCK;
  struct main_state m;
  memset(&m, 0, sizeof m);
  setvbuf(stdout, NULL, _IOLBF, 0);
  int rc = ac_run(main_queue, &m, free_main, flags, NULL, NULL);
  if (rc != 0) {
    fprintf(stderr, "queue_consumers: %s (%s)\n", ac_strerror(rc), ac_err_name(rc));
    return 1;
  }
  return 0;
}
