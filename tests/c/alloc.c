/* alloc.c — ac_alloc_small / ac_free_small: blocks of every size class
 * and beyond the pool's largest, fully writable and distinct while alive;
 * a size of 0; NULL freed; blocks made on a worker thread and freed on
 * the loop's, and the other way round. ac_trim: wholly free slabs go back
 * (their bytes counted), live blocks and partly used slabs stay intact,
 * slabs given back serve again, blocks left by exited threads are given
 * back by another. Under AddressSanitizer and valgrind the same calls go
 * to malloc (ac_trim: AC_ENOTSUP), so those runs check the bounds and that
 * nothing leaks. */
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"

enum { KEPT = 64 };

static void fill(unsigned char *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(seed + i * 7u);
}
static int intact(const unsigned char *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != (unsigned char)(seed + i * 7u)) return 0;
  return 1;
}

static void test_every_size_is_writable_and_blocks_do_not_overlap(void) {
  static const size_t sizes[] = {1, 7, 8, 15, 16, 17, 31, 32, 33, 48, 100, 128, 255, 256,
                                 257, 500, 512, 1000, 1023, 1024, 1025, 4096, 100000};
  size_t nsizes = sizeof sizes / sizeof sizes[0];
  for (size_t s = 0; s < nsizes; s++) {
    unsigned char *kept[KEPT];
    for (unsigned i = 0; i < KEPT; i++) {
      kept[i] = ac_alloc_small(sizes[s]);
      CHECK(kept[i] != NULL);
      /* the runtime's blocks are aligned for any object it keeps */
      CHECK(((uintptr_t)kept[i] % sizeof(void *)) == 0);
      fill(kept[i], sizes[s], i);
    }
    for (unsigned i = 0; i < KEPT; i++) CHECK(intact(kept[i], sizes[s], i));
    /* freed in another order than made, then made again */
    for (unsigned i = 0; i < KEPT; i += 2) ac_free_small(kept[i], sizes[s]);
    for (unsigned i = 0; i < KEPT; i += 2) {
      kept[i] = ac_alloc_small(sizes[s]);
      CHECK(kept[i] != NULL);
      fill(kept[i], sizes[s], i + 100);
    }
    for (unsigned i = 0; i < KEPT; i++) CHECK(intact(kept[i], sizes[s], i % 2 == 0 ? i + 100 : i));
    for (unsigned i = 0; i < KEPT; i++) ac_free_small(kept[i], sizes[s]);
  }
}

static void test_size_zero_and_null(void) {
  void *p = ac_alloc_small(0); /* counts as 1 */
  CHECK(p != NULL);
  *(unsigned char *)p = 0xAB;
  ac_free_small(p, 0);
  ac_free_small(NULL, 0);
  ac_free_small(NULL, 64);
}

/* A worker makes KEPT blocks, or frees the ones it is given. */
struct hand_over {
  unsigned char *blocks[KEPT];
  size_t size;
  int make; /* 1: make and fill; 0: check and free */
};
static int hand_over_work(void *ud, ac_value *result) {
  struct hand_over *h = ud;
  int64_t ok = 1;
  for (unsigned i = 0; i < KEPT; i++) {
    if (h->make) {
      h->blocks[i] = ac_alloc_small(h->size);
      if (h->blocks[i] == NULL) {
        ok = 0;
        continue;
      }
      fill(h->blocks[i], h->size, i + 7);
    } else {
      if (!intact(h->blocks[i], h->size, i + 3)) ok = 0;
      ac_free_small(h->blocks[i], h->size);
      h->blocks[i] = NULL;
    }
  }
  ac_value_set_int64(result, ok);
  return 0;
}
static int64_t on_worker(ac_loop *loop, struct hand_over *h) {
  ac_future *f = NULL;
  CHECK_RC(ac_to_thread(loop, hand_over_work, h, NULL, NULL, &f), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), 0);
  int64_t ok = 0;
  CHECK_RC(ac_future_result_int64(f, &ok), 0);
  ac_future_unref(f);
  return ok;
}

static void test_blocks_cross_threads_both_ways(void) {
  ac_loop *loop = NULL;
  CHECK_RC(ac_loop_new(0, &loop), 0);
  static const size_t sizes[] = {24, 96, 300, 1024, 2048};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    struct hand_over h = {{0}, sizes[s], 1};
    /* made there, freed here */
    CHECK_INT(on_worker(loop, &h), 1);
    for (unsigned i = 0; i < KEPT; i++) {
      CHECK(intact(h.blocks[i], h.size, i + 7));
      ac_free_small(h.blocks[i], h.size);
    }
    /* made here, freed there */
    for (unsigned i = 0; i < KEPT; i++) {
      h.blocks[i] = ac_alloc_small(h.size);
      CHECK(h.blocks[i] != NULL);
      fill(h.blocks[i], h.size, i + 3);
    }
    h.make = 0;
    CHECK_INT(on_worker(loop, &h), 1);
    /* and the blocks the worker freed serve this thread again after it */
    void *again = ac_alloc_small(h.size);
    CHECK(again != NULL);
    fill(again, h.size, 1);
    ac_free_small(again, h.size);
  }
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
}

/* A class no runtime object of these tests uses (so whole slabs of it are
 * the test's), and enough blocks for several 64 KiB slabs of it. */
enum { ODD = 1008, MANY = 4 * (65536 / ODD) + 7 };
#define SLAB 65536

/* ac_trim, or a skip where the runtime keeps nothing for reuse. */
static int64_t trim_or_skip(void) {
  int64_t n = ac_trim();
  if (n == AC_ENOTSUP) {
    CHECK_STR(ac_last_error_message(AC_ENOTSUP), "the runtime keeps no blocks for reuse here");
    SKIP("no small-block pool here (AddressSanitizer, valgrind, Windows or ASYNCORE_POOL=0)");
  }
  CHECK(n >= 0);
  return n;
}

static void test_trim_gives_back_wholly_free_slabs_and_they_serve_again(void) {
  static unsigned char *b[MANY];
  trim_or_skip(); /* whatever earlier tests left */
  for (int round = 0; round < 3; round++) {
    for (unsigned i = 0; i < MANY; i++) {
      b[i] = ac_alloc_small(ODD);
      CHECK(b[i] != NULL);
      fill(b[i], ODD, i + round);
    }
    for (unsigned i = 0; i < MANY; i++) CHECK(intact(b[i], ODD, i + round));
    for (unsigned i = 0; i < MANY; i++) ac_free_small(b[i], ODD);
    /* four slabs were wholly carved and are wholly free; the fifth is this
     * thread's current one, carved in part and free as far as carved */
    int64_t n = trim_or_skip();
    CHECK(n >= 5 * SLAB);
    CHECK(n % SLAB == 0);
    CHECK_INT(ac_trim(), 0); /* nothing more */
  }
}

static void test_trim_keeps_live_blocks_and_partly_used_slabs(void) {
  static unsigned char *b[MANY];
  trim_or_skip();
  for (unsigned i = 0; i < MANY; i++) {
    b[i] = ac_alloc_small(ODD);
    CHECK(b[i] != NULL);
    fill(b[i], ODD, i);
  }
  /* one block in every 16 and the last stay alive: no slab is wholly free
   * (not even the current one, carved in part) */
  for (unsigned i = 0; i < MANY; i++)
    if (i % 16 != 0 && i != MANY - 1) ac_free_small(b[i], ODD);
  CHECK_INT(trim_or_skip(), 0);
  for (unsigned i = 0; i < MANY; i += 16) CHECK(intact(b[i], ODD, i));
  CHECK(intact(b[MANY - 1], ODD, MANY - 1));
  /* the free blocks are still on the lists, and serve */
  for (unsigned i = 0; i < MANY; i++)
    if (i % 16 != 0 && i != MANY - 1) {
      b[i] = ac_alloc_small(ODD);
      CHECK(b[i] != NULL);
      fill(b[i], ODD, i);
    }
  for (unsigned i = 0; i < MANY; i++) CHECK(intact(b[i], ODD, i));
  for (unsigned i = 0; i < MANY; i++) ac_free_small(b[i], ODD);
  CHECK(trim_or_skip() >= 4 * SLAB);
}

#if defined(__linux__)
/* Resident pages of this process (/proc/self/statm), in bytes. */
static long long resident_bytes(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long long size = 0, resident = 0;
  if (f == NULL) return -1;
  if (fscanf(f, "%lld %lld", &size, &resident) != 2) resident = -1;
  fclose(f);
  return resident * 4096;
}
#endif

/* The pages really go: 16 MiB of blocks touched, freed and trimmed leave
 * the resident set smaller by nearly as much (Linux, where the kernel
 * drops released pages at once). */
static void test_trim_returns_pages_to_the_system(void) {
#if defined(__linux__)
  enum { BIG = 16 * (65536 / ODD) * 16 };
  static unsigned char *b[BIG];
  trim_or_skip();
  for (unsigned i = 0; i < BIG; i++) {
    b[i] = ac_alloc_small(ODD);
    CHECK(b[i] != NULL);
    fill(b[i], ODD, i);
  }
  for (unsigned i = 0; i < BIG; i++) ac_free_small(b[i], ODD);
  long long before = resident_bytes();
  int64_t n = trim_or_skip();
  long long after = resident_bytes();
  CHECK(n >= (int64_t)15 << 20);
  CHECK(before - after >= (long long)14 << 20);
#else
  SKIP("the resident set is read from Linux's /proc");
#endif
}

/* A thread of its own makes blocks and frees them, then exits: its blocks
 * wait in the depot, and a trim on this thread gives their slabs back. */
static int make_and_free(void *ud, ac_value *result) {
  (void)ud;
  static unsigned char *b[MANY];
  int64_t ok = 1;
  for (unsigned i = 0; i < MANY; i++) {
    b[i] = ac_alloc_small(ODD);
    if (b[i] == NULL) ok = 0;
  }
  for (unsigned i = 0; i < MANY; i++) ac_free_small(b[i], ODD);
  ac_value_set_int64(result, ok);
  return 0;
}

static void test_trim_gives_back_what_exited_threads_left(void) {
  trim_or_skip();
  ac_loop *loop = NULL;
  ac_executor *ex = NULL;
  CHECK_RC(ac_loop_new(0, &loop), 0);
  CHECK_RC(ac_executor_new(1, &ex), 0);
  ac_future *f = NULL;
  CHECK_RC(ac_to_thread(loop, make_and_free, NULL, NULL, ex, &f), 0);
  CHECK_RC(ac_loop_run_until_complete(loop, f), 0);
  int64_t ok = 0;
  CHECK_RC(ac_future_result_int64(f, &ok), 0);
  CHECK_INT(ok, 1);
  ac_future_unref(f);
  CHECK_RC(ac_executor_shutdown(ex, AC_EXECUTOR_WAIT), 0); /* the thread exits */
  ac_executor_unref(ex);
  CHECK(trim_or_skip() >= 4 * SLAB);
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
}

int main(void) {
  RUN(test_every_size_is_writable_and_blocks_do_not_overlap);
  RUN(test_size_zero_and_null);
  RUN(test_blocks_cross_threads_both_ways);
  RUN(test_trim_gives_back_wholly_free_slabs_and_they_serve_again);
  RUN(test_trim_keeps_live_blocks_and_partly_used_slabs);
  RUN(test_trim_gives_back_what_exited_threads_left);
  RUN(test_trim_returns_pages_to_the_system);
  return th_finish();
}
