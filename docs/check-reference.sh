#!/bin/sh
# check-reference.sh DOXYGEN DOXYFILE — builds the C reference into a
# temporary directory and fails on any Doxygen warning (an undocumented
# public declaration, a broken command); prints the warnings.
set -u
doxygen=$1
doxyfile=$2
out=$(mktemp -d) || exit 1
trap 'rm -rf "$out"' EXIT
# The Doxyfile as generated, with the output moved to the temporary dir.
{ cat "$doxyfile"; echo "OUTPUT_DIRECTORY = $out"; } | "$doxygen" - > "$out/doxygen.log" 2>&1
status=$?
warnings=$(grep -c 'warning:\|error:' "$out/doxygen.log")
cat "$out/doxygen.log"
if [ "$status" -ne 0 ] || [ "$warnings" -ne 0 ]; then
  echo "doxygen: exit $status, $warnings warning(s)"
  exit 1
fi
if [ ! -f "$out/html/index.html" ]; then
  echo "doxygen wrote no html/index.html"
  exit 1
fi
echo "reference built with no warning: $(ls "$out"/html/*_8h.html | wc -l) header pages"
