#!/usr/bin/env bash
# deps.sh — installs the Debian packages libasyncore's build, tests and
# bindings need, when they are missing (with --windows: what the Windows
# cross build needs). Idempotent; needs root (or sudo) only
# when something is missing.
set -euo pipefail

packages=(
  build-essential pkg-config meson ninja-build libuv1-dev
  libgtest-dev libgmock-dev valgrind python3 netcat-openbsd
  swig lua5.4 liblua5.4-dev luajit libluajit-5.1-dev lua-busted
  golang-go bindgen libclang1-14 cargo rustc rust-clippy
  librust-tokio-dev librust-futures-io-dev librust-futures-util-dev librust-tokio-util-dev
  python3-uvloop gnuplot-nox nodejs
  doxygen abigail-tools
  cmake luarocks
  clang-14 libclang-rt-14-dev
  libglib2.0-dev
  libssl-dev openssl
)

# --windows: what the Windows cross build needs instead (cross/): the MinGW-w64
# toolchain (its POSIX-threads variant), Wine to run the tests, and what
# cross/libuv-mingw.sh uses to build libuv from Debian's source package.
if [[ "${1:-}" == --windows ]]; then
  packages=(
    meson ninja-build pkg-config python3
    g++-mingw-w64-x86-64-posix gcc-mingw-w64-x86-64-posix wine64
    cmake dpkg-dev libgtest-dev libgmock-dev
  )
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# A Rust toolchain already on PATH (rustup) serves as well as Debian's;
# Debian's clippy (rust-clippy: cargo-clippy, for `cargo clippy`) only
# works with Debian's rustc, so it is left out there too (the rust-clippy
# test then reports itself skipped unless the toolchain has its own).
if command -v cargo >/dev/null 2>&1 && [[ "$(command -v cargo)" != /usr/bin/cargo ]]; then
  kept=()
  for p in "${missing[@]}"; do
    [[ "$p" == cargo || "$p" == rustc || "$p" == rust-clippy ]] || kept+=("$p")
  done
  missing=("${kept[@]+"${kept[@]}"}")
fi

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "installing: ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
