#!/bin/sh
# lua/run.sh BUILD_ROOT PREFIX LIBDIR SOURCES INTERPRETER CMOD LMOD [OTHER_CMOD]
# — hello.lua run by the plain interpreter (lua5.4 or luajit) on the
# module of a DESTDIR install, its output checked. CMOD and LMOD are where
# the build installs the interpreter's C module and asyncore.lua (the
# directories the interpreter searches by default under the prefix);
# OTHER_CMOD, the other interpreter's: loading from there fails with
# asyncore's own message, never by a missing symbol.
#
# Follows README.md, "Using libasyncore from your project", Lua:
# `lua5.4 hello.lua` / `luajit hello.lua` verbatim. LUA_PATH and LUA_CPATH
# point only into the DESTDIR, and LD_LIBRARY_PATH stands in for the
# `ldconfig` README runs after installing: that is the only difference
# from a real install.
. "$(dirname "$0")/../common.sh"
interp=$1 cmod=$2 lmod=$3 other_cmod=${4:-}

export LUA_PATH="$D$lmod/?.lua" LUA_CPATH="$D$cmod/?.so" LD_LIBRARY_PATH="$D$libdir"

"$interp" hello.lua > out.txt
check "$interp" expected.txt out.txt

if [ -n "$other_cmod" ]; then
  if LUA_CPATH="$D$other_cmod/?.so" "$interp" hello.lua > wrong.txt 2>&1; then
    echo "$interp loaded asyncore with only $other_cmod on its path" >&2
    exit 1
  fi
  if ! grep -q "asyncore: the C module asyncore_.* did not load" wrong.txt; then
    echo "$interp, wrong module directory: not asyncore's message:" >&2
    cat wrong.txt >&2
    exit 1
  fi
  echo "$interp, the other interpreter's directory only: asyncore's error"
fi
