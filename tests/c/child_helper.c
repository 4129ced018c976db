/* child_helper.c — the child program of tests/c/subprocess.c, built for
 * the same system as the tests, so the process API is tested with real
 * children where there is no /bin/sh (Windows). One command per run:
 *   exit N         exits with status N
 *   echo ARGS...   prints its arguments joined by '|', then a newline
 *   cat            copies standard input to standard output until EOF
 *   both           "out" on stdout, then "err" on stderr (each flushed)
 *   env NAME       prints the variable's value, or "(unset)"
 *   cwd            prints the last part of its working directory
 *   flood N        writes N bytes ('a' to 'z' over and over) to stdout
 *   ask            reads a line, answers "got " and the line, twice
 *   sleep          sleeps for 60 s (the tests end it before then) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <direct.h>
#include <fcntl.h>
#include <io.h>
#include <windows.h>
#define getcwd _getcwd
#else
#include <unistd.h>
#endif

static void sleep_seconds(unsigned s) {
#ifdef _WIN32
  Sleep(s * 1000u);
#else
  sleep(s);
#endif
}

int main(int argc, char **argv) {
#ifdef _WIN32
  /* Bytes as they are: no CRLF translation on the pipes. */
  _setmode(_fileno(stdin), _O_BINARY);
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
#endif
  if (argc < 2) return 64;
  const char *cmd = argv[1];
  if (strcmp(cmd, "exit") == 0 && argc == 3) return atoi(argv[2]);
  if (strcmp(cmd, "echo") == 0) {
    for (int i = 2; i < argc; ++i) printf("%s%s", i > 2 ? "|" : "", argv[i]);
    printf("\n");
    return 0;
  }
  if (strcmp(cmd, "cat") == 0) {
    char buf[16384];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
      if (fwrite(buf, 1, n, stdout) != n) return 1;
    return ferror(stdin) ? 1 : 0;
  }
  if (strcmp(cmd, "both") == 0) {
    fputs("out\n", stdout);
    fflush(stdout);
    fputs("err\n", stderr);
    fflush(stderr);
    return 0;
  }
  if (strcmp(cmd, "env") == 0 && argc == 3) {
    const char *v = getenv(argv[2]);
    printf("%s\n", v != NULL ? v : "(unset)");
    return 0;
  }
  if (strcmp(cmd, "cwd") == 0) {
    char buf[4096];
    if (getcwd(buf, sizeof buf) == NULL) return 1;
    const char *last = buf;
    for (const char *p = buf; *p != '\0'; ++p)
      if ((*p == '/' || *p == '\\') && p[1] != '\0') last = p + 1;
    printf("%s\n", last);
    return 0;
  }
  if (strcmp(cmd, "flood") == 0 && argc == 3) {
    long n = atol(argv[2]);
    char buf[26 * 256];
    for (size_t i = 0; i < sizeof buf; ++i) buf[i] = (char)('a' + i % 26);
    while (n > 0) {
      size_t k = n < (long)sizeof buf ? (size_t)n : sizeof buf;
      if (fwrite(buf, 1, k, stdout) != k) return 1;
      n -= (long)k;
    }
    return 0;
  }
  if (strcmp(cmd, "ask") == 0) {
    char line[256];
    for (int i = 0; i < 2; ++i) {
      if (fgets(line, sizeof line, stdin) == NULL) return 1;
      printf("got %s", line);
      fflush(stdout);
    }
    return 0;
  }
  if (strcmp(cmd, "sleep") == 0) {
    sleep_seconds(60);
    return 0;
  }
  return 64;
}
