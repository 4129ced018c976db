#!/bin/sh
# check_generated.sh — the rule for the raw layer's generated files
# (internal/raw/raw.go and raw_wrap.c): they are what generate.sh makes
# from the interface and headers of this tree (fresh), and they are never
# committed (git-ignored, not tracked). The second part needs git and a
# checkout; it is left out, with a note, in an unpacked source tarball.
set -eu
raw=$(cd "$(dirname "$0")/internal/raw" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$raw/generate.sh" "$tmp"
status=0
for f in raw.go raw_wrap.c; do
  if ! cmp -s "$tmp/$f" "$raw/$f"; then
    echo "internal/raw/$f is missing or stale: run 'go generate ./internal/raw' (or build)"
    status=1
  fi
done
if command -v git >/dev/null 2>&1 && git -C "$raw" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  for f in raw.go raw_wrap.c; do
    if git -C "$raw" ls-files --error-unmatch "$f" >/dev/null 2>&1; then
      echo "internal/raw/$f is committed: generated code must not be (git rm --cached it)"
      status=1
    fi
    if ! git -C "$raw" check-ignore -q "$f"; then
      echo "internal/raw/$f is not git-ignored (internal/raw/.gitignore)"
      status=1
    fi
  done
else
  echo "note: not a git checkout, the committed-or-not part is not checked"
fi
exit $status
