// fs.hpp — file-system requests as futures, and the buffered file object
// (asyncore/fs.h), on libuv's uv_fs requests.
#pragma once

#include <asyncore/fs.h>

#include <string>

#include "core/future.hpp"
#include "core/loop.hpp"

namespace ac {

enum class FsOp : uint8_t {
  Open, Close, Read, Write, Fsync, Stat, Lstat, Fstat, Rename, Unlink, Mkdir, Rmdir,
  Scandir, Sendfile
};

// The arguments of one request. `data` is copied for a write.
struct FsArgs {
  FsOp op;
  const char *path = nullptr;
  const char *path2 = nullptr;
  int fd = -1;
  int fd2 = -1;  // sendfile's output
  int flags = 0;
  int mode = 0;
  int64_t offset = -1;
  size_t len = 0;
  const void *data = nullptr;
};

// Starts a request; 0 and a new future in *out, or a negative code.
// Throws bad_alloc.
int fs_request(ac_loop *loop, const FsArgs &args, ac_future **out);

// Python's message for an OS error about a path: "[Errno 2] No such file
// or directory: 'x'" (with `path2`: "'x' -> 'y'"); without a path, the
// "[Errno N] text" part alone.
std::string fs_error_message(int code, const char *path, const char *path2 = nullptr);

// Python's open() mode to open(2) flags; false for an unknown mode.
bool fs_mode_flags(const char *mode, int *flags) noexcept;

}  // namespace ac

// The buffered file object. Runtime-internal layout.
struct ac_file;
namespace ac {
int file_open(ac_loop *loop, const char *path, int flags, ac_file **file_out,
              ac_future **opened_out);
void file_ref(ac_file *f) noexcept;
void file_unref(ac_file *f) noexcept;
ac_loop *file_loop(const ac_file *f) noexcept;
int file_fileno(const ac_file *f) noexcept;
int file_read(ac_file *f, int kind, size_t n, const void *sep, size_t sep_len,
              ac_future **out);
int file_write(ac_file *f, const void *data, size_t len);
int file_drain(ac_file *f, ac_future **out);
int file_close(ac_file *f, ac_future **out);
constexpr int kFileRead = 0, kFileLine = 1, kFileUntil = 2;
}  // namespace ac
