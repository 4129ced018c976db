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
// never printed. The line shows what the object is in C++, its type's name
// (from typeid) and whether it has started (its promise says), not
// CPython's "<class 'coroutine'>": this twin's output is its own
// (examples/expected/coroutine_object.cpp.txt). Destroying the frame
// unstarted releases it.
#include <asyncore.hpp>

#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <typeinfo>

namespace ac = asyncore;

static ac::Task<> my_coroutine() {
  std::printf("Starting my_coroutine\n");
  co_await ac::sleep(1);
  std::printf("Finished my_coroutine\n");
}

template <class T>
static std::string type_name(const T &object) {
  int status = 0;
  char *name = abi::__cxa_demangle(typeid(object).name(), nullptr, nullptr, &status);
  std::string s = status == 0 ? name : typeid(object).name();
  std::free(name);
  return s;
}

int main() {
  auto coro_obj = my_coroutine();
  std::string type = type_name(coro_obj);
  auto frame = coro_obj.release();  // to read the promise; destroyed below
  std::printf("Type of coro_obj: %s (%s)\n", type.c_str(),
              frame.done() ? "done" : frame.promise().started() ? "started" : "not started");
  bool unstarted = !frame.promise().started();
  frame.destroy();
  return unstarted ? 0 : 1;
}
