#!/usr/bin/env python3
"""run.py — builds every benchmark program and runs the workloads W1-W5 of
BENCHMARKS for libasyncore (C API, C++ face, Rust, Go, Lua 5.4, LuaJIT)
and its peers (raw libuv, asyncio, uvloop, Node, Go, Tokio current_thread)
side by side.

W1-W4: each program prints `RESULT <W> <system> <value> <unit>`;
single-loop programs run pinned to core 1 (`taskset -c 1`). W1 comes in two
shapes with the same N tasks: W1g, asyncio's own (create the tasks, then
one gather over them: ac_gather, asyncio.gather, Promise.all, one
sync.WaitGroup ...), the headline W1 column, and W1 beside it, each task
awaited in turn. A program may add `HOW <W> <system> <text>` (how it did
the workload, added to the row's `how`) and `SKIP <W> <system> <why>` (a
figure it could not measure, listed under the table).
W5 (TCP echo): each server prints `port N`, runs pinned to core 0, and the
one common client (w5_client, pinned to core 1) drives it with 1 KiB
messages, one in flight per connection, and reads the server's CPU time
from /proc when its measured window opens and closes (after the warm-up),
so msgs/s and the server's µs per message cover the same messages.
W5-TLS: the same echo over TLS 1.3 with TLS_AES_128_GCM_SHA256 (the one
suite the common TLS client, w5_tls_client, offers), a P-256 certificate
made at run time with `openssl req` in a temporary folder; the client first
makes fresh connections (handshake, one echo, close_notify) and prints the
handshakes per second (HS), then runs the echo as W5 (W5tls, W5tlscpu).
The peers: Python's ssl module under asyncio and uvloop (protocols and
streams), Node's tls, Go's crypto/tls.
H1/H2 (bench/host_frame.c): a frame-paced host — the median idle step
(ac_loop_step beside raw libuv's uv_run(UV_RUN_NOWAIT) in the same
process), and the longest step while a burst of 1,000 new tasks runs under
a 2 ms time budget.
P1 (bench/spawn.c and its peers): a child (/bin/true) started and waited
for, one after another, in µs per child. F1 (bench/fs_read.c): a sparse
file read sequentially in 1 MiB pieces through ac_file_read and
ac_fs_read, next to a blocking read() loop, in MiB/s.

Repetitions are interleaved (rep 1 of every system, then rep 2 ...). Prints
medians with min-max, each libasyncore row's ratio to its target and to the
best peer, and writes results.csv (with how each row ran), results-raw.csv
(every run), results.md (the medians as one table) and, with gnuplot,
results.png into the output folder.

    python3 bench/run.py [--reps 3] [--w5-seconds 3] [--out DIR] [--docs]
    python3 bench/run.py --smoke    # tiny sizes, one rep, no pinning:
                                    # every program runs and is checked
"""
import argparse
import csv
import datetime
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Figures and their units; W5 is the only one where higher is better.
# W1g (W1 gathered, asyncio's shape) comes first: it is the headline W1.
UNITS = {"W1g": "ns/task", "W1": "ns/task", "W2": "B/task", "W2ms": "ms", "W3": "ns/trip", "W4": "ns/acquire",
         "W5": "msgs/s", "W5cpu": "us/msg-user", "W5sys": "us/msg-user+sys",
         "W5tls": "msgs/s", "W5tlscpu": "us/msg-user", "HS": "handshakes/s",
         "H1": "ns/idle-step", "H2": "us/longest-step", "H2frames": "frames",
         "P1": "us/child", "F1": "MiB/s"}
ORDER = list(UNITS)
HIGHER_IS_BETTER = {"W5", "W5tls", "HS", "F1"}

# Our rows and their face in the targets table of BENCHMARKS.
OURS = {"asyncore-c": "c", "asyncore-c-pread": "c", "asyncore-cpp": "c", "asyncore-rust": "rust", "asyncore-go": "go",
        "asyncore-lua5.4": "lua", "asyncore-luajit": "lua"}
# Targets: a number is a bound (at most, or at least where higher is
# better); (peer, factor) is factor x that peer's median in the same run: at
# least that for msgs/s, at most that for a time. W1g, the gather shape, is
# held to Tokio's spawn + join of the same N tasks rather than to a number
# of ns, since that is the comparison a user makes: the C API (and the C++
# face, which shares the C targets) at most 0.7x Tokio. ("self", factor,
# figure) is factor x the same system's median of another figure: W5-TLS
# echo at least 0.8x the same face's plain W5 (and at least the best peer,
# the "vs best peer" column).
TARGETS = {
    "c": {"W1g": ("tokio", 0.7), "W1": 60, "W2": 300, "W3": 30, "W4": 30, "W5": ("raw-libuv", 0.97), "W5cpu": 0.35,
          "H1": 2000, "H2": 2500, "W5tls": ("self", 0.8, "W5")},
    "lua": {"W1": 500, "W2": 800, "W3": 700, "W4": 700, "W5": ("uvloop-protocols", 1.0),
            "W5tls": ("self", 0.8, "W5")},
    "go": {"W1": 1000, "W3": 1000, "W5": ("go", 1.0)},
    "rust": {"W1": 120, "W2": 400, "W3": 100, "W4": 100, "W5": ("tokio", 0.97),
             "W5tls": ("self", 0.8, "W5")},
}
# Rows shown for reference only, never counted as the best peer.
REFERENCE_ONLY = {"go-unpinned"}
# How each system gathers in W1g (a program's HOW line says more).
W1G_HOW = {"asyncore-c": "ac_gather", "asyncore-cpp": "gather(vector<TaskHandle>)",
           "asyncore-rust": "gather(Vec<JoinHandle>)", "asyncore-go": "co.Gather",
           "asyncore-lua5.4": "ac.gather", "asyncore-luajit": "ac.gather",
           "go": "sync.WaitGroup", "go-unpinned": "sync.WaitGroup", "node": "Promise.all",
           "uvloop": "asyncio.gather", "asyncio": "asyncio.gather"}
SYSTEM_ORDER = ["asyncore-c", "asyncore-cpp", "asyncore-rust", "asyncore-go", "asyncore-lua5.4",
                "asyncore-luajit", "raw-libuv", "tokio", "go", "go-unpinned", "node",
                "uvloop", "uvloop-protocols", "uvloop-streams",
                "asyncio", "asyncio-protocols", "asyncio-streams"]


class Program:
    """One W1-W4 program (name: its system) or one W5 server."""

    def __init__(self, name, cmd, env=None, pinned=True, how=None, at_scale=None, group="W1-W4"):
        self.name, self.cmd, self.env, self.pinned = name, cmd, env or {}, pinned
        self.group = group  # what --only selects it by
        self.how = how
        # at_scale(scale) -> cmd: a program whose sizes may be divided to
        # keep a full run within its time (see fit_time_budget).
        self.at_scale, self.scale = at_scale, 1


def sh(cmd, cwd=ROOT, env=None, check=True, timeout=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run(cmd, cwd=cwd, env=e, check=check, text=True, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout


# ---- building ----

def go_env(b):
    return {"GOFLAGS": "-mod=mod", "GOPROXY": "off", "CGO_ENABLED": "1",
            "GOCACHE": os.path.join(b, "gocache"), "GOPATH": os.path.join(b, "gopath"),
            "PKG_CONFIG_PATH": os.path.join(b, "meson-uninstalled")}


def build(b):
    """Builds everything it can into b; returns (what was built, errors)."""
    have, errors = {}, []

    def step(what, fn):
        try:
            fn()
            return True
        except (subprocess.CalledProcessError, OSError) as e:
            out = getattr(e, "stdout", None) or str(e)
            print(f"{what} not built:\n{out[-1500:]}", flush=True)
            errors.append(what)
            return False

    # The same options whether the folder is new or reused, so a folder
    # set up by hand with other options (Lua off, a debug build) cannot
    # silently drop rows or slow every row down.
    opts = ["-Dbench=enabled", "-Dbuildtype=release", "-Db_sanitize=none", "-Dtests=disabled",
            "-Dexamples=disabled", "-Drust=disabled", "-Dgo=disabled", "-Dlua=auto", "-Dluajit=auto"]
    if not os.path.exists(os.path.join(b, "build.ninja")):
        sh(["meson", "setup", b] + opts)
    else:
        sh(["meson", "configure", b] + opts)
    sh(["ninja", "-C", b])
    uv = sh(["pkg-config", "--cflags", "--libs", "libuv"]).split()
    sh(["cc", "-O2", "-o", os.path.join(b, "raw_libuv"), "bench/peers/libuv/raw.c"] + uv)
    if shutil.which("go"):
        env = go_env(b)
        if step("go peer", lambda: sh(["go", "build", "-o", os.path.join(b, "go_peer"), "."],
                                      cwd=os.path.join(ROOT, "bench/peers/go"), env=env)):
            have["go"] = os.path.join(b, "go_peer")
        # The binding's raw layer is generated by SWIG (go generate runs
        # bindings/go/internal/raw/generate.sh); go builds the binding
        # against this build's library (pkg-config, uninstalled).
        if shutil.which("swig") and step("Go binding raw layer", lambda: sh(
                ["go", "generate", "./internal/raw"],
                cwd=os.path.join(ROOT, "bindings/go"), env=env)):
            if step("Go binding bench", lambda: sh(
                    ["go", "build", "-o", os.path.join(b, "go_binding_bench"), "./cmd/bench"],
                    cwd=os.path.join(ROOT, "bindings/go"), env=env)):
                have["go-binding"] = os.path.join(b, "go_binding_bench")
            if step("Go binding W5 server", lambda: sh(
                    ["go", "build", "-o", os.path.join(b, "go_binding_w5"), "."],
                    cwd=os.path.join(ROOT, "bench/go_binding_w5"), env=env)):
                have["go-binding-w5"] = os.path.join(b, "go_binding_w5")
    if shutil.which("cargo"):
        tdir = os.path.join(b, "cargo")
        if step("tokio peer", lambda: sh(["cargo", "build", "--release", "--offline", "-q"],
                                         cwd=os.path.join(ROOT, "bench/peers/tokio"),
                                         env={"CARGO_TARGET_DIR": tdir})):
            have["tokio"] = os.path.join(tdir, "release", "tokio-peer")
        env = {"CARGO_TARGET_DIR": tdir, "PKG_CONFIG_PATH": os.path.join(b, "meson-uninstalled")}
        if step("Rust binding bench", lambda: sh(
                ["cargo", "build", "--release", "--offline", "-q", "-p", "asyncore",
                 "--example", "bench", "--example", "w5_echo"],
                cwd=os.path.join(ROOT, "bindings/rust"), env=env)):
            have["rust"] = os.path.join(tdir, "release", "examples", "bench")
            have["rust-w5"] = os.path.join(tdir, "release", "examples", "w5_echo")
            have["rust-w5tls"] = have["rust-w5"]  # W5_TLS_CERT/KEY make it the TLS server
    return have, errors


def has_uvloop():
    return sh(["/usr/bin/python3", "-c", "import uvloop"], check=False).strip() == ""


def lua_variants(b):
    """(system, interpreter, env) for each Lua the binding was built for."""
    out = []
    base = {"LUA_PATH": os.path.join(ROOT, "bindings/lua/?.lua") + ";;"}
    mod = os.path.join(b, "bindings/lua")
    if shutil.which("lua5.4") and os.path.exists(os.path.join(mod, "asyncore_lua54.so")):
        out.append(("asyncore-lua5.4", "lua5.4", dict(base, LUA_CPATH=mod + "/?.so;;")))
    if shutil.which("luajit") and os.path.exists(os.path.join(mod, "luajit/asyncore_luajit.so")):
        out.append(("asyncore-luajit", "luajit", dict(base, LUA_CPATH=mod + "/luajit/?.so;;")))
    return out


def programs(b, have, scale):
    """The W1-W4 programs."""
    s = str(scale)
    lib = {"LD_LIBRARY_PATH": os.path.join(b, "capi")}
    sizes = [str(200000 // scale), str(200000 // scale), str(100000 // scale),
             str(200000 // scale), str(max(1, 2000 // scale))]
    out = []
    for name, suffix in (("asyncore-c", ""), ("asyncore-cpp", "_cpp")):
        for prog, n in zip(["w1_spawn", "w1_gather", "w2_sleep", "w3_queue", "w4_lock"], sizes):
            out.append(Program(name, [f"{b}/bench/{prog}{suffix}", n]))
    if have.get("rust"):
        out.append(Program("asyncore-rust", [have["rust"], s], lib))
    if have.get("go-binding"):
        go_bench = have["go-binding"]
        out.append(Program("asyncore-go", [go_bench, "-result", "-scale", s],
                           dict(lib, GOMAXPROCS="1"),
                           at_scale=lambda k: [go_bench, "-result", "-scale", str(k)]))
    for name, lua, env in lua_variants(b):
        out.append(Program(name, [lua, "bench/lua/bench.lua", s, name], env))
    out.append(Program("raw-libuv", [f"{b}/raw_libuv", s]))
    # H1/H2: a frame-paced host's idle step (ours and raw libuv's NOWAIT,
    # measured side by side in one process) and a burst frame.
    out.append(Program("asyncore-c", [f"{b}/bench/host_frame", s], group="H"))
    # P1: a child started and waited for, one after another (ours and raw
    # libuv's uv_spawn in one program; asyncio, Go and Node below). F1: a
    # file read sequentially (ours beside a blocking read() loop).
    children = str(max(10, 1000 // scale))
    out.append(Program("asyncore-c", [f"{b}/bench/spawn", children], group="P1"))
    out.append(Program("asyncore-c", [f"{b}/bench/fs_read", str(max(8, 512 // scale))], group="F1"))
    if have.get("tokio"):
        out.append(Program("tokio", [have["tokio"], s]))
    if have.get("go"):
        out.append(Program("go", [have["go"], "-scale", s], {"GOMAXPROCS": "1"}))
        out.append(Program("go", [have["go"], "-spawn", children], {"GOMAXPROCS": "1"}, group="P1"))
        out.append(Program("go-unpinned", [have["go"], "-scale", s, "-name", "go-unpinned"],
                           pinned=False, how="unpinned, GOMAXPROCS unset"))
    if shutil.which("node"):
        out.append(Program("node", ["node", "bench/peers/node/bench.js", s]))
        out.append(Program("node", ["node", "bench/peers/node/spawn.js", children], group="P1"))
    if has_uvloop():
        out.append(Program("uvloop", ["/usr/bin/python3", "bench/peers/asyncio_bench.py",
                                      "--uvloop", "--scale", s]))
    out.append(Program("asyncio", ["/usr/bin/python3", "bench/peers/asyncio_bench.py",
                                   "--scale", s]))
    out.append(Program("asyncio", ["/usr/bin/python3", "bench/peers/spawn_asyncio.py", children],
                       group="P1"))
    return out


def servers(b, have):
    """The W5 servers; each takes its serving time in seconds last."""
    lib = {"LD_LIBRARY_PATH": os.path.join(b, "capi")}
    out = [Program("asyncore-c", [f"{b}/bench/w5_echo_asyncore"]),
           Program("asyncore-cpp", [f"{b}/bench/w5_echo_cpp"])]
    if have.get("rust-w5"):
        out.append(Program("asyncore-rust", [have["rust-w5"]], lib))
    if have.get("go-binding-w5"):
        out.append(Program("asyncore-go", [have["go-binding-w5"]], dict(lib, GOMAXPROCS="1")))
    for name, lua, env in lua_variants(b):
        out.append(Program(name, [lua, "bench/lua/w5_echo.lua"], env))
    out.append(Program("raw-libuv", [f"{b}/bench/w5_echo_raw_libuv"]))
    if have.get("tokio"):
        out.append(Program("tokio", [have["tokio"], "w5"]))
    if have.get("go"):
        out.append(Program("go", [have["go"], "-w5"], {"GOMAXPROCS": "1"}))
    if shutil.which("node"):
        out.append(Program("node", ["node", "bench/peers/node/w5_echo.js"]))
    for impl in (["uvloop"] if has_uvloop() else []) + ["asyncio"]:
        for kind in ("protocols", "streams"):
            out.append(Program(f"{impl}-{kind}", ["/usr/bin/python3", "bench/peers/w5_python.py",
                                                  impl, kind]))
    return out


def make_cert(folder):
    """A self-signed P-256 certificate for localhost: (cert, key) paths."""
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    sh(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-days", "2", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert])
    return cert, key


def tls_servers(b, have, cert, key):
    """The W5-TLS servers (the W5 servers' interface, certificate and key in
    W5_TLS_CERT and W5_TLS_KEY)."""
    if not os.path.exists(os.path.join(b, "bench", "w5_tls_client")):
        return []  # built without TLS
    tls = {"W5_TLS_CERT": cert, "W5_TLS_KEY": key}
    lib = dict(tls, LD_LIBRARY_PATH=os.path.join(b, "capi"))
    out = [Program("asyncore-c", [f"{b}/bench/w5_tls_echo_asyncore"], tls)]
    if have.get("rust-w5tls"):
        out.append(Program("asyncore-rust", [have["rust-w5tls"]], lib))
    for name, lua, env in lua_variants(b):
        out.append(Program(name, [lua, "bench/lua/w5_echo.lua"], dict(env, **tls)))
    if have.get("go"):
        out.append(Program("go", [have["go"], "-w5tls"], dict(tls, GOMAXPROCS="1")))
    if shutil.which("node"):
        out.append(Program("node", ["node", "bench/peers/node/w5_tls_echo.js"], tls))
    for impl in (["uvloop"] if has_uvloop() else []) + ["asyncio"]:
        for kind in ("protocols", "streams"):
            out.append(Program(f"{impl}-{kind}", ["/usr/bin/python3", "bench/peers/w5_python.py",
                                                  impl, kind], tls))
    return out


# ---- running ----

class Runner:
    def __init__(self, a, b):
        self.a, self.b = a, b
        self.results = {}  # (figure, system) -> [value per rep]
        self.how = {}  # system -> how it ran, per kind of workload
        self.notes = {}  # (figure, system) -> the program's HOW line
        self.skips = {}  # (figure, system) -> why the program could not measure it
        self.failures = []
        pin_ok = shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
        self.pin = pin_ok and not a.smoke

    def record(self, figure, system, value):
        self.results.setdefault((figure, system), []).append(value)

    def fail(self, what, text):
        print(f"FAILED {what}:\n{text[-1500:]}", flush=True)
        self.failures.append(what)

    def run_program(self, p):
        pin = ["taskset", "-c", "1"] if self.pin and p.pinned else []
        env_text = " ".join(f"{k}={v}" for k, v in p.env.items() if k == "GOMAXPROCS")
        self.how.setdefault(("W1-W4", p.name), p.how or ", ".join(
            x for x in ["taskset -c 1" if pin else "unpinned", env_text] if x))
        what = f"{p.name}: {' '.join(os.path.basename(c) if i == 0 else c for i, c in enumerate(p.cmd))}"
        t0 = time.monotonic()
        try:
            text = sh(pin + p.cmd, env=p.env, timeout=600)
        except subprocess.CalledProcessError as e:
            self.fail(what, e.stdout or "")
            return
        except subprocess.TimeoutExpired:
            self.fail(what, "timed out")
            return
        n = 0
        for line in text.splitlines():
            f = line.split()
            if len(f) >= 4 and f[0] in ("HOW", "SKIP"):
                (self.notes if f[0] == "HOW" else self.skips)[(f[1], f[2])] = " ".join(f[3:])
                continue
            if len(f) >= 5 and f[0] == "RESULT":
                try:
                    self.record(f[1], f[2], float(f[3]))
                except ValueError:
                    continue
                self.how.setdefault(("W1-W4", f[2]), self.how[("W1-W4", p.name)])
                n += 1
        if n == 0:
            self.fail(what, "no RESULT line in:\n" + text)
        print(f"  {what}: {time.monotonic() - t0:.1f} s", flush=True)

    def fit_time_budget(self, progs, budget):
        """Times each rescalable program once at 1/100 of its sizes; one that
        would take longer than `budget` seconds at full size runs at the
        smallest division of its sizes that fits (noted in the CSV)."""
        for p in progs:
            if p.at_scale is None:
                continue
            pin = ["taskset", "-c", "1"] if self.pin and p.pinned else []
            t0 = time.monotonic()
            try:
                sh(pin + p.at_scale(100), env=p.env, timeout=600)
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                continue  # the reps report the failure
            full = (time.monotonic() - t0) * 100
            p.scale = next((k for k in (1, 2, 5, 10, 20, 50, 100) if full / k <= budget), 100)
            if p.scale > 1:
                p.cmd = p.at_scale(p.scale)
                p.how = ", ".join(x for x in [
                    "taskset -c 1" if pin else "unpinned",
                    " ".join(f"{k}={v}" for k, v in p.env.items() if k == "GOMAXPROCS"),
                    f"sizes / {p.scale} (about {full:.0f} s at full size)"] if x)
                print(f"{p.name}: about {full:.0f} s at full size: runs at sizes / {p.scale}",
                      flush=True)

    def run_server(self, srv, tls=False):
        a = self.a
        client = os.path.join(self.b, "bench", "w5_tls_client" if tls else "w5_client")
        smoke = a.smoke
        fig = "W5tls" if tls else "W5"
        # Serving time: in smoke mode the server ends by itself (checked);
        # otherwise it is stopped once the client is done.
        serve = a.w5_warmup + a.w5_seconds + (1.5 if smoke else 60)
        # W5-TLS: room for the fresh connections (Python's slowest peers
        # make some 20 handshakes a second on a busy machine).
        hs_time = 2 + a.tls_handshakes * 0.05 if tls else 0
        serve += hs_time
        spin = ["taskset", "-c", "0"] if self.pin else []
        cpin = ["taskset", "-c", "1"] if self.pin else []
        env_text = " ".join(f"{k}={v}" for k, v in srv.env.items() if k == "GOMAXPROCS")
        self.how.setdefault((fig, srv.name), ", ".join(x for x in [
            "server taskset -c 0, client taskset -c 1" if self.pin else "unpinned",
            env_text] if x))
        what = f"{srv.name}: {'W5-TLS' if tls else 'W5'} server"
        env = dict(os.environ)
        env.update(srv.env)
        t0 = time.monotonic()
        proc = subprocess.Popen(spin + srv.cmd + [f"{serve:g}"], cwd=ROOT, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        lines, port_seen = [], threading.Event()

        def reader():
            for line in proc.stdout:
                lines.append(line)
                if line.startswith("port "):
                    port_seen.set()
            port_seen.set()

        th = threading.Thread(target=reader, daemon=True)
        th.start()
        port_seen.wait(60)
        port = next((ln.split()[1] for ln in lines if ln.startswith("port ")), None)
        if port is None:
            self.stop(proc)
            th.join(5)
            self.fail(what, "no port line:\n" + "".join(lines))
            return
        # taskset execs the server: proc.pid is the server itself.
        extra = [str(a.tls_handshakes)] if tls else []
        try:
            out = sh(cpin + [client, port, str(a.w5_connections), f"{a.w5_seconds:g}",
                             f"{a.w5_warmup:g}", str(proc.pid)] + extra,
                     timeout=a.w5_seconds + 120 + hs_time)
            ok = True
        except subprocess.CalledProcessError as e:
            out, ok = e.stdout or "", False
        except subprocess.TimeoutExpired:
            out, ok = "client timed out", False
        if smoke and ok:
            try:
                proc.wait(serve + 30)
            except subprocess.TimeoutExpired:
                pass
        if proc.poll() is None:
            self.stop(proc)
        th.join(5)
        server_out = "".join(lines)
        if not ok:
            self.fail(what, f"client:\n{out}\nserver:\n{server_out}")
            return
        if smoke and (proc.returncode != 0 or "cpu user" not in server_out):
            self.fail(what, f"server exit status {proc.returncode}:\n{server_out}")
            return
        m = re.search(r"^(\d+) msgs/s \((\d+) messages in ([\d.]+) s\)", out, re.M)
        c = re.search(r"^server cpu user ([\d.]+) s sys ([\d.]+) s", out, re.M)
        if not m or not c or int(m.group(2)) == 0:
            self.fail(what, f"unexpected client output:\n{out}")
            return
        msgs = int(m.group(2))
        user, system = float(c.group(1)), float(c.group(2))
        if tls:
            h = re.search(r"^(\d+) handshakes/s", out, re.M)
            if a.tls_handshakes > 0 and not h:
                self.fail(what, f"unexpected client output:\n{out}")
                return
            if h:
                self.record("HS", srv.name, float(h.group(1)))
            self.record("W5tls", srv.name, float(m.group(1)))
            self.record("W5tlscpu", srv.name, user * 1e6 / msgs)
            print(f"  {srv.name}: W5-TLS {m.group(1)} msgs/s, "
                  f"{h.group(1) if h else '-'} handshakes/s, server user "
                  f"{user * 1e6 / msgs:.2f} us/msg ({time.monotonic() - t0:.1f} s)", flush=True)
            return
        self.record("W5", srv.name, float(m.group(1)))
        self.record("W5cpu", srv.name, user * 1e6 / msgs)
        self.record("W5sys", srv.name, (user + system) * 1e6 / msgs)
        print(f"  {srv.name}: W5 {m.group(1)} msgs/s, server user {user * 1e6 / msgs:.2f} "
              f"us/msg, user+sys {(user + system) * 1e6 / msgs:.2f} us/msg "
              f"({time.monotonic() - t0:.1f} s)", flush=True)

    @staticmethod
    def stop(proc):
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---- figures ----

def median(v):
    return statistics.median(v)


def gather_how(w, name, notes):
    """How a W1g row gathered: the program's own word, or the usual way."""
    if w != "W1g":
        return notes.get((w, name), "")
    return notes.get((w, name)) or W1G_HOW.get(name, "")


def summarize(results, how, notes=None):
    """Rows: dicts with the median, min-max, target and peer ratios."""
    notes = notes or {}
    def key(item):
        (w, name) = item
        wi = ORDER.index(w) if w in ORDER else len(ORDER)
        si = SYSTEM_ORDER.index(name) if name in SYSTEM_ORDER else len(SYSTEM_ORDER)
        return (wi, si, name)

    rows = []
    for (w, name) in sorted(results, key=key):
        vals = results[(w, name)]
        higher = w in HIGHER_IS_BETTER
        ran = how.get(("W5tls" if w.startswith("W5tls") or w == "HS" else
                       "W5" if w.startswith("W5") else "W1-W4", name), "")
        note = gather_how(w, name, notes)
        row = {"workload": w, "system": name, "median": median(vals), "min": min(vals),
               "max": max(vals), "runs": len(vals), "unit": UNITS.get(w, ""),
               "better": "higher" if higher else "lower",
               "how": "; ".join(x for x in (ran, note) if x), "ran": ran, "note": note,
               "target": "", "vs_target": None, "best_peer": "", "vs_best_peer": None}
        peers = {n: median(v) for (w2, n), v in results.items()
                 if w2 == w and n not in OURS and n not in REFERENCE_ONLY}
        if name in OURS:
            t = TARGETS[OURS[name]].get(w)
            if isinstance(t, tuple) and len(t) == 3:
                _, factor, other = t
                if (other, name) in results and median(results[(other, name)]) > 0:
                    bound = ">=" if higher else "<="
                    row["target"] = f"{bound} {factor:g}x own {other}"
                    row["vs_target"] = row["median"] / (factor * median(results[(other, name)]))
            elif isinstance(t, tuple):
                peer, factor = t
                if (w, peer) in results and median(results[(w, peer)]) > 0:
                    bound = ">=" if higher else "<="
                    row["target"] = (f"{bound} {factor:g}x {peer}" if factor != 1
                                     else f"{bound} {peer}")
                    row["vs_target"] = row["median"] / (factor * median(results[(w, peer)]))
            elif t is not None:
                row["target"] = f"<= {t:g}"
                row["vs_target"] = row["median"] / t
            if peers:
                best = (max if higher else min)(peers, key=peers.get)
                row["best_peer"] = best
                row["vs_best_peer"] = row["median"] / peers[best] if peers[best] else None
        rows.append(row)
    return rows


def meets(row):
    if row["vs_target"] is None:
        return ""
    ok = row["vs_target"] >= 1 if row["better"] == "higher" else row["vs_target"] <= 1
    return "yes" if ok else "no"


def fmt(v):
    if v is None:
        return ""
    if v >= 1000:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def print_table(rows, skips=None):
    print(f"\n{'figure':7} {'system':18} {'median':>10} {'min-max':>21}  {'unit':16}"
          f" {'target':>22} {'vs target':>9} {'met':>3}  {'vs best peer':>12}")
    last = None
    for r in rows:
        if last is not None and r["workload"] != last:
            print()
        last = r["workload"]
        vt = f"{r['vs_target']:.2f}x" if r["vs_target"] is not None else ""
        vp = f"{r['vs_best_peer']:.2f}x {r['best_peer']}" if r["vs_best_peer"] is not None else ""
        print(f"{r['workload']:7} {r['system']:18} {fmt(r['median']):>10} "
              f"{fmt(r['min']) + '-' + fmt(r['max']):>21}  {r['unit']:16} {r['target']:>22} "
              f"{vt:>9} {meets(r):>3}  {vp}")
    for (w, name), why in sorted((skips or {}).items()):
        print(f"\nnot measured: {w} {name}: {why}")


def write_csv(path, rows):
    cols = ["workload", "system", "median", "min", "max", "runs", "unit", "better", "how",
            "target", "vs_target", "met", "best_peer", "vs_best_peer"]
    with open(path, "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(cols)
        for r in rows:
            r = dict(r, met=meets(r))
            wr.writerow([(f"{r[c]:.4g}" if isinstance(r[c], float) else r[c])
                         if r[c] is not None else "" for c in cols])


def write_markdown(path, rows, machine, reps, skips=None):
    """The medians as one table: a line per system, a column per figure."""
    figs = [w for w in ORDER if any(r["workload"] == w for r in rows)]
    names = []
    for r in rows:
        if r["system"] not in names:
            names.append(r["system"])
    names.sort(key=lambda n: SYSTEM_ORDER.index(n) if n in SYSTEM_ORDER else len(SYSTEM_ORDER))
    cell = {(r["workload"], r["system"]): r for r in rows}
    head = {"W1g": "W1 gather ns/task", "W1": "W1 one-by-one ns/task", "W2": "W2 B/task", "W2ms": "W2 ms", "W3": "W3 ns/trip",
            "W4": "W4 ns/acq", "W5": "W5 msgs/s", "W5cpu": "W5 user µs/msg",
            "W5sys": "W5 user+sys µs/msg", "W5tls": "W5-TLS msgs/s",
            "W5tlscpu": "W5-TLS user µs/msg", "HS": "TLS handshakes/s"}
    lines = [f"Medians of {reps} interleaved runs, {datetime.date.today().isoformat()}, "
             f"{machine}; (×N): ratio to the target (W1-W4 and W5 µs: ≤ 1 meets it; "
             "W5 msgs/s: ≥ 1 meets it).", "",
             "| system | " + " | ".join(head.get(w, w) for w in figs) + " |",
             "|---|" + "---:|" * len(figs)]
    for n in names:
        cells = []
        for w in figs:
            r = cell.get((w, n))
            if r is None:
                cells.append("—")
                continue
            c = fmt(r["median"])
            if r["vs_target"] is not None:
                c += f" ({r['vs_target']:.2f}×)"
            cells.append(c)
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    usual = {"taskset -c 1", "server taskset -c 0, client taskset -c 1"}
    notes = sorted({(r["system"], "W5" if r["workload"].startswith("W5") else "W1-W4", r["ran"])
                    for r in rows if r["ran"] and (r["ran"].split(", GOMAXPROCS=1")[0] not in usual
                                                   or "sizes /" in r["ran"])},
                   key=lambda x: (SYSTEM_ORDER.index(x[0]) if x[0] in SYSTEM_ORDER else 99, x[1]))
    if notes:
        lines += ["", "W1-W4 ran on `taskset -c 1`, W5 servers on core 0 and the client on "
                  "core 1 (Go with GOMAXPROCS=1), except: " + "; ".join(f"{n} {w}: {h}" for n, w, h in notes) + "."]
    gathers = [(r["system"], r["note"]) for r in rows if r["workload"] == "W1g" and r["note"]]
    if gathers:
        none = [n for n in names if ("W1", n) in cell and ("W1g", n) not in cell]
        lines += ["", "W1 gather: N tasks created, then one gather over them, awaited once "
                  "(asyncio's shape); W1 one-by-one: the same tasks awaited in turn. The gather: "
                  + "; ".join(f"{n} {h}" for n, h in gathers)
                  + (f"; {', '.join(none)}: none" if none else "") + "."]
    for (w, name), why in sorted((skips or {}).items()):
        lines += ["", f"{head.get(w, w)}, {name}: not measured ({why})."]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def plot(out, rows, title):
    """One PNG: a panel per figure, ours in blue, peers in grey, min-max bars."""
    title += "\\nblue: libasyncore, grey: peers; bars: median, whiskers: min-max"
    data = os.path.join(out, "results.dat")
    figs = [w for w in ORDER if any(r["workload"] == w for r in rows)]
    with open(data, "w") as f:
        for w in figs:
            f.write(f"# {w}\n")
            for r in rows:
                if r["workload"] == w:
                    color = 0x3366cc if r["system"] in OURS else 0x999999
                    f.write(f'"{r["system"]}" {r["median"]:g} {r["min"]:g} {r["max"]:g} {color}\n')
            f.write("\n\n")
    titles = {"W1g": "W1 gather: N tasks, one gather, ns/task (log)",
              "W1": "W1 one-by-one: N tasks awaited in turn, ns/task (log)", "W2": "W2 memory, B/task (log)",
              "W2ms": "W2 wall ms (100 ms sleeps)", "W3": "W3 queue ping-pong, ns/trip (log)",
              "W4": "W4 lock, ns/acquire (log)", "W5": "W5 TCP echo, msgs/s (higher is better)",
              "W5cpu": "W5 server user µs/msg (log)", "W5sys": "W5 server user+sys µs/msg",
              "W5tls": "W5-TLS echo, msgs/s (higher is better)",
              "W5tlscpu": "W5-TLS server user µs/msg (log)",
              "HS": "TLS 1.3 handshakes/s (higher is better)"}
    logs = {"W1g", "W1", "W2", "W3", "W4", "W5cpu", "W5tlscpu"}
    cols = (len(figs) + 1) // 2
    script = [f'set terminal pngcairo size {450 * cols},1000 font "sans,9"',
              f'set output "{os.path.join(out, "results.png")}"',
              f'set multiplot layout 2,{cols} title "{title}"',
              "set style fill solid 0.8 border -1", "set boxwidth 0.7",
              "set xtics rotate by -45 left", "unset key", "set grid ytics", "set bmargin 8",
              "set rmargin 6"]
    for i, w in enumerate(figs):
        script.append("set logscale y" if w in logs else "unset logscale y; set yrange [0:*]")
        script.append(f'set title "{titles.get(w, w)}"')
        script.append(f'plot "{data}" index {i} using 0:2:5:xtic(1) with boxes lc rgb variable, '
                      f'"" index {i} using 0:2:3:4 with yerrorbars lc rgb "black" pt 0')
        if w not in logs:
            script.append("set autoscale y")
    script.append("unset multiplot")
    with open(os.path.join(out, "results.gp"), "w") as f:
        f.write("\n".join(script) + "\n")
    subprocess.run(["gnuplot", os.path.join(out, "results.gp")], check=False)


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    return f"{os.cpu_count()} vCPUs ({cpu}), {platform.system()}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=3, help="interleaved repetitions (default 3)")
    ap.add_argument("--smoke", action="store_true",
                    help="tiny sizes, one rep, no pinning; fails if any program fails")
    ap.add_argument("--build", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--out", default=None, help="output folder (default BUILD/results)")
    ap.add_argument("--w5-seconds", type=float, default=None,
                    help="measured seconds per W5 run (default 4; smoke 0.3)")
    ap.add_argument("--w5-warmup", type=float, default=None,
                    help="W5 warm-up seconds, not measured (default 0.5; smoke 0.1)")
    ap.add_argument("--w5-connections", type=int, default=None,
                    help="W5 connections (default 50; smoke 2)")
    ap.add_argument("--max-program-seconds", type=float, default=20,
                    help="a rescalable program (the Go binding's) expected to run longer than "
                         "this at full size runs at smaller sizes (default 20)")
    ap.add_argument("--tls-handshakes", type=int, default=None,
                    help="W5-TLS fresh connections counted for handshakes/s (default 1000; smoke 20)")
    ap.add_argument("--only", default="",
                    help="comma-separated workloads to run: W1-W4, W5, W5-TLS, H (H1/H2), P1, F1")
    ap.add_argument("--docs", action="store_true",
                    help="also copy the chart and the CSV to docs/bench.png, docs/bench.csv")
    a = ap.parse_args()
    a.build = os.path.abspath(a.build)
    a.out = os.path.abspath(a.out or os.path.join(a.build, "results"))
    if a.w5_seconds is None:
        a.w5_seconds = 0.3 if a.smoke else 4.0
    if a.w5_warmup is None:
        a.w5_warmup = 0.1 if a.smoke else 0.5
    if a.w5_connections is None:
        a.w5_connections = 2 if a.smoke else 50
    if a.tls_handshakes is None:
        a.tls_handshakes = 20 if a.smoke else 1000
    scale, reps = (100, 1) if a.smoke else (1, a.reps)
    only = set(x.strip().upper() for x in a.only.split(",") if x.strip())
    t_start = time.monotonic()
    have, build_errors = build(a.build)
    print(f"built in {time.monotonic() - t_start:.0f} s", flush=True)
    runner = Runner(a, a.build)
    progs = [p for p in programs(a.build, have, scale) if not only or p.group in only]
    srvs = servers(a.build, have) if not only or "W5" in only else []
    tls_srvs, certdir = [], None
    if not only or "W5-TLS" in only:
        certdir = tempfile.mkdtemp(prefix="w5tls-")
        try:
            tls_srvs = tls_servers(a.build, have, *make_cert(certdir))
        except (subprocess.CalledProcessError, OSError) as e:
            runner.fail("W5-TLS certificate", getattr(e, "stdout", None) or str(e))
        if not tls_srvs:
            print("W5-TLS: not run (no TLS in this build, or no certificate)", flush=True)
    t_run = time.monotonic()
    if not a.smoke:
        runner.fit_time_budget(progs, a.max_program_seconds)
    for rep in range(reps):
        if progs:
            print(f"rep {rep + 1}/{reps}: " + ", ".join(dict.fromkeys(p.group for p in progs)),
                  flush=True)
        for p in progs:
            runner.run_program(p)
        if srvs:
            print(f"rep {rep + 1}/{reps}: W5 ({a.w5_connections} connections, "
                  f"{a.w5_seconds:g} s after {a.w5_warmup:g} s warm-up)", flush=True)
        for s in srvs:
            runner.run_server(s)
        if tls_srvs:
            print(f"rep {rep + 1}/{reps}: W5-TLS ({a.tls_handshakes} handshakes, then "
                  f"{a.w5_connections} connections, {a.w5_seconds:g} s after {a.w5_warmup:g} s "
                  "warm-up)", flush=True)
        for s in tls_srvs:
            runner.run_server(s, tls=True)
    if certdir is not None:
        shutil.rmtree(certdir, ignore_errors=True)
    run_time = time.monotonic() - t_run
    rows = summarize(runner.results, runner.how, runner.notes)
    os.makedirs(a.out, exist_ok=True)
    print_table(rows, runner.skips)
    write_csv(os.path.join(a.out, "results.csv"), rows)
    with open(os.path.join(a.out, "results-raw.csv"), "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["workload", "system", "rep", "value", "unit"])
        for (w, name), vals in sorted(runner.results.items()):
            for i, v in enumerate(vals):
                wr.writerow([w, name, i + 1, f"{v:.6g}", UNITS.get(w, "")])
    desc = machine()
    write_markdown(os.path.join(a.out, "results.md"), rows, desc, reps, runner.skips)
    if shutil.which("gnuplot") and not a.smoke and rows:
        plot(a.out, rows, f"libasyncore and peers, medians of {reps} interleaved runs, "
                          f"{datetime.date.today().isoformat()}, {desc}")
        if a.docs:
            shutil.copy(os.path.join(a.out, "results.png"), os.path.join(ROOT, "docs/bench.png"))
    if a.docs and rows:
        shutil.copy(os.path.join(a.out, "results.csv"), os.path.join(ROOT, "docs/bench.csv"))
    print(f"\nran in {run_time:.0f} s (total with the build {time.monotonic() - t_start:.0f} s); "
          f"results in {a.out}")
    failed = runner.failures + [f"build of {e}" for e in build_errors]
    if failed:
        print("FAILED: " + "; ".join(failed))
    return 1 if failed or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
