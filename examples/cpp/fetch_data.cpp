// fetch_data.cpp — coroutines, then gather to run them concurrently:
//
//   async def fetch_data(delay_seconds: int, item: str):
//       print(f"Start fetching {item}...")
//       await asyncio.sleep(delay_seconds)
//       print(f"Finished fetching {item}!")
//       return f"Data for {item}"
//
//   async def main():
//       print("Main started")
//       coroutine1 = fetch_data(2, "user_profile")
//       coroutine2 = fetch_data(1, "product_catalog")
//       results = await asyncio.gather(coroutine1, coroutine2)
//       print(f"Results: {results}")
//       print("Main finished")
#include <asyncore.hpp>

#include <cstdio>
#include <string>

namespace ac = asyncore;

static ac::Task<std::string> fetch_data(int delay_seconds, std::string item) {
  std::printf("Start fetching %s...\n", item.c_str());
  co_await ac::sleep(delay_seconds);
  std::printf("Finished fetching %s!\n", item.c_str());
  co_return "Data for " + item;
}

static ac::Task<> main_task() {
  std::printf("Main started\n");
  // Lazy: nothing runs until gather spawns them.
  auto coroutine1 = fetch_data(2, "user_profile");
  auto coroutine2 = fetch_data(1, "product_catalog");
  auto [r1, r2] = co_await ac::gather(std::move(coroutine1), std::move(coroutine2));
  std::printf("Results: ['%s', '%s']\n", r1.c_str(), r2.c_str());
  std::printf("Main finished\n");
}

int main(int argc, char **argv) {
  ac::run(main_task(), ac::loop_flags_from_args(argc, argv));
  return 0;
}
