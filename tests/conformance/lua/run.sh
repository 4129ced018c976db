#!/bin/sh
# run.sh NAME | --list — the Lua implementation as one program for
# check.sh: runs conformance.lua under the interpreter named by
# CONFORMANCE_LUA (LUA_PATH and LUA_CPATH come from the environment).
exec "$CONFORMANCE_LUA" "$(dirname "$0")/conformance.lua" "$@"
