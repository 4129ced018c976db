#include "error.hpp"

#include <cstring>

#include <uv.h>

#include "value.hpp"

ac_error::~ac_error() {
  ac::error_unref(cause);
  for (ac_error *c : children) ac::error_unref(c);
  ac::value_release(&payload);
}

namespace ac {

ac_error *error_new(int code, const char *message, ac_error *cause) {
  auto *e = new ac_error();
  e->code = code;
  e->message = message != nullptr ? message : strerror(code);
  e->cause = error_ref(cause);
  return e;
}

void error_release(ac_error *e) noexcept { delete e; }

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
  if (code < 0 && code > -10000) return uv_strerror(code);
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
  if (code < 0 && code > -10000) {
    const char *n = uv_err_name(code);
    // libuv answers "Unknown system error -N" for codes it does not name.
    if (n != nullptr && std::strncmp(n, "Unknown", 7) != 0) return n;
  }
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
    case -ECONNRESET:
      return "ConnectionResetError";
    case -ECONNREFUSED:
      return "ConnectionRefusedError";
    case -ECONNABORTED:
      return "ConnectionAbortedError";
    case -EPIPE:
    case -ESHUTDOWN:
      return "BrokenPipeError";
    case -ENOENT:
      return "FileNotFoundError";
    case -EEXIST:
      return "FileExistsError";
    case -EISDIR:
      return "IsADirectoryError";
    case -ENOTDIR:
      return "NotADirectoryError";
    case -EPERM:
    case -EACCES:
      return "PermissionError";
    case -ESRCH:
      return "ProcessLookupError";
    case -ECHILD:
      return "ChildProcessError";
    case -EINTR:
      return "InterruptedError";
    case -EAGAIN:
    case -EALREADY:
    case -EINPROGRESS:
      return "BlockingIOError";
    default:
      break;
  }
  if (code <= UV_EAI_ADDRFAMILY && code >= UV_EAI_PROTOCOL) return "gaierror";
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

static void format_into(std::string &out, const ac_error *e, int depth) {
  std::string pad(static_cast<size_t>(depth) * 2, ' ');
  out += pad;
  out += err_name(e->code);
  out += ": ";
  out += e->message;
  out += '\n';
  for (const ac_error *c = e->cause; c != nullptr; c = c->cause) {
    out += pad;
    out += "  caused by ";
    out += err_name(c->code);
    out += ": ";
    out += c->message;
    out += '\n';
  }
  for (size_t i = 0; i < e->children.size(); ++i) {
    out += pad;
    out += "  +-- " + std::to_string(i + 1) + " of " + std::to_string(e->children.size()) + '\n';
    format_into(out, e->children[i], depth + 2);
  }
}

std::string error_format(const ac_error *e) {
  std::string out;
  format_into(out, e, 0);
  return out;
}

}  // namespace ac
