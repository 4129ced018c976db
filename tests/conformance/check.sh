#!/bin/sh
# check.sh IMPL EXPECTED NAME — runs scenario NAME with the implementation
# IMPL (a program taking the scenario name) and compares its trace with the
# file EXPECTED (what CPython prints for the scenario; see expect.py).
impl=$1
expected=$2
name=$3
out=$("$impl" "$name" 2>&1)
status=$?
if [ $status -ne 0 ]; then
  printf 'implementation exited with %d:\n%s\n' "$status" "$out"
  exit 1
fi
if [ "$out" != "$(cat "$expected")" ]; then
  printf -- '--- expected (what CPython prints for %s.py)\n%s\n--- got\n%s\n' "$name" "$(cat "$expected")" "$out"
  exit 1
fi
echo "trace matches $name"
