"""Sums meson's test logs into the closing line "N passed, N failed".

A failed test is named again just above that line, with the end of its
output, so that the tail of a CI log says what failed and why.
"""
import json
import sys

TAIL_LINES = 30

passed = failed = skipped = 0
failures = []
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                entry = json.loads(line)
                result = entry["result"]
                if result in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif result == "SKIP":
                    skipped += 1
                else:
                    failed += 1
                    failures.append((path, entry))
    except OSError as e:
        print(f"missing test log {path}: {e}")
        failed += 1

for path, entry in failures:
    print(f"FAILED {entry.get('name', '?')} ({entry['result']}) in {path}")
    output = (entry.get("stdout") or "") + (entry.get("stderr") or "")
    for text in output.splitlines()[-TAIL_LINES:]:
        print(f"  | {text}")

line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed else 0)
