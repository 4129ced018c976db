// gather_workers.cpp — results in argument order, whatever the finishing
// order (the C twin is c/gather_workers.c):
//
//   async def worker(name, delay):
//       await asyncio.sleep(delay)
//       return f"{name} finished after {delay}s"
//
//   async def main_gather():
//       print("Starting main_gather")
//       results = await asyncio.gather(
//           worker("Worker A", 3), worker("Worker B", 1), worker("Worker C", 2))
//       print("All workers finished.")
//       for res in results:
//           print(res)
#include <asyncore.hpp>

#include <cstdio>
#include <string>

namespace ac = asyncore;

static ac::Task<std::string> worker(std::string name, int delay) {
  co_await ac::sleep(delay);
  co_return name + " finished after " + std::to_string(delay) + "s";
}

static ac::Task<> main_gather() {
  std::printf("Starting main_gather\n");
  auto [a, b, c] = co_await ac::gather(worker("Worker A", 3), worker("Worker B", 1), worker("Worker C", 2));
  std::printf("All workers finished.\n");
  for (const std::string &res : {a, b, c}) std::printf("%s\n", res.c_str());
}

int main(int argc, char **argv) {
  ac::run(main_gather(), ac::loop_flags_from_args(argc, argv));
  return 0;
}
