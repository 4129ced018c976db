// to_thread.cpp — blocking code on a worker thread while the loop goes on
// (the C twin is c/to_thread.c):
//
//   def blocking_function(duration):
//       print(f"  Blocking function started for {duration}s")
//       time.sleep(duration)  # This is a blocking call
//       print(f"  Blocking function finished after {duration}s")
//       return f"Blocking result after {duration}s"
//
//   async def main_to_thread():
//       print("Main: Starting non-blocking operations")
//       task1 = asyncio.create_task(asyncio.sleep(0.5))
//       print("Main: Offloading blocking_function to a thread")
//       blocking_result = await asyncio.to_thread(blocking_function, 2)
//       await task1
//       print(f"Main: Non-blocking task finished.")
//       print(f"Main: Received blocking result: {blocking_result}")
//       print("Main: Finished")
//
// As in the C twin: the guide's output shows the 0.5 s sleep ending while
// the 2 s function still runs, so main awaits the sleep before the result.
// With --virtual-clock the function blocks for a tenth of its duration
// (no loop clock reaches into a worker) and main first waits until the
// worker has started, so the story prints in the same order in both modes.
#include <asyncore.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

namespace ac = asyncore;

static double time_scale = 1.0;

static std::string blocking_function(int duration, const ac::ThreadsafeFuture &started) {
  std::printf("  Blocking function started for %ds\n", duration);
  started.set_result();
  std::this_thread::sleep_for(std::chrono::duration<double>(duration * time_scale));  // blocking
  std::printf("  Blocking function finished after %ds\n", duration);
  return "Blocking result after " + std::to_string(duration) + "s";
}

static ac::Task<> sleep_for(double seconds) { co_await ac::sleep(seconds); }

static ac::Task<> main_to_thread() {
  std::printf("Main: Starting non-blocking operations\n");
  auto task1 = ac::create_task(sleep_for(0.5));
  std::printf("Main: Offloading blocking_function to a thread\n");
  ac::ThreadsafeFuture started;
  auto blocking = ac::create_task(ac::to_thread([started] { return blocking_function(2, started); }));
  co_await started;
  co_await task1;
  std::printf("Main: Non-blocking task finished.\n");
  std::string blocking_result = co_await blocking;
  std::printf("Main: Received blocking result: %s\n", blocking_result.c_str());
  std::printf("Main: Finished\n");
}

int main(int argc, char **argv) {
  uint32_t flags = ac::loop_flags_from_args(argc, argv);
  if (flags & AC_LOOP_VIRTUAL_CLOCK) time_scale = 0.1;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  ac::run(main_to_thread(), flags);
  return 0;
}
