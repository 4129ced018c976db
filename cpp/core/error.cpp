#include "core/error.hpp"

#include <cstring>
#include <unordered_set>

#include <uv.h>

#include "core/value.hpp"

ac_error::~ac_error() {
  ac::error_unref(cause);
  for (ac_error *c : children) ac::error_unref(c);
  ac::value_release(&payload);
}

// error.h names libuv's resolver codes by value.
static_assert(int{AC_EAI_ADDRFAMILY} == int{UV_EAI_ADDRFAMILY} &&
                  int{AC_EAI_NONAME} == int{UV_EAI_NONAME} && int{AC_EAI_AGAIN} == int{UV_EAI_AGAIN} &&
                  int{AC_EAI_PROTOCOL} == int{UV_EAI_PROTOCOL} &&
                  int{AC_EAI_BADHINTS} == int{UV_EAI_BADHINTS} &&
                  int{AC_EAI_SOCKTYPE} == int{UV_EAI_SOCKTYPE},
              "AC_EAI_* are libuv's values");

namespace {
// libuv names the codes it knows with static strings, but answers any other
// with "Unknown system error N" in a string it allocates on each call and
// nobody frees. Ask first in a buffer of our own.
bool uv_names(int code) noexcept {
  char buf[64];
  uv_err_name_r(code, buf, sizeof buf);
  return std::strncmp(buf, "Unknown system error", 20) != 0;
}
}  // namespace

namespace ac {

ac_error *error_new(int code, const char *message, ac_error *cause) {
  auto *e = new ac_error();
  e->code = code;
  e->message = message != nullptr ? message : strerror(code);
  e->cause = error_ref(cause);
  return e;
}

void error_release(ac_error *e) noexcept {
  // Each error whose last reference goes here joins a list instead of being
  // released from its parent's destructor: no recursion, however long the
  // chain. (A payload's destructor may release other errors meanwhile: that
  // is a separate call with its own list.)
  e->next_dead = nullptr;
  ac_error *dead = e;
  while (dead != nullptr) {
    ac_error *x = dead;
    dead = x->next_dead;
    auto drop = [&dead](ac_error *c) {
      if (c != nullptr && c->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        c->next_dead = dead;
        dead = c;
      }
    };
    drop(x->cause);
    x->cause = nullptr;
    for (ac_error *c : x->children) drop(c);
    x->children.clear();
    delete x;
  }
}

int error_add_child(ac_error *err, ac_error *child) {
  // The graph of children and causes has no cycle (causes are set at
  // creation, children only here): searching it from `child` ends.
  std::unordered_set<const ac_error *> seen;
  std::vector<const ac_error *> todo{child};
  while (!todo.empty()) {
    const ac_error *x = todo.back();
    todo.pop_back();
    if (x == err) return AC_EINVAL;
    if (!seen.insert(x).second) continue;
    if (x->cause != nullptr) todo.push_back(x->cause);
    for (const ac_error *c : x->children) todo.push_back(c);
  }
  err->children.push_back(child);
  error_ref(child);
  return 0;
}

const char *strerror(int code) noexcept {
  switch (code) {
    case 0:
      return "success";
#define AC_XX_(name, value, msg) \
  case value:                    \
    return msg;
    AC_ERRNO_MAP(AC_XX_)
#undef AC_XX_
    default:
      break;
  }
  if (code < 0 && code > -10000 && uv_names(code)) return uv_strerror(code);
  return "unknown error";
}

const char *err_name(int code) noexcept {
  switch (code) {
    case 0:
      return "AC_OK";
#define AC_XX_(name, value, msg) \
  case value:                    \
    return "AC_E" #name;
    AC_ERRNO_MAP(AC_XX_)
#undef AC_XX_
    default:
      break;
  }
  if (code < 0 && code > -10000 && uv_names(code)) return uv_err_name(code);
  return "UNKNOWN";
}

const char *err_class(int code) noexcept {
  switch (code) {
    case AC_ECANCELLED:
      return "CancelledError";
    case AC_ETIMEDOUT:
      return "TimeoutError";
    case AC_ESTATE:
      return "InvalidStateError";
    case AC_EINVAL:
      return "ValueError";
    case AC_EMISUSE:
    case AC_ECLOSED:
    case AC_ERUNNING:
    case AC_EWRONGTHREAD:
    case AC_ESTOPPED:
    case AC_EINTERNAL:
      return "RuntimeError";
    case AC_EEMPTY:
      return "QueueEmpty";
    case AC_EFULL:
      return "QueueFull";
    case AC_ESHUTDOWN:
      return "QueueShutDown";
    case AC_EBROKEN:
      return "BrokenBarrierError";
    case AC_EGROUP:
      return "ExceptionGroup";
    case AC_EINCOMPLETE:
      return "IncompleteReadError";
    case AC_ELIMIT:
      return "LimitOverrunError";
    case AC_EHOST:
      return "Exception";
    case AC_ETLS:
      return "SSLError";
    case AC_ETLSVERIFY:
      return "SSLCertVerificationError";
    case UV_ECONNRESET:
      return "ConnectionResetError";
    case UV_ECONNREFUSED:
      return "ConnectionRefusedError";
    case UV_ECONNABORTED:
      return "ConnectionAbortedError";
    case UV_EPIPE:
    case UV_ESHUTDOWN:
      return "BrokenPipeError";
    case UV_ENOENT:
      return "FileNotFoundError";
    case UV_EEXIST:
      return "FileExistsError";
    case UV_EISDIR:
      return "IsADirectoryError";
    case UV_ENOTDIR:
      return "NotADirectoryError";
    case UV_EPERM:
    case UV_EACCES:
      return "PermissionError";
    case UV_ESRCH:
      return "ProcessLookupError";
    case -ECHILD:
      return "ChildProcessError";
    case UV_EINTR:
      return "InterruptedError";
    case UV_EAGAIN:
    case UV_EALREADY:
    case -EINPROGRESS:
      return "BlockingIOError";
    default:
      break;
  }
  if (code <= AC_EAI_ADDRFAMILY && code >= AC_EAI_PROTOCOL) return "gaierror";
  return "OSError";
}

ac_error_kind error_kind_of(int code) noexcept {
  switch (code) {
    case AC_ECANCELLED:
      return AC_ERROR_KIND_CANCELLED;
    case AC_ETIMEDOUT:
      return AC_ERROR_KIND_TIMEOUT;
    case AC_EINVAL:
    case AC_ESTATE:
    case AC_EWRONGTHREAD:
    case AC_ECLOSED:
    case AC_ERUNNING:
    case AC_EMISUSE:
      return AC_ERROR_KIND_USAGE;
    case AC_EGROUP:
      return AC_ERROR_KIND_GROUP;
    case AC_EHOST:
      return AC_ERROR_KIND_HOST;
    default:
      return code > -10000 ? AC_ERROR_KIND_OS : AC_ERROR_KIND_RUNTIME;
  }
}

namespace {

struct Formatter {
  std::string out;
  size_t entries = 0;  // errors rendered so far
  bool truncated = false;

  // Room for one more error; past the limit, one line says so.
  bool take_entry(const std::string &pad) {
    if (entries < kFormatMaxEntries) {
      ++entries;
      return true;
    }
    if (!truncated) {
      truncated = true;
      out += pad;
      out += "... (output truncated after " + std::to_string(kFormatMaxEntries) + " errors)\n";
    }
    return false;
  }

  // `groups` counts the errors with children that enclose `e`.
  void node(const ac_error *e, size_t indent, int groups) {
    std::string pad(indent, ' ');
    if (!e->children.empty() && groups + 1 > kFormatMaxDepth) {
      // Python's traceback: a group nested deeper than max_group_depth.
      out += pad;
      out += "... (max_group_depth is " + std::to_string(kFormatMaxDepth) + ")\n";
      return;
    }
    if (!take_entry(pad)) return;
    out += pad;
    out += err_name(e->code);
    out += ": ";
    out += e->message;
    out += '\n';
    for (const ac_error *c = e->cause; c != nullptr; c = c->cause) {
      if (!take_entry(pad)) return;
      out += pad;
      out += "  caused by ";
      out += err_name(c->code);
      out += ": ";
      out += c->message;
      out += '\n';
    }
    size_t n = e->children.size();
    std::string total = std::to_string(n);
    for (size_t i = 0; i < n && !truncated; ++i) {
      out += pad;
      if (i == kFormatMaxWidth) {
        // Python's traceback: max_group_width sub-exceptions, then a count.
        size_t rest = n - kFormatMaxWidth;
        out += "  +-- and " + std::to_string(rest) + " more exception" + (rest > 1 ? "s" : "") +
               '\n';
        break;
      }
      out += "  +-- " + std::to_string(i + 1) + " of " + total + '\n';
      node(e->children[i], indent + 4, groups + 1);
    }
  }
};

}  // namespace

std::string error_format(const ac_error *e) {
  Formatter f;
  f.node(e, 0, 0);
  return std::move(f.out);
}

}  // namespace ac
