#include "core/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace ac {

void debug_assert_failed(const char *file, int line, const char *cond, const char *what) noexcept {
  std::fprintf(stderr, "asyncore: %s:%d: check failed: %s (%s)\n", file, line, what, cond);
  std::fflush(stderr);
  std::abort();
}

}  // namespace ac
