// fs.cpp — asyncore/fs.h at the boundary.
#include <cstring>

#include "io/fs.hpp"
#include "io/platform.hpp"
#include "../shim.hpp"

using ac::shim::check_loop;
using ac::shim::check_loop_fast;
using ac::shim::fail;

namespace {

int request(ac_loop *loop, const ac::FsArgs &a, ac_future **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL);
  AC_GUARD({
    rc = ac::fs_request(loop, a, out);
    return rc < 0 ? fail(rc) : rc;
  })
}

int path_request(ac_loop *loop, ac::FsOp op, const char *path, ac_future **out,
                 int mode = 0) noexcept {
  if (path == nullptr) {
    ac::shim::clear_failure();
    return fail(AC_EINVAL, "path must not be NULL");
  }
  ac::FsArgs a{op};
  a.path = path;
  a.mode = mode;
  return request(loop, a, out);
}

int fd_request(ac_loop *loop, ac::FsOp op, int fd, ac_future **out) noexcept {
  if (fd < 0) {
    ac::shim::clear_failure();
    return fail(AC_EINVAL, "file descriptor cannot be a negative integer");
  }
  ac::FsArgs a{op};
  a.fd = fd;
  return request(loop, a, out);
}

}  // namespace

AC_API int ac_fs_open_flags(const char *mode, int *flags_out) noexcept {
  ac::shim::clear_failure();
  int flags = 0;
  if (flags_out == nullptr || !ac::fs_mode_flags(mode, &flags))
    return fail(AC_EINVAL, "invalid mode");
  *flags_out = flags;
  return 0;
}

AC_API int ac_fs_open(ac_loop *loop, const char *path, int flags, int mode,
                      ac_future **out) noexcept {
  if (path == nullptr) {
    ac::shim::clear_failure();
    return fail(AC_EINVAL, "path must not be NULL");
  }
  ac::FsArgs a{ac::FsOp::Open};
  a.path = path;
  a.flags = flags | ac::sys::kOpenNoInherit;
  a.mode = mode;
  return request(loop, a, out);
}

AC_API int ac_fs_close(ac_loop *loop, int fd, ac_future **out) noexcept {
  return fd_request(loop, ac::FsOp::Close, fd, out);
}

AC_API int ac_fs_read(ac_loop *loop, int fd, size_t n, int64_t offset,
                      ac_future **out) noexcept {
  ac::shim::clear_failure();
  if (fd < 0 || n == 0 || n > (1u << 30) || offset < -1) return fail(AC_EINVAL);
  ac::FsArgs a{ac::FsOp::Read};
  a.fd = fd;
  a.len = n;
  a.offset = offset;
  return request(loop, a, out);
}

AC_API int ac_fs_write(ac_loop *loop, int fd, const void *data, size_t len, int64_t offset,
                       ac_future **out) noexcept {
  ac::shim::clear_failure();
  if (fd < 0 || (data == nullptr && len != 0) || offset < -1) return fail(AC_EINVAL);
  ac::FsArgs a{ac::FsOp::Write};
  a.fd = fd;
  a.data = data;
  a.len = len;
  a.offset = offset;
  return request(loop, a, out);
}

AC_API int ac_fs_fsync(ac_loop *loop, int fd, ac_future **out) noexcept {
  return fd_request(loop, ac::FsOp::Fsync, fd, out);
}
AC_API int ac_fs_stat(ac_loop *loop, const char *path, ac_future **out) noexcept {
  return path_request(loop, ac::FsOp::Stat, path, out);
}
AC_API int ac_fs_lstat(ac_loop *loop, const char *path, ac_future **out) noexcept {
  return path_request(loop, ac::FsOp::Lstat, path, out);
}
AC_API int ac_fs_fstat(ac_loop *loop, int fd, ac_future **out) noexcept {
  return fd_request(loop, ac::FsOp::Fstat, fd, out);
}

AC_API int ac_fs_stat_result(const ac_future *f, ac_stat *out) noexcept {
  ac::shim::clear_failure();
  if (!ac::is_future(f) || out == nullptr) return fail(AC_EINVAL);
  if (f->state == AC_FUTURE_PENDING) return fail(AC_ESTATE);
  if (f->state != AC_FUTURE_RESULT) return f->error != nullptr ? ac_error_code(f->error) : AC_ECANCELLED;
  if (f->result.kind != AC_VALUE_BYTES || f->result.u.bytes.len != sizeof(ac_stat))
    return fail(AC_EINVAL, "not the result of a stat request");
  std::memcpy(out, f->result.u.bytes.data, sizeof(ac_stat));
  return 0;
}

AC_API int ac_fs_rename(ac_loop *loop, const char *from, const char *to,
                        ac_future **out) noexcept {
  if (from == nullptr || to == nullptr) {
    ac::shim::clear_failure();
    return fail(AC_EINVAL, "path must not be NULL");
  }
  ac::FsArgs a{ac::FsOp::Rename};
  a.path = from;
  a.path2 = to;
  return request(loop, a, out);
}
AC_API int ac_fs_unlink(ac_loop *loop, const char *path, ac_future **out) noexcept {
  return path_request(loop, ac::FsOp::Unlink, path, out);
}
AC_API int ac_fs_mkdir(ac_loop *loop, const char *path, int mode, ac_future **out) noexcept {
  return path_request(loop, ac::FsOp::Mkdir, path, out, mode);
}
AC_API int ac_fs_rmdir(ac_loop *loop, const char *path, ac_future **out) noexcept {
  return path_request(loop, ac::FsOp::Rmdir, path, out);
}
AC_API int ac_fs_scandir(ac_loop *loop, const char *path, ac_future **out) noexcept {
  return path_request(loop, ac::FsOp::Scandir, path, out);
}

AC_API int ac_fs_sendfile(ac_loop *loop, int out_fd, int in_fd, int64_t in_offset, size_t len,
                          ac_future **out) noexcept {
  ac::shim::clear_failure();
  if (out_fd < 0 || in_fd < 0 || in_offset < 0) return fail(AC_EINVAL);
  ac::FsArgs a{ac::FsOp::Sendfile};
  a.fd = in_fd;
  a.fd2 = out_fd;
  a.offset = in_offset;
  a.len = len;
  return request(loop, a, out);
}

// ---- ac_file

AC_API int ac_file_open(ac_loop *loop, const char *path, const char *mode, ac_file **file_out,
                        ac_future **opened_out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (path == nullptr || file_out == nullptr || opened_out == nullptr) return fail(AC_EINVAL);
  int flags = 0;
  if (!ac::fs_mode_flags(mode, &flags)) return fail(AC_EINVAL, "invalid mode");
  AC_GUARD({
    rc = ac::file_open(loop, path, flags, file_out, opened_out);
    return rc < 0 ? fail(rc) : rc;
  })
}

AC_API ac_file *ac_file_ref(ac_file *f) noexcept {
  if (f != nullptr) ac::file_ref(f);
  return f;
}
AC_API void ac_file_unref(ac_file *f) noexcept {
  if (f != nullptr) ac::file_unref(f);
}
AC_API int ac_file_fileno(const ac_file *f) noexcept {
  ac::shim::clear_failure();
  if (f == nullptr) return fail(AC_EINVAL);
  int rc = ac::file_fileno(f);
  return rc < 0 ? fail(rc) : rc;
}

namespace {
int file_read(ac_file *f, int kind, size_t n, const void *sep, size_t sep_len,
              ac_future **out) noexcept {
  if (f == nullptr) {
    ac::shim::clear_failure();
    return fail(AC_EINVAL);
  }
  int rc = check_loop_fast(ac::file_loop(f));
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL);
  AC_GUARD({
    rc = ac::file_read(f, kind, n, sep, sep_len, out);
    if (rc == AC_ESTATE) return fail(rc, "read() called while another coroutine is already waiting for incoming data");
    return rc < 0 ? fail(rc) : rc;
  })
}
}  // namespace

AC_API int ac_file_read(ac_file *f, size_t n, ac_future **out) noexcept {
  if (n == 0) {
    ac::shim::clear_failure();
    return fail(AC_EINVAL);
  }
  return file_read(f, ac::kFileRead, n, nullptr, 0, out);
}
AC_API int ac_file_readline(ac_file *f, ac_future **out) noexcept {
  return file_read(f, ac::kFileLine, 0, nullptr, 0, out);
}
AC_API int ac_file_readuntil(ac_file *f, const void *sep, size_t sep_len,
                             ac_future **out) noexcept {
  if (sep == nullptr || sep_len == 0) {
    ac::shim::clear_failure();
    return fail(AC_EINVAL, "Separator should be at least one-byte string");
  }
  return file_read(f, ac::kFileUntil, 0, sep, sep_len, out);
}

AC_API int ac_file_write(ac_file *f, const void *data, size_t len) noexcept {
  if (f == nullptr || (data == nullptr && len != 0)) {
    ac::shim::clear_failure();
    return fail(AC_EINVAL);
  }
  int rc = check_loop_fast(ac::file_loop(f));
  if (rc != 0) return rc;
  AC_GUARD({
    rc = ac::file_write(f, data, len);
    return rc < 0 ? fail(rc) : rc;
  })
}

AC_API int ac_file_drain(ac_file *f, ac_future **out) noexcept {
  if (f == nullptr || out == nullptr) {
    ac::shim::clear_failure();
    return fail(AC_EINVAL);
  }
  int rc = check_loop_fast(ac::file_loop(f));
  if (rc != 0) return rc;
  AC_GUARD(return ac::file_drain(f, out);)
}

AC_API int ac_file_close(ac_file *f, ac_future **out) noexcept {
  if (f == nullptr || out == nullptr) {
    ac::shim::clear_failure();
    return fail(AC_EINVAL);
  }
  int rc = check_loop_fast(ac::file_loop(f));
  if (rc != 0) return rc;
  AC_GUARD(return ac::file_close(f, out);)
}
