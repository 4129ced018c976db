// taskgroup.hpp — struct ac_taskgroup: asyncio.TaskGroup for step tasks.
//
// The group is itself the future its body awaits to leave the group (the
// "join"): it completes once the body has joined and every task of the
// group is done.
//
// Invariants:
//  - `members` holds the group's tasks in creation order (their ids rise:
//    spawn order, but for a task that an eager task's first step added
//    before the eager task itself), each watched, with one reference. A
//    task leaves when its watch fires: its slot becomes a hole (null),
//    found at `front` or by binary search on its id, and the holes are
//    closed up once they are half of the slots. `live` counts the tasks
//    left.
//  - `parent` (one reference) is the task whose body runs the group; it is
//    released when the group finishes. While held, the group is on the
//    loop's closable list, so closing the loop breaks the cycle parent
//    state -> group -> parent.
//  - `errors` are the failures of the group's tasks, in completion order
//    (cancellations are not failures).
//  - once `aborting`, every task of the group has been cancelled and no
//    task can be added; once exiting with no task left, the group is done.
#pragma once

#include <vector>

#include "core/task.hpp"
#include "core/watch.hpp"

struct ac_taskgroup final : ac_future, ac::Watcher, ac::Closable {
  ac_task *parent = nullptr;
  struct Member {
    uint64_t id;
    ac_task *task;  // null once it left
  };
  std::vector<Member> members;
  size_t live = 0;
  // Every slot before this one is a hole: tasks that end in the order they
  // were made are found here, without a search.
  size_t front = 0;
  std::vector<ac_error *> errors;
  ac_error *body_error = nullptr;      // the body's own failure (not a cancel)
  ac_error *propagate = nullptr;       // the cancellation to pass on, if any
  ac_error *join_cancelled = nullptr;  // a cancel of the join while waiting
  bool exiting = false;
  bool aborting = false;
  bool parent_cancel_requested = false;
  // The parent was woken by a cancellation of the join and has not run
  // yet (resume_parent acts on it).
  bool parent_woken = false;
  bool on_closable_list = false;

  ac_taskgroup(ac_loop *l, ac_task *parent_task) noexcept;
  ~ac_taskgroup() override;

  // After the task was created: puts it under the group. Throws bad_alloc.
  void add(ac_task *t);
  // Why a new task is refused now (asyncio's words), or null.
  const char *spawn_refusal() const noexcept;
  int join(int body_outcome, ac_error *err);
  bool cancel(const char *message) noexcept override;
  // The parent, woken by a cancellation of the join, resumes: true when
  // the group finished now (no task left), false when it waits on.
  bool resume_parent() noexcept;
  void on_watched_done(ac_future *f, size_t index) noexcept override;
  void close_for_loop() noexcept override;
  // Calls fn(task) for each task of the group, in spawn order.
  template <class F>
  void for_each_task(F fn) const {
    for (const Member &m : members)
      if (m.task != nullptr) fn(m.task);
  }

 protected:
  void cut_direct_watches() noexcept override;

 private:
  void abort() noexcept;
  // The join's cancellation reaching the group: abort, and pass it on,
  // unless the group is aborting already.
  void abort_for_cancel() noexcept;
  void finish() noexcept;
  void release_parent() noexcept;
};
