/* alloc.c — ac_alloc_small / ac_free_small: blocks of every size class
 * and beyond the pool's largest, fully writable and distinct while alive;
 * a size of 0; NULL freed; blocks made on a worker thread and freed on
 * the loop's, and the other way round. Under AddressSanitizer and valgrind
 * the same calls go to malloc, so those runs check the bounds and that
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

int main(void) {
  RUN(test_every_size_is_writable_and_blocks_do_not_overlap);
  RUN(test_size_zero_and_null);
  RUN(test_blocks_cross_threads_both_ways);
  return th_finish();
}
