/*
 * go.i — the Go part of the SWIG interface (included by
 * bindings/swig/asyncore.i when SWIG runs with -go, which generate.sh does
 * for internal/raw/raw.i).
 *
 * Go does not use the shared handle classes: they drop their reference in
 * a destructor, and SWIG's Go output runs no destructor by itself (the Go
 * layer keeps every C reference in a registry the loop releases). So the
 * package raw is the C contract one to one: functions keep their names
 * without the ac_ prefix (ac_loop_new -> Loop_new), opaque handles become
 * Go types named after them (ac_loop -> Loop), and every call crosses cgo.
 * The idiomatic package (asyncore) is the only user; nothing here is meant
 * to be called by applications.
 *
 * Typemaps below fix what SWIG's Go defaults get wrong for this contract:
 *  - `int *` and `uint32_t *` out-parameters would map to Go's 64-bit int;
 *    they map to *int32 / *uint32, the C sizes.
 *  - `T **out` handle out-parameters map to *uintptr (the C pointer value).
 *  - An optional string (`message`, `name`, `address`, `host`, `port`) is
 *    NULL when the Go string is empty, so the library uses its default.
 *  - `const void *data, size_t len` pairs take a Go []byte; arrays of
 *    futures take a Go []uintptr of C pointers.
 *  - ac_error_format's string is freed with ac_free after the copy to Go.
 *
 * After the headers come the binding's own C helpers, so that Go reaches
 * every C function through this package: those of Go tasks and the
 * one-crossing operations (gotask.h, defined in internal/raw/gotask.c),
 * and small ones for TLS here.
 */

%{
#include <stdlib.h>
#include <string.h>

#include "gotask.h"
%}

%rename("%(strip:[ac_])s") "";

/* Out-parameters sized like C. */
%typemap(gotype) int *pending, int *OUT32 "*int32"
%typemap(gotype) uint32_t *out, ac_context_key *out "*uint32"
/* ac_loop_get_stats fills a Go [8]uint64 (the struct is eight uint64). */
%typemap(gotype) ac_loop_stats *out "*uint64"

/* Handle out-parameters: the Go side passes the address of a uintptr. */
%define AC_HANDLE_OUT(TYPE)
%typemap(gotype) TYPE **out, TYPE **error "*uintptr"
%enddef
AC_HANDLE_OUT(ac_loop)
AC_HANDLE_OUT(ac_future)
AC_HANDLE_OUT(ac_task)
AC_HANDLE_OUT(ac_call)
AC_HANDLE_OUT(ac_error)
AC_HANDLE_OUT(ac_taskgroup)
AC_HANDLE_OUT(ac_as_completed)
AC_HANDLE_OUT(ac_timeout)
AC_HANDLE_OUT(ac_lock)
AC_HANDLE_OUT(ac_event)
AC_HANDLE_OUT(ac_condition)
AC_HANDLE_OUT(ac_semaphore)
AC_HANDLE_OUT(ac_barrier)
AC_HANDLE_OUT(ac_queue)
AC_HANDLE_OUT(ac_executor)
AC_HANDLE_OUT(ac_tsfuture)
AC_HANDLE_OUT(ac_stream)
AC_HANDLE_OUT(ac_server)
AC_HANDLE_OUT(ac_udp)
AC_HANDLE_OUT(ac_tls_context)
%typemap(gotype) ac_stream **stream_out, ac_future **connected_out "*uintptr"
/* Strings the library allocates (ac_free them): the address of the C
 * string, which the Go side copies and frees. */
%typemap(gotype) char **out "*uintptr"
%typemap(gotype) void **state_out "*uintptr"

/* Arrays of futures: a Go []uintptr of C future pointers (plain integers,
 * so Go memory holding them may be passed for the call). */
%typemap(gotype) (ac_future *const *items, size_t n) "[]uintptr"
%typemap(in) (ac_future *const *items, size_t n)
%{
  $1 = ($1_ltype)$input.array;
  $2 = (size_t)$input.len;
%}

/* Bytes passed in for the call (copied by the library when it keeps
 * them): a Go []byte. */
%typemap(gotype) (const void *data, size_t len), (const void *sep, size_t sep_len) "[]byte"
%typemap(in) (const void *data, size_t len), (const void *sep, size_t sep_len)
%{
  $1 = ($1_ltype)$input.array;
  $2 = (size_t)$input.len;
%}

/* ac_value_set_bytes only borrows its bytes into a C value, where Go memory
 * must not be kept: the binding sets bytes values with C copies itself. */
%ignore ac_value_set_bytes;

/* Optional strings: "" means NULL. */
%typemap(in) const char *message, const char *name, const char *address,
             const char *host, const char *port
%{
  if ($input.n == 0) {
    $1 = NULL;
  } else {
    $1 = ($1_ltype)malloc($input.n + 1);
    memcpy((char *)$1, $input.p, $input.n);
    ((char *)$1)[$input.n] = '\0';
  }
%}
%typemap(freearg) const char *message, const char *name, const char *address,
                  const char *host, const char *port
%{ free((char *)$1); %}

/* A string the caller owns (freed with ac_free once copied to Go). */
%newobject ac_error_format;
%typemap(newfree) char * "ac_free($1);";

/* Opaque handles: empty structs give SWIG a Go type for each one; they are
 * never created or destroyed from Go (the contract's _new/_unref do it). */
%nodefaultctor;
%nodefaultdtor;
struct ac_loop {};
struct ac_future {};
struct ac_task {};
struct ac_call {};
struct ac_error {};
struct ac_taskgroup {};
struct ac_as_completed {};
struct ac_timeout {};
struct ac_lock {};
struct ac_event {};
struct ac_condition {};
struct ac_semaphore {};
struct ac_barrier {};
struct ac_queue {};
struct ac_executor {};
struct ac_tsfuture {};
struct ac_stream {};
struct ac_server {};
struct ac_udp {};
struct ac_tls_context {};
%clearnodefaultctor;
%clearnodefaultdtor;

%include "asyncore/common.h"
%include "asyncore/value.h"
%include "asyncore/error.h"
%include "asyncore/loop.h"
%include "asyncore/future.h"
%include "asyncore/task.h"
%include "asyncore/context.h"
%include "asyncore/combinators.h"
%include "asyncore/taskgroup.h"
%include "asyncore/timeout.h"
%include "asyncore/sync.h"
%include "asyncore/queue.h"
%include "asyncore/thread.h"
%include "asyncore/stream.h"
%include "asyncore/server.h"
%include "asyncore/dns.h"
%include "asyncore/udp.h"
%include "asyncore/inspect.h"

/* The C side of Go tasks and the one-crossing operations (gotask.h). */
%typemap(gotype) uint64_t *slots "*uint64"
/* The loop record's slots (C memory, gotask.h): an address as an integer,
 * which cgo does not check. */
%typemap(gotype) uint64_t *rec_slots, uint64_t *run_out "uintptr"
%typemap(gotype) (uint64_t *list, size_t list_len) "[]uint64"
%typemap(in) (uint64_t *list, size_t list_len)
%{
  $1 = ($1_ltype)$input.array;
  $2 = (size_t)$input.len;
%}
%typemap(gotype) (const void *pem, size_t pem_len), (const void *key, size_t key_len),
                 (void *dst, size_t dst_len) "[]byte"
%typemap(in) (const void *pem, size_t pem_len), (const void *key, size_t key_len),
             (void *dst, size_t dst_len)
%{
  $1 = ($1_ltype)$input.array;
  $2 = (size_t)$input.len;
%}
%apply (char *STRING, size_t LENGTH) { (const char *msg, size_t msg_len) };
%nodefaultctor;
%nodefaultdtor;
struct acgo_loop {};
struct acgo_co {};
%clearnodefaultctor;
%clearnodefaultdtor;
/* The hot path's handles pass as plain uintptr: an interface-typed handle
 * argument costs a conversion (an allocation) and a method call per call. */
%typemap(gotype) acgo_loop *lp, acgo_co *c, ac_lock *lock, ac_queue *q, ac_semaphore *s,
                 ac_future *f, ac_future *fut, ac_taskgroup *group "uintptr"
%include "gotask.h"
%typemap(gotype) acgo_loop *lp, acgo_co *c, ac_lock *lock, ac_queue *q, ac_semaphore *s,
                 ac_future *f, ac_future *fut, ac_taskgroup *group;

/* TLS (tls.h): the context functions as they are; ALPN lists, timeouts
 * and the SNI callback through the small helpers below (tls.go). */
%ignore ac_tls_context_set_alpn_protocols;
%ignore ac_tls_context_set_sni_callback;
%ignore ac_tls_context_load_verify_pem;
%ignore ac_tls_context_load_cert_chain_pem;
%ignore ac_stream_connect_tls;
%ignore ac_stream_start_tls;
%ignore ac_server_listen_tls;
%ignore ac_server_listen_tls_tasks;
%ignore ac_stream_tls_info;
%include "asyncore/tls.h"
%inline %{
/* The Go function that chooses a context by the client's server name
 * (acgoSniChoose): the context's address, or 0. */
typedef uintptr_t (*acgo_sni_fn)(char *name, void *h);
%}
%{
/* The SNI choice in Go: its function and handle, behind the library's
 * callback. */
typedef struct acgo_sni {
  acgo_sni_fn choose;
  void *h;
  ac_free_fn free_h;
} acgo_sni;
static ac_tls_context *acgo_sni_trampoline(const char *name, void *ud) {
  acgo_sni *s = (acgo_sni *)ud;
  return (ac_tls_context *)s->choose((char *)name, s->h);
}
static void acgo_sni_free(void *ud) {
  acgo_sni *s = (acgo_sni *)ud;
  s->free_h(s->h);
  free(s);
}
%}
%inline %{
/* ALPN names separated by commas ("h2,http/1.1"). */
int acgo_tls_set_alpn(ac_tls_context *ctx, const char *list) {
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
  return ac_tls_context_set_alpn_protocols(ctx, names, n);
}
/* start_tls with the timeouts as numbers; name "" means none. */
int acgo_stream_start_tls(ac_stream *s, ac_tls_context *ctx, const char *name, double handshake,
                          double shutdown, ac_future **out) {
  ac_tls_timeouts t = {handshake, shutdown};
  return ac_stream_start_tls(s, ctx, name, &t, out);
}
/* CA certificates from a PEM file. */
int acgo_tls_load_cafile(ac_tls_context *ctx, const char *cafile) {
  return ac_tls_context_load_verify_locations(ctx, cafile, NULL);
}
/* One item of ac_tls_info as a string (not the DER certificate). */
int acgo_stream_tls_info(ac_stream *s, int what, char **out) {
  if (what == AC_TLS_INFO_PEER_CERT_DER) return AC_EINVAL;
  return ac_stream_tls_info(s, (ac_tls_info)what, out, NULL);
}
/* Installs the SNI callback of ctx: choose (the Go function, acgoSniChoose)
 * is called with the client's name and the Go handle h, and gives the
 * address of the context to use (0: keep this one); free_h releases the
 * handle with the callback (at once when this fails). */
int acgo_tls_set_sni(ac_tls_context *ctx, acgo_sni_fn choose, void *h, ac_free_fn free_h) {
  acgo_sni *s = (acgo_sni *)malloc(sizeof *s);
  if (s == NULL) {
    free_h(h);
    return AC_ENOMEM;
  }
  s->choose = choose;
  s->h = h;
  s->free_h = free_h;
  return ac_tls_context_set_sni_callback(ctx, acgo_sni_trampoline, s, acgo_sni_free);
}
/* ac_tls_context_load_cert_chain_pem (key empty: in the certificate). */
int acgo_tls_load_cert_pem(ac_tls_context *ctx, const void *pem, size_t pem_len, const void *key,
                           size_t key_len) {
  return ac_tls_context_load_cert_chain_pem(ctx, (const char *)pem, pem_len, (const char *)key,
                                            key_len, NULL);
}
int acgo_tls_load_verify_pem(ac_tls_context *ctx, const void *pem, size_t pem_len) {
  return ac_tls_context_load_verify_pem(ctx, (const char *)pem, pem_len);
}
%}
%include "../swig/process_go.i"
%include "../swig/io_go.i"

