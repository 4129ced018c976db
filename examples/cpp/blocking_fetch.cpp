// blocking_fetch.cpp — non-blocking waits overlap, blocking calls do not:
//
//   async def non_blocking_fetch(url):
//       print(f"Non-blocking: Requesting {url}...")
//       await asyncio.sleep(2)
//       print(f"Non-blocking: Received data from {url}")
//   def blocking_fetch(url):
//       print(f"Blocking: Requesting {url}...")
//       time.sleep(2)
//       print(f"Blocking: Received data from {url}")
//   (run_non_blocking gathers two fetches; run_blocking calls two in a row;
//    each prints its total time)
//
// The non-blocking part is timed with the loop's clock (virtual with
// --virtual-clock: no real waiting); the blocking part really blocks the
// thread for 2 + 2 seconds and is timed with the real clock, since a
// blocked loop cannot advance any clock of its own. (Its test accepts
// 4.00 to 4.50 s there: a busy machine oversleeps.)
#include <asyncore.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

namespace ac = asyncore;

static ac::Task<std::string> non_blocking_fetch(std::string url) {
  std::printf("Non-blocking: Requesting %s...\n", url.c_str());
  co_await ac::sleep(2);
  std::printf("Non-blocking: Received data from %s\n", url.c_str());
  co_return "Data from " + url;
}

static std::string blocking_fetch(const std::string &url) {
  std::printf("Blocking: Requesting %s...\n", url.c_str());
  std::this_thread::sleep_for(std::chrono::seconds(2));
  std::printf("Blocking: Received data from %s\n", url.c_str());
  return "Data from " + url;
}

static ac::Task<> run_non_blocking() {
  double start = ac_loop_time(ac::get_running_loop());
  co_await ac::gather(non_blocking_fetch("http://api.example.com/data1"),
                      non_blocking_fetch("http://api.example.com/data2"));
  double end = ac_loop_time(ac::get_running_loop());
  std::printf("Non-blocking total time: %.2f seconds\n\n", end - start);
}

static void run_blocking() {
  auto start = std::chrono::steady_clock::now();
  blocking_fetch("http://api.example.com/data1");
  blocking_fetch("http://api.example.com/data2");
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::printf("Blocking total time: %.2f seconds\n\n", took.count());
}

static ac::Task<> main_task() {
  std::printf("--- Demonstrating Non-blocking I/O ---\n");
  co_await run_non_blocking();
  std::printf("--- Demonstrating Blocking I/O (within an async context, still blocks) ---\n");
  run_blocking();
}

int main(int argc, char **argv) {
  ac::run(main_task(), ac::loop_flags_from_args(argc, argv));
  return 0;
}
