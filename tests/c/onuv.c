#define _GNU_SOURCE
/* onuv.c — a loop on a host's libuv loop (ac_loop_new_on_uv): the host
 * runs only uv_run on its own loop, with its own timers, idle and check
 * handles, while our tasks sleep, talk TCP, run work on threads and take
 * thread-safe calls on it; which of ours keep the host's uv_run alive;
 * closing ours from a host callback, also with requests in flight, leaves
 * the host's loop running and finally closable; misuse.
 *
 * The loop cannot use the virtual clock here (the host's timers run in
 * real time): the delays are a few milliseconds and every order the traces
 * check follows from cause and effect, never from how long things took. A
 * host watchdog ends a run that would hang. */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "harness.h"

static uv_loop_t host;
static uv_timer_t watchdog;

static void on_watchdog(uv_timer_t *t) {
  trace("watchdog");
  uv_stop(t->loop);
}

/* A host loop with a watchdog that does not keep it alive. */
static void host_open(void) {
  CHECK_RC(uv_loop_init(&host), 0);
  uv_timer_init(&host, &watchdog);
  uv_timer_start(&watchdog, on_watchdog, 20000, 0);
  uv_unref((uv_handle_t *)&watchdog);
}

static int host_handles;
static void count_handle(uv_handle_t *h, void *arg) {
  (void)h;
  (void)arg;
  ++host_handles;
}
/* How many handles (any state) the host loop has. */
static int host_handle_count(void) {
  host_handles = 0;
  uv_walk(&host, count_handle, NULL);
  return host_handles;
}

/* Closes the watchdog, then the loop: 0 when nothing of ours is left. */
static void host_close(void) {
  uv_close((uv_handle_t *)&watchdog, NULL);
  uv_run(&host, UV_RUN_DEFAULT);
  CHECK_INT(host_handle_count(), 0);
  CHECK_RC(uv_loop_close(&host), 0);
}

static ac_loop *hosted(void) {
  ac_loop *loop = NULL;
  CHECK_RC(ac_loop_new_on_uv(&host, AC_LOOP_DEFAULT, &loop), 0);
  return loop;
}

static void trace_cb(ac_loop *loop, void *ud) {
  (void)loop;
  trace("%s", (const char *)ud);
}

static atomic_int frees;
static void count_free(void *ud) {
  (void)ud;
  atomic_fetch_add(&frees, 1);
}

/* ------------------------------------------------ the host runs it all */

static ac_loop *main_loop;
static uv_timer_t h1, h2, heartbeat, h4;
static uv_idle_t host_idle;
static uv_check_t host_check;
static int idle_runs, check_runs, beats;
static ac_task *main_task;

/* The echo server's task per connection: one line back, then close. */
struct echo {
  AC_ASYNC_FIELDS;
  ac_stream *stream;
};
static int echo_step(ac_task *t, void *p) {
  struct echo *e = p;
  ac_future *f;
  ac_value v;
  AC_BEGIN(e);
  if (ac_stream_readline(e->stream, &f) != 0) return AC_EINTERNAL;
  AC_AWAIT(e, ac_task_await_owned(t, f));
  AC_CHECK(t);
  ac_future_result(ac_task_awaited(t), &v);
  ac_stream_write(e->stream, v.u.bytes.data, v.u.bytes.len);
  if (ac_stream_drain(e->stream, &f) != 0) return AC_EINTERNAL;
  AC_AWAIT(e, ac_task_await_owned(t, f));
  ac_stream_close(e->stream);
  AC_END(e);
}

static int answer(void *ud, ac_value *result) {
  (void)ud;
  ac_value_set_int64(result, 42);
  return 0;
}

static void ts_complete(ac_loop *loop, void *ud) {
  (void)loop;
  trace("threadsafe call");
  ac_future_set_result_int64((ac_future *)ud, 5);
}
static void *ts_thread(void *ud) {
  ac_loop_call_soon_threadsafe(main_loop, ts_complete, ud, NULL);
  return NULL;
}

struct main_st {
  AC_ASYNC_FIELDS;
  ac_future *from_host;
  ac_future *ts;
  ac_server *server;
  ac_stream *client;
  int i;
  pthread_t th;
};

static void on_h1(uv_timer_t *t) {
  struct main_st *s = t->data;
  trace("host h1");
  /* A host callback completes one of our futures: the task resumes in
   * our next step, with no help from the host. */
  CHECK_RC(ac_future_set_result_int64(s->from_host, 7), 0);
}
static void on_h2(uv_timer_t *t) {
  (void)t;
  trace("host h2");
}

static int main_step(ac_task *t, void *p) {
  struct main_st *s = p;
  ac_future *f;
  int64_t n;
  AC_BEGIN(s);
  trace("main start");
  CHECK(ac_loop_is_running(main_loop) == 1);
  CHECK(ac_loop_current_task(main_loop) == t);
  /* Wait for the host. */
  if (ac_future_new(main_loop, &s->from_host) != 0) return AC_EINTERNAL;
  h1.data = s;
  uv_timer_start(&h1, on_h1, 1, 0);
  AC_AWAIT(s, ac_task_await(t, s->from_host));
  AC_CHECK(t);
  ac_future_result_int64(s->from_host, &n);
  trace("main got %d", (int)n);
  ac_future_unref(s->from_host);
  /* A host timer due at once fires before our next timer can. */
  uv_timer_start(&h2, on_h2, 0, 0);
  for (s->i = 1; s->i <= 3; ++s->i) {
    AC_AWAIT(s, ac_task_sleep(t, 0.001));
    AC_CHECK(t);
    trace("tick %d", s->i);
  }
  /* TCP echo between a server and a client of ours. */
  if (ac_server_listen_tcp_tasks(main_loop, "127.0.0.1", 0, 0, echo_step, sizeof(struct echo),
                                 offsetof(struct echo, stream), &s->server) != 0)
    return AC_EINTERNAL;
  if (ac_stream_connect_tcp(main_loop, "127.0.0.1", ac_server_port(s->server), &s->client, &f) != 0)
    return AC_EINTERNAL;
  AC_AWAIT(s, ac_task_await_owned(t, f));
  AC_CHECK(t);
  ac_stream_write(s->client, "ping\n", 5);
  if (ac_stream_readline(s->client, &f) != 0) return AC_EINTERNAL;
  AC_AWAIT(s, ac_task_await_owned(t, f));
  AC_CHECK(t);
  {
    ac_value v;
    ac_future_result(ac_task_awaited(t), &v);
    trace("echo %.*s", (int)v.u.bytes.len - 1, (const char *)v.u.bytes.data);
  }
  ac_stream_close(s->client);
  ac_stream_unref(s->client);
  ac_server_close(s->server);
  if (ac_server_wait_closed(s->server, &f) != 0) return AC_EINTERNAL;
  AC_AWAIT(s, ac_task_await_owned(t, f));
  ac_server_unref(s->server);
  /* Work on libuv's pool (of the host's loop). */
  if (ac_to_thread(main_loop, answer, NULL, NULL, NULL, &f) != 0) return AC_EINTERNAL;
  AC_AWAIT(s, ac_task_await_owned(t, f));
  AC_CHECK(t);
  ac_future_result_int64(ac_task_awaited(t), &n);
  trace("thread %d", (int)n);
  /* A call from another thread. */
  if (ac_future_new(main_loop, &s->ts) != 0) return AC_EINTERNAL;
  pthread_create(&s->th, NULL, ts_thread, s->ts);
  AC_AWAIT(s, ac_task_await(t, s->ts));
  pthread_join(s->th, NULL);
  ac_future_unref(s->ts);
  trace("main end");
  return ac_task_return_int64(t, 99);
  AC_END(s);
}

static void on_h4(uv_timer_t *t) {
  (void)t;
  trace("host h4 after close");
}

static void on_heartbeat(uv_timer_t *t) {
  ++beats;
  if (main_task == NULL || !ac_future_done(ac_task_future(main_task))) return;
  int64_t r = 0;
  CHECK_RC(ac_future_result_int64(ac_task_future(main_task), &r), 0);
  trace("host sees main done: %d", (int)r);
  ac_task_unref(main_task);
  main_task = NULL;
  /* Close ours from inside a host callback; the host goes on. */
  CHECK_RC(ac_loop_close(main_loop), 0);
  ac_loop_unref(main_loop);
  main_loop = NULL;
  uv_timer_stop(t);
  uv_timer_start(&h4, on_h4, 2, 0);
}

static void on_host_idle(uv_idle_t *h) {
  if (++idle_runs == 3) uv_idle_stop(h);
}
static void on_host_check(uv_check_t *h) {
  (void)h;
  ++check_runs;
}

static void test_host_drives_everything(void) {
  host_open();
  uv_timer_init(&host, &h1);
  uv_timer_init(&host, &h2);
  uv_timer_init(&host, &heartbeat);
  uv_timer_init(&host, &h4);
  uv_idle_init(&host, &host_idle);
  uv_idle_start(&host_idle, on_host_idle);
  uv_check_init(&host, &host_check);
  uv_check_start(&host_check, on_host_check);
  uv_unref((uv_handle_t *)&host_check);
  /* The host's own heartbeat, every millisecond, until our work is done. */
  uv_timer_start(&heartbeat, on_heartbeat, 1, 1);
  idle_runs = check_runs = beats = 0;

  main_loop = hosted();
  CHECK_RC(ac_loop_call_soon(main_loop, trace_cb, "soon A", NULL, NULL), 0);
  CHECK_RC(ac_loop_call_soon(main_loop, trace_cb, "soon B", NULL, NULL), 0);
  CHECK_RC(ac_task_new_inline(main_loop, main_step, sizeof(struct main_st), 0, &main_task, &(void *){0}), 0);
  CHECK_RC(ac_loop_call_soon(main_loop, trace_cb, "soon C", NULL, NULL), 0);
  CHECK_INT(ac_loop_is_running(main_loop), 0);

  CHECK_RC(uv_run(&host, UV_RUN_DEFAULT), 0);
  CHECK_TRACE(
      "soon A\nsoon B\nmain start\nsoon C\n"
      "host h1\nmain got 7\nhost h2\ntick 1\ntick 2\ntick 3\n"
      "echo ping\nthread 42\nthreadsafe call\nmain end\n"
      "host sees main done: 99\nhost h4 after close\n");
  CHECK(idle_runs == 3);
  CHECK(check_runs > 0);
  CHECK(beats > 0);
  /* Only the host's handles are left. */
  CHECK_INT(host_handle_count(), 7);
  uv_close((uv_handle_t *)&h1, NULL);
  uv_close((uv_handle_t *)&h2, NULL);
  uv_close((uv_handle_t *)&heartbeat, NULL);
  uv_close((uv_handle_t *)&h4, NULL);
  uv_close((uv_handle_t *)&host_idle, NULL);
  uv_close((uv_handle_t *)&host_check, NULL);
  host_close();
}

/* ------------------------------------------------- what keeps it alive */

static void test_bare_loop_does_not_keep_the_host_alive(void) {
  host_open();
  ac_loop *loop = hosted();
  /* Nothing to do: uv_run returns at once. */
  CHECK_RC(uv_run(&host, UV_RUN_DEFAULT), 0);
  CHECK_TRACE("");
  /* Ready callbacks keep it alive until they ran. */
  CHECK_RC(ac_loop_call_soon(loop, trace_cb, "soon", NULL, NULL), 0);
  CHECK_RC(uv_run(&host, UV_RUN_DEFAULT), 0);
  CHECK_TRACE("soon\n");
  /* So does a timer, until it fired; the one cancelled does not. */
  ac_call *h = NULL;
  double now = ac_loop_time(loop);
  CHECK_RC(ac_loop_call_at(loop, now + 0.002, trace_cb, "later 2", NULL, NULL), 0);
  CHECK_RC(ac_loop_call_at(loop, now + 0.001, trace_cb, "later 1", NULL, NULL), 0);
  CHECK_RC(ac_loop_call_later(loop, 3600, trace_cb, "never", count_free, &h), 0);
  CHECK_RC(ac_call_cancel(h), 1);
  ac_call_unref(h);
  CHECK_RC(uv_run(&host, UV_RUN_DEFAULT), 0);
  CHECK_TRACE("later 1\nlater 2\n");
  /* A future nobody completes does not. */
  ac_future *f = NULL;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(uv_run(&host, UV_RUN_DEFAULT), 0);
  ac_future_unref(f);
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
  host_close();
}

static int slow_answer(void *ud, ac_value *result) {
  (void)ud;
  /* Long enough for the host's loop to have nothing else to do. */
  struct timespec ts = {0, 5 * 1000 * 1000};
  nanosleep(&ts, NULL);
  ac_value_set_int64(result, 7);
  return 0;
}
static void trace_result(ac_future *f, void *ud) {
  (void)ud;
  int64_t n = 0;
  ac_future_result_int64(f, &n);
  trace("result %d", (int)n);
}

static void test_executor_job_keeps_the_host_alive(void) {
  host_open();
  ac_loop *loop = hosted();
  ac_executor *ex = NULL;
  CHECK_RC(ac_executor_new(1, &ex), 0);
  ac_future *f = NULL;
  CHECK_RC(ac_to_thread(loop, slow_answer, NULL, NULL, ex, &f), 0);
  CHECK_RC(ac_future_add_done_callback(f, trace_result, NULL, NULL), 0);
  CHECK_RC(uv_run(&host, UV_RUN_DEFAULT), 0);
  CHECK_TRACE("result 7\n");
  ac_future_unref(f);
  /* Once delivered, the async handle no longer holds the host. */
  CHECK_RC(uv_run(&host, UV_RUN_DEFAULT), 0);
  ac_executor_shutdown(ex, AC_EXECUTOR_WAIT);
  ac_executor_unref(ex);
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
  host_close();
}

/* ------------------------------------------------------------- closing */

static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_entered;

static int blocked(void *ud, ac_value *result) {
  (void)ud;
  pthread_mutex_lock(&gate_mu);
  gate_entered = 1;
  pthread_cond_broadcast(&gate_cv);
  while (!gate_open) pthread_cond_wait(&gate_cv, &gate_mu);
  pthread_mutex_unlock(&gate_mu);
  ac_value_set_int64(result, 1);
  return 0;
}

static int reports;
static void count_report(ac_loop *loop, const char *message, ac_error *error, ac_future *future,
                         void *ud) {
  (void)loop;
  (void)error;
  (void)future;
  (void)ud;
  ++reports;
  trace("report: %s", message);
}

static int sleeper_step(ac_task *t, void *p) {
  struct main_st *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, 3600));
  AC_END(s);
}

struct closing {
  ac_loop *loop;
  ac_future *job, *dns;
};
static void close_from_host(uv_timer_t *t) {
  struct closing *c = t->data;
  trace("host closes ours");
  CHECK_RC(ac_loop_close(c->loop), 0);
  /* Our futures are released on the loop's thread, here. */
  CHECK_INT(ac_future_done(c->job), 0);
  ac_future_unref(c->job);
  /* Resolved already, or failed by the close (AC_ECLOSED): either way read. */
  int rc = ac_future_result(c->dns, NULL);
  CHECK(rc == 0 || rc == AC_ECLOSED);
  ac_future_unref(c->dns);
  ac_loop_unref(c->loop);
  pthread_mutex_lock(&gate_mu);
  gate_open = 1;
  pthread_cond_broadcast(&gate_cv);
  pthread_mutex_unlock(&gate_mu);
}

static void test_close_with_requests_in_flight(void) {
  host_open();
  atomic_store(&frees, 0);
  reports = 0;
  gate_open = gate_entered = 0;
  struct closing c = {hosted(), NULL, NULL};
  CHECK_RC(ac_loop_set_exception_handler(c.loop, count_report, NULL, NULL), 0);
  CHECK_RC(ac_to_thread(c.loop, blocked, NULL, count_free, NULL, &c.job), 0);
  CHECK_RC(ac_getaddrinfo(c.loop, "localhost", "80", AC_FAMILY_ANY, AC_SOCKTYPE_STREAM, &c.dns), 0);
  CHECK_RC(ac_task_new_inline(c.loop, sleeper_step, sizeof(struct main_st), 0, NULL, &(void *){0}), 0);
  CHECK_RC(ac_loop_call_later(c.loop, 3600, trace_cb, "never", count_free, NULL), 0);
  /* The job is running on a worker before the host closes ours. */
  pthread_mutex_lock(&gate_mu);
  while (!gate_entered) pthread_cond_wait(&gate_cv, &gate_mu);
  pthread_mutex_unlock(&gate_mu);
  uv_timer_t t;
  uv_timer_init(&host, &t);
  uv_update_time(&host);
  t.data = &c;
  /* The task runs its first step (and sleeps) before the timer fires. */
  uv_timer_start(&t, close_from_host, 1, 0);
  CHECK_RC(uv_run(&host, UV_RUN_DEFAULT), 0);
  CHECK_TRACE("host closes ours\nreport: Task was destroyed but it is pending\n");
  /* The timer's free_ud at the close, the job's when its completion came. */
  CHECK_INT(atomic_load(&frees), 2);
  CHECK_INT(reports, 1);
  uv_close((uv_handle_t *)&t, NULL);
  host_close();
}

static void test_dropping_the_last_reference_closes(void) {
  host_open();
  atomic_store(&frees, 0);
  ac_loop *loop = hosted();
  CHECK_RC(ac_loop_call_soon(loop, trace_cb, "never", count_free, NULL), 0);
  ac_loop_unref(loop);  /* closes: free_ud runs, the callback never */
  CHECK_INT(atomic_load(&frees), 1);
  CHECK_RC(uv_run(&host, UV_RUN_DEFAULT), 0);
  CHECK_TRACE("");
  host_close();
}

static void test_close_before_the_host_runs(void) {
  host_open();
  ac_loop *loop = hosted();
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_RC(ac_loop_close(loop), AC_ECLOSED);
  CHECK_RC(ac_loop_call_soon(loop, trace_cb, "never", NULL, NULL), AC_ECLOSED);
  ac_loop_unref(loop);
  /* Our handles are closing: the host must run once before closing. */
  CHECK_RC(uv_loop_close(&host), UV_EBUSY);
  host_close();
}

/* ----------------------------------------------------- steps and stops */

static void stop_cb(ac_loop *loop, void *ud) {
  trace("%s", (const char *)ud);
  CHECK_RC(ac_loop_stop(loop), 0);
  CHECK_RC(ac_loop_call_soon(loop, trace_cb, "after stop", NULL, NULL), 0);
}

static void test_stop_ends_the_step_only(void) {
  host_open();
  ac_loop *loop = hosted();
  CHECK_RC(ac_loop_call_soon(loop, stop_cb, "stop", NULL, NULL), 0);
  CHECK_RC(ac_loop_call_soon(loop, trace_cb, "same batch", NULL, NULL), 0);
  CHECK_RC(uv_run(&host, UV_RUN_DEFAULT), 0);
  CHECK_TRACE("stop\nsame batch\nafter stop\n");
  ac_loop_unref(loop);
  host_close();
}

static ac_loop *loop_b;
static void on_a(ac_loop *loop, void *ud) {
  (void)ud;
  trace("a running %d, b running %d", ac_loop_is_running(loop), ac_loop_is_running(loop_b));
  CHECK_RC(ac_loop_close(loop), AC_ERUNNING);
}

static void test_two_loops_share_a_host(void) {
  host_open();
  ac_loop *a = hosted();
  loop_b = hosted();
  CHECK_RC(ac_loop_call_soon(a, on_a, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_call_later(loop_b, 0.001, trace_cb, "b later", NULL, NULL), 0);
  CHECK_RC(uv_run(&host, UV_RUN_DEFAULT), 0);
  CHECK_TRACE("a running 1, b running 0\nb later\n");
  CHECK_RC(ac_loop_close(a), 0);
  ac_loop_unref(a);
  ac_loop_unref(loop_b);
  host_close();
}

/* A connection callback runs from the host's poll, outside any step of
 * ours: the loop is marked running for it all the same. */
static void on_connection(ac_server *srv, ac_stream *stream, void *ud) {
  ac_loop *loop = ud;
  (void)stream;
  trace("connection: running %d", ac_loop_is_running(loop));
  CHECK_RC(ac_loop_close(loop), AC_ERUNNING);
  ac_server_close(srv);
}
static void on_connected(ac_future *f, void *ud) {
  trace("connected: %d", ac_future_result(f, NULL));
  ac_stream_close((ac_stream *)ud);
}

static void test_connection_callback_runs_as_in_a_step(void) {
  host_open();
  ac_loop *loop = hosted();
  ac_server *srv = NULL;
  ac_stream *client = NULL;
  ac_future *f = NULL;
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, on_connection, loop, NULL, &srv), 0);
  CHECK_RC(ac_stream_connect_tcp(loop, "127.0.0.1", ac_server_port(srv), &client, &f), 0);
  CHECK_RC(ac_future_add_done_callback(f, on_connected, client, NULL), 0);
  CHECK_RC(uv_run(&host, UV_RUN_DEFAULT), 0);
  CHECK_INT(ac_loop_is_running(loop), 0);
  const char *t = trace_text();
  /* Which of the two ends sees the connection first is the kernel's affair. */
  CHECK(strcmp(t, "connection: running 1\nconnected: 0\n") == 0 ||
        strcmp(t, "connected: 0\nconnection: running 1\n") == 0);
  trace_clear();
  ac_future_unref(f);
  ac_stream_unref(client);
  ac_server_unref(srv);
  ac_loop_unref(loop);
  host_close();
}

/* The time budget bounds each of our steps in the host's iterations. */
static int budget_idles;
static void on_budget_idle(uv_idle_t *h) {
  trace("host idle");
  if (++budget_idles == 4) uv_idle_stop(h);
}

static void test_time_budget_spreads_steps_over_host_iterations(void) {
  host_open();
  ac_loop *loop = hosted();
  /* Spent by the first callback of every step. */
  CHECK_RC(ac_loop_set_time_budget(loop, 1e-9), 0);
  CHECK_RC(ac_loop_call_soon(loop, trace_cb, "A", NULL, NULL), 0);
  CHECK_RC(ac_loop_call_soon(loop, trace_cb, "B", NULL, NULL), 0);
  CHECK_RC(ac_loop_call_soon(loop, trace_cb, "C", NULL, NULL), 0);
  uv_idle_t idle;
  budget_idles = 0;
  uv_idle_init(&host, &idle);
  uv_idle_start(&idle, on_budget_idle);
  CHECK_RC(uv_run(&host, UV_RUN_DEFAULT), 0);
  CHECK_TRACE("host idle\nA\nhost idle\nB\nhost idle\nC\nhost idle\n");
  uv_close((uv_handle_t *)&idle, NULL);
  ac_loop_unref(loop);
  host_close();
}

/* ---------------------------------------------------------------- misuse */

static void test_misuse(void) {
  ac_loop *loop = NULL;
  CHECK_RC(ac_loop_new_on_uv(NULL, 0, &loop), AC_EINVAL);
  host_open();
  CHECK_RC(ac_loop_new_on_uv(&host, 0, NULL), AC_EINVAL);
  CHECK_RC(ac_loop_new_on_uv(&host, AC_LOOP_VIRTUAL_CLOCK, &loop), AC_EINVAL);
  CHECK_RC(ac_loop_new_on_uv(&host, 1u << 20, &loop), AC_EINVAL);
  CHECK(loop == NULL);
  CHECK_RC(ac_loop_new_on_uv(&host, AC_LOOP_DEBUG, &loop), 0);
  CHECK_INT(ac_loop_get_debug(loop), 1);
  /* The host's uv_run is the only driver. */
  ac_future *f = NULL;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), AC_ENOTSUP);
  CHECK_RC(ac_loop_run_forever(loop), AC_ENOTSUP);
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), AC_ENOTSUP);
  CHECK_RC(ac_loop_shutdown(loop, 1.0), AC_ENOTSUP);
  CHECK_RC(ac_loop_backend_fd(loop), AC_ENOTSUP);
  CHECK_RC(ac_loop_backend_timeout(loop), AC_ENOTSUP);
  ac_future_unref(f);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), AC_ECLOSED);
  CHECK_RC(ac_loop_backend_fd(loop), AC_ECLOSED);
  ac_loop_unref(loop);
  host_close();
}

int main(void) {
  RUN(test_host_drives_everything);
  RUN(test_bare_loop_does_not_keep_the_host_alive);
  RUN(test_executor_job_keeps_the_host_alive);
  RUN(test_close_with_requests_in_flight);
  RUN(test_dropping_the_last_reference_closes);
  RUN(test_close_before_the_host_runs);
  RUN(test_stop_ends_the_step_only);
  RUN(test_two_loops_share_a_host);
  RUN(test_connection_callback_runs_as_in_a_step);
  RUN(test_time_budget_spreads_steps_over_host_iterations);
  RUN(test_misuse);
  return th_finish();
}
