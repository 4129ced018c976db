// inspect.cpp — ac_loop_dump and ac_loop_get_stats at the boundary.
#include <algorithm>
#include <cstring>
#include <string>

#include "core/task.hpp"
#include "inspect/dump.hpp"
#include "../shim.hpp"

using ac::shim::check_loop;
using ac::shim::fail;

AC_API int ac_loop_dump(ac_loop *loop, int format, char **out) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr || (format != AC_DUMP_TEXT && format != AC_DUMP_JSON)) return fail(AC_EINVAL);
  AC_GUARD(std::string text; ac::loop_dump(loop, format, text);
           auto *s = static_cast<char *>(ac_alloc(text.size() + 1));
           if (s == nullptr) return fail(AC_ENOMEM);
           std::memcpy(s, text.c_str(), text.size() + 1); *out = s; return 0;)
}

AC_API uint64_t ac_task_get_id(const ac_task *t) noexcept { return t != nullptr ? t->id : 0; }

AC_API int ac_loop_get_stats(const ac_loop *loop, ac_loop_stats *out, size_t size) noexcept {
  int rc = check_loop(loop);
  if (rc != 0) return rc;
  if (out == nullptr) return fail(AC_EINVAL);
  ac_loop_stats st{};
  st.tasks_alive = loop->task_count;
  st.tasks_created = loop->tasks_created;
  st.ready = loop->ready.size();
  st.timers = loop->timers.size();
  st.callbacks_run = loop->callbacks_run;
  st.iterations = loop->iterations;
  st.poll_ns = loop->poll_ns;
  st.callbacks_ns = loop->callback_ns;
  size_t n = std::min(size, sizeof st);
  std::memcpy(out, &st, n);
  return static_cast<int>(n);
}
