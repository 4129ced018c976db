// asyncore/task.hpp — Task<T> coroutines, task handles, create_task, run.
//
// Task<T> is a lazy coroutine: calling `fetch()` builds its frame and runs
// nothing (asyncio's coroutine object). It runs when it is
//   - awaited: `T v = co_await fetch();` runs it inline, in the awaiting
//     task, by symmetric transfer (no C task, no loop round trip);
//   - spawned: `create_task(fetch())` wraps it in one C task
//     (ac_task_new) whose step resumes the coroutine chain, and returns a
//     TaskHandle<T> (asyncio.Task); the C task's result is the coroutine's
//     result encoded as value.hpp says, so C code can await it too;
//   - run: `asyncore::run(main())` (asyncio.run).
// A Task destroyed before it ran never runs: its frame (and the arguments it
// holds) are released at once. A spawned task runs to the end even when
// nobody holds its handle (the loop holds it), as in asyncio.
//
// Exceptions: an exception leaving a coroutine is stored in its promise and
// rethrown in the awaiting coroutine; leaving a spawned task it becomes the
// C task's error (error.hpp), so nothing is lost at the boundary; a task
// whose error nobody reads is reported by the loop ("exception was never
// retrieved"). No exception crosses into C.
#pragma once

#include <asyncore.h>

#include <coroutine>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "error.hpp"
#include "future.hpp"
#include "loop.hpp"
#include "value.hpp"

namespace asyncore {

namespace detail {

struct PromiseBase {
  std::coroutine_handle<> continuation;  // the awaiting coroutine, or null for a root
  std::exception_ptr error;
  // Used when this coroutine is the root of a C task: the task's state is
  // the frame itself, and the task lives in the frame's block (see
  // operator new).
  DriverState driver;
  // Awaited (it has a continuation) or spawned (a resume point) once.
  bool started() const noexcept { return continuation || driver.resume_point; }

  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      std::coroutine_handle<> c = h.promise().continuation;
      return c ? c : std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };
  std::suspend_always initial_suspend() const noexcept { return {}; }
  FinalAwaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }

  // Every coroutine frame comes from the runtime's small-block pool with
  // room in front for a C task (ac_task_state_alloc): a spawned frame and
  // its task are one block (AC_TASK_IN_STATE), made and freed at the
  // runtime's rate. A frame only awaited (never spawned) leaves the room
  // unused. (The frame's address, which spawn hands to the C task, is the
  // address operator new returned: GCC, Clang and MSVC lay frames out so.)
  static void *operator new(std::size_t n) {
    void *p = ac_task_state_alloc(n);
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }
  // A spawned frame's block is its task's: this then does nothing, and the
  // task frees the block once the frame is destroyed.
  static void operator delete(void *p, std::size_t n) noexcept { ac_task_state_free(p, n); }
};

template <class T>
struct Promise : PromiseBase {
  static_assert(!std::is_reference_v<T>, "Task<T&> is not supported; return a value or a pointer");
  std::optional<T> value;
  Task<T> get_return_object() noexcept;
  template <class U = T>
  void return_value(U &&v) {
    value.emplace(std::forward<U>(v));
  }
  T take() {
    if (error) std::rethrow_exception(error);
    return std::move(*value);
  }
};

template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() const noexcept {}
  void take() const {
    if (error) std::rethrow_exception(error);
  }
};

template <class T>
int driver_step(ac_task *t, void *state) noexcept;
template <class T>
int driver_step_unbound(ac_task *t, void *state) noexcept;
template <class T>
void driver_free(void *state) noexcept;
template <class T, class F>
void task_callback_trampoline(ac_future *f, void *ud) noexcept;

}  // namespace detail

template <class T = void>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using value_type = T;
  using handle_type = std::coroutine_handle<promise_type>;

  Task() noexcept = default;
  Task(Task &&o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  Task &operator=(Task o) noexcept {
    std::swap(h_, o.h_);
    return *this;
  }
  ~Task() {
    if (h_) h_.destroy();
  }

  bool valid() const noexcept { return static_cast<bool>(h_); }
  bool done() const noexcept { return h_ && h_.done(); }
  // Hands the frame over (to a driver).
  handle_type release() noexcept { return std::exchange(h_, nullptr); }

  class Awaiter {
   public:
    explicit Awaiter(handle_type h) noexcept : h_(h) {}
    bool await_ready() const noexcept { return !h_ || h_.done(); }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> caller) noexcept {
      if (h_.promise().started()) {
        busy_ = true;  // already running elsewhere: refuse, resume the caller
        return caller;
      }
      h_.promise().continuation = caller;
      return h_;
    }
    T await_resume() {
      if (!h_) throw RuntimeError("awaiting an empty Task");
      if (busy_) throw RuntimeError("cannot reuse already awaited coroutine");
      return h_.promise().take();
    }

   private:
    handle_type h_;
    bool busy_ = false;
  };
  // Runs the task inline in the awaiting coroutine; await each Task once.
  Awaiter operator co_await() && noexcept { return Awaiter(h_); }

 private:
  friend struct detail::Promise<T>;
  explicit Task(handle_type h) noexcept : h_(h) {}
  handle_type h_;
};

namespace detail {

template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}

// Stores the root coroutine's result or exception in the C task; returns
// what the step returns.
template <class T>
int finish(ac_task *t, Promise<T> &p) noexcept {
  if (!p.error) {
    try {
      if constexpr (std::is_void_v<T>) {
        return AC_STEP_DONE;
      } else if constexpr (is_int_like<T>) {
        return ac_task_return_int64(t, static_cast<int64_t>(*p.value));  // stored in place
      } else if constexpr (std::is_floating_point_v<T>) {
        return ac_task_return_double(t, static_cast<double>(*p.value));
      } else {
        ac_value v;
        Codec<T>::encode(std::move(*p.value), &v);
        int rc = ac_task_return(t, &v);
        if (rc < 0) Codec<T>::discard(&v);
        return rc;
      }
    } catch (...) {
      p.error = std::current_exception();
    }
  }
  ErrorRef e = ErrorRef::adopt(error_from_exception(p.error));
  if (!e) return AC_ENOMEM;
  return ac_task_raise(t, e.get());
}

// The end of a step in which the root coroutine did not suspend: its
// result or exception goes to the C task. A result of no type or an
// integer stays inline (one C call); the rest, once per task, out of line.
template <class T>
AC_CPP_COLD int driver_end_slow(ac_task *t, std::coroutine_handle<Promise<T>> root) noexcept {
  if (!root.done())
    return ac_task_fail(t, AC_EMISUSE, "a coroutine suspended on an awaitable foreign to asyncore");
  return finish<T>(t, root.promise());
}
template <class T>
int driver_end(ac_task *t, std::coroutine_handle<Promise<T>> root) noexcept {
  if (root.done() && !root.promise().error) [[likely]] {
    if constexpr (std::is_void_v<T>) return AC_STEP_DONE;
    if constexpr (is_int_like<T>)
      return ac_task_return_int64(t, static_cast<int64_t>(*root.promise().value));  // stored in place
  }
  return driver_end_slow<T>(t, root);
}

// The step of a C task whose state is a root coroutine frame (its
// address). LoopKnown: the frame was given its task's loop when spawned;
// otherwise (ac_run, a task group) the first step asks for it.
template <class T, bool LoopKnown>
int driver_step_of(ac_task *t, void *state) noexcept {
  auto root = std::coroutine_handle<Promise<T>>::from_address(state);
  DriverState &d = root.promise().driver;
  if constexpr (!LoopKnown) {
    if (d.loop == nullptr) [[unlikely]] d.loop = ac_task_get_loop(t);  // a task never changes loops
  }
  RunningScope scope(&d, d.loop);
  d.task = t;
  d.suspended = DriverState::Suspend::none;
  try {
    d.resume_point.resume();
  } catch (...) {
    // Unreachable: promises catch everything. Kept so nothing crosses into C.
    return ac_task_fail(t, AC_EINTERNAL, "exception escaped a coroutine resumption");
  }
  // (d.task stays: the scope's end makes the driver unreachable.)
  // Suspended: the step's code is the suspension's (AC_STEP_AWAIT or
  // AC_STEP_YIELD).
  if (d.suspended != DriverState::Suspend::none) [[likely]] return static_cast<int>(d.suspended);
  return driver_end<T>(t, root);
}
template <class T>
int driver_step(ac_task *t, void *state) noexcept {
  return driver_step_of<T, true>(t, state);
}
template <class T>
int driver_step_unbound(ac_task *t, void *state) noexcept {
  return driver_step_of<T, false>(t, state);
}

// The C task releases its state: the root frame goes, and with it every
// frame of the chain (each awaited Task is owned by its awaiter's frame).
template <class T>
void driver_free(void *state) noexcept {
  std::coroutine_handle<Promise<T>>::from_address(state).destroy();
}

[[noreturn]] AC_CPP_COLD inline void throw_empty_spawn() { throw ValueError("spawning an empty Task"); }

// Hands a Task's frame to a C task: returns the state for ac_task_new.
// `loop`, when the caller knows it, spares the first step asking for it.
template <class T>
void *as_driver_state(Task<T> &task, ac_loop *loop = nullptr) {
  if (!task.valid()) [[unlikely]] throw_empty_spawn();
  auto h = task.release();
  h.promise().driver.resume_point = h;
  h.promise().driver.loop = loop;
  return h.address();
}

}  // namespace detail

// One reference to a spawned task (asyncio.Task). Move-only; share() takes
// another. Dropping it does not stop the task. `co_await handle` waits for
// the task and gives its result as T (or throws its exception).
template <class T = void>
class TaskHandle {
 public:
  TaskHandle() noexcept = default;
  static TaskHandle adopt(ac_task *t) noexcept {
    TaskHandle h;
    h.t_ = t;
    return h;
  }
  static TaskHandle borrow(ac_task *t) noexcept { return adopt(ac_task_ref(t)); }
  TaskHandle(TaskHandle &&o) noexcept : t_(std::exchange(o.t_, nullptr)) {}
  TaskHandle &operator=(TaskHandle o) noexcept {
    std::swap(t_, o.t_);
    return *this;
  }
  ~TaskHandle() { if (t_ != nullptr) ac_task_unref(t_); }
  TaskHandle share() const noexcept { return borrow(t_); }

  ac_task *get() const noexcept { return t_; }
  ac_task *release() noexcept { return std::exchange(t_, nullptr); }
  explicit operator bool() const noexcept { return t_ != nullptr; }
  Future future() const noexcept { return Future::borrow(detail::task_future(t_)); }

  // Requests cancellation: true if requested, false if already done.
  // Without a message the CancelledError's message is empty (asyncio).
  bool cancel(const char *message = nullptr) const { return check(ac_task_cancel(t_, message)) == 1; }
  int64_t cancelling() const noexcept { return ac_task_cancelling(t_); }
  int64_t uncancel() noexcept { return ac_task_uncancel(t_); }
  bool done() const noexcept { return ac_future_done(detail::task_future(t_)) == 1; }
  bool cancelled() const noexcept { return ac_future_cancelled(detail::task_future(t_)) == 1; }
  std::string name() const {
    const char *n = ac_task_name(t_);
    return n != nullptr ? n : "";
  }
  void set_name(const char *name) { check(ac_task_set_name(t_, name)); }
  // Creation order among the process's tasks, as Loop::dump shows it.
  uint64_t id() const noexcept { return ac_task_get_id(t_); }

  // The result of a done task, or its exception (CancelledError when
  // cancelled); InvalidStateError while pending ("Result is not set.").
  T result() const { return detail::read_result<T>(detail::task_future(t_)); }
  // The exception of a done task, or null when it has a result;
  // CancelledError is raised for a cancelled one, InvalidStateError while
  // pending (asyncio's Task.exception()).
  std::exception_ptr exception() const { return detail::read_exception(detail::task_future(t_)); }

  // fn(TaskHandle<T> &) runs through the loop once the task is done (never
  // inline). An exception it throws goes to the exception handler.
  template <class F>
  void add_done_callback(F &&fn) {
    using Fn = std::decay_t<F>;
    check(ac_future_add_done_callback(detail::task_future(t_), &detail::task_callback_trampoline<T, Fn>,
                                      new Fn(std::forward<F>(fn)), &detail::delete_callable<Fn>));
  }

  // Awaits the task through the handle's own reference (the handle
  // outlives the await; the task takes a reference if it suspends): no
  // reference taken and dropped when the task is done already.
  class Awaiter {
   public:
    explicit Awaiter(ac_future *f) noexcept : fut_(f) {}
    bool await_ready() const noexcept { return ac_future_done(fut_) == 1; }
    bool await_suspend(std::coroutine_handle<> h) {
      return suspended_ = detail::suspend_on(fut_, h, failure_);
    }
    T await_resume() { return detail::end_await<T>(failure_, suspended_, fut_); }

   private:
    ac_future *fut_;
    detail::Failure failure_;
    bool suspended_ = false;
  };
  Awaiter operator co_await() const noexcept { return Awaiter(detail::task_future(t_)); }
  // For the combinators (wait_for, shield, gather …): the C future.
  ac_future *c_future() const noexcept { return detail::task_future(t_); }
  // The same task (a task is compared by identity, as in asyncio).
  bool operator==(const TaskHandle &o) const noexcept { return t_ == o.t_; }

 private:
  ac_task *t_ = nullptr;
};

namespace detail {
template <class T, class F>
void task_callback_trampoline(ac_future *f, void *ud) noexcept {
  ac_loop *loop = ac_future_get_loop(f);
  RunningScope scope(nullptr, loop);
  try {
    TaskHandle<T> view = TaskHandle<T>::borrow(ac_future_as_task(f));
    (*static_cast<F *>(ud))(view);
  } catch (...) {
    report_callback_exception(loop, std::current_exception());
  }
}
}  // namespace detail

// Spawns `task` on `loop` (flags: ac_task_flags, e.g. AC_TASK_EAGER: the
// task's first step runs inside this call, as asyncio's eager tasks).
template <class T>
TaskHandle<T> spawn(ac_loop *loop, Task<T> task, const char *name = nullptr,
                    uint32_t flags = AC_TASK_DEFAULT) {
  void *state = detail::as_driver_state(task, loop);
  ac_task *t = nullptr;
  // The task is made in the frame's room: one block. On failure ac_task_new
  // releases the frame itself (free_state).
  check(ac_task_new(loop, &detail::driver_step<T>, state, &detail::driver_free<T>, flags | AC_TASK_IN_STATE, &t));
  TaskHandle<T> h = TaskHandle<T>::adopt(t);
  if (name != nullptr) h.set_name(name);
  return h;
}

// Spawns `task` on the running loop (asyncio.create_task).
template <class T>
TaskHandle<T> create_task(Task<T> task, const char *name = nullptr) {
  return spawn(get_running_loop(), std::move(task), name);
}

// The running task (asyncio.current_task), or an empty handle outside any
// task (in a callback).
inline TaskHandle<Value> current_task() noexcept {
  ac_loop *l = running_loop();
  return l != nullptr ? TaskHandle<Value>::borrow(ac_loop_current_task(l)) : TaskHandle<Value>();
}

// The tasks of the running loop not done yet, in creation order
// (asyncio.all_tasks).
inline std::vector<TaskHandle<Value>> all_tasks() {
  std::vector<TaskHandle<Value>> out;
  check_count(ac_loop_foreach_task(
      get_running_loop(),
      [](ac_task *t, void *ud) {
        try {
          static_cast<std::vector<TaskHandle<Value>> *>(ud)->push_back(TaskHandle<Value>::borrow(t));
        } catch (...) {
          // Out of memory: the task is left out (nothing may cross into C).
        }
      },
      &out));
  return out;
}

template <class T>
TaskHandle<T> Loop::create_task(Task<T> task, const char *name) {
  return spawn(l_, std::move(task), name);
}

template <class T>
T Loop::run_until_complete(Task<T> task) {
  TaskHandle<T> h = spawn(l_, std::move(task));
  {
    detail::RunningScope scope(nullptr, l_);
    int rc = ac_loop_run_until_complete(l_, detail::task_future(h.get()));
    // Stopped, re-entered, closed, wrong thread: the task is still pending.
    if (!h.done()) throw_code(rc < 0 ? rc : AC_ESTATE);
  }
  return h.result();
}

// asyncio.run(main()): a new loop (flags: ac_loop_flags), runs `main` to
// completion, cancels what is left, closes the loop; returns main's result
// or throws its exception. RuntimeError when called from a running loop
// (`main` is then dropped without running).
template <class T>
T run(Task<T> main, uint32_t loop_flags = AC_LOOP_DEFAULT) {
  if (!main.valid()) throw ValueError("running an empty Task");
  void *state = detail::as_driver_state(main);
  detail::OwnedValue result;
  ac_error *err = nullptr;
  int rc = ac_run(&detail::driver_step_unbound<T>, state, &detail::driver_free<T>, loop_flags, &result.v, &err);
  if (rc < 0) {
    ErrorRef e = ErrorRef::adopt(err);
    if (e) throw_error(e.get());
    throw_code(rc);
  }
  if constexpr (!std::is_void_v<T>) return detail::Codec<T>::decode(result.v);
}

}  // namespace asyncore
