/* fs_read.c — sequential file read throughput: a blocking read() loop
 * against the library's ac_fs_read (pread requests on libuv's thread
 * pool, one awaited at a time) and ac_file_read (the buffered file).
 *
 *   fs_read [MiB] [chunk KiB]     (defaults: 1024 MiB, 1024 KiB)
 *
 * The file is sparse (made with ftruncate, removed at the end) and read
 * once before timing: the costs are the system calls and the copies from
 * the page cache, not the disk. Prints one line
 * per way: MiB/s. */
#define _GNU_SOURCE
#include <asyncore.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t await_len(ac_loop *loop, ac_future *f) {
  ac_value v;
  if (ac_loop_run_until_complete(loop, f) != 0 || ac_future_result(f, &v) != 0) {
    ac_future_unref(f);
    return -1;
  }
  int64_t n = (int64_t)v.u.bytes.len;
  ac_future_unref(f);
  return n;
}

int main(int argc, char **argv) {
  int64_t mib = argc > 1 ? atoll(argv[1]) : 1024;
  size_t chunk = (size_t)(argc > 2 ? atoll(argv[2]) : 1024) * 1024;
  int64_t size = mib << 20;
  char path[] = "/tmp/ac-fs-read-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0 || ftruncate(fd, size) != 0) return 1;
  close(fd);

  char *buf = malloc(chunk);
  /* A first pass fills the page cache (a sparse file's pages are made on
   * first read), so every way reads from memory. */
  fd = open(path, O_RDONLY);
  while (read(fd, buf, chunk) > 0) {
  }
  close(fd);
  double t0 = now();
  int64_t total = 0;
  fd = open(path, O_RDONLY);
  for (ssize_t n; (n = read(fd, buf, chunk)) > 0;) total += n;
  close(fd);
  double blocking = now() - t0;
  if (total != size) return 2;

  ac_loop *loop = NULL;
  ac_loop_new(AC_LOOP_DEFAULT, &loop);
  ac_future *f;
  t0 = now();
  total = 0;
  ac_fs_open(loop, path, O_RDONLY, 0, &f);
  ac_loop_run_until_complete(loop, f);
  int64_t afd = -1;
  ac_future_result_int64(f, &afd);
  ac_future_unref(f);
  for (int64_t n = 1; n > 0; total += n) {
    ac_fs_read(loop, (int)afd, chunk, total, &f);
    n = await_len(loop, f);
  }
  ac_fs_close(loop, (int)afd, &f);
  ac_loop_run_until_complete(loop, f);
  ac_future_unref(f);
  double requests = now() - t0;
  if (total != size) return 3;

  t0 = now();
  total = 0;
  ac_file *file;
  ac_file_open(loop, path, "r", &file, &f);
  ac_loop_run_until_complete(loop, f);
  ac_future_unref(f);
  for (int64_t n = 1; n > 0; total += n) {
    ac_file_read(file, chunk, &f);
    n = await_len(loop, f);
  }
  ac_file_close(file, &f);
  ac_loop_run_until_complete(loop, f);
  ac_future_unref(f);
  ac_file_unref(file);
  double buffered = now() - t0;
  if (total != size) return 4;

  ac_loop_close(loop);
  ac_loop_unref(loop);
  unlink(path);
  free(buf);
  printf("HOW F1 blocking-read a read() loop, %zu KiB at a time\n", chunk >> 10);
  printf("HOW F1 asyncore-c-pread ac_fs_read of %zu KiB, one request awaited at a time\n", chunk >> 10);
  printf("HOW F1 asyncore-c ac_file_read of %zu KiB, one at a time\n", chunk >> 10);
  printf("RESULT F1 blocking-read %.0f MiB/s\n", (double)mib / blocking);
  printf("RESULT F1 asyncore-c-pread %.0f MiB/s\n", (double)mib / requests);
  printf("RESULT F1 asyncore-c %.0f MiB/s\n", (double)mib / buffered);
  return 0;
}
