/*
 * fuzz_stream.c — the stream reader: bytes written by a plain socket in
 * chunks the input chooses, read back with readline, readuntil,
 * readexactly, read(n) and read-to-EOF under a limit the input chooses.
 *
 * The reference is the same bytes split in plain C by the rules of
 * asyncio's StreamReader (with the documented difference that a limit
 * error discards nothing): every result must be the next bytes of what was
 * written — nothing lost, repeated or reordered — and a limit or
 * incomplete-read error must come exactly where the reference puts it.
 *
 * Program (one byte per operation, then its arguments):
 *   0 write: length byte, then that many bytes of data
 *   1 EOF (shutdown of the writing side; later writes are skipped)
 *   2 read(n)          n from a byte; 255 means read to EOF
 *   3 readexactly(n)   n from a 16-bit word, % 600
 *   4 readline
 *   5 readuntil(sep)   length 1..3, then the separator's bytes
 *   6 cancel the pending read
 *   7 set the limit (only while no read is pending)
 * The first byte of the input sets the initial limit.
 */
#define _GNU_SOURCE
#include <asyncore.h>
#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fuzz.h"

static ac_loop *loop;
static ac_server *server;
static ac_stream *accepted;
static char dir[64], path[96];

static void on_connection(ac_server *srv, ac_stream *s, void *ud) {
  FZ_CHECK(accepted == NULL, "two connections accepted for one");
  accepted = ac_stream_ref(s);
}

static void cleanup(void) {
  ac_server_unref(server);
  server = NULL;
  if (loop != NULL) {
    ac_loop_close(loop);
    ac_loop_unref(loop);
    loop = NULL;
  }
  unlink(path);
  rmdir(dir);
}

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/ac-fuzz-XXXXXX");
  FZ_CHECK(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
  snprintf(path, sizeof path, "%s/s", dir);
  FZ_RC(ac_loop_new(AC_LOOP_DEFAULT, &loop), 0);
  FZ_RC(ac_server_listen_unix(loop, path, 16, on_connection, NULL, NULL, &server), 0);
  atexit(cleanup);
}

/* The state of one run. */
enum kind { K_READ, K_READ_ALL, K_EXACTLY, K_LINE, K_UNTIL };
static struct run {
  ac_stream *s;
  int fd;
  bool eof_sent;
  size_t limit;
  uint8_t sent[1 << 16];
  size_t written;  /* bytes written to the socket */
  size_t taken;    /* bytes handed out by completed reads */
  /* The pending read. */
  ac_future *f;
  enum kind kind;
  size_t n;
  uint8_t sep[3];
  size_t sep_len;
  size_t buffered_at_issue;
} st;

static const char *kind_name(enum kind k) {
  static const char *names[] = {"read", "read-all", "readexactly", "readline", "readuntil"};
  return names[k];
}

/* What the reference expects of the pending read, given every byte written
 * so far (all of it in the stream's buffer) and whether EOF was sent. */
enum outcome { O_PENDING, O_BYTES, O_LIMIT, O_INCOMPLETE };
static enum outcome expect(size_t *len) {
  const uint8_t *r = st.sent + st.taken;
  size_t avail = st.written - st.taken;
  switch (st.kind) {
    case K_READ:
      if (st.n == 0) {
        *len = 0;
        return O_BYTES;
      }
      if (avail > 0) {
        *len = avail < st.n ? avail : st.n;  /* an upper bound: see check() */
        return O_BYTES;
      }
      *len = 0;
      return st.eof_sent ? O_BYTES : O_PENDING;
    case K_READ_ALL:
      *len = avail;
      return st.eof_sent ? O_BYTES : O_PENDING;
    case K_EXACTLY:
      if (avail >= st.n) {
        *len = st.n;
        return O_BYTES;
      }
      *len = avail;
      return st.eof_sent ? O_INCOMPLETE : O_PENDING;
    case K_LINE:
    case K_UNTIL: {
      size_t sl = st.sep_len;
      const uint8_t *hit = avail >= sl ? memmem(r, avail, st.sep, sl) : NULL;
      if (hit != NULL) {
        size_t at = (size_t)(hit - r);
        if (at > st.limit) return O_LIMIT;
        *len = at + sl;
        return O_BYTES;
      }
      /* asyncio: the separator is not found and the chunk exceeds the limit */
      if (avail >= sl && avail + 1 - sl > st.limit) return O_LIMIT;
      *len = avail;
      if (!st.eof_sent) return O_PENDING;
      return st.kind == K_LINE ? O_BYTES : O_INCOMPLETE;
    }
  }
  return O_PENDING;
}

/* Compares the finished read with the reference; consumes its bytes. */
static void check_done(void) {
  size_t len = 0;
  enum outcome want = expect(&len);
  const uint8_t *r = st.sent + st.taken;
  int state = ac_future_get_state(st.f);
  FZ_CHECK(want != O_PENDING, "%s finished (state %d) where the reference waits", kind_name(st.kind),
           state);
  if (state == AC_FUTURE_CANCELLED) return;  /* cancelled by op 6: nothing taken */
  ac_value v;
  int rc = ac_future_result(st.f, &v);
  if (want == O_BYTES) {
    FZ_CHECK(rc == 0 && v.kind == AC_VALUE_BYTES, "%s failed with %s where the reference gives %zu bytes",
             kind_name(st.kind), ac_err_name(rc), len);
    size_t got = v.u.bytes.len;
    if (st.kind == K_READ && len > 0) {
      /* read(n) gives what is buffered when it completes: at least what was
       * buffered when it was issued (or one byte), at most what was written */
      size_t lo = st.buffered_at_issue < st.n ? st.buffered_at_issue : st.n;
      if (lo == 0) lo = 1;
      FZ_CHECK(got >= lo && got <= len, "read(%zu) gave %zu bytes, expected %zu..%zu", st.n, got, lo, len);
      len = got;
    }
    FZ_CHECK(got == len, "%s gave %zu bytes, the reference %zu", kind_name(st.kind), got, len);
    FZ_CHECK(len == 0 || memcmp(v.u.bytes.data, r, len) == 0,
             "%s gave other bytes than the next %zu written", kind_name(st.kind), len);
    st.taken += len;
  } else if (want == O_LIMIT) {
    FZ_CHECK(rc == AC_ELIMIT, "%s returned %s where the reference has a limit error (limit %zu, %zu buffered)",
             kind_name(st.kind), ac_err_name(rc), st.limit, st.written - st.taken);
  } else {
    FZ_CHECK(rc == AC_EINCOMPLETE, "%s returned %s where the reference has an incomplete read",
             kind_name(st.kind), ac_err_name(rc));
    ac_value p;
    FZ_RC(ac_error_payload(ac_future_error(st.f), &p), 0);
    FZ_CHECK(p.kind == AC_VALUE_BYTES && p.u.bytes.len == len &&
                 (len == 0 || memcmp(p.u.bytes.data, r, len) == 0),
             "the partial bytes of an incomplete read differ (%zu expected)", len);
    st.taken += len;
  }
}

/* Runs the loop until the pending read finished, or until every byte
 * written is in the stream's buffer and the loop is quiet; a read left
 * waiting while bytes sit unread in the socket is a hang. */
static void settle(void) {
  int quiet = 0;
  for (int i = 0; i < 3000; i++) {
    int ran = ac_loop_step(loop, i < 20 ? 0.0 : 0.001, NULL, NULL);
    FZ_CHECK(ran >= 0, "ac_loop_step: %s", ac_err_name(ran));
    if (st.f != NULL && ac_future_done(st.f)) {
      check_done();
      ac_future_unref(st.f);
      st.f = NULL;
      quiet = 0;
      continue;
    }
    int64_t b = ac_stream_buffered(st.s);
    size_t unread = st.written - st.taken;
    FZ_CHECK(b >= 0 && (size_t)b <= unread, "%lld bytes buffered, only %zu written and not taken",
             (long long)b, unread);
    bool stable = st.f == NULL || ((size_t)b == unread && !st.eof_sent);
    if (stable && ran == 0) {
      if (++quiet >= 2) break;
    } else {
      quiet = 0;
    }
    if (i == 2999) {
      size_t len = 0;
      fz_fail(__FILE__, __LINE__,
              "%s waits: %lld bytes buffered, %zu written and not taken, EOF %s, limit %zu (reference %d)",
              kind_name(st.kind), (long long)b, unread, st.eof_sent ? "sent" : "not sent", st.limit,
              (int)expect(&len));
    }
  }
  if (st.f != NULL) {
    /* Waiting with everything buffered: the reference must wait too. */
    size_t len;
    FZ_CHECK(expect(&len) == O_PENDING, "%s still waits where the reference completes (limit %zu, %zu buffered)",
             kind_name(st.kind), st.limit, st.written - st.taken);
  }
}

static void issue(enum kind k, size_t n, const uint8_t *sep, size_t sep_len) {
  ac_future *f = NULL;
  int rc;
  st.buffered_at_issue = (size_t)ac_stream_buffered(st.s);
  switch (k) {
    case K_READ: rc = ac_stream_read(st.s, n, &f); break;
    case K_READ_ALL: rc = ac_stream_read(st.s, SIZE_MAX, &f); break;
    case K_EXACTLY: rc = ac_stream_readexactly(st.s, n, &f); break;
    case K_LINE: rc = ac_stream_readline(st.s, &f); break;
    default: rc = ac_stream_readuntil(st.s, sep, sep_len, &f); break;
  }
  if (st.f != NULL) {
    FZ_CHECK(rc == AC_ESTATE, "a second read while one is pending returned %s", ac_err_name(rc));
    return;
  }
  FZ_RC(rc, 0);
  st.f = f;
  st.kind = k;
  st.n = n;
  if (k == K_LINE) {
    st.sep[0] = '\n';
    st.sep_len = 1;
  } else if (k == K_UNTIL) {
    memcpy(st.sep, sep, sep_len);
    st.sep_len = sep_len;
  }
}

static size_t pick_limit(uint8_t b) {
  if (b < 200) return (size_t)b % 40 + 1;
  return (size_t)(b - 199) * 97;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (loop == NULL) setup();
  fz_in in = {data, size};
  memset(&st, 0, offsetof(struct run, sent));

  st.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  FZ_CHECK(st.fd >= 0, "socket: %s", strerror(errno));
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
  FZ_CHECK(connect(st.fd, (struct sockaddr *)&sa, sizeof sa) == 0, "connect: %s", strerror(errno));
  for (int i = 0; i < 2000 && accepted == NULL; i++) ac_loop_step(loop, 0.001, NULL, NULL);
  FZ_CHECK(accepted != NULL, "the server did not accept the connection");
  st.s = accepted;
  accepted = NULL;
  st.limit = pick_limit(fz_u8(&in));
  FZ_RC(ac_stream_set_limit(st.s, st.limit), 0);

  int ops = 0;
  while (fz_more(&in) && ops++ < 300) {
    uint8_t op = fz_u8(&in);
    switch (op % 8) {
      case 0: {
        const uint8_t *b;
        size_t k = fz_bytes(&in, fz_u8(&in), &b);
        if (st.eof_sent || st.written + k > sizeof st.sent) break;
        memcpy(st.sent + st.written, b, k);
        size_t off = 0;
        while (off < k) {
          ssize_t w = send(st.fd, b + off, k - off, MSG_NOSIGNAL);
          FZ_CHECK(w > 0, "send: %s", strerror(errno));
          off += (size_t)w;
        }
        st.written += k;
        break;
      }
      case 1:
        if (!st.eof_sent) FZ_CHECK(shutdown(st.fd, SHUT_WR) == 0, "shutdown: %s", strerror(errno));
        st.eof_sent = true;
        break;
      case 2: {
        uint8_t n = fz_u8(&in);
        if (n == 255)
          issue(K_READ_ALL, SIZE_MAX, NULL, 0);
        else
          issue(K_READ, n, NULL, 0);
        break;
      }
      case 3: issue(K_EXACTLY, fz_u16(&in) % 600, NULL, 0); break;
      case 4: issue(K_LINE, 0, NULL, 0); break;
      case 5: {
        const uint8_t *sep;
        size_t sl = fz_bytes(&in, fz_u8(&in) % 3 + 1, &sep);
        if (sl == 0) break;
        issue(K_UNTIL, 0, sep, sl);
        break;
      }
      case 6:
        if (st.f != NULL) {
          int64_t before = ac_stream_buffered(st.s);
          int rc = ac_future_cancel(st.f, NULL);
          FZ_CHECK(rc == 1 || (rc == 0 && ac_future_done(st.f)), "cancel returned %d", rc);
          if (rc == 1) {
            FZ_CHECK(ac_stream_buffered(st.s) == before, "cancelling a read changed the buffer");
            ac_future_unref(st.f);
            st.f = NULL;
          }
        }
        break;
      case 7:
        if (st.f == NULL) {
          st.limit = pick_limit(fz_u8(&in));
          FZ_RC(ac_stream_set_limit(st.s, st.limit), 0);
        }
        break;
    }
    settle();
  }

  /* The end: EOF, the pending read completes, and read-to-EOF gives exactly
   * the bytes no read took. */
  if (!st.eof_sent) FZ_CHECK(shutdown(st.fd, SHUT_WR) == 0, "shutdown: %s", strerror(errno));
  st.eof_sent = true;
  settle();
  FZ_CHECK(st.f == NULL, "a read is still pending after EOF");
  issue(K_READ_ALL, SIZE_MAX, NULL, 0);
  settle();
  FZ_CHECK(st.f == NULL && st.taken == st.written, "read-to-EOF left %zu of %zu bytes",
           st.written - st.taken, st.written);
  FZ_CHECK(ac_stream_at_eof(st.s) == 1, "not at EOF after reading everything");
  ac_future *closed;
  FZ_RC(ac_stream_close(st.s), 0);
  FZ_RC(ac_stream_wait_closed(st.s, &closed), 0);
  for (int i = 0; i < 2000 && !ac_future_done(closed); i++) ac_loop_step(loop, 0.001, NULL, NULL);
  FZ_CHECK(ac_future_done(closed), "wait_closed never completed");
  ac_future_unref(closed);
  ac_stream_unref(st.s);
  close(st.fd);
  return 0;
}
