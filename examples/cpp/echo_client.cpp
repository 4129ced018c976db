// echo_client.cpp — asyncio's echo client (open_connection, write,
// readline, close, wait_closed) with the C++ face; the C twin is
// c/echo_client.c, with the same command line:
//
//   echo_client ADDRESS LINE...
//
// ADDRESS is HOST:PORT or the path of a Unix socket (anything with a '/').
#include <asyncore.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace ac = asyncore;

static ac::Task<> client(std::string address, std::vector<std::string> lines) {
  ac::Stream stream;
  if (address.find('/') != std::string::npos) {
    stream = co_await ac::open_unix_connection(address);
  } else {
    auto colon = address.rfind(':');
    stream = co_await ac::open_connection(address.substr(0, colon), std::atoi(address.c_str() + colon + 1));
  }
  std::printf("connected\n");
  for (const std::string &line : lines) {
    stream.write(line + "\n");
    std::string echo = co_await stream.readline();
    std::printf("echo: %s", echo.c_str());
  }
  stream.write_eof();  // our side is done; the server closes when it sees that
  co_await stream.read();
  stream.close();
  co_await stream.wait_closed();
  std::printf("closed\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: echo_client ADDRESS LINE...\n");
    return 2;
  }
  std::string address = argv[1];
  if (address.find('/') == std::string::npos && address.rfind(':') == std::string::npos) {
    std::fprintf(stderr, "echo_client: bad address %s\n", argv[1]);
    return 2;
  }
  try {
    ac::run(client(address, std::vector<std::string>(argv + 2, argv + argc)));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "echo_client: %s\n", e.what());
    return 1;
  }
  return 0;
}
