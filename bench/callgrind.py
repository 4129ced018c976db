#!/usr/bin/env python3
"""callgrind.py — instructions per unit of work for the W1 (both shapes), W3
and W4 programs of the C API, the C++ face and the Go binding's tasks
(TaskFunc, when bench/run.py has built go_binding_bench), counted by valgrind's
callgrind, and the heap bytes per sleeping task of W2, counted by valgrind's
dhat: counts, not seconds, the same on a busy machine as on a quiet one.
Each program runs at two sizes; the difference divided by the difference in
units leaves out start-up and teardown.

Figures: W1g (N tasks, then one gather over them: asyncio's shape), W1
(the same tasks awaited one by one) and W1tg (the same tasks in one task
group, joined), instructions per task; "gather per child", W1g minus W1:
what the gather adds for each task it waits for ("task group per child",
W1tg minus W1, the same for the group); W3
per round trip, W4 per acquisition; W2 heap bytes and allocations per
sleeping task at the peak (less the program's own 8-byte handle per task).
Every C++ and Go row also gives its ratio to the C API's. The figures go to
BUILDDIR/results/callgrind.csv (with --docs also to docs/callgrind.csv,
which docs/performance.md quotes).

    python3 bench/callgrind.py [BUILDDIR=build-bench] [--docs]
"""
import argparse
import csv
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def warmed(n):
    """Units of a program that warms up at n/10 before its n."""
    return n + n // 10


# figure, face, program, two sizes, units per size
PROGRAMS = [
    ("W1g", "c", "w1_gather", 20000, 40000, warmed),
    ("W1", "c", "w1_spawn", 20000, 40000, warmed),
    ("W1tg", "c", "w1_taskgroup", 20000, 40000, warmed),
    ("W3", "c", "w3_queue", 20000, 40000, warmed),
    ("W4", "c", "w4_lock", 100, 200, lambda n: 100 * warmed(n)),
    ("W1g", "c++", "w1_gather_cpp", 20000, 40000, warmed),
    ("W1", "c++", "w1_spawn_cpp", 20000, 40000, warmed),
    ("W3", "c++", "w3_queue_cpp", 20000, 40000, warmed),
    ("W4", "c++", "w4_lock_cpp", 100, 200, lambda n: 100 * warmed(n)),
]
# The Go binding's TaskFunc tasks: cmd/bench (run.py builds it as
# go_binding_bench) runs one figure by its name for n units, after a warm-up
# of n/10. Under valgrind the Go runtime must not use RDTSCP (valgrind
# does not decode it) nor preempt with signals (callgrind's signal
# bookkeeping fails on them); the collector is off (GOGC=off), since when
# it runs depends on the heap's history and moves a count by up to 10%:
# the Go rows leave the collector's share out.
GO_BENCH = "go_binding_bench"
GO_PROGRAMS = [
    ("W1g", "W1 Go tasks, gather", 5000, 10000, warmed),
    ("W1", "W1 Go tasks, one by one", 5000, 10000, warmed),
    ("W3", "W3 Go tasks", 5000, 10000, warmed),
    ("W4", "W4 Go tasks (acquisitions)", 10000, 20000, warmed),
]
GO_ENV = {"GOMAXPROCS": "1", "GOGC": "off", "GODEBUG": "cpu.rdtscp=off,asyncpreemptoff=1"}
FACES = ("c", "c++", "go")
# W2: sleeping tasks at two counts, heap at its peak (every task asleep).
W2_PROGRAMS = [("c", "w2_sleep"), ("c++", "w2_sleep_cpp")]
W2_SIZES = (10000, 20000)
HANDLE_BYTES = 8  # the program's own pointer (C) or TaskHandle (C++) per task

UNITS = {"W1g": "instructions/task", "W1": "instructions/task", "W1tg": "instructions/task",
         "gather per child": "instructions/child", "task group per child": "instructions/child", "W3": "instructions/trip",
         "W4": "instructions/acquire", "W2": "heap B/task", "W2 allocations": "blocks/task"}
WHAT = {"W1g": "N tasks, one gather over them (asyncio's shape)",
        "W1": "the same N tasks awaited one by one",
        "gather per child": "W1g minus W1",
        "W1tg": "the same N tasks in one task group, joined",
        "task group per child": "W1tg minus W1",
        "W3": "queue ping-pong", "W4": "lock hand-over",
        "W2": "live heap at the peak, N tasks asleep, less the program's handle",
        "W2 allocations": "live heap blocks at the peak per sleeping task"}


def valgrind(tool, argv, d, extra_env=None):
    # The runtime's object pool steps aside under valgrind unless asked.
    # dhat sees only malloc's blocks: for it, the pool carves no slabs
    # (ASYNCORE_ARENA=0), so every block it hands out is one of malloc's,
    # of the pool's rounded size.
    args = {"callgrind": [f"--callgrind-out-file={d}/cg"],
            "dhat": [f"--dhat-out-file={d}/dhat"]}[tool]
    env = dict(os.environ, ASYNCORE_POOL="1", **(extra_env or {}))
    if tool == "dhat":
        env["ASYNCORE_ARENA"] = "0"
    return subprocess.run(["valgrind", f"--tool={tool}"] + args + argv,
                          capture_output=True, text=True, check=True, env=env).stderr


def instructions(argv, extra_env=None):
    with tempfile.TemporaryDirectory() as d:
        err = valgrind("callgrind", argv, d, extra_env)
    m = re.search(r"Collected : (\d+)", err)
    if not m:
        raise RuntimeError(f"{argv[0]}: no instruction count")
    return int(m.group(1))


def heap_peak(exe, n):
    """(bytes, blocks) live at the heap's peak."""
    with tempfile.TemporaryDirectory() as d:
        err = valgrind("dhat", [exe, str(n)], d)
    m = re.search(r"At t-gmax:\s+([\d,]+) bytes in ([\d,]+) blocks", err)
    if not m:
        raise RuntimeError(f"{exe}: no heap peak")
    return int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))


def commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build", nargs="?", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--docs", action="store_true", help="also copy the CSV to docs/callgrind.csv")
    a = ap.parse_args()
    b = os.path.abspath(a.build)
    fig = {}  # (figure, face) -> value

    for w, face, prog, n1, n2, units in PROGRAMS:
        exe = os.path.join(b, "bench", prog)
        if not os.path.exists(exe):
            print(f"{prog}: not built, skipped", file=sys.stderr)
            continue
        i1, i2 = instructions([exe, str(n1)]), instructions([exe, str(n2)])
        fig[(w, face)] = (i2 - i1) / (units(n2) - units(n1))
    go = os.path.join(b, GO_BENCH)
    for w, name, n1, n2, units in GO_PROGRAMS if os.path.exists(go) else []:
        env = dict(GO_ENV, LD_LIBRARY_PATH=os.path.join(b, "capi"))
        i1, i2 = (instructions([go, "-only", name, "-reps", "1", "-n", str(n)], env)
                  for n in (n1, n2))
        fig[(w, "go")] = (i2 - i1) / (units(n2) - units(n1))
    if not os.path.exists(go):
        print(f"{GO_BENCH}: not built (bench/run.py builds it), skipped", file=sys.stderr)
    # Not for Go: its two W1 shapes differ by less than a run's noise
    # (about 2% of ~5,700), so their difference says nothing.
    for face in ("c", "c++"):
        if ("W1g", face) in fig and ("W1", face) in fig:
            fig[("gather per child", face)] = fig[("W1g", face)] - fig[("W1", face)]
        if ("W1tg", face) in fig and ("W1", face) in fig:
            fig[("task group per child", face)] = fig[("W1tg", face)] - fig[("W1", face)]
    for face, prog in W2_PROGRAMS:
        exe = os.path.join(b, "bench", prog)
        if not os.path.exists(exe):
            print(f"{prog}: not built, skipped", file=sys.stderr)
            continue
        (by1, bl1), (by2, bl2) = (heap_peak(exe, n) for n in W2_SIZES)
        dn = W2_SIZES[1] - W2_SIZES[0]
        fig[("W2", face)] = (by2 - by1) / dn - HANDLE_BYTES
        fig[("W2 allocations", face)] = (bl2 - bl1) / dn

    order = ["W1g", "W1", "gather per child", "W1tg", "task group per child", "W3", "W4", "W2",
             "W2 allocations"]
    rows = []
    for w in order:
        for face in FACES:
            if (w, face) not in fig:
                continue
            v = fig[(w, face)]
            c = fig.get((w, "c"))
            vs_c = f"{v / c:.2f}" if face != "c" and c else ""
            rows.append([w, face, f"{v:.0f}" if w != "W2 allocations" else f"{v:.2f}",
                         UNITS[w], vs_c, WHAT[w]])

    print(f"{'figure':20} {'face':5} {'per unit':>9}  {'unit':20} {'vs C':>5}")
    for w, face, v, unit, vs_c, _ in rows:
        print(f"{w:20} {face:5} {v:>9}  {unit:20} {vs_c:>5}")

    out = os.path.join(b, "results")
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "callgrind.csv")
    stamp = f"{datetime.date.today().isoformat()} {commit()}".strip()
    with open(path, "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["figure", "face", "per_unit", "unit", "vs_c", "what", "counted"])
        for r in rows:
            wr.writerow(r + [stamp])
    print(f"\nwritten to {path}")
    if a.docs:
        shutil.copy(path, os.path.join(ROOT, "docs", "callgrind.csv"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
