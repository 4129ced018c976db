#!/bin/sh
# rockspec/run.sh BUILD_ROOT PREFIX LIBDIR SOURCES LUA_VERSION INTERPRETER BINDINGS
# — the rockspec (bindings/lua/asyncore-scm-1.rockspec) built by
# `luarocks make` against a DESTDIR install of libasyncore, into a rocks
# tree of the test's own; then ../lua/hello.lua run by the interpreter on
# that tree, its output checked. BINDINGS is the project's bindings/
# folder: its lua/ and swig/asyncore.i are copied, as a checkout would
# have them.
#
# Follows README.md, "Using libasyncore from your project", luarocks:
# `luarocks --lua-version 5.4 make` (LuaJIT: `luarocks --lua-version 5.1
# make LUA_INCDIR=$(pkg-config --variable=includedir luajit)`) in
# bindings/lua, with README's `--tree DIR` and `ASYNCORE_DIR=P` for a tree
# and a prefix of one's own (here the DESTDIR's).
. "$(dirname "$0")/../common.sh"
lua_version=$1 interp=$2 bindings=$3

mkdir -p checkout/bindings/swig
cp -R "$bindings/lua" checkout/bindings/lua
cp "$bindings/swig/asyncore.i" checkout/bindings/swig/
cp "$sources/../lua/hello.lua" "$sources/../lua/expected.txt" .

extra=
if [ "$interp" = luajit ]; then
  extra="LUA_INCDIR=$(pkg-config --variable=includedir luajit)"
fi
# A home of its own: luarocks keeps a cache and reads a user config there.
(cd checkout/bindings/lua &&
  HOME="$work" luarocks --lua-version "$lua_version" make --tree "$work/tree" \
    ASYNCORE_DIR="$D$prefix" $extra) > luarocks.log 2>&1 || { cat luarocks.log; exit 1; }

export LUA_PATH="$work/tree/share/lua/$lua_version/?.lua" LUA_CPATH="$work/tree/lib/lua/$lua_version/?.so"
"$interp" hello.lua > out.txt
loads_from_destdir "$(ls "$work"/tree/lib/lua/"$lua_version"/asyncore_*.so)"
check "luarocks make, $interp" expected.txt out.txt
