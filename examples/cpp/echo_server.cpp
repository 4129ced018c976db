// echo_server.cpp — asyncio's echo server (start_server with a handler per
// connection), with the C++ face; the C twin is c/echo_server.c, with the
// same command line:
//
//   echo_server [HOST [PORT]] [--unix PATH] [--connections N]
//
// Prints "serving on ADDRESS" and echoes every line each client sends
// until the client ends its side; with --connections N it stops after N
// clients have come and gone.
#include <asyncore.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

namespace ac = asyncore;

static int connections_left = -1;  // -1: serve forever
static std::optional<ac::Event> all_served;

static ac::Task<> handle_client(ac::Stream stream) {
  try {
    for (;;) {
      std::string line = co_await stream.readline();
      if (line.empty()) break;  // the client is done
      stream.write(line);
      co_await stream.drain();
    }
  } catch (const ac::Error &) {
    // a reset, or a line over the limit: this client is gone
  }
  stream.close();
  if (connections_left > 0 && --connections_left == 0) all_served->set();
}

static ac::Task<> main_task(std::string host, int port, const char *unix_path) {
  all_served.emplace();
  ac::Server server = unix_path != nullptr ? ac::start_unix_server(handle_client, unix_path)
                                           : ac::start_server(handle_client, host.c_str(), port);
  std::printf("serving on %s\n", server.address().c_str());
  std::fflush(stdout);
  co_await all_served->wait();
  server.close();
  all_served.reset();
}

int main(int argc, char **argv) {
  std::string host = "127.0.0.1";
  int port = 0, positional = 0;
  const char *unix_path = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--unix") == 0 && i + 1 < argc) {
      unix_path = argv[++i];
    } else if (std::strcmp(argv[i], "--connections") == 0 && i + 1 < argc) {
      connections_left = std::atoi(argv[++i]);
    } else if (positional++ == 0) {
      host = argv[i];
    } else {
      port = std::atoi(argv[i]);
    }
  }
  try {
    ac::run(main_task(host, port, unix_path));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "echo_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
