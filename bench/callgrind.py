#!/usr/bin/env python3
"""callgrind.py — instructions per unit of work for the W1, W3 and W4
programs of the C API and the C++ face, counted by valgrind's callgrind
(instructions, not seconds: the same on a busy machine as on a quiet one).
Each program runs at two sizes; the difference divided by the difference in
units leaves out start-up and teardown.

    python3 bench/callgrind.py [BUILDDIR=build-bench]
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# program, two sizes, units per size (the program warms up at 1/10 first)
PROGRAMS = [
    ("W1", "c", "w1_spawn", 20000, 40000, lambda n: n + n // 10),
    ("W3", "c", "w3_queue", 20000, 40000, lambda n: n + n // 10),
    ("W4", "c", "w4_lock", 100, 200, lambda n: 100 * (n + n // 10)),
    ("W1", "c++", "w1_spawn_cpp", 20000, 40000, lambda n: n + n // 10),
    ("W3", "c++", "w3_queue_cpp", 20000, 40000, lambda n: n + n // 10),
    ("W4", "c++", "w4_lock_cpp", 100, 200, lambda n: 100 * (n + n // 10)),
]


def instructions(exe, n):
    with tempfile.TemporaryDirectory() as d:
        # The runtime's object pool steps aside under valgrind unless asked.
        out = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={d}/cg",
                              exe, str(n)], capture_output=True, text=True, check=True,
                             env=dict(os.environ, ASYNCORE_POOL="1"))
    m = re.search(r"Collected : (\d+)", out.stderr)
    if not m:
        raise RuntimeError(f"{exe}: no instruction count")
    return int(m.group(1))


def main():
    b = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build-bench")
    print(f"{'workload':8} {'face':5} {'instructions per unit':>22}")
    for w, face, prog, n1, n2, units in PROGRAMS:
        exe = os.path.join(b, "bench", prog)
        if not os.path.exists(exe):
            continue
        i1, i2 = instructions(exe, n1), instructions(exe, n2)
        print(f"{w:8} {face:5} {(i2 - i1) / (units(n2) - units(n1)):22.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
