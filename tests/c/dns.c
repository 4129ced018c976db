#define _GNU_SOURCE
/* dns.c — ac_getaddrinfo / ac_getnameinfo as futures: numeric and local
 * names (no network), families, failures, cancellation, loop close, and
 * misuse. */
#ifdef _WIN32
#include <winsock2.h>
#else
#include <arpa/inet.h>
#include <netdb.h>
#endif
#include <stdio.h>

#include "net_util.h"

static void finish(ac_loop *loop) {
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
}

static void test_numeric_host(void) {
  ac_loop *loop = net_loop();
  ac_future *f;
  CHECK_RC(ac_getaddrinfo(loop, "127.0.0.1", "8080", AC_FAMILY_ANY, AC_SOCKTYPE_STREAM, &f), 0);
  CHECK_RC(net_wait(loop, f, 10), 0);
  CHECK_STR(net_text(f), "127.0.0.1:8080\n");
  ac_future_unref(f);
  CHECK_RC(ac_getaddrinfo(loop, "::1", "53", AC_FAMILY_IPV6, AC_SOCKTYPE_DGRAM, &f), 0);
  CHECK_RC(net_wait(loop, f, 10), 0);
  CHECK_STR(net_text(f), "[::1]:53\n");
  ac_future_unref(f);
  finish(loop);
}

static void test_localhost_ipv4_only(void) {
  ac_loop *loop = net_loop();
  ac_future *f;
  CHECK_RC(ac_getaddrinfo(loop, "localhost", "80", AC_FAMILY_IPV4, AC_SOCKTYPE_STREAM, &f), 0);
  CHECK_RC(net_wait(loop, f, 10), 0);
  CHECK_STR(net_text(f), "127.0.0.1:80\n");
  ac_future_unref(f);
  finish(loop);
}

static void test_unknown_service_fails(void) {
  ac_loop *loop = net_loop();
  ac_future *f;
  CHECK_RC(ac_getaddrinfo(loop, "127.0.0.1", "no-such-service", AC_FAMILY_ANY,
                          AC_SOCKTYPE_STREAM, &f), 0);
  int rc = net_wait(loop, f, 10);
  CHECK(rc < 0 && rc != AC_ECANCELLED);
  ac_future_unref(f);
  finish(loop);
}

static void test_getnameinfo_numeric_and_named(void) {
  ac_loop *loop = net_loop();
  ac_future *f;
  CHECK_RC(ac_getnameinfo(loop, "127.0.0.1:80", AC_NI_NUMERICHOST | AC_NI_NUMERICSERV, &f), 0);
  CHECK_RC(net_wait(loop, f, 10), 0);
  CHECK_STR(net_text(f), "127.0.0.1\n80\n");
  ac_future_unref(f);
  CHECK_RC(ac_getnameinfo(loop, "[::1]:443", AC_NI_NUMERICHOST | AC_NI_NUMERICSERV, &f), 0);
  CHECK_RC(net_wait(loop, f, 10), 0);
  CHECK_STR(net_text(f), "::1\n443\n");
  ac_future_unref(f);
  /* The port's service name comes from the services database: the name
   * libc's own lookup gives ("http" with /etc/services), or the number
   * when the database has none. Either way the answer is checked. */
  CHECK_RC(ac_getnameinfo(loop, "127.0.0.1:80", AC_NI_NUMERICHOST, &f), 0);
  CHECK_RC(net_wait(loop, f, 10), 0);
  {
    struct servent *s = getservbyport(htons(80), "tcp");
    char want[64];
    snprintf(want, sizeof want, "127.0.0.1\n%s\n", s != NULL ? s->s_name : "80");
    CHECK_STR(net_text(f), want);
  }
  ac_future_unref(f);
  finish(loop);
}

static void test_cancel_and_loop_close(void) {
  ac_loop *loop = net_loop();
  ac_future *f, *g;
  CHECK_RC(ac_getaddrinfo(loop, "localhost", "80", AC_FAMILY_ANY, AC_SOCKTYPE_STREAM, &f), 0);
  CHECK_RC(ac_future_cancel(f, NULL), 1);
  CHECK_RC(ac_getnameinfo(loop, "127.0.0.1:80", 0, &g), 0);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_INT(ac_future_cancelled(f), 1);
  CHECK_RC(ac_future_result(g, NULL), AC_ECLOSED);
  ac_future_unref(f);
  ac_future_unref(g);
  ac_loop_unref(loop);
}

static void test_misuse(void) {
  ac_loop *loop = net_loop();
  ac_future *f = NULL;
  CHECK_RC(ac_getaddrinfo(NULL, "x", "1", 0, AC_SOCKTYPE_STREAM, &f), AC_EINVAL);
  CHECK_RC(ac_getaddrinfo(loop, NULL, NULL, 0, AC_SOCKTYPE_STREAM, &f), AC_EINVAL);
  CHECK_RC(ac_getaddrinfo(loop, "x", "1", 5, AC_SOCKTYPE_STREAM, &f), AC_EINVAL);
  CHECK_RC(ac_getaddrinfo(loop, "x", "1", 0, 9, &f), AC_EINVAL);
  CHECK_RC(ac_getaddrinfo(loop, "x", "1", 0, AC_SOCKTYPE_STREAM, NULL), AC_EINVAL);
  CHECK_RC(ac_getnameinfo(loop, "localhost:80", 0, &f), AC_EINVAL);
  CHECK_RC(ac_getnameinfo(loop, "127.0.0.1", 0, &f), AC_EINVAL);
  CHECK_RC(ac_getnameinfo(loop, "127.0.0.1:80", 64, &f), AC_EINVAL);
  CHECK_RC(ac_getnameinfo(loop, NULL, 0, &f), AC_EINVAL);
  CHECK(f == NULL);
  finish(loop);
}

int main(void) {
  alarm(60);
  RUN(test_numeric_host);
  RUN(test_localhost_ipv4_only);
  RUN(test_unknown_service_fails);
  RUN(test_getnameinfo_numeric_and_named);
  RUN(test_cancel_and_loop_close);
  RUN(test_misuse);
  return th_finish();
}
