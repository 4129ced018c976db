// fdwatch.hpp — any descriptor (asyncore/fdwatch.h). Each returns 0 (and a
// new future in *out) or a negative code; they throw bad_alloc.
#pragma once

#include <asyncore/fdwatch.h>

#include "core/loop.hpp"

namespace ac {
int fd_add_callback(ac_loop *loop, int fd, bool write, ac_callback_fn fn, void *ud,
                    ac_free_fn free_ud);
int fd_remove_callback(ac_loop *loop, int fd, bool write) noexcept;
int fd_wait(ac_loop *loop, int fd, bool write, ac_future **out);
int sock_recv(ac_loop *loop, int fd, size_t n, ac_future **out);
int sock_sendall(ac_loop *loop, int fd, const void *data, size_t len, ac_future **out);
int sock_connect(ac_loop *loop, int fd, const char *address, ac_future **out);
int sock_accept(ac_loop *loop, int fd, ac_future **out);
}  // namespace ac
