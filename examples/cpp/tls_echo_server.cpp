// tls_echo_server.cpp — asyncio's echo server with ssl= (start_server with
// a TLS context), with the C++ face; the C twin is c/tls_echo_server.c,
// with the same command line:
//
//   tls_echo_server CERT KEY [HOST [PORT]] [--connections N]
#include <asyncore.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

namespace ac = asyncore;

static int connections_left = -1;
static std::optional<ac::Event> all_served;

static ac::Task<> handle_client(ac::Stream stream) {
  try {
    for (;;) {
      std::string line = co_await stream.readline();
      if (line.empty()) break;  // the client's close_notify
      stream.write(line);
      co_await stream.drain();
    }
  } catch (const ac::Error &) {
  }
  stream.close();
  if (connections_left > 0 && --connections_left == 0) all_served->set();
}

static ac::Task<> main_task(std::string cert, std::string key, std::string host, int port) {
  all_served.emplace();
  auto ctx = ac::TlsContext::server();
  ctx.load_cert_chain(cert, key);
  ac::Server server = ac::start_server(handle_client, host.c_str(), port, ctx);
  std::printf("serving on %s\n", server.address().c_str());
  std::fflush(stdout);
  co_await all_served->wait();
  server.close();
  all_served.reset();
}

int main(int argc, char **argv) {
  std::string cert, key, host = "127.0.0.1";
  int port = 0, positional = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--connections") == 0 && i + 1 < argc) {
      connections_left = std::atoi(argv[++i]);
    } else {
      switch (positional++) {
        case 0: cert = argv[i]; break;
        case 1: key = argv[i]; break;
        case 2: host = argv[i]; break;
        default: port = std::atoi(argv[i]);
      }
    }
  }
  if (key.empty()) {
    std::fprintf(stderr, "usage: tls_echo_server CERT KEY [HOST [PORT]] [--connections N]\n");
    return 2;
  }
  try {
    ac::run(main_task(cert, key, host, port));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "tls_echo_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
