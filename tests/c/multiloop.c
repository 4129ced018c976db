#define _POSIX_C_SOURCE 200809L
/* multiloop.c — a loop per thread: several loops running at once with their
 * own tasks, work and results handed between loops, a loop closing while
 * another thread submits to it, and 100,000 thread-safe callbacks from 4
 * threads with none lost. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "harness.h"

static atomic_int frees, ran;
static void count_free(void *ud) {
  (void)ud;
  atomic_fetch_add(&frees, 1);
}
static void count_run(ac_loop *loop, void *ud) {
  (void)loop;
  (void)ud;
  atomic_fetch_add(&ran, 1);
}

struct loop_thread {
  pthread_t th;
  ac_loop *loop;
  ac_tsfuture *ready;
};
/* Tasks still pending when a test stops its loop are expected here. */
static atomic_int reports;
static void count_report(ac_loop *loop, const char *message, ac_error *error, ac_future *future,
                         void *ud) {
  (void)loop;
  (void)message;
  (void)error;
  (void)future;
  (void)ud;
  atomic_fetch_add(&reports, 1);
}
static void *loop_main(void *p) {
  struct loop_thread *lt = p;
  ac_loop_new(AC_LOOP_DEFAULT, &lt->loop);
  ac_loop_set_exception_handler(lt->loop, count_report, NULL, NULL);
  ac_tsfuture_set_result_none(lt->ready);
  ac_loop_run_forever(lt->loop);
  ac_loop_close(lt->loop);
  return NULL;
}
static void start_loop_thread(struct loop_thread *lt) {
  ac_tsfuture_new(&lt->ready);
  pthread_create(&lt->th, NULL, loop_main, lt);
  ac_tsfuture_wait(lt->ready, -1);
  ac_tsfuture_unref(lt->ready);
}
static void stop_cb(ac_loop *loop, void *ud) {
  (void)ud;
  ac_loop_stop(loop);
}
static void stop_loop_thread(struct loop_thread *lt) {
  CHECK_RC(ac_loop_call_soon_threadsafe(lt->loop, stop_cb, NULL, NULL), 0);
  pthread_join(lt->th, NULL);
  ac_loop_unref(lt->loop);
}

/* ---- several loops, each with its own tasks ---- */

struct counter_task {
  AC_ASYNC_FIELDS;
  int i, n;
};
static int count_with_sleeps(ac_task *t, void *p) {
  struct counter_task *s = p;
  AC_BEGIN(s);
  for (s->i = 0; s->i < s->n; ++s->i) AC_AWAIT(s, ac_task_sleep(t, 1));
  return ac_task_return_double(t, ac_loop_time(ac_task_get_loop(t)));
  AC_END(s);
}
struct runner {
  pthread_t th;
  int n;
  int rc;
  double finished_at;
};
static void *run_own_loop(void *p) {
  struct runner *r = p;
  struct counter_task st = {0};
  ac_value v;
  st.n = r->n;
  r->rc = ac_run(count_with_sleeps, &st, NULL, AC_LOOP_VIRTUAL_CLOCK, &v, NULL);
  if (r->rc == 0) r->finished_at = v.u.f64;
  return NULL;
}
static void test_loops_on_four_threads_run_their_own_tasks(void) {
  struct runner r[4];
  for (int i = 0; i < 4; ++i) {
    r[i] = (struct runner){.n = 10 * (i + 1)};
    pthread_create(&r[i].th, NULL, run_own_loop, &r[i]);
  }
  for (int i = 0; i < 4; ++i) {
    pthread_join(r[i].th, NULL);
    CHECK_RC(r[i].rc, 0);
    CHECK_DOUBLE(r[i].finished_at, 10.0 * (i + 1)); /* each its own clock */
  }
}

/* ---- handing work between loops ---- */

static int double_it(ac_task *t, void *st) {
  return ac_task_return_int64(t, 2 * (int64_t)(intptr_t)st);
}
struct ping {
  AC_ASYNC_FIELDS;
  ac_loop *other;
  ac_tsfuture *pending;
  int i;
  int64_t sum;
};
static int ping_step(ac_task *t, void *p) {
  struct ping *s = p;
  int rc;
  AC_BEGIN(s);
  for (s->i = 0; s->i < 1000; ++s->i) {
    rc = ac_run_threadsafe(s->other, double_it, (void *)(intptr_t)s->i, NULL, &s->pending);
    if (rc < 0) return rc;
    AC_AWAIT(s, ac_task_await_tsfuture(t, s->pending));
    ac_tsfuture_unref(s->pending);
    s->pending = NULL;
    AC_CHECK(t);
    {
      int64_t v = 0;
      ac_future_result_int64(ac_task_awaited(t), &v);
      s->sum += v;
    }
  }
  return ac_task_return_int64(t, s->sum);
  AC_END(s);
}
static void test_a_task_hands_work_to_another_loop_and_awaits_it(void) {
  struct loop_thread other;
  ac_loop *loop = th_loop();
  struct ping st = {0};
  ac_task *t;
  int64_t sum = 0;
  start_loop_thread(&other);
  st.other = other.loop;
  CHECK_RC(ac_task_new(loop, ping_step, &st, NULL, 0, &t), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, ac_task_future(t)), 0);
  CHECK_RC(ac_future_result_int64(ac_task_future(t), &sum), 0);
  CHECK_INT(sum, 999 * 1000); /* 2 * (0 + ... + 999) */
  ac_task_unref(t);
  stop_loop_thread(&other);
  th_close(loop);
}

/* ---- closing a loop while another thread submits ---- */

struct hammer {
  pthread_t th;
  ac_loop *loop; /* the submitter's own reference */
  ac_tsfuture *warmed_up;
  int accepted, refused, other;
};
static void *hammer_main(void *p) {
  struct hammer *h = p;
  int refused_in_a_row = 0;
  for (int i = 0; refused_in_a_row < 100; ++i) {
    int rc;
    if (i % 2 == 0) {
      rc = ac_loop_call_soon_threadsafe(h->loop, count_run, NULL, count_free);
    } else {
      ac_tsfuture *ts = NULL;
      rc = ac_run_threadsafe(h->loop, double_it, NULL, count_free, &ts);
      ac_tsfuture_unref(ts);
    }
    if (rc == 0) {
      ++h->accepted;
      refused_in_a_row = 0;
    } else if (rc == AC_ECLOSED) {
      ++h->refused;
      ++refused_in_a_row;
    } else {
      ++h->other;
    }
    if (i == 1000) ac_tsfuture_set_result_none(h->warmed_up);
  }
  return NULL;
}
static void test_closing_a_loop_while_another_thread_submits(void) {
  struct loop_thread lt;
  struct hammer h = {0};
  atomic_store(&frees, 0);
  start_loop_thread(&lt);
  h.loop = ac_loop_ref(lt.loop);
  ac_tsfuture_new(&h.warmed_up);
  pthread_create(&h.th, NULL, hammer_main, &h);
  CHECK_RC(ac_tsfuture_wait(h.warmed_up, -1), 0);
  stop_loop_thread(&lt); /* the loop thread closes it, mid-stream */
  pthread_join(h.th, NULL);
  ac_loop_unref(h.loop); /* the last reference: the memory goes */
  CHECK_INT(h.other, 0);
  CHECK(h.accepted > 1000);
  CHECK(h.refused >= 100);
  /* Each submission released its user data exactly once. */
  CHECK_INT(atomic_load(&frees), h.accepted + h.refused);
  ac_tsfuture_unref(h.warmed_up);
}

/* ---- stress ---- */

enum { STRESS_THREADS = 4, STRESS_EACH = 25000 };
struct poster {
  pthread_t th;
  ac_loop *loop;
  int failures;
};
static void *post_many(void *p) {
  struct poster *s = p;
  for (int i = 0; i < STRESS_EACH; ++i)
    if (ac_loop_call_soon_threadsafe(s->loop, count_run, NULL, count_free) != 0) ++s->failures;
  return NULL;
}
static void test_stress_100000_callbacks_from_4_threads_none_lost(void) {
  struct loop_thread lt;
  struct poster ps[STRESS_THREADS];
  atomic_store(&frees, 0);
  atomic_store(&ran, 0);
  start_loop_thread(&lt);
  for (int i = 0; i < STRESS_THREADS; ++i) {
    ps[i] = (struct poster){.loop = ac_loop_ref(lt.loop)};
    pthread_create(&ps[i].th, NULL, post_many, &ps[i]);
  }
  for (int i = 0; i < STRESS_THREADS; ++i) {
    pthread_join(ps[i].th, NULL);
    CHECK_INT(ps[i].failures, 0);
    ac_loop_unref(ps[i].loop);
  }
  stop_loop_thread(&lt); /* after every submission: FIFO runs them first */
  CHECK_INT(atomic_load(&ran), STRESS_THREADS * STRESS_EACH);
  CHECK_INT(atomic_load(&frees), STRESS_THREADS * STRESS_EACH);
}

int main(void) {
  RUN(test_loops_on_four_threads_run_their_own_tasks);
  RUN(test_a_task_hands_work_to_another_loop_and_awaits_it);
  RUN(test_closing_a_loop_while_another_thread_submits);
  RUN(test_stress_100000_callbacks_from_4_threads_none_lost);
  return th_finish();
}
