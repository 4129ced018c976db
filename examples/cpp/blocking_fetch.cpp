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
// Both halves are timed with perf_counter(), as the guide's are with
// time.perf_counter: the real monotonic clock, where the blocking calls
// block the thread, loop included, for 2 + 2 seconds. With --virtual-clock
// nothing waits for real and the run is exact: perf_counter() is the loop's
// virtual clock plus the time blocking calls have held the loop still, and
// a blocking sleep adds to that time instead of sleeping (as the Python
// twin's virtual-clock run moves the loop's clock for time.sleep; see the
// C twin).
#include <asyncore.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

namespace ac = asyncore;

static bool virtual_clock;
static double blocked;  // seconds blocking calls held the loop (virtual clock)

// time.perf_counter
static double perf_counter() {
  if (virtual_clock) return ac_loop_time(ac::get_running_loop()) + blocked;
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// time.sleep on the loop's thread: blocks it, loop included.
static void blocking_sleep(int seconds) {
  if (virtual_clock)
    blocked += seconds;
  else
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
}

static ac::Task<std::string> non_blocking_fetch(std::string url) {
  std::printf("Non-blocking: Requesting %s...\n", url.c_str());
  co_await ac::sleep(2);
  std::printf("Non-blocking: Received data from %s\n", url.c_str());
  co_return "Data from " + url;
}

static std::string blocking_fetch(const std::string &url) {
  std::printf("Blocking: Requesting %s...\n", url.c_str());
  blocking_sleep(2);  // Blocks the entire thread
  std::printf("Blocking: Received data from %s\n", url.c_str());
  return "Data from " + url;
}

static ac::Task<> run_non_blocking() {
  double start = perf_counter();
  co_await ac::gather(non_blocking_fetch("http://api.example.com/data1"),
                      non_blocking_fetch("http://api.example.com/data2"));
  double end = perf_counter();
  std::printf("Non-blocking total time: %.2f seconds\n\n", end - start);
}

static void run_blocking() {
  double start = perf_counter();
  blocking_fetch("http://api.example.com/data1");
  blocking_fetch("http://api.example.com/data2");
  double end = perf_counter();
  std::printf("Blocking total time: %.2f seconds\n\n", end - start);
}

static ac::Task<> main_task() {
  std::printf("--- Demonstrating Non-blocking I/O ---\n");
  co_await run_non_blocking();
  std::printf("--- Demonstrating Blocking I/O (within an async context, still blocks) ---\n");
  run_blocking();
}

int main(int argc, char **argv) {
  uint32_t flags = ac::loop_flags_from_args(argc, argv);
  virtual_clock = (flags & AC_LOOP_VIRTUAL_CLOCK) != 0;
  ac::run(main_task(), flags);
  return 0;
}
