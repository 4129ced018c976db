#!/usr/bin/env python3
"""constraints.py RULE EXE EXPECTED [SCRIPT...] — checks an example whose output may
legitimately differ from the seed's expected output, by the constraint the
seed states instead of line-by-line equality.

Rules:
  real-time   lines equal, except "... total time: X seconds" lines, where
              the measured X may exceed the expected one by less than 0.5 s
              (a real blocking call on a busy machine oversleeps).
  lock        the seed's Lock example: "the order of 'Trying to acquire
              lock' may vary, but 'Lock acquired' and 'Resource incremented'
              will be sequential for each task": the same lines as expected,
              first and last in place, each task tries before it acquires,
              and the holders come one after the other, in order.
  semaphore   the seed's Semaphore example: "only 2 tasks acquire the
              semaphore at a time": the same lines as expected, first and
              last in place, each task waits, acquires, releases in that
              order, tasks acquire in the order they waited, and never more
              than two are inside.
"""
from collections import Counter
import re
import subprocess
import sys

TIME = re.compile(r"^(.*total time: )(\d+\.\d+)( seconds)$")


def real_time(got, expected):
    if len(got) != len(expected):
        return f"{len(got)} lines, expected {len(expected)}"
    for n, (g, e) in enumerate(zip(got, expected), 1):
        mg, me = TIME.match(g), TIME.match(e)
        if mg and me and mg.group(1) == me.group(1):
            if not float(me.group(2)) <= float(mg.group(2)) < float(me.group(2)) + 0.5:
                return f"line {n}: {g!r} is not within 0.5 s above {e!r}"
        elif g != e:
            return f"line {n}: {g!r}, expected {e!r}"
    return None


def same_lines(got, expected):
    if Counter(got) != Counter(expected):
        missing = list((Counter(expected) - Counter(got)).elements())
        extra = list((Counter(got) - Counter(expected)).elements())
        return f"not the expected lines (missing {missing}, extra {extra})"
    if got[0] != expected[0] or got[-1] != expected[-1]:
        return "first or last line out of place"
    return None


def per_task(got, pattern):
    """Line numbers of each task's events: {task: {event: index}}."""
    seen = {}
    for n, line in enumerate(got):
        m = re.match(pattern, line)
        if m:
            seen.setdefault(m.group(1), {})[m.group(2)] = n
    return seen


def lock(got, expected):
    problem = same_lines(got, expected)
    if problem:
        return problem
    events = per_task(got, r"^Task (\d+): (Trying|Lock acquired|Resource incremented)")
    for task, ev in events.items():
        if not ev["Trying"] < ev["Lock acquired"] < ev["Resource incremented"]:
            return f"task {task}: events out of order"
    # Holders: an acquire is followed by its own increment before any other
    # acquire or increment (mutual exclusion), in FIFO order.
    holders = [l for l in got if re.match(r"^Task \d+: (Lock acquired|Resource incremented)", l)]
    order = []
    for a, b in zip(holders[0::2], holders[1::2]):
        ta, tb = a.split(":")[0], b.split(":")[0]
        if ta != tb or "acquired" not in a or "incremented" not in b:
            return f"not exclusive: {a!r} then {b!r}"
        order.append(ta)
    trying = [l.split(":")[0] for l in got if "Trying" in l]
    if order != trying:
        return f"lock taken in order {order}, asked in order {trying}"
    return None


def semaphore(got, expected, limit=2):
    problem = same_lines(got, expected)
    if problem:
        return problem
    events = per_task(got, r"^Task (\d+): (Waiting|Acquired|Releasing)")
    for task, ev in events.items():
        if not ev["Waiting"] < ev["Acquired"] < ev["Releasing"]:
            return f"task {task}: events out of order"
    waiting = sorted(events, key=lambda t: events[t]["Waiting"])
    acquiring = sorted(events, key=lambda t: events[t]["Acquired"])
    if waiting != acquiring:
        return f"served in order {acquiring}, waited in order {waiting}"
    inside = 0
    for line in got:
        if ": Acquired" in line:
            inside += 1
            if inside > limit:
                return f"{inside} inside the semaphore at {line!r}"
        elif ": Releasing" in line:
            inside -= 1
    return None


RULES = {"real-time": real_time, "lock": lock, "semaphore": semaphore}


def main():
    rule, exe, expected_path = sys.argv[1:4]
    # Extra arguments go before the flag: an interpreter and its script.
    run = subprocess.run([exe] + sys.argv[4:] + ["--virtual-clock"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    got = run.stdout.rstrip("\n").split("\n")
    with open(expected_path, encoding="utf-8") as f:
        expected = f.read().rstrip("\n").split("\n")
    if run.returncode != 0:
        print(f"example exited with {run.returncode}:\n{run.stdout}")
        return 1
    problem = RULES[rule](got, expected)
    if problem:
        print(f"constraint '{rule}' broken: {problem}\n--- got\n{run.stdout}")
        return 1
    print(f"output satisfies '{rule}' against {expected_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
