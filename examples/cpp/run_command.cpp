// run_command.cpp — run a command and read its output (asyncio's
// create_subprocess_exec with stdout=PIPE, then create_subprocess_shell
// with communicate()), with the C++ face.
#include <asyncore.hpp>

#include <cstdio>

namespace ac = asyncore;

static ac::Task<> main_task() {
  std::printf("$ printf 'alpha\\nbeta\\ngamma\\n'\n");
  ac::Process p = ac::create_subprocess_exec({"printf", "alpha\\nbeta\\ngamma\\n"},
                                             ac::ProcessOptions().stdout_pipe());
  ac::Stream out = p.stdout_stream();
  for (int n = 1;; ++n) {
    std::string line = co_await out.readline();
    if (line.empty()) break;
    std::printf("line %d: %s", n, line.c_str());
  }
  std::printf("exit status %lld\n", static_cast<long long>(co_await p.wait()));

  std::printf("$ echo out; echo oops >&2; exit 3\n");
  ac::Process sh = ac::create_subprocess_shell("echo out; echo oops >&2; exit 3",
                                               ac::ProcessOptions().stdout_pipe().stderr_pipe());
  ac::ProcessOutput r = co_await sh.communicate();
  std::printf("stdout: %s", r.out.c_str());
  std::printf("stderr: %s", r.err.c_str());
  std::printf("exit status %d\n", *sh.returncode());
}

int main() {
  // Children run in real time: --virtual-clock changes nothing here.
  ac::run(main_task());
  return 0;
}
