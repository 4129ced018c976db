#!/usr/bin/env bash
# fuzz.sh — runs every libFuzzer target of tests/fuzz/ for FUZZ_SECONDS
# (default 30) in build-fuzz/ (clang-14, AddressSanitizer and
# UndefinedBehaviorSanitizer), starting from its committed corpus and
# minimized crashes, copied to a scratch directory so that the committed
# ones never change. Writes build-fuzz/fuzz.json, one line per target
# ({"name": "fuzz TARGET", "result": "OK"|"FAIL", ...}) for .ci/count.py,
# and prints the executions of each. A target that finds a crash keeps it
# in build-fuzz/fuzz-artifacts/ (tests/fuzz/README.md says what to do).
#
#   bash .ci/fuzz.sh                     # every target, 30 s each
#   FUZZ_SECONDS=600 bash .ci/fuzz.sh fuzz_api   # one target, longer
set -uo pipefail
cd "$(dirname "$0")/.."
dir=build-fuzz
seconds=${FUZZ_SECONDS:-30}
if (($# > 0)); then
  targets=("$@")
else
  targets=(fuzz_error fuzz_stream fuzz_udp fuzz_api)
fi
rm -f "$dir/fuzz.json"
if [[ ! -f $dir/build.ninja ]]; then
  CC=clang-14 CXX=clang++-14 meson setup "$dir" --werror -Dfuzz=enabled \
    -Db_sanitize=address,undefined -Db_lundef=false -Dvalgrind=disabled \
    -Drust=disabled -Dgo=disabled -Dlua=disabled -Dluajit=disabled -Dexamples=disabled || exit 1
fi
# Only the library and the targets: the test suites run in the other builds.
ninja -C "$dir" "${targets[@]/#/tests/fuzz/}" || exit 1

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$dir/fuzz-artifacts"
status=0
json=""
total=0
for t in "${targets[@]}"; do
  corpus=$scratch/$t
  mkdir -p "$corpus"
  cp tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null
  cp tests/fuzz/regress/"$t"/* "$corpus"/ 2>/dev/null
  log=$dir/fuzz-$t.log
  # -timeout: one input running longer than this is a hang.
  "$dir/tests/fuzz/$t" "$corpus" -max_total_time="$seconds" -timeout=30 \
    -dict="tests/fuzz/$t.dict" -print_final_stats=1 -rss_limit_mb=3072 \
    -artifact_prefix="$dir/fuzz-artifacts/$t-" > "$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  execs=${execs:-0}
  total=$((total + execs))
  if ((rc == 0)); then
    result=OK
  else
    result=FAIL
    status=1
    echo "---- $t failed (exit $rc); the end of $log:"
    tail -n 60 "$log"
  fi
  printf '%-12s %s: %s executions in %s s (%s/s)\n' "$t" "$result" "$execs" "$seconds" "${rate:-0}"
  json+="{\"name\": \"fuzz $t\", \"result\": \"$result\", \"executions\": $execs, \"seconds\": $seconds}"$'\n'
done
printf '%s' "$json" > "$dir/fuzz.json"
echo "fuzz: $total executions in all"
exit $status
