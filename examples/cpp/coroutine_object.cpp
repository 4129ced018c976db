// coroutine_object.cpp — calling a coroutine function runs nothing:
//
//   async def my_coroutine():
//       print("Starting my_coroutine")
//       await asyncio.sleep(1)
//       print("Finished my_coroutine")
//
//   coro_obj = my_coroutine()
//   print(f"Type of coro_obj: {type(coro_obj)}")
//
// A Task<> is lazy, as a Python coroutine object is: my_coroutine() builds
// its frame and returns it without running its body, so "Starting ..." is
// never printed. Destroying it unstarted releases the frame.
#include <asyncore.hpp>

#include <cstdio>
#include <type_traits>

namespace ac = asyncore;

static ac::Task<> my_coroutine() {
  std::printf("Starting my_coroutine\n");
  co_await ac::sleep(1);
  std::printf("Finished my_coroutine\n");
}

int main() {
  auto coro_obj = my_coroutine();
  static_assert(std::is_same_v<decltype(coro_obj), ac::Task<>>);
  std::printf("Type of coro_obj: <class 'coroutine'>\n");
  return coro_obj.valid() && !coro_obj.done() ? 0 : 1;
}
