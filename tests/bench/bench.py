#!/usr/bin/env python3
"""Start-up benchmark driver: minirun against the floor, bubblewrap, crun and runc.

Run through tests/bench/run.sh (which builds everything and sets up the mount
namespace crun needs); see tests/bench/README.md.  This script assumes root,
a built minirun, a busybox rootfs holding /syscall-loop, and a mount namespace
in which crun works.

Every command runs /bin/true in the same rootfs.  Runs are interleaved: each
round runs every command once, in a freshly shuffled order (fixed seed), so
slow drift of the machine hits all commands alike.  A run's time is the wall
time (CLOCK_MONOTONIC) from just before posix_spawn (glibc's vfork-style
spawn) to the return of wait4.  Peak RSS is measured in separate runs through
the small static peak-rss helper (fork + exec + wait4's ru_maxrss), because a
child spawned from Python starts as a copy of the interpreter.
"""
import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import docker2oci  # noqa: E402  (next to this file)

REF = "minirun default (warm)"


def which(name):
    return shutil.which(name, path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")


class Cmd:
    """One benchmarked command line."""

    def __init__(self, name, argv, env=None, cache=None, fd9=None, oci=None):
        self.name = name
        self.argv = argv            # "{id}" is replaced by a unique container id per run
        self.env = env or {}
        self.cache = cache          # "cold": a fresh empty cache directory per run
        self.fd9 = fd9              # file opened on fd 9 (bwrap --seccomp 9)
        self.oci = oci              # runtime binary, for cleaning up leftovers
        self.times = []
        self.rss = []
        self.error = None


class Runner:
    def __init__(self, work):
        self.work = work
        self.devnull = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
        self.log_path = os.path.join(work, "children.log")
        self.log = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC,
                           0o644)
        self.seq = 0
        self.base_env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}

    def run_once(self, cmd, prefix=None, stdout=None):
        """Run cmd once; return (ns, maxrss_kb, status)."""
        self.seq += 1
        cid = f"mrbench-{os.getpid()}-{self.seq}"
        argv = (prefix or []) + [a.replace("{id}", cid) for a in cmd.argv]
        env = dict(self.base_env)
        env.update(cmd.env)
        colddir = None
        if cmd.cache == "cold":
            colddir = tempfile.mkdtemp(prefix="cold-", dir=self.work)
            env["MINIRUN_SECCOMP_CACHE"] = colddir
        envl = [f"{k}={v}" for k, v in env.items()]
        envb = dict(e.split("=", 1) for e in envl)
        actions = [(os.POSIX_SPAWN_DUP2, self.devnull, 0),
                   (os.POSIX_SPAWN_DUP2, stdout if stdout is not None else self.devnull, 1),
                   (os.POSIX_SPAWN_DUP2, self.log, 2)]
        if cmd.fd9:
            actions.append((os.POSIX_SPAWN_OPEN, 9, cmd.fd9, os.O_RDONLY, 0))
        t0 = time.monotonic_ns()
        pid = os.posix_spawn(argv[0], argv, envb, file_actions=actions)
        _, status, ru = os.wait4(pid, 0)
        t1 = time.monotonic_ns()
        if colddir:
            shutil.rmtree(colddir, ignore_errors=True)
        return t1 - t0, ru.ru_maxrss, os.waitstatus_to_exitcode(status)

    def peak_rss(self, cmd, helper):
        """(maxrss_kb, status) of one run of cmd, measured by the peak-rss helper."""
        rfd, wfd = os.pipe2(os.O_CLOEXEC)
        try:
            _, _, st = self.run_once(cmd, prefix=[helper], stdout=wfd)
            os.close(wfd)
            wfd = -1
            with os.fdopen(rfd, "r") as f:
                rfd = -1
                parts = f.read().split()
        finally:
            for fd in (rfd, wfd):
                if fd >= 0:
                    os.close(fd)
        if st != 0 or len(parts) != 2:
            return None, st
        return int(parts[0]), int(parts[1])

    def output(self, argv, env=None):
        e = dict(self.base_env)
        e.update(env or {})
        return subprocess.run(argv, env=e, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, check=False)


def make_bundle(spec_tool, path, rootfs, args, seccomp):
    """An OCI bundle from `TOOL spec`, adjusted to what Docker would run."""
    os.makedirs(path, exist_ok=True)
    cfg = os.path.join(path, "config.json")
    if os.path.exists(cfg):
        os.unlink(cfg)
    subprocess.run([spec_tool, "spec", "--bundle", path], check=True)
    with open(cfg, encoding="utf-8") as f:
        spec = json.load(f)
    p = spec["process"]
    p["terminal"] = False
    p["args"] = args
    caps = list(docker2oci.DOCKER_DEFAULT_CAPS)
    p["capabilities"] = {"bounding": caps, "effective": caps, "permitted": caps}
    p["noNewPrivileges"] = False            # Docker's default, and minirun's
    spec["root"] = {"path": rootfs, "readonly": False}
    if seccomp is not None:
        spec["linux"]["seccomp"] = seccomp
    with open(cfg, "w", encoding="utf-8") as f:
        json.dump(spec, f, indent=1)
    return path


def summarize(cmd):
    t = sorted(cmd.times)
    return {
        "name": cmd.name,
        "argv": cmd.argv,
        "env": cmd.env,
        "runs": len(t),
        "median_ms": statistics.median(t) / 1e6,
        "min_ms": t[0] / 1e6,
        "max_ms": t[-1] / 1e6,
        "mean_ms": statistics.fmean(t) / 1e6,
        "peak_rss_kb": statistics.median(cmd.rss) if cmd.rss else None,
    }


def main():
    ap = argparse.ArgumentParser(description="minirun start-up benchmark driver")
    ap.add_argument("--minirun", required=True)
    ap.add_argument("--rootfs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--profile", help="a Docker JSON profile (moby's default.json)")
    ap.add_argument("--rounds", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--syscall-rounds", type=int, default=5)
    ap.add_argument("--syscall-calls", type=int, default=200000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--crun-note", default="")
    ap.add_argument("--peak-rss", help="the peak-rss helper (built from peak-rss.c)")
    ap.add_argument("--rss-runs", type=int, default=5)
    ap.add_argument("--buildtype", default="unknown", help="minirun's meson buildtype")
    a = ap.parse_args()

    out = os.path.abspath(a.out)
    work = os.path.join(out, "work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    rootfs = os.path.abspath(a.rootfs)
    M = os.path.abspath(a.minirun)
    r = Runner(work)
    notes = []

    profile = a.profile if a.profile and os.path.exists(a.profile) else None
    if a.profile and not profile:
        notes.append(f"{a.profile} not found: the moby-profile rows are skipped")
    docker_oci = None
    bpf = None
    if profile:
        with open(profile, encoding="utf-8") as f:
            prof = json.load(f)
        arch = docker2oci.GO_ARCH.get(platform.machine(), platform.machine())
        docker_oci = docker2oci.reduce_profile(prof, docker2oci.DOCKER_DEFAULT_CAPS, arch,
                                               docker2oci.kernel_version())
        with open(os.path.join(work, "docker-default.oci.json"), "w", encoding="utf-8") as f:
            json.dump(docker_oci, f, indent=1)
        bpf = os.path.join(work, "docker-default.bpf")
        try:
            docker2oci.export_bpf(docker_oci, bpf)
        except OSError as e:
            notes.append(f"could not compile Docker's profile to BPF for bwrap: {e}")
            bpf = None

    true = "/bin/true"
    cmds = []
    cmds.append(Cmd("exec /bin/true (no isolation)", [os.path.join(rootfs, "bin/true")]))
    unshare, chroot = which("unshare"), which("chroot")
    cmds.append(Cmd("unshare -mpfiun --fork chroot (floor)",
                    [unshare, "-mpfiun", "--fork", chroot, rootfs, true]))
    cmds.append(Cmd("minirun --seccomp=unconfined", [M, "--seccomp=unconfined", rootfs, true]))
    # The peers write into the rootfs; this row does too (no copy-on-write overlay).
    cmds.append(Cmd("minirun --seccomp=unconfined --rootfs",
                    [M, "--seccomp=unconfined", "--rootfs", rootfs, true]))
    warm = os.path.join(work, "cache-warm")
    os.makedirs(warm, mode=0o700)
    cmds.append(Cmd(REF, [M, rootfs, true], env={"MINIRUN_SECCOMP_CACHE": warm}))
    cmds.append(Cmd("minirun default (first run)", [M, rootfs, true], cache="cold"))
    cmds.append(Cmd("minirun default (no cache)", [M, rootfs, true],
                    env={"MINIRUN_SECCOMP_CACHE": "0"}))
    if profile:
        pa = [M, "--seccomp", profile, rootfs, true]
        cmds.append(Cmd("minirun moby json (warm)", pa, env={"MINIRUN_SECCOMP_CACHE": warm}))
        cmds.append(Cmd("minirun moby json (first run)", pa, cache="cold"))
        cmds.append(Cmd("minirun moby json (no cache)", pa, env={"MINIRUN_SECCOMP_CACHE": "0"}))

    bwrap = which("bwrap")
    bw = [bwrap, "--unshare-all", "--bind", rootfs, "/", "--proc", "/proc", "--dev", "/dev"] \
        if bwrap else None
    if bwrap:
        cmds.append(Cmd("bwrap --unshare-all", bw + [true]))
        if bpf:
            cmds.append(Cmd("bwrap + precompiled Docker filter", bw + ["--seccomp", "9", true],
                            fd9=bpf))
    else:
        notes.append("bubblewrap (bwrap) is not installed: skipped")

    crun, runc = which("crun"), which("runc")
    spec_tool = crun or runc
    bundles = {}
    if spec_tool:
        bundles["none"] = make_bundle(spec_tool, os.path.join(work, "bundle-none"), rootfs,
                                      [true], None)
        if docker_oci:
            bundles["docker"] = make_bundle(spec_tool, os.path.join(work, "bundle-docker"),
                                            rootfs, [true], docker_oci)
    if crun:
        for k, b in bundles.items():
            label = "no seccomp" if k == "none" else "+ Docker profile"
            cmds.append(Cmd(f"crun {label}",
                            [crun, "--cgroup-manager=disabled", "run", "--bundle", b, "{id}"],
                            oci=crun))
    else:
        notes.append("crun is not installed: skipped")
    if runc:
        for k, b in bundles.items():
            label = "no seccomp" if k == "none" else "+ Docker profile"
            cmds.append(Cmd(f"runc {label}",
                            [runc, "--systemd-cgroup=false", "run", "--bundle", b, "{id}"],
                            oci=runc))
    else:
        notes.append("runc is not installed: skipped")
    if a.buildtype != "release":
        notes.append(f"minirun's buildtype is {a.buildtype}, not release: "
                     "its figures are not the optimized ones")
    if a.crun_note:
        notes.append(a.crun_note)

    # Warm-up: drops commands that fail, fills the warm cache and the page cache.
    for c in cmds:
        for _ in range(max(a.warmup, 1)):
            _, _, st = r.run_once(c)
            if st != 0:
                c.error = f"exit status {st} (see {r.log_path})"
                break
    failed = [c for c in cmds if c.error]
    for c in failed:
        notes.append(f"{c.name}: failed in warm-up with {c.error}: left out")
    cmds = [c for c in cmds if not c.error]

    rng = random.Random(a.seed)
    load_start = os.getloadavg()
    t_start = time.monotonic()
    for rnd in range(a.rounds):
        order = list(cmds)
        rng.shuffle(order)
        for c in order:
            ns, _, st = r.run_once(c)
            if st != 0:
                c.error = f"exit status {st} in round {rnd}"
            c.times.append(ns)
    elapsed = time.monotonic() - t_start
    # Peak RSS, through the small static helper (interleaved too).
    if a.peak_rss:
        for _ in range(a.rss_runs):
            order = list(cmds)
            rng.shuffle(order)
            for c in order:
                kb, st = r.peak_rss(c, os.path.abspath(a.peak_rss))
                if kb is not None and st == 0:
                    c.rss.append(kb)
    else:
        notes.append("no --peak-rss helper: peak RSS not measured")
    for c in cmds:
        if c.error:
            notes.append(f"{c.name}: {c.error}")

    # Leftover OCI containers (there should be none: `run` deletes them).
    for c in cmds:
        if c.oci:
            res = r.output([c.oci, "list", "-q"])
            for line in res.stdout.split():
                if line.startswith("mrbench-"):
                    r.output([c.oci, "delete", "-f", line])

    rows = [summarize(c) for c in cmds]
    ref = next((x for x in rows if x["name"] == REF), None)
    for x in rows:
        x["ratio_to_ref"] = x["median_ms"] / ref["median_ms"] if ref else None

    # Per-syscall cost inside the container.
    loop = "/syscall-loop"
    sc_cfgs = [("host, no container", lambda call: [os.path.join(rootfs, "syscall-loop")] + call, {}),
               ("minirun --seccomp=unconfined",
                lambda call: [M, "--seccomp=unconfined", rootfs, loop] + call, {}),
               ("minirun default", lambda call: [M, rootfs, loop] + call,
                {"MINIRUN_SECCOMP_CACHE": warm})]
    if profile:
        sc_cfgs.append(("minirun moby json",
                        lambda call: [M, "--seccomp", profile, rootfs, loop] + call,
                        {"MINIRUN_SECCOMP_CACHE": warm}))
    calls = ["getpid", "personality", "socket"]
    # socket+close costs ~2 us: fewer calls keep each run near 100 ms.
    ncalls = {"getpid": a.syscall_calls, "personality": a.syscall_calls,
              "socket": max(a.syscall_calls // 10, 1)}
    sc_crun = crun and not any(c.name.startswith("crun") for c in failed)
    if sc_crun:
        for k in bundles:
            label = "crun no seccomp" if k == "none" else "crun + Docker profile"
            cb = {}
            for call in calls:
                cb[call] = make_bundle(spec_tool, os.path.join(work, f"bundle-loop-{k}-{call}"),
                                       rootfs, [loop, call, str(ncalls[call])],
                                       docker_oci if k == "docker" else None)

            def crun_argv(call, cb=cb):
                return [crun, "--cgroup-manager=disabled", "run", "--bundle", cb[call[0]],
                        f"mrbench-loop-{os.getpid()}-{time.monotonic_ns()}"]
            sc_cfgs.append((label, crun_argv, {}))
    sc_res = {name: {call: [] for call in calls} for name, _, _ in sc_cfgs}
    sc_err = []
    for _ in range(a.syscall_rounds):
        order = [(n, f, e, call) for n, f, e in sc_cfgs for call in calls]
        rng.shuffle(order)
        for name, f, env, call in order:
            res = r.output(f([call, str(ncalls[call])]), env)
            parts = res.stdout.split()
            if res.returncode != 0 or len(parts) != 3:
                sc_err.append(f"{name} {call}: exit {res.returncode}: {res.stderr.strip()[:200]}")
                continue
            sc_res[name][call].append(float(parts[2]))   # the fastest of the 7 loops
    syscalls = []
    for name, _, _ in sc_cfgs:
        row = {"config": name}
        for call in calls:
            v = sc_res[name][call]
            row[call + "_ns"] = statistics.median(v) if v else None
        syscalls.append(row)
    notes.extend(sorted(set(sc_err)))

    info = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "kernel": platform.release(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model(),
        "rounds": a.rounds,
        "warmup": a.warmup,
        "elapsed_s": elapsed,
        "loadavg_1min": [round(load_start[0], 2), round(os.getloadavg()[0], 2)],
        "versions": versions(M, crun, runc, bwrap, r),
        "reference": REF,
        "minirun_buildtype": a.buildtype,
    }
    result = {"info": info, "startup": rows, "syscalls": syscalls, "notes": notes}
    with open(os.path.join(out, "results.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    md = render(result)
    with open(os.path.join(out, "results.md"), "w", encoding="utf-8") as f:
        f.write(md)
    print(md)
    chart(rows, out, info)


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def versions(M, crun, runc, bwrap, r):
    v = {}
    for name, argv in (("minirun", [M, "--version"]), ("crun", [crun, "--version"]),
                       ("runc", [runc, "--version"]), ("bwrap", [bwrap, "--version"])):
        if argv[0]:
            res = r.output(argv)
            v[name] = (res.stdout.strip().splitlines() or ["?"])[0]
    return v


def target_lines(rows, syscalls):
    med = {x["name"]: x["median_ms"] for x in rows}
    mins = {x["name"]: x["min_ms"] for x in rows}
    FLOOR, UNC, CRUND = ("unshare -mpfiun --fork chroot (floor)", "minirun --seccomp=unconfined",
                         "crun + Docker profile")
    out = []

    def check(label, value, limit, alt=None):
        alt_s = f"{alt:.2f}" if alt is not None else "–"
        if value is None:
            out.append(f"| {label} | n/a | {alt_s} | {limit} | – |")
        else:
            ok = "yes" if value <= limit else "**no**"
            out.append(f"| {label} | {value:.2f} | {alt_s} | ≤ {limit} | {ok} |")
    for a, b, limit in ((REF, FLOOR, 1.3), (REF, CRUND, 0.3), (UNC, FLOOR, 1.1)):
        if a in med and b in med:
            check(f"{a} / {b}", med[a] / med[b], limit, mins[a] / mins[b])
    sc = {s["config"]: s for s in syscalls}
    d, u = sc.get("minirun default"), sc.get("minirun --seccomp=unconfined")
    if d and u and d["getpid_ns"] and u["getpid_ns"]:
        check("getpid: minirun default / unconfined", d["getpid_ns"] / u["getpid_ns"], 1.2)
    c = sc.get("crun + Docker profile")
    for call in ("personality", "socket"):
        if d and c and d[call + "_ns"] and c[call + "_ns"]:
            check(f"{call}: minirun default / crun + Docker profile",
                  d[call + "_ns"] / c[call + "_ns"], 1.0)
    rss = next((x["peak_rss_kb"] for x in rows if x["name"] == REF), None)
    if rss:
        check("minirun peak RSS, MB (default, warm)", rss / 1024, 4.0)
    return out


def render(res):
    info, rows, sc = res["info"], res["startup"], res["syscalls"]
    L = []
    L.append(f"minirun start-up benchmark, {info['date']}: kernel {info['kernel']}, "
             f"{info['cpus']} CPU ({info['cpu_model']}), {info['rounds']} interleaved rounds "
             f"({info['elapsed_s']:.1f} s), /bin/true in a busybox rootfs; "
             f"load average {info['loadavg_1min'][0]} before, {info['loadavg_1min'][1]} after "
             f"(other load makes the figures noisy: compare ratios from one run).")
    L.append("")
    L.append("| command | median ms | min ms | max ms | × minirun default (warm) | peak RSS KB |")
    L.append("|---|---:|---:|---:|---:|---:|")
    for x in rows:
        ratio = f"{x['ratio_to_ref']:.2f}" if x["ratio_to_ref"] else "–"
        rss = f"{x['peak_rss_kb']:.0f}" if x["peak_rss_kb"] else "–"
        L.append(f"| {x['name']} | {x['median_ms']:.2f} | {x['min_ms']:.2f} | {x['max_ms']:.2f} "
                 f"| {ratio} | {rss} |")
    L.append("")
    L.append("Per-call cost inside the container, ns (median over runs of the fastest "
             "of 7 loops per run):")
    L.append("")
    L.append("| where | getpid | personality(0xffffffff) | socket(AF_UNIX)+close |")
    L.append("|---|---:|---:|---:|")
    for s in sc:
        def f(v):
            return f"{v:.1f}" if v is not None else "–"
        L.append(f"| {s['config']} | {f(s['getpid_ns'])} | {f(s['personality_ns'])} "
                 f"| {f(s['socket_ns'])} |")
    L.append("")
    L.append("Targets (issue 5):")
    L.append("")
    L.append("| ratio | of medians | of minimums | target | met (medians) |")
    L.append("|---|---:|---:|---:|---|")
    L.extend(target_lines(rows, sc))
    L.append("")
    L.append("Versions: " + ", ".join(f"{k}: {v}" for k, v in info["versions"].items()))
    if res["notes"]:
        L.append("")
        L.append("Notes:")
        for n in res["notes"]:
            L.append(f"- {n}")
    return "\n".join(L) + "\n"


def chart(rows, out, info):
    gp = which("gnuplot")
    if not gp:
        print("gnuplot is not installed: no chart", file=sys.stderr)
        return
    dat = os.path.join(out, "chart.dat")
    with open(dat, "w", encoding="utf-8") as f:
        for i, x in enumerate(rows):
            color = 0xd9822b if x["name"].startswith("minirun") else \
                0x999999 if x["name"].startswith(("exec", "unshare")) else 0x4a7ebb
            f.write(f"{i}\t\"{x['name']}\"\t{x['median_ms']:.4f}\t{x['min_ms']:.4f}\t"
                    f"{x['max_ms']:.4f}\t{color}\n")
    n = len(rows)
    png = os.path.join(out, "chart.png")
    xmax = max(x["median_ms"] for x in rows) * 1.18
    script = f"""
set terminal pngcairo size 1000,{120 + 34 * n} font "sans,10"
set output "{png}"
set datafile separator "\\t"
set title "minirun start-up: /bin/true in a busybox rootfs, median of {info['rounds']} interleaved runs\\n(kernel {info['kernel']}, {info['cpus']} CPU); whiskers: min-max"
set xlabel "ms"
set yrange [{n} - 0.5:-0.5]
set xrange [0:{xmax:.3f}]
set grid xtics
set style fill solid 0.8 border -1
unset key
plot "{dat}" using ($3/2):1:($3/2):(0.38):6:ytic(2) with boxxyerror lc rgb variable, \\
     "{dat}" using 3:1:4:5 with xerrorbars lc rgb "#333333" pt -1, \\
     "{dat}" using ($3):1:(sprintf(" %.2f", $3)) with labels left offset 0.5,0.6 font "sans,9"
"""
    sp = os.path.join(out, "chart.gp")
    with open(sp, "w", encoding="utf-8") as f:
        f.write(script)
    res = subprocess.run([gp, sp], capture_output=True, text=True, check=False)
    if res.returncode != 0:
        print(f"gnuplot failed: {res.stderr.strip()}", file=sys.stderr)
    else:
        print(f"chart: {png}")


if __name__ == "__main__":
    main()
