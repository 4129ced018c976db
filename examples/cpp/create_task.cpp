// create_task.cpp — two tasks run concurrently (the C twin is tour/tour.c):
//
//   async def main_concurrent():
//       print("Starting main_concurrent")
//       task1 = asyncio.create_task(greet_concurrent("Alice", 2))
//       task2 = asyncio.create_task(greet_concurrent("Bob", 1))
//       await task1
//       await task2
//       print("Finished main_concurrent")
//
// Bob greets before Alice, and the run takes 2 seconds, not 3.
#include <asyncore.hpp>

#include <cstdio>

namespace ac = asyncore;

static ac::Task<> greet_concurrent(const char *name, int delay) {
  co_await ac::sleep(delay);
  std::printf("Hello, %s after %d seconds\n", name, delay);
}

static ac::Task<> main_concurrent() {
  std::printf("Starting main_concurrent\n");
  auto task1 = ac::create_task(greet_concurrent("Alice", 2));
  auto task2 = ac::create_task(greet_concurrent("Bob", 1));
  co_await task1;
  co_await task2;
  std::printf("Finished main_concurrent\n");
}

int main(int argc, char **argv) {
  ac::run(main_concurrent(), ac::loop_flags_from_args(argc, argv));
  return 0;
}
