// tls_echo_client.cpp — asyncio's echo client with ssl= (open_connection
// with a TLS context and server_hostname), with the C++ face; the C twin
// is c/tls_echo_client.c, with the same command line:
//
//   tls_echo_client CAFILE HOST:PORT NAME LINE...
#include <asyncore.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace ac = asyncore;

static ac::Task<> client(std::string cafile, std::string host, int port, std::string name,
                         std::vector<std::string> lines) {
  auto ctx = ac::TlsContext::client();
  ctx.load_verify_locations(cafile);
  ac::Stream s = co_await ac::open_connection(host, port, ctx, name);
  std::printf("connected with %s\n", ac::tls_version(s).c_str());
  for (const auto &line : lines) {
    s.write(line + "\n");
    std::string back = co_await s.readline();
    std::printf("echo: %s", back.c_str());
  }
  s.close();  // close_notify, then the socket
  co_await s.wait_closed();
  std::printf("closed\n");
}

int main(int argc, char **argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: tls_echo_client CAFILE HOST:PORT NAME LINE...\n");
    return 2;
  }
  std::string addr = argv[2];
  auto colon = addr.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "tls_echo_client: bad address %s\n", argv[2]);
    return 2;
  }
  try {
    ac::run(client(argv[1], addr.substr(0, colon), std::atoi(addr.c_str() + colon + 1), argv[3],
                   std::vector<std::string>(argv + 4, argv + argc)));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "tls_echo_client: %s\n", e.what());
    return 1;
  }
  return 0;
}
