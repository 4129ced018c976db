/*
 * process.c — natives for child processes, signal handlers, pipes and
 * terminals (asyncore/process.h, signal.h, pipe.h). The Lua layer
 * (asyncore.lua) wraps them as create_subprocess_exec/_shell, exec/spawn,
 * Process, add_signal_handler/signal and connect_read_pipe/_write_pipe.
 *
 * A process is a full userdata holding an ac_process reference (released
 * by __gc, which never signals the child). A signal handler is the
 * function's anchor (acl_anchor), released by the library's free_ud; it
 * runs on the callback thread through acl_protect, and a Lua error goes to
 * the loop's exception handler ("Exception in signal handler").
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "natives.h"

#define PROCESS_MT "asyncore.process"

static ac_process *check_process(lua_State *L, int idx) {
  ac_process **p = (ac_process **)luaL_checkudata(L, idx, PROCESS_MT);
  luaL_argcheck(L, *p != NULL, idx, "process released");
  return *p;
}

static int process_gc(lua_State *L) {
  ac_process **p = (ac_process **)luaL_checkudata(L, 1, PROCESS_MT);
  ac_process_unref(*p);
  *p = NULL;
  return 0;
}

static int mode_of(lua_State *L, int opts, const char *field) {
  int m;
  lua_getfield(L, opts, field);
  m = lua_isnil(L, -1) ? AC_PROCESS_INHERIT : (int)luaL_checkinteger(L, -1);
  lua_pop(L, 1);
  return m;
}

/* process_spawn(loop, argv | command, opts) -> process | nil, code.
 * argv: a sequence of strings (exec); a string: a shell command.
 * opts: {stdin=, stdout=, stderr= (modes or fds), env={...}, cwd=}. */
int acl_process_spawn(lua_State *L) {
  ac_loop *loop = acl_check_loop(L, 1);
  ac_process_options o;
  const char **argv = NULL, **env = NULL;
  size_t n = 0, ne = 0, i;
  ac_process *p = NULL;
  ac_process **ud;
  int rc;
  ac_process_options_init(&o);
  if (lua_istable(L, 3)) {
    o.stdin_mode = mode_of(L, 3, "stdin");
    o.stdout_mode = mode_of(L, 3, "stdout");
    o.stderr_mode = mode_of(L, 3, "stderr");
    lua_getfield(L, 3, "cwd");
    o.cwd = lua_isnil(L, -1) ? NULL : luaL_checkstring(L, -1);
    lua_pop(L, 1); /* the string stays alive in the options table */
    lua_getfield(L, 3, "env");
    if (lua_istable(L, -1)) {
      ne = (size_t)acl_rawlen(L, -1);
      env = (const char **)calloc(ne + 1, sizeof *env);
      if (env == NULL) return luaL_error(L, "asyncore: out of memory");
      for (i = 0; i < ne; i++) {
        lua_rawgeti(L, -1, (int)i + 1);
        env[i] = lua_tostring(L, -1); /* anchored by the table */
        lua_pop(L, 1);
        if (env[i] == NULL) {
          free(env);
          return luaL_error(L, "env: strings expected");
        }
      }
      o.env = env;
    }
    lua_pop(L, 1);
  }
  ud = (ac_process **)lua_newuserdata(L, sizeof *ud);
  *ud = NULL;
  luaL_getmetatable(L, PROCESS_MT);
  lua_setmetatable(L, -2);
  if (lua_type(L, 2) == LUA_TSTRING) {
    rc = ac_process_shell(loop, lua_tostring(L, 2), &o, &p);
  } else {
    luaL_checktype(L, 2, LUA_TTABLE);
    n = (size_t)acl_rawlen(L, 2);
    argv = (const char **)calloc(n + 1, sizeof *argv);
    if (argv == NULL) {
      free(env);
      return luaL_error(L, "asyncore: out of memory");
    }
    for (i = 0; i < n; i++) {
      lua_rawgeti(L, 2, (int)i + 1);
      argv[i] = lua_tostring(L, -1);
      lua_pop(L, 1);
      if (argv[i] == NULL) {
        free(argv);
        free(env);
        return luaL_error(L, "argv: strings expected");
      }
    }
    rc = ac_process_exec(loop, argv, &o, &p);
    free(argv);
  }
  free(env);
  if (rc != 0) return acl_push_fail(L, rc);
  *ud = p;
  return 1;
}

int acl_process_pid(lua_State *L) {
  lua_pushinteger(L, ac_process_pid(check_process(L, 1)));
  return 1;
}
/* returncode(p) -> code | nil while running */
int acl_process_returncode(lua_State *L) {
  int code = 0;
  if (ac_process_returncode(check_process(L, 1), &code) == 1)
    lua_pushinteger(L, code);
  else
    lua_pushnil(L);
  return 1;
}
/* pipe(p, 0|1|2) -> Stream wrapper | nil */
int acl_process_pipe(lua_State *L) {
  ac_process *p = check_process(L, 1);
  int i = (int)luaL_checkinteger(L, 2);
  ac_stream *s =
      i == 0 ? ac_process_stdin(p) : i == 1 ? ac_process_stdout(p) : ac_process_stderr(p);
  if (s == NULL)
    lua_pushnil(L);
  else
    acl_push_stream(L, s);
  return 1;
}
int acl_process_wait(lua_State *L) {
  ac_future *f = NULL;
  int rc = ac_process_wait(check_process(L, 1), &f);
  return acl_push_new_future(L, rc, f);
}
/* communicate(p, input | nil) -> future of the returncode */
int acl_process_communicate(lua_State *L) {
  ac_process *p = check_process(L, 1);
  size_t len = 0;
  const char *input = luaL_optlstring(L, 2, NULL, &len);
  ac_future *f = NULL;
  int rc = ac_process_communicate(p, input, len, &f);
  return acl_push_new_future(L, rc, f);
}
/* take_output(p) -> out, err | nil, code */
int acl_process_take_output(lua_State *L) {
  ac_value out, err;
  int rc = ac_process_take_output(check_process(L, 1), &out, &err);
  if (rc != 0) return acl_push_fail(L, rc);
  lua_pushlstring(L, out.u.bytes.len ? (const char *)out.u.bytes.data : "", out.u.bytes.len);
  lua_pushlstring(L, err.u.bytes.len ? (const char *)err.u.bytes.data : "", err.u.bytes.len);
  ac_value_clear(&out);
  ac_value_clear(&err);
  return 2;
}
int acl_process_send_signal(lua_State *L) {
  lua_pushinteger(L, ac_process_send_signal(check_process(L, 1), (int)luaL_checkinteger(L, 2)));
  return 1;
}

/* ---- signal handlers ---- */

/* A handler is its function's anchor (acl_anchor_free releases it). */
struct sig_call {
  acl_anchor *fn;
  ac_loop *loop;
  int signum;
};

static int sig_traceback(lua_State *L) {
  luaL_traceback(L, L, acl_error_text(L, 1), 1);
  return 1;
}

static int sig_body(lua_State *L) {
  struct sig_call *c = (struct sig_call *)lua_touserdata(L, 1);
  lua_pushcfunction(L, sig_traceback);
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->fn->ref);
  lua_pushinteger(L, c->signum);
  if (lua_pcall(L, 1, 0, -3) != 0) {
    ac_error *err = acl_error_from_lua(L, c->fn->st, -1, lua_tostring(L, -1));
    acl_report(c->loop, "Exception in signal handler", err);
    ac_error_unref(err);
  }
  return 0;
}

static int on_signal(ac_loop *loop, int signum, void *ud) {
  acl_anchor *fn = (acl_anchor *)ud;
  struct sig_call c;
  char err[512];
  if (fn->st->L == NULL) return 0;
  c.fn = fn;
  c.loop = loop;
  c.signum = signum;
  if (acl_protect(fn->st, sig_body, &c, err, sizeof err) != 0) return AC_EHOST;
  return 0;
}

/* add_signal_handler(loop, sig, fn) -> code */
int acl_add_signal_handler(lua_State *L) {
  ac_loop *loop = acl_check_loop(L, 1);
  int sig = (int)luaL_checkinteger(L, 2);
  acl_anchor *fn;
  luaL_checktype(L, 3, LUA_TFUNCTION);
  lua_pushvalue(L, 3);
  fn = acl_anchor_new(L, ACL_ST(L), 0);
  if (fn == NULL) return luaL_error(L, "asyncore: out of memory");
  lua_pushinteger(L, ac_loop_add_signal_handler(loop, sig, on_signal, fn, acl_anchor_free));
  return 1;
}
int acl_remove_signal_handler(lua_State *L) {
  ac_loop *loop = acl_check_loop(L, 1);
  lua_pushinteger(L, ac_loop_remove_signal_handler(loop, (int)luaL_checkinteger(L, 2)));
  return 1;
}

/* sigint_is_default() -> bool: SIGINT has its default disposition (run
 * installs asyncio.run's handling only then). */
int acl_sigint_is_default(lua_State *L) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  lua_pushboolean(L, sigaction(SIGINT, NULL, &sa) == 0 && !(sa.sa_flags & SA_SIGINFO) &&
                         sa.sa_handler == SIG_DFL);
  return 1;
}
/* default_sigint(): SIGINT back to its default disposition (a shell may
 * start a program with it ignored). */
int acl_default_sigint(lua_State *L) {
  (void)L;
  signal(SIGINT, SIG_DFL);
  return 0;
}
/* raise_sigint(): SIGINT's default action, as a second Ctrl-C. */
int acl_raise_sigint(lua_State *L) {
  (void)L;
  signal(SIGINT, SIG_DFL);
  raise(SIGINT);
  return 0;
}

/* ---- pipes and terminals ---- */

/* pipe_connect(loop, fd, "r"|"w"|"tty") -> Stream wrapper | nil, code */
int acl_pipe_connect(lua_State *L) {
  ac_loop *loop = acl_check_loop(L, 1);
  int fd = (int)luaL_checkinteger(L, 2);
  const char *mode = luaL_checkstring(L, 3);
  ac_stream *s = NULL;
  int rc;
  if (strcmp(mode, "r") == 0)
    rc = ac_pipe_connect_read(loop, fd, &s);
  else if (strcmp(mode, "w") == 0)
    rc = ac_pipe_connect_write(loop, fd, &s);
  else
    rc = ac_tty_open(loop, fd, &s);
  if (rc != 0) return acl_push_fail(L, rc);
  acl_push_stream(L, s);
  ac_stream_unref(s);
  return 1;
}
/* tty_set_raw(stream, bool) -> code */
int acl_tty_set_raw(lua_State *L) {
  ac_stream *s = acl_check_stream(L, 1);
  lua_pushinteger(L, ac_tty_set_raw(s, lua_toboolean(L, 2)));
  return 1;
}
/* tty_winsize(stream) -> columns, rows | nil, code */
int acl_tty_winsize(lua_State *L) {
  ac_stream *s = acl_check_stream(L, 1);
  int c = 0, r = 0, rc;
  rc = ac_tty_get_winsize(s, &c, &r);
  if (rc != 0) return acl_push_fail(L, rc);
  lua_pushinteger(L, c);
  lua_pushinteger(L, r);
  return 2;
}

/* The constants and the class of process objects (module.c). */
void acl_process_register(lua_State *L, int module) {
  static const struct {
    const char *name;
    int value;
  } constants[] = {
      {"PROCESS_PIPE", AC_PROCESS_PIPE}, {"PROCESS_STDOUT", AC_PROCESS_STDOUT},
      {"PROCESS_DEVNULL", AC_PROCESS_DEVNULL}, {"SIGHUP", SIGHUP}, {"SIGINT", SIGINT},
      {"SIGQUIT", SIGQUIT}, {"SIGKILL", SIGKILL}, {"SIGUSR1", SIGUSR1}, {"SIGUSR2", SIGUSR2},
      {"SIGPIPE", SIGPIPE}, {"SIGALRM", SIGALRM}, {"SIGTERM", SIGTERM}, {"SIGCHLD", SIGCHLD},
      {"SIGCONT", SIGCONT}, {"SIGSTOP", SIGSTOP}, {"SIGWINCH", SIGWINCH}, {"EINTR", -EINTR},
      {NULL, 0},
  };
  int k;
  for (k = 0; constants[k].name != NULL; k++) {
    lua_pushinteger(L, constants[k].value);
    lua_setfield(L, module, constants[k].name);
  }
  if (luaL_newmetatable(L, PROCESS_MT)) {
    lua_pushcfunction(L, process_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
}
