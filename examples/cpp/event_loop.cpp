// event_loop.cpp — the loop interleaves two coroutines:
//
//   async def task_a():
//       print("Task A started"); await asyncio.sleep(0.5); print("Task A finished")
//   async def task_b():
//       print("Task B started"); await asyncio.sleep(1); print("Task B finished")
//   async def main():
//       print("Main routine starting tasks...")
//       await asyncio.gather(task_a(), task_b())
//       print("Main routine all tasks completed.")
#include <asyncore.hpp>

#include <cstdio>

namespace ac = asyncore;

static ac::Task<> task_a() {
  std::printf("Task A started\n");
  co_await ac::sleep(0.5);
  std::printf("Task A finished\n");
}

static ac::Task<> task_b() {
  std::printf("Task B started\n");
  co_await ac::sleep(1);
  std::printf("Task B finished\n");
}

static ac::Task<> main_task() {
  std::printf("Main routine starting tasks...\n");
  co_await ac::gather(task_a(), task_b());
  std::printf("Main routine all tasks completed.\n");
}

int main(int argc, char **argv) {
  ac::run(main_task(), ac::loop_flags_from_args(argc, argv));
  return 0;
}
