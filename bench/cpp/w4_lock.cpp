// w4_lock.cpp — W4 through the C++ face: 100 tasks x 2,000 acquisitions of
// one Lock, yielding while holding it; prints ns per acquisition. Warm-up
// at 1/10 first. Compare with ../w4_lock.c.
//
//   w4_lock_cpp [ACQUISITIONS_PER_TASK=2000]
#include <asyncore.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace ac = asyncore;

static ac::Task<> locker(ac::Lock &lock, int per_task) {
  for (int i = 0; i < per_task; ++i) {
    auto guard = co_await lock;
    co_await ac::sleep(0);
  }
}

static ac::Task<double> bench(int per_task) {
  constexpr int kTasks = 100;
  ac::Lock lock;
  std::vector<ac::Task<>> tasks;
  for (int i = 0; i < kTasks; ++i) tasks.push_back(locker(lock, per_task));
  auto t0 = std::chrono::steady_clock::now();
  co_await ac::gather(std::move(tasks));
  std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
  co_return dt.count() * 1e9 / (static_cast<double>(per_task) * kTasks);
}

int main(int argc, char **argv) {
  int per_task = argc > 1 ? std::atoi(argv[1]) : 2000;
  ac::run(bench(per_task / 10 > 0 ? per_task / 10 : 1));
  std::printf("RESULT W4 asyncore-cpp %.1f ns/acquire\n", ac::run(bench(per_task)));
  return 0;
}
