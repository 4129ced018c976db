#!/bin/sh
# abi-check.sh LIB HEADERS BASELINE [--update]
#
# Compares the ABI of the shared library LIB (built with debug info, -g)
# with the committed baseline BASELINE (capi/abi/libasyncore.abi), counting
# only what the public headers under HEADERS declare: the exported ac_*
# functions and the types they reach (opaque handles stay opaque, so the
# runtime behind them may change freely).
#
# Exit 0 when the ABI is the baseline's. Otherwise it prints abidiff's
# report and fails, saying whether the change is incompatible (a removed
# function, a changed signature or struct layout: not allowed within a
# major version) or one for a human to review (an added function is the
# usual case: refresh the baseline in the same commit and note the
# addition in CHANGELOG.md).
#
# --update writes LIB's ABI to BASELINE instead (the refresh), e.g.
#   ninja -C build abi-baseline
# or by hand from the top of the source tree:
#   tests/abi/abi-check.sh build/capi/libasyncore.so capi/include \
#     capi/abi/libasyncore.abi --update
set -u
lib=$1
headers=$2
baseline=$3
update=${4:-}

for tool in abidw abidiff; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "skipped: $tool not found (Debian package abigail-tools)"
    exit 77
  fi
done

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# No source locations, paths or build directory in the corpus: the same
# library gives the same file wherever it was built, and editing a comment
# in a header changes nothing.
abidw --exported-interfaces-only --headers-dir "$headers" --drop-private-types \
  --no-show-locs --no-corpus-path --no-comp-dir-path \
  --out-file "$tmp/current.abi" "$lib" || { echo "abidw failed on $lib"; exit 1; }
if ! grep -q '<function-decl name=.ac_version.' "$tmp/current.abi"; then
  echo "$lib has no debug information for the ABI (build it with -g, e.g. buildtype=debugoptimized)"
  exit 1
fi

if [ "$update" = --update ]; then
  cp "$tmp/current.abi" "$baseline" || exit 1
  echo "wrote $baseline ($(grep -c '<elf-symbol ' "$baseline") symbols)"
  exit 0
fi

abidiff --no-show-locs "$baseline" "$tmp/current.abi" > "$tmp/report" 2>&1
status=$?
cat "$tmp/report"
# abidiff's exit status is a bit field: 1 error, 2 usage error, 4 the ABI
# changed, 8 the change is incompatible.
if [ "$status" -eq 0 ]; then
  echo "ABI matches $(basename "$baseline"): $(grep -c '<elf-symbol ' "$baseline") symbols"
  exit 0
fi
if [ $((status & 1)) -ne 0 ]; then
  echo "abidiff failed (exit $status)"
elif [ $((status & 8)) -ne 0 ]; then
  echo "INCOMPATIBLE ABI change against $baseline (exit $status): not allowed within a major version"
else
  echo "the ABI changed (exit $status): if the change is compatible (an addition), refresh the"
  echo "baseline in the same commit (ninja -C <build> abi-baseline) and note it in CHANGELOG.md"
fi
exit 1
