/*
 * lua_typemaps.i — Lua typemaps the shared interface needs before it
 * declares its classes (a class sees only the typemaps declared before it).
 */

%{
#include "acl.h"
/* A wrapper's finalizer may report an error nobody read (the exception
 * handler runs inline): the handler must then make no new wrappers, which
 * a closing Lua state would never finalize. */
#define AC_SWIG_RELEASE(call) \
  do {                         \
    acl_finalizing++;          \
    call;                      \
    acl_finalizing--;          \
  } while (0)
%}

/* A list of futures: a Lua sequence of Future or Task wrappers. The array
 * lives for the call only (the combinators take their own references). */
%typemap(in) (acs_future *const *items, size_t n) {
  size_t i_, len_;
  if (!lua_istable(L, $input)) SWIG_fail_arg("$symname", $input, "sequence of Future or Task");
  len_ = (size_t)acl_rawlen(L, $input);
  $1 = len_ != 0 ? (ac_future **)malloc(len_ * sizeof(ac_future *)) : NULL;
  if (len_ != 0 && $1 == NULL) {
    lua_pushstring(L, "out of memory");
    SWIG_fail;
  }
  $2 = len_;
  for (i_ = 0; i_ < len_; i_++) {
    ac_future *f_;
    lua_rawgeti(L, $input, (int)i_ + 1);
    f_ = acl_to_future(L, -1);
    lua_pop(L, 1);
    if (f_ == NULL) {
      free($1);
      $1 = NULL;
      SWIG_fail_arg("$symname", $input, "sequence of Future or Task");
    }
    ((ac_future **)$1)[i_] = f_;
  }
}
%typemap(freearg) (acs_future *const *items, size_t n) {
  free((void *)$1);
}
%typemap(typecheck) (acs_future *const *items, size_t n) {
  $1 = lua_istable(L, $input);
}

/* Bytes: a Lua string (borrowed for the call). */
%typemap(in) (char *STRING, size_t LENGTH) {
  size_t len_ = 0;
  if (!lua_isstring(L, $input)) SWIG_fail_arg("$symname", $input, "string");
  $1 = (char *)lua_tolstring(L, $input, &len_);
  $2 = len_;
}
%typemap(typecheck) (char *STRING, size_t LENGTH) {
  $1 = lua_isstring(L, $input);
}

/* A second handle coming out of a call: an extra result (nil on error). */
%typemap(in, numinputs=0) acs_future **connected (ac_future *tmp_ = NULL) {
  $1 = &tmp_;
}
%typemap(argout) acs_future **connected {
  SWIG_NewPointerObj(L, tmp_$argnum, SWIGTYPE_p_acs_future, 1);
  SWIG_arg++;
}

/* Whole numbers come out as Lua integers (SWIG's defaults push every
 * number as a float, which Lua 5.4 prints as "3.0"). */
%typemap(out) int, short, long, long long, unsigned int, unsigned short, unsigned long,
    unsigned long long, signed char, unsigned char
%{  lua_pushinteger(L, (lua_Integer)$1); SWIG_arg++; %}
%typemap(argout) int *OUTPUT
%{  lua_pushinteger(L, (lua_Integer)*$1); SWIG_arg++; %}

/* Raw pointers handed to C code (TsFuture:ptr()) are light userdata. */
%typemap(out) void *ptr
%{  lua_pushlightuserdata(L, $1); SWIG_arg++; %}
