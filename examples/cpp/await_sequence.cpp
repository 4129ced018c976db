// await_sequence.cpp — awaiting coroutines one after the other:
//
//   async def greet(name, delay):
//       await asyncio.sleep(delay)
//       print(f"Hello, {name} after {delay} seconds")
//
//   async def main_await():
//       print("Starting main_await")
//       await greet("Alice", 2)
//       await greet("Bob", 1)
//       print("Finished main_await")
//
// Awaiting a Task runs it inline, to its end, before the next line: Alice
// greets first and the run takes 3 seconds.
#include <asyncore.hpp>

#include <cstdio>

namespace ac = asyncore;

static ac::Task<> greet(const char *name, int delay) {
  co_await ac::sleep(delay);
  std::printf("Hello, %s after %d seconds\n", name, delay);
}

static ac::Task<> main_await() {
  std::printf("Starting main_await\n");
  co_await greet("Alice", 2);
  co_await greet("Bob", 1);
  std::printf("Finished main_await\n");
}

int main(int argc, char **argv) {
  ac::run(main_await(), ac::loop_flags_from_args(argc, argv));
  return 0;
}
