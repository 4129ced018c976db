#!/bin/sh
# cmake/run.sh BUILD_ROOT PREFIX LIBDIR SOURCES — a CMake project
# (CMakeLists.txt here) building the C program of c/ with
# asyncore::asyncore and the C++ program of cpp/ with asyncore::cpp,
# through find_package(asyncore CONFIG) against a DESTDIR install; both run,
# their output checked.
#
# Follows README.md, "Using libasyncore from your project", CMake: its
# CMakeLists.txt, `cmake -S . -B build -DCMAKE_PREFIX_PATH=/usr/local` and
# `cmake --build build` verbatim, with the DESTDIR's prefix in place of
# /usr/local.
. "$(dirname "$0")/../common.sh"

cp "$sources/../c/hello.c" "$sources/../cpp/hello.cpp" .
cp "$sources/../c/expected.txt" expected_c.txt
cp "$sources/../cpp/expected.txt" expected_cpp.txt

cmake -S . -B build -DCMAKE_PREFIX_PATH="$D$prefix" > cmake.log 2>&1 || { cat cmake.log; exit 1; }
cmake --build build > build.log 2>&1 || { cat build.log; exit 1; }

./build/hello > out_c.txt
loads_from_destdir ./build/hello
check "C, CMake (asyncore::asyncore)" expected_c.txt out_c.txt
./build/hello_cpp > out_cpp.txt
loads_from_destdir ./build/hello_cpp
check "C++, CMake (asyncore::cpp)" expected_cpp.txt out_cpp.txt
