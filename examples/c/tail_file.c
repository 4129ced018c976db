/*
 * tail_file.c — one task appends lines to a file, another follows the file
 * ("tail -f") and prints each line as it appears.
 *
 * In asyncio's words (asyncio has no file objects of its own; this is the
 * shape the library's ac_file gives):
 *
 *   async def follow(path):
 *       f = await open(path, "r")
 *       while True:
 *           line = await f.readline()
 *           if not line:                 # at the end for now: look again
 *               await asyncio.sleep(0.05)
 *               continue
 *           print("tail:", line.rstrip("\n"))
 *           if line == "done\n":
 *               return
 *
 *   async def main():
 *       f = await open(path, "w")
 *       follower = asyncio.create_task(follow(path))
 *       for i in range(1, 4):
 *           f.write(f"line {i}\n")
 *           await f.drain()
 *           await asyncio.sleep(0.2)
 *       f.write("done\n")
 *       await f.close()
 *       await follower
 *
 * A read at the end of the file completes with what there is (an empty
 * line); the next read looks again, so the follower sees what the writer
 * appends. Only the follower prints, so the output is the same on any
 * clock.
 */
#include <asyncore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

struct follower {
  AC_ASYNC_FIELDS;
  ac_file *file;
  ac_future *line;
};

static int follow(ac_task *task, void *state) {
  struct follower *s = state;
  ac_loop *loop = ac_task_get_loop(task);
  int rc;
  AC_BEGIN(s);
  {
    ac_future *opened;
    if ((rc = ac_file_open(loop, path, "r", &s->file, &opened)) < 0) return rc;
    AC_AWAIT(s, ac_task_await_owned(task, opened));
    AC_CHECK(task);
  }
  for (;;) {
    ac_future_unref(s->line);
    s->line = NULL;
    if ((rc = ac_file_readline(s->file, &s->line)) < 0) return rc;
    AC_AWAIT(s, ac_task_await(task, s->line));
    AC_CHECK(task);
    {
      ac_value v;
      if ((rc = ac_future_result(s->line, &v)) < 0) return rc;
      const char *text = v.u.bytes.data;
      size_t len = v.u.bytes.len;
      if (len == 0) {
        AC_AWAIT(s, ac_task_sleep(task, 0.05));
        AC_CHECK(task);
        continue;
      }
      printf("tail: %.*s\n", (int)(text[len - 1] == '\n' ? len - 1 : len), text);
      if (len == 5 && memcmp(text, "done\n", 5) == 0) break;
    }
  }
  AC_END(s);
}

static void free_follower(void *state) {
  struct follower *s = state;
  ac_future_unref(s->line);
  ac_file_unref(s->file);
  free(s);
}

struct main_state {
  AC_ASYNC_FIELDS;
  ac_file *file;
  ac_task *follower;
  int i;
};

static int main_step(ac_task *task, void *state) {
  struct main_state *m = state;
  ac_loop *loop = ac_task_get_loop(task);
  int rc;
  AC_BEGIN(m);
  {
    ac_future *opened;
    if ((rc = ac_file_open(loop, path, "w", &m->file, &opened)) < 0) return rc;
    AC_AWAIT(m, ac_task_await_owned(task, opened));
    AC_CHECK(task);
  }
  {
    struct follower *s = calloc(1, sizeof *s);
    if (s == NULL) return AC_ENOMEM;
    if ((rc = ac_task_new(loop, follow, s, free_follower, 0, &m->follower)) < 0) return rc;
  }
  for (m->i = 1; m->i <= 3; m->i++) {
    {
      char line[32];
      int n = snprintf(line, sizeof line, "line %d\n", m->i);
      if ((rc = ac_file_write(m->file, line, (size_t)n)) < 0) return rc;
      ac_future *drained;
      if ((rc = ac_file_drain(m->file, &drained)) < 0) return rc;
      AC_AWAIT(m, ac_task_await_owned(task, drained));
      AC_CHECK(task);
    }
    AC_AWAIT(m, ac_task_sleep(task, 0.2));
    AC_CHECK(task);
  }
  if ((rc = ac_file_write(m->file, "done\n", 5)) < 0) return rc;
  {
    ac_future *closed;
    if ((rc = ac_file_close(m->file, &closed)) < 0) return rc;
    AC_AWAIT(m, ac_task_await_owned(task, closed));
    AC_CHECK(task);
  }
  AC_AWAIT(m, ac_task_await(task, ac_task_future(m->follower)));
  AC_CHECK(task);
  AC_END(m);
}

static void free_main(void *state) {
  struct main_state *m = state;
  ac_file_unref(m->file);
  ac_task_unref(m->follower);
}

int main(int argc, char **argv) {
  uint32_t flags = AC_LOOP_DEFAULT;
  if (argc > 1 && strcmp(argv[1], "--virtual-clock") == 0) flags |= AC_LOOP_VIRTUAL_CLOCK;
  setvbuf(stdout, NULL, _IOLBF, 0);
  snprintf(path, sizeof path, "/tmp/tail_file-%ld.txt", (long)getpid());
  struct main_state m = {0};
  int rc = ac_run(main_step, &m, free_main, flags, NULL, NULL);
  unlink(path);
  if (rc != 0) {
    fprintf(stderr, "tail_file: %s (%s)\n", ac_strerror(rc), ac_err_name(rc));
    return 1;
  }
  return 0;
}
