/* proc_cpu.h — the W5 clients' reading of a server's CPU time, from
 * /proc/PID/stat (Linux). Included by w5_client.c and w5_tls_client.c. */
#ifndef ASYNCORE_BENCH_PROC_CPU_H
#define ASYNCORE_BENCH_PROC_CPU_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The user and system CPU seconds process `pid` has used so far; both 0
 * when unknown. */
static void proc_cpu(int pid, double out[2]) {
  out[0] = out[1] = 0;
  if (pid <= 0) return;
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (f == NULL) return;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  /* Fields after the command name, which is in parentheses: state is
   * field 3, utime 14 and stime 15 (in clock ticks). */
  char *p = strrchr(buf, ')');
  if (p == NULL) return;
  unsigned long long ticks[2] = {0, 0};
  int field = 2;
  for (char *tok = strtok(p + 1, " "); tok != NULL; tok = strtok(NULL, " ")) {
    ++field;
    if (field == 14) ticks[0] = strtoull(tok, NULL, 10);
    if (field == 15) {
      ticks[1] = strtoull(tok, NULL, 10);
      break;
    }
  }
  double hz = (double)sysconf(_SC_CLK_TCK);
  out[0] = (double)ticks[0] / hz;
  out[1] = (double)ticks[1] / hz;
}

#endif
