// worker_gather.cpp — gather for simple concurrency:
//
//   async def worker(name, delay):
//       print(f"Worker {name}: Starting...")
//       await asyncio.sleep(delay)
//       print(f"Worker {name}: Finished after {delay} seconds.")
//       return f"Result from {name}"
//
//   async def main_gather():
//       print("Main: Scheduling workers with asyncio.gather...")
//       results = await asyncio.gather(
//           worker("Alpha", 2), worker("Beta", 1), worker("Gamma", 3))
//       print(f"Main: All workers finished. Results: {results}")
#include <asyncore.hpp>

#include <cstdio>
#include <string>

namespace ac = asyncore;

static ac::Task<std::string> worker(std::string name, int delay) {
  std::printf("Worker %s: Starting...\n", name.c_str());
  co_await ac::sleep(delay);
  std::printf("Worker %s: Finished after %d seconds.\n", name.c_str(), delay);
  co_return "Result from " + name;
}

static ac::Task<> main_gather() {
  std::printf("Main: Scheduling workers with asyncio.gather...\n");
  auto [a, b, c] = co_await ac::gather(worker("Alpha", 2), worker("Beta", 1), worker("Gamma", 3));
  std::printf("Main: All workers finished. Results: ['%s', '%s', '%s']\n", a.c_str(), b.c_str(),
              c.c_str());
}

int main(int argc, char **argv) {
  ac::run(main_gather(), ac::loop_flags_from_args(argc, argv));
  return 0;
}
