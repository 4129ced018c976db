// asyncore/error.hpp — C++ exceptions <-> ac_error, both ways.
//
// Every failure the C ABI reports becomes an exception here, and every
// exception leaving a coroutine becomes an ac_error there:
//
//   ac_error code       C++ exception
//   AC_ECANCELLED       CancelledError
//   AC_ETIMEDOUT        TimeoutError
//   AC_EGROUP           GroupError (children mapped one by one)
//   AC_EEMPTY/EFULL/ESHUTDOWN  QueueEmpty, QueueFull, QueueShutDown
//   anything else       Error (code(), message())
//
// A C++ exception of any other type thrown out of a task becomes an AC_EHOST
// ac_error (message: what()) whose payload keeps the std::exception_ptr, so
// a C++ awaiter further up rethrows the original object with its own type,
// while C code still sees a code, a message and a kind. An Error that came
// from C carries its ac_error (raw()); throwing it on hands the same
// ac_error back, with its cause, children and payload intact.
#pragma once

#include <asyncore.h>

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
  ~ErrorRef() { ac_error_unref(e_); }
  ac_error *get() const noexcept { return e_; }
  ac_error *release() noexcept { return std::exchange(e_, nullptr); }
  explicit operator bool() const noexcept { return e_ != nullptr; }

 private:
  explicit ErrorRef(ac_error *e) noexcept : e_(e) {}
  ac_error *e_ = nullptr;
};

// Any failure reported by the library, or raised by C++ code with a code.
class Error : public std::exception {
 public:
  explicit Error(int code, std::string message = {})
      : code_(code), message_(message.empty() ? ac_strerror(code) : std::move(message)) {}
  // An exception for a C error (a reference is kept).
  explicit Error(ErrorRef e)
      : code_(ac_error_code(e.get())),
        message_(e ? ac_error_message(e.get()) : ac_strerror(AC_EINTERNAL)),
        raw_(std::move(e)) {}

  int code() const noexcept { return code_; }
  const std::string &message() const noexcept { return message_; }
  const char *what() const noexcept override { return message_.c_str(); }
  // The code's name, e.g. "AC_ECANCELLED".
  const char *name() const noexcept { return ac_err_name(code_); }
  // The C error behind this exception (borrowed), or null when it was
  // raised by C++ code.
  ac_error *raw() const noexcept { return raw_.get(); }

 private:
  int code_;
  std::string message_;
  ErrorRef raw_;
};

// A task was cancelled (asyncio.CancelledError). Catch it to clean up, then
// rethrow: swallowing it makes the task go on as if never cancelled.
class CancelledError : public Error {
 public:
  explicit CancelledError(std::string message = {}) : Error(AC_ECANCELLED, std::move(message)) {}
  explicit CancelledError(ErrorRef e) : Error(std::move(e)) {}
};

// A deadline passed (asyncio.TimeoutError).
class TimeoutError : public Error {
 public:
  explicit TimeoutError(std::string message = {}) : Error(AC_ETIMEDOUT, std::move(message)) {}
  explicit TimeoutError(ErrorRef e) : Error(std::move(e)) {}
};

// Queue conditions (asyncio.QueueEmpty, QueueFull, QueueShutDown).
class QueueEmpty : public Error {
 public:
  explicit QueueEmpty(std::string message = {}) : Error(AC_EEMPTY, std::move(message)) {}
  explicit QueueEmpty(ErrorRef e) : Error(std::move(e)) {}
};
class QueueFull : public Error {
 public:
  explicit QueueFull(std::string message = {}) : Error(AC_EFULL, std::move(message)) {}
  explicit QueueFull(ErrorRef e) : Error(std::move(e)) {}
};
class QueueShutDown : public Error {
 public:
  explicit QueueShutDown(std::string message = {}) : Error(AC_ESHUTDOWN, std::move(message)) {}
  explicit QueueShutDown(ErrorRef e) : Error(std::move(e)) {}
};

std::exception_ptr exception_from_error(ac_error *e);

// One or more tasks of a group failed (asyncio's ExceptionGroup): the
// children are the failures, in the order they happened.
class GroupError : public Error {
 public:
  GroupError(std::string message, std::vector<std::exception_ptr> children)
      : Error(AC_EGROUP, std::move(message)), children_(std::move(children)) {}
  explicit GroupError(ErrorRef e) : Error(e) {
    for (size_t i = 0, n = ac_error_child_count(e.get()); i < n; ++i)
      children_.push_back(exception_from_error(ac_error_child(e.get(), i)));
  }
  const std::vector<std::exception_ptr> &exceptions() const noexcept { return children_; }

 private:
  std::vector<std::exception_ptr> children_;
};

namespace detail {
// The payload a C++ exception leaves in its ac_error. Recognised by its
// destructor's address.
struct ExceptionBox {
  std::exception_ptr ep;
};
inline void free_exception_box(void *p) noexcept { delete static_cast<ExceptionBox *>(p); }

inline ac_error *new_error(int code, const char *message) noexcept {
  ac_error *e = nullptr;
  if (code >= 0) code = AC_EHOST;
  ac_error_new(code, message, nullptr, &e);
  return e;
}
}  // namespace detail

// The exception an ac_error stands for (borrowed; never throws but for
// bad_alloc). A payload left by C++ code gives back the original object.
inline std::exception_ptr exception_from_error(ac_error *e) {
  if (e == nullptr) return std::make_exception_ptr(Error(AC_EINTERNAL, "missing error"));
  ac_value p;
  if (ac_error_payload(e, &p) == 0 && p.kind == AC_VALUE_POINTER &&
      p.u.pointer.free_fn == &detail::free_exception_box && p.u.pointer.ptr != nullptr) {
    return static_cast<detail::ExceptionBox *>(p.u.pointer.ptr)->ep;
  }
  ErrorRef ref = ErrorRef::borrow(e);
  switch (ac_error_code(e)) {
    case AC_ECANCELLED:
      return std::make_exception_ptr(CancelledError(std::move(ref)));
    case AC_ETIMEDOUT:
      return std::make_exception_ptr(TimeoutError(std::move(ref)));
    case AC_EGROUP:
      return std::make_exception_ptr(GroupError(std::move(ref)));
    case AC_EEMPTY:
      return std::make_exception_ptr(QueueEmpty(std::move(ref)));
    case AC_EFULL:
      return std::make_exception_ptr(QueueFull(std::move(ref)));
    case AC_ESHUTDOWN:
      return std::make_exception_ptr(QueueShutDown(std::move(ref)));
    default:
      return std::make_exception_ptr(Error(std::move(ref)));
  }
}

[[noreturn]] inline void throw_error(ac_error *e) { std::rethrow_exception(exception_from_error(e)); }

// The exception for a bare code (no ac_error behind it).
[[noreturn]] inline void throw_code(int code, const char *message = nullptr) {
  std::string m = message != nullptr ? message : "";
  switch (code) {
    case AC_ECANCELLED:
      throw CancelledError(std::move(m));
    case AC_ETIMEDOUT:
      throw TimeoutError(std::move(m));
    case AC_EEMPTY:
      throw QueueEmpty(std::move(m));
    case AC_EFULL:
      throw QueueFull(std::move(m));
    case AC_ESHUTDOWN:
      throw QueueShutDown(std::move(m));
    default:
      throw Error(code, std::move(m));
  }
}

// Throws for a negative return code; passes non-negative ones through.
inline int check(int rc) {
  if (rc < 0) throw_code(rc);
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
    e = detail::new_error(x.code(), x.message().c_str());
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

}  // namespace asyncore
