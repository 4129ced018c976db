#!/bin/sh
# generate.sh — makes this package's Go and C files (raw.go, raw_wrap.c)
# with SWIG from raw.i, which includes the interface shared with the other
# SWIG bindings (bindings/swig/asyncore.i) and its Go part (bindings/go/go.i).
# Run by `go generate` (see link.go) in a checkout of the repository, and by
# the Meson build. The output is not committed (see .gitignore): the
# package carries it only once generated.
#
#   generate.sh [OUTDIR]   writes into OUTDIR (default: this folder); a file
#                          whose text is unchanged is left untouched.
#
# Needs swig (4.x; $SWIG names another) and gofmt ($GOFMT): the generated
# Go is formatted like ours.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Relative paths only, so the output is the same wherever the tree lies.
cd "$here"
"${SWIG:-swig}" -go -cgo -intgosize 64 -module raw \
  -I../.. -I../../../../capi/include \
  -o "$tmp/raw_wrap.c" -outdir "$tmp" raw.i
"${GOFMT:-gofmt}" -w "$tmp/raw.go"
mkdir -p "$out"
for f in raw.go raw_wrap.c; do
  if ! cmp -s "$tmp/$f" "$out/$f"; then
    # Replaced by a rename: a concurrent go build sees the old or the new file.
    cp "$tmp/$f" "$out/.$f.new"
    mv "$out/.$f.new" "$out/$f"
  fi
done
