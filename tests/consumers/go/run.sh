#!/bin/sh
# run.sh BUILD_ROOT LIBDIR BINDING SRC GO MESON — a Go program outside the
# tree against a DESTDIR install of the build: installs the build into a
# temporary folder, copies the binding's folder (BINDING, its raw layer
# generated) and the program (SRC/hello, whose go.mod requires the binding
# through a replace) next to it, builds the program with the library found
# by pkg-config in that install only, runs it and compares its output with
# SRC/expected.txt. LIBDIR is the install's absolute library folder
# (prefix/libdir). GOCACHE and GOPATH come from the environment.
set -eu
build=$1 libdir=$2 binding=$3 src=$4 go=$5 meson=$6
tmp=$(mktemp -d "${TMPDIR:-/tmp}/asyncore-consumer-go.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
unset PKG_CONFIG_PATH LD_LIBRARY_PATH

dest=$tmp/dest
"$meson" install -C "$build" --no-rebuild --quiet --destdir "$dest"
cp -R "$binding" "$tmp/asyncore-go"
cp -R "$src/hello" "$tmp/hello"

# What a user types (see bindings/go/README.md), with the install under
# $dest instead of /: pkg-config reads the .pc files there and prefixes
# their paths with the sysroot.
export PKG_CONFIG_PATH="$dest$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
# Offline; no -mod=mod: the go.mod must be complete as the README shows it.
export CGO_ENABLED=1 GOPROXY=off GOFLAGS=
cd "$tmp/hello"
"$go" build -o hello .
LD_LIBRARY_PATH="$dest$libdir" ./hello > out.txt
diff -u "$src/expected.txt" out.txt
echo "ok: the Go program built against the install printed the expected output"
