/*
 * fuzz.h — what the fuzz targets share: reading the input as a little
 * program, and failing loudly. A failed check prints its message and
 * aborts, so libFuzzer (or the replay driver) reports the input.
 */
#ifndef ASYNCORE_FUZZ_H
#define ASYNCORE_FUZZ_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

__attribute__((noreturn, format(printf, 3, 4)))
static void fz_fail(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s:%d: invariant failed: ", file, line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  fflush(stderr);
  abort();
}

#define FZ_CHECK(cond, ...)                                   \
  do {                                                        \
    if (!(cond)) fz_fail(__FILE__, __LINE__, __VA_ARGS__);    \
  } while (0)
/* A call that must return `expected` (an AC_* code). */
#define FZ_RC(call, expected)                                                 \
  do {                                                                        \
    int fz_rc_ = (call), fz_ex_ = (expected);                                 \
    if (fz_rc_ != fz_ex_)                                                     \
      fz_fail(__FILE__, __LINE__, "%s returned %d (%s), expected %d (%s)",    \
              #call, fz_rc_, ac_err_name(fz_rc_), fz_ex_, ac_err_name(fz_ex_)); \
  } while (0)

/* The input, read front to back; past its end every read gives zeros. */
typedef struct fz_in {
  const uint8_t *p;
  size_t n;
} fz_in;

static inline int fz_more(const fz_in *in) { return in->n > 0; }
static inline uint8_t fz_u8(fz_in *in) {
  if (in->n == 0) return 0;
  in->n--;
  return *in->p++;
}
static inline uint16_t fz_u16(fz_in *in) {
  uint16_t lo = fz_u8(in);
  return (uint16_t)(lo | (uint16_t)(fz_u8(in) << 8));
}
static inline uint32_t fz_u32(fz_in *in) {
  uint32_t lo = fz_u16(in);
  return lo | ((uint32_t)fz_u16(in) << 16);
}
/* Up to `want` bytes of the input, borrowed; returns how many. */
static inline size_t fz_bytes(fz_in *in, size_t want, const uint8_t **out) {
  size_t k = want < in->n ? want : in->n;
  *out = in->p;
  in->p += k;
  in->n -= k;
  return k;
}

#endif
