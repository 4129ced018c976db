#!/bin/sh
# c/run.sh BUILD_ROOT PREFIX LIBDIR SOURCES — a C program built with
# pkg-config against a DESTDIR install, run, its output checked.
#
# Follows README.md, "Using libasyncore from your project", C: the build
# line `cc -o hello hello.c $(pkg-config --cflags --libs libasyncore)
# -Wl,-rpath,$(pkg-config --variable=libdir libasyncore)` verbatim; the only
# difference from a real install is that pkg-config is pointed at the
# DESTDIR (PKG_CONFIG_PATH and PKG_CONFIG_SYSROOT_DIR, as README says for a
# staged install).
. "$(dirname "$0")/../common.sh"

export PKG_CONFIG_PATH="$D$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D"

cc -o hello hello.c $(pkg-config --cflags --libs libasyncore) -Wl,-rpath,$(pkg-config --variable=libdir libasyncore)
./hello > out.txt
loads_from_destdir ./hello
check "C, pkg-config" expected.txt out.txt
