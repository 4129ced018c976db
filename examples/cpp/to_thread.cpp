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
// As in CPython (python/to_thread.py), main awaits the worker's result
// before the sleep task, so the worker's lines come before "Non-blocking
// task finished.". With --virtual-clock the blocking sleep takes no real
// time, as time.sleep on a worker does in the Python twin's virtual-clock
// run (see the C twin).
#include <asyncore.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

namespace ac = asyncore;

static double time_scale = 1.0;  // 0 on the virtual clock

static std::string blocking_function(int duration) {
  std::printf("  Blocking function started for %ds\n", duration);
  std::this_thread::sleep_for(std::chrono::duration<double>(duration * time_scale));  // blocking
  std::printf("  Blocking function finished after %ds\n", duration);
  return "Blocking result after " + std::to_string(duration) + "s";
}

static ac::Task<> sleep_for(double seconds) { co_await ac::sleep(seconds); }

static ac::Task<> main_to_thread() {
  std::printf("Main: Starting non-blocking operations\n");
  auto task1 = ac::create_task(sleep_for(0.5));
  std::printf("Main: Offloading blocking_function to a thread\n");
  std::string blocking_result = co_await ac::to_thread([] { return blocking_function(2); });
  co_await task1;
  std::printf("Main: Non-blocking task finished.\n");
  std::printf("Main: Received blocking result: %s\n", blocking_result.c_str());
  std::printf("Main: Finished\n");
}

int main(int argc, char **argv) {
  uint32_t flags = ac::loop_flags_from_args(argc, argv);
  if (flags & AC_LOOP_VIRTUAL_CLOCK) time_scale = 0;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  ac::run(main_to_thread(), flags);
  return 0;
}
