// face_test_util.hpp — helpers shared by the tests of the C++ face.
#pragma once

#include <asyncore.hpp>

#include <string>
#include <vector>

namespace facetest {

namespace ac = asyncore;

// Counts live instances, to check that frames and captures are released.
struct Tracked {
  static inline int alive = 0;
  static inline std::vector<std::string> *log = nullptr;
  std::string name;
  explicit Tracked(std::string n = "") : name(std::move(n)) { ++alive; }
  Tracked(const Tracked &o) : name(o.name) { ++alive; }
  Tracked(Tracked &&o) noexcept : name(std::move(o.name)) { ++alive; }
  Tracked &operator=(const Tracked &) = default;
  ~Tracked() {
    --alive;
    if (log != nullptr && !name.empty()) log->push_back("~" + name);
  }
};

// An event trace; each test starts with an empty one.
struct Trace {
  std::vector<std::string> events;
  void operator()(std::string e) { events.push_back(std::move(e)); }
  std::string text() const {
    std::string s;
    for (const auto &e : events) s += e + "\n";
    return s;
  }
};

// asyncio.run on the virtual clock.
template <class T>
T run_v(ac::Task<T> t) {
  return ac::run(std::move(t), AC_LOOP_VIRTUAL_CLOCK);
}

inline double now() { return ac_loop_time(ac::get_running_loop()); }

// Collects what reaches a loop's exception handler.
struct HandlerLog {
  std::vector<std::string> messages;
  std::vector<int> codes;
  void install(ac::Loop &loop) {
    loop.set_exception_handler([this](const char *message, ac_error *error, ac_future *) {
      messages.push_back(message != nullptr ? message : "");
      codes.push_back(error != nullptr ? ac_error_code(error) : 0);
    });
  }
};

}  // namespace facetest
