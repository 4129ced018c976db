#!/bin/sh
# cpp/run.sh BUILD_ROOT PREFIX LIBDIR SOURCES — a C++ program on the
# header-only C++20 face, built with pkg-config (asyncore-cpp) against a
# DESTDIR install, run, its output checked.
#
# Follows README.md, "Using libasyncore from your project", C++: the build
# line `c++ -std=c++20 -o hello hello.cpp $(pkg-config --cflags --libs
# asyncore-cpp) -Wl,-rpath,$(pkg-config --variable=libdir libasyncore)`
# verbatim; pkg-config is pointed at the DESTDIR (PKG_CONFIG_PATH,
# PKG_CONFIG_SYSROOT_DIR), the only difference from a real install.
. "$(dirname "$0")/../common.sh"

export PKG_CONFIG_PATH="$D$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D"

c++ -std=c++20 -o hello hello.cpp $(pkg-config --cflags --libs asyncore-cpp) -Wl,-rpath,$(pkg-config --variable=libdir libasyncore)
./hello > out.txt
loads_from_destdir ./hello
check "C++, pkg-config" expected.txt out.txt
