/* w3_queue.c — W3: two tasks bounce a token through two capacity-1 queues,
 * 200,000 round trips; prints ns per round trip. Warm-up at 1/10 first. */
#define _POSIX_C_SOURCE 200809L
#include <asyncore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static ac_queue *ping, *pong;
static int rounds;

struct bouncer {
  AC_ASYNC_FIELDS;
  int i;
  int first;  // the pinger starts
};

static int bouncer_step(ac_task *t, void *p) {
  struct bouncer *s = p;
  ac_queue *in = s->first ? pong : ping, *out = s->first ? ping : pong;
  ac_future *f;
  ac_value v;
  int rc;
  AC_BEGIN(s);
  for (s->i = 0; s->i < rounds; s->i++) {
    if (s->first) {
      ac_value_set_int64(&v, s->i);
      if ((rc = ac_queue_put(out, &v, &f)) < 0) return rc;
      AC_AWAIT(s, ac_task_await_owned(t, f));
      AC_CHECK(t);
      if ((rc = ac_queue_get(in, &f)) < 0) return rc;
      AC_AWAIT(s, ac_task_await_owned(t, f));
      AC_CHECK(t);
    } else {
      if ((rc = ac_queue_get(in, &f)) < 0) return rc;
      AC_AWAIT(s, ac_task_await_owned(t, f));
      AC_CHECK(t);
      ac_future_result(ac_task_awaited(t), &v);
      if ((rc = ac_queue_put(out, &v, &f)) < 0) return rc;
      AC_AWAIT(s, ac_task_await_owned(t, f));
      AC_CHECK(t);
    }
  }
  AC_END(s);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double run(int n) {
  ac_loop *loop;
  ac_task *a, *b;
  struct bouncer *sa, *sb;
  rounds = n;
  ac_loop_new(0, &loop);
  ac_queue_new(loop, AC_QUEUE_FIFO, 1, &ping);
  ac_queue_new(loop, AC_QUEUE_FIFO, 1, &pong);
  ac_task_new_inline(loop, bouncer_step, sizeof *sa, 0, &a, (void **)&sa);
  ac_task_new_inline(loop, bouncer_step, sizeof *sb, 0, &b, (void **)&sb);
  sa->first = 1;
  double t0 = now();
  int rc = ac_loop_run_until_complete(loop, ac_task_future(a));
  rc |= ac_loop_run_until_complete(loop, ac_task_future(b));
  double t1 = now();
  if (rc != 0) fprintf(stderr, "w3: %s\n", ac_err_name(rc));
  ac_task_unref(a);
  ac_task_unref(b);
  ac_queue_unref(ping);
  ac_queue_unref(pong);
  ac_loop_close(loop);
  ac_loop_unref(loop);
  return (t1 - t0) * 1e9 / n;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 200000;
  run(n / 10 > 0 ? n / 10 : 1);
  printf("RESULT W3 asyncore-c %.1f ns/trip\n", run(n));
  return 0;
}
