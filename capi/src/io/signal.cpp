// signal.cpp — ac_loop_add_signal_handler / remove_signal_handler on
// libuv's signal watchers, and ac_run's SIGINT handling.
#include <csignal>
#include <cstdio>
#include <mutex>
#include <vector>

#include <uv.h>

#include "core/error.hpp"
#include "../shim.hpp"
#include "signal_run.hpp"

using ac::shim::check_loop;
using ac::shim::fail;

namespace {

// One handler of one loop. References: the loop's table (while
// registered) and each scheduled call; free_ud runs with the last.
struct SigHandler final : ac::Closable {
  ac_loop *loop;
  int signum;
  uv_signal_t watcher{};
  ac_signal_fn fn;
  void *ud;
  ac_free_fn free_ud;
  int refs = 1;   // the memory: the table or the watcher, and each call
  int calls = 0;  // scheduled or running calls of fn
  bool active = true;
  bool handle_live = false;

  SigHandler(ac_loop *l, int sig, ac_signal_fn f, void *u, ac_free_fn fu) noexcept
      : loop(l), signum(sig), fn(f), ud(u), free_ud(fu) {}
  // free_ud runs as soon as the handler is removed and no call of it is
  // scheduled or running.
  void release_ud() noexcept {
    if (active || calls != 0 || free_ud == nullptr) return;
    ac_free_fn f = free_ud;
    free_ud = nullptr;
    f(ud);
  }
  void unref() noexcept {
    if (--refs != 0) return;
    release_ud();
    delete this;
  }
  void close_for_loop() noexcept override;  // the loop removed it from its list
  void deactivate() noexcept;
};

// Handlers of every loop; loops live on different threads.
std::mutex table_mu;
std::vector<SigHandler *> table;

SigHandler *find(ac_loop *loop, int sig) noexcept {
  for (SigHandler *h : table)
    if (h->loop == loop && h->signum == sig) return h;
  return nullptr;
}

void closed_cb(uv_handle_t *hh) {
  auto *h = static_cast<SigHandler *>(hh->data);
  h->handle_live = false;
  h->unref();
}

void SigHandler::deactivate() noexcept {
  if (!active) return;
  active = false;
  {
    std::lock_guard<std::mutex> g(table_mu);
    for (size_t i = 0; i < table.size(); ++i)
      if (table[i] == this) {
        table.erase(table.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
  }
  release_ud();
  if (handle_live) {
    uv_signal_stop(&watcher);
    // The table's reference goes when libuv is done with the watcher.
    uv_close(reinterpret_cast<uv_handle_t *>(&watcher), closed_cb);
  } else {
    unref();
  }
}

void SigHandler::close_for_loop() noexcept { deactivate(); }

void run_handler(ac_loop *loop, void *ud) {
  auto *h = static_cast<SigHandler *>(ud);
  if (!h->active) return;
  int rc = h->fn(loop, h->signum, h->ud);
  if (rc < 0) {
    ac_error *err = nullptr;
    try {
      err = ac::error_new(rc, nullptr);
    } catch (...) {
    }
    loop->report("Exception in signal handler", err, nullptr, "handle");
    if (err != nullptr) ac_error_unref(err);
  }
}
void drop_call(void *ud) {
  auto *h = static_cast<SigHandler *>(ud);
  --h->calls;
  h->release_ud();
  h->unref();
}

void signal_cb(uv_signal_t *w, int) {
  auto *h = static_cast<SigHandler *>(w->data);
  if (!h->active) return;
  ++h->refs;
  ++h->calls;
  // Runs as an ordinary callback, after what is ready now (asyncio's
  // _add_callback_signalsafe); drop_call runs whatever happens.
  ac_loop_call_soon(h->loop, run_handler, h, drop_call, nullptr);
}

int check_signum(int sig) noexcept {
#ifdef _WIN32
  // Windows has console events where POSIX has signals; libuv turns Ctrl-C
  // into SIGINT and Ctrl-Break into SIGBREAK (21), closing the console into
  // SIGHUP (1) and a resize into SIGWINCH (28). Nothing else can arrive.
  if (sig == SIGINT || sig == 21 || sig == 1 || sig == 28) return 0;
  return fail(AC_ENOTSUP, "Windows delivers only SIGINT, SIGBREAK, SIGHUP and SIGWINCH");
#else
  if (sig < 1 || sig >= NSIG) return fail(AC_EINVAL, "sig out of range");
  if (sig == SIGKILL) return fail(AC_EMISUSE, "sig 9 cannot be caught");
  if (sig == SIGSTOP) return fail(AC_EMISUSE, "sig 19 cannot be caught");
  return 0;
#endif
}

}  // namespace

AC_API int ac_loop_add_signal_handler(ac_loop *loop, int signum, ac_signal_fn fn, void *ud,
                                      ac_free_fn free_ud) noexcept {
  int rc = check_loop(loop);
  if (rc == 0 && fn == nullptr) rc = fail(AC_EINVAL);
  if (rc == 0) rc = check_signum(signum);
  if (rc != 0) {
    ac::shim::run_free(free_ud, ud);
    return rc;
  }
  auto *h = new (std::nothrow) SigHandler(loop, signum, fn, ud, free_ud);
  if (h == nullptr) {
    ac::shim::run_free(free_ud, ud);
    return fail(AC_ENOMEM);
  }
  rc = uv_signal_init(loop->uvl, &h->watcher);
  if (rc == 0) {
    h->handle_live = true;
    h->watcher.data = h;
    rc = uv_signal_start(&h->watcher, signal_cb, signum);
  }
  if (rc == 0) {
    // Signals are no reason for the loop to stay alive (asyncio's wakeup
    // fd is not either).
    uv_unref(reinterpret_cast<uv_handle_t *>(&h->watcher));
    SigHandler *old;
    try {
      std::lock_guard<std::mutex> g(table_mu);
      old = find(loop, signum);
      table.push_back(h);
    } catch (...) {
      h->deactivate();
      return fail(AC_ENOMEM);
    }
    if (old != nullptr) {
      loop->remove_closable(old);
      old->deactivate();
    }
    loop->add_closable(h);
    return 0;
  }
  h->active = false;
  if (h->handle_live)
    uv_close(reinterpret_cast<uv_handle_t *>(&h->watcher), closed_cb);
  else
    h->unref();
  return fail(rc);
}

AC_API int ac_loop_remove_signal_handler(ac_loop *loop, int signum) noexcept {
  ac::shim::clear_failure();
  if (loop == nullptr) return fail(AC_EINVAL);
  if (!loop->owned_by_caller()) return fail(AC_EWRONGTHREAD, ac::shim::kWrongThread);
  if (signum < 1 || signum >= NSIG) return fail(AC_EINVAL, "sig out of range");
  SigHandler *h;
  {
    std::lock_guard<std::mutex> g(table_mu);
    h = find(loop, signum);
  }
  if (h == nullptr) return 0;
  loop->remove_closable(h);
  h->deactivate();
  return 1;
}

// ---- ac_run's SIGINT (asyncio.runners.Runner._on_sigint) ----

namespace {
struct RunSigint {
  ac_task *main;
  int count = 0;
};
int on_run_sigint(ac_loop *loop, int, void *ud) {
  auto *r = static_cast<RunSigint *>(ud);
  if (++r->count == 1 && !ac_future_done(reinterpret_cast<ac_future *>(r->main))) {
    ac_task_cancel(r->main, nullptr);
    return 0;
  }
  // The second: back to the default, and let it do what Ctrl-C does.
  ac_loop_remove_signal_handler(loop, SIGINT);
  ::raise(SIGINT);
  return 0;
}
}  // namespace

namespace ac::shim {

void *run_sigint_install(ac_loop *loop, ac_task *main) noexcept {
#ifdef _WIN32
  // No sigaction: the C runtime's handler is read by swapping it back.
  void (*current)(int) = ::signal(SIGINT, SIG_DFL);
  ::signal(SIGINT, current);
  if (current != SIG_DFL) return nullptr;
#else
  struct sigaction current {};
  if (::sigaction(SIGINT, nullptr, &current) != 0) return nullptr;
  if ((current.sa_flags & SA_SIGINFO) != 0 || current.sa_handler != SIG_DFL) return nullptr;
#endif
  auto *r = new (std::nothrow) RunSigint{main};
  if (r == nullptr) return nullptr;
  int arc = ac_loop_add_signal_handler(loop, SIGINT, on_run_sigint, r, nullptr);
  if (arc != 0) {
    delete r;
    return nullptr;
  }
  return r;
}

int run_sigint_remove(ac_loop *loop, void *token) noexcept {
  if (token == nullptr) return 0;
  auto *r = static_cast<RunSigint *>(token);
  int count = r->count;
  SigHandler *h;
  {
    std::lock_guard<std::mutex> g(table_mu);
    h = find(loop, SIGINT);
  }
  // Only ours: the main task may have put its own in place.
  if (h != nullptr && h->fn == on_run_sigint && h->ud == r) {
    h->free_ud = [](void *p) { delete static_cast<RunSigint *>(p); };
    ac_loop_remove_signal_handler(loop, SIGINT);
  } else if (h == nullptr || h->ud != r) {
    // Replaced or removed already: nothing references it any more.
    delete r;
  }
  return count;
}

}  // namespace ac::shim
