/*
 * lua.i — the Lua part of the SWIG interface (included by
 * bindings/swig/asyncore.i when SWIG runs with -lua).
 *
 * It adds what needs SWIG's runtime, which only the generated file sees:
 * the bridge the binding's C files use to convert between wrapper objects
 * and handles (declared in acl.h), and the call that opens the binding's
 * C side (module.c) when the module is loaded.
 */

%{
#include <stddef.h>

#include "natives.h"
%}

%wrapper %{
int acl_finalizing = 0;

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

void acl_push_handle(lua_State *L, ac_call *h) {
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

/* The natives: module.c registers them all (natives.h lists them). */
%init %{
  /* The module's table is on top here. */
  acl_open_module(L, lua_gettop(L));
%}
