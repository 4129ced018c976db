// semaphore_workers.cpp — five workers, at most two at work at a time
// (the C twin is c/semaphore_workers.c):
//
//   semaphore = asyncio.Semaphore(2)
//   async def limited_worker(task_id):
//       print(f"Task {task_id}: Waiting for semaphore")
//       async with semaphore:
//           print(f"Task {task_id}: Acquired semaphore, working...")
//           await asyncio.sleep(1)
//           print(f"Task {task_id}: Releasing semaphore")
//
//   async def main_semaphore():
//       print("Starting main_semaphore")
//       tasks = [asyncio.create_task(limited_worker(i)) for i in range(5)]
//       await asyncio.gather(*tasks)
//       print("Finished main_semaphore")
//
// A free permit is taken without suspending (asyncio), so tasks 0 and 1
// start working before the others announce themselves, as CPython prints
// it (python/semaphore_workers.py): never more than two inside, everyone
// served in order.
#include <asyncore.hpp>

#include <cstdio>
#include <optional>
#include <vector>

namespace ac = asyncore;

static std::optional<ac::Semaphore> semaphore;

static ac::Task<> limited_worker(int task_id) {
  std::printf("Task %d: Waiting for semaphore\n", task_id);
  auto permit = co_await *semaphore;
  std::printf("Task %d: Acquired semaphore, working...\n", task_id);
  co_await ac::sleep(1);
  std::printf("Task %d: Releasing semaphore\n", task_id);
}

static ac::Task<> main_semaphore() {
  semaphore.emplace(2);
  std::printf("Starting main_semaphore\n");
  std::vector<ac::TaskHandle<>> tasks;
  for (int i = 0; i < 5; ++i) tasks.push_back(ac::create_task(limited_worker(i)));
  co_await ac::gather(std::move(tasks));
  std::printf("Finished main_semaphore\n");
  semaphore.reset();
}

int main(int argc, char **argv) {
  ac::run(main_semaphore(), ac::loop_flags_from_args(argc, argv));
  return 0;
}
