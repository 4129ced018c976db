#include "structured/taskgroup.hpp"

#include <algorithm>
#include <cstdio>

#include "core/value.hpp"

ac_taskgroup::ac_taskgroup(ac_loop *l, ac_task *parent_task) noexcept
    : ac_future(l), parent(parent_task) {
  is_group = true;
  allow_direct_watches(nullptr);  // a task spawned pending costs no entry
  parent->ref();
  loop->add_closable(this);
  on_closable_list = true;
}

ac_taskgroup::~ac_taskgroup() {
  unwatch_all();
  for_each_task([](ac_task *t) { t->unref(); });
  for (ac_error *e : errors) ac::error_unref(e);
  ac::error_unref(body_error);
  ac::error_unref(propagate);
  ac::error_unref(join_cancelled);
  release_parent();
}

void ac_taskgroup::release_parent() noexcept {
  if (on_closable_list) {
    loop->remove_closable(this);
    on_closable_list = false;
  }
  if (parent != nullptr) {
    ac_task *p = parent;
    parent = nullptr;
    p->unref();
  }
}

void ac_taskgroup::close_for_loop() noexcept {
  // The loop removed us from its list. Drop what could form cycles.
  on_closable_list = false;
  unwatch_all();
  for_each_task([](ac_task *t) { t->unref(); });
  members.clear();
  live = 0;
  front = 0;
  if (parent != nullptr) {
    ac_task *p = parent;
    parent = nullptr;
    p->unref();
  }
}

const char *ac_taskgroup::spawn_refusal() const noexcept {
  if (done() || (exiting && live == 0) || parent == nullptr) return "TaskGroup is finished";
  if (aborting) return "TaskGroup is shutting down";
  return nullptr;
}

void ac_taskgroup::add(ac_task *t) {
  ac::reserve_one_more(members);  // nothing throws once the task is watched
  watch(t, 0);
  t->ref();
  if (members.empty() || members.back().id < t->id) {
    members.push_back({t->id, t});
  } else {
    // Made before a task added already (an eager task's first step added
    // that one): its place in creation order.
    auto at = std::upper_bound(members.begin(), members.end(), t->id,
                               [](uint64_t id, const Member &m) { return id < m.id; });
    size_t i = static_cast<size_t>(at - members.begin());
    members.insert(at, {t->id, t});
    if (i < front) front = i;
  }
  ++live;
  // An eager task may already have made the group abort.
  if (aborting && !t->done()) t->cancel(nullptr);
}

void ac_taskgroup::abort() noexcept {
  aborting = true;
  // Cancelling schedules callbacks, never runs them inline, so `members`
  // does not change under us.
  for_each_task([](ac_task *t) {
    if (!t->done()) t->cancel(nullptr);
  });
}

int ac_taskgroup::join(int body_outcome, ac_error *err) {
  if (exiting || done() || parent == nullptr) return AC_EMISUSE;
  if (loop->current_task != parent) return AC_EMISUSE;
  if (body_outcome == AC_ECANCELLED) {
    propagate = err != nullptr ? ac::error_ref(err) : ac::make_cancel_error(nullptr);
  } else if (body_outcome < 0) {
    body_error = err != nullptr ? ac::error_ref(err) : ac::error_new(body_outcome, nullptr);
  }
  exiting = true;
  // The body failed or was cancelled: the group's tasks go too.
  if (body_outcome < 0 && !aborting) abort();
  if (live == 0) finish();
  return 0;
}

bool ac_taskgroup::cancel(const char *message) noexcept {
  // The join is cancelled (its awaiter, the parent, is being cancelled).
  // asyncio's parent, cancelled while it waits in __aexit__, wakes at this
  // turn, and when it runs, catches the CancelledError: unless the group is
  // aborting already, it aborts and will pass the cancellation on; then it
  // leaves the group if no task is left, else waits on (resume_parent).
  // Whether the cancellation propagates is decided in finish().
  if (done()) return false;
  // Woken already: asyncio's wait was cancelled already, and a second
  // request only marks the parent; the group absorbs it likewise.
  if (parent_woken) return true;
  ac::error_unref(join_cancelled);
  join_cancelled = ac::make_cancel_error_noexcept(message);
  if (ac::Runnable *r = sole_callback(); exiting && r != nullptr && r->kind == ac::Runnable::kTask) {
    auto *t = static_cast<ac_task *>(r);
    if (!t->scheduled()) {
      try {
        t->schedule_step();
        take_sole_callback();
        parent_woken = true;
        return true;
      } catch (...) {
        // Out of memory: the group acts now and the parent wakes when it
        // finishes.
      }
    }
  }
  abort_for_cancel();
  return true;
}

void ac_taskgroup::abort_for_cancel() noexcept {
  if (!aborting) {
    ac::error_unref(propagate);
    propagate = ac::error_ref(join_cancelled);
    abort();
  }
}

bool ac_taskgroup::resume_parent() noexcept {
  if (parent_woken) {
    parent_woken = false;
    abort_for_cancel();
  }
  if (done()) return true;
  if (!exiting || live != 0) return false;
  finish();
  return true;
}

void ac_taskgroup::cut_direct_watches() noexcept {
  for (const Member &m : members)
    if (m.task != nullptr && !cut_direct(m.task)) return;
}

void ac_taskgroup::on_watched_done(ac_future *f, size_t) noexcept {
  auto *t = static_cast<ac_task *>(f);
  Member *m = front < members.size() && members[front].task == t ? &members[front] : nullptr;
  if (m == nullptr) {
    auto it = std::lower_bound(members.begin(), members.end(), t->id,
                               [](const Member &x, uint64_t id) { return x.id < id; });
    if (it == members.end() || it->task != t) return;
    m = &*it;
  }
  m->task = nullptr;
  --live;
  while (front < members.size() && members[front].task == nullptr) ++front;
  if (members.size() >= 64 && live * 2 < members.size()) {
    members.erase(std::remove_if(members.begin(), members.end(), [](const Member &x) { return x.task == nullptr; }),
                  members.end());
    front = 0;
  }
  ac_future *hold = this;
  hold->ref();
  if (f->state == AC_FUTURE_ERROR) {
    t->mark_error_retrieved();
    try {
      errors.push_back(ac::error_ref(t->error));
    } catch (...) {
      ac::error_unref(t->error);
      loop->report("out of memory recording a task group error", t->error, t);
    }
    if (parent == nullptr || parent->done()) {
      loop->report("a task of a group failed after its parent task finished", t->error, t, "task");
    } else if (!aborting && !parent_cancel_requested) {
      // The first failure stops everything: the siblings and the body
      // (through the parent's current await). The parent's cancellation is
      // taken back when the group finishes.
      abort();
      parent_cancel_requested = true;
      parent->cancel(nullptr);
    }
  }
  // Errors are recorded before the join completes, so a parent cancel
  // made just above is absorbed by the join, not by the parent's wake-up.
  // (A parent woken by a cancellation finishes the group when it runs.)
  if (exiting && live == 0 && !done() && !parent_woken) finish();
  t->unref();
  hold->unref();
}

void ac_taskgroup::finish() noexcept {
  if (parent_cancel_requested && parent != nullptr) {
    if (parent->uncancel() == 0) {
      // No cancellation left but ours: nothing to propagate.
      ac::error_unref(propagate);
      propagate = nullptr;
    } else if (propagate == nullptr && join_cancelled != nullptr) {
      // The remaining cancellation is someone else's: keep it.
      propagate = ac::error_ref(join_cancelled);
    }
  }
  if (propagate != nullptr && errors.empty()) {
    ac_error *e = propagate;
    propagate = nullptr;
    cancel_now(e);
    release_parent();
    return;
  }
  if (body_error != nullptr) {
    try {
      errors.push_back(body_error);
      body_error = nullptr;
    } catch (...) {
    }
  }
  if (errors.empty()) {
    ac_value none;
    ac::value_init(&none);
    set_result(&none);
    release_parent();
    return;
  }
  ac_error *group = nullptr;
  try {
    char msg[96];
    std::snprintf(msg, sizeof msg, "unhandled errors in a TaskGroup (%zu sub-exception%s)",
                  errors.size(), errors.size() == 1 ? "" : "s");
    group = ac::error_new(AC_EGROUP, msg);
    group->children.reserve(errors.size());
    for (ac_error *e : errors) group->children.push_back(e);
    errors.clear();  // moved into the group error
  } catch (...) {
    ac::error_unref(group);
    group = nullptr;
  }
  // asyncio: uncancel() + cancel() on a parent still being cancelled from
  // outside, so that cancellation hits the parent's next await instead of
  // replacing the group error it is about to read.
  if (parent != nullptr && !parent->done() && parent->cancelling() > 0) {
    parent->uncancel();
    parent->cancel_after_resume();
  }
  set_error(group);
  ac::error_unref(group);
  release_parent();
}
