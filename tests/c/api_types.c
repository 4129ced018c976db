/* api_types.c — the contract's counting rule (common.h, "Counts"): every
 * count returned or taken is an int64_t, checked at compile time; and a
 * count function given a bad object returns a negative code, never a
 * count. */
#include <stdlib.h>

#include "harness.h"

#define IS_INT64(expr) _Generic((expr), int64_t: 1, default: 0)

_Static_assert(IS_INT64(ac_gather_count(NULL)), "ac_gather_count");
_Static_assert(IS_INT64(ac_trim()), "ac_trim");
_Static_assert(IS_INT64(ac_wait_done_count(NULL)), "ac_wait_done_count");
_Static_assert(IS_INT64(ac_wait_pending_count(NULL)), "ac_wait_pending_count");
_Static_assert(IS_INT64(ac_as_completed_index(NULL)), "ac_as_completed_index");
_Static_assert(IS_INT64(ac_taskgroup_size(NULL)), "ac_taskgroup_size");
_Static_assert(IS_INT64(ac_error_child_count(NULL)), "ac_error_child_count");
_Static_assert(IS_INT64(ac_loop_foreach_task(NULL, NULL, NULL)), "ac_loop_foreach_task");
_Static_assert(IS_INT64(ac_task_cancelling(NULL)), "ac_task_cancelling");
_Static_assert(IS_INT64(ac_task_uncancel(NULL)), "ac_task_uncancel");
_Static_assert(IS_INT64(ac_condition_notify(NULL, 1)), "ac_condition_notify");
_Static_assert(IS_INT64(ac_condition_notify_all(NULL)), "ac_condition_notify_all");
_Static_assert(IS_INT64(ac_loop_step(NULL, 0, NULL, NULL)), "ac_loop_step");
_Static_assert(IS_INT64(ac_future_remove_done_callback(NULL, NULL, NULL)),
               "ac_future_remove_done_callback");
_Static_assert(IS_INT64(ac_tsfuture_remove_done_callback(NULL, NULL, NULL)),
               "ac_tsfuture_remove_done_callback");
_Static_assert(IS_INT64(ac_queue_qsize(NULL)), "ac_queue_qsize");
_Static_assert(IS_INT64(ac_queue_maxsize(NULL)), "ac_queue_maxsize");
_Static_assert(IS_INT64(ac_semaphore_value(NULL)), "ac_semaphore_value");
_Static_assert(IS_INT64(ac_barrier_parties(NULL)), "ac_barrier_parties");
_Static_assert(IS_INT64(ac_barrier_n_waiting(NULL)), "ac_barrier_n_waiting");
_Static_assert(IS_INT64(ac_server_accepted(NULL)), "ac_server_accepted");
_Static_assert(IS_INT64(ac_stream_buffered(NULL)), "ac_stream_buffered");
_Static_assert(IS_INT64(ac_stream_write_buffer_size(NULL)), "ac_stream_write_buffer_size");
_Static_assert(IS_INT64(ac_udp_dropped(NULL)), "ac_udp_dropped");
_Static_assert(IS_INT64(ac_udp_queued(NULL)), "ac_udp_queued");

static void test_counts_of_nothing_are_codes(void) {
  CHECK_INT(ac_gather_count(NULL), AC_EINVAL);
  CHECK_INT(ac_wait_done_count(NULL), AC_EINVAL);
  CHECK_INT(ac_wait_pending_count(NULL), AC_EINVAL);
  CHECK_INT(ac_taskgroup_size(NULL), AC_EINVAL);
  CHECK_INT(ac_loop_foreach_task(NULL, NULL, NULL), AC_EINVAL);
  CHECK_INT(ac_task_cancelling(NULL), AC_EINVAL);
  CHECK_INT(ac_task_uncancel(NULL), AC_EINVAL);
  CHECK_INT(ac_condition_notify(NULL, 1), AC_EINVAL);
  CHECK_INT(ac_condition_notify_all(NULL), AC_EINVAL);
  CHECK_INT(ac_loop_step(NULL, 0, NULL, NULL), AC_EINVAL);
  CHECK_INT(ac_future_remove_done_callback(NULL, NULL, NULL), AC_EINVAL);
  /* An error that is no group has no children; nothing has none either. */
  CHECK_INT(ac_error_child_count(NULL), 0);
}

static void test_counts_are_counts(void) {
  ac_loop *loop = NULL;
  CHECK_RC(ac_loop_new(0, &loop), 0);
  ac_future *items[3] = {NULL, NULL, NULL};
  for (int i = 0; i < 3; ++i) CHECK_RC(ac_future_new(loop, &items[i]), 0);
  ac_future *g = NULL;
  CHECK_RC(ac_gather(loop, items, 3, 0, &g), 0);
  CHECK_INT(ac_gather_count(g), 3);
  for (int i = 0; i < 3; ++i) CHECK_RC(ac_future_set_result_int64(items[i], i), 0);
  int64_t ran = 0;
  while (!ac_future_done(g)) {
    int64_t n = ac_loop_step(loop, 0, NULL, NULL);
    CHECK(n >= 0);
    ran += n;
  }
  CHECK(ran >= 3); /* a done-callback per child ran */
  CHECK_INT(ac_gather_count(g), 3);
  ac_future_unref(g);
  for (int i = 0; i < 3; ++i) ac_future_unref(items[i]);
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
}

int main(void) {
  RUN(test_counts_of_nothing_are_codes);
  RUN(test_counts_are_counts);
  return th_finish();
}
