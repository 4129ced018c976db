// w4_lock.cpp — W4 through the C++ face: 100 tasks x 2,000 acquisitions of
// one Lock, yielding while holding it; prints ns per acquisition. Warm-up
// at 1/10 first. Compare with ../w4_lock.c.
#include <asyncore.hpp>

#include <chrono>
#include <cstdio>
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

int main() {
  ac::run(bench(200));
  std::printf("W4 c++ lock: %.1f ns/acquire\n", ac::run(bench(2000)));
  return 0;
}
