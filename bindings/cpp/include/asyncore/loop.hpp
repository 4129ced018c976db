// asyncore/loop.hpp — the event loop handle, the running loop, callbacks.
//
// Loop owns one reference to an ac_loop (move-only; dropping the last
// reference of an open loop closes it). Inside a task, or in a callback the
// loop runs, the loop is "running" on this thread: get_running_loop()
// finds it, as asyncio.get_running_loop() does, so create_task, sleep and
// the primitives need no loop argument.
//
// Callbacks are any callables; an exception a callback throws never reaches
// C: it is reported to the loop's exception handler (as asyncio reports an
// exception raised in a callback) and the loop goes on.
#pragma once

#include <asyncore.h>

#include <coroutine>
#include <cstdint>
#include <cstring>
#include <algorithm>
#include <chrono>
#include <exception>
#include <string>
#include <type_traits>
#include <vector>
#include <utility>

#include "error.hpp"

namespace asyncore {

template <class T>
class Task;
template <class T>
class TaskHandle;
class Future;
class Value;

namespace detail {

// A slow path kept out of line, so that the hot path it leaves keeps few
// registers live (a refusal builds a message; the hot path makes one C
// call).
#if defined(__GNUC__)
#define AC_CPP_COLD [[gnu::noinline, gnu::cold]]
#elif defined(_MSC_VER)
#define AC_CPP_COLD __declspec(noinline)
#else
#define AC_CPP_COLD
#endif

// The state of one C task that drives a chain of C++ coroutines (it lives
// in the root coroutine's promise): the step resumes `resume_point` (the
// innermost suspended coroutine); a leaf awaitable registers its C future
// with ac_task_await, records where to resume and suspends; the step then
// returns AC_STEP_AWAIT (or YIELD). Nested `co_await task()` never comes
// here: it runs inline, by symmetric transfer, in the same C task.
struct DriverState {
  // What the step returns when the coroutine suspended (none: it ended).
  enum class Suspend : uint8_t { none = 0, await = AC_STEP_AWAIT, yield = AC_STEP_YIELD };
  // Set by the step before it resumes the coroutine (a frame never
  // spawned leaves them unset: nothing reads them before a step):
  ac_task *task;        // the C task, while one of its steps runs
  Suspend suspended;    // how the coroutine left the step
  // Set when the frame is spawned (the loop: null when not known yet, read
  // at the first step); resume_point null until then.
  ac_loop *loop;
  std::coroutine_handle<> resume_point;
};

// What runs on this thread now: the driver whose step is running (if any)
// and the loop running it.
struct Running {
  DriverState *driver = nullptr;
  ac_loop *loop = nullptr;
};
inline thread_local Running tls_running;

class RunningScope {
 public:
  RunningScope(DriverState *d, ac_loop *l) noexcept : saved_(tls_running) { tls_running = {d, l}; }
  RunningScope(const RunningScope &) = delete;
  RunningScope &operator=(const RunningScope &) = delete;
  ~RunningScope() { tls_running = saved_; }

 private:
  Running saved_;
};

// Reports an exception a callback raised (a loop callback's or a
// done-callback's: asyncio runs both as handles) to the loop's exception
// handler, as asyncio does ("Exception in callback"; the loop makes the
// callback's handle the report's subject). Never throws.
inline void report_callback_exception(ac_loop *loop, std::exception_ptr ep) noexcept {
  ErrorRef e = ErrorRef::adopt(error_from_exception(ep));
  ac_loop_call_exception_handler(loop, "Exception in callback", e.get(), nullptr);
}

template <class F>
void callback_trampoline(ac_loop *loop, void *ud) noexcept {
  RunningScope scope(nullptr, loop);
  try {
    (*static_cast<F *>(ud))();
  } catch (...) {
    report_callback_exception(loop, std::current_exception());
  }
}
template <class F>
void delete_callable(void *ud) noexcept {
  delete static_cast<F *>(ud);
}

}  // namespace detail

// What reaches a loop's exception handler (asyncio's context dict): the
// message, the exception (null when none) and the report's subject — the
// key asyncio files it under: "future" (an error nobody retrieved), "task"
// (a task destroyed pending, or failing during run()'s shutdown), "handle"
// (a callback that raised), or empty.
struct ExceptionContext {
  std::string message;
  std::exception_ptr exception;
  ac_error *error = nullptr;    // the exception as the C error (borrowed)
  std::string subject;          // "future", "task", "handle" or ""
  ac_future *future = nullptr;  // the future or task, for those subjects (borrowed)
  ac_call *handle = nullptr;  // a call_soon/call_later callback's handle (borrowed)
  // The keys asyncio's context would hold, sorted ("exception, message,
  // task" …).
  std::string keys() const {
    std::vector<std::string> k;
    if (exception) k.push_back("exception");
    if (!message.empty()) k.push_back("message");
    if (!subject.empty()) k.push_back(subject);
    std::sort(k.begin(), k.end());
    std::string out;
    for (const auto &x : k) out += (out.empty() ? "" : ", ") + x;
    return out;
  }
};

// The loop running on this thread (borrowed), or null.
inline ac_loop *running_loop() noexcept { return detail::tls_running.loop; }
// The same, throwing RuntimeError when none runs (asyncio's "no running
// event loop").
inline ac_loop *get_running_loop() {
  ac_loop *l = detail::tls_running.loop;
  if (l == nullptr) throw RuntimeError("no running event loop");
  return l;
}

// Gives back memory the runtime keeps for reuse on this thread (ac_trim):
// the small blocks tasks, futures and coroutine frames were made of, kept
// after a burst, go back to the system where whole slabs of them are free.
// Returns the bytes given back: 0 when there was nothing, and where the
// runtime keeps nothing for reuse (AddressSanitizer, valgrind, Windows,
// ASYNCORE_POOL=0). Call it on the loop's thread when it is idle.
inline int64_t trim() noexcept {
  int64_t n = ac_trim();
  return n < 0 ? 0 : n;
}

// AC_LOOP_VIRTUAL_CLOCK when the command line holds "--virtual-clock" (the
// examples' switch), else AC_LOOP_DEFAULT.
inline uint32_t loop_flags_from_args(int argc, char **argv) noexcept {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--virtual-clock") == 0) return AC_LOOP_VIRTUAL_CLOCK;
  return AC_LOOP_DEFAULT;
}

// A scheduled callback; cancel() it before it runs. Move-only.
class CallbackHandle {
 public:
  CallbackHandle() noexcept = default;
  static CallbackHandle adopt(ac_call *h) noexcept {
    CallbackHandle c;
    c.h_ = h;
    return c;
  }
  CallbackHandle(CallbackHandle &&o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  CallbackHandle &operator=(CallbackHandle o) noexcept {
    std::swap(h_, o.h_);
    return *this;
  }
  ~CallbackHandle() { if (h_ != nullptr) ac_call_unref(h_); }
  // True if this call cancelled it (it had not run).
  bool cancel() noexcept { return ac_call_cancel(h_) == 1; }
  bool cancelled() const noexcept { return ac_call_cancelled(h_) == 1; }
  double when() const noexcept { return ac_call_when(h_); }
  ac_call *get() const noexcept { return h_; }

 private:
  ac_call *h_ = nullptr;
};

class Loop {
 public:
  // A new loop owned by this thread (flags: ac_loop_flags).
  explicit Loop(uint32_t flags = AC_LOOP_DEFAULT) { check(ac_loop_new(flags, &l_)); }
  // A loop on the host's libuv loop (ac_loop_new_on_uv): the host's
  // uv_run drives it; run_forever, run_until_complete and step throw
  // (AC_ENOTSUP). Pass a uv_loop_t *; uv.h is not needed here.
  static Loop on_uv(struct uv_loop_s *host, uint32_t flags = AC_LOOP_DEFAULT) {
    ac_loop *l = nullptr;
    check(ac_loop_new_on_uv(host, flags, &l));
    return Loop(l, 0);
  }
  static Loop adopt(ac_loop *l) noexcept { return Loop(l, 0); }
  static Loop borrow(ac_loop *l) noexcept { return Loop(ac_loop_ref(l), 0); }
  // The running loop (asyncio.get_running_loop()); RuntimeError if none.
  static Loop current() { return borrow(get_running_loop()); }
  Loop(Loop &&o) noexcept : l_(std::exchange(o.l_, nullptr)) {}
  Loop &operator=(Loop o) noexcept {
    std::swap(l_, o.l_);
    return *this;
  }
  ~Loop() { if (l_ != nullptr) ac_loop_unref(l_); }

  ac_loop *get() const noexcept { return l_; }
  double time() const noexcept { return ac_loop_time(l_); }
  bool is_closed() const noexcept { return ac_loop_is_closed(l_) == 1; }
  bool is_running() const noexcept { return ac_loop_is_running(l_) == 1; }
  void stop() { check(ac_loop_stop(l_)); }
  // Idempotent, as ac_loop_close.
  void close() {
    int rc = ac_loop_close(l_);
    if (rc != AC_ECLOSED) check(rc);
  }

  // asyncio.run's exit, bounded (ac_loop_shutdown): cancels every task
  // left, runs the loop until they have finished or `timeout` of real time
  // has passed, reports those that failed while cancelled, closes the
  // loop. Tasks still pending then ignored their cancellation: they are
  // abandoned (reported as destroyed while pending) and never resumed.
  // Returns how many. RuntimeError while the loop runs, or another runs on
  // this thread; on a closed loop; ValueError for a negative timeout.
  template <class Rep, class Period>
  size_t shutdown(std::chrono::duration<Rep, Period> timeout) {
    double seconds = std::chrono::duration<double>(timeout).count();
    if (!(seconds >= 0)) throw ValueError("shutdown: negative timeout");
    detail::RunningScope scope(nullptr, l_);
    return static_cast<size_t>(check_count(ac_loop_shutdown(l_, seconds)));
  }
  // shutdown with ac_run's bound (AC_RUN_SHUTDOWN_TIMEOUT, 5 s).
  size_t shutdown() { return shutdown(std::chrono::duration<double>(AC_RUN_SHUTDOWN_TIMEOUT)); }
  // A step (ac_loop_step) starts no more callbacks once `budget` of real
  // time has passed since its first one; zero: no time budget.
  template <class Rep, class Period>
  void set_time_budget(std::chrono::duration<Rep, Period> budget) {
    check(ac_loop_set_time_budget(l_, std::chrono::duration<double>(budget).count()));
  }
  void set_ready_budget(uint32_t callbacks) { check(ac_loop_set_ready_budget(l_, callbacks)); }
  // One iteration for a host that owns its frame loop (ac_loop_step),
  // blocking at most `max_block` seconds; returns the callbacks run.
  size_t step(double max_block = 0) {
    detail::RunningScope scope(nullptr, l_);
    return static_cast<size_t>(check_count(ac_loop_step(l_, max_block, nullptr, nullptr)));
  }

  void run_forever() {
    detail::RunningScope scope(nullptr, l_);
    check(ac_loop_run_forever(l_));
  }
  // Spawns `task` on this loop, runs until it is done, returns its result
  // or throws its exception (asyncio's loop.run_until_complete(coro)).
  // RuntimeError when the loop is closed or already running, or another
  // loop runs on this thread.
  template <class T>
  T run_until_complete(Task<T> task);
  // Runs until `future` is done; its result as a Value, or its exception.
  Value run_until_complete(const Future &future);

  // Spawns `task` as a task of this loop (asyncio's loop.create_task).
  template <class T>
  TaskHandle<T> create_task(Task<T> task, const char *name = nullptr);

  template <class F>
  CallbackHandle call_soon(F &&fn) {
    using Fn = std::decay_t<F>;
    ac_call *h = nullptr;
    check(ac_loop_call_soon(l_, &detail::callback_trampoline<Fn>, new Fn(std::forward<F>(fn)),
                            &detail::delete_callable<Fn>, &h));
    return CallbackHandle::adopt(h);
  }
  template <class F>
  CallbackHandle call_later(double delay, F &&fn) {
    using Fn = std::decay_t<F>;
    ac_call *h = nullptr;
    check(ac_loop_call_later(l_, delay, &detail::callback_trampoline<Fn>, new Fn(std::forward<F>(fn)),
                             &detail::delete_callable<Fn>, &h));
    return CallbackHandle::adopt(h);
  }
  template <class F>
  CallbackHandle call_at(double when, F &&fn) {
    using Fn = std::decay_t<F>;
    ac_call *h = nullptr;
    check(ac_loop_call_at(l_, when, &detail::callback_trampoline<Fn>, new Fn(std::forward<F>(fn)),
                          &detail::delete_callable<Fn>, &h));
    return CallbackHandle::adopt(h);
  }
  // Thread: any (hold the Loop, or another reference, meanwhile).
  template <class F>
  void call_soon_threadsafe(F &&fn) const {
    using Fn = std::decay_t<F>;
    check(ac_loop_call_soon_threadsafe(l_, &detail::callback_trampoline<Fn>,
                                       new Fn(std::forward<F>(fn)), &detail::delete_callable<Fn>));
  }

  // Replaces the exception handler (asyncio's set_exception_handler) with
  // fn(const ExceptionContext &), or with the C shape fn(const char
  // *message, ac_error *error, ac_future *future) (error and future may be
  // null, borrowed).
  template <class F>
  void set_exception_handler(F &&fn) {
    using Fn = std::decay_t<F>;
    check(ac_loop_set_exception_handler(
        l_,
        [](ac_loop *loop, const char *message, ac_error *error, ac_future *future, void *ud) {
          detail::RunningScope scope(nullptr, loop);
          try {
            if constexpr (std::is_invocable_v<Fn &, const ExceptionContext &>) {
              ExceptionContext ctx;
              ctx.message = message != nullptr ? message : "";
              ctx.exception = error != nullptr ? exception_from_error(error) : nullptr;
              ctx.error = error;
              const char *subject = ac_loop_exception_subject(loop);
              ctx.subject = subject != nullptr ? subject : "";
              ctx.future = future;
              ctx.handle = ac_loop_exception_call(loop);
              (*static_cast<Fn *>(ud))(ctx);
            } else {
              (*static_cast<Fn *>(ud))(message, error, future);
            }
          } catch (...) {
            // A throwing handler has nobody left to tell.
          }
        },
        new Fn(std::forward<F>(fn)), &detail::delete_callable<Fn>));
  }
  // Back to the default handler.
  void reset_exception_handler() { check(ac_loop_set_exception_handler(l_, nullptr, nullptr, nullptr)); }

  // Every pending task and what it awaits (ac_loop_dump): an await tree
  // as text, or JSON lines with `format` AC_DUMP_JSON. Loop thread; may be
  // called from a callback or a task of the loop.
  std::string dump(int format = AC_DUMP_TEXT) const {
    char *s = nullptr;
    check(ac_loop_dump(l_, format, &s));
    std::string out;
    try {
      out = s;
    } catch (...) {
      ac_free(s);
      throw;
    }
    ac_free(s);
    return out;
  }
  // The loop's counters (ac_loop_get_stats).
  ac_loop_stats stats() const {
    ac_loop_stats st{};
    int rc = ac_loop_get_stats(l_, &st, sizeof st);
    if (rc < 0) check(rc);
    return st;
  }

 private:
  Loop(ac_loop *l, int) noexcept : l_(l) {}
  ac_loop *l_ = nullptr;
};

}  // namespace asyncore
