#define _GNU_SOURCE
/* host.c — what an embedding host relies on: a loop driven only by the
 * host's own poll() of the backend fd (every socket, timer and thread-safe
 * call a step started wakes that poll, with no extra step), the step's time
 * budget, and the bounded shutdown (ac_loop_shutdown, ac_run). */
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "net_util.h"

/* ---------------------------------------------------------------- backend fd */

/* The host's frame: poll(backend fd, backend timeout), then one step that
 * never blocks. A poll that the guard had to end (it would have waited
 * longer) means the loop had work the backend did not show: a hang in a
 * real host. Returns the number of steps, or -1 on such a hang. */
static int host_drive(ac_loop *loop, const int *done) {
  int fd = ac_loop_backend_fd(loop);
  CHECK(fd >= 0);
  int steps = 0;
  while (!*done) {
    int ms = ac_loop_backend_timeout(loop);
    const int guard = 3000;
    int wait = ms < 0 || ms > guard ? guard : ms;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, wait);
    if (r == 0 && wait == guard) return -1;
    CHECK(ac_loop_step(loop, 0, NULL, NULL) >= 0);
    ++steps;
  }
  return steps;
}

struct echo {
  AC_ASYNC_FIELDS;
  ac_stream *stream;
};

/* Answers one line, then closes. */
static int echo_step(ac_task *t, void *p) {
  struct echo *e = p;
  ac_future *f;
  ac_value v;
  AC_BEGIN(e);
  if (ac_stream_readline(e->stream, &f) != 0) return AC_EINTERNAL;
  AC_AWAIT(e, ac_task_await_owned(t, f));
  AC_CHECK(t);
  ac_future_result(ac_task_awaited(t), &v);
  ac_stream_write(e->stream, "echo ", 5);
  ac_stream_write(e->stream, v.u.bytes.data, v.u.bytes.len);
  if (ac_stream_drain(e->stream, &f) != 0) return AC_EINTERNAL;
  AC_AWAIT(e, ac_task_await_owned(t, f));
  ac_stream_close(e->stream);
  AC_END(e);
}

struct client {
  AC_ASYNC_FIELDS;
  ac_loop *loop;
  int port;
  int *done;
  ac_stream *stream;
};

static int client_step(ac_task *t, void *p) {
  struct client *c = p;
  ac_future *f;
  AC_BEGIN(c);
  if (ac_stream_connect_tcp(c->loop, "127.0.0.1", c->port, &c->stream, &f) != 0) return AC_EINTERNAL;
  AC_AWAIT(c, ac_task_await_owned(t, f));
  AC_CHECK(t);
  trace("connected");
  ac_stream_write(c->stream, "ping\n", 5);
  if (ac_stream_readline(c->stream, &f) != 0) return AC_EINTERNAL;
  AC_AWAIT(c, ac_task_await_owned(t, f));
  AC_CHECK(t);
  trace("got %s", net_text(ac_task_awaited(t)));
  ac_stream_close(c->stream);
  ac_stream_unref(c->stream);
  *c->done = 1;
  AC_END(c);
}

static void test_host_poll_sees_a_tcp_exchange_started_in_a_step(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  CHECK_RC(ac_server_listen_tcp_tasks(loop, "127.0.0.1", 0, 0, echo_step, sizeof(struct echo),
                                      offsetof(struct echo, stream), &srv), 0);
  int done = 0;
  struct client *c;
  ac_task *t;
  CHECK_RC(ac_task_new_inline(loop, client_step, sizeof *c, 0, &t, (void **)&c), 0);
  c->loop = loop;
  c->port = ac_server_port(srv);
  c->done = &done;
  int steps = host_drive(loop, &done);
  CHECK(steps > 0);
  CHECK_TRACE("connected\ngot echo ping\n\n");
  CHECK_RC(ac_future_state_of(ac_task_future(t)), AC_FUTURE_RESULT);
  ac_task_unref(t);
  ac_server_close(srv);
  ac_server_unref(srv);
  /* The server's task may still be closing its side. */
  CHECK_INT(ac_loop_shutdown(loop, 5), 0);
  ac_loop_unref(loop);
}

static void set_flag(ac_loop *loop, void *ud) {
  (void)loop;
  trace("called at frame");
  *(int *)ud = 1;
}

static void test_host_poll_sees_a_timer_set_in_a_step(void) {
  ac_loop *loop = net_loop();
  int done = 0;
  /* Set from a callback, that is inside a step. */
  CHECK_RC(ac_loop_call_later(loop, 0.02, set_flag, &done, NULL, NULL), 0);
  CHECK(host_drive(loop, &done) > 0);
  CHECK_TRACE("called at frame\n");
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
}

struct ts_call {
  ac_loop *loop;
  int *done;
};
static void *submit_from_thread(void *p) {
  struct ts_call *c = p;
  ac_loop_call_soon_threadsafe(c->loop, set_flag, c->done, NULL);
  return NULL;
}

static void test_host_poll_of_a_new_loop_wakes_for_a_threadsafe_call(void) {
  /* A loop that has never run: its wake-up handle reaches the backend
   * through ac_loop_backend_timeout. */
  ac_loop *loop = net_loop();
  int done = 0;
  struct ts_call c = {loop, &done};
  pthread_t th;
  CHECK_INT(pthread_create(&th, NULL, submit_from_thread, &c), 0);
  CHECK(host_drive(loop, &done) > 0);
  pthread_join(th, NULL);
  CHECK_TRACE("called at frame\n");
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
}

/* A connection started outside any step (host code between frames) is
 * handed to the backend by ac_loop_backend_timeout. */
static void on_connected(ac_future *f, void *ud) {
  trace("outside-step connect: %s", ac_future_state_of(f) == AC_FUTURE_RESULT ? "OK" : "failed");
  *(int *)ud = 1;
}

static void test_host_poll_sees_a_connection_started_between_steps(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  CHECK_RC(ac_server_listen_tcp_tasks(loop, "127.0.0.1", 0, 0, echo_step, sizeof(struct echo),
                                      offsetof(struct echo, stream), &srv), 0);
  int done = 0;
  ac_stream *s;
  ac_future *f;
  CHECK_RC(ac_stream_connect_tcp(loop, "127.0.0.1", ac_server_port(srv), &s, &f), 0);
  CHECK_RC(ac_future_add_done_callback(f, on_connected, &done, NULL), 0);
  CHECK(host_drive(loop, &done) > 0);
  CHECK_TRACE("outside-step connect: OK\n");
  ac_future_unref(f);
  ac_stream_close(s);
  ac_stream_unref(s);
  ac_server_close(srv);
  ac_server_unref(srv);
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
}

/* ---------------------------------------------------------------- time budget */

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int spun;
/* Takes at least 100 microseconds of real time (more when the machine is
 * busy: the bounds below only rely on the minimum). */
static void spin_cb(ac_loop *loop, void *ud) {
  (void)loop;
  (void)ud;
  uint64_t t0 = mono_ns();
  while (mono_ns() - t0 < 100000) {
  }
  ++spun;
}

static void test_time_budget_spreads_a_burst_over_steps(void) {
  ac_loop *loop = th_loop();
  spun = 0;
  for (int i = 0; i < 1000; ++i) CHECK_RC(ac_loop_call_soon(loop, spin_cb, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_set_time_budget(loop, 0.001), 0);
  int steps = 0, most = 0;
  while (spun < 1000 && steps < 2000) {
    int64_t n = ac_loop_step(loop, 0, NULL, NULL);
    CHECK(n >= 1);
    if (n > most) most = (int)n;
    ++steps;
  }
  CHECK_INT(spun, 1000);
  /* Each callback takes >= 0.1 ms, so a 1 ms budget is spent after ten:
   * the step starts no eleventh. */
  CHECK(most <= 10);
  CHECK(steps >= 100);
  /* Without a budget the ready budget (1024) takes the burst in one step. */
  spun = 0;
  for (int i = 0; i < 50; ++i) CHECK_RC(ac_loop_call_soon(loop, spin_cb, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_set_time_budget(loop, 0), 0);
  CHECK_INT(ac_loop_step(loop, 0, NULL, NULL), 50);
  th_close(loop);
}

static void trace_name(ac_loop *loop, void *ud) {
  (void)loop;
  trace("%s", (const char *)ud);
}

static void test_time_budget_keeps_the_order(void) {
  ac_loop *loop = th_loop();
  static const char *names[] = {"a", "b", "c", "d", "e"};
  CHECK_RC(ac_loop_set_time_budget(loop, 1e-9), 0); /* one callback per step */
  for (int i = 0; i < 5; ++i) CHECK_RC(ac_loop_call_soon(loop, trace_name, (void *)names[i], NULL, NULL), 0);
  int64_t n;
  int steps = 0;
  while ((n = ac_loop_step(loop, 0, NULL, NULL)) > 0) {
    CHECK_INT(n, 1);
    trace("step");
    ++steps;
  }
  CHECK_INT(steps, 5);
  CHECK_TRACE("a\nstep\nb\nstep\nc\nstep\nd\nstep\ne\nstep\n");
  th_close(loop);
}

static void test_time_budget_bad_input(void) {
  ac_loop *loop = th_loop();
  CHECK_RC(ac_loop_set_time_budget(NULL, 1), AC_EINVAL);
  CHECK_RC(ac_loop_set_time_budget(loop, -1), AC_EINVAL);
  CHECK_RC(ac_loop_set_time_budget(loop, NAN), AC_EINVAL);
  CHECK_RC(ac_loop_set_time_budget(loop, INFINITY), 0);  /* no budget */
  th_close(loop);
  ac_loop *closed;
  CHECK_RC(ac_loop_new(AC_LOOP_VIRTUAL_CLOCK, &closed), 0);
  CHECK_RC(ac_loop_close(closed), 0);
  CHECK_RC(ac_loop_set_time_budget(closed, 1), AC_ECLOSED);
  ac_loop_unref(closed);
}

/* ---------------------------------------------------------------- shutdown */

static char reports[512];
static void record_report(ac_loop *loop, const char *message, ac_error *error, ac_future *future,
                          void *ud) {
  (void)loop;
  (void)error;
  (void)ud;
  char line[160];
  snprintf(line, sizeof line, "report: %s (%s)\n", message,
           future != NULL ? ac_task_get_name((ac_task *)future) : "-");
  strncat(reports, line, sizeof reports - strlen(reports) - 1);
}

struct worker {
  AC_ASYNC_FIELDS;
  ac_loop *loop;
  int kind; /* 0: cleans up for 1 s after the cancel; 1: swallows it and
               waits for ever; 2: swallows it and sleeps in a loop; 3: fails
               while cancelled */
  ac_future *never;
};

static int worker_step(ac_task *t, void *p) {
  struct worker *w = p;
  ac_future *f;
  AC_BEGIN(w);
  if (ac_future_new(w->loop, &w->never) != 0) return AC_EINTERNAL;
  AC_AWAIT(w, ac_task_await(t, w->never));
  trace("%s cancelled: %s", ac_task_get_name(t), ac_err_name(ac_task_outcome(t)));
  if (w->kind == 0) {
    if (ac_sleep(w->loop, 1, &f) != 0) return AC_EINTERNAL;
    AC_AWAIT(w, ac_task_await_owned(t, f));
    trace("%s cleaned up at %g", ac_task_get_name(t), ac_loop_time(w->loop));
    return AC_ECANCELLED;
  }
  if (w->kind == 3) return ac_task_fail(t, AC_EINVAL, "cleanup failed");
  for (;;) {
    if (w->kind == 1) {
      /* The cancel cancelled the future it awaited: wait on a new one. */
      ac_future_unref(w->never);
      if (ac_future_new(w->loop, &w->never) != 0) return AC_EINTERNAL;
      AC_AWAIT(w, ac_task_await(t, w->never));
    } else {
      if (ac_sleep(w->loop, 1, &f) != 0) return AC_EINTERNAL;
      AC_AWAIT(w, ac_task_await_owned(t, f));
    }
  }
  AC_END(w);
}

static void free_worker(void *p) {
  struct worker *w = p;
  ac_future_unref(w->never); /* NULL-safe */
  free(w);
}

static void spawn_worker(ac_loop *loop, const char *name, int kind) {
  struct worker *w = calloc(1, sizeof *w);
  w->loop = loop;
  w->kind = kind;
  ac_task *t;
  CHECK_RC(ac_task_new(loop, worker_step, w, free_worker, 0, &t), 0);
  CHECK_RC(ac_task_set_name(t, name), 0);
  ac_task_unref(t);
}

static void test_shutdown_lets_cancelled_tasks_clean_up(void) {
  ac_loop *loop = th_loop();
  reports[0] = 0;
  CHECK_RC(ac_loop_set_exception_handler(loop, record_report, NULL, NULL), 0);
  spawn_worker(loop, "a", 0);
  spawn_worker(loop, "b", 0);
  ac_loop_step(loop, 0, NULL, NULL);
  CHECK_INT(ac_loop_shutdown(loop, 60), 0);
  CHECK_TRACE("a cancelled: AC_ECANCELLED\nb cancelled: AC_ECANCELLED\n"
              "a cleaned up at 1\nb cleaned up at 1\n");
  CHECK_STR(reports, "");
  CHECK_INT(ac_loop_is_closed(loop), 1);
  CHECK_RC(ac_loop_shutdown(loop, 1), AC_ECLOSED);
  ac_loop_unref(loop);
}

static void test_shutdown_abandons_tasks_that_ignore_the_cancel(void) {
  ac_loop *loop = th_loop();
  reports[0] = 0;
  CHECK_RC(ac_loop_set_exception_handler(loop, record_report, NULL, NULL), 0);
  spawn_worker(loop, "polite", 0);
  spawn_worker(loop, "deaf", 1);
  spawn_worker(loop, "sleeper", 2);
  spawn_worker(loop, "broken", 3);
  ac_loop_step(loop, 0, NULL, NULL);
  /* 0.2 s of real time: the virtual clock jumps through the sleeper's
   * sleeps meanwhile. */
  CHECK_INT(ac_loop_shutdown(loop, 0.2), 2);
  CHECK_TRACE("polite cancelled: AC_ECANCELLED\ndeaf cancelled: AC_ECANCELLED\n"
              "sleeper cancelled: AC_ECANCELLED\nbroken cancelled: AC_ECANCELLED\n"
              "polite cleaned up at 1\n");
  CHECK_STR(reports,
            "report: unhandled exception during asyncio.run() shutdown (broken)\n"
            "report: Task was destroyed but it is pending (deaf)\n"
            "report: Task was destroyed but it is pending (sleeper)\n");
  CHECK_INT(ac_loop_is_closed(loop), 1);
  ac_loop_unref(loop);
}

static void test_shutdown_with_no_time_still_closes(void) {
  ac_loop *loop = th_loop();
  reports[0] = 0;
  CHECK_RC(ac_loop_set_exception_handler(loop, record_report, NULL, NULL), 0);
  spawn_worker(loop, "polite", 0);
  ac_loop_step(loop, 0, NULL, NULL);
  CHECK_INT(ac_loop_shutdown(loop, 0), 1);
  CHECK_TRACE("");
  CHECK_STR(reports, "report: Task was destroyed but it is pending (polite)\n");
  CHECK_INT(ac_loop_is_closed(loop), 1);
  ac_loop_unref(loop);
}

static int64_t inner_rc;
static void shutdown_inside(ac_loop *loop, void *ud) {
  (void)ud;
  inner_rc = ac_loop_shutdown(loop, 1);
}

static void test_shutdown_bad_input(void) {
  CHECK_RC(ac_loop_shutdown(NULL, 1), AC_EINVAL);
  ac_loop *loop = th_loop();
  CHECK_RC(ac_loop_shutdown(loop, -1), AC_EINVAL);
  CHECK_RC(ac_loop_shutdown(loop, NAN), AC_EINVAL);
  CHECK_RC(ac_loop_call_soon(loop, shutdown_inside, NULL, NULL, NULL), 0);
  ac_loop_step(loop, 0, NULL, NULL);
  CHECK_RC(inner_rc, AC_ERUNNING);
  CHECK_INT(ac_loop_is_closed(loop), 0);
  CHECK_INT(ac_loop_shutdown(loop, INFINITY), 0);
  ac_loop_unref(loop);
}

struct main_state {
  AC_ASYNC_FIELDS;
};
static int main_step(ac_task *t, void *p) {
  (void)p;
  spawn_worker(ac_task_get_loop(t), "deaf", 1);
  return AC_STEP_DONE;
}

static void test_run_returns_when_a_task_ignores_the_cancel(void) {
  /* asyncio.run would wait for ever; ac_run gives up after
   * AC_RUN_SHUTDOWN_TIMEOUT seconds and reports the task. */
  ac_value result;
  ac_error *err = NULL;
  CHECK_RC(ac_run(main_step, NULL, NULL, AC_LOOP_VIRTUAL_CLOCK, &result, &err), 0);
  CHECK(err == NULL);
  CHECK_TRACE("deaf cancelled: AC_ECANCELLED\n");
}

int main(void) {
  RUN(test_host_poll_sees_a_tcp_exchange_started_in_a_step);
  RUN(test_host_poll_sees_a_timer_set_in_a_step);
  RUN(test_host_poll_of_a_new_loop_wakes_for_a_threadsafe_call);
  RUN(test_host_poll_sees_a_connection_started_between_steps);
  RUN(test_time_budget_spreads_a_burst_over_steps);
  RUN(test_time_budget_keeps_the_order);
  RUN(test_time_budget_bad_input);
  RUN(test_shutdown_lets_cancelled_tasks_clean_up);
  RUN(test_shutdown_abandons_tasks_that_ignore_the_cancel);
  RUN(test_shutdown_with_no_time_still_closes);
  RUN(test_shutdown_bad_input);
  RUN(test_run_returns_when_a_task_ignores_the_cancel);
  return th_finish();
}
