#!/usr/bin/env python3
"""constraints.py RULE EXE EXPECTED [SCRIPT...] — checks an example whose output may
legitimately differ from the seed's expected output, by the constraint the
seed states instead of line-by-line equality.

Rules:
  real-time   lines equal, except "... total time: X seconds" lines, where
              the measured X may exceed the expected one by less than 0.5 s
              (a real blocking call on a busy machine oversleeps).
"""
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


RULES = {"real-time": real_time}


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
