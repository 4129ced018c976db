/*
 * conformance.h — what every file of the C implementation shares: the trace,
 * spawning, the scenario table.
 *
 * Every scenario runs on the virtual clock; "t=N" is the loop time in
 * milliseconds. A scenario is a step function for main's task and the size
 * of its zeroed state; each file lists its scenarios in a table that
 * conformance.c's main searches.
 */
#ifndef CONFORMANCE_H
#define CONFORMANCE_H

#include <asyncore.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static inline long long ms(const ac_loop *loop) { return llround(ac_loop_time(loop) * 1000.0); }
static inline ac_loop *loop_of(ac_task *t) { return ac_task_get_loop(t); }

#define TRACE(...)          \
  do {                      \
    printf(__VA_ARGS__);    \
    putchar('\n');          \
  } while (0)
#define TRACE_T(loop, ...)                 \
  do {                                     \
    printf("t=%lld ", ms(loop));           \
    printf(__VA_ARGS__);                   \
    putchar('\n');                         \
  } while (0)

static inline void die(const char *what, int rc) {
  fprintf(stderr, "setup failed: %s: %s\n", what, ac_strerror(rc));
  exit(3);
}

/* A task of `step` with a zeroed state of `size` bytes; `out` gets a
 * reference. */
static inline void *spawn(ac_task *parent, ac_step_fn step, size_t size, ac_task **out) {
  void *st = NULL;
  int rc = ac_task_new_inline(loop_of(parent), step, size, 0, out, &st);
  if (rc < 0) die("ac_task_new_inline", rc);
  return st;
}

/* The message of the error the last await ended with ("" if none). */
static inline const char *awaited_message(ac_task *t) {
  ac_error *e = ac_future_error(ac_task_awaited(t));
  return e != NULL ? ac_error_message(e) : "";
}

/* asyncio.run(main()) on the virtual clock; main's state is zeroed. */
static inline int run_main(ac_step_fn step, size_t size, ac_value *result) {
  void *st = calloc(1, size);
  if (st == NULL) die("calloc", AC_ENOMEM);
  return ac_run(step, st, free, AC_LOOP_VIRTUAL_CLOCK, result, NULL);
}

/* "Class: message" of an error as harness.describe prints it: asyncio's
 * class for the code, and the message unless it is empty. */
static inline void describe_error(char *buf, size_t size, const ac_error *e) {
  const char *m = ac_error_message(e);
  if (m != NULL && m[0] != '\0')
    snprintf(buf, size, "%s: %s", ac_err_class(ac_error_code(e)), m);
  else
    snprintf(buf, size, "%s", ac_err_class(ac_error_code(e)));
}

/* "Class: message" of an error known only by the code a call returned:
 * the message is the call's reason (ac_last_error_message). */
static inline const char *describe_code(char *buf, size_t size, int code) {
  const char *m = ac_last_error_message(code);
  if (m != NULL && m[0] != '\0')
    snprintf(buf, size, "%s: %s", ac_err_class(code), m);
  else
    snprintf(buf, size, "%s", ac_err_class(code));
  return buf;
}

struct scenario {
  const char *name;
  ac_step_fn main;
  size_t state_size; /* 0: the size conformance.c's own scenarios share */
};

/* The tables of the files other than conformance.c, each ended by an
 * entry with a NULL name. */
extern const struct scenario sync_scenarios[];
extern const struct scenario task_scenarios[];
extern const struct scenario structured_scenarios[];

#endif
