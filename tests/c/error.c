/* error.c — the error object's graph and its rendering: children that
 * would make a cycle are refused, and ac_error_format always ends, showing
 * a group as Python's traceback does (at most 15 sub-errors, then "and N
 * more exceptions"; groups nested at most 10 deep). */
#include <stdlib.h>

#include "harness.h"

static ac_error *err(int code, const char *message, ac_error *cause) {
  ac_error *e = NULL;
  CHECK_RC(ac_error_new(code, message, cause, &e), 0);
  return e;
}

static void test_add_child_refuses_cycles(void) {
  ac_error *a = err(AC_EGROUP, "a", NULL);
  ac_error *b = err(AC_EGROUP, "b", NULL);
  ac_error *c = err(AC_EHOST, "c", NULL);
  CHECK_RC(ac_error_add_child(a, a), AC_EINVAL);
  CHECK_RC(ac_error_add_child(a, b), 0);
  CHECK_RC(ac_error_add_child(b, c), 0);
  /* a is b's parent and c's grandparent. */
  CHECK_RC(ac_error_add_child(b, a), AC_EINVAL);
  CHECK_RC(ac_error_add_child(c, a), AC_EINVAL);
  CHECK_INT(ac_error_child_count(b), 1);
  CHECK_INT(ac_error_child_count(c), 0);
  /* The same child twice, or in two groups, is no cycle. */
  CHECK_RC(ac_error_add_child(a, c), 0);
  CHECK_RC(ac_error_add_child(a, c), 0);
  CHECK_INT(ac_error_child_count(a), 3);

  /* Through a cause: d was caused by a, so a cannot contain d. */
  ac_error *d = err(AC_ETIMEDOUT, "d", a);
  CHECK_RC(ac_error_add_child(a, d), AC_EINVAL);
  /* Nor anything whose children lead to d. */
  ac_error *e = err(AC_EGROUP, "e", NULL);
  CHECK_RC(ac_error_add_child(e, d), 0);
  CHECK_RC(ac_error_add_child(c, e), AC_EINVAL);
  CHECK_RC(ac_error_add_child(NULL, e), AC_EINVAL);
  CHECK_RC(ac_error_add_child(e, NULL), AC_EINVAL);

  char *text = ac_error_format(e);
  CHECK_STR(text,
            "AC_EGROUP: e\n"
            "  +-- 1 of 1\n"
            "    ETIMEDOUT: d\n"
            "      caused by AC_EGROUP: a\n");
  ac_free(text);
  ac_error_unref(e);
  ac_error_unref(d);
  ac_error_unref(c);
  ac_error_unref(b);
  ac_error_unref(a);
}

/* A group of n children "0" .. "n-1", rendered. */
static char *format_group_of(int n) {
  ac_error *g = err(AC_EGROUP, "wide", NULL);
  for (int i = 0; i < n; ++i) {
    char m[16];
    snprintf(m, sizeof m, "%d", i);
    ac_error *c = err(AC_EINVAL, m, NULL);
    CHECK_RC(ac_error_add_child(g, c), 0);
    ac_error_unref(c);
  }
  char *text = ac_error_format(g);
  ac_error_unref(g);
  return text;
}

static void test_format_shows_at_most_15_children(void) {
  char expected[2048];
  size_t len = 0;
  len += (size_t)snprintf(expected + len, sizeof expected - len, "AC_EGROUP: wide\n");
  for (int i = 0; i < 15; ++i)
    len += (size_t)snprintf(expected + len, sizeof expected - len,
                            "  +-- %d of 17\n    EINVAL: %d\n", i + 1, i);
  snprintf(expected + len, sizeof expected - len, "  +-- and 2 more exceptions\n");
  char *text = format_group_of(17);
  CHECK_STR(text, expected);
  ac_free(text);

  /* One over: singular. Exactly 15: no count line. */
  text = format_group_of(16);
  CHECK(text != NULL && strstr(text, "+-- 15 of 16\n    EINVAL: 14\n") != NULL);
  CHECK(text != NULL && strstr(text, "  +-- and 1 more exception\n") != NULL);
  CHECK(text != NULL && strstr(text, "EINVAL: 15\n") == NULL);
  ac_free(text);
  text = format_group_of(15);
  CHECK(text != NULL && strstr(text, "more exception") == NULL);
  CHECK(text != NULL && strstr(text, "+-- 15 of 15\n    EINVAL: 14\n") != NULL);
  ac_free(text);
}

static void test_format_limits_group_depth_to_10(void) {
  /* g11 contains g10 ... contains g0 contains a leaf: 12 nested groups. */
  ac_error *e = err(AC_EHOST, "leaf", NULL);
  for (int i = 0; i < 12; ++i) {
    char m[16];
    snprintf(m, sizeof m, "g%d", i);
    ac_error *g = err(AC_EGROUP, m, NULL);
    CHECK_RC(ac_error_add_child(g, e), 0);
    ac_error_unref(e);
    e = g;
  }
  char *text = ac_error_format(e);
  char expected[4096];
  size_t len = 0;
  for (int level = 0; level < 10; ++level) {
    int indent = level * 4;
    len += (size_t)snprintf(expected + len, sizeof expected - len, "%*sAC_EGROUP: g%d\n%*s  +-- 1 of 1\n",
                            indent, "", 11 - level, indent, "");
  }
  snprintf(expected + len, sizeof expected - len, "%*s... (max_group_depth is 10)\n", 40, "");
  CHECK_STR(text, expected);
  ac_free(text);
  ac_error_unref(e);
}

static void test_format_ends_on_huge_graphs(void) {
  /* Ten levels, each error with 15 children that are all the level below:
   * 15^10 paths. The rendering stops after 1000 errors. */
  ac_error *e = err(AC_EHOST, "bottom", NULL);
  for (int level = 0; level < 10; ++level) {
    ac_error *g = err(AC_EGROUP, "fan", NULL);
    for (int i = 0; i < 15; ++i) CHECK_RC(ac_error_add_child(g, e), 0);
    ac_error_unref(e);
    e = g;
  }
  char *text = ac_error_format(e);
  CHECK(text != NULL);
  CHECK(strstr(text, "... (output truncated after 1000 errors)\n") != NULL);
  size_t lines = 0;
  for (const char *p = text; p != NULL && *p; ++p) lines += *p == '\n';
  CHECK(lines < 3000);
  ac_free(text);
  ac_error_unref(e);

  /* A cause chain of 200000 errors: rendered up to the limit, and freed
   * without recursion. */
  ac_error *chain = NULL;
  for (int i = 0; i < 200000; ++i) {
    ac_error *next = err(AC_EHOST, "link", chain);
    ac_error_unref(chain);
    chain = next;
  }
  text = ac_error_format(chain);
  CHECK(text != NULL && strstr(text, "... (output truncated after 1000 errors)\n") != NULL);
  ac_free(text);
  ac_error_unref(chain);
}

/* ac_last_error_message describes the call that failed, never an older
 * one with the same code: a failure that gives no reason of its own
 * (a NULL argument, a code from below) answers ac_strerror's words. */
static void test_a_reason_never_outlives_its_call(void) {
  ac_loop *loop = th_loop();
  ac_future *f, *none = NULL;
  ac_value v;
  ac_lock *lock;
  CHECK_RC(ac_future_new(loop, &f), 0);
  CHECK_RC(ac_future_result(f, &v), AC_ESTATE);
  CHECK_STR(ac_last_error_message(AC_ESTATE), "Result is not set.");
  CHECK_RC(ac_future_set_result_int64(f, 1), 0);
  CHECK_RC(ac_future_set_result_int64(f, 2), AC_ESTATE);
  CHECK_STR(ac_last_error_message(AC_ESTATE), ac_strerror(AC_ESTATE));

  CHECK_RC(ac_lock_new(loop, &lock), 0);
  CHECK_RC(ac_lock_release(lock), AC_EMISUSE);
  CHECK_STR(ac_last_error_message(AC_EMISUSE), "Lock is not acquired.");
  CHECK_RC(ac_future_new(NULL, &none), AC_EINVAL);
  CHECK_STR(ac_last_error_message(AC_EINVAL), ac_strerror(AC_EINVAL));
  /* Same code, reason of its own, then a NULL argument: no reason. */
  CHECK_RC(ac_lock_release(lock), AC_EMISUSE);
  CHECK_RC(ac_lock_release(NULL), AC_EINVAL);
  CHECK_STR(ac_last_error_message(AC_EMISUSE), ac_strerror(AC_EMISUSE));
  ac_lock_unref(lock);
  ac_future_unref(f);
  th_close(loop);
}

/* Found by fuzzing: a negative code libuv does not name (-1 is EPERM,
 * -9999 is nothing) gave libuv's "Unknown system error -9999", a string
 * libuv allocates on every call and nobody frees (valgrind's leak check
 * sees it), where the contract promises "unknown error" and "UNKNOWN". */
static void test_codes_libuv_does_not_name(void) {
  CHECK_STR(ac_strerror(-9999), "unknown error");
  CHECK_STR(ac_err_name(-9999), "UNKNOWN");
  CHECK_STR(ac_err_class(-9999), "OSError");
  CHECK_STR(ac_last_error_message(-9998), "unknown error");
  ac_error *e = NULL;
  CHECK_RC(ac_error_new(-9997, NULL, NULL, &e), 0);
  CHECK_STR(ac_error_message(e), "unknown error");
  ac_error_unref(e);
  /* Codes libuv names keep libuv's words. On Windows libuv's codes are
   * its own numbers (UV_EPERM is -4048 there), not the C runtime's errno. */
#ifdef _WIN32
  CHECK_STR(ac_err_name(-4048), "EPERM");
#else
  CHECK_STR(ac_err_name(-EPERM), "EPERM");
#endif
  CHECK_STR(ac_strerror(AC_EOF), "end of file");
}

int main(void) {
  RUN(test_a_reason_never_outlives_its_call);
  RUN(test_add_child_refuses_cycles);
  RUN(test_format_shows_at_most_15_children);
  RUN(test_format_limits_group_depth_to_10);
  RUN(test_format_ends_on_huge_graphs);
  RUN(test_codes_libuv_does_not_name);
  return th_finish();
}
