#!/bin/sh
# check.sh IMPL SCENARIO_DIR NAME — runs NAME with the implementation IMPL
# (a program taking the scenario name) and compares its trace with
# SCENARIO_DIR/NAME.trace.
impl=$1
dir=$2
name=$3
expected="$dir/$name.trace"
out=$("$impl" "$name" 2>&1)
status=$?
if [ $status -ne 0 ]; then
  printf 'implementation exited with %d:\n%s\n' "$status" "$out"
  exit 1
fi
if [ "$out" != "$(cat "$expected")" ]; then
  printf -- '--- expected (%s)\n%s\n--- got\n%s\n' "$name.trace" "$(cat "$expected")" "$out"
  exit 1
fi
echo "trace matches $name"
