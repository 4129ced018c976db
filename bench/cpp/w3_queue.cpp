// w3_queue.cpp — W3 through the C++ face: two tasks bounce a token through
// two capacity-1 Queue<int64_t>, 200,000 round trips; prints ns per round
// trip. Warm-up at 1/10 first. Compare with ../w3_queue.c.
//
//   w3_queue_cpp [ROUND_TRIPS=200000]
#include <asyncore.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace ac = asyncore;

static ac::Task<> pinger(ac::Queue<int64_t> &ping, ac::Queue<int64_t> &pong, int rounds) {
  for (int64_t i = 0; i < rounds; ++i) {
    co_await ping.put(i);
    (void)co_await pong.get();
  }
}
static ac::Task<> ponger(ac::Queue<int64_t> &ping, ac::Queue<int64_t> &pong, int rounds) {
  for (int i = 0; i < rounds; ++i) co_await pong.put(co_await ping.get());
}

static ac::Task<double> bench(int rounds) {
  ac::Queue<int64_t> ping(1), pong(1);
  auto t0 = std::chrono::steady_clock::now();
  co_await ac::gather(pinger(ping, pong, rounds), ponger(ping, pong, rounds));
  std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
  co_return dt.count() * 1e9 / rounds;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 200000;
  ac::run(bench(n / 10 > 0 ? n / 10 : 1));
  std::printf("RESULT W3 asyncore-cpp %.1f ns/trip\n", ac::run(bench(n)));
  return 0;
}
