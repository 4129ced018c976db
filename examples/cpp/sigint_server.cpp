// sigint_server.cpp — a server that stops cleanly on Ctrl-C, with the C++
// face. ac::run, as asyncio.run, turns the first SIGINT into a
// cancellation of the main task, which closes the server; the run then
// ends with KeyboardInterrupt (InterruptedError, -EINTR). The example
// sends itself SIGINT once a client has been served.
#include <asyncore.hpp>

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>

namespace ac = asyncore;

static ac::Task<> upper_once(ac::Stream s) {
  std::string line = co_await s.readline();
  for (char &c : line)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  s.write(line);
  s.close();
}

static ac::Task<> main_task() {
  ac::Server server = ac::start_server(upper_once, "127.0.0.1", 0);
  std::printf("serving\n");
  {
    ac::Stream c = co_await ac::open_connection("127.0.0.1", server.port());
    c.write("hello\n");
    std::printf("client got: %s", (co_await c.readline()).c_str());
  }
  std::printf("sending SIGINT\n");
  kill(getpid(), SIGINT);
  std::exception_ptr cancelled;
  try {
    co_await server.wait_closed();  // serve_forever
  } catch (const ac::CancelledError &) {
    cancelled = std::current_exception();  // (no co_await inside a handler)
  }
  if (cancelled) {
    std::printf("cancelled: closing the server\n");
    server.close();
    co_await server.wait_closed();
    std::printf("server closed\n");
    std::rethrow_exception(cancelled);  // the cancellation goes on
  }
}

int main() {
  // SIGINT as an interactive program has it (ac::run leaves an ignored one
  // alone).
  signal(SIGINT, SIG_DFL);
  try {
    ac::run(main_task());
  } catch (const ac::Error &e) {
    if (e.code() == -EINTR) std::printf("KeyboardInterrupt: stopped cleanly\n");
    else std::printf("ended with %s\n", e.what());
  }
  return 0;
}
