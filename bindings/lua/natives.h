/*
 * natives.h — every native of the module, by the file that provides it.
 * module.c registers them all (its table gives each its Lua name: the C
 * name without acl_); each file includes this header so that the compiler
 * checks its definitions against it. A native's own comment, at its
 * definition, gives its arguments, results and failure convention (acl.h).
 */
#ifndef ASYNCORE_LUA_NATIVES_H
#define ASYNCORE_LUA_NATIVES_H

#include "acl.h"

/* module.c — opens the module's C side in the table at `module` (SWIG's
 * module table): the state, every native below, the Task class and the
 * constants. Called by luaopen (lua.i). May raise (memory). */
ACL_INTERNAL void acl_open_module(lua_State *L, int module);

/* task.c — tasks */
ACL_INTERNAL int acl_spawn(lua_State *L);
ACL_INTERNAL int acl_create_task(lua_State *L);
ACL_INTERNAL int acl_current_task(lua_State *L);
ACL_INTERNAL int acl_task_object_for(lua_State *L);
ACL_INTERNAL int acl_live_tasks(lua_State *L);
ACL_INTERNAL int acl_set_create_task_fallback(lua_State *L);
ACL_INTERNAL int acl_set_coroutine_pool(lua_State *L);

/* await.c — waiting */
ACL_INTERNAL int acl_await(lua_State *L);
ACL_INTERNAL int acl_sleep(lua_State *L);

/* future.c — futures */
ACL_INTERNAL int acl_future_done(lua_State *L);
ACL_INTERNAL int acl_future_cancelled(lua_State *L);
ACL_INTERNAL int acl_future_state(lua_State *L);
ACL_INTERNAL int acl_future_id(lua_State *L);
ACL_INTERNAL int acl_future_result(lua_State *L);
ACL_INTERNAL int acl_future_set_result(lua_State *L);
ACL_INTERNAL int acl_future_set_exception(lua_State *L);

/* sync.c — primitives and queues */
ACL_INTERNAL int acl_lock_acquire(lua_State *L);
ACL_INTERNAL int acl_lock_release(lua_State *L);
ACL_INTERNAL int acl_semaphore_acquire(lua_State *L);
ACL_INTERNAL int acl_semaphore_release(lua_State *L);
ACL_INTERNAL int acl_condition_acquire(lua_State *L);
ACL_INTERNAL int acl_condition_release(lua_State *L);
#if ACL_HAS_K
ACL_INTERNAL int acl_lock_with(lua_State *L);
ACL_INTERNAL int acl_semaphore_with(lua_State *L);
ACL_INTERNAL int acl_condition_with(lua_State *L);
#endif
ACL_INTERNAL int acl_event_wait(lua_State *L);
ACL_INTERNAL int acl_queue_get(lua_State *L);
ACL_INTERNAL int acl_queue_put(lua_State *L);
ACL_INTERNAL int acl_queue_get_nowait(lua_State *L);
ACL_INTERNAL int acl_queue_put_nowait(lua_State *L);

/* context.c — context variables */
ACL_INTERNAL int acl_context_key_new(lua_State *L);
ACL_INTERNAL int acl_context_set(lua_State *L);
ACL_INTERNAL int acl_context_get(lua_State *L);
ACL_INTERNAL int acl_context_delete(lua_State *L);

/* value.c — error objects */
ACL_INTERNAL int acl_set_error_factory(lua_State *L);
ACL_INTERNAL int acl_error_payload(lua_State *L);
ACL_INTERNAL int acl_error_from_value(lua_State *L);

/* callback.c — Lua functions the loop calls */
ACL_INTERNAL int acl_call_soon(lua_State *L);
ACL_INTERNAL int acl_call_later(lua_State *L);
ACL_INTERNAL int acl_call_at(lua_State *L);
ACL_INTERNAL int acl_add_done_callback(lua_State *L);
ACL_INTERNAL int acl_remove_done_callback(lua_State *L);
ACL_INTERNAL int acl_add_reader(lua_State *L);
ACL_INTERNAL int acl_add_writer(lua_State *L);
ACL_INTERNAL int acl_server_listen(lua_State *L);
ACL_INTERNAL int acl_set_exception_handler(lua_State *L);
ACL_INTERNAL int acl_call_exception_handler(lua_State *L);
ACL_INTERNAL int acl_threadsafe_callback(lua_State *L);

/* fs.c — files and descriptors */
ACL_INTERNAL int acl_fs_open(lua_State *L);
ACL_INTERNAL int acl_fs_open_flags(lua_State *L);
ACL_INTERNAL int acl_fs_close(lua_State *L);
ACL_INTERNAL int acl_fs_read(lua_State *L);
ACL_INTERNAL int acl_fs_write(lua_State *L);
ACL_INTERNAL int acl_fs_fsync(lua_State *L);
ACL_INTERNAL int acl_fs_stat(lua_State *L);
ACL_INTERNAL int acl_fs_lstat(lua_State *L);
ACL_INTERNAL int acl_fs_fstat(lua_State *L);
ACL_INTERNAL int acl_fs_stat_table(lua_State *L);
ACL_INTERNAL int acl_fs_rename(lua_State *L);
ACL_INTERNAL int acl_fs_unlink(lua_State *L);
ACL_INTERNAL int acl_fs_mkdir(lua_State *L);
ACL_INTERNAL int acl_fs_rmdir(lua_State *L);
ACL_INTERNAL int acl_fs_scandir(lua_State *L);
ACL_INTERNAL int acl_fs_sendfile(lua_State *L);
ACL_INTERNAL int acl_file_open(lua_State *L);
ACL_INTERNAL int acl_file_read(lua_State *L);
ACL_INTERNAL int acl_file_readline(lua_State *L);
ACL_INTERNAL int acl_file_readuntil(lua_State *L);
ACL_INTERNAL int acl_file_write(lua_State *L);
ACL_INTERNAL int acl_file_drain(lua_State *L);
ACL_INTERNAL int acl_file_close(lua_State *L);
ACL_INTERNAL int acl_file_fileno(lua_State *L);
ACL_INTERNAL int acl_wait_readable(lua_State *L);
ACL_INTERNAL int acl_wait_writable(lua_State *L);
ACL_INTERNAL int acl_remove_reader(lua_State *L);
ACL_INTERNAL int acl_remove_writer(lua_State *L);
ACL_INTERNAL int acl_sock_recv(lua_State *L);
ACL_INTERNAL int acl_sock_sendall(lua_State *L);
ACL_INTERNAL int acl_sock_connect(lua_State *L);
ACL_INTERNAL int acl_sock_accept(lua_State *L);

/* process.c — child processes, signals, pipes, terminals */
ACL_INTERNAL int acl_process_spawn(lua_State *L);
ACL_INTERNAL int acl_process_pid(lua_State *L);
ACL_INTERNAL int acl_process_returncode(lua_State *L);
ACL_INTERNAL int acl_process_pipe(lua_State *L);
ACL_INTERNAL int acl_process_wait(lua_State *L);
ACL_INTERNAL int acl_process_communicate(lua_State *L);
ACL_INTERNAL int acl_process_take_output(lua_State *L);
ACL_INTERNAL int acl_process_send_signal(lua_State *L);
ACL_INTERNAL int acl_add_signal_handler(lua_State *L);
ACL_INTERNAL int acl_remove_signal_handler(lua_State *L);
ACL_INTERNAL int acl_sigint_is_default(lua_State *L);
ACL_INTERNAL int acl_default_sigint(lua_State *L);
ACL_INTERNAL int acl_raise_sigint(lua_State *L);
ACL_INTERNAL int acl_pipe_connect(lua_State *L);
ACL_INTERNAL int acl_tty_set_raw(lua_State *L);
ACL_INTERNAL int acl_tty_winsize(lua_State *L);
/* The constants process_spawn and the signal natives take, as module
 * fields (PROCESS_PIPE, SIGINT ...), and the class of process objects. */
ACL_INTERNAL void acl_process_register(lua_State *L, int module);

/* tls.c — TLS */
ACL_INTERNAL int acl_tls_set_sni(lua_State *L);

/* loop.c — loops */
ACL_INTERNAL int acl_own_loop(lua_State *L);
ACL_INTERNAL int acl_host_loop(lua_State *L);

#endif
