// asyncore/process.hpp — child processes, signals, pipes and terminals
// (asyncio's create_subprocess_exec/_shell, Process, add_signal_handler,
// connect_read_pipe/connect_write_pipe), over asyncore/process.h,
// asyncore/signal.h and asyncore/pipe.h.
//
//   ac::Process p = ac::create_subprocess_exec({"ls", "-l"},
//                                              ac::ProcessOptions().stdout_pipe());
//   std::string line = co_await p.stdout_stream().readline();
//   int code = co_await p.wait();
//
//   ac::SignalSet sigs({SIGINT, SIGTERM});
//   int sig = co_await sigs.wait();
//
// A Process is a move-only handle; its destructor never blocks and never
// signals the child (the loop reaps it when it exits). Cancelling wait()
// or communicate() leaves the child running.
#pragma once

#include <asyncore.h>

#include <csignal>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "error.hpp"
#include "future.hpp"
#include "loop.hpp"
#include "stream.hpp"
#include "task.hpp"

namespace asyncore {

// How to start a child: each stream inherit() (the default), pipe(),
// devnull(), a descriptor, or (stderr) into stdout.
class ProcessOptions {
 public:
  ProcessOptions() noexcept { ac_process_options_init(&o_); }
  ProcessOptions &stdin_mode(int m) noexcept { o_.stdin_mode = m; return *this; }
  ProcessOptions &stdout_mode(int m) noexcept { o_.stdout_mode = m; return *this; }
  ProcessOptions &stderr_mode(int m) noexcept { o_.stderr_mode = m; return *this; }
  ProcessOptions &stdin_pipe() noexcept { return stdin_mode(AC_PROCESS_PIPE); }
  ProcessOptions &stdout_pipe() noexcept { return stdout_mode(AC_PROCESS_PIPE); }
  ProcessOptions &stderr_pipe() noexcept { return stderr_mode(AC_PROCESS_PIPE); }
  ProcessOptions &stderr_to_stdout() noexcept { return stderr_mode(AC_PROCESS_STDOUT); }
  // The child's whole environment, "NAME=value" each.
  ProcessOptions &env(std::vector<std::string> vars) {
    env_ = std::move(vars);
    has_env_ = true;
    return *this;
  }
  ProcessOptions &cwd(std::string dir) {
    cwd_ = std::move(dir);
    has_cwd_ = true;
    return *this;
  }
  // The C options; valid while this object lives and is not changed.
  const ac_process_options *c_options() {
    env_ptrs_.clear();
    for (const std::string &s : env_) env_ptrs_.push_back(s.c_str());
    env_ptrs_.push_back(nullptr);
    o_.env = has_env_ ? env_ptrs_.data() : nullptr;
    o_.cwd = has_cwd_ ? cwd_.c_str() : nullptr;
    return &o_;
  }

 private:
  ac_process_options o_{};
  std::vector<std::string> env_;
  std::vector<const char *> env_ptrs_;
  std::string cwd_;
  bool has_env_ = false, has_cwd_ = false;
};

// stdout and stderr as communicate() gives them.
struct ProcessOutput {
  std::string out;
  std::string err;
};

class Process {
 public:
  Process() noexcept = default;
  static Process adopt(ac_process *p) noexcept {
    Process x;
    x.p_ = p;
    return x;
  }
  Process(Process &&o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  Process &operator=(Process o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  // Never blocks, never signals the child.
  ~Process() { if (p_ != nullptr) ac_process_unref(p_); }

  int pid() const { return check(ac_process_pid(p_)); }
  // The exit status, -N for signal N; empty while the child runs.
  std::optional<int> returncode() const {
    int code = 0;
    if (check(ac_process_returncode(p_, &code)) == 1) return code;
    return std::nullopt;
  }
  // The pipes (a borrowed handle each; empty Stream when not a pipe).
  Stream stdin_stream() const { return pipe(ac_process_stdin(p_)); }
  Stream stdout_stream() const { return pipe(ac_process_stdout(p_)); }
  Stream stderr_stream() const { return pipe(ac_process_stderr(p_)); }

  detail::FutureAwaiter<int64_t> wait() {
    return detail::future_call<int64_t>([&](ac_future **f) { return ac_process_wait(p_, f); });
  }
  // Writes input, closes stdin, reads stdout and stderr to EOF, waits.
  Task<ProcessOutput> communicate(std::string input = {}) {
    ac_future *f = nullptr;
    check(ac_process_communicate(p_, input.data(), input.size(), &f));
    return collect(p_, Future::adopt(f));
  }
  void send_signal(int sig) { check(ac_process_send_signal(p_, sig)); }
  void terminate() { check(ac_process_terminate(p_)); }
  void kill() { check(ac_process_kill(p_)); }
  ac_process *get() const noexcept { return p_; }

 private:
  static Stream pipe(ac_stream *s) { return s != nullptr ? Stream::borrow(s) : Stream(); }
  static Task<ProcessOutput> collect(ac_process *p, Future done) {
    ac_process_ref(p);
    Process keep = adopt(p);
    co_await done;
    ac_value out, err;
    check(ac_process_take_output(p, &out, &err));
    ProcessOutput r;
    r.out.assign(static_cast<const char *>(out.u.bytes.data), out.u.bytes.len);
    r.err.assign(static_cast<const char *>(err.u.bytes.data), err.u.bytes.len);
    ac_value_clear(&out);
    ac_value_clear(&err);
    co_return r;
  }
  ac_process *p_ = nullptr;
};

// asyncio.create_subprocess_exec: argv[0] looked up in PATH.
inline Process create_subprocess_exec(const std::vector<std::string> &argv,
                                      ProcessOptions options = {}) {
  std::vector<const char *> a;
  for (const std::string &s : argv) a.push_back(s.c_str());
  a.push_back(nullptr);
  ac_process *p = nullptr;
  check(ac_process_exec(get_running_loop(), a.data(), options.c_options(), &p));
  return Process::adopt(p);
}
// asyncio.create_subprocess_shell: /bin/sh -c command.
inline Process create_subprocess_shell(const std::string &command, ProcessOptions options = {}) {
  ac_process *p = nullptr;
  check(ac_process_shell(get_running_loop(), command.c_str(), options.c_options(), &p));
  return Process::adopt(p);
}

// Signals of the running loop as something to await: each signal of the
// set is handled while the set lives (replacing the loop's handler for
// it) and removed by the destructor. wait() gives the next signal number;
// signals that came while nobody waited are kept, in order.
class SignalSet {
 public:
  explicit SignalSet(std::initializer_list<int> sigs) : loop_(get_running_loop()) {
    state_ = new State;
    for (int sig : sigs) {
      ++state_->refs;
      int rc = ac_loop_add_signal_handler(loop_, sig, &on_signal, state_, &release);
      if (rc < 0) {
        remove_all();
        release(state_);
        state_ = nullptr;
        throw_code(rc, ac_last_error_message(rc));
      }
      sigs_.push_back(sig);
    }
  }
  SignalSet(const SignalSet &) = delete;
  SignalSet &operator=(const SignalSet &) = delete;
  ~SignalSet() {
    if (state_ == nullptr) return;
    remove_all();
    if (state_->waiter != nullptr) {
      ac_future_cancel(state_->waiter, nullptr);
      ac_future_unref(state_->waiter);
      state_->waiter = nullptr;
    }
    release(state_);
  }

  // The next signal (asyncio has no twin; a loop of add_signal_handler
  // callbacks feeding a queue is the Python way).
  detail::FutureAwaiter<int64_t> wait() {
    return detail::future_call<int64_t>([&](ac_future **out) -> int {
      ac_future *f = nullptr;
      int rc = ac_future_new(loop_, &f);
      if (rc < 0) return rc;
      if (!state_->queued.empty()) {
        ac_future_set_result_int64(f, state_->queued.front());
        state_->queued.erase(state_->queued.begin());
      } else {
        if (state_->waiter != nullptr) ac_future_unref(state_->waiter);
        state_->waiter = ac_future_ref(f);
      }
      *out = f;
      return 0;
    });
  }

 private:
  struct State {
    int refs = 1;
    std::vector<int> queued;
    ac_future *waiter = nullptr;
  };
  static int on_signal(ac_loop *, int sig, void *ud) noexcept {
    auto *s = static_cast<State *>(ud);
    if (s->waiter != nullptr && ac_future_done(s->waiter) == 0) {
      ac_future_set_result_int64(s->waiter, sig);
      ac_future_unref(s->waiter);
      s->waiter = nullptr;
      return 0;
    }
    if (s->waiter != nullptr) {
      ac_future_unref(s->waiter);
      s->waiter = nullptr;
    }
    try {
      s->queued.push_back(sig);
    } catch (...) {
      return AC_ENOMEM;
    }
    return 0;
  }
  static void release(void *ud) noexcept {
    auto *s = static_cast<State *>(ud);
    if (--s->refs != 0) return;
    if (s->waiter != nullptr) ac_future_unref(s->waiter);
    delete s;
  }
  void remove_all() noexcept {
    for (int sig : sigs_) ac_loop_remove_signal_handler(loop_, sig);
    sigs_.clear();
  }
  ac_loop *loop_;
  State *state_ = nullptr;
  std::vector<int> sigs_;
};

// asyncio's connect_read_pipe / connect_write_pipe: a Stream over `fd`,
// which the stream owns from here on (pass a dup() to keep your own).
inline Stream connect_read_pipe(int fd) {
  ac_stream *s = nullptr;
  check(ac_pipe_connect_read(get_running_loop(), fd, &s));
  return Stream::adopt(s);
}
inline Stream connect_write_pipe(int fd) {
  ac_stream *s = nullptr;
  check(ac_pipe_connect_write(get_running_loop(), fd, &s));
  return Stream::adopt(s);
}

// A terminal as a Stream, with raw mode and its size.
class Tty {
 public:
  explicit Tty(int fd) {
    ac_stream *s = nullptr;
    check(ac_tty_open(get_running_loop(), fd, &s));
    stream_ = Stream::adopt(s);
  }
  Stream &stream() noexcept { return stream_; }
  void set_raw(bool raw) { check(ac_tty_set_raw(stream_.get(), raw ? 1 : 0)); }
  std::pair<int, int> winsize() const {  // {columns, rows}
    int c = 0, r = 0;
    check(ac_tty_get_winsize(stream_.get(), &c, &r));
    return {c, r};
  }

 private:
  Stream stream_;
};

}  // namespace asyncore
