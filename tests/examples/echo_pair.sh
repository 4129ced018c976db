#!/bin/sh
# echo_pair.sh SERVER CLIENT EXPECTED [--unix] — runs the echo server, then
# the client against it with three lines, and compares the client's output
# with EXPECTED. The server serves one client and exits; every wait is
# bounded.
server=$1
client=$2
expected=$3
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
if [ "$4" = "--unix" ]; then
  "$server" --unix "$dir/echo.sock" --connections 1 >"$dir/server.out" 2>&1 &
else
  "$server" 127.0.0.1 0 --connections 1 >"$dir/server.out" 2>&1 &
fi
pid=$!
i=0
while ! grep -q '^serving on ' "$dir/server.out" 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 100 ]; then
    echo "server did not start:"; cat "$dir/server.out"; exit 1
  fi
  sleep 0.05
done
address=$(sed -n 's/^serving on //p' "$dir/server.out")
out=$(timeout 10 "$client" "$address" "hello" "asyncio streams in C" "bye" 2>&1)
status=$?
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
  if [ $i -gt 100 ]; then echo "server did not exit after its client"; exit 1; fi
  sleep 0.05
done
wait $pid || { echo "server failed:"; cat "$dir/server.out"; exit 1; }
echo "echo client and server agree ($address)"
