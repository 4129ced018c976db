/* hello.c — a C program using the installed libasyncore: one task ticks
 * three times, half a second apart, on the loop's virtual clock (so the
 * run is instant and its output exact). Built by c/run.sh with pkg-config
 * and by cmake/run.sh with find_package(asyncore). */
#include <asyncore.h>
#include <stdio.h>

struct hello { AC_ASYNC_FIELDS; int n; };

static int hello_step(ac_task *task, void *state) {
  struct hello *h = state;
  AC_BEGIN(h);
  for (h->n = 1; h->n <= 3; h->n++) {
    AC_AWAIT(h, ac_task_sleep(task, 0.5));  /* suspends; resumes here */
    AC_CHECK(task);                         /* propagate cancellation */
    printf("tick %d at %.1f s\n", h->n, ac_loop_time(ac_task_get_loop(task)));
  }
  AC_END(h);
}

int main(void) {
  /* The header compiled against and the library loaded are one release. */
  if (ac_version() != AC_VERSION_HEX) {
    fprintf(stderr, "header %#x, library %#x\n", (unsigned)AC_VERSION_HEX, ac_version());
    return 1;
  }
  struct hello h = {0};
  return ac_run(hello_step, &h, NULL, AC_LOOP_VIRTUAL_CLOCK, NULL, NULL) == 0 ? 0 : 1;
}
