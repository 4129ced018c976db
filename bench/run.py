#!/usr/bin/env python3
"""run.py — builds every benchmark program and runs W1-W4 for libasyncore
(C API, Lua 5.4, LuaJIT, Rust) and its peers (asyncio, uvloop, Go, Node,
Tokio current_thread, raw libuv) side by side: single-loop programs pinned
to one core, repetitions interleaved (rep 1 of every system, then rep 2 ...),
medians with min-max. Prints the table and each libasyncore row's ratio to
its target and to the best peer; writes results.csv and, with gnuplot,
results.png into the output folder. W5 (TCP echo) is run by w5.sh.

    python3 bench/run.py [--reps 3] [--out bench/results]
    python3 bench/run.py --smoke      # tiny sizes, one rep, no pinning
"""
import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = {  # BENCHMARKS.md: targets per face (lower is better)
    ("W1", "c"): 60, ("W2", "c"): 300, ("W3", "c"): 30, ("W4", "c"): 30,
    ("W1", "lua"): 500, ("W2", "lua"): 800, ("W3", "lua"): 700, ("W4", "lua"): 700,
    ("W1", "rust"): 120, ("W2", "rust"): 400, ("W3", "rust"): 100, ("W4", "rust"): 100,
}
OURS = {"asyncore-c": "c", "asyncore-lua5.4": "lua", "asyncore-luajit": "lua",
        "asyncore-rust": "rust"}


def sh(cmd, cwd=ROOT, env=None, check=True):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run(cmd, cwd=cwd, env=e, check=check, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout


def build(builddir):
    if not os.path.exists(os.path.join(builddir, "build.ninja")):
        sh(["meson", "setup", builddir, "-Dbench=enabled", "-Dbuildtype=release",
            "-Dtests=disabled", "-Dexamples=disabled", "-Drust=disabled", "-Dgo=disabled"])
    sh(["ninja", "-C", builddir])
    have = {"cc": True}
    uv = sh(["pkg-config", "--cflags", "--libs", "libuv"]).split()
    sh(["cc", "-O2", "-o", os.path.join(builddir, "raw_libuv"), "bench/peers/libuv/raw.c"] + uv)
    if shutil.which("go"):
        sh(["go", "build", "-o", os.path.abspath(os.path.join(builddir, "go_peer")), "."],
           cwd=os.path.join(ROOT, "bench/peers/go"),
           env={"GOFLAGS": "-mod=mod", "GOPROXY": "off",
                "GOCACHE": os.path.abspath(os.path.join(builddir, "gocache"))})
        have["go"] = True
    if shutil.which("cargo"):
        tdir = os.path.abspath(os.path.join(builddir, "cargo"))
        try:
            sh(["cargo", "build", "--release", "--offline", "-q"],
               cwd=os.path.join(ROOT, "bench/peers/tokio"), env={"CARGO_TARGET_DIR": tdir})
            have["tokio"] = os.path.join(tdir, "release", "tokio-peer")
        except subprocess.CalledProcessError as e:
            print("tokio peer not built:", e.stdout[-400:])
        env = {"CARGO_TARGET_DIR": tdir,
               "PKG_CONFIG_PATH": os.path.abspath(os.path.join(builddir, "meson-uninstalled"))}
        try:
            sh(["cargo", "build", "--release", "--offline", "-q", "--example", "bench"],
               cwd=os.path.join(ROOT, "bindings/rust"), env=env)
            have["rust"] = os.path.join(tdir, "release", "examples", "bench")
        except subprocess.CalledProcessError as e:
            print("rust bench not built:", e.stdout[-400:])
    return have


def systems(builddir, have, scale):
    b = os.path.abspath(builddir)
    lib = os.path.join(b, "capi")
    s = str(scale)
    out = [
        ("asyncore-c", [[f"{b}/bench/w1_spawn", str(200000 // scale)],
                        [f"{b}/bench/w2_sleep", str(100000 // scale)],
                        [f"{b}/bench/w3_queue", str(200000 // scale)],
                        [f"{b}/bench/w4_lock", str(max(1, 2000 // scale))]], {}),
        ("raw-libuv", [[f"{b}/raw_libuv", s]], {}),
        ("asyncio", [["/usr/bin/python3", "bench/peers/asyncio_bench.py", "--scale", s]], {}),
    ]
    if sh(["/usr/bin/python3", "-c", "import uvloop"], check=False).strip() == "":
        out.append(("uvloop", [["/usr/bin/python3", "bench/peers/asyncio_bench.py",
                                "--uvloop", "--scale", s]], {}))
    if shutil.which("node"):
        out.append(("node", [["node", "bench/peers/node/bench.js", s]], {}))
    if have.get("go"):
        out.append(("go", [[f"{b}/go_peer", "-scale", s]], {"GOMAXPROCS": "1"}))
    if have.get("tokio"):
        out.append(("tokio", [[have["tokio"], s]], {}))
    if have.get("rust"):
        out.append(("asyncore-rust", [[have["rust"], s]], {"LD_LIBRARY_PATH": lib}))
    lua_env = {"LUA_PATH": os.path.join(ROOT, "bindings/lua/?.lua") + ";;"}
    mod = os.path.join(b, "bindings/lua")
    if shutil.which("lua5.4") and os.path.exists(os.path.join(mod, "asyncore_core.so")):
        out.append(("asyncore-lua5.4", [["lua5.4", "bench/lua/bench.lua", s, "asyncore-lua5.4"]],
                    dict(lua_env, LUA_CPATH=mod + "/?.so;;")))
    if shutil.which("luajit") and os.path.exists(os.path.join(mod, "luajit/asyncore_core.so")):
        out.append(("asyncore-luajit", [["luajit", "bench/lua/bench.lua", s, "asyncore-luajit"]],
                    dict(lua_env, LUA_CPATH=mod + "/luajit/?.so;;")))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--build", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build-bench", "results"))
    a = ap.parse_args()
    scale, reps = (100, 1) if a.smoke else (1, a.reps)
    have = build(a.build)
    pin = [] if a.smoke or not shutil.which("taskset") else ["taskset", "-c", "1"]
    results = {}  # (workload, system) -> [values]
    units = {}
    failed = 0
    syss = systems(a.build, have, scale)
    for rep in range(reps):
        for name, cmds, env in syss:
            for cmd in cmds:
                try:
                    text = sh(pin + cmd, env=env)
                except subprocess.CalledProcessError as e:
                    print(f"{name}: {' '.join(cmd)} failed:\n{e.stdout[-800:]}")
                    failed += 1
                    continue
                for line in text.splitlines():
                    p = line.split()
                    if len(p) >= 5 and p[0] == "RESULT":
                        results.setdefault((p[1], name), []).append(float(p[3]))
                        units[p[1]] = p[4]
    os.makedirs(a.out, exist_ok=True)
    rows = []
    for (w, name), vals in sorted(results.items()):
        rows.append((w, name, statistics.median(vals), min(vals), max(vals), len(vals)))
    with open(os.path.join(a.out, "results.csv"), "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["workload", "system", "median", "min", "max", "runs", "unit"])
        for r in rows:
            wr.writerow(list(r) + [units.get(r[0], "")])
    print(f"{'workload':8} {'system':16} {'median':>10} {'min-max':>20}  vs target  vs best peer")
    for w, name, med, lo, hi, n in rows:
        peers = [m for (w2, n2, m, *_rest) in rows if w2 == w and not n2.startswith("asyncore")]
        extra = ""
        if name in OURS:
            t = TARGETS.get((w, OURS[name]))
            best = min(peers) if peers else None
            extra = (f"  {med / t:8.2f}x" if t else "          ") + \
                    (f"  {med / best:8.2f}x" if best else "")
        print(f"{w:8} {name:16} {med:10.1f} {lo:9.1f}-{hi:<9.1f} {units.get(w, '')}{extra}")
    if shutil.which("gnuplot") and not a.smoke:
        plot(a.out, rows)
    return 1 if failed or not rows else 0


def plot(out, rows):
    for w in sorted({r[0] for r in rows} - {"W2ms"}):
        data = os.path.join(out, f"{w}.dat")
        with open(data, "w") as f:
            for r in rows:
                if r[0] == w:
                    f.write(f'"{r[1]}" {r[2]}\n')
    script = [f'set terminal png size 1200,800; set output "{out}/results.png"',
              "set multiplot layout 2,2", "set style fill solid", "set boxwidth 0.7",
              "set xtics rotate by -35", "unset key", "set logscale y"]
    for w in ["W1", "W2", "W3", "W4"]:
        if os.path.exists(os.path.join(out, f"{w}.dat")):
            script.append(f'set title "{w}"; plot "{out}/{w}.dat" using 0:2:xtic(1) with boxes')
    script.append("unset multiplot")
    subprocess.run(["gnuplot", "-e", "; ".join(script)], check=False)


if __name__ == "__main__":
    sys.exit(main())
