#!/usr/bin/env bash
# libuv-mingw.sh BUILD — builds libuv for Windows (x86_64-w64-mingw32) from
# Debian's own libuv source package into BUILD/libuv-mingw/prefix, and writes
# BUILD/libuv-mingw/paths.ini, the second cross file that points Meson's
# pkg-config there:
#
#   cross/libuv-mingw.sh build-win
#   meson setup build-win --cross-file cross/x86_64-w64-mingw32.ini \
#       --cross-file build-win/libuv-mingw/paths.ini
#
# The source comes from the Debian archive the machine already uses (its
# deb-src entries are enabled for the same URIs and suites when missing),
# with `apt-get source libuv1`; nothing is downloaded from anywhere else.
# Needs cmake, dpkg-dev and the MinGW toolchain (.ci/deps.sh --windows).
# A second run reuses what the first built.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 BUILD" >&2; exit 2; }
mkdir -p "$1"
build=$(cd "$1" && pwd)
top="$build/libuv-mingw"
prefix="$top/prefix"
cross_gcc=x86_64-w64-mingw32-gcc-posix

if [[ ! -f "$prefix/lib/libuv.a" ]]; then
  mkdir -p "$top/src"
  cd "$top/src"
  if ! ls -d libuv1-*/ >/dev/null 2>&1; then
    if ! apt-get source --print-uris libuv1 >/dev/null 2>&1; then
      # Enable deb-src for the archive the machine's deb entries name.
      sudo=""
      if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
      src=/etc/apt/sources.list.d/debian.sources
      if [[ -f "$src" ]]; then
        sed -n '/^Types:/,/^$/p' "$src" | sed 's/^Types: .*/Types: deb-src/' |
          $sudo tee /etc/apt/sources.list.d/asyncore-deb-src.sources >/dev/null
      else
        grep -h '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
          $sudo tee /etc/apt/sources.list.d/asyncore-deb-src.list >/dev/null
      fi
      $sudo apt-get update -q >/dev/null
    fi
    apt-get source -q libuv1 >/dev/null
  fi
  srcdir=$(ls -d "$top"/src/libuv1-*/ | head -n 1)
  cmake -S "$srcdir" -B "$top/cmake" -G Ninja \
    -DCMAKE_SYSTEM_NAME=Windows \
    -DCMAKE_SYSTEM_PROCESSOR=x86_64 \
    -DCMAKE_C_COMPILER="$cross_gcc" \
    -DCMAKE_RC_COMPILER=x86_64-w64-mingw32-windres \
    -DCMAKE_FIND_ROOT_PATH=/usr/x86_64-w64-mingw32 \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DLIBUV_BUILD_TESTS=OFF -DLIBUV_BUILD_BENCH=OFF >"$top/cmake.log"
  cmake --build "$top/cmake" -j 2 >>"$top/cmake.log"
  cmake --install "$top/cmake" >>"$top/cmake.log"
  # The static library under the name the linker looks for.
  for a in "$prefix"/lib/libuv_a.a "$prefix"/lib/libuv_a.lib; do
    [[ -f "$a" ]] && cp "$a" "$prefix/lib/libuv.a" && break
  done
  [[ -f "$prefix/lib/libuv.a" ]] || { echo "libuv-mingw: no static libuv built" >&2; exit 1; }
  # Only the static library: the linker would take the DLL's import library
  # (libuv.dll.a) before libuv.a, and the programs would need libuv.dll.
  rm -f "$prefix/lib/libuv.dll.a" "$prefix/bin/libuv.dll"
fi

# pkg-config data for the static library (the Windows system libraries it
# needs listed as its own), in a folder of its own so only it is found.
mkdir -p "$top/pkgconfig"
version=$(sed -n 's/^Version: *//p' "$prefix"/lib/pkgconfig/libuv*.pc | head -n 1)
cat >"$top/pkgconfig/libuv.pc" <<EOF
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: libuv
Description: libuv for Windows, static, built from Debian's source package
Version: $version
Libs: -L\${libdir} -luv -lpsapi -luser32 -ladvapi32 -liphlpapi -luserenv -lws2_32 -ldbghelp -lole32 -luuid -lshell32
Cflags: -I\${includedir}
EOF

cat >"$top/paths.ini" <<EOF
[properties]
pkg_config_libdir = ['$top/pkgconfig']
EOF
echo "libuv $version for Windows: $prefix"
