// w5_echo.cpp — W5 server through the C++ face: start_server with a task
// per connection, read / write / drain (asyncio's streams echo). Prints
// "port N", serves for SECONDS, then prints its user and system CPU time.
// Compare with ../w5_echo_asyncore.c (the same over the C API).
//
//   w5_echo_cpp [SECONDS=11]
#include <sys/resource.h>

#include <asyncore.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace ac = asyncore;

static ac::Task<> echo(ac::Stream stream) {
  try {
    for (;;) {
      std::string data = co_await stream.read(65536);
      if (data.empty()) break;  // the client is done
      stream.write(data);
      co_await stream.drain();
    }
  } catch (const ac::Error &) {
    // a reset: this client is gone
  }
  stream.close();
}

static ac::Task<> serve(double seconds) {
  ac::Server server = ac::start_server(echo, "127.0.0.1", 0);
  std::printf("port %d\n", server.port());
  std::fflush(stdout);
  co_await ac::sleep(seconds);
  server.close();
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 11;
  try {
    ac::run(serve(seconds));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "w5_echo_cpp: %s\n", e.what());
    return 1;
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("cpu user %.3f s sys %.3f s\n",
              static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) * 1e-6,
              static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) * 1e-6);
  return 0;
}
