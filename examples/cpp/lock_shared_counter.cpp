// lock_shared_counter.cpp — three tasks update a shared counter under a
// Lock (the C twin is c/lock_shared_counter.c, which quotes the Python):
// the read-sleep-write would lose updates without the lock; with it the
// counter ends at 3. The expected output is CPython's.
#include <asyncore.hpp>

#include <cstdio>
#include <optional>

namespace ac = asyncore;

static int shared_counter = 0;
static std::optional<ac::Lock> lock;

static ac::Task<> increment_counter(int task_id) {
  std::printf("Task %d: Attempting to acquire lock...\n", task_id);
  auto guard = co_await *lock;  // async with lock:
  std::printf("Task %d: Lock acquired. Current counter: %d\n", task_id, shared_counter);
  int temp_counter = shared_counter;
  co_await ac::sleep(0.1);  // some work while holding the lock
  shared_counter = temp_counter + 1;
  std::printf("Task %d: Lock released. New counter: %d\n", task_id, shared_counter);
}

static ac::Task<> main_locks() {
  lock.emplace();
  std::printf("Main: Running tasks with shared counter...\n");
  co_await ac::gather(increment_counter(1), increment_counter(2), increment_counter(3));
  std::printf("Main: Final shared counter value: %d\n", shared_counter);
  lock.reset();
}

int main(int argc, char **argv) {
  ac::run(main_locks(), ac::loop_flags_from_args(argc, argv));
  return 0;
}
