// signal_run.hpp — ac_run's SIGINT handling (signal.cpp), for task.cpp.
#pragma once

#include <asyncore.h>

namespace ac::shim {
// Installs asyncio.run's SIGINT handler on `loop` for `main` when SIGINT
// has its default disposition; returns a token (NULL: not installed).
void *run_sigint_install(ac_loop *loop, ac_task *main) noexcept;
// Removes it; returns how many SIGINTs it saw.
int run_sigint_remove(ac_loop *loop, void *token) noexcept;
}  // namespace ac::shim
