// asyncore.hpp — the C++20 face of libasyncore.
//
// Header-only, over the C ABI (asyncore.h) alone: RAII, move-only handles
// over the C handles, Task<T> coroutines driven through the C task
// protocol, exceptions mapped to and from ac_error. See bindings/cpp/README.md.
//
//   #include <asyncore.hpp>
//   namespace ac = asyncore;
//
//   ac::Task<std::string> fetch(std::string item) {
//     co_await ac::sleep(1);
//     co_return "data for " + item;
//   }
//   ac::Task<> main_task() {
//     auto t = ac::create_task(fetch("a"));
//     std::string s = co_await t;
//   }
//   int main() { ac::run(main_task()); }
#pragma once

#include "asyncore/error.hpp"
#include "asyncore/value.hpp"
#include "asyncore/loop.hpp"
#include "asyncore/future.hpp"
#include "asyncore/task.hpp"
#include "asyncore/context.hpp"
#include "asyncore/gather.hpp"
#include "asyncore/structured.hpp"
#include "asyncore/thread.hpp"
#include "asyncore/sync.hpp"
#include "asyncore/queue.hpp"
#include "asyncore/stream.hpp"
#include "asyncore/udp.hpp"
#include "asyncore/process.hpp"
#include "asyncore/fs.hpp"
#include "asyncore/tls.hpp"
