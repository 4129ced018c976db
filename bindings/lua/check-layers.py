#!/usr/bin/env python3
"""check-layers.py — keeps the layering rule of acl.h true.

Each C file of the adapter may use the functions of the files below it
(and, inside a layer, of the files listed before it) and never those of a
file above it or beside it. The table below is acl.h's map, lowest first;
files on one line are one layer and may not use each other. The check is
textual: every acl_* name a file uses (outside comments and strings) is
looked up in the file that defines it. It also checks the includes: the
primitives never include task.h, the core never includes await.h.

Usage: check-layers.py [directory of the adapter]; exit status 1 and one
line per violation when the rule is broken.
"""
import os
import re
import sys

LAYERS = [
    ["state.c", "lua.i"],        # the ground: the state, the bridge
    ["value.c"],                 # values, errors, checks, failures
    ["step.c", "task.h"],        # the core: the step, the pool
    ["task.c"],                  # the core: Task objects, spawning
    ["await.c"],                 # the await API
    ["sync.c", "future.c", "context.c", "callback.c", "fs.c", "process.c",
     "tls.c", "loop.c"],         # the primitives
    ["module.c"],                # the registration
]
# Where the declarations of a header count as defined (inline functions).
HEADER_OWNER = {"acl.h": "value.c", "task.h": "task.h", "await.h": "await.c"}
PRIMITIVES = set(LAYERS[5])
CORE = {"step.c", "task.c"}

RANK = {f: i for i, layer in enumerate(LAYERS) for f in layer}

DEF = re.compile(r"^(?:static inline )?(?:ACL_INTERNAL )?(?:const )?[a-z_]\w*[\s\*]+(acl_\w+)\s*\(",
                 re.M)
VAR = re.compile(r"^(?:int|ACL_INTERNAL extern int) (acl_\w+)\s*=", re.M)
USE = re.compile(r"\bacl_\w+\b")


def strip(text):
    """Drops comments and string literals."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    return re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    sources, includes = {}, {}
    for name in list(RANK) + list(HEADER_OWNER):
        path = os.path.join(root, name)
        with open(path, encoding="utf-8") as f:
            raw = f.read()
        includes[name] = set(re.findall(r'^#include "([\w.]+)"', raw, flags=re.M))
        text = strip(raw)
        if name == "lua.i":
            # Its %init is the module's entry (it calls module.c).
            text = re.sub(r"%init %\{.*?%\}", " ", text, flags=re.S)
        sources[name] = text
    owner = {}
    for name, text in sources.items():
        for m in DEF.finditer(text):
            if "{" in text[m.end():].split(";", 1)[0] or name.endswith(".h"):
                if name.endswith(".h") and "static inline" not in m.group(0):
                    continue
                owner.setdefault(m.group(1), HEADER_OWNER.get(name, name))
        for m in VAR.finditer(text):
            if name.endswith(".c") or name.endswith(".i"):
                owner[m.group(1)] = name
    bad = []
    for name in RANK:
        if name.endswith(".h"):
            continue
        text = sources[name]
        for sym in sorted(set(USE.findall(text))):
            home = owner.get(sym)
            if home is None or home == name:
                continue
            if RANK[home] >= RANK[name]:
                bad.append(f"{name}: uses {sym} of {home}, not below it")
        if name in PRIMITIVES and "task.h" in includes[name]:
            bad.append(f"{name}: a primitive includes task.h")
        if name in CORE and "await.h" in includes[name]:
            bad.append(f"{name}: the core includes await.h")
    for line in bad:
        print(line)
    files = sum(1 for name in RANK if not name.endswith(".h"))
    print(f"{files} files, {len(owner)} functions: "
          f"{'ok' if not bad else str(len(bad)) + ' violations'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
