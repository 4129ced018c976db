/**
 * \file
 * asyncore.h — the C contract of libasyncore.
 *
 * libasyncore brings Python asyncio's model (one event loop per thread,
 * futures, tasks that await them, cancellation delivered at the next
 * await, timeouts, structured concurrency) to C, C++, Lua, Go and Rust, on
 * libuv. If it is not declared in this header or the asyncore/ headers it
 * includes, it is not part of the API.
 *
 * Read asyncore/common.h first: it states the conventions (return codes,
 * ownership, threads, callbacks) every other declaration follows. Two of
 * them, once more, because every header relies on them:
 *
 * Threads. A function whose comment does not say "Thread: any" may be
 * called only on the thread that owns the loop its objects belong to (the
 * loop's creator, or the thread it was handed to with
 * ac_loop_bind_thread). Where the comment says the thread is checked, a
 * call from another thread returns AC_EWRONGTHREAD; elsewhere it is a
 * misuse the library does not detect.
 *
 * Stability. Every header names its tier in its first comment:
 *
 *  - stable: within a major version (the SONAME, libasyncore.so.0) its
 *    functions, types, enum values and the layout of its structs only
 *    grow; nothing is removed, renamed or changed in meaning (the rules of
 *    CHANGELOG.md, checked against capi/abi/libasyncore.abi).
 *    asyncore/common.h, value.h, error.h, loop.h, future.h, task.h,
 *    context.h, thread.h, stream.h, server.h, udp.h, dns.h,
 *    combinators.h, timeout.h, taskgroup.h, sync.h, queue.h.
 *  - experimental: complete, documented and tested, but its names and
 *    options may still change in a minor version while its users tell us
 *    what they need; every such change is listed in CHANGELOG.md. Moves to
 *    stable by a CHANGELOG entry. asyncore/inspect.h, process.h,
 *    signal.h, pipe.h, fs.h, fdwatch.h, sockopt.h, tls.h.
 */
#ifndef ASYNCORE_H
#define ASYNCORE_H

#include "asyncore/common.h"
#include "asyncore/value.h"
#include "asyncore/error.h"
#include "asyncore/loop.h"
#include "asyncore/future.h"
#include "asyncore/task.h"
#include "asyncore/context.h"
#include "asyncore/thread.h"
#include "asyncore/stream.h"
#include "asyncore/server.h"
#include "asyncore/sockopt.h"
#include "asyncore/udp.h"
#include "asyncore/dns.h"
#include "asyncore/fs.h"
#include "asyncore/fdwatch.h"
#include "asyncore/combinators.h"
#include "asyncore/timeout.h"
#include "asyncore/taskgroup.h"
#include "asyncore/sync.h"
#include "asyncore/queue.h"
#include "asyncore/inspect.h"
#include "asyncore/process.h"
#include "asyncore/signal.h"
#include "asyncore/pipe.h"
#include "asyncore/tls.h"

#endif
