#!/usr/bin/env bash
# windows.sh — the Windows build (x86_64-w64-mingw32, see cross/) in
# build-win/: installs what it needs (.ci/deps.sh --windows), builds libuv
# from Debian's source package (cross/libuv-mingw.sh), builds the library,
# the C and C++ tests and the examples with warnings as errors, and runs the
# C, C++ (runtime and face) and example suites under Wine. Wine's prefix
# lives in build-win/wine, made once before the tests start.
# Extra arguments go to `meson test`. From nothing on 2 busy cores: about
# 4 min for libuv (kept for later runs), 15 min of build, under 1 min of
# tests; a rerun rebuilds only what changed.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=build-win
bash .ci/deps.sh --windows || exit 1
bash cross/libuv-mingw.sh "$dir" || exit 1
if [[ ! -f $dir/build.ninja ]]; then
  # buildtype plain: no -g and no optimizer, the cheapest compile (the
  # debug checks stay live: NDEBUG is not defined).
  meson setup "$dir" --werror --buildtype=plain \
    --cross-file cross/x86_64-w64-mingw32.ini --cross-file "$dir/libuv-mingw/paths.ini" \
    -Dvalgrind=disabled -Dtls=disabled -Drust=disabled -Dlua=disabled -Dluajit=disabled \
    -Dgo=disabled || exit 1
fi
ninja -C "$dir" || exit 1
# The program the cross file runs Windows programs with.
wine=$(sed -n "s/^exe_wrapper *= *'\(.*\)'.*/\1/p" cross/x86_64-w64-mingw32.ini)
export WINEPREFIX="$PWD/$dir/wine" WINEDEBUG=-all
# A new prefix takes Wine a while to make: once here, not in the first tests.
if [[ ! -f $WINEPREFIX/system.reg ]]; then
  "$wine" wineboot --init >/dev/null 2>&1 || { echo "wineboot failed"; exit 1; }
fi
# Each program starts in Wine, which costs seconds on a loaded machine:
# the tests' time limits are tripled here (they bound hangs, not speed).
meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier 3 \
  --suite c --suite cpp --suite cppface --suite examples "$@"
