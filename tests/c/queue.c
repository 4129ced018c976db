/* queue.c — ac_queue: FIFO/LIFO/priority order, nowait errors, waiting
 * puts and gets, no item lost to a cancelled get, task_done/join,
 * shutdown (plain and immediate), item ownership, misuse. */
#include "sync_helpers.h"

static int put_int(ac_queue *q, int64_t v) {
  ac_value x;
  ac_value_set_int64(&x, v);
  return ac_queue_put_nowait(q, &x);
}
static int64_t get_int(ac_queue *q) {
  ac_value v;
  int rc = ac_queue_get_nowait(q, &v, NULL);
  if (rc != 0) return rc;
  return v.u.i64;
}
static ac_future *put_later(ac_queue *q, int64_t v) {
  ac_value x;
  ac_future *f = NULL;
  ac_value_set_int64(&x, v);
  CHECK_RC(ac_queue_put(q, &x, &f), 0);
  return f;
}
static ac_future *get_later(ac_queue *q) {
  ac_future *f = NULL;
  CHECK_RC(ac_queue_get(q, &f), 0);
  return f;
}

static void test_fifo_lifo_and_priority_orders(void) {
  ac_loop *loop = th_loop();
  ac_queue *q;
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 0, &q), 0);
  for (int i = 1; i <= 3; ++i) CHECK_RC(put_int(q, i), 0);
  CHECK_INT(ac_queue_qsize(q), 3);
  CHECK_INT(get_int(q), 1);
  CHECK_INT(get_int(q), 2);
  CHECK_INT(get_int(q), 3);
  ac_queue_unref(q);

  CHECK_RC(ac_queue_new(loop, AC_QUEUE_LIFO, 0, &q), 0);
  for (int i = 1; i <= 3; ++i) CHECK_RC(put_int(q, i), 0);
  CHECK_INT(get_int(q), 3);
  CHECK_INT(get_int(q), 2);
  CHECK_INT(get_int(q), 1);
  ac_queue_unref(q);

  CHECK_RC(ac_queue_new(loop, AC_QUEUE_PRIORITY, 0, &q), 0);
  static const int64_t prio[] = {5, 1, 5, 3, 1};
  for (int i = 0; i < 5; ++i) {
    ac_value x;
    ac_value_set_int64(&x, 10 + i);
    CHECK_RC(ac_queue_put_priority_nowait(q, prio[i], &x), 0);
  }
  static const int64_t want[] = {11, 14, 13, 10, 12};  // by priority, FIFO on ties
  for (int i = 0; i < 5; ++i) {
    ac_value v;
    int64_t p = -1;
    CHECK_RC(ac_queue_get_nowait(q, &v, &p), 0);
    CHECK_INT(v.u.i64, want[i]);
    CHECK_INT(p, prio[want[i] - 10]);
  }
  ac_queue_unref(q);
  th_close(loop);
}

static void test_nowait_calls_report_full_and_empty(void) {
  ac_loop *loop = th_loop();
  ac_queue *q;
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 2, &q), 0);
  CHECK_INT(ac_queue_maxsize(q), 2);
  CHECK_RC(ac_queue_empty(q), 1);
  CHECK_INT(get_int(q), AC_EEMPTY);
  CHECK_RC(put_int(q, 1), 0);
  CHECK_RC(put_int(q, 2), 0);
  CHECK_RC(ac_queue_full(q), 1);
  CHECK_RC(put_int(q, 3), AC_EFULL);
  CHECK_INT(ac_queue_qsize(q), 2);
  ac_queue_unref(q);
  /* asyncio: a maxsize <= 0 is no bound (a negative one comes through
   * size_t). */
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, (size_t)-1, &q), 0);
  CHECK_INT(ac_queue_maxsize(q), -1);
  for (int i = 0; i < 100; ++i) CHECK_RC(put_int(q, i), 0);
  CHECK_RC(ac_queue_full(q), 0);
  ac_queue_unref(q);
  th_close(loop);
}

/* asyncio: a get wakes the first waiting put, which puts its item when its
 * task runs; a put wakes the first waiting get, which takes the item (still
 * counted by qsize until then) when its task runs. */
static void test_put_waits_for_room_and_get_waits_for_an_item(void) {
  ac_loop *loop = th_loop();
  ac_queue *q;
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 1, &q), 0);
  ac_future *p1 = put_later(q, 1);
  CHECK_RC(ac_future_done(p1), 1);
  ac_task *a = spawn_awaiter(loop, "put 1", p1);
  ac_task *b = spawn_awaiter(loop, "put 2", put_later(q, 2));
  run_all(loop);
  CHECK_TRACE("put 1: ok at 0\n");
  CHECK_INT(get_int(q), 1);  // room: "put 2" is woken ...
  CHECK_INT(ac_queue_qsize(q), 0);
  run_all(loop);
  CHECK_TRACE("put 2: ok at 0\n");  // ... and puts on its turn
  CHECK_INT(ac_queue_qsize(q), 1);
  CHECK_INT(get_int(q), 2);
  ac_task *c = spawn_awaiter(loop, "get", get_later(q));
  run_all(loop);
  CHECK_TRACE("");
  CHECK_RC(put_int(q, 7), 0);  // wakes the waiting getter ...
  CHECK_INT(ac_queue_qsize(q), 1);
  run_all(loop);
  CHECK_TRACE("get: ok 7 at 0\n");  // ... which takes it on its turn
  CHECK_INT(ac_queue_qsize(q), 0);
  ac_task_unref(a);
  ac_task_unref(b);
  ac_task_unref(c);
  ac_queue_unref(q);
  th_close(loop);
}

static void test_getters_and_putters_are_served_in_order(void) {
  ac_loop *loop = th_loop();
  ac_queue *q;
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 0, &q), 0);
  ac_task *g1 = spawn_awaiter(loop, "g1", get_later(q));
  ac_task *g2 = spawn_awaiter(loop, "g2", get_later(q));
  run_all(loop);
  CHECK_RC(put_int(q, 1), 0);
  CHECK_RC(put_int(q, 2), 0);
  run_all(loop);
  CHECK_TRACE("g1: ok 1 at 0\ng2: ok 2 at 0\n");
  ac_task_unref(g1);
  ac_task_unref(g2);
  ac_queue_unref(q);
  th_close(loop);
}

/* asyncio: a getter woken by a put but cancelled before its task runs
 * takes nothing and wakes the next getter, which gets the item
 * (test_queues.py test_get_cancel_drop_many_pending_readers). */
static void test_item_woken_for_a_cancelled_getter_goes_to_the_next(void) {
  ac_loop *loop = th_loop();
  ac_queue *q;
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 0, &q), 0);
  ac_task *g1 = spawn_awaiter(loop, "g1", get_later(q));
  ac_task *g2 = spawn_awaiter(loop, "g2", get_later(q));
  run_all(loop);
  CHECK_RC(put_int(q, 1), 0);            // wakes g1 ...
  CHECK_RC(ac_task_cancel(g1, NULL), 1);  // ... cancelled before it runs
  run_all(loop);
  CHECK_TRACE("g1: AC_ECANCELLED at 0\ng2: ok 1 at 0\n");
  CHECK_INT(ac_queue_qsize(q), 0);
  ac_task_unref(g1);
  ac_task_unref(g2);
  ac_queue_unref(q);
  th_close(loop);
}

/* asyncio: a woken getter cancelled before it runs takes nothing, so the
 * queue keeps its order (test_queues.py
 * test_get_cancel_drop_one_pending_reader). */
static void test_cancelled_getter_takes_nothing_and_the_order_is_kept(void) {
  ac_loop *loop = th_loop();
  ac_queue *q;
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 0, &q), 0);
  ac_task *g1 = spawn_awaiter(loop, "g1", get_later(q));
  run_all(loop);
  CHECK_RC(put_int(q, 1), 0);
  CHECK_RC(put_int(q, 2), 0);
  CHECK_RC(ac_task_cancel(g1, NULL), 1);
  run_all(loop);
  CHECK_TRACE("g1: AC_ECANCELLED at 0\n");
  CHECK_INT(ac_queue_qsize(q), 2);
  CHECK_INT(get_int(q), 1);  // first in, still first out
  CHECK_INT(get_int(q), 2);
  ac_task_unref(g1);
  ac_queue_unref(q);
  th_close(loop);
}

/* Cancels itself, gets (an item is there), then sleeps(0). */
struct self_cancelling_getter {
  AC_ASYNC_FIELDS;
  ac_queue *q;
};
static int self_cancelling_getter_step(ac_task *t, void *p) {
  struct self_cancelling_getter *s = p;
  ac_future *f;
  AC_BEGIN(s);
  CHECK_RC(ac_task_cancel(t, NULL), 1);
  if (ac_queue_get(s->q, &f) != 0) return AC_EINVAL;
  AC_AWAIT(s, ac_task_await_owned(t, f));
  trace_outcome(t, "get");
  AC_AWAIT(s, ac_task_sleep(t, 0));
  trace("sleep(0): %s", ac_err_name(ac_task_outcome(t)));
  return ac_task_propagate(t);
  AC_END(s);
}

/* asyncio: a get that finds an item does not suspend, so a cancellation
 * requested before it is not delivered there: the task gets the item and
 * sees the cancellation at its next await that suspends. */
static void test_get_of_a_present_item_does_not_deliver_a_pending_cancellation(void) {
  ac_loop *loop = th_loop();
  ac_queue *q;
  struct self_cancelling_getter *s;
  ac_task *t;
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 0, &q), 0);
  CHECK_RC(put_int(q, 3), 0);
  CHECK_RC(ac_task_new_inline(loop, self_cancelling_getter_step, sizeof *s, 0, &t, (void **)&s), 0);
  s->q = q;
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), AC_ECANCELLED);
  CHECK_TRACE("get: ok 3 at 0\nsleep(0): AC_ECANCELLED\n");
  CHECK_INT(ac_queue_qsize(q), 0);
  ac_task_unref(t);
  ac_queue_unref(q);
  th_close(loop);
}

static void test_cancelled_put_releases_its_item(void) {
  ac_loop *loop = th_loop();
  ac_queue *q;
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 1, &q), 0);
  g_frees = 0;
  ac_value x;
  ac_value_set_pointer(&x, &x, count_free);
  CHECK_RC(ac_queue_put_nowait(q, &x), 0);
  ac_future *f;
  CHECK_RC(ac_queue_put(q, &x, &f), 0);  // waits: full
  ac_task *p = spawn_awaiter(loop, "p", f);
  run_all(loop);
  CHECK_RC(ac_task_cancel(p, NULL), 1);
  run_all(loop);
  CHECK_TRACE("p: AC_ECANCELLED at 0\n");
  CHECK_INT(g_frees, 1);
  CHECK_INT(ac_queue_qsize(q), 1);
  ac_task_unref(p);
  ac_queue_unref(q);  // the queued item is released with the queue
  CHECK_INT(g_frees, 2);

  /* asyncio: a put woken because a slot was freed, but cancelled before
   * its task runs, puts nothing (its item is released, never queued) and
   * hands the slot to the next waiting put, whose item goes in. */
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 1, &q), 0);
  g_frees = 0;
  CHECK_RC(put_int(q, 1), 0);
  ac_value_set_pointer(&x, &x, count_free);
  CHECK_RC(ac_queue_put(q, &x, &f), 0);  // waits: full
  ac_task *p1 = spawn_awaiter(loop, "p1", f);
  ac_task *p2 = spawn_awaiter(loop, "p2", put_later(q, 3));
  run_all(loop);
  CHECK_TRACE("");
  CHECK_INT(get_int(q), 1);               // a slot: wakes p1 ...
  CHECK_RC(ac_task_cancel(p1, NULL), 1);  // ... cancelled before it runs
  run_all(loop);
  CHECK_TRACE("p1: AC_ECANCELLED at 0\np2: ok at 0\n");
  CHECK_INT(g_frees, 1);  // p1's item: released, not queued
  CHECK_INT(ac_queue_qsize(q), 1);
  CHECK_INT(get_int(q), 3);  // p2's item, the only one
  CHECK_RC(ac_queue_empty(q), 1);
  CHECK_RC(put_int(q, 4), 0);  // a retried put goes in once
  CHECK_INT(ac_queue_qsize(q), 1);
  ac_task_unref(p1);
  ac_task_unref(p2);
  ac_queue_unref(q);
  th_close(loop);
}

/* asyncio: join waits until every item put is marked done; one task_done
 * too many raises ValueError("task_done() called too many times"). */
static void test_task_done_and_join(void) {
  ac_loop *loop = th_loop();
  ac_queue *q;
  ac_future *j;
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 0, &q), 0);
  CHECK_RC(ac_queue_task_done(q), AC_EINVAL);
  CHECK_STR(ac_last_error_message(AC_EINVAL), "task_done() called too many times");
  CHECK_RC(ac_queue_join(q, &j), 0);
  CHECK_RC(ac_future_done(j), 1);  // nothing unfinished
  ac_future_unref(j);
  CHECK_RC(put_int(q, 1), 0);
  CHECK_RC(put_int(q, 2), 0);
  CHECK_RC(ac_queue_join(q, &j), 0);
  ac_task *t = spawn_awaiter(loop, "join", j);
  CHECK_INT(get_int(q), 1);
  CHECK_INT(get_int(q), 2);
  CHECK_RC(ac_queue_task_done(q), 0);
  run_all(loop);
  CHECK_TRACE("");
  CHECK_RC(ac_queue_task_done(q), 0);
  run_all(loop);
  CHECK_TRACE("join: ok at 0\n");
  CHECK_RC(ac_queue_task_done(q), AC_EINVAL);
  CHECK_STR(ac_last_error_message(AC_EINVAL), "task_done() called too many times");
  ac_task_unref(t);
  ac_queue_unref(q);
  th_close(loop);
}

static void test_shutdown_fails_puts_and_drains_gets(void) {
  ac_loop *loop = th_loop();
  ac_queue *q;
  ac_future *f;
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 1, &q), 0);
  CHECK_RC(put_int(q, 1), 0);
  ac_task *p = spawn_awaiter(loop, "put", put_later(q, 2));
  run_all(loop);
  CHECK_RC(ac_queue_shutdown(q, 0), 0);
  CHECK_RC(ac_queue_is_shutdown(q), 1);
  run_all(loop);
  CHECK_TRACE("put: AC_ESHUTDOWN at 0\n");
  CHECK_RC(put_int(q, 3), AC_ESHUTDOWN);
  ac_value x;
  ac_value_set_int64(&x, 3);
  CHECK_RC(ac_queue_put(q, &x, &f), AC_ESHUTDOWN);
  CHECK_INT(get_int(q), 1);  // what was queued still comes out
  CHECK_INT(get_int(q), AC_ESHUTDOWN);
  CHECK_RC(ac_queue_get(q, &f), AC_ESHUTDOWN);
  ac_task_unref(p);
  ac_queue_unref(q);
  th_close(loop);
}

static void test_shutdown_fails_waiting_gets(void) {
  ac_loop *loop = th_loop();
  ac_queue *q;
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 0, &q), 0);
  ac_task *g = spawn_awaiter(loop, "get", get_later(q));
  run_all(loop);
  CHECK_RC(ac_queue_shutdown(q, 0), 0);
  run_all(loop);
  CHECK_TRACE("get: AC_ESHUTDOWN at 0\n");
  ac_task_unref(g);
  ac_queue_unref(q);
  th_close(loop);
}

static void test_immediate_shutdown_drops_items_and_releases_join(void) {
  ac_loop *loop = th_loop();
  ac_queue *q;
  ac_future *j;
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 0, &q), 0);
  g_frees = 0;
  ac_value x;
  ac_value_set_pointer(&x, &x, count_free);
  CHECK_RC(ac_queue_put_nowait(q, &x), 0);
  CHECK_RC(ac_queue_put_nowait(q, &x), 0);
  CHECK_RC(put_int(q, 3), 0);
  CHECK_RC(ac_queue_join(q, &j), 0);
  ac_task *t = spawn_awaiter(loop, "join", j);
  run_all(loop);
  CHECK_TRACE("");
  CHECK_RC(ac_queue_shutdown(q, 1), 0);
  CHECK_INT(ac_queue_qsize(q), 0);
  run_all(loop);
  CHECK_TRACE("join: ok at 0\n");
  CHECK_RC(ac_queue_task_done(q), AC_EINVAL);  // the dropped items count as done
  CHECK_INT(g_frees, 2);
  ac_task_unref(t);
  ac_queue_unref(q);
  th_close(loop);
}

static void test_items_are_copied_or_owned(void) {
  ac_loop *loop = th_loop();
  ac_queue *q;
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 1, &q), 0);
  char buf[6] = "hello";
  ac_value x, v;
  ac_value_set_bytes(&x, buf, 5);
  CHECK_RC(ac_queue_put_nowait(q, &x), 0);
  buf[0] = 'j';  // the queue has its own copy
  g_frees = 0;
  ac_value_set_pointer(&x, buf, count_free);
  CHECK_RC(ac_queue_put_nowait(q, &x), AC_EFULL);
  CHECK_INT(g_frees, 0);  // refused: still the caller's
  CHECK_RC(ac_queue_get_nowait(q, &v, NULL), 0);
  CHECK_INT(v.kind, AC_VALUE_BYTES);
  CHECK(v.u.bytes.len == 5 && memcmp(v.u.bytes.data, "hello", 5) == 0);
  ac_value_clear(&v);
  /* A get future hands its item out with take_result. */
  ac_future *f;
  CHECK_RC(ac_queue_put_nowait(q, &x), 0);
  CHECK_RC(ac_queue_get(q, &f), 0);
  CHECK_RC(ac_future_take_result(f, &v), 0);
  CHECK(v.kind == AC_VALUE_POINTER && v.u.pointer.ptr == buf);
  ac_future_unref(f);
  CHECK_INT(g_frees, 0);
  ac_value_clear(&v);
  CHECK_INT(g_frees, 1);
  ac_queue_unref(q);
  th_close(loop);
}

static void test_destroying_a_queue_fails_its_waiters(void) {
  ac_loop *loop = th_loop();
  ac_queue *q;
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 0, &q), 0);
  ac_task *g = spawn_awaiter(loop, "get", get_later(q));
  run_all(loop);
  ac_queue_unref(q);
  run_all(loop);
  CHECK_TRACE("get: AC_ECLOSED at 0\n");
  ac_task_unref(g);
  th_close(loop);
}

static void test_queue_misuse_returns_codes(void) {
  ac_loop *loop = th_loop();
  ac_queue *q;
  ac_future *f;
  ac_value x, v;
  ac_value_set_int64(&x, 1);
  CHECK_RC(ac_queue_new(loop, 3, 0, &q), AC_EINVAL);
  CHECK_RC(ac_queue_new(loop, -1, 0, &q), AC_EINVAL);
  CHECK_RC(ac_queue_new(NULL, AC_QUEUE_FIFO, 0, &q), AC_EINVAL);
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 0, NULL), AC_EINVAL);
  CHECK_RC(ac_queue_put(NULL, &x, &f), AC_EINVAL);
  CHECK_RC(ac_queue_put_nowait(NULL, &x), AC_EINVAL);
  CHECK_RC(ac_queue_get(NULL, &f), AC_EINVAL);
  CHECK_RC(ac_queue_get_nowait(NULL, &v, NULL), AC_EINVAL);
  CHECK_RC(ac_queue_task_done(NULL), AC_EINVAL);
  CHECK_RC(ac_queue_join(NULL, &f), AC_EINVAL);
  CHECK_RC(ac_queue_shutdown(NULL, 0), AC_EINVAL);
  CHECK_INT(ac_queue_qsize(NULL), AC_EINVAL);
  CHECK_RC(ac_queue_empty(NULL), AC_EINVAL);
  CHECK_RC(ac_queue_full(NULL), AC_EINVAL);
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 0, &q), 0);
  CHECK_RC(ac_queue_put(q, &x, NULL), AC_EINVAL);
  CHECK_RC(ac_queue_get(q, NULL), AC_EINVAL);
  CHECK_RC(ac_queue_get_nowait(q, NULL, NULL), AC_EINVAL);
  CHECK_RC(ac_queue_put_priority_nowait(q, 1, &x), AC_EINVAL);  // not a priority queue
  ac_value bad;
  ac_value_set_bytes(&bad, NULL, 3);
  CHECK_RC(ac_queue_put_nowait(q, &bad), AC_EINVAL);
  bad.kind = 99;
  CHECK_RC(ac_queue_put_nowait(q, &bad), AC_EINVAL);
  CHECK_RC(ac_queue_put_nowait(q, NULL), AC_EINVAL);  // an item is required ...
  ac_value none;
  ac_value_set_none(&none);
  CHECK_RC(ac_queue_put_nowait(q, &none), 0);  // ... and NONE is one (asyncio: None)
  CHECK_INT(ac_queue_qsize(q), 1);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_RC(ac_queue_put_nowait(q, &x), AC_ECLOSED);
  CHECK_RC(ac_queue_get(q, &f), AC_ECLOSED);
  CHECK_RC(ac_queue_shutdown(q, 1), AC_ECLOSED);
  ac_queue_unref(q);
  ac_loop_unref(loop);
}

int main(void) {
  RUN(test_fifo_lifo_and_priority_orders);
  RUN(test_nowait_calls_report_full_and_empty);
  RUN(test_put_waits_for_room_and_get_waits_for_an_item);
  RUN(test_getters_and_putters_are_served_in_order);
  RUN(test_item_woken_for_a_cancelled_getter_goes_to_the_next);
  RUN(test_cancelled_getter_takes_nothing_and_the_order_is_kept);
  RUN(test_get_of_a_present_item_does_not_deliver_a_pending_cancellation);
  RUN(test_cancelled_put_releases_its_item);
  RUN(test_task_done_and_join);
  RUN(test_shutdown_fails_puts_and_drains_gets);
  RUN(test_shutdown_fails_waiting_gets);
  RUN(test_immediate_shutdown_drops_items_and_releases_join);
  RUN(test_items_are_copied_or_owned);
  RUN(test_destroying_a_queue_fails_its_waiters);
  RUN(test_queue_misuse_returns_codes);
  return th_finish();
}
