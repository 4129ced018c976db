/*
 * fuzz_udp.c — the UDP receive path and its bounded queue.
 *
 * A plain socket sends datagrams of sizes the input chooses to an endpoint
 * whose receive queue bound the input sets and changes; receives (plain
 * and with the sender's address) are issued and cancelled at chosen
 * points. A model of udp.h's contract runs beside it: receiving starts
 * with the first receive; a datagram arriving while a receive waits
 * completes it; otherwise it is queued while the queue holds fewer than
 * the bound, else dropped and counted; a cancelled receive takes nothing;
 * closing fails a pending receive with AC_ECLOSED. Every delivered
 * datagram must be the next one the model gives, byte for byte, and the
 * queued and dropped counts must match the model's after every step.
 *
 * Program (one byte per operation, then its arguments):
 *   0 send: size from a 16-bit word (% 1500; bit 7 of the operation: the
 *     largest datagram, 65507 bytes, once per run)
 *   1 receive (bit 4 of the operation: recvfrom)
 *   2 cancel the pending receive
 *   3 set the queue bound: a byte % 9 (0 is refused)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <asyncore.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"

static ac_loop *loop;
static int sender = -1;
static char sender_prefix[64];
static size_t sender_prefix_len;

static void setup(void) {
  FZ_RC(ac_loop_new(AC_LOOP_DEFAULT, &loop), 0);
  sender = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  FZ_CHECK(sender >= 0, "socket: %s", strerror(errno));
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  FZ_CHECK(bind(sender, (struct sockaddr *)&sa, sizeof sa) == 0, "bind: %s", strerror(errno));
  socklen_t len = sizeof sa;
  FZ_CHECK(getsockname(sender, (struct sockaddr *)&sa, &len) == 0, "getsockname");
  int n = snprintf(sender_prefix, sizeof sender_prefix, "127.0.0.1:%u\n", ntohs(sa.sin_port));
  sender_prefix_len = (size_t)n;
}

enum { MAX_DGRAMS = 96, BIG = 65507 };
static uint8_t payload[BIG];

/* Datagram `seq` of `size` bytes: its content names it. */
static void fill(uint32_t seq, size_t size) {
  for (size_t i = 0; i < size; i++) payload[i] = (uint8_t)(seq * 31u + i * 7u + (i >> 8));
  if (size >= 4) memcpy(payload, &seq, 4);
}

static struct {
  ac_udp *u;
  struct sockaddr_in to;
  size_t sizes[MAX_DGRAMS];
  uint32_t n_sent;
  /* The model. */
  bool started;
  uint32_t backlog_next;  /* first datagram sent but not yet arrived */
  uint32_t queue[MAX_DGRAMS];
  size_t q_head, q_len;
  size_t bound;
  int64_t dropped;
  ac_future *pending;
  bool pending_addr;
  uint32_t delivered;
} st;

static void check_delivery(ac_future *f, bool with_addr, uint32_t seq) {
  ac_value v;
  int rc = ac_future_result(f, &v);
  FZ_CHECK(rc == 0 && v.kind == AC_VALUE_BYTES, "a receive failed with %s", ac_err_name(rc));
  const uint8_t *p = v.u.bytes.data;
  size_t len = v.u.bytes.len;
  if (with_addr) {
    FZ_CHECK(len >= sender_prefix_len && memcmp(p, sender_prefix, sender_prefix_len) == 0,
             "recvfrom's result does not start with the sender's address");
    p += sender_prefix_len;
    len -= sender_prefix_len;
  }
  size_t size = st.sizes[seq];
  fill(seq, size);
  FZ_CHECK(len == size && (size == 0 || memcmp(p, payload, size) == 0),
           "received %zu bytes, expected datagram %u of %zu bytes", len, seq, size);
  st.delivered++;
}

/* Datagram `seq` arrives at the endpoint, per the model. */
static void model_arrival(uint32_t seq) {
  if (st.pending != NULL) {
    ac_future *f = st.pending;
    st.pending = NULL;
    FZ_CHECK(ac_future_done(f), "a datagram arrived and the pending receive still waits");
    check_delivery(f, st.pending_addr, seq);
    ac_future_unref(f);
  } else if (st.q_len < st.bound) {
    st.queue[(st.q_head + st.q_len++) % MAX_DGRAMS] = seq;
  } else {
    st.dropped++;
  }
}

/* Runs the loop until every datagram sent has arrived (once receiving has
 * started), then compares the counts. */
static void settle(void) {
  if (st.started) {
    for (int i = 0; st.backlog_next < st.n_sent; i++) {
      FZ_CHECK(i < 3000, "%u datagrams sent never arrived", st.n_sent - st.backlog_next);
      ac_loop_step(loop, i < 20 ? 0.0 : 0.001, NULL, NULL);
      /* What arrived: the model follows the library's counts in order. */
      int64_t seen = (int64_t)st.delivered + ac_udp_queued(st.u) + ac_udp_dropped(st.u);
      int64_t model_seen = (int64_t)st.delivered + (int64_t)st.q_len + st.dropped;
      while (model_seen < seen || (st.pending != NULL && ac_future_done(st.pending))) {
        FZ_CHECK(st.backlog_next < st.n_sent, "more datagrams arrived than were sent");
        model_arrival(st.backlog_next++);
        model_seen = (int64_t)st.delivered + (int64_t)st.q_len + st.dropped;
        seen = (int64_t)st.delivered + ac_udp_queued(st.u) + ac_udp_dropped(st.u);
      }
    }
    for (int i = 0; i < 2; i++) ac_loop_step(loop, 0.0, NULL, NULL);
  }
  FZ_CHECK(ac_udp_queued(st.u) == (int64_t)st.q_len, "%lld queued, model %zu",
           (long long)ac_udp_queued(st.u), st.q_len);
  FZ_CHECK(ac_udp_dropped(st.u) == st.dropped, "%lld dropped, model %lld",
           (long long)ac_udp_dropped(st.u), (long long)st.dropped);
  FZ_CHECK(st.pending == NULL || !ac_future_done(st.pending), "a receive completed with nothing sent");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (loop == NULL) setup();
  fz_in in = {data, size};
  memset(&st, 0, sizeof st);
  st.bound = 64;
  FZ_RC(ac_udp_bind(loop, "127.0.0.1", 0, &st.u), 0);
  char *addr = NULL;
  FZ_RC(ac_udp_local_address(st.u, &addr), 0);
  const char *colon = strrchr(addr, ':');
  FZ_CHECK(colon != NULL, "local address \"%s\"", addr);
  st.to.sin_family = AF_INET;
  st.to.sin_port = htons((uint16_t)atoi(colon + 1));
  st.to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ac_free(addr);
  bool big_sent = false;
  size_t backlog_bytes = 0;

  int ops = 0;
  while (fz_more(&in) && ops++ < 200) {
    uint8_t op = fz_u8(&in);
    switch (op % 4) {
      case 0: {
        size_t n = fz_u16(&in) % 1500;
        if ((op & 0x80) && !big_sent) {
          n = BIG;
          big_sent = true;
        }
        /* Keep what waits in the kernel well within its buffer, so that only
         * the endpoint's own bound ever drops a datagram. */
        if (st.n_sent == MAX_DGRAMS || (!st.started && backlog_bytes + n + 1024 > 150000)) break;
        fill(st.n_sent, n);
        ssize_t w = sendto(sender, payload, n, 0, (struct sockaddr *)&st.to, sizeof st.to);
        FZ_CHECK(w == (ssize_t)n, "sendto: %s", strerror(errno));
        st.sizes[st.n_sent++] = n;
        backlog_bytes += n + 1024;
        break;
      }
      case 1: {
        bool with_addr = (op & 0x10) != 0;
        ac_future *f = NULL;
        int rc = with_addr ? ac_udp_recvfrom(st.u, &f) : ac_udp_recv(st.u, &f);
        if (st.pending != NULL) {
          FZ_RC(rc, AC_ESTATE);
          break;
        }
        FZ_RC(rc, 0);
        if (st.q_len > 0) {
          FZ_CHECK(ac_future_done(f), "a receive waits while %zu datagrams are queued", st.q_len);
          uint32_t seq = st.queue[st.q_head];
          st.q_head = (st.q_head + 1) % MAX_DGRAMS;
          st.q_len--;
          check_delivery(f, with_addr, seq);
          ac_future_unref(f);
        } else {
          FZ_CHECK(!ac_future_done(f), "a receive completed with the queue empty");
          st.pending = f;
          st.pending_addr = with_addr;
          st.started = true;
        }
        break;
      }
      case 2:
        if (st.pending != NULL) {
          FZ_RC(ac_future_cancel(st.pending, NULL), 1);
          ac_future_unref(st.pending);
          st.pending = NULL;
        }
        break;
      case 3: {
        size_t b = fz_u8(&in) % 9;
        if (b == 0) {
          FZ_RC(ac_udp_set_recv_queue(st.u, 0), AC_EINVAL);
        } else {
          FZ_RC(ac_udp_set_recv_queue(st.u, b), 0);
          st.bound = b;
        }
        break;
      }
    }
    settle();
  }

  /* Closing fails the pending receive; the queued datagrams go with the
   * endpoint (the leak checker sees any that would not). */
  FZ_RC(ac_udp_close(st.u), 0);
  if (st.pending != NULL) {
    FZ_CHECK(ac_future_done(st.pending), "close left the receive pending");
    FZ_RC(ac_future_result(st.pending, NULL), AC_ECLOSED);
    ac_future_unref(st.pending);
  }
  ac_future *f = NULL;
  FZ_RC(ac_udp_recv(st.u, &f), AC_ECLOSED);
  ac_udp_unref(st.u);
  for (int i = 0; i < 3; i++) ac_loop_step(loop, 0.0, NULL, NULL);
  return 0;
}
