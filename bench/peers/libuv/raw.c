/* raw.c — W1-W4 written directly on libuv: the floor the runtime is
 * measured against. Tasks are hand-written state machines; "ready" tasks sit
 * in a ring drained by a uv_idle callback (asyncio's call_soon shape); W2
 * uses one uv_timer_t per sleeper. Prints RESULT <workload> raw-libuv <v>. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

typedef struct task task;
struct task {
  void (*step)(task *);
  int state;
  long value;
  task *waiter;
  int done;
};

static uv_loop_t *loop;
static uv_idle_t idle;
static task **ring;
static size_t ring_cap, ring_head, ring_len;

static void on_idle(uv_idle_t *h);

static void ready(task *t) {
  if (ring_len == ring_cap) {
    size_t ncap = ring_cap ? ring_cap * 2 : 1024;
    task **n = malloc(ncap * sizeof *n);
    for (size_t i = 0; i < ring_len; i++) n[i] = ring[(ring_head + i) % ring_cap];
    free(ring);
    ring = n;
    ring_cap = ncap;
    ring_head = 0;
  }
  ring[(ring_head + ring_len++) % ring_cap] = t;
  if (!uv_is_active((uv_handle_t *)&idle)) uv_idle_start(&idle, on_idle);
}

static void on_idle(uv_idle_t *h) {
  size_t n = ring_len; /* callbacks ready at the start of this iteration */
  while (n-- > 0) {
    task *t = ring[ring_head];
    ring_head = (ring_head + 1) % ring_cap;
    ring_len--;
    t->step(t);
  }
  if (ring_len == 0) uv_idle_stop(h);
}

static void finish(task *t, long v) {
  t->done = 1;
  t->value = v;
  if (t->waiter) ready(t->waiter);
}

/* ---- W1 */
static void trivial_step(task *t) { finish(t, 1); }
static task *w1_children;
static long w1_n, w1_i, w1_sum;
static void w1_main_step(task *t) {
  if (t->state == 0) {
    w1_children = calloc((size_t)w1_n, sizeof(task));
    for (long i = 0; i < w1_n; i++) {
      w1_children[i].step = trivial_step;
      ready(&w1_children[i]);
    }
    t->state = 1;
  }
  for (; w1_i < w1_n; w1_i++) {
    task *c = &w1_children[w1_i];
    if (!c->done) {
      c->waiter = t; /* woken when it finishes */
      return;
    }
    w1_sum += c->value;
  }
  free(w1_children);
  t->done = 1;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double w1(long n) {
  task m = {w1_main_step, 0, 0, NULL, 0};
  w1_n = n;
  w1_i = w1_sum = 0;
  double t0 = now();
  ready(&m);
  uv_run(loop, UV_RUN_DEFAULT);
  if (w1_sum != n) abort();
  return now() - t0;
}

/* ---- W2 */
static long w2_done;
static void w2_fire(uv_timer_t *t) {
  w2_done++;
  uv_close((uv_handle_t *)t, NULL);
}
static long rss_now(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f) {
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
  }
  return resident * sysconf(_SC_PAGESIZE);
}

/* ---- W3: capacity-1 queues between two state machines */
typedef struct {
  int full;
  long item;
  task *getter, *putter;
} q1cap;
static q1cap qa, qb;
static long w3_n, w3_ping_i, w3_pong_i;
static void q_wake(task **slot) {
  task *t = *slot;
  *slot = NULL;
  if (t) ready(t);
}
static void ping_step(task *t) {
  for (;;) {
    if (w3_ping_i == w3_n) {
      t->done = 1;
      return;
    }
    if (t->state == 0) { /* put into qa */
      if (qa.full) { qa.putter = t; return; }
      qa.full = 1;
      qa.item = w3_ping_i;
      q_wake(&qa.getter);
      t->state = 1;
    }
    /* get from qb */
    if (!qb.full) { qb.getter = t; return; }
    if (qb.item != w3_ping_i) abort();
    qb.full = 0;
    q_wake(&qb.putter);
    w3_ping_i++;
    t->state = 0;
  }
}
static void pong_step(task *t) {
  for (;;) {
    if (w3_pong_i == w3_n) { t->done = 1; return; }
    if (t->state == 0) {
      if (!qa.full) { qa.getter = t; return; }
      t->value = qa.item;
      qa.full = 0;
      q_wake(&qa.putter);
      t->state = 1;
    }
    if (qb.full) { qb.putter = t; return; }
    qb.full = 1;
    qb.item = t->value;
    q_wake(&qb.getter);
    w3_pong_i++;
    t->state = 0;
  }
}
static double w3(long n) {
  task ping = {ping_step, 0, 0, NULL, 0}, pong = {pong_step, 0, 0, NULL, 0};
  qa = (q1cap){0, 0, NULL, NULL};
  qb = qa;
  w3_n = n;
  w3_ping_i = w3_pong_i = 0;
  double t0 = now();
  ready(&ping);
  ready(&pong);
  uv_run(loop, UV_RUN_DEFAULT);
  if (w3_ping_i != n) abort();
  return now() - t0;
}

/* ---- W4: 100 workers, FIFO lock, yield while holding */
#define W4_TASKS 100
static int lock_held;
static task *lock_waiters[W4_TASKS + 1];
static size_t lw_head, lw_len;
static long w4_rounds, w4_counter;
static struct w4task { task t; long r; } w4t[W4_TASKS];
static void w4_step(task *tp) {
  struct w4task *w = (struct w4task *)tp;
  for (;;) {
    switch (tp->state) {
      case 0:
        if (w->r == w4_rounds) { tp->done = 1; return; }
        if (lock_held) {
          lock_waiters[(lw_head + lw_len++) % (W4_TASKS + 1)] = tp;
          tp->state = 1;
          return;
        }
        lock_held = 1;
        /* fallthrough */
      case 1: /* holding: count, then yield once */
        w4_counter++;
        tp->state = 2;
        ready(tp);
        return;
      case 2: /* release: hand over FIFO */
        if (lw_len) {
          task *next = lock_waiters[lw_head];
          lw_head = (lw_head + 1) % (W4_TASKS + 1);
          lw_len--;
          ready(next);
        } else {
          lock_held = 0;
        }
        w->r++;
        tp->state = 0;
        break;
    }
  }
}
static double w4(long rounds) {
  w4_rounds = rounds;
  w4_counter = 0;
  lock_held = 0;
  lw_head = lw_len = 0;
  double t0 = now();
  for (int i = 0; i < W4_TASKS; i++) {
    w4t[i] = (struct w4task){{w4_step, 0, 0, NULL, 0}, 0};
    ready(&w4t[i].t);
  }
  uv_run(loop, UV_RUN_DEFAULT);
  if (w4_counter != W4_TASKS * rounds) abort();
  return now() - t0;
}

int main(int argc, char **argv) {
  long scale = argc > 1 ? atol(argv[1]) : 1;
  loop = uv_default_loop();
  uv_idle_init(loop, &idle);

  long n2 = 100000 / scale;
  long before = rss_now();
  uv_timer_t *timers = malloc(sizeof(uv_timer_t) * (size_t)n2);
  double t0 = now();
  for (long i = 0; i < n2; i++) {
    uv_timer_init(loop, &timers[i]);
    uv_timer_start(&timers[i], w2_fire, 100, 0);
  }
  long peak = rss_now();
  uv_run(loop, UV_RUN_DEFAULT);
  double d2 = now() - t0;
  free(timers);
  printf("RESULT W2 raw-libuv %.0f B/task\n", (double)(peak - before) / n2);
  printf("RESULT W2ms raw-libuv %.0f ms\n", d2 * 1e3);

  long n = 200000 / scale;
  w1(n / 10);
  printf("RESULT W1 raw-libuv %.1f ns/task\n", w1(n) * 1e9 / n);
  w3(n / 10);
  printf("RESULT W3 raw-libuv %.1f ns/trip\n", w3(n) * 1e9 / n);
  long rounds = 2000 / scale;
  w4(rounds / 10 + 1);
  printf("RESULT W4 raw-libuv %.1f ns/acquire\n", w4(rounds) * 1e9 / (W4_TASKS * rounds));
  return 0;
}
