#define _GNU_SOURCE
/* fs.c — files as futures (asyncore/fs.h) on real files: every request,
 * Python's error classes and messages (ENOENT, EACCES from /proc/sys, which
 * refuses root too, EPERM, EISDIR), a 1 GiB sparse file read at its end,
 * many requests at once, cancellation while pending (a host buffer freed at
 * once), descriptors counted before and after, loop close, and the
 * buffered file object. On Windows the same, less what only POSIX has
 * (modes and umask, symlinks, /proc and /dev paths, sparse files by
 * default); descriptors are the C runtime's there, counted as such. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#ifdef _WIN32
#include <direct.h>
#include <io.h>
#include <windows.h>
/* libuv opens files not inheritable on Windows: no flag to add. */
#define NOINHERIT 0
/* A file any program can open for reading. */
#define SOME_FILE "NUL"
#else
#define NOINHERIT O_CLOEXEC
#define SOME_FILE "/proc/self/status"
#endif

#include "net_util.h"

static char dir[512];

static void make_dir(void) {
#ifdef _WIN32
  static int serial;
  char tmp[MAX_PATH];
  CHECK(GetTempPathA(sizeof tmp, tmp) > 0);
  /* A name nobody has (one left by an earlier run that failed is kept). */
  int made = -1;
  for (int tries = 0; made != 0 && tries < 1000; ++tries) {
    snprintf(dir, sizeof dir, "%sac-fs-%lu-%d", tmp, (unsigned long)GetCurrentProcessId(), ++serial);
    made = _mkdir(dir);
  }
  CHECK(made == 0);
#else
  snprintf(dir, sizeof dir, "/tmp/ac-fs-XXXXXX");
  CHECK(mkdtemp(dir) != NULL);
#endif
}

static void remove_dir(void) {
  DIR *d = opendir(dir);
  if (d == NULL) return;
  struct dirent *e;
  char p[800];
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    if (unlink(p) != 0) rmdir(p);
  }
  closedir(d);
  rmdir(dir);
}

static int count_fds(void) {
  int n = 0;
#ifdef _WIN32
  /* The C runtime's descriptors (what uv_fs_open returns there). */
  for (int fd = 0; fd < 2048; ++fd) n += _get_osfhandle(fd) != -1;
  return n;
#endif
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  while ((e = readdir(d)) != NULL) n += e->d_name[0] != '.';
  closedir(d);
  return n - 1; /* the directory's own */
}

static const char *path_of(const char *name) {
  static char p[4][800];
  static int i;
  i = (i + 1) % 4;
  snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
  return p[i];
}

/* Awaits f; returns its outcome and leaves f alive. */
static int fwait(ac_loop *loop, ac_future *f) { return net_wait(loop, f, 10); }

static int64_t wait_int(ac_loop *loop, ac_future *f) {
  int64_t v = -1;
  CHECK_RC(fwait(loop, f), 0);
  CHECK_RC(ac_future_result_int64(f, &v), 0);
  ac_future_unref(f);
  return v;
}

static void wait_ok(ac_loop *loop, ac_future *f) {
  CHECK_RC(fwait(loop, f), 0);
  ac_future_unref(f);
}

static void finish(ac_loop *loop) {
  CHECK_RC(ac_loop_close(loop), 0);
  ac_loop_unref(loop);
}

static void test_requests_roundtrip(void) {
  ac_loop *loop = net_loop();
  ac_future *f;
  make_dir();
  int fds = count_fds();
  CHECK_RC(ac_fs_open(loop, path_of("a.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644, &f), 0);
  int fd = (int)wait_int(loop, f);
  CHECK(fd >= 0);
  CHECK_RC(ac_fs_write(loop, fd, "hello\nworld\n", 12, -1, &f), 0);
  CHECK_INT(wait_int(loop, f), 12);
  CHECK_RC(ac_fs_write(loop, fd, "W", 1, 6, &f), 0);
  CHECK_INT(wait_int(loop, f), 1);
  CHECK_RC(ac_fs_fsync(loop, fd, &f), 0);
  wait_ok(loop, f);
  CHECK_RC(ac_fs_fstat(loop, fd, &f), 0);
  CHECK_RC(fwait(loop, f), 0);
  ac_stat st;
  CHECK_RC(ac_fs_stat_result(f, &st), 0);
  CHECK_INT(st.size, 12);
  CHECK(S_ISREG(st.mode));
#ifdef _WIN32
  CHECK_INT(st.mode & 0777, 0666); /* Windows: read-only or not, for everyone */
#else
  CHECK_INT(st.mode & 0777, 0644 & ~umask(022));
#endif
  ac_future_unref(f);
  CHECK_RC(ac_fs_close(loop, fd, &f), 0);
  wait_ok(loop, f);

  CHECK_RC(ac_fs_open(loop, path_of("a.txt"), O_RDONLY, 0, &f), 0);
  fd = (int)wait_int(loop, f);
  CHECK_RC(ac_fs_read(loop, fd, 100, 6, &f), 0); /* pread */
  CHECK_RC(fwait(loop, f), 0);
  CHECK_STR(net_text(f), "World\n");
  ac_future_unref(f);
  CHECK_RC(ac_fs_read(loop, fd, 3, -1, &f), 0); /* at the position */
  CHECK_RC(fwait(loop, f), 0);
  CHECK_STR(net_text(f), "hel");
  ac_future_unref(f);
  CHECK_RC(ac_fs_read(loop, fd, 100, 12, &f), 0); /* end of file */
  CHECK_RC(fwait(loop, f), 0);
  CHECK_STR(net_text(f), "");
  ac_future_unref(f);

  /* sendfile: file -> file */
  CHECK_RC(ac_fs_open(loop, path_of("b.txt"), O_WRONLY | O_CREAT, 0600, &f), 0);
  int out = (int)wait_int(loop, f);
  CHECK_RC(ac_fs_sendfile(loop, out, fd, 6, 1000, &f), 0);
  CHECK_INT(wait_int(loop, f), 6);
  CHECK_RC(ac_fs_close(loop, out, &f), 0);
  wait_ok(loop, f);
  CHECK_RC(ac_fs_close(loop, fd, &f), 0);
  wait_ok(loop, f);

  CHECK_RC(ac_fs_mkdir(loop, path_of("sub"), 0755, &f), 0);
  wait_ok(loop, f);
  CHECK_RC(ac_fs_rename(loop, path_of("b.txt"), path_of("c.txt"), &f), 0);
  wait_ok(loop, f);
  CHECK_RC(ac_fs_scandir(loop, dir, &f), 0);
  CHECK_RC(fwait(loop, f), 0);
  ac_value v;
  CHECK_RC(ac_future_result(f, &v), 0);
  CHECK_INT(v.u.bytes.len, 16);
  CHECK(memcmp(v.u.bytes.data, "a.txt\0c.txt\0sub\0", 16) == 0);
  ac_future_unref(f);
  CHECK_RC(ac_fs_stat(loop, path_of("c.txt"), &f), 0);
  CHECK_RC(fwait(loop, f), 0);
  CHECK_RC(ac_fs_stat_result(f, &st), 0);
  CHECK_INT(st.size, 6);
  ac_future_unref(f);
#ifndef _WIN32 /* symbolic links need a privilege on Windows */
  CHECK_RC(symlink("c.txt", path_of("link")), 0);
  CHECK_RC(ac_fs_lstat(loop, path_of("link"), &f), 0);
  CHECK_RC(fwait(loop, f), 0);
  CHECK_RC(ac_fs_stat_result(f, &st), 0);
  CHECK(S_ISLNK(st.mode));
  ac_future_unref(f);
  CHECK_RC(ac_fs_unlink(loop, path_of("link"), &f), 0);
  wait_ok(loop, f);
#endif
  CHECK_RC(ac_fs_rmdir(loop, path_of("sub"), &f), 0);
  wait_ok(loop, f);
  CHECK_RC(ac_fs_unlink(loop, path_of("c.txt"), &f), 0);
  wait_ok(loop, f);
  CHECK_RC(ac_fs_stat(loop, path_of("c.txt"), &f), 0);
  CHECK_RC(fwait(loop, f), AC_ENOENT);
  ac_future_unref(f);
  CHECK_INT(count_fds(), fds);
  remove_dir();
  finish(loop);
}

/* The failure's code, Python class and message. */
static void check_failure(ac_loop *loop, ac_future *f, int code, const char *cls,
                          const char *message) {
  CHECK_RC(fwait(loop, f), code);
  ac_error *e = ac_future_error(f);
  CHECK(e != NULL);
  CHECK_STR(ac_err_class(ac_error_code(e)), cls);
  CHECK_STR(ac_error_message(e), message);
  ac_future_unref(f);
}

#ifdef _WIN32
/* What Windows has of the POSIX cases below: a missing file and directory,
 * an existing one made again, a double close, the argument errors. */
static void test_errors_as_python(void) {
  ac_loop *loop = net_loop();
  ac_future *f;
  make_dir();
  char want[900];
  CHECK_RC(ac_fs_open(loop, path_of("none/x"), O_RDONLY, 0, &f), 0);
  snprintf(want, sizeof want, "[Errno 2] No such file or directory: '%s'", path_of("none/x"));
  check_failure(loop, f, AC_ENOENT, "FileNotFoundError", want);
  CHECK_RC(ac_fs_mkdir(loop, dir, 0755, &f), 0);
  snprintf(want, sizeof want, "[Errno 17] File exists: '%s'", dir);
  check_failure(loop, f, AC_EEXIST, "FileExistsError", want);
  CHECK_RC(ac_fs_open(loop, path_of("f"), O_RDWR | O_CREAT, 0600, &f), 0);
  int fd = (int)wait_int(loop, f);
  CHECK_RC(ac_fs_close(loop, fd, &f), 0);
  wait_ok(loop, f);
  CHECK_RC(ac_fs_close(loop, fd, &f), 0);
  check_failure(loop, f, AC_EBADF, "OSError", "[Errno 9] Bad file descriptor");
  CHECK_RC(ac_fs_unlink(loop, path_of("f"), &f), 0);
  wait_ok(loop, f);
  CHECK_RC(ac_fs_open(loop, NULL, O_RDONLY, 0, &f), AC_EINVAL);
  CHECK_STR(ac_last_error_message(AC_EINVAL), "path must not be NULL");
  CHECK_RC(ac_fs_read(loop, 0, 0, -1, &f), AC_EINVAL);
  CHECK_RC(ac_fs_close(loop, -1, &f), AC_EINVAL);
  int flags = 0;
  CHECK_RC(ac_fs_open_flags("r+", &flags), 0);
  CHECK_INT(flags, O_RDWR | NOINHERIT);
  CHECK_RC(ac_fs_open_flags("rw", &flags), AC_EINVAL);
  remove_dir();
  finish(loop);
}
#else
static void test_errors_as_python(void) {
  ac_loop *loop = net_loop();
  ac_future *f;
  CHECK_RC(ac_fs_open(loop, "/nonexistent/x", O_RDONLY, 0, &f), 0);
  check_failure(loop, f, -ENOENT, "FileNotFoundError",
                "[Errno 2] No such file or directory: '/nonexistent/x'");
  /* /proc/sys refuses writes to a read-only entry to root as well. */
  CHECK_RC(ac_fs_open(loop, "/proc/sys/kernel/version", O_WRONLY, 0, &f), 0);
  check_failure(loop, f, -EACCES, "PermissionError",
                "[Errno 13] Permission denied: '/proc/sys/kernel/version'");
  CHECK_RC(ac_fs_unlink(loop, "/proc/self/status", &f), 0);
  check_failure(loop, f, -EPERM, "PermissionError",
                "[Errno 1] Operation not permitted: '/proc/self/status'");
  CHECK_RC(ac_fs_open(loop, "/tmp", O_WRONLY, 0, &f), 0);
  check_failure(loop, f, -EISDIR, "IsADirectoryError", "[Errno 21] Is a directory: '/tmp'");
  CHECK_RC(ac_fs_rename(loop, "/nope-a", "/nope-b", &f), 0);
  check_failure(loop, f, -ENOENT, "FileNotFoundError",
                "[Errno 2] No such file or directory: '/nope-a' -> '/nope-b'");
  CHECK_RC(ac_fs_mkdir(loop, "/tmp", 0755, &f), 0);
  check_failure(loop, f, -EEXIST, "FileExistsError", "[Errno 17] File exists: '/tmp'");
  /* Reading a directory's descriptor. */
  CHECK_RC(ac_fs_open(loop, "/tmp", O_RDONLY, 0, &f), 0);
  int fd = (int)wait_int(loop, f);
  CHECK_RC(ac_fs_read(loop, fd, 10, -1, &f), 0);
  check_failure(loop, f, -EISDIR, "IsADirectoryError", "[Errno 21] Is a directory");
  CHECK_RC(ac_fs_close(loop, fd, &f), 0);
  wait_ok(loop, f);
  CHECK_RC(ac_fs_close(loop, fd, &f), 0);
  check_failure(loop, f, -EBADF, "OSError", "[Errno 9] Bad file descriptor");
  /* Argument errors at once. */
  CHECK_RC(ac_fs_open(loop, NULL, O_RDONLY, 0, &f), AC_EINVAL);
  CHECK_STR(ac_last_error_message(AC_EINVAL), "path must not be NULL");
  CHECK_RC(ac_fs_read(loop, 0, 0, -1, &f), AC_EINVAL);
  CHECK_RC(ac_fs_read(loop, 0, 1, -2, &f), AC_EINVAL);
  CHECK_RC(ac_fs_close(loop, -1, &f), AC_EINVAL);
  int flags = 0;
  CHECK_RC(ac_fs_open_flags("r+", &flags), 0);
  CHECK_INT(flags, O_RDWR | O_CLOEXEC);
  CHECK_RC(ac_fs_open_flags("ab", &flags), 0);
  CHECK_INT(flags, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC);
  CHECK_RC(ac_fs_open_flags("rw", &flags), AC_EINVAL);
  finish(loop);
}
#endif

#ifndef _WIN32
static void test_sparse_gigabyte(void) {
  ac_loop *loop = net_loop();
  ac_future *f;
  make_dir();
  const int64_t end = (int64_t)1 << 30;
  CHECK_RC(ac_fs_open(loop, path_of("sparse"), O_RDWR | O_CREAT, 0600, &f), 0);
  int fd = (int)wait_int(loop, f);
  CHECK_RC(ac_fs_write(loop, fd, "the end\n", 8, end, &f), 0);
  CHECK_INT(wait_int(loop, f), 8);
  CHECK_RC(ac_fs_fstat(loop, fd, &f), 0);
  CHECK_RC(fwait(loop, f), 0);
  ac_stat st;
  CHECK_RC(ac_fs_stat_result(f, &st), 0);
  CHECK_INT(st.size, end + 8);
  CHECK(st.blocks * 512 < 1 << 20); /* sparse: almost nothing allocated */
  ac_future_unref(f);
  CHECK_RC(ac_fs_read(loop, fd, 64, end - 4, &f), 0);
  CHECK_RC(fwait(loop, f), 0);
  ac_value v;
  CHECK_RC(ac_future_result(f, &v), 0);
  CHECK_INT(v.u.bytes.len, 12);
  CHECK(memcmp(v.u.bytes.data, "\0\0\0\0the end\n", 12) == 0);
  ac_future_unref(f);
  CHECK_RC(ac_fs_close(loop, fd, &f), 0);
  wait_ok(loop, f);
  remove_dir();
  finish(loop);
}

#endif

#define MANY 300

static void test_many_at_once(void) {
  ac_loop *loop = net_loop();
  ac_future *f, *fs[MANY];
  make_dir();
  CHECK_RC(ac_fs_open(loop, path_of("m"), O_RDWR | O_CREAT, 0600, &f), 0);
  int fd = (int)wait_int(loop, f);
  char block[MANY];
  for (int i = 0; i < MANY; i++) block[i] = (char)('a' + i % 26);
  CHECK_RC(ac_fs_write(loop, fd, block, MANY, 0, &f), 0);
  CHECK_INT(wait_int(loop, f), MANY);
  for (int i = 0; i < MANY; i++) CHECK_RC(ac_fs_read(loop, fd, 1, i, &fs[i]), 0);
  int right = 0;
  for (int i = 0; i < MANY; i++) {
    CHECK_RC(fwait(loop, fs[i]), 0);
    ac_value v;
    if (ac_future_result(fs[i], &v) == 0 && v.u.bytes.len == 1 &&
        ((char *)v.u.bytes.data)[0] == block[i])
      right++;
    ac_future_unref(fs[i]);
  }
  CHECK_INT(right, MANY);
  CHECK_RC(ac_fs_close(loop, fd, &f), 0);
  wait_ok(loop, f);
  remove_dir();
  finish(loop);
}

/* Runs the loop until every future of `fs` is done. */
static void wait_all(ac_loop *loop, ac_future **fs, int n) {
  for (int i = 0; i < n; i++) {
    int guard = 0;
    while (!ac_future_done(fs[i]) && guard++ < 1000) ac_loop_step(loop, 0.01, NULL, NULL);
  }
}

static void test_cancel_pending(void) {
  ac_loop *loop = net_loop();
  ac_future *f, *fs[MANY];
  make_dir();
  int fds = count_fds();
  CHECK_RC(ac_fs_open(loop, path_of("c"), O_RDWR | O_CREAT, 0600, &f), 0);
  int fd = (int)wait_int(loop, f);
  /* Writes whose host buffer is freed at once, then cancelled; reads
   * cancelled; opens cancelled (a descriptor opened too late is closed). */
  for (int i = 0; i < MANY; i++) {
    if (i % 3 == 0) {
      char *mine = malloc(4096);
      memset(mine, 'x', 4096);
      CHECK_RC(ac_fs_write(loop, fd, mine, 4096, (int64_t)i * 4096, &fs[i]), 0);
      memset(mine, 0, 4096);
      free(mine);
    } else if (i % 3 == 1) {
      CHECK_RC(ac_fs_read(loop, fd, 1 << 16, 0, &fs[i]), 0);
    } else {
      CHECK_RC(ac_fs_open(loop, path_of("c"), O_RDONLY, 0, &fs[i]), 0);
    }
  }
  for (int i = 0; i < MANY; i++) CHECK_INT(ac_future_cancel(fs[i], NULL), 1);
  wait_all(loop, fs, MANY);
  for (int i = 0; i < MANY; i++) {
    CHECK(ac_future_cancelled(fs[i]));
    ac_future_unref(fs[i]);
  }
  /* Let the requests that had started end (their results are dropped). */
  net_run_for(loop, 0.2);
  CHECK_INT(count_fds(), fds + 1);
  CHECK_RC(ac_fs_close(loop, fd, &f), 0);
  wait_ok(loop, f);
  CHECK_INT(count_fds(), fds);
  remove_dir();
  finish(loop);
}

static void test_loop_close_fails_pending(void) {
  int fds = count_fds();
  ac_loop *loop = net_loop();
  ac_future *f[8];
  for (int i = 0; i < 8; i++) CHECK_RC(ac_fs_open(loop, SOME_FILE, O_RDONLY, 0, &f[i]), 0);
  CHECK_RC(ac_loop_close(loop), 0);
  for (int i = 0; i < 8; i++) {
    CHECK_RC(ac_future_result(f[i], NULL), AC_ECLOSED);
    ac_future_unref(f[i]);
  }
  ac_loop_unref(loop);
  CHECK_INT(count_fds(), fds);
}

/* ---- ac_file */

static const char *await_text(ac_loop *loop, ac_future *f) {
  static char buf[256];
  CHECK_RC(fwait(loop, f), 0);
  snprintf(buf, sizeof buf, "%s", net_text(f));
  ac_future_unref(f);
  return buf;
}

static void test_file_object(void) {
  ac_loop *loop = net_loop();
  ac_file *file;
  ac_future *opened, *f;
  make_dir();
  int fds = count_fds();
  CHECK_RC(ac_file_open(loop, path_of("t.txt"), "w", &file, &opened), 0);
  CHECK_RC(ac_file_write(file, "one\ntwo\n", 8), 0); /* before the open ends */
  CHECK_RC(ac_file_write(file, "three;four", 10), 0);
  CHECK_RC(ac_file_drain(file, &f), 0);
  wait_ok(loop, f);
  CHECK(ac_future_done(opened));
  ac_future_unref(opened);
  CHECK(ac_file_fileno(file) >= 0);
  CHECK_RC(ac_file_close(file, &f), 0);
  wait_ok(loop, f);
  CHECK_RC(ac_file_fileno(file), AC_ECLOSED);
  CHECK_RC(ac_file_write(file, "x", 1), AC_ECLOSED);
  ac_file_unref(file);

  CHECK_RC(ac_file_open(loop, path_of("t.txt"), "r", &file, &opened), 0);
  ac_future_unref(opened);
  CHECK_RC(ac_file_readline(file, &f), 0);
  CHECK_RC(ac_file_readline(file, &opened), AC_ESTATE); /* one read at a time */
  CHECK_STR(await_text(loop, f), "one\n");
  CHECK_RC(ac_file_read(file, 2, &f), 0);
  CHECK_STR(await_text(loop, f), "tw");
  CHECK_RC(ac_file_readline(file, &f), 0);
  CHECK_STR(await_text(loop, f), "o\n");
  CHECK_RC(ac_file_readuntil(file, ";", 1, &f), 0);
  CHECK_STR(await_text(loop, f), "three;");
  CHECK_RC(ac_file_readuntil(file, ";", 1, &f), 0);
  CHECK_RC(fwait(loop, f), AC_EINCOMPLETE);
  ac_value partial;
  CHECK_RC(ac_error_payload(ac_future_error(f), &partial), 0);
  CHECK_INT(partial.u.bytes.len, 4);
  ac_future_unref(f);
  CHECK_RC(ac_file_readline(file, &f), 0); /* at the end: empty */
  CHECK_STR(await_text(loop, f), "");
  /* The file grows: the next read sees it (end of file is not sticky). */
  FILE *w = fopen(path_of("t.txt"), "ab");
  fputs("\nfive\n", w);
  fclose(w);
  CHECK_RC(ac_file_readline(file, &f), 0);
  CHECK_STR(await_text(loop, f), "\n");
  CHECK_RC(ac_file_read(file, SIZE_MAX, &f), 0);
  CHECK_STR(await_text(loop, f), "five\n");
  /* Cancelling a pending read loses nothing. */
  w = fopen(path_of("t.txt"), "ab");
  fputs("six\nseven\n", w);
  fclose(w);
  CHECK_RC(ac_file_readline(file, &f), 0);
  CHECK_INT(ac_future_cancel(f, NULL), 1);
  ac_future_unref(f);
  CHECK_RC(ac_file_readline(file, &f), 0);
  CHECK_STR(await_text(loop, f), "six\n");
  CHECK_RC(ac_file_readline(file, &f), 0);
  CHECK_STR(await_text(loop, f), "seven\n");
  /* A sized read with nothing buffered reads straight into its result;
   * cancelled while in flight, its bytes stay for the next read. */
  w = fopen(path_of("t.txt"), "ab");
  fputs("sized\nreads\n", w);
  fclose(w);
  CHECK_RC(ac_file_read(file, 5, &f), 0);
  CHECK_INT(ac_future_cancel(f, NULL), 1);
  ac_future_unref(f);
  CHECK_RC(ac_file_read(file, 100, &f), 0);
  CHECK_STR(await_text(loop, f), "sized");
  CHECK_RC(ac_file_read(file, 100, &f), 0);
  CHECK_STR(await_text(loop, f), "\nreads\n");
  CHECK_RC(ac_file_close(file, &f), 0);
  wait_ok(loop, f);
  ac_file_unref(file);

  /* A missing file: the open's error, with the path, reaches the reads. */
  CHECK_RC(ac_file_open(loop, path_of("missing"), "r", &file, &opened), 0);
  CHECK_RC(ac_file_readline(file, &f), 0);
  CHECK_RC(fwait(loop, opened), AC_ENOENT);
  char want[900];
  snprintf(want, sizeof want, "[Errno 2] No such file or directory: '%s'", path_of("missing"));
  CHECK_STR(ac_error_message(ac_future_error(opened)), want);
  CHECK_RC(fwait(loop, f), AC_ENOENT);
  ac_future_unref(f);
  ac_future_unref(opened);
  ac_file_unref(file);

  /* Writing to a file opened for reading fails at drain, as EBADF. */
  CHECK_RC(ac_file_open(loop, path_of("t.txt"), "r", &file, &opened), 0);
  ac_future_unref(opened);
  CHECK_RC(ac_file_write(file, "x", 1), 0);
  CHECK_RC(ac_file_drain(file, &f), 0);
  CHECK_RC(fwait(loop, f), AC_EBADF);
  ac_future_unref(f);
  CHECK_RC(ac_file_write(file, "x", 1), AC_EBADF);
  ac_file_unref(file); /* the last reference closes it in the background */
  net_run_for(loop, 0.1);

  /* Mode "a" appends; dropping the file writes out and closes. */
  CHECK_RC(ac_file_open(loop, path_of("t.txt"), "a", &file, &opened), 0);
  ac_future_unref(opened);
  CHECK_RC(ac_file_write(file, "eight\n", 6), 0);
  ac_file_unref(file);
  net_run_for(loop, 0.1);
  CHECK_INT(count_fds(), fds);
  CHECK_RC(ac_file_open(loop, path_of("t.txt"), "r", &file, &opened), 0);
  ac_future_unref(opened);
  CHECK_RC(ac_file_read(file, SIZE_MAX, &f), 0);
  CHECK_STR(await_text(loop, f), "one\ntwo\nthree;four\nfive\nsix\nseven\nsized\nreads\neight\n");
  ac_file_unref(file);
  net_run_for(loop, 0.1);
  CHECK_INT(count_fds(), fds);
  remove_dir();
  finish(loop);
}

static void test_file_closed_by_loop(void) {
  int fds = count_fds();
  ac_loop *loop = net_loop();
  ac_file *file;
  ac_future *opened, *f;
  CHECK_RC(ac_file_open(loop, SOME_FILE, "r", &file, &opened), 0);
  CHECK_RC(fwait(loop, opened), 0);
  CHECK_RC(ac_file_read(file, SIZE_MAX, &f), 0);
  CHECK_RC(ac_loop_close(loop), 0);
  CHECK_RC(ac_future_result(f, NULL), AC_ECLOSED);
  ac_future_unref(f);
  ac_future_unref(opened);
  ac_file_unref(file);
  ac_loop_unref(loop);
  CHECK_INT(count_fds(), fds);
}

static void skipped(void) {}

/* ENOSPC: every write to /dev/full fails with it (OSError, as Python's
 * "[Errno 28] No space left on device"), a request and a file object's
 * drain alike; nothing leaks. */
static void test_no_space_left(void) {
  ac_loop *loop = net_loop();
  int fds = count_fds();
  ac_future *f;
  CHECK_RC(ac_fs_open(loop, "/dev/full", O_WRONLY, 0, &f), 0);
  int fd = (int)wait_int(loop, f);
  CHECK_RC(ac_fs_write(loop, fd, "data", 4, -1, &f), 0);
  check_failure(loop, f, -ENOSPC, "OSError", "[Errno 28] No space left on device");
  CHECK_RC(ac_fs_close(loop, fd, &f), 0);
  wait_ok(loop, f);

  ac_file *file;
  ac_future *opened;
  CHECK_RC(ac_file_open(loop, "/dev/full", "w", &file, &opened), 0);
  CHECK_RC(ac_file_write(file, "line\n", 5), 0);
  CHECK_RC(ac_file_drain(file, &f), 0);
  CHECK_RC(fwait(loop, f), -ENOSPC);
  CHECK_STR(ac_err_class(ac_error_code(ac_future_error(f))), "OSError");
  ac_future_unref(f);
  ac_future_unref(opened);
  CHECK_RC(ac_file_close(file, &f), 0);
  (void)fwait(loop, f); /* the close itself may report the failed flush */
  ac_future_unref(f);
  ac_file_unref(file);
  CHECK_INT(count_fds(), fds);
  finish(loop);
}

/* Long lines: each chunk read (64 KiB) is searched once for the
 * separator, with the separator's length less one before it, not the
 * whole line again (a 16 MiB line took 256 searches of up to 16 MiB
 * each). A separator split across two chunks is found; a 16 MiB line
 * comes back whole. */
static void test_long_lines(void) {
  ac_loop *loop = net_loop();
  ac_file *file;
  ac_future *opened, *f;
  ac_value v;
  enum { kChunk = 65536, kLong = 16 << 20 };
  make_dir();
  FILE *w = fopen(path_of("long.txt"), "wb");
  CHECK(w != NULL);
  for (int i = 0; i < kChunk - 1; i++) fputc('b', w);
  fputs("XYZtail\n", w); /* "XYZ" at 65535: split by the first chunk's end */
  for (int i = 0; i < kLong - 1; i++) fputc('a', w);
  fputs("\nend", w);
  fclose(w);
  CHECK_RC(ac_file_open(loop, path_of("long.txt"), "r", &file, &opened), 0);
  ac_future_unref(opened);
  CHECK_RC(ac_file_readuntil(file, "XYZ", 3, &f), 0);
  CHECK_RC(fwait(loop, f), 0);
  CHECK_RC(ac_future_result(f, &v), 0);
  CHECK_INT(v.u.bytes.len, kChunk + 2);
  CHECK(memcmp((const char *)v.u.bytes.data + kChunk - 2, "bXYZ", 4) == 0);
  ac_future_unref(f);
  CHECK_RC(ac_file_readline(file, &f), 0);
  CHECK_STR(await_text(loop, f), "tail\n");
  CHECK_RC(ac_file_readline(file, &f), 0);
  CHECK_RC(fwait(loop, f), 0);
  CHECK_RC(ac_future_result(f, &v), 0);
  CHECK_INT(v.u.bytes.len, kLong);
  const char *d = v.u.bytes.data;
  CHECK(d[0] == 'a' && d[kLong - 2] == 'a' && d[kLong - 1] == '\n');
  ac_future_unref(f);
  CHECK_RC(ac_file_readline(file, &f), 0);
  CHECK_STR(await_text(loop, f), "end");
  CHECK_RC(ac_file_close(file, &f), 0);
  wait_ok(loop, f);
  ac_file_unref(file);
  remove_dir();
  finish(loop);
}

int main(void) {
  RUN(test_requests_roundtrip);
  RUN(test_errors_as_python);
#ifdef _WIN32
  th_run("test_sparse_gigabyte # SKIP Windows files are not sparse unless marked so", skipped);
#else
  RUN(test_sparse_gigabyte);
#endif
  RUN(test_many_at_once);
  RUN(test_cancel_pending);
  RUN(test_loop_close_fails_pending);
  RUN(test_file_object);
  RUN(test_long_lines);
  RUN(test_file_closed_by_loop);
  if (access("/dev/full", W_OK) == 0)
    RUN(test_no_space_left);
  else
    th_run("test_no_space_left # SKIP no writable /dev/full", skipped);
  return th_finish();
}
