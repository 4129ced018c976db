// Files and any descriptor through the face: File, fs::*, add_reader,
// wait_readable and the sock_* operations on real files, pipes and sockets.
// On Windows the files (the descriptor cases drive POSIX pipes and
// sockets themselves and are skipped there).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <string>

#ifndef _WIN32
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include "face_test_util.hpp"

namespace {
using namespace facetest;

// A new folder under the system's temporary one (forward slashes).
std::string temp_dir() {
  namespace fs = std::filesystem;
  static int serial;
  for (;;) {
    fs::path d = fs::temp_directory_path() /
                 ("ac-fsface-" + std::to_string(static_cast<long long>(
                                     std::chrono::steady_clock::now().time_since_epoch().count())) +
                  "-" + std::to_string(++serial));
    std::error_code ec;
    if (fs::create_directory(d, ec)) return d.generic_string();
    EXPECT_FALSE(ec) << ec.message();
    if (ec) return d.generic_string();
  }
}

ac::Task<> file_round_trip(std::string dir) {
  std::string p = dir + "/a.txt";
  {
    ac::File f = co_await ac::File::open(p, "w");
    f.write("alpha\nbeta\n");
    f.write("gamma");
    co_await f.close();
  }
  ac::File f = co_await ac::File::open(p, "r");
  EXPECT_EQ(co_await f.readline(), "alpha\n");
  EXPECT_EQ(co_await f.readuntil("\n"), "beta\n");
  EXPECT_EQ(co_await f.read(), "gamma");
  EXPECT_EQ(co_await f.readline(), "");
  co_await f.close();
  ac_stat st = co_await ac::fs::stat(p);
  EXPECT_EQ(st.size, 16u);
  int fd = static_cast<int>(co_await ac::fs::open(p, O_RDONLY));
  EXPECT_EQ(co_await ac::fs::read(fd, 4, 6), "beta");
  co_await ac::fs::close(fd);
  co_await ac::fs::mkdir(dir + "/sub");
  co_await ac::fs::rename(p, dir + "/b.txt");
  auto names = co_await ac::fs::scandir(dir);
  EXPECT_EQ(names, (std::vector<std::string>{"b.txt", "sub"}));
  co_await ac::fs::rmdir(dir + "/sub");
  co_await ac::fs::unlink(dir + "/b.txt");
  co_await ac::fs::rmdir(dir);
}
TEST(Fs, FileRoundTrip) { ac::run(file_round_trip(temp_dir())); }

ac::Task<> errors(std::string dir) {
  std::string missing = dir + "/none/x";
  try {
    ac::File f = co_await ac::File::open(missing, "r");
    ADD_FAILURE() << "opened";
  } catch (const ac::Error &e) {
    EXPECT_EQ(e.code(), AC_ENOENT);
    EXPECT_STREQ(e.asyncio_class(), "FileNotFoundError");
    EXPECT_EQ(std::string(e.what()), "[Errno 2] No such file or directory: '" + missing + "'");
  }
  co_await ac::fs::rmdir(dir);
#ifndef _WIN32 /* /proc refuses root too; Windows has nothing like it */
  try {
    (void)co_await ac::fs::open("/proc/sys/kernel/version", O_WRONLY);
    ADD_FAILURE() << "opened";
  } catch (const ac::Error &e) {
    EXPECT_STREQ(e.asyncio_class(), "PermissionError");
  }
#endif
}
TEST(Fs, ErrorsAsPython) { ac::run(errors(temp_dir())); }

#ifdef _WIN32
TEST(FdWatch, ReaderAndWait) { GTEST_SKIP() << "POSIX pipes (Windows watches sockets only)"; }
TEST(FdWatch, SockOperations) { GTEST_SKIP() << "BSD socket calls made by the test itself"; }
#else

ac::Task<> reader_on_pipe() {
  int p[2];
  EXPECT_EQ(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
  int fired = 0;
  ac::add_reader(p[0], [&] {
    char c;
    EXPECT_EQ(read(p[0], &c, 1), 1);
    ++fired;
    ac::remove_reader(p[0]);
  });
  EXPECT_EQ(write(p[1], "x", 1), 1);
  co_await ac::sleep(0.05);
  EXPECT_EQ(fired, 1);
  EXPECT_FALSE(ac::remove_reader(p[0]));
  EXPECT_EQ(write(p[1], "y", 1), 1);
  co_await ac::wait_readable(p[0]);
  close(p[0]);
  close(p[1]);
}
TEST(FdWatch, ReaderAndWait) { ac::run(reader_on_pipe()); }

ac::Task<> sockets() {
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  EXPECT_EQ(bind(ls, reinterpret_cast<sockaddr *>(&a), sizeof a), 0);
  EXPECT_EQ(listen(ls, 4), 0);
  EXPECT_EQ(getsockname(ls, reinterpret_cast<sockaddr *>(&a), &len), 0);
  int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  co_await ac::sock_connect(c, "127.0.0.1:" + std::to_string(ntohs(a.sin_port)));
  int s = static_cast<int>(co_await ac::sock_accept(ls));
  co_await ac::sock_sendall(c, "ping");
  EXPECT_EQ(co_await ac::sock_recv(s, 100), "ping");
  close(c);
  EXPECT_EQ(co_await ac::sock_recv(s, 100), "");
  close(s);
  close(ls);
}
TEST(FdWatch, SockOperations) { ac::run(sockets()); }
#endif

}  // namespace
