// process.cpp — ac_process_* at the boundary, and communicate() as a small
// state machine over the public stream and future calls.
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/value.hpp"
#include "io/net.hpp"
#include "io/process.hpp"
#include "io/stream.hpp"
#include "../shim.hpp"

using ac::shim::check_loop;
using ac::shim::check_loop_fast;
using ac::shim::fail;

static int check_process(const ac_process *p) noexcept {
  if (!ac::is_process(p)) return fail(AC_EINVAL);
  return check_loop_fast(p->loop);
}

AC_API void ac_process_options_init(ac_process_options *o) noexcept {
  if (o == nullptr) return;
  o->stdin_mode = AC_PROCESS_INHERIT;
  o->stdout_mode = AC_PROCESS_INHERIT;
  o->stderr_mode = AC_PROCESS_INHERIT;
  o->env = nullptr;
  o->cwd = nullptr;
}

static int spawn_common(ac_loop *loop, const char *const *argv, const ac_process_options *options,
                        ac_process **out, bool verbatim = false) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (argv == nullptr || argv[0] == nullptr || argv[0][0] == '\0' || out == nullptr)
    return fail(AC_EINVAL);
  ac_process_options o;
  ac_process_options_init(&o);
  if (options != nullptr) o = *options;
  AC_GUARD({
    auto *p = new ac_process(loop);
    try {
      rc = p->spawn(argv, o, verbatim);
    } catch (...) {
      p->unref();
      throw;
    }
    if (rc != 0) {
      p->unref();  // freed once libuv closed the handle
      return fail(rc);
    }
    *out = p;
    return 0;
  })
}

AC_API int ac_process_exec(ac_loop *loop, const char *const *argv,
                           const ac_process_options *options, ac_process **out) noexcept {
  return spawn_common(loop, argv, options, out);
}

AC_API int ac_process_shell(ac_loop *loop, const char *command, const ac_process_options *options,
                            ac_process **out) noexcept {
  if (command == nullptr) return fail(AC_EINVAL);
#ifdef _WIN32
  // As Python's subprocess with shell=True: %COMSPEC% /c "command", the
  // command line passed as written (cmd.exe takes the quotes off itself).
  const char *comspec = std::getenv("COMSPEC");
  std::string quoted;
  AC_GUARD({ quoted = "\"" + std::string(command) + "\""; })
  const char *argv[] = {comspec != nullptr && comspec[0] != '\0' ? comspec : "cmd.exe", "/c",
                        quoted.c_str(), nullptr};
  return spawn_common(loop, argv, options, out, true);
#else
  const char *argv[] = {"/bin/sh", "-c", command, nullptr};
  return spawn_common(loop, argv, options, out);
#endif
}

AC_API ac_process *ac_process_ref(ac_process *p) noexcept {
  if (ac::is_process(p)) p->ref();
  return p;
}
AC_API void ac_process_unref(ac_process *p) noexcept {
  if (ac::is_process(p)) p->unref();
}
AC_API ac_loop *ac_process_get_loop(const ac_process *p) noexcept {
  return ac::is_process(p) ? p->loop : nullptr;
}
AC_API int ac_process_pid(const ac_process *p) noexcept {
  if (!ac::is_process(p)) return fail(AC_EINVAL);
  return p->pid;
}
AC_API int ac_process_returncode(const ac_process *p, int *code) noexcept {
  if (!ac::is_process(p)) return fail(AC_EINVAL);
  if (!p->exited) return 0;
  if (code != nullptr) *code = p->returncode;
  return 1;
}
AC_API ac_stream *ac_process_stdin(const ac_process *p) noexcept {
  return ac::is_process(p) ? p->pipes[0] : nullptr;
}
AC_API ac_stream *ac_process_stdout(const ac_process *p) noexcept {
  return ac::is_process(p) ? p->pipes[1] : nullptr;
}
AC_API ac_stream *ac_process_stderr(const ac_process *p) noexcept {
  return ac::is_process(p) ? p->pipes[2] : nullptr;
}

AC_API int ac_process_wait(ac_process *p, ac_future **out) noexcept {
  int rc = check_process(p);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL);
  if (p->loop->closed) return fail(AC_ECLOSED);
  AC_GUARD(*out = p->wait(); return 0;)
}

AC_API int ac_process_send_signal(ac_process *p, int sig) noexcept {
  int rc = check_process(p);
  if (rc != 0) return rc;
  rc = p->send_signal(sig);
  return rc != 0 ? fail(rc) : 0;
}
AC_API int ac_process_terminate(ac_process *p) noexcept { return ac_process_send_signal(p, SIGTERM); }
AC_API int ac_process_kill(ac_process *p) noexcept { return ac_process_send_signal(p, SIGKILL); }

// ---- communicate ----

namespace {

// Parts: 0 stdin (drain), 1 stdout (read to EOF), 2 stderr, 3 wait.
struct Communicate {
  int refs = 1;
  ac_process *proc;   // reference
  ac_future *outer;   // reference
  ac_future *parts[4] = {nullptr, nullptr, nullptr, nullptr};
  int pending = 0;
  bool finished = false;
  ac_value out{}, err{};

  Communicate(ac_process *p, ac_future *f) noexcept : proc(p), outer(f) {
    ac::value_init(&out);
    ac::value_init(&err);
  }
  void ref() noexcept { ++refs; }
  void unref() noexcept {
    if (--refs != 0) return;
    for (ac_future *&f : parts)
      if (f != nullptr) ac_future_unref(f);
    ac_value_clear(&out);
    ac_value_clear(&err);
    ac_future_unref(outer);
    ac_process_unref(proc);
    delete this;
  }
};

void comm_free(void *ud) { static_cast<Communicate *>(ud)->unref(); }
void part_done(ac_future *f, void *ud);

// Watches `f` as part `i` (takes the reference).
int watch_part(Communicate *c, int i, ac_future *f) noexcept {
  c->parts[i] = f;
  ++c->pending;
  c->ref();
  int rc = ac_future_add_done_callback(f, part_done, c, comm_free);
  if (rc != 0) --c->pending;
  return rc;
}

void finish(Communicate *c, int code) noexcept {
  if (c->finished) return;
  c->finished = true;
  c->proc->communicating = false;
  for (ac_future *f : c->parts)
    if (f != nullptr && !ac_future_done(f)) ac_future_cancel(f, nullptr);
  if (ac_future_done(c->outer)) return;
  if (code != 0) {
    ac_future_set_error_code(c->outer, code, nullptr);
    return;
  }
  ac_value_clear(&c->proc->out_bytes);
  ac_value_clear(&c->proc->err_bytes);
  c->proc->out_bytes = c->out;
  c->proc->err_bytes = c->err;
  ac::value_init(&c->out);
  ac::value_init(&c->err);
  c->proc->have_output = true;
  ac_future_set_result_int64(c->outer, c->proc->returncode);
}

void part_done(ac_future *f, void *ud) {
  auto *c = static_cast<Communicate *>(ud);
  int i = 0;
  while (i < 4 && c->parts[i] != f) ++i;
  if (i == 4 || c->finished) return;
  --c->pending;
  ac_value v;
  int rc = ac_future_get_state(f) == AC_FUTURE_CANCELLED ? AC_ECANCELLED : ac_future_result(f, &v);
  if (i == 0) {
    // asyncio's _feed_stdin: a child that does not read is no error.
    if (rc == AC_EPIPE || rc == AC_ECONNRESET) rc = 0;
    ac_stream_close(c->proc->pipes[0]);
  } else if (i == 1 || i == 2) {
    if (rc == 0) ac_future_take_result(f, i == 1 ? &c->out : &c->err);
  }
  if (rc != 0) {
    finish(c, rc);
    return;
  }
  if (i == 3) {
    finish(c, 0);
    return;
  }
  if (c->pending == 0) {
    ac_future *w = nullptr;
    rc = ac_process_wait(c->proc, &w);
    if (rc == 0) rc = watch_part(c, 3, w);
    if (rc != 0) finish(c, rc);
  }
}

void outer_done(ac_future *f, void *ud) {
  auto *c = static_cast<Communicate *>(ud);
  (void)f;
  // Cancelled from outside (a timeout scope, a task cancel): stop reading
  // and waiting; the child runs on.
  finish(c, AC_ECANCELLED);
}

}  // namespace

AC_API int ac_process_communicate(ac_process *p, const void *input, size_t len,
                                  ac_future **out) noexcept {
  int rc = check_process(p);
  if (rc != 0) return rc;
  if (out == nullptr || (input == nullptr && len != 0)) return fail(AC_EINVAL);
  if (p->loop->closed) return fail(AC_ECLOSED);
  if (p->communicating) return fail(AC_ESTATE, "communicate() is already running");
  ac_future *outer = nullptr;
  rc = ac_future_new(p->loop, &outer);
  if (rc != 0) return rc;
  auto *c = new (std::nothrow) Communicate(ac_process_ref(p), ac_future_ref(outer));
  if (c == nullptr) {
    ac_process_unref(p);
    ac_future_unref(outer);
    ac_future_unref(outer);
    return fail(AC_ENOMEM);
  }
  p->communicating = true;
  p->have_output = false;
  c->ref();
  rc = ac_future_add_done_callback(outer, outer_done, c, comm_free);
  // stdin: write the input, drain, close (asyncio 3.13 closes it also
  // without input, so that a child reading to EOF ends).
  if (rc == 0 && p->pipes[0] != nullptr) {
    int wrc = len != 0 ? ac_stream_write(p->pipes[0], input, len) : 0;
    ac_future *d = nullptr;
    if (wrc == 0 && ac_stream_drain(p->pipes[0], &d) == 0) {
      rc = watch_part(c, 0, d);
    } else {
      ac_stream_close(p->pipes[0]);
    }
  }
  for (int i = 1; i <= 2 && rc == 0; ++i) {
    if (p->pipes[i] == nullptr) continue;
    ac_future *r = nullptr;
    rc = ac_stream_read(p->pipes[i], SIZE_MAX, &r);
    if (rc == 0) rc = watch_part(c, i, r);
  }
  if (rc == 0 && c->pending == 0) {
    ac_future *w = nullptr;
    rc = ac_process_wait(p, &w);
    if (rc == 0) rc = watch_part(c, 3, w);
  }
  if (rc != 0) {
    finish(c, AC_ECANCELLED);
    c->unref();
    ac_future_cancel(outer, nullptr);
    ac_future_unref(outer);
    return fail(rc);
  }
  c->unref();
  *out = outer;
  return 0;
}

AC_API int ac_process_take_output(ac_process *p, ac_value *out, ac_value *err) noexcept {
  int rc = check_process(p);
  if (rc != 0) return rc;
  if (!p->have_output) return fail(AC_ESTATE);
  if (out != nullptr) {
    *out = p->out_bytes;
    ac::value_init(&p->out_bytes);
  }
  if (err != nullptr) {
    *err = p->err_bytes;
    ac::value_init(&p->err_bytes);
  }
  if (out != nullptr && out->kind != AC_VALUE_BYTES) ac_value_set_bytes(out, nullptr, 0);
  if (err != nullptr && err->kind != AC_VALUE_BYTES) ac_value_set_bytes(err, nullptr, 0);
  return 0;
}
