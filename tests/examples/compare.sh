#!/bin/sh
# compare.sh EXE EXPECTED [ARGS...] — runs an example on the virtual clock
# and compares what it prints with the expected output: for the asyncio
# guides' examples, what CPython prints running the example's Python twin
# (examples/python/NAME.py, checked by tests/examples/run_python.py).
# In a cross build Meson names the program that runs EXE (Wine for Windows)
# in MESON_EXE_WRAPPER; a Windows program's line ends (CR LF) are read as LF.
exe=$1
expected=$2
shift 2
# shellcheck disable=SC2086
out=$($MESON_EXE_WRAPPER "$exe" --virtual-clock "$@" 2>&1)
status=$?
if [ -n "${MESON_EXE_WRAPPER:-}" ]; then out=$(printf '%s\n' "$out" | tr -d '\r'); fi
if [ $status -ne 0 ]; then
  printf 'example exited with %d:\n%s\n' "$status" "$out"
  exit 1
fi
if [ "$out" != "$(cat "$expected")" ]; then
  printf -- '--- expected\n%s\n--- got\n%s\n' "$(cat "$expected")" "$out"
  exit 1
fi
echo "output matches $(basename "$expected")"
