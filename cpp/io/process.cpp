// process.cpp — child processes on uv_spawn; see process.hpp.
#include "io/process.hpp"


#include <cerrno>
#include <csignal>

#include "core/value.hpp"
#include "io/net.hpp"
#include "io/stream.hpp"

namespace {

void exit_cb(uv_process_t *h, int64_t status, int term_signal) {
  static_cast<ac_process *>(h->data)->on_exit(status, term_signal);
}
void close_cb(uv_handle_t *h) { static_cast<ac_process *>(h->data)->on_close(); }

bool valid_mode(int m, bool allow_stdout) noexcept {
  if (m >= 0) return true;
  if (m == AC_PROCESS_STDOUT) return allow_stdout;
  return m == AC_PROCESS_PIPE || m == AC_PROCESS_DEVNULL || m == AC_PROCESS_INHERIT;
}

// Descriptors made for one spawn: closed in the parent once it is over.
struct SpawnFds {
  int child[3] = {-1, -1, -1};   // what the child gets as 0, 1, 2
  int parent[3] = {-1, -1, -1};  // our end of each pipe
  int devnull = -1;
  std::vector<int> close_after;
  ~SpawnFds() {
    for (int fd : close_after) ac::sys::close_file(fd);
    for (int fd : parent)
      if (fd >= 0) ac::sys::close_file(fd);
  }
};

}  // namespace

ac_process::ac_process(ac_loop *l) noexcept : loop(l) {
  loop->refs.fetch_add(1, std::memory_order_relaxed);
  proc.data = this;
  ac::value_init(&out_bytes);
  ac::value_init(&err_bytes);
}

ac_process::~ac_process() {
  magic = 0;
  if (registered) loop->remove_closable(this);
  for (ac_stream *&s : pipes) {
    if (s != nullptr) s->unref();
    s = nullptr;
  }
  for (ac_future *f : waiters) f->unref();
  ac::value_release(&out_bytes);
  ac::value_release(&err_bytes);
  ac_loop *l = loop;
  if (l->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) l->destroy();
}

void ac_process::unref() noexcept {
  if (--user_refs != 0) return;
  // The pipes go with the last reference (a stream the caller still holds
  // stays open); the child runs on and is reaped when it exits.
  for (ac_stream *&s : pipes) {
    if (s != nullptr) s->unref();
    s = nullptr;
  }
  maybe_free();
}

void ac_process::maybe_free() noexcept {
  if (user_refs == 0 && !handle_live) delete this;
}

int ac_process::spawn(const char *const *argv, const ac_process_options &o, bool verbatim) {
  if (!valid_mode(o.stdin_mode, false) || !valid_mode(o.stdout_mode, false) ||
      !valid_mode(o.stderr_mode, true))
    return AC_EINVAL;
  SpawnFds fds;
  const int modes[3] = {o.stdin_mode, o.stdout_mode, o.stderr_mode};
  for (int i = 0; i < 3; ++i) {
    int m = modes[i];
    if (m == AC_PROCESS_INHERIT) {
      fds.child[i] = i;
    } else if (m >= 0) {
      fds.child[i] = m;
    } else if (m == AC_PROCESS_DEVNULL) {
      if (fds.devnull < 0) {
        fds.devnull = ac::sys::open_null();
        if (fds.devnull < 0) return fds.devnull;
        fds.close_after.push_back(fds.devnull);
      }
      fds.child[i] = fds.devnull;
    } else if (m == AC_PROCESS_PIPE) {
      int sv[2];
      if (int e = ac::sys::socket_pair(sv, i == 0); e != 0) return e;
      fds.parent[i] = sv[0];
      fds.child[i] = sv[1];
      try {
        fds.close_after.push_back(sv[1]);
      } catch (...) {
        ac::sys::close_file(sv[1]);
        throw;
      }
    } else {  // AC_PROCESS_STDOUT (stderr only)
      fds.child[i] = fds.child[1];
    }
  }
  uv_stdio_container_t stdio[3];
  for (int i = 0; i < 3; ++i) {
    stdio[i].flags = UV_INHERIT_FD;
    stdio[i].data.fd = fds.child[i];
  }
  uv_process_options_t opts{};
  opts.exit_cb = exit_cb;
  opts.file = argv[0];
  opts.args = const_cast<char **>(argv);
  opts.env = const_cast<char **>(o.env);
  opts.cwd = o.cwd;
  opts.stdio_count = 3;
  opts.stdio = stdio;
  if (verbatim) opts.flags |= UV_PROCESS_WINDOWS_VERBATIM_ARGUMENTS;
  // Streams first (they allocate), so a failure after the child started
  // cannot happen.
  for (int i = 0; i < 3; ++i)
    if (fds.parent[i] >= 0) pipes[i] = ac::stream_new(loop, true);
  int rc = uv_spawn(loop->uvl, &proc, &opts);
  // libuv initialised the handle whether or not the child started.
  handle_live = true;
  proc.data = this;
  if (rc != 0) {
    for (ac_stream *&s : pipes) {
      if (s != nullptr) s->unref();
      s = nullptr;
    }
    close_handle();
    return rc;
  }
  pid = proc.pid;
  loop->add_closable(this);
  registered = true;
  for (int i = 0; i < 3; ++i) {
    if (pipes[i] == nullptr) continue;
    int pfd = fds.parent[i];
    fds.parent[i] = -1;  // the stream owns it now
    if (pipes[i]->adopt_pipe(pfd, i == 0) != 0) {
      pipes[i]->unref();
      pipes[i] = nullptr;
    }
  }
  return 0;
}

ac_future *ac_process::wait() {
  if (exited) {
    auto *f = ac::future_new(loop);
    ac_value v;
    ac::value_init(&v);
    v.kind = AC_VALUE_INT64;
    v.u.i64 = returncode;
    f->set_result(&v);
    return f;
  }
  return ac::future_listed(loop, waiters);
}

int ac_process::send_signal(int sig) noexcept {
  if (sig < 0 || sig >= NSIG) return AC_EINVAL;
  if (exited || !handle_live) return 0;  // reaped: the pid is not ours any more
  int rc = uv_process_kill(&proc, sig);
  // Windows can send only SIGTERM, SIGKILL and SIGINT (all three end the
  // child, as Python's Popen.terminate there) and 0; others are refused.
  if (rc == UV_ENOSYS) return AC_ENOTSUP;
  return rc == UV_ESRCH ? 0 : rc;
}

void ac_process::on_exit(int64_t status, int term_signal) noexcept {
  exited = true;
#ifdef _WIN32
  // A Windows child ended by terminate()/kill() exits with the code the
  // parent chose (1, TerminateProcess's in libuv): Python's Popen reports
  // that code, not -N; libuv's term_signal only echoes the signal we sent.
  (void)term_signal;
  returncode = static_cast<int>(status);
#else
  returncode = term_signal != 0 ? -term_signal : static_cast<int>(status);
#endif
  std::vector<ac_future *> ws;
  ws.swap(waiters);
  for (ac_future *f : ws) {
    if (!f->done()) {
      ac_value v;
      ac::value_init(&v);
      v.kind = AC_VALUE_INT64;
      v.u.i64 = returncode;
      f->set_result(&v);
    }
    f->unref();
  }
  close_handle();
}

void ac_process::close_handle() noexcept {
  if (registered) {
    loop->remove_closable(this);
    registered = false;
  }
  auto *h = reinterpret_cast<uv_handle_t *>(&proc);
  if (handle_live && !uv_is_closing(h)) uv_close(h, close_cb);
}

void ac_process::on_close() noexcept {
  handle_live = false;
  maybe_free();
}

void ac_process::close_for_loop() noexcept {
  registered = false;  // the loop is taking it off its list
  if (!exited && handle_live) {
    // As asyncio's transport close: a child still running is killed, and
    // reaped here, since the closed handle no longer lets libuv reap it.
    uv_process_kill(&proc, SIGKILL);
    ac::sys::reap_child(pid);
    exited = true;
#ifdef _WIN32
    returncode = 1;  // TerminateProcess's code (see on_exit)
#else
    returncode = -SIGKILL;
#endif
  }
  for (ac_future *f : waiters) {
    ac::future_fail(f, AC_ECLOSED);
    f->unref();
  }
  waiters.clear();
  auto *h = reinterpret_cast<uv_handle_t *>(&proc);
  if (handle_live && !uv_is_closing(h)) uv_close(h, close_cb);
}
