/**
 * \file
 * asyncore/fs.h — files as futures (libuv's file-system requests, run on
 * its thread pool), and a buffered file object that reads like a stream.
 *
 * Two levels:
 *
 *  - ac_fs_*: one request each (open, read, write, fsync, close, stat,
 *    rename, unlink, mkdir, rmdir, scandir, sendfile). Each hands out a
 *    future that completes with the request's result.
 *  - ac_file: an open file with a read buffer and a write buffer
 *    (read(n), readline, readuntil, write, drain, close), so text
 *    processing reads as it does over an ac_stream.
 *
 * Errors. A failed request fails its future with the negated errno
 * (AC_ENOENT, -EACCES, -EISDIR …; ac_err_class gives Python's class:
 * FileNotFoundError, PermissionError, IsADirectoryError …) and a message
 * in Python's words naming the path: "[Errno 2] No such file or directory:
 * 'missing.txt'" (rename: "'old' -> 'new'"). Argument errors are returned
 * at once (AC_EINVAL) and described by ac_last_error_message.
 *
 * Buffers. The library never reads into or writes from memory the caller
 * keeps: data to write is copied when the call is made, data read arrives
 * in a new AC_VALUE_BYTES result (NUL-terminated just past its length). So
 * a caller may free its buffer as soon as the call returns, cancelled or
 * not.
 *
 * Cancellation. Cancelling a request's future cancels the request when the
 * thread pool has not started it (uv_cancel); otherwise the request runs to
 * its end and its result is dropped (an fd opened by a cancelled open is
 * closed, so nothing leaks). Closing the loop fails pending requests with
 * AC_ECLOSED; the loop waits for those already running before it frees its
 * memory.
 *
 * Virtual clock (AC_LOOP_VIRTUAL_CLOCK): a pending request holds the clock
 * as an ac_to_thread job does, so its result arrives at the virtual time it
 * was started.
 *
 * Threads: loop thread only (checked).
 *
 * Stability: experimental (see asyncore.h, "Stability").
 */
#ifndef ASYNCORE_FS_H
#define ASYNCORE_FS_H

#include "common.h"
#include "error.h"
#include "future.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What ac_fs_stat, ac_fs_lstat and ac_fs_fstat give (read it with
 * ac_fs_stat_result). Times are seconds since the epoch. */
typedef struct ac_stat {
  uint64_t dev;     /**< device, as st_dev */
  uint64_t ino;     /**< inode number, as st_ino */
  uint64_t mode; /**< type and permission bits, as st_mode */
  uint64_t nlink;   /**< hard links, as st_nlink */
  uint64_t uid;     /**< owner, as st_uid */
  uint64_t gid;     /**< group, as st_gid */
  uint64_t rdev;    /**< device of a special file, as st_rdev */
  uint64_t size;    /**< bytes, as st_size */
  uint64_t blksize; /**< preferred I/O size, as st_blksize */
  uint64_t blocks;  /**< 512-byte blocks allocated, as st_blocks */
  double atime;     /**< last access */
  double mtime;     /**< last modification */
  double ctime;     /**< last status change */
  double birthtime; /**< 0 where the system does not record it */
} ac_stat;

/** Translates Python's open() mode ("r", "w", "a", "x", each optionally
 * with "+", and "b" or "t", which change nothing here) into open(2) flags
 * for ac_fs_open (O_CLOEXEC included). Errors: AC_EINVAL (NULL or an
 * unknown mode). Thread: any. */
AC_EXPORT int ac_fs_open_flags(const char *mode, int *flags_out) AC_NOEXCEPT;

/** Opens `path` with open(2) `flags` (O_CLOEXEC is always added) and
 * `mode` (permission bits for a created file). Result: the descriptor
 * (AC_VALUE_INT64), owned by the caller. Errors at once: AC_EINVAL (NULL
 * loop, path or out), AC_ECLOSED, AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_fs_open(ac_loop *loop, const char *path, int flags, int mode,
                         ac_future **out) AC_NOEXCEPT;
/** Closes `fd`. Result: NONE. */
AC_EXPORT int ac_fs_close(ac_loop *loop, int fd, ac_future **out) AC_NOEXCEPT;
/** Reads up to `n` bytes (n >= 1) from `fd` at `offset` (pread), or at
 * the descriptor's position when offset is -1. Result: the bytes read
 * (AC_VALUE_BYTES, empty at end of file). Errors at once: AC_EINVAL (n
 * is 0 or above 1 GiB, offset below -1, …). */
AC_EXPORT int ac_fs_read(ac_loop *loop, int fd, size_t n, int64_t offset,
                         ac_future **out) AC_NOEXCEPT;
/** Writes `len` bytes of `data` (copied now) to `fd` at `offset` (pwrite),
 * or at the position when offset is -1, retrying short writes. Result: the
 * count written (AC_VALUE_INT64, == len). */
AC_EXPORT int ac_fs_write(ac_loop *loop, int fd, const void *data, size_t len,
                          int64_t offset, ac_future **out) AC_NOEXCEPT;
/** fsync(2). Result: NONE. */
AC_EXPORT int ac_fs_fsync(ac_loop *loop, int fd, ac_future **out) AC_NOEXCEPT;

/** @{ */
/** stat(2), lstat(2) (a symbolic link itself), fstat(2). Result: an
 * ac_stat in AC_VALUE_BYTES; read it with ac_fs_stat_result. */
AC_EXPORT int ac_fs_stat(ac_loop *loop, const char *path, ac_future **out) AC_NOEXCEPT;
AC_EXPORT int ac_fs_lstat(ac_loop *loop, const char *path, ac_future **out) AC_NOEXCEPT;
AC_EXPORT int ac_fs_fstat(ac_loop *loop, int fd, ac_future **out) AC_NOEXCEPT;
/** @} */
/** Copies the ac_stat of a completed stat future into *out.
 * Errors: AC_EINVAL (NULL, or not a stat future's result), AC_ESTATE
 * (pending), the future's own error code if it failed. */
AC_EXPORT int ac_fs_stat_result(const ac_future *f, ac_stat *out) AC_NOEXCEPT;

/** @{ */
/** rename(2), unlink(2), mkdir(2) with `mode`, rmdir(2). Result: NONE. */
AC_EXPORT int ac_fs_rename(ac_loop *loop, const char *from, const char *to,
                           ac_future **out) AC_NOEXCEPT;
AC_EXPORT int ac_fs_unlink(ac_loop *loop, const char *path, ac_future **out) AC_NOEXCEPT;
AC_EXPORT int ac_fs_mkdir(ac_loop *loop, const char *path, int mode,
                          ac_future **out) AC_NOEXCEPT;
AC_EXPORT int ac_fs_rmdir(ac_loop *loop, const char *path, ac_future **out) AC_NOEXCEPT;
/** @} */

/** Lists the directory `path` (without "." and ".."). Result:
 * AC_VALUE_BYTES with each name followed by a NUL byte, sorted by byte
 * value; empty for an empty directory. */
AC_EXPORT int ac_fs_scandir(ac_loop *loop, const char *path, ac_future **out) AC_NOEXCEPT;

/** Copies up to `len` bytes from `in_fd` at `in_offset` to `out_fd` (a
 * file, a pipe or a socket; its position advances) with sendfile(2),
 * repeating partial transfers; fewer bytes only at the end of `in_fd`.
 * Result: the count copied (AC_VALUE_INT64). Errors at once: AC_EINVAL
 * (negative fd or in_offset). */
AC_EXPORT int ac_fs_sendfile(ac_loop *loop, int out_fd, int in_fd, int64_t in_offset,
                             size_t len, ac_future **out) AC_NOEXCEPT;

/* ---------------------------------------------------------------- ac_file */

/** An open file with a read buffer and a write buffer; reference counted
 * (loop thread). */
typedef struct ac_file ac_file;

/** Opens `path` with Python's open() `mode` ("r", "w", "a", "x", "r+" …,
 * see ac_fs_open_flags; created files get permissions 0666 less the
 * umask). The file is handed out at once in *file_out; *opened_out
 * completes with NONE once the file is open, or fails with the open's
 * error (the path in its message). Reads and writes issued before that
 * wait for it; when the open fails they fail with its code.
 * Both outputs are new references.
 * Errors at once: AC_EINVAL (NULL argument, unknown mode), AC_ECLOSED,
 * AC_EWRONGTHREAD, AC_ENOMEM. */
AC_EXPORT int ac_file_open(ac_loop *loop, const char *path, const char *mode,
                           ac_file **file_out, ac_future **opened_out) AC_NOEXCEPT;

/** @{ */
/** Reference counting. ref returns its argument; both accept NULL. The
 * last unref of a file that is still open writes out its buffer and closes
 * it in the background. */
AC_EXPORT ac_file *ac_file_ref(ac_file *f) AC_NOEXCEPT;
AC_EXPORT void ac_file_unref(ac_file *f) AC_NOEXCEPT;
/** @} */
/** The file's descriptor (>= 0), AC_ESTATE before it is open,
 * AC_ECLOSED once closed, AC_EINVAL for NULL. */
AC_EXPORT int ac_file_fileno(const ac_file *f) AC_NOEXCEPT;

/** Reading. The file reads into its own buffer, in chunks of at least
 * 64 KiB, from the position after the last byte buffered; a read future
 * takes its bytes out of that buffer when it completes, so cancelling a
 * pending read loses nothing. End of file is not sticky: a read at the end
 * completes with what there is (empty bytes for ac_file_read), and the next
 * read looks again, so a file that grows can be followed ("tail -f").
 * One read at a time: AC_ESTATE while one is pending. AC_ECLOSED after
 * close. Each fills *out with a new future. */
/** Up to `n` bytes (n >= 1; empty at end of file); SIZE_MAX reads to the
 * end of the file. */
AC_EXPORT int ac_file_read(ac_file *f, size_t n, ac_future **out) AC_NOEXCEPT;
/** One line with its "\n"; at end of file the partial last line, or empty
 * bytes when there is none. Lines have no length limit. */
AC_EXPORT int ac_file_readline(ac_file *f, ac_future **out) AC_NOEXCEPT;
/** Bytes up to and including `sep` (sep_len >= 1). At end of file without
 * the separator the future fails with AC_EINCOMPLETE, the partial bytes
 * (taken out) being the error's payload. */
AC_EXPORT int ac_file_readuntil(ac_file *f, const void *sep, size_t sep_len,
                                ac_future **out) AC_NOEXCEPT;

/** Queues `len` bytes (copied) to be written at the file's position (the
 * end for mode "a"), after whatever was buffered for reading is given up;
 * never waits. Returns 0, or AC_EINVAL, AC_ECLOSED (closing or closed), a
 * write error seen earlier (e.g. -ENOSPC, -EBADF for a file opened for
 * reading), AC_ENOMEM. */
AC_EXPORT int ac_file_write(ac_file *f, const void *data, size_t len) AC_NOEXCEPT;
/** A future that completes with NONE once every byte written so far has
 * been handed to the kernel, or fails with the write's error.
 * Errors at once: AC_EINVAL, AC_ENOMEM. */
AC_EXPORT int ac_file_drain(ac_file *f, ac_future **out) AC_NOEXCEPT;
/** Writes out the buffer, then closes the descriptor. A pending read fails
 * with AC_ECLOSED now. The future completes with NONE once closed, or
 * fails with the error of the buffered writes or of close(2). Idempotent:
 * a later call gives a future for the same end.
 * Errors at once: AC_EINVAL, AC_ENOMEM. */
AC_EXPORT int ac_file_close(ac_file *f, ac_future **out) AC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
