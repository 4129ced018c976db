// hello.cpp — a C++ program using the installed C++20 face
// (<asyncore.hpp>, header-only, over libasyncore): two fetches gathered,
// on the loop's virtual clock. Built by cpp/run.sh, with pkg-config
// (asyncore-cpp) and with CMake (asyncore::cpp).
#include <asyncore.hpp>

#include <cstdio>
#include <string>

namespace ac = asyncore;

static ac::Task<std::string> fetch(std::string item, double delay) {
  co_await ac::sleep(delay);
  co_return "data for " + item;
}

static ac::Task<> main_task() {
  auto [a, b] = co_await ac::gather(fetch("a", 2), fetch("b", 1));  // 2 s, not 3
  std::printf("%s, %s at %.1f s\n", a.c_str(), b.c_str(), ac::Loop::current().time());
}

int main() {
  ac::run(main_task(), AC_LOOP_VIRTUAL_CLOCK);
  return 0;
}
