/*
 * fs.c — the natives of asyncore.fs and of descriptor watching
 * (asyncore/fs.h, asyncore/fdwatch.h). Each request native returns a
 * Future, or nil and the code; the Lua layer (asyncore.lua) awaits it and
 * raises the error. File objects are full userdata holding an ac_file
 * reference ("asyncore.file" metatable, released by __gc).
 */
#include <stdint.h>
#include <string.h>

#include "natives.h"

#define FILE_MT "asyncore.file"

static int check_fd(lua_State *L, int idx) { return (int)luaL_checkinteger(L, idx); }

/* fs_open(loop, path, flags, mode) */
int acl_fs_open(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_fs_open(acl_check_loop(L, 1), luaL_checkstring(L, 2), (int)luaL_checkinteger(L, 3),
                      (int)luaL_optinteger(L, 4, 0666), &f);
  return acl_push_new_future(L, rc, f);
}
/* fs_open_flags(mode) -> flags | nil, code */
int acl_fs_open_flags(lua_State *L) {
  int flags = 0;
  int rc = ac_fs_open_flags(luaL_checkstring(L, 1), &flags);
  if (rc != 0) return acl_push_fail(L, rc);
  lua_pushinteger(L, flags);
  return 1;
}
int acl_fs_close(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_fs_close(acl_check_loop(L, 1), check_fd(L, 2), &f);
  return acl_push_new_future(L, rc, f);
}
/* fs_read(loop, fd, n, offset) */
int acl_fs_read(lua_State *L) {
  ac_future *f = NULL;
  lua_Integer n = luaL_checkinteger(L, 3);
  int rc = n < 1 ? AC_EINVAL
                 : ac_fs_read(acl_check_loop(L, 1), check_fd(L, 2), (size_t)n,
                              (int64_t)luaL_optinteger(L, 4, -1), &f);
  return acl_push_new_future(L, rc, f);
}
/* fs_write(loop, fd, data, offset) */
int acl_fs_write(lua_State *L) {
  ac_future *f = NULL;
  size_t len;
  const char *data = luaL_checklstring(L, 3, &len);
  int rc = ac_fs_write(acl_check_loop(L, 1), check_fd(L, 2), data, len,
                       (int64_t)luaL_optinteger(L, 4, -1), &f);
  return acl_push_new_future(L, rc, f);
}
int acl_fs_fsync(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_fs_fsync(acl_check_loop(L, 1), check_fd(L, 2), &f);
  return acl_push_new_future(L, rc, f);
}
int acl_fs_stat(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_fs_stat(acl_check_loop(L, 1), luaL_checkstring(L, 2), &f);
  return acl_push_new_future(L, rc, f);
}
int acl_fs_lstat(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_fs_lstat(acl_check_loop(L, 1), luaL_checkstring(L, 2), &f);
  return acl_push_new_future(L, rc, f);
}
int acl_fs_fstat(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_fs_fstat(acl_check_loop(L, 1), check_fd(L, 2), &f);
  return acl_push_new_future(L, rc, f);
}
/* stat_table(bytes) -> table of the ac_stat in a stat future's result */
int acl_fs_stat_table(lua_State *L) {
  size_t len;
  const char *b = luaL_checklstring(L, 1, &len);
  ac_stat st;
  luaL_argcheck(L, len == sizeof st, 1, "not a stat result");
  memcpy(&st, b, sizeof st);
  lua_createtable(L, 0, 14);
#define ACL_INT_FIELD(name)               \
  lua_pushinteger(L, (lua_Integer)st.name); \
  lua_setfield(L, -2, #name)
#define ACL_NUM_FIELD(name)              \
  lua_pushnumber(L, (lua_Number)st.name); \
  lua_setfield(L, -2, #name)
  ACL_INT_FIELD(dev);
  ACL_INT_FIELD(ino);
  ACL_INT_FIELD(mode);
  ACL_INT_FIELD(nlink);
  ACL_INT_FIELD(uid);
  ACL_INT_FIELD(gid);
  ACL_INT_FIELD(rdev);
  ACL_INT_FIELD(size);
  ACL_INT_FIELD(blksize);
  ACL_INT_FIELD(blocks);
  ACL_NUM_FIELD(atime);
  ACL_NUM_FIELD(mtime);
  ACL_NUM_FIELD(ctime);
  ACL_NUM_FIELD(birthtime);
#undef ACL_INT_FIELD
#undef ACL_NUM_FIELD
  return 1;
}
int acl_fs_rename(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_fs_rename(acl_check_loop(L, 1), luaL_checkstring(L, 2), luaL_checkstring(L, 3), &f);
  return acl_push_new_future(L, rc, f);
}
int acl_fs_unlink(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_fs_unlink(acl_check_loop(L, 1), luaL_checkstring(L, 2), &f);
  return acl_push_new_future(L, rc, f);
}
int acl_fs_mkdir(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_fs_mkdir(acl_check_loop(L, 1), luaL_checkstring(L, 2),
                       (int)luaL_optinteger(L, 3, 0777), &f);
  return acl_push_new_future(L, rc, f);
}
int acl_fs_rmdir(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_fs_rmdir(acl_check_loop(L, 1), luaL_checkstring(L, 2), &f);
  return acl_push_new_future(L, rc, f);
}
int acl_fs_scandir(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_fs_scandir(acl_check_loop(L, 1), luaL_checkstring(L, 2), &f);
  return acl_push_new_future(L, rc, f);
}
/* fs_sendfile(loop, out_fd, in_fd, in_offset, len) */
int acl_fs_sendfile(lua_State *L) {
  ac_future *f = NULL;
  lua_Integer len = luaL_checkinteger(L, 5);
  int rc = len < 0 ? AC_EINVAL
                   : ac_fs_sendfile(acl_check_loop(L, 1), check_fd(L, 2), check_fd(L, 3),
                                    (int64_t)luaL_checkinteger(L, 4), (size_t)len, &f);
  return acl_push_new_future(L, rc, f);
}

/* ---- file objects */

static ac_file **check_file(lua_State *L, int idx) {
  ac_file **p = (ac_file **)luaL_checkudata(L, idx, FILE_MT);
  luaL_argcheck(L, *p != NULL, idx, "file released");
  return p;
}

static int file_gc(lua_State *L) {
  ac_file **p = (ac_file **)luaL_checkudata(L, 1, FILE_MT);
  ac_file_unref(*p);
  *p = NULL;
  return 0;
}

/* file_open(loop, path, mode) -> file, opened future | nil, code */
int acl_file_open(lua_State *L) {
  ac_loop *loop = acl_check_loop(L, 1);
  const char *path = luaL_checkstring(L, 2);
  const char *mode = luaL_optstring(L, 3, "r");
  ac_file **p = (ac_file **)lua_newuserdata(L, sizeof *p);
  ac_future *opened = NULL;
  int rc;
  *p = NULL;
  if (luaL_newmetatable(L, FILE_MT)) {
    lua_pushcfunction(L, file_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  rc = ac_file_open(loop, path, mode, p, &opened);
  if (rc != 0) return acl_push_fail(L, rc);
  acl_push_future(L, opened);
  ac_future_unref(opened);
  return 2;
}
/* file_read(file, n) — n < 0 reads to the end */
int acl_file_read(lua_State *L) {
  ac_future *f = NULL;
  lua_Integer n = luaL_optinteger(L, 2, -1);
  int rc = n == 0 ? AC_EINVAL : ac_file_read(*check_file(L, 1), n < 0 ? SIZE_MAX : (size_t)n, &f);
  return acl_push_new_future(L, rc, f);
}
int acl_file_readline(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_file_readline(*check_file(L, 1), &f);
  return acl_push_new_future(L, rc, f);
}
int acl_file_readuntil(lua_State *L) {
  ac_future *f = NULL;
  size_t len;
  const char *sep = luaL_checklstring(L, 2, &len);
  int rc = ac_file_readuntil(*check_file(L, 1), sep, len, &f);
  return acl_push_new_future(L, rc, f);
}
/* file_write(file, data) -> 0 | code */
int acl_file_write(lua_State *L) {
  size_t len;
  const char *data = luaL_checklstring(L, 2, &len);
  lua_pushinteger(L, ac_file_write(*check_file(L, 1), data, len));
  return 1;
}
int acl_file_drain(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_file_drain(*check_file(L, 1), &f);
  return acl_push_new_future(L, rc, f);
}
int acl_file_close(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_file_close(*check_file(L, 1), &f);
  return acl_push_new_future(L, rc, f);
}
int acl_file_fileno(lua_State *L) {
  lua_pushinteger(L, ac_file_fileno(*check_file(L, 1)));
  return 1;
}

/* ---- descriptors */

int acl_wait_readable(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_wait_readable(acl_check_loop(L, 1), check_fd(L, 2), &f);
  return acl_push_new_future(L, rc, f);
}
int acl_wait_writable(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_wait_writable(acl_check_loop(L, 1), check_fd(L, 2), &f);
  return acl_push_new_future(L, rc, f);
}
int acl_sock_recv(lua_State *L) {
  ac_future *f = NULL;
  lua_Integer n = luaL_checkinteger(L, 3);
  int rc = n < 1 ? AC_EINVAL : ac_sock_recv(acl_check_loop(L, 1), check_fd(L, 2), (size_t)n, &f);
  return acl_push_new_future(L, rc, f);
}
int acl_sock_sendall(lua_State *L) {
  ac_future *f = NULL;
  size_t len;
  const char *data = luaL_checklstring(L, 3, &len);
  int rc = ac_sock_sendall(acl_check_loop(L, 1), check_fd(L, 2), data, len, &f);
  return acl_push_new_future(L, rc, f);
}
int acl_sock_connect(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_sock_connect(acl_check_loop(L, 1), check_fd(L, 2), luaL_checkstring(L, 3), &f);
  return acl_push_new_future(L, rc, f);
}
int acl_sock_accept(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_sock_accept(acl_check_loop(L, 1), check_fd(L, 2), &f);
  return acl_push_new_future(L, rc, f);
}
int acl_remove_reader(lua_State *L) {
  lua_pushinteger(L, ac_loop_remove_reader(acl_check_loop(L, 1), check_fd(L, 2)));
  return 1;
}
int acl_remove_writer(lua_State *L) {
  lua_pushinteger(L, ac_loop_remove_writer(acl_check_loop(L, 1), check_fd(L, 2)));
  return 1;
}
