#!/bin/sh
# w5.sh BUILDDIR [SECONDS=10] [REPS=3] — W5 for the raw libuv echo and the
# libasyncore echo, interleaved; server on core 0, client on core 1.
b=${1:-build}/bench
secs=${2:-10}
reps=${3:-3}
run() {
  out=$(mktemp)
  taskset -c 0 "$1" "$(echo "$secs + 1.5" | bc)" >"$out" &
  pid=$!
  while ! grep -q '^port ' "$out"; do sleep 0.05; done
  port=$(sed -n 's/^port //p' "$out")
  msgs=$(taskset -c 1 "$b/w5_client" "$port" 50 "$secs")
  wait $pid
  echo "$(basename "$1"): $msgs; $(grep cpu "$out")"
  rm -f "$out"
}
for r in $(seq "$reps"); do
  run "$b/w5_echo_raw_libuv"
  run "$b/w5_echo_asyncore"
done
