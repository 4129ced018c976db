# common.sh — sourced by every consumer test (tests/consumers/*/run.sh):
#
#   . common.sh BUILD_ROOT PREFIX LIBDIR SOURCES
#
# installs the build into a fresh DESTDIR ($D) inside a temporary folder
# ($work, removed on exit) with `meson install --destdir`, copies this
# consumer's files (SOURCES, its folder here) into $work/src, and changes
# into it: what the test builds from there sees only the install, never the
# source or build tree. MESON is the meson command to install with.
set -eu
# meson test points the dynamic loader at the build tree; a consumer sees
# only the install.
unset LD_LIBRARY_PATH
build_root=$1 prefix=$2 libdir=$3 sources=$4
shift 4

work=$(mktemp -d "${TMPDIR:-/tmp}/asyncore-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
D=$work/destdir

"${MESON:-meson}" install -C "$build_root" --no-rebuild --quiet --destdir "$D" > "$work/install.log" 2>&1 || {
  cat "$work/install.log" >&2
  echo "meson install --destdir failed" >&2
  exit 1
}
[ -f "$D$libdir/libasyncore.so" ] || { echo "no libasyncore.so in $D$libdir" >&2; exit 1; }

mkdir "$work/src"
cp -R "$sources"/. "$work/src/"
cd "$work/src"

# check NAME EXPECTED OUTPUT: the program's output is exactly the expected text.
check() {
  if ! cmp -s "$2" "$3"; then
    echo "$1: unexpected output" >&2
    diff -u "$2" "$3" >&2 || true
    exit 1
  fi
  echo "$1: ok"
}

# loads_from_destdir PROGRAM: the libasyncore the program loads is the one in $D.
loads_from_destdir() {
  lib=$(ldd "$1" | awk '/libasyncore\.so/ { print $3 }')
  case $lib in
    "$D"/*) ;;
    *) echo "$1 loads libasyncore from '$lib', not from the DESTDIR install" >&2; exit 1 ;;
  esac
}
