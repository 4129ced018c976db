#define _GNU_SOURCE
/* udp.c — ac_udp: send and receive between endpoints on 127.0.0.1, the
 * sender's address, connected endpoints, the bounded receive queue and its
 * drop count, cancelling a receive, closing, and misuse. */
#include <stdio.h>

#include "net_util.h"

static ac_udp *endpoint(ac_loop *loop, char *addr, size_t cap) {
  ac_udp *u = NULL;
  CHECK_RC(ac_udp_bind(loop, "127.0.0.1", 0, &u), 0);
  char *a;
  CHECK_RC(ac_udp_local_address(u, &a), 0);
  snprintf(addr, cap, "%s", a);
  ac_free(a);
  return u;
}

static void finish(ac_loop *loop) {
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
}

static void test_send_and_receive(void) {
  ac_loop *loop = net_loop();
  char a_addr[64], b_addr[64], expected[96];
  ac_udp *a = endpoint(loop, a_addr, sizeof a_addr);
  ac_udp *b = endpoint(loop, b_addr, sizeof b_addr);
  CHECK(strncmp(a_addr, "127.0.0.1:", 10) == 0);
  ac_future *f;
  CHECK_RC(ac_udp_recv(b, &f), 0);
  CHECK_RC(ac_udp_send(a, "ping", 4, b_addr), 0);
  CHECK_RC(net_wait(loop, f, 5), 0);
  CHECK_STR(net_text(f), "ping");
  ac_future_unref(f);
  /* recvfrom: the sender's address first. */
  CHECK_RC(ac_udp_send(a, "again", 5, b_addr), 0);
  CHECK_RC(ac_udp_recvfrom(b, &f), 0);
  CHECK_RC(net_wait(loop, f, 5), 0);
  snprintf(expected, sizeof expected, "%s\nagain", a_addr);
  CHECK_STR(net_text(f), expected);
  ac_future_unref(f);
  /* An empty datagram is a datagram. */
  CHECK_RC(ac_udp_send(a, NULL, 0, b_addr), 0);
  CHECK_RC(ac_udp_recv(b, &f), 0);
  CHECK_RC(net_wait(loop, f, 5), 0);
  CHECK_STR(net_text(f), "");
  ac_future_unref(f);
  ac_udp_unref(a);
  ac_udp_unref(b);
  finish(loop);
}

static void test_connected_endpoint(void) {
  ac_loop *loop = net_loop();
  char a_addr[64], b_addr[64];
  ac_udp *a = endpoint(loop, a_addr, sizeof a_addr);
  ac_udp *b = endpoint(loop, b_addr, sizeof b_addr);
  CHECK_RC(ac_udp_send(a, "x", 1, NULL), AC_EINVAL); /* not connected */
  int port = atoi(strrchr(b_addr, ':') + 1);
  CHECK_RC(ac_udp_connect(a, "127.0.0.1", port), 0);
  CHECK_RC(ac_udp_send(a, "to the peer", 11, NULL), 0);
  ac_future *f;
  CHECK_RC(ac_udp_recv(b, &f), 0);
  CHECK_RC(net_wait(loop, f, 5), 0);
  CHECK_STR(net_text(f), "to the peer");
  ac_future_unref(f);
  ac_udp_unref(a);
  ac_udp_unref(b);
  finish(loop);
}

static void test_bounded_queue_counts_drops(void) {
  ac_loop *loop = net_loop();
  char a_addr[64], b_addr[64];
  ac_udp *a = endpoint(loop, a_addr, sizeof a_addr);
  ac_udp *b = endpoint(loop, b_addr, sizeof b_addr);
  CHECK_RC(ac_udp_set_recv_queue(b, 3), 0);
  /* Start receiving, take one, then let 7 more arrive with nobody taking. */
  ac_future *f;
  CHECK_RC(ac_udp_recv(b, &f), 0);
  CHECK_RC(ac_udp_send(a, "d0", 2, b_addr), 0);
  CHECK_RC(net_wait(loop, f, 5), 0);
  ac_future_unref(f);
  for (int i = 1; i <= 7; ++i) {
    char d[4];
    snprintf(d, sizeof d, "d%d", i);
    CHECK_RC(ac_udp_send(a, d, 2, b_addr), 0);
  }
  double end = ac_loop_time(loop) + 5;
  while (ac_udp_queued(b) + ac_udp_dropped(b) < 7 && ac_loop_time(loop) < end)
    ac_loop_step(loop, 0.01, NULL, NULL);
  CHECK_INT(ac_udp_queued(b), 3);
  CHECK_INT(ac_udp_dropped(b), 4);
  /* The first three are kept, in order. */
  for (int i = 1; i <= 3; ++i) {
    char d[4];
    snprintf(d, sizeof d, "d%d", i);
    CHECK_RC(ac_udp_recv(b, &f), 0);
    CHECK_RC(net_wait(loop, f, 5), 0);
    CHECK_STR(net_text(f), d);
    ac_future_unref(f);
  }
  ac_udp_unref(a);
  ac_udp_unref(b);
  finish(loop);
}

static void test_cancelled_receive_loses_no_datagram(void) {
  ac_loop *loop = net_loop();
  char a_addr[64], b_addr[64];
  ac_udp *a = endpoint(loop, a_addr, sizeof a_addr);
  ac_udp *b = endpoint(loop, b_addr, sizeof b_addr);
  ac_future *f, *g;
  CHECK_RC(ac_udp_recv(b, &f), 0);
  CHECK_RC(ac_udp_recv(b, &g), AC_ESTATE); /* one at a time */
  CHECK_RC(ac_future_cancel(f, NULL), 1);
  ac_future_unref(f);
  CHECK_RC(ac_udp_send(a, "kept", 4, b_addr), 0);
  net_run_for(loop, 0.05);
  CHECK_INT(ac_udp_queued(b), 1);
  CHECK_RC(ac_udp_recv(b, &f), 0);
  CHECK_RC(net_wait(loop, f, 5), 0);
  CHECK_STR(net_text(f), "kept");
  ac_future_unref(f);
  ac_udp_unref(a);
  ac_udp_unref(b);
  finish(loop);
}

static void test_close_fails_pending_receive(void) {
  ac_loop *loop = net_loop();
  char b_addr[64];
  ac_udp *b = endpoint(loop, b_addr, sizeof b_addr);
  ac_future *f;
  CHECK_RC(ac_udp_recv(b, &f), 0);
  CHECK_RC(ac_udp_close(b), 0);
  CHECK_RC(ac_udp_close(b), 0);
  CHECK_RC(net_wait(loop, f, 5), AC_ECLOSED);
  ac_future_unref(f);
  CHECK_RC(ac_udp_recv(b, &f), AC_ECLOSED);
  CHECK_RC(ac_udp_send(b, "x", 1, "127.0.0.1:9"), AC_ECLOSED);
  char *a;
  CHECK_RC(ac_udp_local_address(b, &a), AC_ECLOSED);
  ac_udp_unref(b);
  finish(loop);
}

static void test_misuse(void) {
  ac_loop *loop = net_loop();
  ac_udp *u = NULL;
  CHECK_RC(ac_udp_bind(NULL, "127.0.0.1", 0, &u), AC_EINVAL);
  CHECK_RC(ac_udp_bind(loop, "127.0.0.1", 0, NULL), AC_EINVAL);
  CHECK_RC(ac_udp_bind(loop, "127.0.0.1", 70000, &u), AC_EINVAL);
  CHECK(u == NULL);
  char addr[64];
  u = endpoint(loop, addr, sizeof addr);
  ac_udp *again = NULL;
  int port = atoi(strrchr(addr, ':') + 1);
  CHECK_RC(ac_udp_bind(loop, "127.0.0.1", port, &again), AC_EADDRINUSE);
  CHECK_RC(ac_udp_send(u, "x", 1, "not an address"), AC_EINVAL);
  CHECK_RC(ac_udp_send(u, "x", 1, "127.0.0.1"), AC_EINVAL);
  CHECK_RC(ac_udp_send(u, NULL, 3, "127.0.0.1:9"), AC_EINVAL);
  CHECK_RC(ac_udp_set_recv_queue(u, 0), AC_EINVAL);
  CHECK_RC(ac_udp_connect(u, NULL, 9), AC_EINVAL);
  CHECK_RC(ac_udp_recv(u, NULL), AC_EINVAL);
  CHECK_RC(ac_udp_recv(NULL, NULL), AC_EINVAL);
  CHECK_RC(ac_udp_close(NULL), AC_EINVAL);
  CHECK_RC(ac_udp_dropped(NULL), AC_EINVAL);
  CHECK_RC(ac_udp_close((ac_udp *)loop), AC_EINVAL);
  CHECK(ac_udp_ref(NULL) == NULL);
  ac_udp_unref(NULL);
  ac_udp_unref(u);
  finish(loop);
}

int main(void) {
  alarm(60);
  RUN(test_send_and_receive);
  RUN(test_connected_endpoint);
  RUN(test_bounded_queue_counts_drops);
  RUN(test_cancelled_receive_loses_no_datagram);
  RUN(test_close_fails_pending_receive);
  RUN(test_misuse);
  return th_finish();
}
