// conformance.hpp — what the files of the C++ implementation share: the
// trace vocabulary of harness.py, and the scenario tables.
//
// Each scenario ports ../scenarios/NN-name.py with the C++ face as a C++
// user writes it: a Python coroutine is an ac::Task, `except X` is
// `catch (const ac::X &)`, `await` is `co_await`. C++ forbids co_await in a
// catch block: where Python awaits in an `except`, the port records the
// exception and awaits after the handler.
#pragma once

#include <asyncore.hpp>

#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace conf {

namespace ac = asyncore;

inline long long now_ms() { return std::llround(ac::Loop::current().time() * 1000.0); }

// harness.say: the text alone.
inline void say(const std::string &text) {
  std::printf("%s\n", text.c_str());
  std::fflush(stdout);
}
// harness.trace: "t=<ms> text".
inline void trace(const std::string &text) {
  std::printf("t=%lld %s\n", now_ms(), text.c_str());
  std::fflush(stdout);
}

inline std::string str(long long v) { return std::to_string(v); }
inline std::string str(bool v) { return v ? "1" : "0"; }
inline std::string str(int v) { return std::to_string(v); }
inline std::string str(size_t v) { return std::to_string(v); }
inline std::string str(int64_t v) { return std::to_string(v); }
inline std::string ms_of(double seconds) { return std::to_string(std::llround(seconds * 1000.0)); }

// A list joined by ", ".
inline std::string join(const std::vector<std::string> &items) {
  std::string out;
  for (const auto &i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

// harness.code / cls / msg / describe of an exception.
inline std::string code(const std::exception_ptr &ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const ac::Error &e) {
    return e.name();
  } catch (...) {
    return "Exception";
  }
}
inline std::string cls(const std::exception_ptr &ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const ac::Error &e) {
    return e.asyncio_class();
  } catch (...) {
    return "Exception";
  }
}
inline std::string msg(const std::exception_ptr &ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const ac::Error &e) {
    return e.message();
  } catch (const std::exception &e) {
    return e.what();
  } catch (...) {
    return "";
  }
}
inline std::string describe(const std::exception_ptr &ep) { return ac::describe(ep); }

// An ExceptionGroup with its sub-exceptions, nested groups in brackets.
inline std::string tree(const std::exception_ptr &ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const ac::GroupError &g) {
    std::vector<std::string> kids;
    for (const auto &c : g.exceptions()) kids.push_back(tree(c));
    return g.describe() + " [" + join(kids) + "]";
  } catch (...) {
    return describe(ep);
  }
}

using Scenario = std::pair<const char *, std::function<ac::Task<>()>>;
// A scenario that prints what run(main()) returned: "run returned N".
using ResultScenario = std::pair<const char *, std::function<ac::Task<int64_t>()>>;

// The tables of the files other than conformance.cpp.
const std::vector<Scenario> &sync_scenarios();
const std::vector<Scenario> &task_scenarios();
const std::vector<Scenario> &structured_scenarios();
const std::vector<ResultScenario> &result_scenarios();

}  // namespace conf
