#define _GNU_SOURCE
/* pipe.c — streams over descriptors handed over: read and write pipes
 * (asyncio's connect_read_pipe / connect_write_pipe), the process's own
 * stdin, EPIPE instead of SIGPIPE, refusals, and a terminal stream through
 * a real pseudo-terminal (openpty): raw mode on and off, window size. */
#include <fcntl.h>
#include <malloc.h>
#include <pty.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "net_util.h"

static void test_read_pipe(void) {
  ac_loop *loop = net_loop();
  int fds[2];
  CHECK(pipe(fds) == 0);
  ac_stream *r = NULL;
  CHECK_RC(ac_pipe_connect_read(loop, fds[0], &r), 0);
  CHECK(write(fds[1], "one\ntwo", 7) == 7);
  char text[96];
  NET_TEXT(loop, ac_stream_readline(r, &nt_f_), text);
  CHECK_STR(text, "one\n");
  close(fds[1]);
  NET_TEXT(loop, ac_stream_read(r, SIZE_MAX, &nt_f_), text);
  CHECK_STR(text, "two");
  CHECK_INT(ac_stream_at_eof(r), 1);
  ac_stream_unref(r);
  th_close(loop);
  /* The stream owned the read end and closed it. */
  CHECK(fcntl(fds[0], F_GETFD) < 0 && errno == EBADF);
}

static void test_write_pipe_and_epipe(void) {
  ac_loop *loop = net_loop();
  int fds[2];
  CHECK(pipe(fds) == 0);
  ac_stream *w = NULL;
  CHECK_RC(ac_pipe_connect_write(loop, fds[1], &w), 0);
  CHECK_INT(ac_stream_at_eof(w), 1);
  CHECK_RC(ac_stream_write(w, "hello", 5), 0);
  ac_future *d = NULL;
  CHECK_RC(ac_stream_drain(w, &d), 0);
  CHECK_RC(net_wait(loop, d, 5), 0);
  ac_future_unref(d);
  char buf[16] = {0};
  CHECK_INT(read(fds[0], buf, sizeof buf - 1), 5);
  CHECK_STR(buf, "hello");
  /* The reader goes: EPIPE, and SIGPIPE (default disposition: it would
   * end this process) neither delivered nor left pending, mask as before. */
  close(fds[0]);
  sigset_t before, after, pending;
  pthread_sigmask(SIG_SETMASK, NULL, &before);
  CHECK_RC(ac_stream_write(w, "more", 4), AC_EPIPE);
  CHECK_RC(ac_stream_write(w, "more", 4), AC_EPIPE); /* sticky */
  pthread_sigmask(SIG_SETMASK, NULL, &after);
  sigpending(&pending);
  CHECK_INT(sigismember(&pending, SIGPIPE), 0);
  CHECK_INT(sigismember(&after, SIGPIPE), sigismember(&before, SIGPIPE));
  ac_stream_unref(w);
  th_close(loop);
}

/* A writer that fills the pipe: bytes queue, drain waits until the reader
 * takes them; write_eof closes once flushed, the reader sees EOF. */
static void test_write_pipe_backpressure_and_eof(void) {
  ac_loop *loop = net_loop();
  int fds[2];
  CHECK(pipe(fds) == 0);
  ac_stream *w = NULL, *r = NULL;
  CHECK_RC(ac_pipe_connect_write(loop, fds[1], &w), 0);
  CHECK_RC(ac_pipe_connect_read(loop, fds[0], &r), 0);
  static char big[1 << 20];
  memset(big, 'z', sizeof big);
  CHECK_RC(ac_stream_write(w, big, sizeof big), 0);
  CHECK(ac_stream_write_buffer_size(w) > 0);
  CHECK_RC(ac_stream_write_eof(w), 0);
  ac_future *f = NULL;
  CHECK_RC(ac_stream_read(r, SIZE_MAX, &f), 0);
  CHECK_RC(net_wait(loop, f, 10), 0);
  ac_value v;
  CHECK_RC(ac_future_result(f, &v), 0);
  CHECK_INT(v.u.bytes.len, sizeof big);
  ac_future_unref(f);
  CHECK_INT(ac_stream_is_closing(w), 1);
  ac_stream_unref(w);
  ac_stream_unref(r);
  th_close(loop);
}

/* A writer that tops the buffer up before it empties (as one does after
 * drain, which wakes at the low-water mark) while the reader takes 64 KiB
 * at a time: 128 MiB go through, the buffer never empties, and the heap
 * holds about what is queued, not all that was written (the bytes sent
 * are dropped from the buffer's front). The bytes arrive in order. */
static void test_write_buffer_kept_busy_does_not_grow(void) {
  ac_loop *loop = net_loop();
  int fds[2];
  CHECK(pipe(fds) == 0);
  CHECK(fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0);
  ac_stream *w = NULL;
  CHECK_RC(ac_pipe_connect_write(loop, fds[1], &w), 0);
  enum { kChunk = 64 * 1024, kRounds = 2048 };
  static char out[kChunk], in[kChunk];
  size_t sent = 0, got = 0;
  int order_ok = 1;
  struct mallinfo2 before = mallinfo2();
  size_t peak = 0;
  for (int round = 0; round < kRounds; round++) {
    /* Four chunks ahead first: the pipe takes one, the stream keeps the
     * rest queued from then on. */
    for (int i = 0; i < kChunk; i++) out[i] = (char)((sent + (size_t)i) % 251);
    CHECK_RC(ac_stream_write(w, out, kChunk), 0);
    sent += kChunk;
    if (round < 4) continue;
    /* Read what the pipe holds, half at a time, letting the stream
     * flush between the halves. */
    for (int half = 0; half < 2; half++) {
      ssize_t n = read(fds[0], in, kChunk / 2);
      for (ssize_t i = 0; i < n; i++)
        if (in[i] != (char)((got + (size_t)i) % 251)) order_ok = 0;
      if (n > 0) got += (size_t)n;
      ac_loop_step(loop, 0, NULL, NULL);
    }
    /* In use: small blocks and the large ones malloc maps apart. */
    struct mallinfo2 now = mallinfo2();
    size_t used = now.uordblks + now.hblkhd, base = before.uordblks + before.hblkhd;
    if (used > base && used - base > peak) peak = used - base;
  }
  CHECK(ac_stream_write_buffer_size(w) > 0); /* it never emptied */
  CHECK_INT(order_ok, 1);
  CHECK((int64_t)(sent - got) >= ac_stream_write_buffer_size(w)); /* queued, or in the pipe */
  CHECK(peak < 8u << 20); /* 128 MiB written */
  ac_stream_unref(w);
  close(fds[0]);
  th_close(loop);
}

/* The process's own stdin, as connect_read_pipe(sys.stdin). */
static void test_process_stdin(void) {
  int saved = dup(0);
  int fds[2];
  CHECK(pipe(fds) == 0);
  CHECK(dup2(fds[0], 0) == 0);
  close(fds[0]);
  ac_loop *loop = net_loop();
  ac_stream *in = NULL;
  CHECK_RC(ac_pipe_connect_read(loop, dup(0), &in), 0);
  CHECK(write(fds[1], "typed\n", 6) == 6);
  char text[96];
  NET_TEXT(loop, ac_stream_readline(in, &nt_f_), text);
  CHECK_STR(text, "typed\n");
  close(fds[1]);
  ac_stream_unref(in);
  th_close(loop);
  dup2(saved, 0);
  close(saved);
}

static void test_refusals(void) {
  ac_loop *loop = net_loop();
  char path[] = "/tmp/asyncore-pipe-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  unlink(path);
  ac_stream *s = NULL;
  int rc = ac_pipe_connect_read(loop, fd, &s);
  CHECK_RC(rc, AC_EINVAL);
  CHECK_STR(ac_last_error_message(rc), "Pipe transport is for pipes/sockets only.");
  CHECK(fcntl(fd, F_GETFD) < 0 && errno == EBADF); /* owned, so closed */
  CHECK_RC(ac_pipe_connect_read(loop, -1, &s), AC_EINVAL);
  int fds[2];
  CHECK(pipe(fds) == 0);
  CHECK_RC(ac_tty_open(loop, fds[0], &s), -ENOTTY);
  CHECK_RC(ac_pipe_connect_write(loop, fds[1], &s), 0);
  int cols, rows;
  CHECK_RC(ac_tty_get_winsize(s, &cols, &rows), AC_EINVAL);
  CHECK_RC(ac_tty_set_raw(s, 1), AC_EINVAL);
  ac_stream_unref(s);
  th_close(loop);
}

/* Reads what the terminal's other side wrote (blocking; it is there). */
static int read_master(int master, char *buf, size_t cap) {
  ssize_t n = read(master, buf, cap - 1);
  buf[n < 0 ? 0 : n] = '\0';
  return (int)n;
}

static void test_tty_through_pty(void) {
  int master, slave;
  struct winsize ws = {.ws_row = 24, .ws_col = 80};
  CHECK(openpty(&master, &slave, NULL, NULL, &ws) == 0);
  ac_loop *loop = net_loop();
  ac_stream *tty = NULL;
  CHECK_RC(ac_tty_open(loop, slave, &tty), 0);
  int cols = 0, rows = 0;
  CHECK_RC(ac_tty_get_winsize(tty, &cols, &rows), 0);
  CHECK_INT(cols, 80);
  CHECK_INT(rows, 24);
  ws.ws_col = 132;
  ws.ws_row = 43;
  CHECK(ioctl(master, TIOCSWINSZ, &ws) == 0);
  CHECK_RC(ac_tty_get_winsize(tty, &cols, &rows), 0);
  CHECK_INT(cols, 132);
  CHECK_INT(rows, 43);

  /* Cooked: output "\n" becomes "\r\n"; input comes a line at a time. */
  char buf[64];
  CHECK_RC(ac_stream_write(tty, "a\n", 2), 0);
  CHECK_INT(read_master(master, buf, sizeof buf), 3);
  CHECK_STR(buf, "a\r\n");
  CHECK(write(master, "line\n", 5) == 5);
  char text[96];
  NET_TEXT(loop, ac_stream_readline(tty, &nt_f_), text);
  CHECK_STR(text, "line\n");
  read_master(master, buf, sizeof buf); /* the echo */

  /* Raw: bytes as they are, no echo, no line discipline. */
  CHECK_RC(ac_tty_set_raw(tty, 1), 0);
  struct termios t;
  CHECK(tcgetattr(master, &t) == 0);
  CHECK_INT(t.c_lflag & (ICANON | ECHO), 0);
  CHECK_RC(ac_stream_write(tty, "b\n", 2), 0);
  CHECK_INT(read_master(master, buf, sizeof buf), 2);
  CHECK_STR(buf, "b\n");
  CHECK(write(master, "\x03q", 2) == 2); /* Ctrl-C is a byte now */
  NET_TEXT(loop, ac_stream_readexactly(tty, 2, &nt_f_), text);
  CHECK_STR(text, "\x03q");

  /* Back to the mode it had. */
  CHECK_RC(ac_tty_set_raw(tty, 0), 0);
  CHECK(tcgetattr(master, &t) == 0);
  CHECK_INT(t.c_lflag & (ICANON | ECHO), ICANON | ECHO);
  CHECK_RC(ac_stream_write(tty, "c\n", 2), 0);
  CHECK_INT(read_master(master, buf, sizeof buf), 3);
  CHECK_STR(buf, "c\r\n");
  ac_stream_unref(tty);
  th_close(loop);
  close(master);
}

int main(void) {
  RUN(test_read_pipe);
  RUN(test_write_pipe_and_epipe);
  RUN(test_write_pipe_backpressure_and_eof);
  RUN(test_write_buffer_kept_busy_does_not_grow);
  RUN(test_process_stdin);
  RUN(test_refusals);
  RUN(test_tty_through_pty);
  return th_finish();
}
