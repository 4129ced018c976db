#!/bin/sh
# echo_pair.sh SERVER CLIENT EXPECTED [--unix] — runs the echo server, then
# the client against it with three lines, and compares the client's output
# with EXPECTED. The server serves one client and exits; every wait is
# bounded; where the system has no Unix-domain sockets, --unix is skipped.
# In a cross build both run under MESON_EXE_WRAPPER (Wine for Windows),
# whose line ends (CR LF) are read as LF.
server=$1
client=$2
expected=$3
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
if [ "$4" = "--unix" ]; then
  # shellcheck disable=SC2086
  $MESON_EXE_WRAPPER "$server" --unix "$dir/echo.sock" --connections 1 >"$dir/server.out" 2>&1 &
else
  # shellcheck disable=SC2086
  $MESON_EXE_WRAPPER "$server" 127.0.0.1 0 --connections 1 >"$dir/server.out" 2>&1 &
fi
pid=$!
i=0
while ! grep -q '^serving on ' "$dir/server.out" 2>/dev/null; do
  if ! kill -0 $pid 2>/dev/null; then
    # A system without Unix-domain sockets (Wine's Winsock) refuses the
    # family: the Unix-socket pair is skipped there (exit 77), not failed.
    if [ "$4" = "--unix" ] && grep -q 'address family not supported' "$dir/server.out"; then
      echo "skipped: no Unix-domain sockets on this system"; exit 77
    fi
    echo "server exited before serving:"; cat "$dir/server.out"; exit 1
  fi
  i=$((i + 1))
  if [ $i -gt 400 ]; then
    echo "server did not start:"; cat "$dir/server.out"; exit 1
  fi
  sleep 0.05
done
address=$(sed -n 's/^serving on //p' "$dir/server.out" | tr -d '\r')
# shellcheck disable=SC2086
out=$(timeout 20 $MESON_EXE_WRAPPER "$client" "$address" "hello" "asyncio streams in C" "bye" 2>&1)
status=$?
if [ -n "${MESON_EXE_WRAPPER:-}" ]; then out=$(printf '%s\n' "$out" | tr -d '\r'); fi
if [ $status -ne 0 ]; then
  printf 'client exited with %d:\n%s\n' "$status" "$out"
  exit 1
fi
if [ "$out" != "$(cat "$expected")" ]; then
  printf -- '--- expected\n%s\n--- got\n%s\n' "$(cat "$expected")" "$out"
  exit 1
fi
i=0
while kill -0 $pid 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 200 ]; then echo "server did not exit after its client"; exit 1; fi
  sleep 0.05
done
wait $pid || { echo "server failed:"; cat "$dir/server.out"; exit 1; }
echo "echo client and server agree ($address)"
