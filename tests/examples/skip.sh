#!/bin/sh
# skip.sh REASON... — stands in for a test whose tool is missing: says why
# and exits 77, which meson reports as SKIP (the test is never silently
# absent).
echo "skipped: $*"
exit 77
