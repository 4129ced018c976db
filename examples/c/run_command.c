/*
 * run_command.c — run a command and read its output (asyncio's
 * create_subprocess_exec with stdout=PIPE, then create_subprocess_shell
 * with communicate()), in C.
 */
#include <asyncore.h>
#include <stdio.h>

struct main_state {
  AC_ASYNC_FIELDS;
  ac_process *proc;
  int n;
};

static int main_step(ac_task *t, void *p) {
  struct main_state *m = p;
  ac_loop *loop = ac_task_get_loop(t);
  ac_future *f;
  ac_value v, out, err;
  int rc;
  AC_BEGIN(m);
  {
    const char *argv[] = {"printf", "alpha\\nbeta\\ngamma\\n", NULL};
    ac_process_options o;
    ac_process_options_init(&o);
    o.stdout_mode = AC_PROCESS_PIPE;
    printf("$ printf 'alpha\\nbeta\\ngamma\\n'\n");
    if ((rc = ac_process_exec(loop, argv, &o, &m->proc)) != 0) return rc;
  }
  for (m->n = 1;; ++m->n) {
    if ((rc = ac_stream_readline(ac_process_stdout(m->proc), &f)) != 0) return rc;
    AC_AWAIT(m, ac_task_await_owned(t, f));
    AC_CHECK(t);
    ac_future_result(ac_task_awaited(t), &v);
    if (v.u.bytes.len == 0) break; /* EOF */
    printf("line %d: %.*s", m->n, (int)v.u.bytes.len - 1, (const char *)v.u.bytes.data);
    printf("\n");
  }
  if ((rc = ac_process_wait(m->proc, &f)) != 0) return rc;
  AC_AWAIT(m, ac_task_await_owned(t, f));
  AC_CHECK(t);
  ac_future_result(ac_task_awaited(t), &v);
  printf("exit status %lld\n", (long long)v.u.i64);
  ac_process_unref(m->proc);

  {
    ac_process_options o;
    ac_process_options_init(&o);
    o.stdout_mode = AC_PROCESS_PIPE;
    o.stderr_mode = AC_PROCESS_PIPE;
    printf("$ echo out; echo oops >&2; exit 3\n");
    if ((rc = ac_process_shell(loop, "echo out; echo oops >&2; exit 3", &o, &m->proc)) != 0)
      return rc;
  }
  if ((rc = ac_process_communicate(m->proc, NULL, 0, &f)) != 0) return rc;
  AC_AWAIT(m, ac_task_await_owned(t, f));
  AC_CHECK(t);
  ac_future_result(ac_task_awaited(t), &v);
  ac_process_take_output(m->proc, &out, &err);
  printf("stdout: %.*s", (int)out.u.bytes.len, (const char *)out.u.bytes.data);
  printf("stderr: %.*s", (int)err.u.bytes.len, (const char *)err.u.bytes.data);
  printf("exit status %lld\n", (long long)v.u.i64);
  ac_value_clear(&out);
  ac_value_clear(&err);
  ac_process_unref(m->proc);
  m->proc = NULL;
  AC_END(m);
}

int main(void) {
  /* --virtual-clock (the examples' common flag) changes nothing here:
   * children run in real time. */
  static struct main_state m;
  int rc = ac_run(main_step, &m, NULL, AC_LOOP_DEFAULT, NULL, NULL);
  if (rc != 0) {
    fprintf(stderr, "failed: %s\n", ac_err_name(rc));
    return 1;
  }
  return 0;
}
