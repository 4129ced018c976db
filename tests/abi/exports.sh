#!/bin/sh
# exports.sh LIB — the shared library exports only the contract's ac_*
# symbols, and every function the headers declare is exported.
lib=$1
headers=$2
leaked=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^ac_' | grep -v '^_init$\|^_fini$')
if [ -n "$leaked" ]; then
  echo "symbols outside ac_*:"
  echo "$leaked"
  exit 1
fi
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" {print $3}' | sort)
declared=$(cat "$headers"/asyncore.h "$headers"/asyncore/*.h | tr '\n' ' ' |
  grep -o 'AC_EXPORT[^;]*;' | grep -o 'ac_[a-z0-9_]*(' | tr -d '(' | sort -u)
missing=$(printf '%s\n' "$declared" | while read -r f; do
  printf '%s\n' "$exported" | grep -qx "$f" || echo "$f"
done)
if [ -n "$missing" ]; then
  echo "declared but not exported:"
  echo "$missing"
  exit 1
fi
echo "$(printf '%s\n' "$exported" | wc -l) functions exported, all ac_*"
