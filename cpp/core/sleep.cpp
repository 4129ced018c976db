#include "core/sleep.hpp"

#include "core/value.hpp"

namespace ac {

void SleepFuture::fire() noexcept {
  if (!done()) {
    ac_value none;
    value_init(&none);
    set_result(&none);
  }
  unref();
}

bool SleepFuture::cancel(const char *message) noexcept {
  if (!ac_future::cancel(message)) return false;
  if (loop->remove_timer(this)) unref();  // the heap's; the canceller holds another
  return true;
}

ac_future *sleep_new(ac_loop *loop, double seconds) {
  auto *f = new SleepFuture(loop);
  if (seconds <= 0) {
    // sleep(0) yields one iteration: a done future wakes its awaiter
    // through the ready queue, which is exactly one hop.
    ac_value none;
    value_init(&none);
    f->set_result(&none);
    f->always_yields = true;
    return f;
  }
  try {
    f->ref();
    loop->add_timer(f, loop->now() + seconds);
  } catch (...) {
    f->refs = 0;
    delete f;
    throw;
  }
  return f;
}

}  // namespace ac
