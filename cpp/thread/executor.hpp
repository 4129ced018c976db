// executor.hpp — blocking work on worker threads: struct ac_executor (a
// dedicated pool) and the work items behind ac_to_thread, which run either
// on such a pool or on libuv's shared one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include <asyncore/thread.h>

#include "core/loop.hpp"

namespace ac {
constexpr uint32_t kExecutorMagic = 0x45786563;  // "Exec"
struct Job;
}  // namespace ac

// Lifetime: `user_refs` counts the API's references; when it reaches zero
// the pool is shut down (without waiting). `refs` counts the memory's
// holders: one for all users together, one per worker thread still alive,
// one per job handed out by this pool that has not been finalised.
struct ac_executor {
  uint32_t magic = ac::kExecutorMagic;
  std::atomic<int> user_refs{1};
  std::atomic<int> refs{1};

  // ---- the queue (guarded by mu) ----
  std::mutex mu;
  std::condition_variable work_cv;  // work queued, or shutting down
  ac::Job *queue_head = nullptr;    // FIFO, intrusive (Job::qprev/qnext)
  ac::Job *queue_tail = nullptr;
  bool shut_down = false;  // no new work; workers exit once the queue is empty

  // ---- the threads (guarded by join_mu) ----
  std::mutex join_mu;
  std::vector<std::thread> threads;  // emptied when joined or detached

  void hold() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  // Starts n threads; returns 0 or an error (no thread left running then).
  int start(uint32_t n) noexcept;
  // Queues a job; AC_ECLOSED after shutdown.
  int submit(ac::Job *job) noexcept;
  // Removes a job that has not started; false when a worker has it.
  bool try_remove(ac::Job *job) noexcept;
  int shutdown(uint32_t flags) noexcept;
  // The last user reference went.
  void drop_users() noexcept;
  bool is_own_worker() const noexcept;

 private:
  void worker_main() noexcept;
  void unlink(ac::Job *job) noexcept;  // under mu
};

namespace ac {
inline bool is_executor(const ac_executor *ex) noexcept {
  return ex != nullptr && ex->magic == kExecutorMagic;
}

// The function a job runs: the plain kind (ac_to_thread) or the one that
// may fail with an error object (ac_to_thread_v2); exactly one is set.
struct WorkFn {
  ac_work_fn plain = nullptr;
  ac_work_v2_fn with_error = nullptr;
};

// ac_to_thread(_v2): a new loop future (one reference) of fn run on `ex`,
// or on libuv's pool when ex is NULL, in a copy of the current task-local
// context. Loop thread. Returns 0 or an error, with free_ud run at once on
// error.
int to_thread(ac_loop *loop, WorkFn fn, void *ud, ac_free_fn free_ud, ac_executor *ex,
              ac_future **out) noexcept;

// On a worker thread running a job of `loop` (or of any loop when `loop` is
// null): where that job's context lives, which the worker may read and
// replace (its private copy). Null on any other thread.
Context **worker_context(const ac_loop *loop) noexcept;
}  // namespace ac
