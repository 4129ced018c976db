#!/bin/sh
# compare_example.sh INTERPRETER SCRIPT EXPECTED [ARGS...] — runs a Lua
# example on the virtual clock and compares what it prints with the
# expected output.
interp=$1
script=$2
expected=$3
shift 3
out=$("$interp" "$script" --virtual-clock "$@" 2>&1)
status=$?
if [ $status -ne 0 ]; then
  printf 'example exited with %d:\n%s\n' "$status" "$out"
  exit 1
fi
if [ "$out" != "$(cat "$expected")" ]; then
  printf -- '--- expected\n%s\n--- got\n%s\n' "$(cat "$expected")" "$out"
  exit 1
fi
echo "output matches $(basename "$expected")"
