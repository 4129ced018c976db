// dump.hpp — seeing into a loop: ac_loop_dump's text and JSON, and the
// names debug mode gives the callbacks it reports as slow.
#pragma once

#include <string>
#include <unordered_map>

#include "core/loop.hpp"
#include "core/runnable.hpp"

namespace ac {

// Every pending task of `loop`, in `format` (AC_DUMP_TEXT or AC_DUMP_JSON),
// appended to `out`. Reads only. Throws std::bad_alloc.
void loop_dump(ac_loop *loop, int format, std::string &out);

// What a ready-queue entry is, asyncio's way: "<Task name='X' id=3>",
// "<Handle callback>", "<TimerHandle callback>", "<Handle done-callback>".
// Taken before it runs (a task may be gone after its step).
std::string describe_runnable(Runnable *r) noexcept;

// While one is in scope on this thread, the descriptions find the plain
// futures held by the loop's streams, datagram endpoints and servers in an
// index made once, not by a walk over every closable per future (a dump
// or a close with n connections awaited would be n^2). Throws
// std::bad_alloc.
class HeldIndex {
 public:
  explicit HeldIndex(ac_loop *loop);
  ~HeldIndex();
  HeldIndex(const HeldIndex &) = delete;
  HeldIndex &operator=(const HeldIndex &) = delete;

 private:
  std::unordered_map<const ac_future *, Closable *> held_;
  const std::unordered_map<const ac_future *, Closable *> *prev_;
};

// What task `t` awaits, as one line of the text dump ("sleep left=2.500",
// "lock 0x... position=2 waiters=2 locked=yes"), or "" when it awaits
// nothing. Throws std::bad_alloc.
std::string describe_await(ac_loop *loop, ac_task *t);

}  // namespace ac
