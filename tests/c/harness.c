#include "harness.h"

#include <stdarg.h>
#include <stdlib.h>

#ifdef _WIN32
#include <winsock2.h>
#endif

jmp_buf th_jump;
int th_failed_checks;

static int th_count, th_failed;
static const char *th_skip_reason;
static char *th_trace;
static size_t th_trace_len, th_trace_cap;

void th_fail(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  fprintf(stdout, "# %s:%d: ", file, line);
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
  fputc('\n', stdout);
  ++th_failed_checks;
  longjmp(th_jump, 1);
}

void th_skip(const char *reason) {
  th_skip_reason = reason;
  longjmp(th_jump, 1);
}

void th_run(const char *name, void (*fn)(void)) {
  ++th_count;
  th_failed_checks = 0;
  th_skip_reason = NULL;
  trace_clear();
  if (setjmp(th_jump) == 0) fn();
  if (th_skip_reason != NULL && th_failed_checks == 0) {
    printf("ok %d - %s # SKIP %s\n", th_count, name, th_skip_reason);
  } else if (th_failed_checks != 0) {
    ++th_failed;
    printf("not ok %d - %s\n", th_count, name);
  } else {
    printf("ok %d - %s\n", th_count, name);
  }
  fflush(stdout);
}

int th_finish(void) {
  printf("1..%d\n", th_count);
  free(th_trace);
  th_trace = NULL;
  th_trace_len = th_trace_cap = 0;
  return th_failed == 0 ? 0 : 1;
}

void trace(const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= sizeof line) n = (int)sizeof line - 1;
  if (th_trace_len + (size_t)n + 2 > th_trace_cap) {
    size_t cap = th_trace_cap ? th_trace_cap * 2 : 1024;
    while (cap < th_trace_len + (size_t)n + 2) cap *= 2;
    char *p = realloc(th_trace, cap);
    if (p == NULL) abort();
    th_trace = p;
    th_trace_cap = cap;
  }
  memcpy(th_trace + th_trace_len, line, (size_t)n);
  th_trace_len += (size_t)n;
  th_trace[th_trace_len++] = '\n';
  th_trace[th_trace_len] = '\0';
}

int th_have_af_unix(void) {
#ifdef _WIN32
  WSADATA data;
  if (WSAStartup(MAKEWORD(2, 2), &data) != 0) return 0;
  SOCKET s = socket(AF_UNIX, SOCK_STREAM, 0);
  int have = s != INVALID_SOCKET;
  if (have) closesocket(s);
  WSACleanup();
  return have;
#else
  return 1;
#endif
}

const char *trace_text(void) { return th_trace ? th_trace : ""; }

void trace_clear(void) {
  th_trace_len = 0;
  if (th_trace) th_trace[0] = '\0';
}

ac_loop *th_loop(void) {
  ac_loop *loop = NULL;
  CHECK_RC(ac_loop_new(AC_LOOP_VIRTUAL_CLOCK, &loop), 0);
  return loop;
}

void th_close(ac_loop *loop) {
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
}
