#!/usr/bin/env bash
# tsan.sh — the cross-thread tests (suite 'threads') under ThreadSanitizer,
# in build-tsan/. libuv is not instrumented: tests/tsan.supp names the few
# reports that come from inside it, each with the reason.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=build-tsan
if [[ ! -f $dir/build.ninja ]]; then
  meson setup "$dir" --werror -Db_sanitize=thread -Db_lundef=false -Dvalgrind=disabled \
    -Dexamples=disabled || exit 1
fi
ninja -C "$dir" || exit 1
# halt_on_error: a report fails the test run at once; second_deadlock_stack
# gives both stacks of a lock-order report.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp ${TSAN_OPTIONS:-}"
meson test -C "$dir" --suite threads --print-errorlogs --num-processes 2 "$@"
