#include "thread/executor.hpp"

#include <new>
#include <system_error>

#include "core/future.hpp"
#include "core/value.hpp"
#include "thread/tsfuture.hpp"

namespace ac {

struct WorkFuture;

// One call of ac_to_thread.
//
// Threads: `fn`, `ud`, `rc` and `result` belong to whoever runs or cancels
// the work until it is handed back to the loop (through libuv's completion
// or a thread-safe post, both of which synchronise); `future` and the
// closable links belong to the loop's thread; qprev/qnext/queued to the
// executor's mutex.
//
// Lifetime on libuv's pool: the loop's thread owns the job; libuv always
// calls after_work (with UV_ECANCELED when removed from the queue), which
// finalises it. The uv request lives inside the job, so the job is never
// freed while a worker may touch it.
//
// Lifetime on a dedicated executor: two claims, finalised by the last one
// released, on whichever thread that is:
//  - the loop's: released when the result was delivered (loop thread), or
//    when the loop closes (close_for_loop);
//  - the pool's: released when the handed-back job was consumed or dropped
//    by the loop, or at once when the loop is closed by then.
// A job taken off the queue by the loop's thread (cancelled before it
// started) releases both at once.
struct Job final : Closable {
  std::atomic<int> claims{1};
  ac_loop *loop;
  ac_executor *ex = nullptr;
  WorkFn fn;
  void *ud;
  ac_free_fn free_ud;
  int rc = AC_ECANCELLED;  // until the function ran
  ac_value result{};
  ac_error *error = nullptr;  // the function's own error (ac_to_thread_v2)
  // A private copy of the submitter's context (null when empty): the
  // worker reads and replaces it during the call; released with the job.
  Context *context = nullptr;
  WorkFuture *future = nullptr;
  uv_work_t req{};
  Job *qprev = nullptr;
  Job *qnext = nullptr;
  bool queued = false;
  // Counted in loop->thread_jobs: from submission until the result is
  // delivered or nobody waits for it any more (loop thread only).
  bool counted = false;

  Job(ac_loop *l, WorkFn f, void *u, ac_free_fn fu) noexcept
      : loop(l), fn(f), ud(u), free_ud(fu) {
    value_init(&result);
    loop_hold(loop);
  }

  void execute() noexcept;
  void detach() noexcept;
  void count() noexcept {
    counted = true;
    ++loop->thread_jobs;
    // A hosted loop's next step re-arms what keeps the host's loop alive.
    if (loop->host_kick) loop->kick_host();
  }
  void uncount() noexcept {
    if (counted) {
      counted = false;
      --loop->thread_jobs;
    }
  }
  void deliver() noexcept;
  void cancel_from_loop() noexcept;
  void close_for_loop() noexcept override;
  void release(int n = 1) noexcept {
    if (claims.fetch_sub(n, std::memory_order_acq_rel) == n) finalize();
  }

 private:
  ~Job() = default;
  void finalize() noexcept;
  friend struct WorkFuture;
};

struct WorkFuture final : ac_future {
  Job *job = nullptr;  // while the work is outstanding (loop thread)
  explicit WorkFuture(ac_loop *l) noexcept : ac_future(l) {}
  const char *dump_kind() const noexcept override { return "to_thread"; }
  ~WorkFuture() override {
    if (job != nullptr) job->future = nullptr;  // the work goes on
  }
  bool cancel(const char *message) noexcept override {
    if (!ac_future::cancel(message)) return false;
    if (job != nullptr) job->cancel_from_loop();
    return true;
  }
};

namespace {
// The job whose function runs on this thread (its context is current).
thread_local Job *tl_job = nullptr;
}  // namespace

Context **worker_context(const ac_loop *loop) noexcept {
  Job *job = tl_job;
  if (job == nullptr || (loop != nullptr && job->loop != loop)) return nullptr;
  return &job->context;
}

void Job::execute() noexcept {
  ac_value v;
  value_init(&v);
  ac_error *err = nullptr;
  Job *prev = tl_job;
  tl_job = this;
  int r = fn.plain != nullptr ? fn.plain(ud, &v) : fn.with_error(ud, &v, &err);
  tl_job = prev;
  if (r > 0) r = AC_EINVAL;
  if (r == 0) {
    error_unref(err);  // a function that returned a result did not fail
    r = value_copy_in(&result, &v);
  } else {
    if (v.kind == AC_VALUE_POINTER && v.u.pointer.free_fn != nullptr)
      v.u.pointer.free_fn(v.u.pointer.ptr);  // a failing function's value
    if (err != nullptr && err->code >= 0) {
      error_unref(err);  // not an error code: ignored
      err = nullptr;
    }
    error = err;
    if (error != nullptr) r = error->code;
  }
  rc = r;
}

void Job::detach() noexcept {
  if (future != nullptr) {
    future->job = nullptr;
    future = nullptr;
  }
}

void Job::deliver() noexcept {
  WorkFuture *f = future;
  uncount();
  detach();
  if (f == nullptr || f->done()) return;
  if (rc == 0) {
    f->set_result(&result);  // moves it
  } else if (error != nullptr) {
    // The function's own error, with its message, cause and payload.
    if (rc == AC_ECANCELLED)
      f->cancel_now(error_ref(error));
    else
      f->set_error(error);
  } else if (rc == AC_ECANCELLED) {
    f->ac_future::cancel(nullptr);
  } else {
    ac_error *e = nullptr;
    try {
      e = error_new(rc, nullptr);
    } catch (...) {
    }
    f->set_error(e);
    error_unref(e);
  }
}

void Job::finalize() noexcept {
  value_release(&result);  // a result nobody received: its destructor runs
  error_unref(error);
  // Private to the job (never shared), so whichever thread finalises may
  // release it.
  context_unref(context);
  if (free_ud != nullptr) free_ud(ud);
  ac_loop *l = loop;
  ac_executor *x = ex;
  delete this;
  if (x != nullptr) x->release();
  loop_release(l);
}

void Job::cancel_from_loop() noexcept {
  uncount();
  detach();
  if (ex == nullptr) {
    // Removes it if no worker has it; after_work follows either way.
    uv_cancel(reinterpret_cast<uv_req_t *>(&req));
  } else if (ex->try_remove(this)) {
    loop->remove_closable(this);
    release(2);  // fn never runs: free_ud runs now
  }
}

void Job::close_for_loop() noexcept {
  // The loop has unlinked us. Its futures stay pending: nothing more will
  // be delivered.
  uncount();
  detach();
  if (ex == nullptr) {
    // ac_loop::close runs libuv until after_work has come for every job,
    // which for a running job means until its function returned.
    uv_cancel(reinterpret_cast<uv_req_t *>(&req));
  } else if (ex->try_remove(this)) {
    release(2);
  } else {
    release();  // the worker hands it back into a closed loop: it finalises
  }
}

namespace {

// ---- libuv's pool ----

void uv_work(uv_work_t *req) { static_cast<Job *>(req->data)->execute(); }

void uv_after_work(uv_work_t *req, int status) {
  auto *job = static_cast<Job *>(req->data);
  if (status == UV_ECANCELED) job->rc = AC_ECANCELLED;
  job->loop->remove_closable(job);  // no-op when the loop closed
  if (!job->loop->closed) job->deliver();
  job->release();
}

// ---- dedicated executors: handing a job back to its loop ----

void job_done_on_loop(ac_loop *loop, void *ud) {
  auto *job = static_cast<Job *>(ud);
  // A handle runs only on an open loop, so the job is still listed.
  loop->remove_closable(job);
  job->deliver();
  job->release();  // the loop's claim; the handle's free_ud drops the pool's
}

void job_release_pool_claim(void *ud) { static_cast<Job *>(ud)->release(); }

void hand_back(Job *job) noexcept {
  // On failure (closed loop) the pool's claim is released here at once.
  post_threadsafe(job->loop, job_done_on_loop, job, job_release_pool_claim);
}

thread_local const ac_executor *tl_worker_of = nullptr;

}  // namespace

int to_thread(ac_loop *loop, WorkFn fn, void *ud, ac_free_fn free_ud, ac_executor *ex,
              ac_future **out) noexcept {
  auto *job = new (std::nothrow) Job(loop, fn, ud, free_ud);
  if (job == nullptr) {
    if (free_ud != nullptr) free_ud(ud);
    return AC_ENOMEM;
  }
  // asyncio.to_thread runs the function in a copy of the current context.
  // The copy is the job's own (contexts are shared on the loop's thread
  // only): its entries, the values themselves, are shared.
  const Context *current = *loop->current_context;
  if (current != nullptr && !current->entries.empty()) {
    try {
      job->context = new Context();
      job->context->entries = current->entries;
    } catch (...) {
      job->release();
      return AC_ENOMEM;
    }
  }
  auto *f = new (std::nothrow) WorkFuture(loop);
  if (f == nullptr) {
    job->release();
    return AC_ENOMEM;
  }
  job->future = f;
  f->job = job;
  loop->add_closable(job);
  int rc;
  // Counted before a worker can hand it back (loop thread either way).
  if (ex == nullptr) {
    job->req.data = job;
    job->count();
    rc = uv_queue_work(loop->uvl, &job->req, uv_work, uv_after_work);
    if (rc != 0) job->uncount();
  } else {
    job->ex = ex;
    ex->hold();
    job->claims.store(2, std::memory_order_relaxed);
    job->count();
    rc = ex->submit(job);
    if (rc != 0) {
      job->uncount();
      job->claims.store(1, std::memory_order_relaxed);
    }
  }
  if (rc != 0) {
    loop->remove_closable(job);
    job->detach();
    job->release();  // free_ud runs now (never counted)
    f->refs = 0;
    delete f;
    return rc;
  }
  *out = f;
  return 0;
}

}  // namespace ac

// ---------------------------------------------------------------- executor

int ac_executor::start(uint32_t n) noexcept {
  try {
    threads.reserve(n);
  } catch (...) {
    return AC_ENOMEM;
  }
  int rc = 0;
  for (uint32_t i = 0; i < n; ++i) {
    hold();  // the thread's
    try {
      threads.emplace_back([this] { worker_main(); });
    } catch (const std::system_error &e) {
      release();
      rc = e.code().value() > 0 ? -e.code().value() : AC_EAGAIN;
      break;
    } catch (...) {
      release();
      rc = AC_ENOMEM;
      break;
    }
  }
  if (rc != 0) shutdown(AC_EXECUTOR_WAIT);
  return rc;
}

void ac_executor::unlink(ac::Job *job) noexcept {
  if (job->qprev != nullptr)
    job->qprev->qnext = job->qnext;
  else
    queue_head = job->qnext;
  if (job->qnext != nullptr)
    job->qnext->qprev = job->qprev;
  else
    queue_tail = job->qprev;
  job->qprev = job->qnext = nullptr;
  job->queued = false;
}

int ac_executor::submit(ac::Job *job) noexcept {
  {
    std::lock_guard<std::mutex> lock(mu);
    if (shut_down) return AC_ECLOSED;
    job->qprev = queue_tail;
    job->qnext = nullptr;
    if (queue_tail != nullptr)
      queue_tail->qnext = job;
    else
      queue_head = job;
    queue_tail = job;
    job->queued = true;
  }
  work_cv.notify_one();
  return 0;
}

bool ac_executor::try_remove(ac::Job *job) noexcept {
  std::lock_guard<std::mutex> lock(mu);
  if (!job->queued) return false;
  unlink(job);
  return true;
}

void ac_executor::worker_main() noexcept {
  ac::tl_worker_of = this;
  for (;;) {
    ac::Job *job;
    {
      std::unique_lock<std::mutex> lock(mu);
      work_cv.wait(lock, [this] { return queue_head != nullptr || shut_down; });
      if (queue_head == nullptr) break;  // shut down and drained
      job = queue_head;
      unlink(job);
    }
    job->execute();
    ac::hand_back(job);
  }
  ac::tl_worker_of = nullptr;
  release();  // may free the executor: nothing of it is touched after
}

bool ac_executor::is_own_worker() const noexcept { return ac::tl_worker_of == this; }

int ac_executor::shutdown(uint32_t flags) noexcept {
  if ((flags & AC_EXECUTOR_WAIT) != 0 && is_own_worker()) return AC_EWRONGTHREAD;
  ac::Job *cancelled = nullptr;  // chained through qnext
  {
    std::lock_guard<std::mutex> lock(mu);
    shut_down = true;
    if ((flags & AC_EXECUTOR_CANCEL_PENDING) != 0) {
      cancelled = queue_head;
      for (ac::Job *j = queue_head; j != nullptr; j = j->qnext) j->queued = false;
      queue_head = queue_tail = nullptr;
    }
  }
  work_cv.notify_all();
  while (cancelled != nullptr) {
    ac::Job *next = cancelled->qnext;
    cancelled->qprev = cancelled->qnext = nullptr;
    ac::hand_back(cancelled);  // rc is still AC_ECANCELLED: never ran
    cancelled = next;
  }
  if ((flags & AC_EXECUTOR_WAIT) != 0) {
    std::lock_guard<std::mutex> lock(join_mu);
    for (std::thread &t : threads) t.join();
    threads.clear();
  }
  return 0;
}

void ac_executor::drop_users() noexcept {
  shutdown(AC_EXECUTOR_DEFAULT);
  {
    // Nobody can wait for these threads any more: they exit on their own
    // once the queue is empty, each dropping its hold on the memory.
    std::lock_guard<std::mutex> lock(join_mu);
    for (std::thread &t : threads) t.detach();
    threads.clear();
  }
  release();  // the users' share
}
