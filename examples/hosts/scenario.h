/*
 * scenario.h — the work the host examples give the loop, the same for each
 * host (its own epoll, GLib's main loop): a TCP echo server and a client
 * on 127.0.0.1, a timer, and a result handed in from another thread. Each
 * of them wakes the host's poll only through the loop's backend fd: the
 * host never steps the loop "just in case".
 *
 *   scenario_start(loop, &done)   starts the main task
 *   done                          set when the main task has finished
 */
#ifndef ASYNCORE_EXAMPLE_HOST_SCENARIO_H
#define ASYNCORE_EXAMPLE_HOST_SCENARIO_H

#include <asyncore.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

/* The server's side of a connection: answers one line. */
struct echo {
  AC_ASYNC_FIELDS;
  ac_stream *stream;
};

static int echo_step(ac_task *t, void *p) {
  struct echo *e = p;
  ac_future *f;
  ac_value line;
  AC_BEGIN(e);
  if (ac_stream_readline(e->stream, &f) != 0) return AC_EINTERNAL;
  AC_AWAIT(e, ac_task_await_owned(t, f));
  AC_CHECK(t);
  ac_future_result(ac_task_awaited(t), &line);
  ac_stream_write(e->stream, "echo: ", 6);
  ac_stream_write(e->stream, line.u.bytes.data, line.u.bytes.len);
  if (ac_stream_drain(e->stream, &f) != 0) return AC_EINTERNAL;
  AC_AWAIT(e, ac_task_await_owned(t, f));
  ac_stream_close(e->stream);
  AC_END(e);
}

/* Another thread's work: it completes a future of the loop from there. */
static void *worker_thread(void *p) {
  ac_value v;
  ac_value_set_double(&v, 42.0);
  ac_future_complete_threadsafe((ac_future *)p, 0, &v, NULL);
  return NULL;
}

struct scenario {
  AC_ASYNC_FIELDS;
  ac_loop *loop;
  int *done;
  ac_server *server;
  ac_stream *client;
  ac_future *from_thread;
  pthread_t thread;
};

static int scenario_step(ac_task *t, void *p) {
  struct scenario *s = p;
  ac_future *f;
  ac_value v;
  AC_BEGIN(s);
  if (ac_server_listen_tcp_tasks(s->loop, "127.0.0.1", 0, 0, echo_step, sizeof(struct echo),
                                 offsetof(struct echo, stream), &s->server) != 0)
    return AC_EINTERNAL;
  printf("serving on 127.0.0.1\n");

  if (ac_stream_connect_tcp(s->loop, "127.0.0.1", ac_server_port(s->server), &s->client, &f) != 0)
    return AC_EINTERNAL;
  AC_AWAIT(s, ac_task_await_owned(t, f));
  AC_CHECK(t);
  printf("connected\n");
  ac_stream_write(s->client, "hello from the host\n", 20);
  if (ac_stream_readline(s->client, &f) != 0) return AC_EINTERNAL;
  AC_AWAIT(s, ac_task_await_owned(t, f));
  AC_CHECK(t);
  ac_future_result(ac_task_awaited(t), &v);
  printf("read %.*s", (int)v.u.bytes.len, (const char *)v.u.bytes.data);
  ac_stream_close(s->client);
  ac_stream_unref(s->client);
  ac_server_close(s->server);
  ac_server_unref(s->server);

  AC_AWAIT(s, ac_task_sleep(t, 0.25));
  AC_CHECK(t);
  printf("timer fired after 0.25 s\n");

  if (ac_future_new(s->loop, &s->from_thread) != 0) return AC_EINTERNAL;
  /* The thread's completion gives up a reference of its own. */
  ac_future_ref(s->from_thread);
  if (pthread_create(&s->thread, NULL, worker_thread, s->from_thread) != 0) return AC_EINTERNAL;
  AC_AWAIT(s, ac_task_await_owned(t, s->from_thread));
  AC_CHECK(t);
  pthread_join(s->thread, NULL);
  ac_future_result(ac_task_awaited(t), &v);
  printf("another thread handed in %g\n", v.u.f64);
  *s->done = 1;
  AC_END(s);
}

static int scenario_start(ac_loop *loop, int *done) {
  struct scenario *s;
  ac_task *t;
  int rc = ac_task_new_inline(loop, scenario_step, sizeof *s, 0, &t, (void **)&s);
  if (rc != 0) return rc;
  s->loop = loop;
  s->done = done;
  ac_task_unref(t);
  return 0;
}

#endif
