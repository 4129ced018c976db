// tail_file.cpp — one task appends lines to a file, another follows it
// ("tail -f") and prints each line as it appears (the C++ twin of
// examples/c/tail_file.c).
#include <asyncore.hpp>

#include <unistd.h>

#include <cstdio>
#include <string>

namespace ac = asyncore;

static ac::Task<> follow(std::string path) {
  ac::File f = co_await ac::File::open(path, "r");
  for (;;) {
    std::string line = co_await f.readline();
    if (line.empty()) {  // at the end for now: look again
      co_await ac::sleep(0.05);
      continue;
    }
    std::printf("tail: %s\n", line.substr(0, line.size() - 1).c_str());
    if (line == "done\n") co_return;
  }
}

static ac::Task<> main_tail(std::string path) {
  ac::File f = co_await ac::File::open(path, "w");
  auto follower = ac::create_task(follow(path));
  for (int i = 1; i <= 3; ++i) {
    f.write("line " + std::to_string(i) + "\n");
    co_await f.drain();
    co_await ac::sleep(0.2);
  }
  f.write("done\n");
  co_await f.close();
  co_await follower;
}

int main(int argc, char **argv) {
  std::string path = "/tmp/tail_file-" + std::to_string(getpid()) + ".txt";
  ac::run(main_tail(path), ac::loop_flags_from_args(argc, argv));
  unlink(path.c_str());
  return 0;
}
