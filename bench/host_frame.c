/* host_frame.c — what a frame-paced host (a game at 60 fps) pays for the
 * loop, next to raw libuv in the same process and run:
 *   H1: the idle step — ac_loop_step(loop, 0) on a loop with nothing to do,
 *       against uv_run(UV_RUN_NOWAIT) on a libuv loop with the same kind of
 *       handles (a wake-up async, a stopped timer); frame-paced, so the
 *       caches are as cold as between two frames; the median, ns;
 *   H2: the burst frame — one callback starts 1,000 tasks (each does a
 *       little work, yields once, does it again) on a loop with a 2 ms time
 *       budget; the longest step while they run, µs (the budget is met
 *       when it stays within 2 ms plus one callback), and how many frames
 *       the burst took.
 * Usage: host_frame [scale]  (scale divides the frame count: smoke runs). */
#define _POSIX_C_SOURCE 200809L
#include <asyncore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <uv.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void frame_pause(void) {
  /* What a frame does besides the loop, shortened: 2 ms of sleep. */
  struct timespec ts = {0, 2000000};
  nanosleep(&ts, NULL);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_u64);
  return v[n / 2];
}

static void on_async(uv_async_t *a) { (void)a; }

/* ---------------------------------------------------------------- H2 */

static volatile uint64_t sink;
static void work(void) {
  uint64_t x = sink;
  for (int i = 0; i < 2000; ++i) x = x * 6364136223846793005u + 1442695040888963407u;
  sink = x;
}

struct worker {
  AC_ASYNC_FIELDS;
};
static int ended;
static int worker_step(ac_task *t, void *p) {
  struct worker *w = p;
  (void)t;
  AC_BEGIN(w);
  work();
  AC_YIELD(w);
  work();
  ++ended;
  AC_END(w);
}

static void start_burst(ac_loop *loop, void *ud) {
  (void)ud;
  for (int i = 0; i < 1000; ++i) {
    void *st;
    ac_task *t;
    if (ac_task_new_inline(loop, worker_step, sizeof(struct worker), 0, &t, &st) != 0) exit(1);
    ac_task_unref(t);
  }
}

int main(int argc, char **argv) {
  int scale = argc > 1 ? atoi(argv[1]) : 1;
  if (scale < 1) scale = 1;
  int frames = 1000 / scale;
  if (frames < 3) frames = 3;
  uint64_t *ours = malloc(sizeof *ours * (size_t)frames);
  uint64_t *raw = malloc(sizeof *raw * (size_t)frames);

  /* H1 */
  ac_loop *loop;
  if (ac_loop_new(0, &loop) != 0) return 1;
  uv_loop_t uv;
  uv_async_t async;
  uv_timer_t timer;
  uv_loop_init(&uv);
  uv_async_init(&uv, &async, on_async);
  uv_timer_init(&uv, &timer);
  ac_loop_step(loop, 0, NULL, NULL);
  uv_run(&uv, UV_RUN_NOWAIT);
  for (int i = 0; i < frames; ++i) {
    frame_pause();
    uint64_t t0 = now_ns();
    ac_loop_step(loop, 0, NULL, NULL);
    uint64_t t1 = now_ns();
    uv_run(&uv, UV_RUN_NOWAIT);
    uint64_t t2 = now_ns();
    ours[i] = t1 - t0;
    raw[i] = t2 - t1;
  }
  /* The order inside a frame favours the second: swap it for the other
   * half so each side goes first as often. */
  for (int i = 0; i < frames; ++i) {
    frame_pause();
    uint64_t t0 = now_ns();
    uv_run(&uv, UV_RUN_NOWAIT);
    uint64_t t1 = now_ns();
    ac_loop_step(loop, 0, NULL, NULL);
    uint64_t t2 = now_ns();
    raw[i] = (raw[i] + (t1 - t0)) / 2;
    ours[i] = (ours[i] + (t2 - t1)) / 2;
  }
  printf("RESULT H1 asyncore-c %llu ns\n", (unsigned long long)median(ours, frames));
  printf("RESULT H1 raw-libuv %llu ns\n", (unsigned long long)median(raw, frames));
  printf("HOW H1 raw-libuv uv_run(UV_RUN_NOWAIT), an async handle and a stopped timer\n");
  uv_close((uv_handle_t *)&async, NULL);
  uv_close((uv_handle_t *)&timer, NULL);
  uv_run(&uv, UV_RUN_DEFAULT);
  uv_loop_close(&uv);

  /* H2 */
  if (ac_loop_set_time_budget(loop, 0.002) != 0) return 1;
  uint64_t longest = 0;
  int burst_frames = 0;
  int reps = scale > 1 ? 1 : 5;
  for (int r = 0; r < reps; ++r) {
    ended = 0;
    ac_loop_call_soon(loop, start_burst, NULL, NULL, NULL);
    while (ended < 1000) {
      frame_pause();
      uint64_t t0 = now_ns();
      ac_loop_step(loop, 0, NULL, NULL);
      uint64_t dt = now_ns() - t0;
      if (dt > longest) longest = dt;
      ++burst_frames;
    }
  }
  printf("RESULT H2 asyncore-c %.0f us\n", (double)longest / 1e3);
  printf("RESULT H2frames asyncore-c %.1f frames\n", (double)burst_frames / reps);
  printf("HOW H2 asyncore-c 1,000 tasks started by one callback, 2 ms time budget\n");
  ac_loop_close(loop);
  ac_loop_unref(loop);
  free(ours);
  free(raw);
  return 0;
}
