/*
 * epoll_host.c — a host with its own epoll set drives the loop: the loop's
 * backend fd sits in the host's set beside the host's own descriptors
 * (here a timerfd ticking the host's "frames"), and the host waits with
 * the loop's backend timeout. When epoll says the backend fd is readable,
 * or the timeout ran out, one ac_loop_step(loop, 0) does the loop's work
 * without blocking. Nothing else is needed: every socket, timer or
 * thread-safe call a step starts is already in the backend when the step
 * returns.
 *
 *   epoll_host [--virtual-clock]
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "scenario.h"

int main(int argc, char **argv) {
  int virtual_clock = argc > 1 && strcmp(argv[1], "--virtual-clock") == 0;
  ac_loop *loop;
  if (ac_loop_new(virtual_clock ? AC_LOOP_VIRTUAL_CLOCK : AC_LOOP_DEFAULT, &loop) != 0) return 1;

  int ep = epoll_create1(EPOLL_CLOEXEC);
  /* The host's own descriptor: a tick every 100 ms. */
  int tick = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  struct itimerspec every = {{0, 100000000}, {0, 100000000}};
  timerfd_settime(tick, 0, &every, NULL);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = tick};
  epoll_ctl(ep, EPOLL_CTL_ADD, tick, &ev);
  int backend = ac_loop_backend_fd(loop);
  ev.data.fd = backend;
  epoll_ctl(ep, EPOLL_CTL_ADD, backend, &ev);

  int done = 0;
  long ticks = 0;
  if (scenario_start(loop, &done) != 0) return 1;
  while (!done) {
    struct epoll_event out[4];
    int n = epoll_wait(ep, out, 4, ac_loop_backend_timeout(loop));
    for (int i = 0; i < n; ++i) {
      if (out[i].data.fd == tick) {
        uint64_t k;
        if (read(tick, &k, sizeof k) == sizeof k) ticks += (long)k;
      }
    }
    if (ac_loop_step(loop, 0, NULL, NULL) < 0) break;
  }
  /* The host's own ticks went on meanwhile (how many depends on the
   * clock, so they are not printed). */
  (void)ticks;
  printf("the host's epoll set drove the loop to the end\n");
  ac_loop_shutdown(loop, 1);
  ac_loop_unref(loop);
  close(tick);
  close(ep);
  return 0;
}
