#include "io/udp.hpp"

#include <cstdlib>
#include <cstring>

#include "io/net.hpp"
#include "io/platform.hpp"

namespace {
constexpr size_t kRecvBuf = 65536;

ac_udp *of(uv_handle_t *h) { return static_cast<ac_udp *>(h->data); }
void on_alloc_cb(uv_handle_t *h, size_t, uv_buf_t *buf) { of(h)->on_alloc(buf); }
void on_recv_cb(uv_udp_t *h, ssize_t nread, const uv_buf_t *, const sockaddr *addr, unsigned) {
  of(reinterpret_cast<uv_handle_t *>(h))->on_recv(nread, addr);
}
void on_close_cb(uv_handle_t *h) { of(h)->on_close(); }

// A datagram that could not be sent at once; owns its copy.
struct SendReq {
  uv_udp_send_t req;
  char data[1];
};
void on_send_cb(uv_udp_send_t *req, int) { std::free(req->data); }
}  // namespace

ac_udp::ac_udp(ac_loop *l) noexcept : loop(l) {
  loop->refs.fetch_add(1, std::memory_order_relaxed);
}

ac_udp::~ac_udp() {
  magic = 0;
  if (registered) loop->remove_closable(this);
  for (const Datagram &d : queue) std::free(d.data);
  if (recv_future != nullptr) recv_future->unref();
  std::free(rbuf);
  ac_loop *l = loop;
  if (l->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) l->destroy();
}

void ac_udp::unref() noexcept {
  if (--user_refs != 0) return;
  close();
  if (!handle_live) delete this;
}

int ac_udp::bind(const char *host, int port, bool reuse_port) noexcept {
  sockaddr_storage ss;
  int rc = ac::resolve_now(host, port, SOCK_DGRAM, &ss);
  if (rc != 0) return rc;
  // With a family the socket exists at once, so that options can be set
  // on it before the bind.
  rc = uv_udp_init_ex(loop->uvl, &h, ss.ss_family);
  if (rc != 0) return rc;
  h.data = this;
  handle_live = true;
  loop->add_closable(this);
  registered = true;
  if (reuse_port) {
#ifdef SO_REUSEPORT
    uv_os_fd_t fd;
    rc = uv_fileno(reinterpret_cast<uv_handle_t *>(&h), &fd);
    if (rc != 0) return rc;
    if (int e = ac::sys::set_int_option(fd, SOL_SOCKET, SO_REUSEPORT, 1); e != 0) return e;
#else
    return AC_ENOTSUP;  // as the TCP listener: no reuse_port where the system lacks it
#endif
  }
  return uv_udp_bind(&h, reinterpret_cast<sockaddr *>(&ss), 0);
}

int ac_udp::connect(const char *host, int port) noexcept {
  if (closed) return AC_ECLOSED;
  sockaddr_storage ss;
  int rc = ac::resolve_now(host, port, SOCK_DGRAM, &ss);
  if (rc != 0) return rc;
  rc = uv_udp_connect(&h, reinterpret_cast<sockaddr *>(&ss));
  if (rc == 0) connected = true;
  return rc;
}

int ac_udp::send(const void *data, size_t len, const char *address) noexcept {
  if (closed) return AC_ECLOSED;
  sockaddr_storage ss;
  const sockaddr *to = nullptr;
  if (address != nullptr) {
    if (ac::parse_address(address, &ss) != 0) return AC_EINVAL;
    to = reinterpret_cast<sockaddr *>(&ss);
  } else if (!connected) {
    return AC_EINVAL;
  }
  uv_buf_t b = uv_buf_init(const_cast<char *>(static_cast<const char *>(data)),
                           static_cast<unsigned>(len));
  int rc = uv_udp_try_send(&h, &b, 1, to);
  if (rc >= 0) return 0;
  if (rc != UV_EAGAIN) return rc;
  // The socket is busy: copy and queue.
  auto *r = static_cast<SendReq *>(std::malloc(sizeof(SendReq) + len));
  if (r == nullptr) return AC_ENOMEM;
  if (len != 0) std::memcpy(r->data, data, len);
  r->req.data = r;
  b = uv_buf_init(r->data, static_cast<unsigned>(len));
  rc = uv_udp_send(&r->req, &h, &b, 1, to, on_send_cb);
  if (rc != 0) std::free(r);
  return rc;
}

void ac_udp::on_alloc(uv_buf_t *buf) noexcept {
  if (rbuf == nullptr) rbuf = static_cast<char *>(std::malloc(kRecvBuf));
  *buf = rbuf != nullptr ? uv_buf_init(rbuf, kRecvBuf) : uv_buf_init(nullptr, 0);
}

void ac_udp::deliver(ac_future *f, const Datagram &d, bool with_addr) noexcept {
  if (with_addr) {
    ac::future_set_bytes(f, d.data, d.len);
    return;
  }
  // Drop the address prefix: move the payload to the front.
  std::memmove(d.data, d.data + d.addr_len, d.len - d.addr_len);
  d.data[d.len - d.addr_len] = '\0';
  ac::future_set_bytes(f, d.data, d.len - d.addr_len);
}

void ac_udp::on_recv(ssize_t nread, const sockaddr *addr) noexcept {
  if (nread < 0) {
    if (recv_future != nullptr && !recv_future->done()) {
      ac::future_fail(recv_future, static_cast<int>(nread));
      recv_future->unref();
      recv_future = nullptr;
    } else {
      recv_error = static_cast<int>(nread);
    }
    return;
  }
  if (addr == nullptr) return;  // nothing more to read now
  if (recv_future != nullptr && recv_future->done()) {  // cancelled
    recv_future->unref();
    recv_future = nullptr;
  }
  if (recv_future == nullptr && queue.size() >= max_queue) {
    ++dropped;
    return;
  }
  std::string from;
  try {
    ac::format_address(addr, sizeof(sockaddr_storage), &from);
  } catch (...) {
    ++dropped;
    return;
  }
  size_t alen = from.size() + 1;
  size_t n = static_cast<size_t>(nread);
  auto *p = static_cast<char *>(std::malloc(alen + n + 1));
  if (p == nullptr) {
    ++dropped;
    return;
  }
  std::memcpy(p, from.data(), from.size());
  p[from.size()] = '\n';
  if (n != 0) std::memcpy(p + alen, rbuf, n);
  p[alen + n] = '\0';
  Datagram d{p, alen + n, alen};
  if (recv_future != nullptr) {
    ac_future *f = recv_future;
    recv_future = nullptr;
    deliver(f, d, recv_with_addr);
    f->unref();
    return;
  }
  try {
    queue.push_back(d);
  } catch (...) {
    std::free(p);
    ++dropped;
  }
}

int ac_udp::recv(bool with_addr, ac_future **out) {
  if (recv_future != nullptr) {
    if (!recv_future->done()) return AC_ESTATE;
    recv_future->unref();  // cancelled: forget it, no datagram was taken
    recv_future = nullptr;
  }
  if (closed) return AC_ECLOSED;
  auto *f = new ac_future(loop);
  if (!queue.empty()) {
    Datagram d = queue.front();
    queue.pop_front();
    deliver(f, d, with_addr);
    *out = f;
    return 0;
  }
  if (recv_error != 0) {
    ac::future_fail(f, recv_error);
    recv_error = 0;
    *out = f;
    return 0;
  }
  if (!receiving) {
    int rc = uv_udp_recv_start(&h, on_alloc_cb, on_recv_cb);
    if (rc != 0) {
      ac::future_fail(f, rc);
      *out = f;
      return 0;
    }
    receiving = true;
  }
  f->ref();  // the endpoint's, while pending
  recv_future = f;
  recv_with_addr = with_addr;
  *out = f;
  return 0;
}

void ac_udp::close() noexcept {
  if (closed) return;
  closed = true;
  if (registered) {
    loop->remove_closable(this);
    registered = false;
  }
  if (recv_future != nullptr) {
    ac::future_fail(recv_future, AC_ECLOSED);
    recv_future->unref();
    recv_future = nullptr;
  }
  if (handle_live && !uv_is_closing(reinterpret_cast<uv_handle_t *>(&h)))
    uv_close(reinterpret_cast<uv_handle_t *>(&h), on_close_cb);
}

void ac_udp::close_for_loop() noexcept {
  registered = false;
  close();
}

void ac_udp::on_close() noexcept {
  handle_live = false;
  if (user_refs == 0) delete this;
}
