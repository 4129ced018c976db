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
 * ownership, threads, callbacks) every other declaration follows.
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
