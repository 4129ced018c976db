-- asyncore-scm-1.rockspec — the Lua binding of libasyncore, built by
-- luarocks against an installed libasyncore (headers and libasyncore.so),
-- for Lua 5.4 or LuaJIT. From a checkout, in bindings/lua:
--
--   luarocks --lua-version 5.4 make        # Lua 5.4
--   luarocks --lua-version 5.1 make LUA_INCDIR=$(pkg-config --variable=includedir luajit)   # LuaJIT
--
-- (add ASYNCORE_DIR=<prefix>, or ASYNCORE_INCDIR= and ASYNCORE_LIBDIR=, when
-- libasyncore is not in /usr/local or /usr). The build runs SWIG on
-- bindings/swig/asyncore.i, as the Meson build does (its output is never
-- committed): `swig` and a C compiler must be on PATH. It makes the C
-- module for the interpreter whose headers it compiles against,
-- asyncore_lua54 or asyncore_luajit (in luarocks-build/, a scratch folder
-- of its own), linked to libasyncore with a runtime path to its
-- directory, and installs it with asyncore.lua.
rockspec_format = "3.0"
package = "asyncore"
version = "scm-1"

source = {
  -- `luarocks make` builds the checkout it runs in; nothing is fetched.
  url = "git+file://.",
}

description = {
  summary = "Python asyncio's model for Lua 5.4 and LuaJIT, on libasyncore",
  detailed = [[
    Coroutines are tasks: an event loop, futures, tasks, cancellation,
    timeouts, task groups, locks, queues, streams and threads, with
    asyncio's semantics and error classes, over libasyncore's C ABI.
  ]],
  license = "MIT",
}

dependencies = {
  "lua >= 5.1, < 5.5",
}

external_dependencies = {
  ASYNCORE = {
    header = "asyncore.h",
    library = "asyncore",
  },
}

build = {
  type = "command",
  build_command = [=[
set -e
if [ -f "$(LUA_INCDIR)/luajit.h" ]; then
  module=asyncore_luajit
elif grep -q 'LUA_VERSION_NUM[[:space:]]*504' "$(LUA_INCDIR)/lua.h"; then
  module=asyncore_lua54
else
  echo "asyncore: builds for Lua 5.4 and LuaJIT only; $(LUA_INCDIR)/lua.h is neither" >&2
  exit 1
fi
rm -rf luarocks-build
mkdir luarocks-build
swig -lua -nomoduleglobal -module "$module" -I"$(ASYNCORE_INCDIR)" -I. \
  -o "luarocks-build/${module}_wrap.c" ../swig/asyncore.i
$(CC) $(CFLAGS) -fvisibility=hidden -I"$(LUA_INCDIR)" -I"$(ASYNCORE_INCDIR)" -I. \
  module.c callback.c context.c fs.c future.c loop.c process.c sync.c tls.c await.c step.c \
  task.c state.c value.c "luarocks-build/${module}_wrap.c" \
  $(LIBFLAG) -o "luarocks-build/$module.$(LIB_EXTENSION)" \
  -L"$(ASYNCORE_LIBDIR)" -Wl,-rpath,"$(ASYNCORE_LIBDIR)" -lasyncore -ldl
]=],
  install_command = [=[
set -e
mkdir -p "$(LIBDIR)" "$(LUADIR)"
cp luarocks-build/asyncore_lua*.$(LIB_EXTENSION) "$(LIBDIR)/"
cp asyncore.lua asyncore_fs.lua "$(LUADIR)/"
]=],
}
