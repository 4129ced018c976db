// asyncore/error.hpp — C++ exceptions <-> ac_error, both ways, with
// asyncio's exception classes.
//
// Every failure the C ABI reports becomes an exception of the class asyncio
// raises for it (ac_err_class), so C++ code catches what Python code would:
//
//   Error                      every failure (code(), message(), cause())
//   ├─ CancelledError          AC_ECANCELLED
//   ├─ InvalidStateError       AC_ESTATE (a future already done, a result
//   │                          not set)
//   ├─ RuntimeError            AC_EMISUSE, AC_ECLOSED, AC_ERUNNING,
//   │  │                       AC_EWRONGTHREAD, AC_ESTOPPED, AC_EINTERNAL
//   │  └─ BrokenBarrierError   AC_EBROKEN
//   ├─ ValueError              AC_EINVAL
//   ├─ OSError                 an operating-system condition (errno)
//   │  └─ TimeoutError         AC_ETIMEDOUT
//   ├─ QueueEmpty, QueueFull, QueueShutDown
//   ├─ GroupError              AC_EGROUP (asyncio's ExceptionGroup; alias
//   │                          ExceptionGroup): exceptions() are the children
//   ├─ IncompleteReadError     AC_EINCOMPLETE
//   └─ LimitOverrunError       AC_ELIMIT
//
// (As in Python, BrokenBarrierError is a RuntimeError and TimeoutError an
// OSError.) asyncio_class() names the class ("ConnectionResetError" for an
// OSError of ECONNRESET); message() is asyncio's message — the reason the
// failing call gave (ac_last_error_message), or the ac_error's message for
// a failed future — and may be empty, as str(TimeoutError()) is; what() is
// the message, or the class name when the message is empty. cause() is the
// exception this one was raised from (`raise X from cause`): the
// CancelledError behind a timeout scope's TimeoutError, the error a
// worker's error was made from.
//
// A C++ exception of any other type thrown out of a task becomes an AC_EHOST
// ac_error (message: what()) whose payload keeps the std::exception_ptr, so
// a C++ awaiter further up rethrows the original object with its own type,
// while C code still sees a code, a message and a kind. An Error that came
// from C carries its ac_error (raw()); throwing it on hands the same
// ac_error back, with its cause, children and payload intact. An Error made
// by C++ code keeps its own class through C as well (the payload again).
#pragma once

#include <asyncore.h>

#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace asyncore {

// A counted reference to an ac_error (thread-safe counting, as the C side).
class ErrorRef {
 public:
  ErrorRef() noexcept = default;
  static ErrorRef adopt(ac_error *e) noexcept { return ErrorRef(e); }
  static ErrorRef borrow(ac_error *e) noexcept { return ErrorRef(ac_error_ref(e)); }
  ErrorRef(const ErrorRef &o) noexcept : e_(ac_error_ref(o.e_)) {}
  ErrorRef(ErrorRef &&o) noexcept : e_(std::exchange(o.e_, nullptr)) {}
  ErrorRef &operator=(ErrorRef o) noexcept {
    std::swap(e_, o.e_);
    return *this;
  }
  ~ErrorRef() { if (e_ != nullptr) ac_error_unref(e_); }
  ac_error *get() const noexcept { return e_; }
  ac_error *release() noexcept { return std::exchange(e_, nullptr); }
  explicit operator bool() const noexcept { return e_ != nullptr; }

 private:
  explicit ErrorRef(ac_error *e) noexcept : e_(e) {}
  ac_error *e_ = nullptr;
};

std::exception_ptr exception_from_error(ac_error *e);

// Any failure reported by the library, or raised by C++ code with a code.
class Error : public std::exception {
 public:
  // An exception for `code` with asyncio's `message` (may be empty) and the
  // exception it was raised from (may be null).
  explicit Error(int code, std::string message = {}, std::exception_ptr cause = nullptr)
      : code_(code), message_(std::move(message)), cause_(std::move(cause)) {}
  // An exception for a C error (a reference is kept).
  explicit Error(ErrorRef e)
      : code_(e ? ac_error_code(e.get()) : AC_EINTERNAL),
        message_(e ? ac_error_message(e.get()) : "missing error"),
        raw_(std::move(e)) {}

  int code() const noexcept { return code_; }
  // asyncio's message; empty when asyncio's exception has none.
  const std::string &message() const noexcept { return message_; }
  // The message, or the class name when it is empty.
  const char *what() const noexcept override {
    return message_.empty() ? asyncio_class() : message_.c_str();
  }
  // The code's name, e.g. "AC_ECANCELLED", "ECONNRESET".
  const char *name() const noexcept { return ac_err_name(code_); }
  // The class asyncio raises for the code, e.g. "TimeoutError",
  // "ConnectionResetError", "QueueEmpty".
  const char *asyncio_class() const noexcept { return ac_err_class(code_); }
  // "Class: message", or "Class" when the message is empty (how Python
  // prints an exception in a traceback's last line).
  std::string describe() const {
    std::string s = asyncio_class();
    if (!message_.empty()) s += ": " + message_;
    return s;
  }
  // The exception this one was raised from (Python's __cause__), or null.
  std::exception_ptr cause() const {
    if (cause_) return cause_;
    ac_error *c = raw_ ? ac_error_cause(raw_.get()) : nullptr;
    return c != nullptr ? exception_from_error(c) : nullptr;
  }
  // The C error behind this exception (borrowed), or null when it was
  // raised by C++ code.
  ac_error *raw() const noexcept { return raw_.get(); }

 private:
  int code_;
  std::string message_;
  ErrorRef raw_;
  std::exception_ptr cause_;
};

#define AC_CPP_ERROR_CLASS_(Name, Base, Code)                                    \
  class Name : public Base {                                                     \
   public:                                                                       \
    explicit Name(std::string message = {}, std::exception_ptr cause = nullptr) \
        : Base(Code, std::move(message), std::move(cause)) {}                    \
    explicit Name(ErrorRef e) : Base(std::move(e)) {}                            \
                                                                                 \
   protected:                                                                    \
    Name(int code, std::string message, std::exception_ptr cause)               \
        : Base(code, std::move(message), std::move(cause)) {}                    \
  }

// A task or future was cancelled (asyncio.CancelledError). Catch it to
// clean up, then rethrow: swallowing it makes the task go on as if never
// cancelled.
AC_CPP_ERROR_CLASS_(CancelledError, Error, AC_ECANCELLED);
// A future already done, a result not set yet (asyncio.InvalidStateError).
AC_CPP_ERROR_CLASS_(InvalidStateError, Error, AC_ESTATE);
// A bad value (ValueError).
AC_CPP_ERROR_CLASS_(ValueError, Error, AC_EINVAL);
// Queue conditions (asyncio.QueueEmpty, QueueFull, QueueShutDown).
AC_CPP_ERROR_CLASS_(QueueEmpty, Error, AC_EEMPTY);
AC_CPP_ERROR_CLASS_(QueueFull, Error, AC_EFULL);
AC_CPP_ERROR_CLASS_(QueueShutDown, Error, AC_ESHUTDOWN);
// Streams (asyncio.IncompleteReadError, asyncio.LimitOverrunError).
AC_CPP_ERROR_CLASS_(IncompleteReadError, Error, AC_EINCOMPLETE);
AC_CPP_ERROR_CLASS_(LimitOverrunError, Error, AC_ELIMIT);

// Misuse: a closed loop, a loop already running, a lock released
// unlocked, a timeout scope used wrongly … (RuntimeError). The code tells
// which (AC_EMISUSE by default).
class RuntimeError : public Error {
 public:
  explicit RuntimeError(std::string message = {}, std::exception_ptr cause = nullptr)
      : Error(AC_EMISUSE, std::move(message), std::move(cause)) {}
  RuntimeError(int code, std::string message, std::exception_ptr cause = nullptr)
      : Error(code, std::move(message), std::move(cause)) {}
  explicit RuntimeError(ErrorRef e) : Error(std::move(e)) {}
};
// A barrier reset or aborted (asyncio.BrokenBarrierError, a RuntimeError).
AC_CPP_ERROR_CLASS_(BrokenBarrierError, RuntimeError, AC_EBROKEN);

// An operating-system condition (OSError; asyncio_class() names the
// subclass Python would raise: ConnectionResetError, BrokenPipeError …).
class OSError : public Error {
 public:
  explicit OSError(int code, std::string message = {}, std::exception_ptr cause = nullptr)
      : Error(code, std::move(message), std::move(cause)) {}
  explicit OSError(ErrorRef e) : Error(std::move(e)) {}
};
// A deadline passed (TimeoutError, which asyncio.TimeoutError is); its
// message is empty, and a timeout scope's carries the CancelledError it
// turned into this as its cause().
AC_CPP_ERROR_CLASS_(TimeoutError, OSError, AC_ETIMEDOUT);

#undef AC_CPP_ERROR_CLASS_

// One or more tasks of a group failed (asyncio's ExceptionGroup): the
// children are the failures, in the order they happened.
class GroupError : public Error {
 public:
  GroupError(std::string message, std::vector<std::exception_ptr> children)
      : Error(AC_EGROUP, std::move(message)), children_(std::move(children)) {}
  explicit GroupError(ErrorRef e) : Error(e) {
    for (int64_t i = 0, n = ac_error_child_count(e.get()); i < n; ++i)
      children_.push_back(exception_from_error(ac_error_child(e.get(), static_cast<size_t>(i))));
  }
  const std::vector<std::exception_ptr> &exceptions() const noexcept { return children_; }

 private:
  std::vector<std::exception_ptr> children_;
};
using ExceptionGroup = GroupError;

namespace detail {
// The payload a C++ exception leaves in its ac_error. Recognised by its
// destructor's address.
struct ExceptionBox {
  std::exception_ptr ep;
};
inline void free_exception_box(void *p) noexcept { delete static_cast<ExceptionBox *>(p); }

inline ac_error *new_error(int code, const char *message, ac_error *cause = nullptr) noexcept {
  ac_error *e = nullptr;
  if (code >= 0) code = AC_EHOST;
  ac_error_new(code, message, cause, &e);
  return e;
}

inline bool is_os_code(int code) noexcept { return code < 0 && code > -4096; }

// The exception of asyncio's class for `code`: over a C error when `e` is
// given, else with `message`.
[[noreturn]] inline void throw_as(int code, ErrorRef e, std::string message) {
#define AC_THROW_(Cls) \
  if (e) throw Cls(std::move(e)); \
  throw Cls(std::move(message))
  switch (code) {
    case AC_ECANCELLED:
      AC_THROW_(CancelledError);
    case AC_ESTATE:
      AC_THROW_(InvalidStateError);
    case AC_EINVAL:
      AC_THROW_(ValueError);
    case AC_ETIMEDOUT:
      AC_THROW_(TimeoutError);
    case AC_EEMPTY:
      AC_THROW_(QueueEmpty);
    case AC_EFULL:
      AC_THROW_(QueueFull);
    case AC_ESHUTDOWN:
      AC_THROW_(QueueShutDown);
    case AC_EBROKEN:
      AC_THROW_(BrokenBarrierError);
    case AC_EINCOMPLETE:
      AC_THROW_(IncompleteReadError);
    case AC_ELIMIT:
      AC_THROW_(LimitOverrunError);
    case AC_EGROUP:
      if (e) throw GroupError(std::move(e));
      throw GroupError(std::move(message), {});
    case AC_EMISUSE:
    case AC_ECLOSED:
    case AC_ERUNNING:
    case AC_EWRONGTHREAD:
    case AC_ESTOPPED:
    case AC_EINTERNAL:
      if (e) throw RuntimeError(std::move(e));
      throw RuntimeError(code, std::move(message));
    default:
      if (is_os_code(code)) {
        if (e) throw OSError(std::move(e));
        throw OSError(code, std::move(message));
      }
      if (e) throw Error(std::move(e));
      throw Error(code, std::move(message));
  }
#undef AC_THROW_
}
}  // namespace detail

// The exception an ac_error stands for (borrowed; never throws but for
// bad_alloc). A payload left by C++ code gives back the original object.
inline std::exception_ptr exception_from_error(ac_error *e) {
  if (e == nullptr) return std::make_exception_ptr(RuntimeError(AC_EINTERNAL, "missing error"));
  ac_value p;
  if (ac_error_payload(e, &p) == 0 && p.kind == AC_VALUE_POINTER &&
      p.u.pointer.free_fn == &detail::free_exception_box && p.u.pointer.ptr != nullptr) {
    return static_cast<detail::ExceptionBox *>(p.u.pointer.ptr)->ep;
  }
  try {
    detail::throw_as(ac_error_code(e), ErrorRef::borrow(e), {});
  } catch (...) {
    return std::current_exception();
  }
}

[[noreturn]] inline void throw_error(ac_error *e) { std::rethrow_exception(exception_from_error(e)); }

// The exception for a code a call just returned (no ac_error behind it):
// asyncio's class, and the call's reason as the message
// (ac_last_error_message) unless `message` is given. Call it right after
// the failing call, before any other call of the library.
[[noreturn]] inline void throw_code(int code, const char *message = nullptr) {
  detail::throw_as(code, ErrorRef(), message != nullptr ? message : ac_last_error_message(code));
}

// Throws for a negative return code; passes non-negative ones through.
inline int check(int rc) {
  if (rc < 0) throw_code(rc);
  return rc;
}
// The same for a call that returns a count (counts are 64-bit in the C
// contract; codes fit in an int).
inline int64_t check_count(int64_t rc) {
  if (rc < 0) throw_code(static_cast<int>(rc));
  return rc;
}

// The ac_error for an exception: a new reference, or null when out of
// memory. Never throws.
inline ac_error *error_from_exception(std::exception_ptr ep) noexcept {
  ac_error *e = nullptr;
  try {
    std::rethrow_exception(ep);
  } catch (const Error &x) {
    if (x.raw() != nullptr) return ac_error_ref(x.raw());
    ac_error *cause = nullptr;
    try {
      if (std::exception_ptr c = x.cause()) cause = error_from_exception(c);
    } catch (...) {
    }
    e = detail::new_error(x.code(), x.message().c_str(), cause);
    ac_error_unref(cause);
    if (e == nullptr) return nullptr;
    if (const auto *g = dynamic_cast<const GroupError *>(&x)) {
      for (const auto &child : g->exceptions()) {
        ac_error *c = error_from_exception(child);
        if (c != nullptr) ac_error_add_child(e, c);
        ac_error_unref(c);
      }
    }
  } catch (const std::exception &x) {
    e = detail::new_error(AC_EHOST, x.what());
  } catch (...) {
    e = detail::new_error(AC_EHOST, "C++ exception of an unknown type");
  }
  if (e == nullptr) return nullptr;
  auto *box = new (std::nothrow) detail::ExceptionBox{ep};
  if (box != nullptr) {
    ac_value v;
    ac_value_set_pointer(&v, box, &detail::free_exception_box);
    if (ac_error_set_payload(e, &v) != 0) delete box;
  }
  return e;
}

// describe() of any exception: an Error's "Class: message", another
// std::exception's what(), "unknown exception" else.
inline std::string describe(const std::exception_ptr &ep) {
  if (!ep) return "none";
  try {
    std::rethrow_exception(ep);
  } catch (const Error &e) {
    return e.describe();
  } catch (const std::exception &e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace asyncore
