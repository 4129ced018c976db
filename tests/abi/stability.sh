#!/bin/sh
# stability.sh INCLUDE_DIR — every public header names its stability tier
# ("Stability: stable" or "Stability: experimental") in its first comment,
# and asyncore.h lists it under the same tier.
inc=$1
status=0
list=$(sed -n '/^ \* Stability\./,/^ \*\//p' "$inc/asyncore.h" | tr '\n' ' ')
stable=$(printf '%s' "$list" | sed 's/.*- stable:\(.*\)- experimental:.*/\1/')
experimental=$(printf '%s' "$list" | sed 's/.*- experimental:\(.*\)/\1/')
for h in "$inc"/asyncore/*.h; do
  name=$(basename "$h")
  tier=$(sed -n '1,/\*\//p' "$h" | grep -o 'Stability: [a-z]*' | head -n 1 | cut -d' ' -f2)
  case $tier in
    stable) listed=$stable ;;
    experimental) listed=$experimental ;;
    *) echo "$name: no \"Stability: stable|experimental\" line in its first comment"; status=1; continue ;;
  esac
  if ! printf '%s' "$listed" | grep -q "[ /]$name[,.]"; then
    echo "$name: marked $tier but not listed under $tier in asyncore.h"
    status=1
  fi
done
[ $status -eq 0 ] && echo "$(ls "$inc"/asyncore/*.h | wc -l) headers, each with its tier"
exit $status
