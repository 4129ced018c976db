#!/bin/sh
# run.sh BUILD_ROOT LIBDIR WORKSPACE SRC CARGO MESON — a Cargo project
# outside the tree against a DESTDIR install of the build: installs the
# build into a temporary folder, packages the two crates as they would be
# published (`cargo package` in WORKSPACE, bindings/rust) and unpacks them,
# copies the project (SRC/hello, which depends on the unpacked crates) next
# to them with an offline .cargo/config.toml (crates.io replaced by
# Debian's packaged crates), builds it with the library found by pkg-config
# in that install only, runs it and compares its output with
# SRC/expected.txt. LIBDIR is the install's absolute library folder
# (prefix/libdir).
set -eu
build=$1 libdir=$2 workspace=$3 src=$4 cargo=$5 meson=$6
tmp=$(mktemp -d "${TMPDIR:-/tmp}/asyncore-consumer-rust.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
unset PKG_CONFIG_PATH LD_LIBRARY_PATH CARGO_TARGET_DIR

dest=$tmp/dest
"$meson" install -C "$build" --no-rebuild --quiet --destdir "$dest"

# The published layout (--allow-dirty: the tree under test may hold
# uncommitted changes). The workspace takes its dependencies from Debian's
# packaged crates (a directory source in place of crates.io), where
# asyncore's dependencies on asyncore-sys and asyncore-macros must be found
# too: they are packaged first and added to a copy of that directory for
# asyncore's turn.
registry=$tmp/registry
mkdir "$registry"
for c in /usr/share/cargo/registry/*; do ln -s "$c" "$registry/"; done
for dep in asyncore-sys asyncore-macros; do
  (cd "$workspace" && CARGO_TARGET_DIR="$tmp/package" "$cargo" package --offline --no-verify \
     --allow-dirty --quiet --config "source.debian.directory=\"$registry\"" -p "$dep")
  tar xzf "$tmp/package/package/$dep-"*.crate -C "$registry"
  sum=$(sha256sum "$tmp/package/package/$dep-"*.crate | cut -d' ' -f1)
  for d in "$registry/$dep-"*/; do
    printf '{"files":{},"package":"%s"}' "$sum" > "$d.cargo-checksum.json"
  done
done
(cd "$workspace" && CARGO_TARGET_DIR="$tmp/package" "$cargo" package --offline --no-verify \
   --allow-dirty --quiet --config "source.debian.directory=\"$registry\"" -p asyncore)
mkdir "$tmp/crates"
for crate in "$tmp"/package/package/*.crate; do
  tar xzf "$crate" -C "$tmp/crates"
done

cp -R "$src/hello" "$tmp/hello"
mkdir "$tmp/hello/.cargo"
cat > "$tmp/hello/.cargo/config.toml" <<'CONFIG'
[net]
offline = true

[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "/usr/share/cargo/registry"
CONFIG

# What a user types (see bindings/rust/README.md), with the install under
# $dest instead of /: pkg-config reads the .pc files there and prefixes
# their paths with the sysroot.
export PKG_CONFIG_PATH="$dest$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
cd "$tmp/hello"
CARGO_TERM_COLOR=never "$cargo" build --quiet
LD_LIBRARY_PATH="$dest$libdir" ./target/debug/hello > out.txt
diff -u "$src/expected.txt" out.txt
echo "ok: the Cargo project built against the install printed the expected output"
