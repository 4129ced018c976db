/* ownership.c — a loop belongs to one thread: the one that created it,
 * until ac_loop_bind_thread hands it to another. Only the owner runs it:
 * another thread's run or step is refused (AC_EWRONGTHREAD), even while the
 * owner is idle, and a hand-over is refused while the loop runs. */
#include <pthread.h>

#include "harness.h"

static void trace_thread_cb(ac_loop *loop, void *ud) {
  (void)loop;
  pthread_t *expected = ud;
  trace("callback on the new owner %d", pthread_equal(pthread_self(), *expected) ? 1 : 0);
}

struct runs {
  ac_loop *loop;
  ac_future *f;
  int rc_until, rc_forever, rc_step, rc_call_soon, rc_close;
};
static void *try_runs(void *p) {
  struct runs *r = p;
  r->rc_until = ac_loop_run_until_complete(r->loop, r->f);
  r->rc_forever = ac_loop_run_forever(r->loop);
  r->rc_step = ac_loop_step(r->loop, 0, NULL, NULL);
  r->rc_call_soon = ac_loop_call_soon(r->loop, trace_thread_cb, NULL, NULL, NULL);
  r->rc_close = ac_loop_close(r->loop);
  return NULL;
}

static void test_another_thread_cannot_run_an_idle_loop(void) {
  ac_loop *loop = th_loop();
  struct runs r = {loop, NULL, 0, 0, 0, 0, 0};
  CHECK_RC(ac_future_new(loop, &r.f), 0);
  CHECK_RC(ac_future_set_result_none(r.f), 0);
  pthread_t th;
  CHECK(pthread_create(&th, NULL, try_runs, &r) == 0);
  pthread_join(th, NULL);
  CHECK_RC(r.rc_until, AC_EWRONGTHREAD);
  CHECK_RC(r.rc_forever, AC_EWRONGTHREAD);
  CHECK_RC(r.rc_step, AC_EWRONGTHREAD);
  CHECK_RC(r.rc_call_soon, AC_EWRONGTHREAD);
  CHECK_RC(r.rc_close, AC_EWRONGTHREAD);
  /* The owner still runs it. */
  CHECK_RC(ac_loop_run_until_complete(loop, r.f), 0);
  ac_future_unref(r.f);
  th_close(loop);
}

/* The creator prepares the loop, a worker takes it over and runs it. */
struct handover {
  ac_loop *loop;
  ac_future *f;
  pthread_t self;
  int rc_bind, rc_run, rc_bind_again;
};
static void set_done_cb(ac_loop *loop, void *ud) {
  (void)loop;
  ac_future_set_result_int64(ud, 5);
}
static void *take_over(void *p) {
  struct handover *h = p;
  h->self = pthread_self();
  h->rc_bind = ac_loop_bind_thread(h->loop);
  ac_loop_call_soon(h->loop, trace_thread_cb, &h->self, NULL, NULL);
  ac_loop_call_soon(h->loop, set_done_cb, h->f, NULL, NULL);
  h->rc_run = ac_loop_run_until_complete(h->loop, h->f);
  h->rc_bind_again = ac_loop_bind_thread(h->loop); /* the owner may rebind itself */
  return NULL;
}

static void test_bind_thread_hands_the_loop_over(void) {
  ac_loop *loop = th_loop();
  struct handover h;
  memset(&h, 0, sizeof h);
  h.loop = loop;
  h.rc_bind = h.rc_run = h.rc_bind_again = 1;
  CHECK_RC(ac_future_new(loop, &h.f), 0);
  pthread_t th;
  CHECK(pthread_create(&th, NULL, take_over, &h) == 0);
  pthread_join(th, NULL);
  CHECK_RC(h.rc_bind, 0);
  CHECK_RC(h.rc_run, 0);
  CHECK_RC(h.rc_bind_again, 0);
  CHECK_TRACE("callback on the new owner 1\n");
  /* This thread no longer owns it... */
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), AC_EWRONGTHREAD);
  CHECK_RC(ac_loop_call_soon(loop, set_done_cb, h.f, NULL, NULL), AC_EWRONGTHREAD);
  CHECK_RC(ac_loop_close(loop), AC_EWRONGTHREAD);
  /* ...until it takes it back. */
  CHECK_RC(ac_loop_bind_thread(loop), 0);
  int64_t v = 0;
  CHECK_RC(ac_future_result_int64(h.f, &v), 0);
  CHECK_INT(v, 5);
  ac_future_unref(h.f);
  CHECK_RC(ac_loop_bind_thread(NULL), AC_EINVAL);
  th_close(loop);
}

/* No hand-over while the loop runs: from its own callback, or from another
 * thread while the owner is in a run. */
struct busy {
  ac_loop *loop;
  ac_tsfuture *running, *tried;
  int rc_inside, rc_outside;
};
static void busy_cb(ac_loop *loop, void *ud) {
  struct busy *b = ud;
  b->rc_inside = ac_loop_bind_thread(loop);
  ac_tsfuture_set_result_none(b->running);
  ac_tsfuture_wait(b->tried, -1); /* the loop is running meanwhile */
}
static void *bind_while_running(void *p) {
  struct busy *b = p;
  ac_tsfuture_wait(b->running, -1);
  b->rc_outside = ac_loop_bind_thread(b->loop);
  ac_tsfuture_set_result_none(b->tried);
  return NULL;
}

static void test_bind_thread_is_refused_while_running(void) {
  ac_loop *loop = th_loop();
  struct busy b = {loop, NULL, NULL, 1, 1};
  CHECK_RC(ac_tsfuture_new(&b.running), 0);
  CHECK_RC(ac_tsfuture_new(&b.tried), 0);
  pthread_t th;
  CHECK(pthread_create(&th, NULL, bind_while_running, &b) == 0);
  ac_future *f;
  CHECK_RC(ac_sleep(loop, 0, &f), 0);
  CHECK_RC(ac_loop_call_soon(loop, busy_cb, &b, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), 0);
  pthread_join(th, NULL);
  CHECK_RC(b.rc_inside, AC_ERUNNING);
  CHECK_RC(b.rc_outside, AC_ERUNNING);
  /* Still ours. */
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), 0);
  ac_future_unref(f);
  ac_tsfuture_unref(b.running);
  ac_tsfuture_unref(b.tried);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_RC(ac_loop_bind_thread(loop), AC_ECLOSED);
  ac_loop_unref(loop);
}

int main(void) {
  RUN(test_another_thread_cannot_run_an_idle_loop);
  RUN(test_bind_thread_hands_the_loop_over);
  RUN(test_bind_thread_is_refused_while_running);
  return th_finish();
}
