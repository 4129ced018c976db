/*
 * asyncore.i — the SWIG interface of libasyncore, shared by every SWIG
 * target: Lua (bindings/lua/meson.build runs SWIG on this file) and Go
 * (`go generate` in bindings/go/internal/raw runs SWIG on raw.i, which only
 * includes this file and go.i).
 *
 * The language-neutral part wraps the opaque handles as classes whose
 * methods are the C functions that take and return plain values, the
 * constants, and the reference counting that ties a wrapper object's life
 * to one reference of the handle (the wrapper's destructor drops it).
 * Every function that returns a handle hands the wrapper a reference of its
 * own, so a garbage-collected host can drop wrappers in any order.
 *
 * Methods return the C codes unchanged (0 or a count on success, a negative
 * AC_E* code on failure); each language layer turns codes into its own
 * errors. What needs the host language's values or functions (task bodies,
 * callbacks, results that are host objects) is in the language's own file,
 * included at the end (bindings/lua/lua.i for Lua).
 *
 * Go reads only the module's prologue here and then its own part,
 * bindings/go/go.i (found on the -I path the raw package's cgo flags give
 * SWIG), instead of the classes: their destructors are what releases a
 * wrapper's reference, and SWIG's Go output runs no destructor by itself.
 * The Go layer keeps every C reference in a registry of its own, so its
 * raw package is the C contract one to one (the headers read with Go
 * typemaps).
 */
#if defined(SWIGLUA)
%module asyncore_core
#elif defined(SWIGGO)
%module raw
#else
%module asyncore
#endif

%{
#include <asyncore.h>
%}

%include <stdint.i>

/* Go: its own part instead of everything below (see the top comment). */
#if defined(SWIGGO)
%include "go.i"
#else

%{
/* SWIG names the functions behind a class's methods <struct>_<method>,
 * which for the real struct names would be the C API's own names
 * (ac_loop_close ...). So SWIG sees each handle under an acs_ name that the
 * C compiler reads as the real type. */
#define acs_loop ac_loop
#define acs_future ac_future
#define acs_task ac_task
#define acs_error ac_error
#define acs_handle ac_call
#define acs_timeout ac_timeout
#define acs_taskgroup ac_taskgroup
#define acs_as_completed ac_as_completed
#define acs_stream ac_stream
#define acs_server ac_server
#define acs_udp ac_udp
#define acs_executor ac_executor
#define acs_tsfuture ac_tsfuture
#define acs_lock ac_lock
#define acs_event ac_event
#define acs_condition ac_condition
#define acs_semaphore ac_semaphore
#define acs_barrier ac_barrier
#define acs_queue ac_queue
#define acs_tls_context ac_tls_context

static void ac_swig_cancel_one_(ac_task *task, void *message) {
  ac_task_cancel(task, (const char *)message);
}
static void ac_swig_count_(ac_task *task, void *ud) {
  (void)task;
  (void)ud;
}
%}

%include <typemaps.i>

/* A list of futures (gather, wait, as_completed) is the language's own
 * sequence, bytes are the language's string, and a second handle coming
 * out (a connection's `connected` future) is an extra result: each
 * language supplies the typemaps for (acs_future *const *items, size_t n),
 * (char *STRING, size_t LENGTH) and acs_future **connected. Declared
 * first: a declaration sees only the typemaps before it. */
#if defined(SWIGLUA)
%include "lua_typemaps.i"
#endif

%{
/* Drops the reference a wrapper holds; a language may wrap it (Lua notes
 * that it runs inside a garbage-collector finalizer). */
#ifndef AC_SWIG_RELEASE
#define AC_SWIG_RELEASE(call) call
#endif
%}


/* ---- Constants ---- */

%constant int VERSION_MAJOR = AC_VERSION_MAJOR;
%constant int VERSION_MINOR = AC_VERSION_MINOR;
%constant int VERSION_PATCH = AC_VERSION_PATCH;

/* Error codes: the OS ones the header names, then the library's own. */
%constant int OK = AC_OK;
%constant int EINVAL = AC_EINVAL;
%constant int ENOMEM = AC_ENOMEM;
%constant int ETIMEDOUT = AC_ETIMEDOUT;
%constant int EAGAIN = AC_EAGAIN;
%constant int EBADF = AC_EBADF;
%constant int ENOENT = AC_ENOENT;
%constant int EEXIST = AC_EEXIST;
%constant int EPIPE = AC_EPIPE;
%constant int ECONNREFUSED = AC_ECONNREFUSED;
%constant int ECONNRESET = AC_ECONNRESET;
%constant int EADDRINUSE = AC_EADDRINUSE;
%constant int EMFILE = AC_EMFILE;
%constant int ENOSPC = AC_ENOSPC;
%constant int ENOTSUP = AC_ENOTSUP;
%constant int EOF = AC_EOF;
%constant int ECANCELLED = AC_ECANCELLED;
%constant int ESTATE = AC_ESTATE;
%constant int EWRONGTHREAD = AC_EWRONGTHREAD;
%constant int ECLOSED = AC_ECLOSED;
%constant int ERUNNING = AC_ERUNNING;
%constant int ESTOPPED = AC_ESTOPPED;
%constant int EGROUP = AC_EGROUP;
%constant int EHOST = AC_EHOST;
%constant int EEMPTY = AC_EEMPTY;
%constant int EFULL = AC_EFULL;
%constant int ESHUTDOWN = AC_ESHUTDOWN;
%constant int EBROKEN = AC_EBROKEN;
%constant int EINCOMPLETE = AC_EINCOMPLETE;
%constant int ELIMIT = AC_ELIMIT;
%constant int EINTERNAL = AC_EINTERNAL;
%constant int EMISUSE = AC_EMISUSE;
%constant int ETLS = AC_ETLS;
%constant int ETLSVERIFY = AC_ETLSVERIFY;

%constant int ERROR_KIND_OS = AC_ERROR_KIND_OS;
%constant int ERROR_KIND_CANCELLED = AC_ERROR_KIND_CANCELLED;
%constant int ERROR_KIND_TIMEOUT = AC_ERROR_KIND_TIMEOUT;
%constant int ERROR_KIND_USAGE = AC_ERROR_KIND_USAGE;
%constant int ERROR_KIND_GROUP = AC_ERROR_KIND_GROUP;
%constant int ERROR_KIND_HOST = AC_ERROR_KIND_HOST;
%constant int ERROR_KIND_RUNTIME = AC_ERROR_KIND_RUNTIME;

%constant int LOOP_DEFAULT = AC_LOOP_DEFAULT;
%constant int LOOP_VIRTUAL_CLOCK = AC_LOOP_VIRTUAL_CLOCK;
%constant int LOOP_DEBUG = AC_LOOP_DEBUG;
%constant int DUMP_TEXT = AC_DUMP_TEXT;
%constant int DUMP_JSON = AC_DUMP_JSON;

%constant int FUTURE_PENDING = AC_FUTURE_PENDING;
%constant int FUTURE_RESULT = AC_FUTURE_RESULT;
%constant int FUTURE_ERROR = AC_FUTURE_ERROR;
%constant int FUTURE_CANCELLED = AC_FUTURE_CANCELLED;

%constant int TASK_DEFAULT = AC_TASK_DEFAULT;
%constant int TASK_EAGER = AC_TASK_EAGER;

%constant double NO_TIMEOUT = AC_NO_TIMEOUT;
%constant int GATHER_DEFAULT = AC_GATHER_DEFAULT;
%constant int GATHER_RETURN_EXCEPTIONS = AC_GATHER_RETURN_EXCEPTIONS;
%constant int WAIT_ALL_COMPLETED = AC_WAIT_ALL_COMPLETED;
%constant int WAIT_FIRST_COMPLETED = AC_WAIT_FIRST_COMPLETED;
%constant int WAIT_FIRST_EXCEPTION = AC_WAIT_FIRST_EXCEPTION;

%constant int FAMILY_ANY = AC_FAMILY_ANY;
%constant int FAMILY_IPV4 = AC_FAMILY_IPV4;
%constant int FAMILY_IPV6 = AC_FAMILY_IPV6;
%constant int SOCKTYPE_STREAM = AC_SOCKTYPE_STREAM;
%constant int SOCKTYPE_DGRAM = AC_SOCKTYPE_DGRAM;
%constant int NI_NUMERICHOST = AC_NI_NUMERICHOST;
%constant int NI_NUMERICSERV = AC_NI_NUMERICSERV;
%constant int NI_NAMEREQD = AC_NI_NAMEREQD;
%constant int NI_DGRAM = AC_NI_DGRAM;
%constant int STREAM_DEFAULT_LIMIT = AC_STREAM_DEFAULT_LIMIT;

%constant int EXECUTOR_DEFAULT = AC_EXECUTOR_DEFAULT;
%constant int EXECUTOR_WAIT = AC_EXECUTOR_WAIT;
%constant int EXECUTOR_CANCEL_PENDING = AC_EXECUTOR_CANCEL_PENDING;

%constant int QUEUE_FIFO = AC_QUEUE_FIFO;
%constant int QUEUE_LIFO = AC_QUEUE_LIFO;
%constant int QUEUE_PRIORITY = AC_QUEUE_PRIORITY;

/* ---- Plain functions ---- */

%rename(version) ac_version;
%rename(version_string) ac_version_string;
%rename(strerror) ac_strerror;
%rename(err_name) ac_err_name;
%rename(err_class) ac_err_class;
%rename(last_error_message) ac_last_error_message;
unsigned ac_version(void);
const char *ac_version_string(void);
const char *ac_strerror(int code);
const char *ac_err_name(int code);
/* asyncio's exception class for a code, and the reason the last call on
 * this thread that returned `code` failed (asyncio's words). */
const char *ac_err_class(int code);
const char *ac_last_error_message(int code);
/* Memory the runtime keeps for reuse, given back (bytes), or AC_ENOTSUP
 * where it keeps none. */
%rename(trim) ac_trim;
int64_t ac_trim(void);

/* Out-parameters that are plain numbers come back as extra results. */
/* (Before the classes: a class sees the typemaps of its declaration.) */
%apply int *OUTPUT { int *rc, int *pending };
%apply double *OUTPUT { double *next_deadline };

/* ---- Handles ----
 * SWIG sees each handle as an empty struct (the real layout is private);
 * wrappers are made only by the functions below, never by a default
 * constructor. */
%nodefaultctor acs_loop;
%nodefaultctor acs_future;
%nodefaultctor acs_task;
%nodefaultctor acs_error;
%nodefaultctor acs_handle;
%nodefaultctor acs_timeout;
%nodefaultctor acs_taskgroup;
%nodefaultctor acs_as_completed;
%nodefaultctor acs_stream;
%nodefaultctor acs_server;
%nodefaultctor acs_udp;
%nodefaultctor acs_executor;
%nodefaultctor acs_tsfuture;
%nodefaultctor acs_lock;
%nodefaultctor acs_event;
%nodefaultctor acs_condition;
%nodefaultctor acs_semaphore;
%nodefaultctor acs_barrier;
%nodefaultctor acs_queue;
%rename(Loop) acs_loop;
%rename(Future) acs_future;
%rename(Task) acs_task;
%rename(Error) acs_error;
%rename(Handle) acs_handle;
%rename(Timeout) acs_timeout;
%rename(TaskGroup) acs_taskgroup;
%rename(AsCompleted) acs_as_completed;
%rename(Stream) acs_stream;
%rename(Server) acs_server;
%rename(Udp) acs_udp;
%rename(Executor) acs_executor;
%rename(TsFuture) acs_tsfuture;
%rename(Lock) acs_lock;
%rename(Event) acs_event;
%rename(Condition) acs_condition;
%rename(Semaphore) acs_semaphore;
%rename(Barrier) acs_barrier;
%rename(Queue) acs_queue;
struct acs_loop {};
struct acs_future {};
struct acs_task {};
struct acs_error {};
struct acs_handle {};
struct acs_timeout {};
struct acs_taskgroup {};
struct acs_as_completed {};
struct acs_stream {};
struct acs_server {};
struct acs_udp {};
struct acs_executor {};
struct acs_tsfuture {};
struct acs_lock {};
struct acs_event {};
struct acs_condition {};
struct acs_semaphore {};
struct acs_barrier {};
struct acs_queue {};
%nodefaultctor acs_tls_context;
%rename(TlsContext) acs_tls_context;
struct acs_tls_context {};


%newobject loop_new;
%newobject error_new;
%newobject acs_loop::sleep;
%newobject acs_loop::future_new;
%newobject acs_loop::current_task;
%newobject acs_future::error;
%newobject acs_future::as_task;
%newobject acs_future::get_loop;
%newobject acs_task::future;
%newobject acs_task::get_loop;
%newobject acs_loop::gather;
%newobject acs_loop::wait;
%newobject acs_loop::as_completed;
%newobject acs_loop::wait_for;
%newobject acs_loop::shield;
%newobject acs_loop::timeout_new;
%newobject acs_loop::timeout_new_at;
%newobject acs_future::gather_item;
%newobject acs_future::wait_done_at;
%newobject acs_future::wait_pending_at;
%newobject acs_as_completed::next;
%newobject taskgroup_new;
%newobject acs_taskgroup::join;
%newobject acs_loop::connect_tcp;
%newobject acs_loop::connect_unix;
%newobject acs_loop::udp_bind;
%newobject acs_loop::connect_tcp_ex;
%newobject acs_loop::connect_tcp_addresses;
%newobject acs_loop::udp_bind_ex;
%newobject acs_loop::getaddrinfo;
%newobject acs_loop::getnameinfo;
%newobject acs_loop::to_thread;
%newobject acs_loop::to_thread_v2;
%newobject acs_stream::read;
%newobject acs_stream::readexactly;
%newobject acs_stream::readuntil;
%newobject acs_stream::readline;
%newobject acs_stream::drain;
%newobject acs_stream::wait_closed;
%newobject acs_stream::get_loop;
%newobject acs_server::wait_closed;
%newobject acs_server::serve_forever;
%newobject acs_stream::sendfile;
%newobject acs_stream::sendfile_path;
%newobject acs_udp::recv;
%newobject acs_udp::recvfrom;
%newobject executor_new;
%newobject tsfuture_new;
%newobject acs_tsfuture::wrap;
%newobject acs_tsfuture::error;
%newobject acs_loop::lock_new;
%newobject acs_loop::event_new;
%newobject acs_loop::condition_new;
%newobject acs_loop::semaphore_new;
%newobject acs_loop::barrier_new;
%newobject acs_loop::queue_new;
%newobject acs_lock::acquire;
%newobject acs_event::wait;
%newobject acs_condition::acquire;
%newobject acs_condition::wait;
%newobject acs_semaphore::acquire;
%newobject acs_barrier::wait;
%newobject acs_queue::get;
%newobject acs_queue::join;
%newobject acs_error::cause;
%newobject acs_error::child;
%newobject acs_timeout::error;

%inline %{
/* A new loop (flags: LOOP_*), or nothing and the code in rc. */
static acs_loop *loop_new(uint32_t flags, int *rc) {
  acs_loop *loop = NULL;
  *rc = ac_loop_new(flags, &loop);
  return loop;
}
/* A task group whose parent is `parent` (the task whose step runs now),
 * or nothing and the code in rc. */
static acs_taskgroup *taskgroup_new(acs_task *parent, int *rc) {
  acs_taskgroup *tg = NULL;
  *rc = ac_taskgroup_new(parent, &tg);
  return tg;
}
/* A pool of `n_threads` worker threads, or nothing and the code in rc. */
static acs_executor *executor_new(uint32_t n_threads, int *rc) {
  acs_executor *ex = NULL;
  *rc = ac_executor_new(n_threads, &ex);
  return ex;
}
/* A pending thread-safe future, or nothing and the code in rc. */
static acs_tsfuture *tsfuture_new(int *rc) {
  acs_tsfuture *ts = NULL;
  *rc = ac_tsfuture_new(&ts);
  return ts;
}
/* A new error of `code` with `message` (NULL: the code's description) and
 * an optional cause, or nothing and the code in rc. */
static acs_error *error_new(int code, const char *message, acs_error *cause, int *rc) {
  acs_error *err = NULL;
  *rc = ac_error_new(code, message, cause, &err);
  return err;
}
%}


%extend acs_loop {
  ~acs_loop() { AC_SWIG_RELEASE(ac_loop_unref($self)); }
  int close() { return ac_loop_close($self); }
  int is_closed() { return ac_loop_is_closed($self); }
  int is_running() { return ac_loop_is_running($self); }
  int run_until_complete(acs_future *future) { return ac_loop_run_until_complete($self, future); }
  int run_forever() { return ac_loop_run_forever($self); }
  int stop() { return ac_loop_stop($self); }
  /* Returns the callbacks run (or a code), then pending and next_deadline. */
  int64_t step(double max_block, int *pending, double *next_deadline) {
    *pending = 0;
    *next_deadline = -1;
    return ac_loop_step($self, max_block, pending, next_deadline);
  }
  int backend_fd() { return ac_loop_backend_fd($self); }
  int backend_timeout() { return ac_loop_backend_timeout($self); }
  int set_ready_budget(uint32_t budget) { return ac_loop_set_ready_budget($self, budget); }
  int set_time_budget(double seconds) { return ac_loop_set_time_budget($self, seconds); }
  /* Cancels the tasks left, runs them for at most `timeout` seconds,
   * closes; returns the tasks abandoned (or a code). */
  int64_t shutdown(double timeout) { return ac_loop_shutdown($self, timeout); }
  double time() { return ac_loop_time($self); }
  int set_debug(int enabled) { return ac_loop_set_debug($self, enabled); }
  int get_debug() { return ac_loop_get_debug($self); }
  int set_slow_callback_duration(double seconds) {
    return ac_loop_set_slow_callback_duration($self, seconds);
  }
  /* The tasks of this loop that are not done (a count, or a code). */
  int64_t task_count() { return ac_loop_foreach_task($self, ac_swig_count_, NULL); }
  /* Requests cancellation of every task not done; returns how many. */
  int64_t cancel_all(const char *message = NULL) {
    return ac_loop_foreach_task($self, ac_swig_cancel_one_, (void *)message);
  }
  /* The running task, or nothing. */
  acs_task *current_task() { return ac_task_ref(ac_loop_current_task($self)); }
  /* ac_loop_dump (inspect.h): the text or JSON lines, or nothing and the
   * code in rc. */
  char *dump(int format, int *rc) {
    char *s = NULL;
    *rc = ac_loop_dump($self, format, &s);
    return s;
  }
  /* Counter `index` of ac_loop_stats (0: tasks_alive ... 7: callbacks_ns),
   * or -1 past the last one the library has; a code is returned in rc. */
  double stat(int index, int *rc) {
    ac_loop_stats st;
    int n = ac_loop_get_stats($self, &st, sizeof st);
    *rc = n < 0 ? n : 0;
    if (n < 0 || index < 0 || (size_t)(index + 1) * sizeof(uint64_t) > (size_t)n) return -1;
    return (double)((const uint64_t *)&st)[index];
  }
  /* A future done after `seconds`, or nothing and the code in rc. */
  acs_future *sleep(double seconds, int *rc) {
    acs_future *f = NULL;
    *rc = ac_sleep($self, seconds, &f);
    return f;
  }
  /* A pending future, or nothing and the code in rc. */
  acs_future *future_new(int *rc) {
    acs_future *f = NULL;
    *rc = ac_future_new($self, &f);
    return f;
  }
  /* Combinators (combinators.h): a new future, or nothing and the code. */
  acs_future *gather(acs_future *const *items, size_t n, uint32_t flags, int *rc) {
    acs_future *f = NULL;
    *rc = ac_gather($self, items, n, flags, &f);
    return f;
  }
  acs_future *wait(acs_future *const *items, size_t n, int mode, double timeout, int *rc) {
    acs_future *f = NULL;
    *rc = ac_wait($self, items, n, mode, timeout, &f);
    return f;
  }
  acs_as_completed *as_completed(acs_future *const *items, size_t n, double timeout, int *rc) {
    acs_as_completed *it = NULL;
    *rc = ac_as_completed_new($self, items, n, timeout, &it);
    return it;
  }
  acs_future *wait_for(acs_future *fut, double timeout, int *rc) {
    acs_future *f = NULL;
    *rc = ac_wait_for($self, fut, timeout, &f);
    return f;
  }
  acs_future *shield(acs_future *fut, int *rc) {
    acs_future *f = NULL;
    *rc = ac_shield($self, fut, &f);
    return f;
  }
  /* Timeout scopes (timeout.h). */
  acs_timeout *timeout_new(double delay, int *rc) {
    acs_timeout *scope = NULL;
    *rc = ac_timeout_new($self, delay, &scope);
    return scope;
  }
  acs_timeout *timeout_new_at(double when, int *rc) {
    acs_timeout *scope = NULL;
    *rc = ac_timeout_new_at($self, when, &scope);
    return scope;
  }
  /* Streams (stream.h): the stream at once, then the future of the
   * connection, or nothing and the code in rc. */
  acs_stream *connect_tcp(const char *host, int port, acs_future **connected, int *rc) {
    acs_stream *st = NULL;
    *rc = ac_stream_connect_tcp($self, host, port, &st, connected);
    return st;
  }
  acs_stream *connect_unix(const char *path, acs_future **connected, int *rc) {
    acs_stream *st = NULL;
    *rc = ac_stream_connect_unix($self, path, &st, connected);
    return st;
  }
  /* UDP (udp.h). */
  acs_udp *udp_bind(const char *host, int port, int *rc) {
    acs_udp *u = NULL;
    *rc = ac_udp_bind($self, host, port, &u);
    return u;
  }
  /* Connection options (sockopt.h): the fields of ac_connect_options in
   * order; `hosts` of connect_tcp_addresses is a list of numeric
   * addresses separated by ','. */
  acs_stream *connect_tcp_ex(const char *host, int port, const char *local_host, int local_port,
                             double happy_eyeballs_delay, int interleave, int nodelay,
                             acs_future **connected, int *rc) {
    acs_stream *st = NULL;
    ac_connect_options o;
    ac_connect_options_init(&o);
    o.local_host = local_host;
    o.local_port = local_port;
    o.happy_eyeballs_delay = happy_eyeballs_delay;
    o.interleave = interleave;
    o.nodelay = nodelay;
    *rc = ac_stream_connect_tcp_ex($self, host, port, &o, &st, connected);
    return st;
  }
  acs_stream *connect_tcp_addresses(const char *hosts, int port, const char *local_host,
                                    int local_port, double happy_eyeballs_delay, int interleave,
                                    int nodelay, acs_future **connected, int *rc) {
    acs_stream *st = NULL;
    ac_connect_options o;
    char *copy, *p;
    const char **list;
    size_t n = 1, i = 0;
    *rc = AC_EINVAL;
    if (hosts == NULL) return NULL;
    for (p = (char *)hosts; *p != '\0'; ++p) n += *p == ',';
    copy = (char *)malloc(strlen(hosts) + 1);
    if (copy != NULL) memcpy(copy, hosts, strlen(hosts) + 1);
    list = (const char **)malloc(n * sizeof *list);
    if (copy == NULL || list == NULL) {
      free(copy);
      free(list);
      *rc = AC_ENOMEM;
      return NULL;
    }
    list[i++] = copy;
    for (p = copy; *p != '\0'; ++p)
      if (*p == ',') {
        *p = '\0';
        list[i++] = p + 1;
      }
    ac_connect_options_init(&o);
    o.local_host = local_host;
    o.local_port = local_port;
    o.happy_eyeballs_delay = happy_eyeballs_delay;
    o.interleave = interleave;
    o.nodelay = nodelay;
    *rc = ac_stream_connect_tcp_addresses($self, list, n, port, &o, &st, connected);
    free(list);
    free(copy);
    return st;
  }
  /* UDP options (sockopt.h). */
  acs_udp *udp_bind_ex(const char *host, int port, int reuse_port, int allow_broadcast, int *rc) {
    acs_udp *u = NULL;
    ac_udp_options o;
    ac_udp_options_init(&o);
    o.reuse_port = reuse_port;
    o.allow_broadcast = allow_broadcast;
    *rc = ac_udp_bind_ex($self, host, port, &o, &u);
    return u;
  }
  /* Name resolution (dns.h): futures of text. */
  acs_future *getaddrinfo(const char *host, const char *port, int family, int socktype,
                          int *rc) {
    acs_future *f = NULL;
    *rc = ac_getaddrinfo($self, host, port, family, socktype, &f);
    return f;
  }
  acs_future *getnameinfo(const char *address, int flags, int *rc) {
    acs_future *f = NULL;
    *rc = ac_getnameinfo($self, address, flags, &f);
    return f;
  }
  /* Blocking C work on a worker thread (thread.h): `fn` is an ac_work_fn
   * and `ud` its argument, both raw pointers the caller keeps valid until
   * the future is done (no free_ud); ex NULL means libuv's pool. */
  acs_future *to_thread(void *fn, void *ud, acs_executor *ex, int *rc) {
    acs_future *f = NULL;
    ac_work_fn work;
    if (fn == NULL) {
      *rc = AC_EINVAL;
      return NULL;
    }
    *(void **)&work = fn;
    *rc = ac_to_thread($self, work, ud, NULL, ex, &f);
    return f;
  }
  /* The same for an ac_work_v2_fn, which may fail with an error object
   * (message, cause) that the future then carries. */
  acs_future *to_thread_v2(void *fn, void *ud, acs_executor *ex, int *rc) {
    acs_future *f = NULL;
    ac_work_v2_fn work;
    if (fn == NULL) {
      *rc = AC_EINVAL;
      return NULL;
    }
    *(void **)&work = fn;
    *rc = ac_to_thread_v2($self, work, ud, NULL, ex, &f);
    return f;
  }
  /* Synchronization primitives (sync.h) and queues (queue.h): the new
   * handle, or nothing and the code in rc. */
  acs_lock *lock_new(int *rc) {
    acs_lock *x = NULL;
    *rc = ac_lock_new($self, &x);
    return x;
  }
  acs_event *event_new(int *rc) {
    acs_event *x = NULL;
    *rc = ac_event_new($self, &x);
    return x;
  }
  /* lock NULL: a lock of its own. */
  acs_condition *condition_new(acs_lock *lock, int *rc) {
    acs_condition *x = NULL;
    *rc = ac_condition_new($self, lock, &x);
    return x;
  }
  acs_semaphore *semaphore_new(int64_t value, int bounded, int *rc) {
    acs_semaphore *x = NULL;
    *rc = bounded ? ac_semaphore_new_bounded($self, value, &x)
                  : ac_semaphore_new($self, value, &x);
    return x;
  }
  acs_barrier *barrier_new(int64_t parties, int *rc) {
    acs_barrier *x = NULL;
    *rc = ac_barrier_new($self, parties, &x);
    return x;
  }
  /* kind: QUEUE_*; maxsize <= 0: no limit (a negative size passes
   * through size_t, as asyncio keeps it for maxsize()). */
  acs_queue *queue_new(int kind, long long maxsize, int *rc) {
    acs_queue *x = NULL;
    *rc = ac_queue_new($self, kind, (size_t)maxsize, &x);
    return x;
  }
  /* Identity of the loop (the handle's address), for maps keyed by loop. */
  uintptr_t id() { return (uintptr_t)$self; }
}

%extend acs_future {
  ~acs_future() { AC_SWIG_RELEASE(ac_future_unref($self)); }
  int state() { return ac_future_state_of($self); }
  int done() { return ac_future_done($self); }
  int cancelled() { return ac_future_cancelled($self); }
  /* 1 when cancelled now, 0 when already done. */
  int cancel(const char *message = NULL) { return ac_future_cancel($self, message); }
  int set_result_none() { return ac_future_set_result_none($self); }
  int set_result_int64(int64_t v) { return ac_future_set_result_int64($self, v); }
  int set_result_double(double v) { return ac_future_set_result_double($self, v); }
  int set_error(acs_error *err) { return ac_future_set_error($self, err); }
  int set_error_code(int code, const char *message = NULL) {
    return ac_future_set_error_code($self, code, message);
  }
  /* The outcome's code: 0 (result), the error's code, AC_ECANCELLED, or
   * AC_ESTATE while pending. Marks an error retrieved. */
  int result_code() { return ac_future_result($self, NULL); }
  /* The error of a failed or cancelled future, or nothing. */
  acs_error *error() { return ac_error_ref(ac_future_error($self)); }
  /* The task this future is, or nothing. */
  acs_task *as_task() { return ac_task_ref(ac_future_as_task($self)); }
  acs_loop *get_loop() { return ac_loop_ref(ac_future_get_loop($self)); }
  uintptr_t id() { return (uintptr_t)$self; }
  /* Of a gather: the children and their outcomes' codes. */
  int64_t gather_count() { return ac_gather_count($self); }
  acs_future *gather_item(int index) {
    return index < 0 ? NULL : ac_future_ref(ac_gather_item($self, (size_t)index));
  }
  int gather_result_code(int index) {
    return index < 0 ? AC_EINVAL : ac_gather_result_at($self, (size_t)index, NULL);
  }
  /* Of a wait: the done and pending futures, each in argument order. */
  int64_t wait_done_count() { return ac_wait_done_count($self); }
  int64_t wait_pending_count() { return ac_wait_pending_count($self); }
  acs_future *wait_done_at(int index) {
    return index < 0 ? NULL : ac_future_ref(ac_wait_done_at($self, (size_t)index));
  }
  acs_future *wait_pending_at(int index) {
    return index < 0 ? NULL : ac_future_ref(ac_wait_pending_at($self, (size_t)index));
  }
  /* Of an as_completed next()-future: the input it reports (-1 pending). */
  int64_t as_completed_index() { return ac_as_completed_index($self); }
}

%extend acs_task {
  ~acs_task() { AC_SWIG_RELEASE(ac_task_unref($self)); }
  /* The task viewed as a future (the same object). */
  acs_future *future() { return ac_future_ref(ac_task_future($self)); }
  acs_loop *get_loop() { return ac_loop_ref(ac_task_get_loop($self)); }
  const char *name() { return ac_task_name($self); }
  int set_name(const char *name) { return ac_task_set_name($self, name); }
  int cancel(const char *message = NULL) { return ac_task_cancel($self, message); }
  int64_t cancelling() { return ac_task_cancelling($self); }
  int64_t uncancel() { return ac_task_uncancel($self); }
  int state() { return ac_future_state_of(ac_task_future($self)); }
  int done() { return ac_future_done(ac_task_future($self)); }
  int cancelled() { return ac_future_cancelled(ac_task_future($self)); }
  uintptr_t id() { return (uintptr_t)ac_task_future($self); }
  /* The id ac_loop_dump shows (creation order). */
  long long task_id() { return (long long)ac_task_get_id($self); }
}

/* Strings the library allocates are freed with ac_free once copied. */
%typemap(newfree) char * "ac_free($1);";
%newobject acs_error::format;
%newobject acs_stream::peer_address;
%newobject acs_stream::local_address;
%newobject acs_server::address;
%newobject acs_udp::local_address;
%newobject acs_loop::dump;

%extend acs_error {
  ~acs_error() { AC_SWIG_RELEASE(ac_error_unref($self)); }
  int code() { return ac_error_code($self); }
  int kind() { return (int)ac_error_get_kind($self); }
  const char *message() { return ac_error_message($self); }
  acs_error *cause() { return ac_error_ref(ac_error_cause($self)); }
  int64_t child_count() { return ac_error_child_count($self); }
  /* Children are numbered from 0. */
  acs_error *child(int index) {
    return index < 0 ? NULL : ac_error_ref(ac_error_child($self, (size_t)index));
  }
  int add_child(acs_error *child) { return ac_error_add_child($self, child); }
  /* The error, its causes and children, readable. */
  char *format() { return ac_error_format($self); }
  uintptr_t id() { return (uintptr_t)$self; }
}

%extend acs_timeout {
  ~acs_timeout() { AC_SWIG_RELEASE(ac_timeout_unref($self)); }
  int enter(acs_task *task) { return ac_timeout_enter($self, task); }
  int exit(int outcome) { return ac_timeout_exit($self, outcome); }
  int reschedule(double when) { return ac_timeout_reschedule($self, when); }
  double when() { return ac_timeout_when($self); }
  int expired() { return ac_timeout_expired($self); }
  /* After an exit that returned ETIMEDOUT: the TimeoutError, whose cause
   * is the cancellation it replaced; nothing before. */
  acs_error *error() { return ac_error_ref(ac_timeout_error($self)); }
}

%extend acs_taskgroup {
  ~acs_taskgroup() { AC_SWIG_RELEASE(ac_taskgroup_unref($self)); }
  /* The join future (await it), or nothing and the code in rc. */
  acs_future *join(int body_outcome, acs_error *body_error, int *rc) {
    acs_future *f = NULL;
    *rc = ac_taskgroup_join($self, body_outcome, body_error, &f);
    return f;
  }
  int64_t size() { return ac_taskgroup_size($self); }
}

%extend acs_as_completed {
  ~acs_as_completed() { AC_SWIG_RELEASE(ac_as_completed_unref($self)); }
  /* The next future, or nothing when exhausted (rc 0) or on error. */
  acs_future *next(int *rc) {
    acs_future *f = NULL;
    int r = ac_as_completed_next($self, &f);
    *rc = r < 0 ? r : 0;
    return f;
  }
}

%extend acs_stream {
  ~acs_stream() { AC_SWIG_RELEASE(ac_stream_unref($self)); }
  acs_loop *get_loop() { return ac_loop_ref(ac_stream_get_loop($self)); }
  /* Reads: a future of bytes, or nothing and the code in rc. n < 0 reads
   * until EOF. */
  acs_future *read(long long n, int *rc) {
    acs_future *f = NULL;
    *rc = ac_stream_read($self, n < 0 ? SIZE_MAX : (size_t)n, &f);
    return f;
  }
  acs_future *readexactly(long long n, int *rc) {
    acs_future *f = NULL;
    *rc = n < 0 ? AC_EINVAL : ac_stream_readexactly($self, (size_t)n, &f);
    return f;
  }
  acs_future *readuntil(char *STRING, size_t LENGTH, int *rc) {
    acs_future *f = NULL;
    *rc = ac_stream_readuntil($self, STRING, LENGTH, &f);
    return f;
  }
  acs_future *readline(int *rc) {
    acs_future *f = NULL;
    *rc = ac_stream_readline($self, &f);
    return f;
  }
  int at_eof() { return ac_stream_at_eof($self); }
  long long buffered() { return (long long)ac_stream_buffered($self); }
  int set_limit(long long limit) {
    return limit < 1 ? AC_EINVAL : ac_stream_set_limit($self, (size_t)limit);
  }
  int write(char *STRING, size_t LENGTH) { return ac_stream_write($self, STRING, LENGTH); }
  acs_future *drain(int *rc) {
    acs_future *f = NULL;
    *rc = ac_stream_drain($self, &f);
    return f;
  }
  int set_write_buffer_limits(long long high, long long low) {
    return high < 0 || low < 0 ? AC_EINVAL
                               : ac_stream_set_write_buffer_limits($self, (size_t)high, (size_t)low);
  }
  long long write_buffer_size() { return (long long)ac_stream_write_buffer_size($self); }
  int write_eof() { return ac_stream_write_eof($self); }
  int close() { return ac_stream_close($self); }
  int is_closing() { return ac_stream_is_closing($self); }
  acs_future *wait_closed(int *rc) {
    acs_future *f = NULL;
    *rc = ac_stream_wait_closed($self, &f);
    return f;
  }
  /* Addresses, or nothing and the code in rc. */
  char *peer_address(int *rc) {
    char *a = NULL;
    *rc = ac_stream_peer_address($self, &a);
    return a;
  }
  char *local_address(int *rc) {
    char *a = NULL;
    *rc = ac_stream_local_address($self, &a);
    return a;
  }
  uintptr_t id() { return (uintptr_t)$self; }
  /* Socket options, abort and sendfile (asyncore/sockopt.h, stream.h). */
  int fileno() { return ac_stream_fileno($self); }
  int set_nodelay(int on) { return ac_stream_set_nodelay($self, on); }
  int get_nodelay() { return ac_stream_get_nodelay($self); }
  int set_keepalive(int on, int idle, int interval, int count) {
    return ac_stream_set_keepalive($self, on, idle, interval, count);
  }
  int abort() { return ac_stream_abort($self); }
  acs_future *sendfile(int fd, long long offset, long long count, int *rc) {
    acs_future *f = NULL;
    *rc = ac_stream_sendfile($self, fd, offset, count, &f);
    return f;
  }
  acs_future *sendfile_path(const char *path, long long offset, long long count, int *rc) {
    acs_future *f = NULL;
    *rc = ac_stream_sendfile_path($self, path, offset, count, &f);
    return f;
  }
}

%extend acs_server {
  ~acs_server() { AC_SWIG_RELEASE(ac_server_unref($self)); }
  char *address(int *rc) {
    char *a = NULL;
    *rc = ac_server_address($self, &a);
    return a;
  }
  int port() { return ac_server_port($self); }
  long long accepted() { return (long long)ac_server_accepted($self); }
  int accept_paused() { return ac_server_accept_paused($self); }
  int close() { return ac_server_close($self); }
  int is_serving() { return ac_server_is_serving($self); }
  acs_future *wait_closed(int *rc) {
    acs_future *f = NULL;
    *rc = ac_server_wait_closed($self, &f);
    return f;
  }
  /* Connections (asyncio 3.13's close_clients / abort_clients). */
  long long connections() { return (long long)ac_server_connections($self); }
  int close_clients() { return ac_server_close_clients($self); }
  int abort_clients() { return ac_server_abort_clients($self); }
  int fileno() { return ac_server_fileno($self); }
  acs_future *serve_forever(int *rc) {
    acs_future *f = NULL;
    *rc = ac_server_serve_forever($self, &f);
    return f;
  }
}

%extend acs_udp {
  ~acs_udp() { AC_SWIG_RELEASE(ac_udp_unref($self)); }
  int connect(const char *host, int port) { return ac_udp_connect($self, host, port); }
  int set_broadcast(int on) { return ac_udp_set_broadcast($self, on); }
  int fileno() { return ac_udp_fileno($self); }
  /* address NULL: the connected peer. */
  int send(char *STRING, size_t LENGTH, const char *address = NULL) {
    return ac_udp_send($self, STRING, LENGTH, address);
  }
  acs_future *recv(int *rc) {
    acs_future *f = NULL;
    *rc = ac_udp_recv($self, &f);
    return f;
  }
  acs_future *recvfrom(int *rc) {
    acs_future *f = NULL;
    *rc = ac_udp_recvfrom($self, &f);
    return f;
  }
  int set_recv_queue(long long n) {
    return n < 1 ? AC_EINVAL : ac_udp_set_recv_queue($self, (size_t)n);
  }
  long long dropped() { return (long long)ac_udp_dropped($self); }
  long long queued() { return (long long)ac_udp_queued($self); }
  char *local_address(int *rc) {
    char *a = NULL;
    *rc = ac_udp_local_address($self, &a);
    return a;
  }
  int close() { return ac_udp_close($self); }
}

%extend acs_executor {
  ~acs_executor() { AC_SWIG_RELEASE(ac_executor_unref($self)); }
  int shutdown(uint32_t flags = 0) { return ac_executor_shutdown($self, flags); }
}

%extend acs_tsfuture {
  ~acs_tsfuture() { AC_SWIG_RELEASE(ac_tsfuture_unref($self)); }
  int state() { return ac_tsfuture_state_of($self); }
  int done() { return ac_tsfuture_done($self); }
  int cancelled() { return ac_tsfuture_cancelled($self); }
  int set_result_none() { return ac_tsfuture_set_result($self, NULL); }
  int set_result_int64(int64_t v) { return ac_tsfuture_set_result_int64($self, v); }
  int set_error_code(int code, const char *message = NULL) {
    return ac_tsfuture_set_error_code($self, code, message);
  }
  int cancel(const char *message = NULL) { return ac_tsfuture_cancel($self, message); }
  /* Blocks up to `timeout` seconds (negative: forever): 0 or AC_ETIMEDOUT. */
  int wait(double timeout) { return ac_tsfuture_wait($self, timeout); }
  int result_code() { return ac_tsfuture_result($self, NULL); }
  acs_error *error() { return ac_error_ref(ac_tsfuture_error($self)); }
  /* A future of `loop` that follows this one (asyncio.wrap_future). */
  acs_future *wrap(acs_loop *loop, int *rc) {
    acs_future *f = NULL;
    *rc = ac_tsfuture_wrap($self, loop, &f);
    return f;
  }
  /* The raw pointer, for C code that completes it from its own thread. */
  void *ptr() { return $self; }
}

%define AC_SWIG_WAITER(TYPE, NAME, CALL)
  acs_future *NAME(int *rc) {
    acs_future *f = NULL;
    *rc = CALL($self, &f);
    return f;
  }
%enddef

%extend acs_lock {
  ~acs_lock() { AC_SWIG_RELEASE(ac_lock_unref($self)); }
  AC_SWIG_WAITER(acs_lock, acquire, ac_lock_acquire)
  int try_acquire() { return ac_lock_try_acquire($self); }
  int release() { return ac_lock_release($self); }
  int locked() { return ac_lock_locked($self); }
}

%extend acs_event {
  ~acs_event() { AC_SWIG_RELEASE(ac_event_unref($self)); }
  AC_SWIG_WAITER(acs_event, wait, ac_event_wait)
  int set() { return ac_event_set($self); }
  int clear() { return ac_event_clear($self); }
  int is_set() { return ac_event_is_set($self); }
}

%extend acs_condition {
  ~acs_condition() { AC_SWIG_RELEASE(ac_condition_unref($self)); }
  AC_SWIG_WAITER(acs_condition, acquire, ac_condition_acquire)
  AC_SWIG_WAITER(acs_condition, wait, ac_condition_wait)
  int release() { return ac_condition_release($self); }
  int locked() { return ac_condition_locked($self); }
  int64_t notify(int64_t n = 1) { return ac_condition_notify($self, n); }
  int64_t notify_all() { return ac_condition_notify_all($self); }
}

%extend acs_semaphore {
  ~acs_semaphore() { AC_SWIG_RELEASE(ac_semaphore_unref($self)); }
  AC_SWIG_WAITER(acs_semaphore, acquire, ac_semaphore_acquire)
  int try_acquire() { return ac_semaphore_try_acquire($self); }
  int release() { return ac_semaphore_release($self); }
  int locked() { return ac_semaphore_locked($self); }
  long long value() { return (long long)ac_semaphore_value($self); }
}

%extend acs_barrier {
  ~acs_barrier() { AC_SWIG_RELEASE(ac_barrier_unref($self)); }
  /* A future of the arrival index (0 .. parties-1). */
  AC_SWIG_WAITER(acs_barrier, wait, ac_barrier_wait)
  int reset() { return ac_barrier_reset($self); }
  int abort() { return ac_barrier_abort($self); }
  int broken() { return ac_barrier_broken($self); }
  long long parties() { return (long long)ac_barrier_parties($self); }
  long long n_waiting() { return (long long)ac_barrier_n_waiting($self); }
}

/* Queue items are host values: putting and taking them is the language's
 * part (for Lua: asyncore_core.queue_put and friends). */
%extend acs_queue {
  ~acs_queue() { AC_SWIG_RELEASE(ac_queue_unref($self)); }
  /* A future of the next item. */
  AC_SWIG_WAITER(acs_queue, get, ac_queue_get)
  AC_SWIG_WAITER(acs_queue, join, ac_queue_join)
  long long qsize() { return (long long)ac_queue_qsize($self); }
  int empty() { return ac_queue_empty($self); }
  int full() { return ac_queue_full($self); }
  long long maxsize() { return (long long)ac_queue_maxsize($self); }
  int task_done() { return ac_queue_task_done($self); }
  int shutdown(int immediate = 0) { return ac_queue_shutdown($self, immediate); }
  int is_shutdown() { return ac_queue_is_shutdown($self); }
}

%extend acs_handle {
  ~acs_handle() { AC_SWIG_RELEASE(ac_call_unref($self)); }
  int cancel() { return ac_call_cancel($self); }
  int cancelled() { return ac_call_cancelled($self); }
  double when() { return ac_call_when($self); }
}

/* TLS (tls.h): contexts, and streams upgraded with start_tls. */
%newobject tls_context_new;
%newobject acs_stream::start_tls;
%newobject acs_stream::tls_info;
%inline %{
/* A client (server 0) or server context, or nothing and the code in rc. */
acs_tls_context *tls_context_new(int server, int *rc) {
  ac_tls_context *c = NULL;
  *rc = ac_tls_context_new(server ? AC_TLS_SERVER : AC_TLS_CLIENT, &c);
  return c;
}
int tls_available(void) { return ac_tls_available(); }
%}
%extend acs_tls_context {
  ~acs_tls_context() { AC_SWIG_RELEASE(ac_tls_context_unref($self)); }
  int load_verify_locations(const char *cafile) {
    return ac_tls_context_load_verify_locations($self, cafile, NULL);
  }
  int load_verify_pem(char *STRING, size_t LENGTH) {
    return ac_tls_context_load_verify_pem($self, STRING, LENGTH);
  }
  int load_cert_chain(const char *certfile, const char *keyfile, const char *password) {
    return ac_tls_context_load_cert_chain($self, certfile, keyfile, password);
  }
  /* The chain and key from PEM text ("" key: the key is in cert). */
  int load_cert_chain_pem(const char *cert, const char *key, const char *password) {
    size_t kl = key != NULL ? strlen(key) : 0;
    return ac_tls_context_load_cert_chain_pem($self, cert, strlen(cert), kl ? key : NULL, kl,
                                              password);
  }
  int set_verify(int mode) { return ac_tls_context_set_verify($self, (ac_tls_verify)mode); }
  int set_check_hostname(int on) { return ac_tls_context_set_check_hostname($self, on); }
  int set_min_version(int v) { return ac_tls_context_set_min_version($self, v); }
  int set_max_version(int v) { return ac_tls_context_set_max_version($self, v); }
  int set_ciphers(const char *tls12, const char *tls13) {
    return ac_tls_context_set_ciphers($self, tls12, tls13);
  }
  /* Names separated by commas ("h2,http/1.1"); "" clears. */
  int set_alpn_protocols(const char *list) {
    const char *names[32];
    char buf[1024];
    size_t n = 0, len = strlen(list);
    if (len >= sizeof buf) return AC_EINVAL;
    memcpy(buf, list, len + 1);
    for (char *p = buf; *p != '\0' && n < 32;) {
      names[n++] = p;
      char *comma = strchr(p, ',');
      if (comma == NULL) break;
      *comma = '\0';
      p = comma + 1;
    }
    return ac_tls_context_set_alpn_protocols($self, names, n);
  }
}
%extend acs_stream {
  /* The handshake's future, or nothing and the code in rc. Timeouts <= 0:
   * the defaults. */
  acs_future *start_tls(acs_tls_context *ctx, const char *server_hostname, double handshake,
                        double shutdown, int *rc) {
    acs_future *f = NULL;
    ac_tls_timeouts t = {handshake, shutdown};
    *rc = ac_stream_start_tls($self, ctx, server_hostname, &t, &f);
    return f;
  }
  int is_tls() { return ac_stream_is_tls($self); }
  /* An item of ac_tls_info as text (not the DER certificate). */
  char *tls_info(int what, int *rc) {
    char *p = NULL;
    *rc = what == AC_TLS_INFO_PEER_CERT_DER ? AC_EINVAL
                                            : ac_stream_tls_info($self, (ac_tls_info)what, &p, NULL);
    return p;
  }
}

#if defined(SWIGLUA)
%include "lua.i"
#endif

#endif /* !SWIGGO */
