// w2_sleep.cpp — W2 through the C++ face: N tasks each sleep 100 ms once;
// prints the resident memory per task while all of them sleep (peak RSS
// minus RSS before, less the handle vector) and the wall time. Compare
// with ../w2_sleep.c.
//
//   w2_sleep_cpp [N=100000]
#include <unistd.h>

#include <asyncore.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace ac = asyncore;

static long rss_bytes() {
  long pages = 0, resident = 0;
  if (FILE *f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * sysconf(_SC_PAGESIZE);
}

static ac::Task<> sleeper() { co_await ac::sleep(0.1); }

struct Figures {
  double bytes_per_task, wall_ms;
};

static ac::Task<Figures> bench(long n) {
  long before = rss_bytes();
  auto t0 = std::chrono::steady_clock::now();
  std::vector<ac::TaskHandle<>> tasks;
  tasks.reserve(static_cast<size_t>(n));
  for (long i = 0; i < n; ++i) tasks.push_back(ac::create_task(sleeper()));
  // Every task has started (and sleeps) once this short sleep is over.
  co_await ac::sleep(0.05);
  long peak = rss_bytes();
  for (auto &t : tasks) co_await t;
  std::chrono::duration<double, std::milli> dt = std::chrono::steady_clock::now() - t0;
  long handles = static_cast<long>(sizeof(ac::TaskHandle<>)) * n;
  co_return Figures{static_cast<double>(peak - before - handles) / static_cast<double>(n), dt.count()};
}

int main(int argc, char **argv) {
  long n = argc > 1 ? std::atol(argv[1]) : 100000;
  Figures f = ac::run(bench(n));
  std::printf("RESULT W2 asyncore-cpp %.0f B/task\n", f.bytes_per_task);
  std::printf("RESULT W2ms asyncore-cpp %.0f ms\n", f.wall_ms);
  return 0;
}
