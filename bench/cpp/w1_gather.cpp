// w1_gather.cpp — W1 in asyncio's shape through the C++ face: create_task
// N trivial Task<int>s, then co_await one gather over their handles; prints
// wall ns per task. Warm-up at N/10 first. Compare with w1_spawn.cpp (the
// same tasks awaited one by one) and ../w1_gather.c (the C API).
//
//   w1_gather_cpp [N=200000]
#include <asyncore.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace ac = asyncore;

static ac::Task<int> trivial() { co_return 1; }

static ac::Task<long> gatherer(int n) {
  std::vector<ac::TaskHandle<int>> tasks;
  tasks.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) tasks.push_back(ac::create_task(trivial()));
  std::vector<int> results = co_await ac::gather(std::move(tasks));
  long sum = 0;
  for (int v : results) sum += v;
  co_return sum;
}

static double run(int n) {
  auto t0 = std::chrono::steady_clock::now();
  long sum = ac::run(gatherer(n));
  std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
  if (sum != n) {
    std::fprintf(stderr, "w1 gather: sum %ld\n", sum);
    std::exit(1);
  }
  return dt.count() * 1e9 / n;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 200000;
  run(n / 10);
  std::printf("RESULT W1g asyncore-cpp %.1f ns/task\n", run(n));
  return 0;
}
