/*
 * module.c — the registration of the module: every native, under its Lua
 * name, grouped by the file that provides it; the class of Task objects;
 * the constants. luaopen runs acl_open_module once per require, after
 * SWIG has registered its own classes and functions in the same table.
 *
 * Every native gets the same two upvalues (acl.h: ACL_ST, ACL_TASK_CLASS).
 * Nothing here is called back: the files below register nothing
 * themselves, and know nothing of this table.
 */
#include "natives.h"
#include "task.h"

static const luaL_Reg natives[] = {
    /* task.c — tasks */
    {"spawn", acl_spawn},
    {"create_task", acl_create_task},
    {"current_task", acl_current_task},
    {"task_object", acl_task_object_for},
    {"live_tasks", acl_live_tasks},
    {"set_create_task_fallback", acl_set_create_task_fallback},
    {"set_coroutine_pool", acl_set_coroutine_pool},
    /* await.c — waiting */
    {"await", acl_await},
    {"sleep", acl_sleep},
    /* future.c — futures */
    {"future_done", acl_future_done},
    {"future_cancelled", acl_future_cancelled},
    {"future_state", acl_future_state},
    {"future_id", acl_future_id},
    {"future_result", acl_future_result},
    {"future_set_result", acl_future_set_result},
    {"future_set_exception", acl_future_set_exception},
    /* sync.c — primitives and queues */
    {"lock_acquire", acl_lock_acquire},
    {"lock_release", acl_lock_release},
    {"semaphore_acquire", acl_semaphore_acquire},
    {"semaphore_release", acl_semaphore_release},
    {"condition_acquire", acl_condition_acquire},
    {"condition_release", acl_condition_release},
#if ACL_HAS_K
    {"lock_with", acl_lock_with},
    {"semaphore_with", acl_semaphore_with},
    {"condition_with", acl_condition_with},
#endif
    {"event_wait", acl_event_wait},
    {"queue_get", acl_queue_get},
    {"queue_put", acl_queue_put},
    {"queue_get_nowait", acl_queue_get_nowait},
    {"queue_put_nowait", acl_queue_put_nowait},
    /* context.c — context variables */
    {"context_key_new", acl_context_key_new},
    {"context_set", acl_context_set},
    {"context_get", acl_context_get},
    {"context_delete", acl_context_delete},
    /* value.c — error objects */
    {"set_error_factory", acl_set_error_factory},
    {"error_payload", acl_error_payload},
    {"error_from_value", acl_error_from_value},
    /* callback.c — Lua functions the loop calls */
    {"call_soon", acl_call_soon},
    {"call_later", acl_call_later},
    {"call_at", acl_call_at},
    {"add_done_callback", acl_add_done_callback},
    {"remove_done_callback", acl_remove_done_callback},
    {"add_reader", acl_add_reader},
    {"add_writer", acl_add_writer},
    {"server_listen", acl_server_listen},
    {"set_exception_handler", acl_set_exception_handler},
    {"call_exception_handler", acl_call_exception_handler},
    {"threadsafe_callback", acl_threadsafe_callback},
    /* fs.c — files and descriptors */
    {"fs_open", acl_fs_open},
    {"fs_open_flags", acl_fs_open_flags},
    {"fs_close", acl_fs_close},
    {"fs_read", acl_fs_read},
    {"fs_write", acl_fs_write},
    {"fs_fsync", acl_fs_fsync},
    {"fs_stat", acl_fs_stat},
    {"fs_lstat", acl_fs_lstat},
    {"fs_fstat", acl_fs_fstat},
    {"fs_stat_table", acl_fs_stat_table},
    {"fs_rename", acl_fs_rename},
    {"fs_unlink", acl_fs_unlink},
    {"fs_mkdir", acl_fs_mkdir},
    {"fs_rmdir", acl_fs_rmdir},
    {"fs_scandir", acl_fs_scandir},
    {"fs_sendfile", acl_fs_sendfile},
    {"file_open", acl_file_open},
    {"file_read", acl_file_read},
    {"file_readline", acl_file_readline},
    {"file_readuntil", acl_file_readuntil},
    {"file_write", acl_file_write},
    {"file_drain", acl_file_drain},
    {"file_close", acl_file_close},
    {"file_fileno", acl_file_fileno},
    {"wait_readable", acl_wait_readable},
    {"wait_writable", acl_wait_writable},
    {"remove_reader", acl_remove_reader},
    {"remove_writer", acl_remove_writer},
    {"sock_recv", acl_sock_recv},
    {"sock_sendall", acl_sock_sendall},
    {"sock_connect", acl_sock_connect},
    {"sock_accept", acl_sock_accept},
    /* process.c — child processes, signals, pipes, terminals */
    {"process_spawn", acl_process_spawn},
    {"process_pid", acl_process_pid},
    {"process_returncode", acl_process_returncode},
    {"process_pipe", acl_process_pipe},
    {"process_wait", acl_process_wait},
    {"process_communicate", acl_process_communicate},
    {"process_take_output", acl_process_take_output},
    {"process_send_signal", acl_process_send_signal},
    {"add_signal_handler", acl_add_signal_handler},
    {"remove_signal_handler", acl_remove_signal_handler},
    {"sigint_is_default", acl_sigint_is_default},
    {"default_sigint", acl_default_sigint},
    {"raise_sigint", acl_raise_sigint},
    {"pipe_connect", acl_pipe_connect},
    {"tty_set_raw", acl_tty_set_raw},
    {"tty_winsize", acl_tty_winsize},
    /* tls.c — TLS */
    {"tls_set_sni", acl_tls_set_sni},
    /* loop.c — loops */
    {"own_loop", acl_own_loop},
    {"host_loop", acl_host_loop},
    {NULL, NULL},
};

void acl_open_module(lua_State *L, int module) {
  acl_state *st = acl_state_open(L, acl_detach_tasks);
  const luaL_Reg *r;
  int cls;
  acl_push_task_class(L, st);
  cls = lua_gettop(L);
  lua_pushvalue(L, cls);
  lua_setfield(L, module, "task_class");
  for (r = natives; r->name != NULL; r++) {
    lua_pushlightuserdata(L, st);
    lua_pushvalue(L, cls);
    lua_pushcclosure(L, r->func, 2);
    lua_setfield(L, module, r->name);
  }
  /* Whether the natives that wait return their values once resumed
   * (Lua 5.4), or `true, values... | false, error` for the Lua layer. */
  lua_pushboolean(L, ACL_HAS_K);
  lua_setfield(L, module, "resumes_natives");
  acl_process_register(L, module);
  lua_settop(L, cls - 1);
}
