// loop.hpp — the event loop (struct ac_loop).
//
// One iteration (run_once), in order:
//   1. poll I/O through libuv: without blocking when callbacks are ready or a
//      stop is pending; otherwise until the next timer (or I/O, or a
//      thread-safe wake-up);
//   2. virtual clock only: if nothing became ready, jump to the next timer,
//      unless work of the loop on other threads holds the clock (executor
//      jobs: outside_work): then the
//      poll of 1 waited for them for real instead;
//   3. due timers join the ready queue, in (deadline, scheduling order)
//      order, behind the callbacks already ready (asyncio's order);
//   4. run the callbacks ready at this point in FIFO order (those they
//      schedule wait for the next iteration, as in asyncio), at most the
//      ready budget. I/O is polled when nothing is ready and otherwise once
//      per ready budget of callbacks, so it is never starved.
//
// A hosted loop (ac_loop_new_on_uv) lives on a libuv loop that its host
// owns and runs: every libuv handle and request of ours is made on `uvl`,
// the host's loop, and the host's uv_run does the polling. A check handle
// runs one step of ours (without a poll: 1 is the host's) after each of
// the host's polls; an idle handle, active while callbacks are ready, keeps
// that poll from blocking; the wake timer is armed for our next deadline.
// Closing leaves the host's loop running: the close callbacks of our
// handles come during its later iterations and each holds a reference to
// the loop's memory until then (see close()).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include <uv.h>

#include <asyncore/loop.h>

#include "core/assert.hpp"
#include "core/context.hpp"
#include "core/ready_queue.hpp"
#include "core/timer_heap.hpp"

struct ac_task;

namespace ac {
// The address of a thread-local marker identifies the calling thread cheaply.
// A byte per thread, whose address is the thread's token (loop.cpp).
extern constinit thread_local char tl_thread_marker __attribute__((tls_model("initial-exec")));
inline const void *thread_token() noexcept { return &tl_thread_marker; }
// The loop running on the calling thread (inside run_forever,
// run_until_complete or step), or null: asyncio's _get_running_loop.
ac_loop *running_loop() noexcept;

// Marks a hosted loop running on this thread while one of its libuv
// callbacks calls user code directly (the host's uv_run called it, outside
// any step of ours), as a step would. No effect on a loop already running.
class HostCallbackScope {
 public:
  explicit HostCallbackScope(ac_loop *loop) noexcept;
  ~HostCallbackScope();
  HostCallbackScope(const HostCallbackScope &) = delete;
  HostCallbackScope &operator=(const HostCallbackScope &) = delete;

 private:
  ac_loop *loop_ = nullptr;
  ac_loop *prev_ = nullptr;
};

// Holds the loop's memory (not a user reference: the loop may close);
// loop_release lets it go (the last one frees the loop).
inline void loop_hold(ac_loop *loop) noexcept;
void loop_release(ac_loop *loop) noexcept;

// Something with libuv resources that must be closed with the loop
// (streams, servers, pools of later subsystems). Registered by them.
struct Closable {
  virtual void close_for_loop() noexcept = 0;
  Closable *next_closable = nullptr;
  Closable *prev_closable = nullptr;

 protected:
  ~Closable() = default;
};
}  // namespace ac

struct ac_loop {
  // ---- lifetime ----
  // `user_refs` counts the API's references (ac_loop_ref/unref); when it
  // reaches zero the loop is closed. `refs` counts the objects that point
  // at the loop (futures, tasks, handles) plus one for all users together;
  // the memory goes when it reaches zero.
  std::atomic<int> user_refs{1};
  std::atomic<int> refs{1};
  bool closed = false;

  // ---- thread ownership: set at creation and by bind_thread only ----
  // Atomic because other threads read it to refuse their calls (and
  // bind_thread writes it from the new owner's thread).
  std::atomic<const void *> owner{nullptr};

  // ---- scheduling state (loop thread only) ----
  uv_loop_t uv{};  // our own libuv loop (unused when hosted)
  // The libuv loop every handle and request of ours is made on: `uv`, or
  // the host's (hosted loops; its `data` is the host's, never touched).
  uv_loop_t *uvl = &uv;
  uv_timer_t wake_timer{};  // bounds the blocking poll by the next deadline
                            // (hosted: armed for the next timer of ours)
  uv_async_t async{};       // wakes the poll for thread-safe submissions
  // ---- hosted loops only (see the header comment) ----
  bool hosted = false;
  // Set while the idle handle is stopped: the next callback or timer
  // scheduled from outside a step starts it (kick_host).
  bool host_kick = false;
  double host_timer_when = -1;  // the deadline the wake timer is armed for
  uv_check_t host_check{};
  uv_idle_t host_idle{};
  ac::ReadyQueue ready;
  ac::TimerHeap timers;
  uint64_t timer_seq = 0;
  uint32_t ready_budget = 1024;
  uint32_t ran_since_poll = 0;  // callbacks run since I/O was last polled
  // ac_loop_set_time_budget: a step stops running callbacks once this many
  // nanoseconds have passed since its first callback (0: no time budget).
  uint64_t time_budget_ns = 0;
  // The running step's budget (time_budget_ns during a step, else 0) and
  // deadline (uv_hrtime), 0 until its first callback.
  uint64_t step_budget_ns = 0;
  uint64_t budget_deadline = 0;
  bool budget_spent = false;  // the deadline passed: the step ends
  // ---- the run and how it ends (loop thread) ----
  // `running`: inside run_forever, run_until_complete or step (or a hosted
  // loop's HostCallbackScope, or flush_backend between runs): set and
  // cleared by them. Atomic: bind_thread reads it from another thread.
  // `stopping`: ac_loop_stop was called. The run returns after the batch
  // under way — asyncio's stop(): the callbacks ready when the batch began
  // still run, the ones they schedule wait — or, asked between batches,
  // after the next one (the poll does not block then). Only stop() sets it
  // (stop while stopping changes nothing); only end_run clears it (a stop
  // asked between runs holds for the next run's first batch). The
  // batch itself is the ready queue's snapshot (ReadyQueue::begin_batch):
  // no count of its own here.
  // `interrupted`: ac_loop_interrupt (interrupt()): the run returns after
  // the callback running now. Set only while running; cleared by end_run.
  std::atomic<bool> running{false};
  bool stopping = false;
  bool interrupted = false;
  bool virtual_clock = false;
  double virtual_now = 0;
  // One future already done with NONE, handed out (with a reference) for
  // operations that complete at once: a done future cannot change, so one
  // serves every caller. Released by close().
  ac_future *done_none = nullptr;

  // ---- tasks ----
  ac_task *current_task = nullptr;
  ac_task *tasks_head = nullptr;  // pending tasks, creation order
  ac_task *tasks_tail = nullptr;
  size_t task_count = 0;

  // ---- task-local context ----
  ac::Context *base_context = nullptr;
  // Where the running code's context lives: the base, a task's, or the
  // private copy of a running callback.
  ac::Context **current_context = &base_context;

  // ---- counters (ac_loop_get_stats); loop thread only ----
  uint64_t tasks_created = 0;
  uint64_t callbacks_run = 0;
  uint64_t iterations = 0;
  uint64_t poll_ns = 0;      // in the I/O poll (blocking or not)
  uint64_t callback_ns = 0;  // in batches of ready callbacks

  // ---- debugging and errors ----
  bool debug = false;
  double slow_callback_duration = 0.1;
  ac_exception_handler_fn exc_fn = nullptr;
  void *exc_ud = nullptr;
  ac_free_fn exc_free = nullptr;

  // ---- thread-safe submissions ----
  std::mutex ts_mutex;
  bool ts_closed = false;               // guarded by ts_mutex
  std::atomic<bool> ts_has_pending{false};  // a cheap peek before locking
  std::vector<ac_call *> ts_pending;  // guarded by ts_mutex

  // ---- subsystems with libuv handles ----
  ac::Closable *closables = nullptr;

  // ---- work on other threads the loop waits for (loop thread only) ----
  // Executor jobs (ac_to_thread) whose future still waits for the result.
  uint32_t thread_jobs = 0;
  // Loop futures following a thread-safe future (ac_tsfuture_wrap) that
  // are still pending.
  uint32_t ts_waits = 0;
  // Work on other threads that the virtual clock waits for before it
  // jumps (loop.h, AC_LOOP_VIRTUAL_CLOCK): its results arrive at the
  // virtual time the work started, whatever it costs in real time.
  bool outside_work() const noexcept { return thread_jobs > 0; }

  // Creates and initialises; throws std::bad_alloc or returns a libuv error
  // through *rc (then returns nullptr).
  static ac_loop *create(uint32_t flags, int *rc);
  // The same on the host's libuv loop `host` (ac_loop_new_on_uv).
  static ac_loop *create_on(uv_loop_t *host, uint32_t flags, int *rc);
  void destroy() noexcept;

  bool owned_by_caller() const noexcept {
    return owner.load(std::memory_order_relaxed) == ac::thread_token();
  }
  double now() const noexcept;

  // Scheduling primitives (loop thread; throw std::bad_alloc). On a closed
  // loop nothing runs and nothing would ever drain the queue: the entry is
  // dropped at once (its claim released, a callback's free_ud run).
  void schedule(ac::Runnable *r) {
    if (closed) [[unlikely]] {
      r->drop();
      return;
    }
    ready.push(r);
    if (host_kick) [[unlikely]] kick_host();
  }
  // A due timer (or a deadline already past) joins the ready queue; its
  // seq, which orders it only in the heap, keeps its ticket there, so a
  // cancellation takes it out in O(1) (remove_timer).
  void schedule_due(ac::TimerNode *n) {
    uint64_t ticket = ready.next_ticket();
    schedule(n);
    n->seq = ticket;
    n->set_hop_queued(true);
  }
  void add_timer(ac::TimerNode *n, double when) {
    n->when = when;
    n->seq = timer_seq++;
    timers.push(n);
    if (host_kick) [[unlikely]] kick_host();
  }
  // Takes an armed timer out of the heap, or out of the ready queue when it
  // is due but has not fired yet. True if it was in either: the caller then
  // holds the heap's claim and must release it.
  bool remove_timer(ac::TimerNode *n) noexcept {
    if (n->heap_index() != ac::TimerNode::npos) {
      timers.remove(n);
      return true;
    }
    if (n->hop_queued()) {
      ready.remove_at(n->seq, n);  // seq holds its ticket there (schedule_due)
      n->set_hop_queued(false);
      return true;
    }
    return false;
  }

  // Runs until `f` is done. With timeout >= 0 (seconds of real time) it
  // also returns, with AC_ETIMEDOUT, once that time has passed or nothing
  // is left to wait for (has_pending_work).
  int run_until_complete(ac_future *f, double timeout = -1);
  int run_forever();
  int step(double max_block, int *pending, double *next_deadline);
  void stop() noexcept;
  void interrupt() noexcept {
    AC_DEBUG_ASSERT(running.load(std::memory_order_relaxed), "interrupt a running loop");
    interrupted = true;
  }
  int close() noexcept;
  int submit_threadsafe(ac_call *h) noexcept;

  void task_list_add(ac_task *t) noexcept;
  void task_list_remove(ac_task *t) noexcept;

  void add_closable(ac::Closable *c) noexcept;
  void remove_closable(ac::Closable *c) noexcept;

  // Calls the exception handler. `subject` is the key asyncio's context
  // gives `future` ("future" or "task"); a report made while a callback
  // runs without a future is about that callback ("handle").
  void report(const char *message, ac_error *error, ac_future *future,
              const char *subject = "future") noexcept;
  // During a handler call: its subject's key, and the callback handle.
  const char *report_subject = nullptr;
  // During the close's report of a task destroyed while pending: what it
  // awaited (the default handler prints it), else null.
  const char *report_detail = nullptr;
  ac_call *report_handle = nullptr;
  // The callback running now: a call_soon/call_later handle, or (with
  // running_handle null) a done-callback when in_callback is set.
  ac_call *running_handle = nullptr;
  bool in_callback = false;

  int backend_timeout() const noexcept;
  // libuv hands new watchers to the backend (epoll, kqueue) at its next
  // poll, runs close callbacks and deferred write callbacks there too: a
  // host that polls the backend fd itself would not wake for them. This
  // makes that poll now, without blocking, if any of them is waiting.
  // Loop thread, between runs (ac_loop_backend_timeout) or at the end of
  // a step.
  void flush_backend() noexcept;
  // ac_loop_bind_thread: the calling thread becomes the owner.
  int bind_thread() noexcept;

  // Something may still happen without a new submission from outside:
  // callbacks ready, timers, active libuv handles or requests of the loop's
  // users, work on other threads the loop waits for.
  bool has_pending_work() const noexcept;

  // Hosted loops: makes the host's next poll return at once (and keeps
  // its uv_run alive) so that a step of ours runs soon.
  void kick_host() noexcept;

 private:
  // One iteration; max_block < 0 means "as long as needed".
  // Returns the number of callbacks run.
  int run_once(double max_block, uint32_t budget);
  // The run under way ends: its stop and interrupt requests are consumed
  // (run_forever, run_until_complete and step, as they return; each then
  // clears `running`).
  void end_run() noexcept;
  void poll_io(double timeout);
  void fire_due_timers();
  // Runs at most `budget` callbacks (>= 1).
  int run_ready(uint32_t budget);
  void drain_threadsafe() noexcept;
  // With a time budget: false once the step's deadline has passed (the
  // first call of a step sets it).
  bool check_time_budget() noexcept;
  void flush_backend_queues() noexcept;
  static void on_async(uv_async_t *h);
  // Hosted loops: the check handle's callback, and what it arms after.
  static void on_host_check(uv_check_t *h);
  void host_rearm() noexcept;
};

inline void ac::loop_hold(ac_loop *loop) noexcept { loop->refs.fetch_add(1, std::memory_order_relaxed); }
