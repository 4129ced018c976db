// wait_for_timeout.cpp — a deadline with wait_for: on timeout the task is
// cancelled, its cleanup runs, then TimeoutError reaches the awaiter (the C
// twin is c/wait_for_timeout.c):
//
//   async def long_running_task():
//       try:
//           print("Long-running task: Starting...")
//           for i in range(5):
//               await asyncio.sleep(1)
//               print(f"Long-running task: {i+1} second passed.")
//           return "Task completed successfully"
//       except asyncio.CancelledError:
//           print("Long-running task: Was cancelled!")
//           raise
//       finally:
//           print("Long-running task: Cleanup done.")
//
//   async def main_timeout():
//       print("Main: Starting task with a timeout...")
//       try:
//           result = await asyncio.wait_for(long_running_task(), timeout=2.5)
//           print(f"Main: Result: {result}")
//       except asyncio.TimeoutError:
//           print("Main: Task timed out after 2.5 seconds!")
//       except asyncio.CancelledError:
//           print("Main: Task was explicitly cancelled outside of timeout (e.g., by another task).")
//       print("Main: Finished.")
//
// `finally` is a destructor here: it runs however the coroutine ends.
#include <asyncore.hpp>

#include <cstdio>
#include <string>

namespace ac = asyncore;

static ac::Task<std::string> long_running_task() {
  struct Cleanup {
    ~Cleanup() { std::printf("Long-running task: Cleanup done.\n"); }
  } finally;
  try {
    std::printf("Long-running task: Starting...\n");
    for (int i = 0; i < 5; ++i) {
      co_await ac::sleep(1);  // a cancellation point
      std::printf("Long-running task: %d second passed.\n", i + 1);
    }
  } catch (const ac::CancelledError &) {
    std::printf("Long-running task: Was cancelled!\n");
    throw;  // cancellation goes on
  }
  co_return "Task completed successfully";
}

static ac::Task<> main_timeout() {
  std::printf("Main: Starting task with a timeout...\n");
  try {
    std::string result = co_await ac::wait_for(long_running_task(), 2.5);
    std::printf("Main: Result: %s\n", result.c_str());
  } catch (const ac::TimeoutError &) {
    std::printf("Main: Task timed out after 2.5 seconds!\n");
  } catch (const ac::CancelledError &) {
    std::printf("Main: Task was explicitly cancelled outside of timeout (e.g., by another task).\n");
  }
  std::printf("Main: Finished.\n");
}

int main(int argc, char **argv) {
  ac::run(main_timeout(), ac::loop_flags_from_args(argc, argv));
  return 0;
}
