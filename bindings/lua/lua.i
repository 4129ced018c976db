/*
 * lua.i — the Lua part of the SWIG interface (included by
 * bindings/swig/asyncore.i when SWIG runs with -lua).
 *
 * It adds what needs Lua itself: the bridge the binding's C files use to
 * convert between wrapper objects and handles (the SWIG runtime is only
 * visible in the generated file), the natives that run coroutines as tasks
 * and Lua functions as callbacks, and the module's per-state setup.
 */

%{
#include <stddef.h>

#include "acl.h"
/* The natives of files and descriptors (fs.c, callback.c). */
int acl_fs_open(lua_State *L);
int acl_fs_open_flags(lua_State *L);
int acl_fs_close(lua_State *L);
int acl_fs_read(lua_State *L);
int acl_fs_write(lua_State *L);
int acl_fs_fsync(lua_State *L);
int acl_fs_stat(lua_State *L);
int acl_fs_lstat(lua_State *L);
int acl_fs_fstat(lua_State *L);
int acl_fs_stat_table(lua_State *L);
int acl_fs_rename(lua_State *L);
int acl_fs_unlink(lua_State *L);
int acl_fs_mkdir(lua_State *L);
int acl_fs_rmdir(lua_State *L);
int acl_fs_scandir(lua_State *L);
int acl_fs_sendfile(lua_State *L);
int acl_file_open(lua_State *L);
int acl_file_read(lua_State *L);
int acl_file_readline(lua_State *L);
int acl_file_readuntil(lua_State *L);
int acl_file_write(lua_State *L);
int acl_file_drain(lua_State *L);
int acl_file_close(lua_State *L);
int acl_file_fileno(lua_State *L);
int acl_wait_readable(lua_State *L);
int acl_wait_writable(lua_State *L);
int acl_sock_recv(lua_State *L);
int acl_sock_sendall(lua_State *L);
int acl_sock_connect(lua_State *L);
int acl_sock_accept(lua_State *L);
int acl_add_reader(lua_State *L);
int acl_add_writer(lua_State *L);
int acl_remove_reader(lua_State *L);
int acl_remove_writer(lua_State *L);
%}

%wrapper %{
/* A wrapper of `type` at idx, or NULL. SWIG would take a light userdata
 * for any pointer type: only full userdata are wrappers. */
static void *acl_unwrap_(lua_State *L, int idx, swig_type_info *type) {
  void *p = NULL;
  if (lua_type(L, idx) != LUA_TUSERDATA) return NULL;
  if (SWIG_ConvertPtr(L, idx, &p, type, 0) != SWIG_OK) return NULL;
  return p;
}

/* The same for the natives on their hot paths: a wrapper of exactly that
 * type is recognised without SWIG's name comparison. */
static void *acl_fast_unwrap_(lua_State *L, int idx, swig_type_info *type) {
  swig_lua_userdata *u;
  if (lua_type(L, idx) != LUA_TUSERDATA || acl_rawlen(L, idx) < sizeof(swig_lua_userdata))
    return NULL;
  u = (swig_lua_userdata *)lua_touserdata(L, idx);
  if (u->type == type) return u->ptr;
  return acl_unwrap_(L, idx, type);
}

/* A Task object (task.c) is laid out as SWIG's wrapper of an acs_task. */
typedef char acl_task_object_layout_[(sizeof(acl_task_object) == sizeof(swig_lua_userdata) &&
                                      offsetof(acl_task_object, swig_type) ==
                                          offsetof(swig_lua_userdata, type) &&
                                      offsetof(acl_task_object, own) ==
                                          offsetof(swig_lua_userdata, own) &&
                                      offsetof(acl_task_object, task) ==
                                          offsetof(swig_lua_userdata, ptr))
                                         ? 1
                                         : -1];

void *acl_swig_task_type(void) { return SWIGTYPE_p_acs_task; }

ac_lock *acl_to_lock(lua_State *L, int idx) {
  return (ac_lock *)acl_fast_unwrap_(L, idx, SWIGTYPE_p_acs_lock);
}

ac_semaphore *acl_to_semaphore(lua_State *L, int idx) {
  return (ac_semaphore *)acl_fast_unwrap_(L, idx, SWIGTYPE_p_acs_semaphore);
}

ac_event *acl_to_event(lua_State *L, int idx) {
  return (ac_event *)acl_fast_unwrap_(L, idx, SWIGTYPE_p_acs_event);
}

ac_condition *acl_to_condition(lua_State *L, int idx) {
  return (ac_condition *)acl_fast_unwrap_(L, idx, SWIGTYPE_p_acs_condition);
}

ac_loop *acl_to_loop(lua_State *L, int idx) {
  return (ac_loop *)acl_unwrap_(L, idx, SWIGTYPE_p_acs_loop);
}

ac_future *acl_to_future(lua_State *L, int idx) {
  ac_future *f;
  ac_task *t;
  if (lua_type(L, idx) != LUA_TUSERDATA) return NULL;
  if (acl_rawlen(L, idx) >= sizeof(swig_lua_userdata)) {
    /* Task objects and wrappers of the exact types, without SWIG's name
     * comparison. */
    swig_lua_userdata *u = (swig_lua_userdata *)lua_touserdata(L, idx);
    if (u->type == SWIGTYPE_p_acs_future) return (ac_future *)u->ptr;
    if (u->type == SWIGTYPE_p_acs_task)
      return u->ptr != NULL ? ac_task_future((ac_task *)u->ptr) : NULL;
  }
  f = (ac_future *)acl_unwrap_(L, idx, SWIGTYPE_p_acs_future);
  if (f == NULL) {
    t = (ac_task *)acl_unwrap_(L, idx, SWIGTYPE_p_acs_task);
    if (t != NULL) f = ac_task_future(t);
  }
  return f;
}

ac_task *acl_to_task(lua_State *L, int idx) {
  return (ac_task *)acl_unwrap_(L, idx, SWIGTYPE_p_acs_task);
}

ac_taskgroup *acl_to_taskgroup(lua_State *L, int idx) {
  return (ac_taskgroup *)acl_unwrap_(L, idx, SWIGTYPE_p_acs_taskgroup);
}

ac_queue *acl_to_queue(lua_State *L, int idx) {
  return (ac_queue *)acl_fast_unwrap_(L, idx, SWIGTYPE_p_acs_queue);
}

ac_error *acl_to_error(lua_State *L, int idx) {
  return (ac_error *)acl_unwrap_(L, idx, SWIGTYPE_p_acs_error);
}

void acl_push_loop(lua_State *L, ac_loop *loop) {
  SWIG_NewPointerObj(L, ac_loop_ref(loop), SWIGTYPE_p_acs_loop, 1);
}

void acl_push_future(lua_State *L, ac_future *f) {
  SWIG_NewPointerObj(L, ac_future_ref(f), SWIGTYPE_p_acs_future, 1);
}

void acl_push_task(lua_State *L, ac_task *t) {
  SWIG_NewPointerObj(L, ac_task_ref(t), SWIGTYPE_p_acs_task, 1);
}

void acl_push_error(lua_State *L, ac_error *err) {
  SWIG_NewPointerObj(L, ac_error_ref(err), SWIGTYPE_p_acs_error, 1);
}

void acl_push_handle(lua_State *L, ac_handle *h) {
  SWIG_NewPointerObj(L, h, SWIGTYPE_p_acs_handle, 1);
}

void *acl_push_borrowed_future(lua_State *L, ac_future *f) {
  ac_task *t = ac_future_as_task(f);
  if (t != NULL)
    SWIG_NewPointerObj(L, t, SWIGTYPE_p_acs_task, 0);
  else
    SWIG_NewPointerObj(L, f, SWIGTYPE_p_acs_future, 0);
  return lua_touserdata(L, -1);
}

void acl_forget_borrowed(void *wrapper) {
  ((swig_lua_userdata *)wrapper)->ptr = NULL;
}

ac_stream *acl_to_stream(lua_State *L, int idx) {
  return (ac_stream *)acl_unwrap_(L, idx, SWIGTYPE_p_acs_stream);
}

ac_tls_context *acl_to_tls_context(lua_State *L, int idx) {
  return (ac_tls_context *)acl_unwrap_(L, idx, SWIGTYPE_p_acs_tls_context);
}

void acl_push_stream(lua_State *L, ac_stream *s) {
  SWIG_NewPointerObj(L, ac_stream_ref(s), SWIGTYPE_p_acs_stream, 1);
}

void acl_push_server(lua_State *L, ac_server *srv) {
  SWIG_NewPointerObj(L, srv, SWIGTYPE_p_acs_server, 1);
}
%}

/* Tasks, awaiting, primitives and queues: acl_open_natives (task.c). */
/* Callbacks. */
%native(call_soon) int acl_call_soon(lua_State *L);
%native(call_later) int acl_call_later(lua_State *L);
%native(call_at) int acl_call_at(lua_State *L);
%native(add_done_callback) int acl_add_done_callback(lua_State *L);
%native(remove_done_callback) int acl_remove_done_callback(lua_State *L);
%native(set_exception_handler) int acl_set_exception_handler(lua_State *L);
%native(call_exception_handler) int acl_call_exception_handler(lua_State *L);
%native(server_listen) int acl_server_listen(lua_State *L);
/* TLS: a server context's SNI callback (tls.c). */
%native(tls_set_sni) int acl_tls_set_sni(lua_State *L);
%native(threadsafe_callback) int acl_threadsafe_callback(lua_State *L);
/* Files and descriptors (fs.c; add_reader/add_writer in callback.c). */
%native(fs_open) int acl_fs_open(lua_State *L);
%native(fs_open_flags) int acl_fs_open_flags(lua_State *L);
%native(fs_close) int acl_fs_close(lua_State *L);
%native(fs_read) int acl_fs_read(lua_State *L);
%native(fs_write) int acl_fs_write(lua_State *L);
%native(fs_fsync) int acl_fs_fsync(lua_State *L);
%native(fs_stat) int acl_fs_stat(lua_State *L);
%native(fs_lstat) int acl_fs_lstat(lua_State *L);
%native(fs_fstat) int acl_fs_fstat(lua_State *L);
%native(fs_stat_table) int acl_fs_stat_table(lua_State *L);
%native(fs_rename) int acl_fs_rename(lua_State *L);
%native(fs_unlink) int acl_fs_unlink(lua_State *L);
%native(fs_mkdir) int acl_fs_mkdir(lua_State *L);
%native(fs_rmdir) int acl_fs_rmdir(lua_State *L);
%native(fs_scandir) int acl_fs_scandir(lua_State *L);
%native(fs_sendfile) int acl_fs_sendfile(lua_State *L);
%native(file_open) int acl_file_open(lua_State *L);
%native(file_read) int acl_file_read(lua_State *L);
%native(file_readline) int acl_file_readline(lua_State *L);
%native(file_readuntil) int acl_file_readuntil(lua_State *L);
%native(file_write) int acl_file_write(lua_State *L);
%native(file_drain) int acl_file_drain(lua_State *L);
%native(file_close) int acl_file_close(lua_State *L);
%native(file_fileno) int acl_file_fileno(lua_State *L);
%native(wait_readable) int acl_wait_readable(lua_State *L);
%native(wait_writable) int acl_wait_writable(lua_State *L);
%native(sock_recv) int acl_sock_recv(lua_State *L);
%native(sock_sendall) int acl_sock_sendall(lua_State *L);
%native(sock_connect) int acl_sock_connect(lua_State *L);
%native(sock_accept) int acl_sock_accept(lua_State *L);
%native(add_reader) int acl_add_reader(lua_State *L);
%native(add_writer) int acl_add_writer(lua_State *L);
%native(remove_reader) int acl_remove_reader(lua_State *L);
%native(remove_writer) int acl_remove_writer(lua_State *L);
/* Values. */
%native(future_result) int acl_future_result(lua_State *L);
%native(future_set_result) int acl_future_set_result(lua_State *L);
%native(future_set_exception) int acl_future_set_exception(lua_State *L);
%native(set_error_factory) int acl_set_error_factory(lua_State *L);
%native(error_payload) int acl_error_payload(lua_State *L);
%native(error_from_value) int acl_error_from_value(lua_State *L);
%native(queue_put_nowait) int acl_queue_put_nowait(lua_State *L);
%native(queue_get_nowait) int acl_queue_get_nowait(lua_State *L);
%native(context_key_new) int acl_context_key_new(lua_State *L);
%native(context_set) int acl_context_set(lua_State *L);
%native(context_get) int acl_context_get(lua_State *L);
%native(context_delete) int acl_context_delete(lua_State *L);
/* Processes, signals, pipes (process.c). */
%native(process_spawn) int acl_process_spawn(lua_State *L);
%native(add_signal_handler) int acl_add_signal_handler(lua_State *L);
%native(remove_signal_handler) int acl_remove_signal_handler(lua_State *L);
%native(pipe_connect) int acl_pipe_connect(lua_State *L);
%native(tty_set_raw) int acl_tty_set_raw(lua_State *L);
%native(tty_winsize) int acl_tty_winsize(lua_State *L);
/* Lifetime. */
%native(own_loop) int acl_own_loop(lua_State *L);
%native(host_loop) int acl_host_loop(lua_State *L);

%init %{
  acl_state_open(L);
  /* The module's table is on top here. */
  acl_open_natives(L, lua_gettop(L));
  acl_open_process(L, lua_gettop(L));
%}
