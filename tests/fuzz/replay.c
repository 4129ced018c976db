/*
 * replay.c — runs inputs through a fuzz target's entry point without
 * libFuzzer, so that any build (gcc, valgrind, the sanitizer pass) replays
 * the committed corpus and the minimized crashes on every test run.
 *
 *   fuzz_x_replay DIR_OR_FILE...
 *
 * Every regular file of each directory (sorted by name, so runs are
 * repeatable) is one input; a missing directory is skipped. Exits 0 when
 * every input ran (a failing input aborts the process with its message),
 * 1 when no input at all was found.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    exit(1);
  }
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc(cap);
  size_t n;
  while (buf != NULL && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
    }
  }
  fclose(f);
  if (buf == NULL) {
    fprintf(stderr, "out of memory reading %s\n", path);
    exit(1);
  }
  fprintf(stderr, "replay %s (%zu bytes)\n", path, len);
  LLVMFuzzerTestOneInput(buf, len);
  free(buf);
  return 1;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) return 0;
  char **names = NULL;
  size_t count = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;  /* ., .., .gitkeep */
    if (count == cap) {
      cap = cap ? cap * 2 : 64;
      names = realloc(names, cap * sizeof *names);
      if (names == NULL) exit(1);
    }
    size_t len = strlen(dir) + strlen(e->d_name) + 2;
    names[count] = malloc(len);
    if (names[count] == NULL) exit(1);
    snprintf(names[count], len, "%s/%s", dir, e->d_name);
    count++;
  }
  closedir(d);
  if (count > 0) qsort(names, count, sizeof *names, by_name);
  int ran = 0;
  for (size_t i = 0; i < count; i++) {
    struct stat st;
    if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) ran += run_file(names[i]);
    free(names[i]);
  }
  free(names);
  return ran;
}

int main(int argc, char **argv) {
  int ran = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) continue;
    ran += S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]);
  }
  printf("%d inputs replayed\n", ran);
  return ran > 0 ? 0 : 1;
}
