#!/bin/sh
# tls_echo_pair.sh MAKE_CERTS EXPECTED SERVER... -- CLIENT... — makes a CA
# and a server certificate (tests/tls/make_certs.sh), runs the TLS echo
# server command (CERT KEY HOST PORT --connections 1 are appended), then the
# client command against it (CAFILE ADDRESS NAME LINES are appended), and
# compares the client's output with EXPECTED. Every wait is bounded.
make_certs=$1
expected=$2
shift 2
server=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do server="$server '$1'"; shift; done
shift
client=""
while [ $# -gt 0 ]; do client="$client '$1'"; shift; done
command -v openssl >/dev/null 2>&1 || { echo "skipped: no openssl tool"; exit 77; }
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
sh "$make_certs" "$dir/certs" >/dev/null 2>&1 || { echo "cannot make certificates"; exit 1; }
eval "$server '$dir/certs/server.pem' '$dir/certs/server.key' 127.0.0.1 0 --connections 1" \
  >"$dir/server.out" 2>&1 &
pid=$!
i=0
while ! grep -q '^serving on ' "$dir/server.out" 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 200 ]; then
    echo "server did not start:"; cat "$dir/server.out"; exit 1
  fi
  sleep 0.05
done
address=$(sed -n 's/^serving on //p' "$dir/server.out")
out=$(eval "timeout 20 $client '$dir/certs/ca.pem' '$address' localhost hello 'asyncio streams over TLS' bye" 2>&1)
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
  if [ $i -gt 200 ]; then echo "server did not exit after its client"; exit 1; fi
  sleep 0.05
done
wait $pid || { echo "server failed:"; cat "$dir/server.out"; exit 1; }
echo "TLS echo client and server agree ($address)"
