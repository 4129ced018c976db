#define _POSIX_C_SOURCE 200809L
/* dump.c — ac_loop_dump (what every task waits for, as text and JSON
 * lines), ac_task_get_id, ac_loop_get_stats, and the name debug mode gives
 * a slow callback. */
#include <pthread.h>
#include <stdlib.h>

#include "net_util.h"
#include "sync_helpers.h"

static char g_text[4096], g_json[4096];

static void dump_both(ac_loop *loop) {
  char *s = NULL;
  CHECK_RC(ac_loop_dump(loop, AC_DUMP_TEXT, &s), 0);
  snprintf(g_text, sizeof g_text, "%s", s);
  ac_free(s);
  s = NULL;
  CHECK_RC(ac_loop_dump(loop, AC_DUMP_JSON, &s), 0);
  snprintf(g_json, sizeof g_json, "%s", s);
  ac_free(s);
}

/* The watchdog of a program that seems stuck: a timer dumps the loop. */
static void watchdog(ac_loop *loop, void *ud) {
  (void)ud;
  dump_both(loop);
  ac_loop_stop(loop);
}

/* Awaits another task, named later. */
struct follower {
  AC_ASYNC_FIELDS;
  ac_task *target;
};
static int follower_step(ac_task *t, void *p) {
  struct follower *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_await(t, ac_task_future(s->target)));
  AC_END(s);
}

#define U(t) (unsigned long long)ac_task_get_id(t)

/* A awaits B, which waits first on a lock C holds; C waits on an event,
 * D second on the lock; E sleeps (2.5 s left when the watchdog looks), F
 * waits on an empty queue. */
static void test_dump_scenario(void) {
  ac_loop *loop = th_loop();
  ac_lock *lock;
  ac_event *ev;
  ac_queue *q;
  CHECK_RC(ac_lock_new(loop, &lock), 0);
  CHECK_RC(ac_event_new(loop, &ev), 0);
  CHECK_RC(ac_queue_new(loop, AC_QUEUE_FIFO, 0, &q), 0);
  ac_future *held, *fb, *fd, *fev, *fq, *fs;
  CHECK_RC(ac_lock_acquire(lock, &held), 0);  /* C's: taken at once */
  ac_future_unref(held);
  CHECK_RC(ac_lock_acquire(lock, &fb), 0);
  CHECK_RC(ac_lock_acquire(lock, &fd), 0);
  CHECK_RC(ac_event_wait(ev, &fev), 0);
  CHECK_RC(ac_queue_get(q, &fq), 0);
  CHECK_RC(ac_sleep(loop, 5, &fs), 0);

  struct follower *fa;
  ac_task *a = NULL;
  CHECK_RC(ac_task_new_inline(loop, follower_step, sizeof *fa, 0, &a, (void **)&fa), 0);
  ac_task *b = spawn_awaiter(loop, "B", fb);
  ac_task *c = spawn_awaiter(loop, "C", fev);
  ac_task *d = spawn_awaiter(loop, "D", fd);
  ac_task *e = spawn_awaiter(loop, "E", fs);
  ac_task *f = spawn_awaiter(loop, "F", fq);
  fa->target = b;
  CHECK_RC(ac_task_set_name(a, "A"), 0);
  CHECK_RC(ac_task_set_name(b, "B"), 0);
  CHECK_RC(ac_task_set_name(c, "C"), 0);
  CHECK_RC(ac_task_set_name(d, "D"), 0);
  CHECK_RC(ac_task_set_name(e, "E"), 0);
  CHECK_RC(ac_task_set_name(f, "F \"quoted\""), 0);
  CHECK(ac_task_get_id(b) == ac_task_get_id(a) + 1);
  CHECK(ac_task_get_id(f) == ac_task_get_id(a) + 5);
  CHECK_INT(ac_task_get_id(NULL), 0);

  /* Before anything ran: every task is ready, nothing awaited. */
  dump_both(loop);
  char want[4096];
  snprintf(want, sizeof want,
           "#%llu A ready\n#%llu B ready\n#%llu C ready\n#%llu D ready\n#%llu E ready\n"
           "#%llu F \"quoted\" ready\n",
           U(a), U(b), U(c), U(d), U(e), U(f));
  CHECK_STR(g_text, want);

  CHECK_RC(ac_loop_call_later(loop, 2.5, watchdog, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_forever(loop), 0);
  snprintf(want, sizeof want,
           "#%llu A waiting: task #%llu B\n"
           "  #%llu B waiting: lock %p position=1 waiters=2 locked=yes\n"
           "#%llu C waiting: event %p position=1 waiters=1\n"
           "#%llu D waiting: lock %p position=2 waiters=2 locked=yes\n"
           "#%llu E waiting: sleep left=2.500\n"
           "#%llu F \"quoted\" waiting: queue_get %p position=1 waiters=1 size=0\n",
           U(a), U(b), U(b), (void *)lock, U(c), (void *)ev, U(d), (void *)lock, U(e), U(f),
           (void *)q);
  CHECK_STR(g_text, want);
  snprintf(want, sizeof want,
           "{\"id\":%llu,\"name\":\"A\",\"state\":\"waiting\",\"cancelling\":0,"
           "\"awaits\":{\"kind\":\"task\",\"id\":%llu,\"name\":\"B\"},\"awaited_by\":[]}\n"
           "{\"id\":%llu,\"name\":\"B\",\"state\":\"waiting\",\"cancelling\":0,"
           "\"awaits\":{\"kind\":\"lock\",\"object\":\"%p\",\"position\":1,\"waiters\":2,"
           "\"locked\":true},\"awaited_by\":[%llu]}\n"
           "{\"id\":%llu,\"name\":\"C\",\"state\":\"waiting\",\"cancelling\":0,"
           "\"awaits\":{\"kind\":\"event\",\"object\":\"%p\",\"position\":1,\"waiters\":1},"
           "\"awaited_by\":[]}\n"
           "{\"id\":%llu,\"name\":\"D\",\"state\":\"waiting\",\"cancelling\":0,"
           "\"awaits\":{\"kind\":\"lock\",\"object\":\"%p\",\"position\":2,\"waiters\":2,"
           "\"locked\":true},\"awaited_by\":[]}\n"
           "{\"id\":%llu,\"name\":\"E\",\"state\":\"waiting\",\"cancelling\":0,"
           "\"awaits\":{\"kind\":\"sleep\",\"left\":2.5},\"awaited_by\":[]}\n"
           "{\"id\":%llu,\"name\":\"F \\\"quoted\\\"\",\"state\":\"waiting\",\"cancelling\":0,"
           "\"awaits\":{\"kind\":\"queue_get\",\"object\":\"%p\",\"position\":1,\"waiters\":1,"
           "\"size\":0},\"awaited_by\":[]}\n",
           U(a), U(b), U(b), (void *)lock, U(a), U(c), (void *)ev, U(d), (void *)lock, U(e), U(f),
           (void *)q);
  CHECK_STR(g_json, want);

  /* Between runs the same; a cancellation requested shows until it is
   * delivered: E's sleep is cancelled, E is ready to see it. */
  CHECK_RC(ac_task_cancel(e, NULL), 1);
  dump_both(loop);
  char line[512];
  snprintf(line, sizeof line, "#%llu E cancelling cancelling=1: sleep left=0.000 done=yes\n",
           U(e));
  CHECK(strstr(g_text, line) != NULL);
  /* Counters: six tasks made, the cancelled one still pending. */
  ac_loop_stats st;
  CHECK_RC(ac_loop_get_stats(loop, &st, sizeof st), (int)sizeof st);
  CHECK_INT(st.tasks_alive, 6);
  CHECK_INT(st.tasks_created, 6);
  CHECK_INT(st.ready, 1);
  CHECK_INT(st.timers, 0);
  run_all(loop);
  CHECK_TRACE("E: AC_ECANCELLED at 2.5\n");
  CHECK_RC(ac_loop_get_stats(loop, &st, sizeof st), (int)sizeof st);
  CHECK_INT(st.tasks_alive, 5);
  CHECK_INT(st.ready, 0);

  /* The lock is released: B gets it and ends, then A. */
  CHECK_RC(ac_lock_release(lock), 0);
  run_all(loop);
  CHECK_TRACE("B: ok at 2.5\n");
  dump_both(loop);
  snprintf(want, sizeof want,
           "#%llu C waiting: event %p position=1 waiters=1\n"
           "#%llu D waiting: lock %p position=1 waiters=1 locked=yes\n"
           "#%llu F \"quoted\" waiting: queue_get %p position=1 waiters=1 size=0\n",
           U(c), (void *)ev, U(d), (void *)lock, U(f), (void *)q);
  CHECK_STR(g_text, want);

  ac_task_unref(a);
  ac_task_unref(b);
  ac_task_unref(c);
  ac_task_unref(d);
  ac_task_unref(e);
  ac_task_unref(f);
  ac_event_set(ev);
  CHECK_RC(ac_lock_release(lock), 0);
  ac_value v;
  ac_value_set_int64(&v, 7);
  CHECK_RC(ac_queue_put_nowait(q, &v), 0);
  run_all(loop);
  CHECK_TRACE("C: ok at 2.5\nD: ok at 2.5\nF: ok 7 at 2.5\n");
  dump_both(loop);
  CHECK_STR(g_text, "");
  CHECK_STR(g_json, "");
  ac_lock_unref(lock);
  ac_event_unref(ev);
  ac_queue_unref(q);
  th_close(loop);
}

/* A task dumping the loop from its own step sees itself running; a
 * gather of two tasks, one under wait_for, shows both under it. */
struct dumper {
  AC_ASYNC_FIELDS;
  ac_future *gather;
};
static int dumper_step(ac_task *t, void *p) {
  struct dumper *s = p;
  AC_BEGIN(s);
  dump_both(ac_task_get_loop(t));
  AC_AWAIT(s, ac_task_await_owned(t, s->gather));
  AC_END(s);
}

static void test_dump_running_and_gather(void) {
  ac_loop *loop = th_loop();
  ac_future *s1, *s2, *wf;
  CHECK_RC(ac_sleep(loop, 1, &s1), 0);
  CHECK_RC(ac_sleep(loop, 10, &s2), 0);
  CHECK_RC(ac_wait_for(loop, s2, 3, &wf), 0);
  ac_future_unref(s2);
  struct dumper *m;
  ac_task *main_task = NULL;
  CHECK_RC(ac_task_new_inline(loop, dumper_step, sizeof *m, 0, &main_task, (void **)&m), 0);
  ac_task *x = spawn_awaiter(loop, "X", s1);
  ac_task *y = spawn_awaiter(loop, "Y", wf);
  ac_future *kids[2] = {ac_task_future(x), ac_task_future(y)};
  CHECK_RC(ac_gather(loop, kids, 2, 0, &m->gather), 0);
  CHECK_RC(ac_task_set_name(main_task, "main"), 0);
  CHECK_RC(ac_task_set_name(x, "X"), 0);
  CHECK_RC(ac_task_set_name(y, "Y"), 0);
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), 3);
  char want[2048];
  snprintf(want, sizeof want, "#%llu main running\n#%llu X ready\n#%llu Y ready\n",
           U(main_task), U(x), U(y));
  CHECK_STR(g_text, want);
  ac_loop_call_later(loop, 0.5, watchdog, NULL, NULL, NULL);
  CHECK_RC(ac_loop_run_forever(loop), 0);
  snprintf(want, sizeof want,
           "#%llu main waiting: gather pending=2 of=2 [task #%llu X, task #%llu Y]\n"
           "  #%llu X waiting: sleep left=0.500\n"
           "  #%llu Y waiting: wait_for timeout=2.500 [sleep left=9.500]\n",
           U(main_task), U(x), U(y), U(x), U(y));
  CHECK_STR(g_text, want);
  snprintf(want, sizeof want,
           "{\"id\":%llu,\"name\":\"main\",\"state\":\"waiting\",\"cancelling\":0,"
           "\"awaits\":{\"kind\":\"gather\",\"pending\":2,\"of\":2,\"items\":["
           "{\"kind\":\"task\",\"id\":%llu,\"name\":\"X\"},"
           "{\"kind\":\"task\",\"id\":%llu,\"name\":\"Y\"}]},\"awaited_by\":[]}\n"
           "{\"id\":%llu,\"name\":\"X\",\"state\":\"waiting\",\"cancelling\":0,"
           "\"awaits\":{\"kind\":\"sleep\",\"left\":0.5},\"awaited_by\":[%llu]}\n"
           "{\"id\":%llu,\"name\":\"Y\",\"state\":\"waiting\",\"cancelling\":0,"
           "\"awaits\":{\"kind\":\"wait_for\",\"timeout\":2.5,\"inner\":"
           "{\"kind\":\"sleep\",\"left\":9.5}},\"awaited_by\":[%llu]}\n",
           U(main_task), U(x), U(y), U(x), U(main_task), U(y), U(main_task));
  CHECK_STR(g_json, want);
  run_all(loop);
  CHECK_TRACE("X: ok at 1\nY: ETIMEDOUT at 3\n");
  ac_task_unref(main_task);
  ac_task_unref(x);
  ac_task_unref(y);
  th_close(loop);
}

/* A task group's tasks are shown under its body's task, before and after
 * the join; a timeout scope shows the time it leaves. */
struct sleeper {
  AC_ASYNC_FIELDS;
  double s;
};
static int sleeper_step(ac_task *t, void *p) {
  struct sleeper *s = p;
  AC_BEGIN(s);
  AC_AWAIT(s, ac_task_sleep(t, s->s));
  AC_END(s);
}
struct group_body {
  AC_ASYNC_FIELDS;
  ac_timeout *scope;
  ac_taskgroup *tg;
  ac_task *kids[2];
};
static int group_body_step(ac_task *t, void *p) {
  struct group_body *b = p;
  int rc;
  AC_BEGIN(b);
  if ((rc = ac_timeout_new(ac_task_get_loop(t), 10, &b->scope)) < 0) return rc;
  if ((rc = ac_timeout_enter(b->scope, t)) < 0) return rc;
  if ((rc = ac_taskgroup_new(t, &b->tg)) < 0) return rc;
  for (int i = 0; i < 2; ++i) {
    struct sleeper *s;
    if ((rc = ac_taskgroup_spawn_inline(b->tg, sleeper_step, sizeof *s, 0, &b->kids[i],
                                        (void **)&s)) < 0)
      return rc;
    s->s = i == 0 ? 1 : 3;
    ac_task_set_name(b->kids[i], i == 0 ? "G1" : "G2");
  }
  AC_AWAIT(b, ac_task_sleep(t, 0.5));
  {
    ac_future *join;
    if ((rc = ac_taskgroup_join(b->tg, 0, NULL, &join)) < 0) return rc;
    AC_AWAIT(b, ac_task_await_owned(t, join));
  }
  rc = ac_timeout_exit(b->scope, ac_task_outcome(t));
  ac_timeout_unref(b->scope);
  ac_taskgroup_unref(b->tg);
  ac_task_unref(b->kids[0]);
  ac_task_unref(b->kids[1]);
  return rc < 0 ? rc : AC_STEP_DONE;
  AC_END(b);
}

static void test_dump_task_group(void) {
  ac_loop *loop = th_loop();
  struct group_body *b;
  ac_task *p = NULL;
  CHECK_RC(ac_task_new_inline(loop, group_body_step, sizeof *b, 0, &p, (void **)&b), 0);
  CHECK_RC(ac_task_set_name(p, "P"), 0);
  CHECK_RC(ac_loop_call_later(loop, 0.25, watchdog, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_forever(loop), 0);
  char want[2048];
  snprintf(want, sizeof want,
           "#%llu P waiting timeout=9.750: sleep left=0.250\n"
           "  #%llu G1 waiting: sleep left=0.750\n"
           "  #%llu G2 waiting: sleep left=2.750\n",
           U(p), U(b->kids[0]), U(b->kids[1]));
  CHECK_STR(g_text, want);
  CHECK_RC(ac_loop_call_later(loop, 1.75, watchdog, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_run_forever(loop), 0);
  snprintf(want, sizeof want,
           "#%llu P waiting timeout=8.000: taskgroup %p left=1 [task #%llu G2]\n"
           "  #%llu G2 waiting: sleep left=1.000\n",
           U(p), (void *)b->tg, U(b->kids[1]), U(b->kids[1]));
  CHECK_STR(g_text, want);
  snprintf(want, sizeof want,
           "{\"id\":%llu,\"name\":\"P\",\"state\":\"waiting\",\"cancelling\":0,"
           "\"awaits\":{\"kind\":\"taskgroup\",\"object\":\"%p\",\"left\":1,\"tasks\":["
           "{\"kind\":\"task\",\"id\":%llu,\"name\":\"G2\"}]},\"timeout\":8,\"awaited_by\":[]}\n"
           "{\"id\":%llu,\"name\":\"G2\",\"state\":\"waiting\",\"cancelling\":0,"
           "\"awaits\":{\"kind\":\"sleep\",\"left\":1},\"awaited_by\":[%llu]}\n",
           U(p), (void *)b->tg, U(b->kids[1]), U(b->kids[1]), U(p));
  CHECK_STR(g_json, want);
  run_all(loop);
  CHECK_RC(ac_future_done(ac_task_future(p)), 1);
  ac_task_unref(p);
  th_close(loop);
}

/* A task reading from a stream, another waiting for one to close. */
static ac_stream *g_accepted;
static void keep_conn(ac_server *srv, ac_stream *st, void *ud) {
  (void)srv;
  (void)ud;
  g_accepted = ac_stream_ref(st);
}

static void test_dump_streams(void) {
  ac_loop *loop = net_loop();
  ac_server *srv;
  CHECK_RC(ac_server_listen_tcp(loop, "127.0.0.1", 0, 0, keep_conn, NULL, NULL, &srv), 0);
  int port = ac_server_port(srv);
  ac_stream *cl;
  ac_future *connected, *rd, *closed;
  CHECK_RC(ac_stream_connect_tcp(loop, "127.0.0.1", port, &cl, &connected), 0);
  CHECK_RC(net_wait(loop, connected, 10), 0);
  ac_future_unref(connected);
  int got = 0;
  while (g_accepted == NULL && got++ < 1000) ac_loop_step(loop, 0.01, NULL, NULL);
  CHECK(g_accepted != NULL);
  CHECK_RC(ac_stream_readline(cl, &rd), 0);
  CHECK_RC(ac_stream_wait_closed(g_accepted, &closed), 0);
  ac_task *r = spawn_awaiter(loop, "R", rd);
  ac_task *w = spawn_awaiter(loop, "W", closed);
  CHECK_RC(ac_task_set_name(r, "R"), 0);
  CHECK_RC(ac_task_set_name(w, "W"), 0);
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), 2);
  dump_both(loop);
  char want[1024];
  snprintf(want, sizeof want,
           "#%llu R waiting: stream_read %p op=readline buffered=0\n"
           "#%llu W waiting: stream_wait_closed %p\n",
           U(r), (void *)cl, U(w), (void *)g_accepted);
  CHECK_STR(g_text, want);
  ac_stream_close(cl);
  ac_stream_close(g_accepted);
  int done = 0;
  while (!(ac_future_done(ac_task_future(r)) == 1 && ac_future_done(ac_task_future(w)) == 1) &&
         done++ < 1000)
    ac_loop_step(loop, 0.01, NULL, NULL);
  trace_clear();
  ac_task_unref(r);
  ac_task_unref(w);
  ac_stream_unref(cl);
  ac_stream_unref(g_accepted);
  g_accepted = NULL;
  ac_server_unref(srv);
  th_close(loop);
}

struct thread_call {
  ac_loop *loop;
  int rc_dump, rc_stats;
};
static void *other_thread(void *p) {
  struct thread_call *c = p;
  char *s = NULL;
  ac_loop_stats st;
  c->rc_dump = ac_loop_dump(c->loop, AC_DUMP_TEXT, &s);
  c->rc_stats = ac_loop_get_stats(c->loop, &st, sizeof st);
  return NULL;
}

static void test_dump_bad_input(void) {
  ac_loop *loop = th_loop();
  char *s = (char *)"untouched";
  ac_loop_stats st;
  CHECK_RC(ac_loop_dump(NULL, AC_DUMP_TEXT, &s), AC_EINVAL);
  CHECK_RC(ac_loop_dump(loop, AC_DUMP_TEXT, NULL), AC_EINVAL);
  CHECK_RC(ac_loop_dump(loop, 2, &s), AC_EINVAL);
  CHECK_RC(ac_loop_dump(loop, -1, &s), AC_EINVAL);
  CHECK_STR(s, "untouched");
  CHECK_RC(ac_loop_get_stats(NULL, &st, sizeof st), AC_EINVAL);
  CHECK_RC(ac_loop_get_stats(loop, NULL, sizeof st), AC_EINVAL);
  /* A smaller size (an older header) gets the fields it knows. */
  memset(&st, 0xff, sizeof st);
  CHECK_RC(ac_loop_get_stats(loop, &st, 2 * sizeof(uint64_t)), 2 * (int)sizeof(uint64_t));
  CHECK_INT(st.tasks_alive, 0);
  CHECK_INT(st.tasks_created, 0);
  CHECK(st.ready == UINT64_MAX);
  CHECK_RC(ac_loop_get_stats(loop, &st, 0), 0);
  struct thread_call c = {loop, 0, 0};
  pthread_t th;
  CHECK(pthread_create(&th, NULL, other_thread, &c) == 0);
  pthread_join(th, NULL);
  CHECK_RC(c.rc_dump, AC_EWRONGTHREAD);
  CHECK_RC(c.rc_stats, AC_EWRONGTHREAD);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_RC(ac_loop_dump(loop, AC_DUMP_JSON, &s), AC_ECLOSED);
  CHECK_RC(ac_loop_get_stats(loop, &st, sizeof st), AC_ECLOSED);
  CHECK_STR(s, "untouched");
  ac_loop_unref(loop);
}

static void count_cb(ac_loop *loop, void *ud) {
  (void)loop;
  ++*(int *)ud;
}

static void test_stats_counts(void) {
  ac_loop *loop = th_loop();
  int n = 0;
  for (int i = 0; i < 3; ++i) CHECK_RC(ac_loop_call_soon(loop, count_cb, &n, NULL, NULL), 0);
  CHECK_RC(ac_loop_call_later(loop, 1, count_cb, &n, NULL, NULL), 0);
  ac_loop_stats st;
  CHECK_RC(ac_loop_get_stats(loop, &st, sizeof st), (int)sizeof st);
  CHECK_INT(st.ready, 3);
  CHECK_INT(st.timers, 1);
  CHECK_INT(st.callbacks_run, 0);
  CHECK_INT(st.iterations, 0);
  CHECK_RC(ac_loop_step(loop, 0, NULL, NULL), 3);
  CHECK_RC(ac_loop_get_stats(loop, &st, sizeof st), (int)sizeof st);
  CHECK_INT(st.ready, 0);
  CHECK_INT(st.callbacks_run, 3);
  CHECK_INT(st.iterations, 1);
  run_all(loop);
  CHECK_INT(n, 4);
  CHECK_RC(ac_loop_get_stats(loop, &st, sizeof st), (int)sizeof st);
  CHECK_INT(st.callbacks_run, 4);
  CHECK_INT(st.timers, 0);
  CHECK(st.poll_ns > 0);
  CHECK(st.callbacks_ns > 0);
  th_close(loop);
}

/* Debug mode names what was slow. A duration of 0 makes every callback
 * slow, with no timing in the test. */
struct slow_log {
  char lines[8][96];
  int n;
};
static void slow_handler(ac_loop *loop, const char *message, ac_error *error,
                         ac_future *future, void *ud) {
  (void)loop;
  (void)error;
  (void)future;
  struct slow_log *log = ud;
  const char *took = strstr(message, " took ");
  if (log->n < 8 && took != NULL)
    snprintf(log->lines[log->n++], 96, "%.*s", (int)(took - message), message);
}
static int yield_once_step(ac_task *t, void *p) {
  (void)t;
  int *st = p;
  if ((*st)++ == 0) return AC_STEP_YIELD;
  return AC_STEP_DONE;
}
static void noop_cb(ac_loop *loop, void *ud) {
  (void)loop;
  (void)ud;
}

static void test_slow_callback_names(void) {
  ac_loop *loop;
  CHECK_RC(ac_loop_new(AC_LOOP_VIRTUAL_CLOCK | AC_LOOP_DEBUG, &loop), 0);
  struct slow_log log;
  memset(&log, 0, sizeof log);
  CHECK_RC(ac_loop_set_exception_handler(loop, slow_handler, &log, NULL), 0);
  CHECK_RC(ac_loop_set_slow_callback_duration(loop, 0), 0);
  int st = 0;
  ac_task *t = NULL;
  CHECK_RC(ac_task_new(loop, yield_once_step, &st, NULL, 0, &t), 0);
  CHECK_RC(ac_task_set_name(t, "worker"), 0);
  CHECK_RC(ac_loop_call_soon(loop, noop_cb, NULL, NULL, NULL), 0);
  CHECK_RC(ac_loop_call_later(loop, 1, noop_cb, NULL, NULL, NULL), 0);
  run_all(loop);
  char want[96];
  snprintf(want, sizeof want, "Executing <Task name='worker' id=%llu>", U(t));
  CHECK_INT(log.n, 4);
  CHECK_STR(log.lines[0], want);
  CHECK_STR(log.lines[1], "Executing <Handle callback>");
  CHECK_STR(log.lines[2], want);
  CHECK_STR(log.lines[3], "Executing <TimerHandle callback>");
  ac_task_unref(t);
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
}

/* Many held futures: 300 streams, each read by its own task, the tasks
 * gathered by one more. The dump finds each read's stream in an index made
 * once (not by a walk over every stream per task) and links each task
 * once under the gathering one; the loop's close names each read in its
 * report the same way. */
#ifndef _WIN32
#include <sys/socket.h>
#include <unistd.h>

enum { kStreams = 300 };
static int count_of(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle)) n++;
  return n;
}

static void test_dump_many_streams(void) {
  ac_loop *loop = net_loop();
  static int sv[kStreams][2];
  static ac_stream *st[kStreams];
  static ac_future *kids[kStreams];
  for (int i = 0; i < kStreams; i++) {
    CHECK_RC(socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]), 0);
    CHECK_RC(ac_pipe_connect_read(loop, sv[i][0], &st[i]), 0);
    ac_future *rd;
    CHECK_RC(ac_stream_readline(st[i], &rd), 0);
    ac_task *t = spawn_awaiter(loop, "R", rd);
    kids[i] = ac_task_future(t);
  }
  ac_future *all;
  CHECK_RC(ac_gather(loop, kids, kStreams, 0, &all), 0);
  ac_task *parent = spawn_awaiter(loop, "P", all);
  for (int i = 0; i < 3; i++) ac_loop_step(loop, 0, NULL, NULL);
  char *text = NULL;
  CHECK_RC(ac_loop_dump(loop, AC_DUMP_TEXT, &text), 0);
  CHECK_INT(count_of(text, "waiting: stream_read "), kStreams);
  CHECK_INT(count_of(text, "op=readline buffered=0"), kStreams);
  CHECK_INT(count_of(text, "waiting: gather pending=300 of=300"), 1);
  ac_free(text);
  ac_task_unref(parent);
  /* The default reports go to stderr: catch them in a file. */
  FILE *caught = tmpfile();
  CHECK(caught != NULL);
  fflush(stderr);
  int saved = dup(2);
  CHECK(dup2(fileno(caught), 2) == 2);
  trace_clear();
  th_close(loop);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  static char reports[1 << 16];
  rewind(caught);
  size_t len = fread(reports, 1, sizeof reports - 1, caught);
  reports[len] = '\0';
  fclose(caught);
  CHECK_INT(count_of(reports, "awaiting stream_read "), kStreams);
  CHECK_INT(count_of(reports, "awaiting gather pending=300 of=300"), 1);
  for (int i = 0; i < kStreams; i++) {
    ac_task_unref((ac_task *)kids[i]);
    ac_stream_unref(st[i]);
    close(sv[i][1]);
  }
}
#else
static void skipped(void) {}
#endif

int main(void) {
  RUN(test_dump_scenario);
  RUN(test_dump_running_and_gather);
  RUN(test_dump_task_group);
  RUN(test_dump_streams);
#ifndef _WIN32
  RUN(test_dump_many_streams);
#else
  th_run("test_dump_many_streams # SKIP pipes as streams are POSIX only", skipped);
#endif
  RUN(test_dump_bad_input);
  RUN(test_stats_counts);
  RUN(test_slow_callback_names);
  return th_finish();
}
