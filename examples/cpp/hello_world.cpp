// hello_world.cpp — asyncio.run(main()) in C++:
//
//   async def main():
//       print("Hello")
//       await asyncio.sleep(0.1)
//       print("World")
//
//   asyncio.run(main())
//
// Pass --virtual-clock to run on the loop's virtual clock.
#include <asyncore.hpp>

#include <cstdio>

namespace ac = asyncore;

static ac::Task<> main_task() {
  std::printf("Hello\n");
  co_await ac::sleep(0.1);
  std::printf("World\n");
}

int main(int argc, char **argv) {
  ac::run(main_task(), ac::loop_flags_from_args(argc, argv));
  return 0;
}
