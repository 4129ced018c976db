#include "core/loop.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/assert.hpp"
#include "core/future.hpp"
#include "core/handle.hpp"
#include "core/task.hpp"
#include "inspect/dump.hpp"

namespace ac {
constinit thread_local char tl_thread_marker __attribute__((tls_model("initial-exec"))) = 0;

namespace {
thread_local ac_loop *tl_running __attribute__((tls_model("initial-exec"))) = nullptr;

// Marks `loop` as the one running on this thread for the scope of a run.
struct RunningScope {
  ac_loop *prev;
  explicit RunningScope(ac_loop *loop) noexcept : prev(tl_running) { tl_running = loop; }
  ~RunningScope() { tl_running = prev; }
  RunningScope(const RunningScope &) = delete;
  RunningScope &operator=(const RunningScope &) = delete;
};
}  // namespace

ac_loop *running_loop() noexcept { return tl_running; }

void loop_release(ac_loop *loop) noexcept {
  if (loop->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) loop->destroy();
}

HostCallbackScope::HostCallbackScope(ac_loop *loop) noexcept {
  if (!loop->hosted || loop->running.load(std::memory_order_relaxed) || loop->closed) return;
  loop_ = loop;
  prev_ = tl_running;
  tl_running = loop;
  loop->running = true;
}

HostCallbackScope::~HostCallbackScope() {
  if (loop_ == nullptr) return;
  loop_->running = false;
  tl_running = prev_;
  // What the callback scheduled runs at the host's next check.
  loop_->kick_host();
}
}  // namespace ac

// ---------------------------------------------------------------- handles

void ac_call::release_callback() noexcept {
  fn = nullptr;
  if (free_ud != nullptr) {
    ac_free_fn f = free_ud;
    free_ud = nullptr;
    f(ud);
  }
  ac::context_unref(context);
  context = nullptr;
}

void ac_call::fire() noexcept {
  if (!cancelled && fn != nullptr) {
    // The callback runs in a private copy of the context it was scheduled
    // in, as asyncio runs each handle inside its own Context.run.
    ac::Context **saved = loop->current_context;
    ac_call *saved_handle = loop->running_handle;
    bool saved_in = loop->in_callback;
    loop->current_context = &context;
    loop->running_handle = this;
    loop->in_callback = true;
    fn(loop, ud);
    loop->current_context = saved;
    loop->running_handle = saved_handle;
    loop->in_callback = saved_in;
  }
  release_callback();
  unref();
}

bool ac_call::cancel() noexcept {
  if (cancelled || fn == nullptr) return false;
  cancelled = true;
  // Out of the heap before the free_ud runs: it is user code, which may
  // close the loop or drop the last reference to it.
  bool held_by_heap = is_timer && loop->remove_timer(this);
  release_callback();
  if (held_by_heap) unref();  // the heap's reference
  return true;
}

// ---------------------------------------------------------------- loop

// The wake timer bounds a blocking poll. libuv's UV_RUN_ONCE runs the
// timers already due before it polls, so this may run there (a millisecond
// boundary crossed since the timer was armed), and the poll would then wait
// with no timer left to end it. Stopping the run makes that poll return at
// once; libuv clears the stop when the run returns.
static void on_wake_timer(uv_timer_t *t) { uv_stop(t->loop); }

ac_loop *ac_loop::create(uint32_t flags, int *rc) {
  auto *l = new ac_loop();
  *rc = uv_loop_init(&l->uv);
  if (*rc != 0) {
    delete l;
    return nullptr;
  }
  uv_timer_init(&l->uv, &l->wake_timer);
  *rc = uv_async_init(&l->uv, &l->async, on_async);
  if (*rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t *>(&l->wake_timer), nullptr);
    uv_run(&l->uv, UV_RUN_DEFAULT);
    uv_loop_close(&l->uv);
    delete l;
    return nullptr;
  }
  l->uv.data = l;
  l->async.data = l;
  l->wake_timer.data = l;
  l->owner.store(ac::thread_token(), std::memory_order_relaxed);
  l->virtual_clock = (flags & AC_LOOP_VIRTUAL_CLOCK) != 0;
  l->debug = (flags & AC_LOOP_DEBUG) != 0;
  return l;
}

// ---------------------------------------------------------------- hosted

namespace {
void on_host_timer(uv_timer_t *t) {
  // Our next timer is due: a step must run at this iteration's check
  // rather than after a poll that may block on the host's own work.
  static_cast<ac_loop *>(t->data)->kick_host();
}
void on_host_idle(uv_idle_t *) {}  // its being active is what counts
// The close callback of each handle a hosted loop made: the handle's
// memory (inside the loop) may go once the last of them has run.
void on_hosted_handle_closed(uv_handle_t *h) { ac::loop_release(static_cast<ac_loop *>(h->data)); }
}  // namespace

ac_loop *ac_loop::create_on(uv_loop_t *host, uint32_t flags, int *rc) {
  auto *l = new ac_loop();
  l->hosted = true;
  l->uvl = host;
  *rc = uv_async_init(host, &l->async, on_async);
  if (*rc != 0) {
    delete l;
    return nullptr;
  }
  // From here nothing fails.
  uv_timer_init(host, &l->wake_timer);
  uv_check_init(host, &l->host_check);
  uv_idle_init(host, &l->host_idle);
  l->async.data = l;
  l->wake_timer.data = l;
  l->host_check.data = l;
  l->host_idle.data = l;
  uv_check_start(&l->host_check, on_host_check);
  // Wake-up aids only: they do not keep the host's uv_run alive.
  uv_unref(reinterpret_cast<uv_handle_t *>(&l->host_check));
  uv_unref(reinterpret_cast<uv_handle_t *>(&l->async));
  l->host_kick = true;
  l->owner.store(ac::thread_token(), std::memory_order_relaxed);
  l->virtual_clock = (flags & AC_LOOP_VIRTUAL_CLOCK) != 0;
  l->debug = (flags & AC_LOOP_DEBUG) != 0;
  return l;
}

void ac_loop::kick_host() noexcept {
  if (closed) return;
  host_kick = false;
  uv_idle_start(&host_idle, on_host_idle);
}

void ac_loop::on_host_check(uv_check_t *h) {
  auto *l = static_cast<ac_loop *>(h->data);
  if (l->closed || l->running.load(std::memory_order_relaxed)) return;
  // The host polled; a step without a poll of its own (poll_io does
  // nothing on a hosted loop) does the rest of an iteration, when there is
  // something to do: most of the host's iterations are not ours.
  if (!l->ready.empty() || l->ts_has_pending.load(std::memory_order_acquire) ||
      (!l->timers.empty() && l->timers.top()->when <= l->now())) {
    try {
      l->step(0, nullptr, nullptr);
    } catch (...) {
      l->report("out of memory running the loop", nullptr, nullptr);
    }
  }
  if (!l->closed) l->host_rearm();
}

void ac_loop::host_rearm() noexcept {
  // Ready callbacks (or thread-safe ones to add): the host must not block.
  if (!ready.empty() || ts_has_pending.load(std::memory_order_acquire)) {
    uv_idle_start(&host_idle, on_host_idle);
    host_kick = false;
  } else {
    uv_idle_stop(&host_idle);
    host_kick = true;
  }
  // Our next deadline, as a timer of the host's loop. Armed relative to
  // the host's cached time, which may lag: firing early only costs a step
  // that finds nothing due and arms it again for the rest.
  if (timers.empty()) {
    if (host_timer_when >= 0) uv_timer_stop(&wake_timer);
    host_timer_when = -1;
  } else {
    double when = timers.top()->when;
    double dt = when - now();
    if (when != host_timer_when || dt <= 0 ||
        !uv_is_active(reinterpret_cast<uv_handle_t *>(&wake_timer))) {
      uint64_t ms = dt <= 0 ? 0 : dt >= 1e9 ? uint64_t{1} << 50
                                           : static_cast<uint64_t>(std::ceil(dt * 1000.0));
      uv_timer_start(&wake_timer, on_host_timer, ms, 0);
      host_timer_when = when;
    }
  }
  // Executor jobs on dedicated threads hand their results back through the
  // async handle: while some are pending it keeps the host's loop alive.
  // (Jobs on libuv's pool are requests of the host's loop: they do anyway.)
  auto *a = reinterpret_cast<uv_handle_t *>(&async);
  if (thread_jobs > 0) {
    if (!uv_has_ref(a)) uv_ref(a);
  } else if (uv_has_ref(a)) {
    uv_unref(a);
  }
}

void ac_loop::destroy() noexcept {
  if (!closed) {
    // The last reference went without a close (its owner never closed it):
    // hold the memory while closing; on a hosted loop the close callbacks
    // of its handles, to come in the host's loop, then free it.
    refs.store(1, std::memory_order_relaxed);
    close();
    if (refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  }
  if (exc_free != nullptr) exc_free(exc_ud);
  ac::context_unref(base_context);
  delete this;
}

double ac_loop::now() const noexcept {
  if (virtual_clock) return virtual_now;
  return static_cast<double>(uv_hrtime()) * 1e-9;
}

void ac_loop::stop() noexcept {
  // From inside a callback: the rest of its batch still runs. Between
  // batches: the next iteration runs one batch. Either way the run returns
  // after that batch (run_ready starts no other once stopping).
  stopping = true;
}

void ac_loop::end_run() noexcept {
  AC_DEBUG_ASSERT(running.load(std::memory_order_relaxed) && ready.batch_left() == 0,
                  "a run ends while running, between batches");
  interrupted = false;
  stopping = false;
}

void ac_loop::poll_io(double timeout) {
  if (hosted) return;  // the host's uv_run polls (and has, before the step)
  if (timeout == 0) {
    uv_run(&uv, UV_RUN_NOWAIT);
    return;
  }
  // Beyond about thirty years (or infinite) the bound is as good as none,
  // and would not fit libuv's milliseconds.
  if (timeout > 0 && timeout < 1e9) {
    uv_update_time(&uv);
    auto ms = static_cast<uint64_t>(std::ceil(timeout * 1000.0));
    uv_timer_start(&wake_timer, on_wake_timer, ms, 0);
  }
  // Blocks until I/O, a thread-safe wake-up or the wake timer.
  uv_run(&uv, UV_RUN_ONCE);
  uv_timer_stop(&wake_timer);
}

void ac_loop::fire_due_timers() {
  if (timers.empty()) return;  // no clock read (a system call's worth) per iteration
  double t = now();
  while (!timers.empty() && timers.top()->when <= t) {
    ac::TimerNode *n = timers.top();
    try {
      // The node stays the heap's top: its seq, which schedule_due sets,
      // is not compared while the heap takes it out.
      schedule_due(n);
    } catch (...) {
      return;  // out of memory: it stays due and is retried next iteration
    }
    timers.pop();
  }
}

int ac_loop::run_ready(uint32_t budget) {
  int n = 0;
  for (;;) {
    // The callbacks ready now, as asyncio's iteration runs its ntodo: those
    // they schedule wait for the next iteration, behind the timers that
    // fall due meanwhile. One snapshot per batch (the ready queue keeps it
    // when entries of the batch are removed).
    if (size_t room = budget - static_cast<uint32_t>(n); ready.size() <= room)
      ready.begin_batch_all();
    else
      ready.begin_batch(room);
    while (ready.batch_left() > 0) {
      if (interrupted) break;
      if (step_budget_ns != 0 && !check_time_budget()) break;
      ac::Runnable *r = ready.pop_batch();
      if (!debug) {
        r->run();
      } else {
        // Named before it runs: a task may be gone after its step.
        std::string what = ac::describe_runnable(r);
        uint64_t t0 = uv_hrtime();
        r->run();
        double dt = static_cast<double>(uv_hrtime() - t0) * 1e-9;
        if (dt >= slow_callback_duration) {
          char took[48];
          std::snprintf(took, sizeof took, " took %.3f seconds", dt);
          report(("Executing " + what + took).c_str(), nullptr, nullptr);
        }
      }
      ++n;
    }
    // Cut short (interrupted, out of time): the rest waits.
    bool cut = ready.batch_left() > 0;
    ready.end_batch();
    // The next iteration would poll nothing (see run_once) and find no
    // timer and no thread-safe call to add: run it here, without the trip.
    // A stop ends the run after this batch.
    if (cut || ready.empty() || stopping || interrupted || budget_spent || !timers.empty() ||
        static_cast<uint32_t>(n) >= budget ||
        ran_since_poll + static_cast<uint32_t>(n) >= ready_budget ||
        ts_has_pending.load(std::memory_order_acquire))
      break;
  }
  return n;
}

bool ac_loop::check_time_budget() noexcept {
  uint64_t t = uv_hrtime();
  if (budget_deadline == 0) {
    budget_deadline = t + step_budget_ns;
    return true;
  }
  if (t < budget_deadline) return true;
  budget_spent = true;
  return false;
}

int ac_loop::run_once(double max_block, uint32_t budget) {
  // 0. Thread-safe submissions join the ready queue before anything is
  //    counted, as asyncio appends them to its ready deque directly.
  if (ts_has_pending.load(std::memory_order_acquire)) drain_threadsafe();

  // 1. Poll I/O. asyncio polls once per iteration; here the poll (a
  //    system call) is made when nothing is ready, so the loop may block,
  //    and otherwise once per ready budget of callbacks: when an I/O event
  //    is seen among ready callbacks depends on timing in asyncio too, while
  //    timers and ready callbacks keep asyncio's exact order (3, 4).
  //    How long may the poll block? Not at all when work is ready or a
  //    stop is pending; until the next timer otherwise (the virtual clock
  //    never waits for a timer: it jumps, below, unless executor jobs of the
  //    loop hold it: then it waits for them for real); forever when nothing
  //    is due.
  bool busy = !ready.empty() || stopping;
  uint64_t t_ready = 0;  // when the poll ended, if it ran
  if (!busy || ran_since_poll >= ready_budget) {
    bool clock_held = virtual_clock && outside_work();
    double timeout;
    if (busy) {
      timeout = 0;
    } else if (!timers.empty()) {
      timeout = virtual_clock ? (clock_held ? -1 : 0) : std::max(0.0, timers.top()->when - now());
    } else {
      timeout = -1;
    }
    if (max_block >= 0 && (timeout < 0 || timeout > max_block)) timeout = max_block;
    t_ready = uv_hrtime();
    poll_io(timeout);
    uint64_t t_polled = uv_hrtime();
    poll_ns += t_polled - t_ready;
    t_ready = t_polled;
    ran_since_poll = 0;
  }

  // 2. Virtual clock: idle after the poll, so time jumps to the next timer
  //    (not while work of this loop on other threads is pending: results
  //    arrive at the time they were started, whatever they cost in real
  //    time, as work "outside" the virtual world).
  if (virtual_clock && ready.empty() && !timers.empty() && !stopping &&
      !outside_work() && timers.top()->when > virtual_now)
    virtual_now = timers.top()->when;

  // 3. Due timers join the ready queue in deadline order, ties in
  //    scheduling order; they fire when the loop reaches them there.
  if (!timers.empty()) fire_due_timers();

  // 4. The callbacks ready now, FIFO, bounded by the budget.
  //    An idle iteration (nothing ready, no stop to count) ends here: a
  //    frame-paced host pays for it every frame.
  if (ready.empty() && !stopping) {
    ++iterations;
    return 0;
  }
  bool timed = !ready.empty();
  if (timed && t_ready == 0) t_ready = uv_hrtime();
  int n = run_ready(budget);
  if (timed) callback_ns += uv_hrtime() - t_ready;
  callbacks_run += static_cast<uint64_t>(n);
  ++iterations;
  ran_since_poll += static_cast<uint32_t>(n);
  return n;
}

int ac_loop::run_forever() {
  ac::RunningScope scope(this);
  running = true;
  for (;;) {
    run_once(-1, ready_budget);
    if (stopping || interrupted) break;
  }
  end_run();
  running = false;
  return 0;
}

namespace {
// asyncio's _run_until_complete_cb: the future's done-callback stops the
// loop, which lets the iteration under way finish first.
void stop_when_done(ac_future *f, void *ran) {
  *static_cast<bool *>(ran) = true;
  f->loop->stop();
}
}  // namespace

int ac_loop::run_until_complete(ac_future *f, double timeout) {
  bool ran = false;  // the callback below has run (it is freed then)
  auto *cb = new (std::nothrow)
      ac::FutureCallback(stop_when_done, &ran, nullptr, ac::context_ref(*current_context));
  if (cb == nullptr) return AC_ENOMEM;
  try {
    f->add_callback(cb);
  } catch (...) {
    delete cb;
    return AC_ENOMEM;
  }
  ac::RunningScope scope(this);
  f->ref();
  running = true;
  bool timed_out = false;
  if (timeout < 0) {
    for (;;) {
      run_once(-1, ready_budget);
      if (stopping || interrupted) break;
    }
  } else {
    uint64_t deadline = uv_hrtime() + static_cast<uint64_t>(std::min(timeout, 1e9) * 1e9);
    for (;;) {
      uint64_t t = uv_hrtime();
      // Nothing left that could complete f (only a submission from another
      // thread could): waiting out the deadline would change nothing.
      if (t >= deadline || !has_pending_work()) {
        timed_out = true;
        break;
      }
      run_once(static_cast<double>(deadline - t) * 1e-9, ready_budget);
      if (stopping || interrupted) break;
    }
  }
  end_run();
  // The callback goes if it has not run: still registered (the loop was
  // stopped by someone else), or already queued (an interrupted run).
  if (!ran) {
    if (!f->remove_callback(cb)) ready.remove(cb);
    delete cb;
  }
  running = false;
  int rc = 0;
  if (!f->done()) {
    rc = timed_out ? AC_ETIMEDOUT : AC_ESTOPPED;
  } else if (f->state != AC_FUTURE_RESULT) {
    f->mark_error_retrieved();
    rc = f->state == AC_FUTURE_CANCELLED || f->error == nullptr ? AC_ECANCELLED : f->error->code;
  }
  f->unref();
  return rc;
}

int ac_loop::step(double max_block, int *pending, double *next_deadline) {
  ac::RunningScope scope(this);
  running = true;
  // One iteration, then more without blocking while callbacks are ready,
  // up to the ready budget (and the time budget) in all.
  step_budget_ns = time_budget_ns;
  int n = run_once(max_block, ready_budget);
  while (!ready.empty() && !stopping && !interrupted && !budget_spent &&
         static_cast<uint32_t>(n) < ready_budget)
    n += run_once(0, ready_budget - static_cast<uint32_t>(n));
  end_run();
  step_budget_ns = 0;
  budget_deadline = 0;
  budget_spent = false;
  // What the callbacks started reaches the backend now, so that a host
  // polling the backend fd wakes for it (loop.h, ac_loop_backend_fd).
  flush_backend_queues();
  running = false;
  if (pending != nullptr) *pending = has_pending_work();
  if (next_deadline != nullptr) *next_deadline = timers.empty() ? -1.0 : timers.top()->when;
  return n;
}

bool ac_loop::has_pending_work() const noexcept {
  // The loop's own wake-up handle (async) is always active; the wake timer
  // only during a poll.
  return !ready.empty() || !timers.empty() || ts_has_pending.load(std::memory_order_relaxed) ||
         thread_jobs > 0 || ts_waits > 0 ||
         // A hosted loop cannot tell its handles from the host's: those of
         // its users (streams, servers, requests) are its closables.
         (hosted ? closables != nullptr : uv.active_handles > 1 || uv.active_reqs.count > 0);
}

int ac_loop::bind_thread() noexcept {
  if (closed) return AC_ECLOSED;
  if (running.load()) return AC_ERUNNING;
  owner.store(ac::thread_token(), std::memory_order_relaxed);
  return 0;
}

void ac_loop::flush_backend() noexcept {
  if (running) {
    flush_backend_queues();
    return;
  }
  // Between runs: libuv's callbacks run as in a step.
  ac::RunningScope scope(this);
  running = true;
  flush_backend_queues();
  running = false;
}

void ac_loop::flush_backend_queues() noexcept {
  // A hosted loop's step runs inside the host's uv_run, which polls next.
  if (hosted) return;
#ifndef _WIN32
  // libuv's queues are circular lists: empty when the head points at
  // itself. (Windows registers with its completion port at once.)
  for (int round = 0; round < 4; ++round) {
    bool waiting = uv.watcher_queue[0] != static_cast<void *>(&uv.watcher_queue) ||
                   uv.pending_queue[0] != static_cast<void *>(&uv.pending_queue) ||
                   uv.closing_handles != nullptr;
    if (!waiting) return;
    uv_run(&uv, UV_RUN_NOWAIT);
  }
#endif
}

int ac_loop::backend_timeout() const noexcept {
  if (!ready.empty()) return 0;
  if (timers.empty()) return -1;
  // The virtual clock jumps at once, unless work on other threads holds it:
  // then only their completion (which wakes the backend fd) is awaited.
  if (virtual_clock) return outside_work() ? -1 : 0;
  double dt = timers.top()->when - now();
  if (dt <= 0) return 0;
  return static_cast<int>(std::ceil(dt * 1000.0));
}

int ac_loop::submit_threadsafe(ac_call *h) noexcept {
  std::lock_guard<std::mutex> lock(ts_mutex);
  if (ts_closed) return AC_ECLOSED;
  try {
    ts_pending.push_back(h);
  } catch (...) {
    return AC_ENOMEM;
  }
  ts_has_pending.store(true, std::memory_order_release);
  // Under the lock: close() cannot close the async handle meanwhile.
  uv_async_send(&async);
  return 0;
}

void ac_loop::on_async(uv_async_t *a) {
  static_cast<ac_loop *>(a->data)->drain_threadsafe();
}

void ac_loop::drain_threadsafe() noexcept {
  std::vector<ac_call *> batch;
  {
    std::lock_guard<std::mutex> lock(ts_mutex);
    batch.swap(ts_pending);
    ts_has_pending.store(false, std::memory_order_relaxed);
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    try {
      schedule(batch[i]);
    } catch (...) {
      report("out of memory scheduling a thread-safe callback", nullptr, nullptr);
      batch[i]->drop();
    }
  }
}

void ac_loop::task_list_add(ac_task *t) noexcept {
  t->prev_task = tasks_tail;
  t->next_task = nullptr;
  if (tasks_tail != nullptr)
    tasks_tail->next_task = t;
  else
    tasks_head = t;
  tasks_tail = t;
  ++task_count;
  ++tasks_created;
}

void ac_loop::task_list_remove(ac_task *t) noexcept {
  if (t->prev_task == nullptr && tasks_head != t) return;  // not listed
  if (t->prev_task != nullptr)
    t->prev_task->next_task = t->next_task;
  else
    tasks_head = t->next_task;
  if (t->next_task != nullptr)
    t->next_task->prev_task = t->prev_task;
  else
    tasks_tail = t->prev_task;
  t->prev_task = t->next_task = nullptr;
  --task_count;
}

void ac_loop::add_closable(ac::Closable *c) noexcept {
  c->prev_closable = nullptr;
  c->next_closable = closables;
  if (closables != nullptr) closables->prev_closable = c;
  closables = c;
}

void ac_loop::remove_closable(ac::Closable *c) noexcept {
  if (c->prev_closable != nullptr)
    c->prev_closable->next_closable = c->next_closable;
  else if (closables == c)
    closables = c->next_closable;
  else
    return;
  if (c->next_closable != nullptr) c->next_closable->prev_closable = c->prev_closable;
  c->prev_closable = c->next_closable = nullptr;
}

int ac_loop::close() noexcept {
  if (closed) return AC_ECLOSED;
  if (running) return AC_ERUNNING;
  closed = true;
  host_kick = false;
  // Keep the loop's memory alive while what it holds is released: those
  // objects hold references to it.
  refs.fetch_add(1, std::memory_order_relaxed);
  if (done_none != nullptr) {
    ac_future *f = done_none;
    done_none = nullptr;
    f->unref();
  }

  std::vector<ac_call *> orphans;
  {
    std::lock_guard<std::mutex> lock(ts_mutex);
    ts_closed = true;
    orphans.swap(ts_pending);
  }
  for (ac_call *h : orphans) h->drop();

  // What each pending task awaits, read before anything is released: the
  // reports below name it (asyncio's report shows the task's wait_for).
  std::vector<std::pair<ac_task *, std::string>> awaiting;
  try {
    ac::HeldIndex held(this);
    for (ac_task *t = tasks_head; t != nullptr; t = t->next_task)
      awaiting.emplace_back(t, ac::describe_await(this, t));
  } catch (...) {
    awaiting.clear();  // out of memory: the reports go without it
  }
  size_t next_awaiting = 0;

  while (closables != nullptr) {
    ac::Closable *c = closables;
    remove_closable(c);
    c->close_for_loop();
  }
  // Releasing one thing can release others (a task's state may hold
  // futures); nothing new can be scheduled on a closed loop, so this ends.
  for (;;) {
    if (!ready.empty()) {
      ready.pop()->drop();
    } else if (!timers.empty()) {
      timers.pop()->drop_timer();
    } else if (tasks_head != nullptr) {
      ac_task *t = tasks_head;
      task_list_remove(t);
      t->detach_for_close();
      // The list keeps creation order, so the tasks leave in the
      // snapshot's order; tasks made since (at the tail) have no entry.
      bool known = next_awaiting < awaiting.size() && awaiting[next_awaiting].first == t;
      if (known && !awaiting[next_awaiting].second.empty())
        report_detail = awaiting[next_awaiting].second.c_str();
      if (known) ++next_awaiting;
      report("Task was destroyed but it is pending", nullptr, t, "task");
      report_detail = nullptr;
      ac::task_release_self(t);
    } else {
      break;
    }
  }

  if (hosted) {
    // The host's loop goes on: our handles close during its next
    // iteration (uv_run is not ours to call: this may be a callback of it),
    // each holding the loop's memory until its close callback has run.
    // What the closables closed holds references of its own.
    // A host that closed every handle of its loop (uv_walk) closed ours
    // too: those are not closed twice.
    uv_handle_t *own[] = {reinterpret_cast<uv_handle_t *>(&wake_timer),
                          reinterpret_cast<uv_handle_t *>(&async),
                          reinterpret_cast<uv_handle_t *>(&host_check),
                          reinterpret_cast<uv_handle_t *>(&host_idle)};
    for (uv_handle_t *h : own) {
      if (uv_is_closing(h)) continue;
      refs.fetch_add(1, std::memory_order_relaxed);
      uv_close(h, on_hosted_handle_closed);
    }
  } else {
    uv_close(reinterpret_cast<uv_handle_t *>(&wake_timer), nullptr);
    uv_close(reinterpret_cast<uv_handle_t *>(&async), nullptr);
    uv_run(&uv, UV_RUN_DEFAULT);
    uv_loop_close(&uv);
  }
  ac::context_unref(base_context);
  base_context = nullptr;
  if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    // Only possible from destroy(), which frees the memory itself.
    refs.store(0, std::memory_order_relaxed);
  }
  return 0;
}

void ac_loop::report(const char *message, ac_error *error, ac_future *future,
                     const char *subject) noexcept {
  if (future == nullptr) subject = in_callback ? "handle" : nullptr;
  if (exc_fn != nullptr) {
    const char *saved_subject = report_subject;
    ac_call *saved_handle = report_handle;
    report_subject = subject;
    report_handle = subject != nullptr && std::strcmp(subject, "handle") == 0 ? running_handle : nullptr;
    exc_fn(this, message, error, future, exc_ud);
    report_subject = saved_subject;
    report_handle = saved_handle;
    return;
  }
  std::string text = "asyncore: ";
  text += message != nullptr ? message : "unhandled error";
  if (future != nullptr && future->is_task) {
    text += " (task ";
    text += static_cast<ac_task *>(future)->get_name();
    if (report_detail != nullptr) {
      text += ", awaiting ";
      text += report_detail;
    }
    text += ")";
  }
  text += '\n';
  if (error != nullptr) {
    try {
      text += ac::error_format(error);
    } catch (...) {
    }
  }
  std::fputs(text.c_str(), stderr);
}
