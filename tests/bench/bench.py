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
FLOOR = "unshare -mpfiun --fork chroot (floor)"
UNC = "minirun --seccomp=unconfined"
SYSFLOOR = "syscall floor + default filter"
CRUN_NOCG = "crun no seccomp, no cgroup"
SYSFLOOR_NONE = "syscall floor, no filter"
BWRAP_F = "bwrap + precompiled Docker filter"
CRUN_D = "crun + Docker profile"
ROOTFS_ROW = "minirun default --rootfs"
IMAGE_ROW = "minirun default, .tar.gz image (cached)"
TRACED = {"warm": "minirun default (warm), traced", "nocache": "minirun default (no cache), traced",
          "oci": "minirun run --bundle + Docker profile (warm), traced"}
CRUN_N = "crun no seccomp"
OCI_N = "minirun run --bundle, no seccomp"
OCI_D = "minirun run --bundle + Docker profile"
PODMAN_M = "podman run --rm, runtime minirun"
# Rootless, as uid 65534: minirun makes no cgroup (nothing to hold a device
# policy for: the user namespace makes no real device and opens none the
# user could not) and --rootfs no overlay; the floor gets the same user
# namespace.
UNC_RL = "minirun --seccomp=unconfined --rootfs, rootless"
FLOOR_RL = "unshare -r -mpfiun --fork chroot (floor), rootless"
ROOTLESS_UID = 65534
PODMAN_C = "podman run --rm, runtime crun"
# minirun's runtime state root (MR_STATE_ROOT_DEFAULT): the OCI rows use the
# default, as crun and runc use theirs.
MINIRUN_STATE = "/run/minirun"

# Stamps off the critical path, and the stamp their step is measured from.
SIDE_PHASES = {"clone3-return": "socketpair", "network": "clone3-return",
               "mounts-built": "network"}

# The MINIRUN_TRACE_PHASES stamps (lib/common/phases.h), in launch order: what
# the time since the previous stamp was spent on.
PHASES = [
    ("main", "start of main (exec of minirun and ld.so are before it)"),
    ("parsed", "command line parsed"),
    ("image", "ROOTFS resolved (an image: unpacked or found in the cache)"),
    ("prepare:rootfs", "prepare: ROOTFS opened and checked"),
    ("prepare:user", "prepare: user and groups from the rootfs's passwd/group"),
    ("prepare:misc", "prepare: capabilities, hostname, sysctls, /etc files, env, command, "
                     "exec checks"),
    ("seccomp:cache-read", "seccomp program: read from the cache (fast key)"),
    ("seccomp:compile", "seccomp program: parse, reduce, compile with libseccomp"),
    ("prepare:seccomp-check", "seccomp: the launch calls checked against the program"),
    ("prepared", "prepare: AppArmor, cgroup and ulimit checks, volumes; the network "
                 "namespace's thread started"),
    ("cgroup-create", "cgroup created (below minirun's own), device policy written"),
    ("socketpair", "signals blocked, output pipes, sync socketpair"),
    ("clone3-return", "clone3 until it returns in minirun (side branch: from socketpair)"),
    ("network", "minirun joins the network namespace's thread (which also wrote the net.* "
                "sysctls there), sends its fd (side branch: "
                "from clone3-return)"),
    ("child:start", "clone3 until the container process runs"),
    ("child:detach", "pdeathsig, v1 cgroup join, cgroup namespace, setsid"),
    ("child:rootfs", "mount: / private, ROOTFS bound and checked"),
    ("child:overlay", "mount: copy-on-write overlay on a tmpfs"),
    ("mounts-built", "minirun builds the /dev tmpfs (nodes, links) and the /etc files' tmpfs, sends "
                     "their fds (side branch: from network)"),
    ("child:proc", "mount: /proc"),
    ("child:network", "the network namespace's fd from minirun (waiting for it), setns"),
    ("child:sys", "--sysctl values outside net.* (none here); mount: /sys, /sys/fs/cgroup"),
    ("child:dev", "the /dev minirun built (waiting for it), attached; mount: pts, shm, mqueue"),
    ("child:masks", "mount: masked and read-only paths"),
    ("child:etc-files", "mount: /etc/hostname, hosts, resolv.conf (from the tmpfs minirun built)"),
    ("child:volumes", "mount: volumes (none here)"),
    ("child:pivot_root", "pivot_root, old root detached"),
    ("child:close-fds", "close_range"),
    ("child:surroundings", "hostname, stdio, workdir, exec check, signals"),
    ("child:identity", "groups, bounding set, ambient, keepcaps, setresgid"),
    ("child:seccomp-load", "seccomp filter installed"),
    ("child:identity-final", "setresuid, capset, read back"),
    ("child:execve", "(stamp just before execve)"),
    ("exec-seen", "execve until minirun sees EOF on the sync socket"),
    ("reaped", "the command runs and exits, namespaces torn down, minirun reaps it"),
    ("cgroup-remove", "cgroup killed and removed"),
    ("exit", "minirun's cleanup until exit()"),
]


def which(name):
    return shutil.which(name, path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")


class Cmd:
    """One benchmarked command line."""

    def __init__(self, name, argv, env=None, cache=None, fd9=None, oci=None, trace=False,
                 podman=None):
        self.name = name
        self.argv = argv            # "{id}" is replaced by a unique container id per run
        self.env = env or {}
        self.cache = cache          # "cold": a fresh empty cache directory per run
        self.fd9 = fd9              # file opened on fd 9 (bwrap --seccomp 9)
        self.oci = oci              # runtime binary, for cleaning up leftovers
        self.trace = trace          # MINIRUN_TRACE_PHASES on fd 3; not a row of the table
        self.podman = podman        # a Podman store: wait for its processes after each run
        self.phases = []            # per run: ({name: usec since main}, wall usec, main usec)
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
        trace_r = -1
        if cmd.trace and prefix is None:
            # The stamps come on fd 3, a pipe (a few hundred bytes: never blocks).
            trace_r, trace_w = os.pipe2(os.O_CLOEXEC)
            actions.append((os.POSIX_SPAWN_DUP2, trace_w, 3))
            envb["MINIRUN_TRACE_PHASES"] = "3"
        t0 = time.monotonic_ns()
        pid = os.posix_spawn(argv[0], argv, envb, file_actions=actions)
        _, status, ru = os.wait4(pid, 0)
        t1 = time.monotonic_ns()
        if trace_r >= 0:
            os.close(trace_w)
            with os.fdopen(trace_r, "r") as f:
                stamps, origin = {}, None
                for line in f:
                    parts = line.split()
                    if len(parts) == 3 and parts[0] == "phase":
                        stamps[parts[1]] = float(parts[2])
                    elif parts[:2] == ["phases", "CLOCK_MONOTONIC"] and len(parts) == 3:
                        origin = int(parts[2])   # time.monotonic_ns is CLOCK_MONOTONIC too
            if stamps and os.waitstatus_to_exitcode(status) == 0:
                main_at = (origin - t0) / 1000 if origin is not None else None
                cmd.phases.append((stamps, (t1 - t0) / 1000, main_at))
        if colddir:
            shutil.rmtree(colddir, ignore_errors=True)
        if cmd.podman:
            cmd.podman.settle()     # after the timing: no leftover work lands on the next run
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


def dump_default_program(r, minirun, floor, rootfs, out):
    """minirun's default seccomp program, from `minirun ROOTFS sleep` (its container's init)."""
    env = dict(r.base_env)
    p = subprocess.Popen([minirun, rootfs, "/bin/sleep", "5"], env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            time.sleep(0.01)
            try:
                with open(f"/proc/{p.pid}/task/{p.pid}/children") as f:
                    kids = f.read().split()
                # comm, not exe: the rootfs's sleep is busybox.
                with open(f"/proc/{kids[0]}/status") as f:
                    if "Seccomp:\t2" in f.read() and open(
                            f"/proc/{kids[0]}/comm").read().strip() == "sleep":
                        break
            except (OSError, IndexError):
                continue
        else:
            return False
        return r.output([floor, "-d", kids[0], out]).returncode == 0
    finally:
        p.terminate()
        p.wait()


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


class Podman:
    """podman with a private store under WORK/podman: nothing of the machine's own is used.

    The flags are test-engines.sh's: vfs storage, cgroupfs, the events log and
    network configs in the private directory (CONTAINERS_CONF), --network none,
    rlimits below this machine's hard limits (podman asks for 1048576).
    """

    ULIMITS = ["--ulimit", "nofile=1024:4096", "--ulimit", "nproc=1024:4096"]

    def __init__(self, podman, work):
        self.dir = os.path.join(work, "podman")
        os.makedirs(self.dir)
        self.conf = os.path.join(self.dir, "containers.conf")
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(f'[engine]\nevents_logfile_path = "{self.dir}/events.log"\n'
                    f'[network]\nnetwork_config_dir = "{self.dir}/networks"\n')
        self.env = {"CONTAINERS_CONF": self.conf}
        self.base = [podman, "--root", os.path.join(self.dir, "storage"),
                     "--runroot", os.path.join(self.dir, "run"), "--storage-driver", "vfs",
                     "--cgroup-manager", "cgroupfs", "--events-backend", "file",
                     "--tmpdir", os.path.join(self.dir, "tmp")]
        self.image = "localhost/mrbench:rootfs"
        # The cgroup parent of the minirun row (relative to each hierarchy's root).
        self.cgparent = f"mrbench-podman-{os.getpid()}"
        # What podman makes outside its --root and --runroot (netavark's run
        # directory, containers/image's blob-info cache): removed at the end
        # when it was not there before, as test-engines.sh does.
        self.absent = [d for d in ("/run/containers", "/var/lib/containers")
                       if not os.path.exists(d)]

    def run_argv(self, runtime, cgroups):
        return self.base + ["--runtime", runtime, "run", "--rm", "--network", "none"] + \
            cgroups + self.ULIMITS + [self.image, "/bin/true"]

    def busy(self):
        """Whether a process of this store still runs (conmon's exit command,
        `podman container cleanup`, can outlive `podman run --rm`)."""
        me = os.getpid()
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == me:
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if self.dir.encode() in f.read():
                        return True
            except OSError:
                pass
        return False

    def settle(self, timeout=10.0):
        end = time.monotonic() + timeout
        while self.busy() and time.monotonic() < end:
            time.sleep(0.005)

    def cleanup(self, r):
        r.output(self.base + ["rm", "-af", "-t", "0"], self.env)
        self.settle()
        for root in os.listdir("/sys/fs/cgroup"):
            top = os.path.join("/sys/fs/cgroup", root, self.cgparent)
            if not os.path.isdir(top):
                continue
            for d, _, _ in sorted(os.walk(top), key=lambda x: -len(x[0])):
                try:
                    os.rmdir(d)
                except OSError:
                    pass
        for d in self.absent:
            shutil.rmtree(d, ignore_errors=True)


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
        # In round order: a ratio's interval resamples whole rounds (ratio_interval).
        "times_ms": [x / 1e6 for x in cmd.times],
    }


def ratio_interval(a, b, resamples=2000, seed=1):
    """95% interval of median(a) / median(b), rounds resampled with replacement.

    The rows are interleaved: round i of a and of b ran within the same
    second, so a round is resampled as a pair, keeping what the two had in
    common (a slow second of the machine).  Rows of one batch only: the
    main rounds, or the rootless sub-driver's (equal lengths are the test).
    A bootstrap of the medians: the spread of this run's own rounds, which a
    single ratio near its target needs beside it; it understates how far
    another run can read (slow periods span neighbouring rounds).
    """
    if not a or not b:
        return None
    rng = random.Random(seed)
    paired = len(a) == len(b)
    vals = []
    for _ in range(resamples):
        ia = [rng.randrange(len(a)) for _ in a]
        ib = ia if paired else [rng.randrange(len(b)) for _ in b]
        vals.append(statistics.median(a[i] for i in ia) / statistics.median(b[i] for i in ib))
    vals.sort()
    return vals[int(0.025 * resamples)], vals[int(0.975 * resamples) - 1]


def rootless_sub(argv):
    """As ROOTLESS_UID: the two rootless commands, interleaved; their times as JSON on stdout."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--minirun", required=True)
    ap.add_argument("--rootfs", required=True)
    ap.add_argument("--rounds", type=int, required=True)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    unshare, chroot = which("unshare"), which("chroot")
    cmds = {UNC_RL: [a.minirun, "--seccomp=unconfined", "--rootfs", a.rootfs, "/bin/true"],
            FLOOR_RL: [unshare, "-r", "-mpfiun", "--fork", chroot, a.rootfs, "/bin/true"]}
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
    null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
    actions = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1),
               (os.POSIX_SPAWN_DUP2, null, 2)]
    times = {n: [] for n in cmds}
    errors = {}
    rng = random.Random(a.seed)
    for rnd in range(a.warmup + a.rounds):
        order = list(cmds)
        rng.shuffle(order)
        for n in order:
            t0 = time.monotonic_ns()
            pid = os.posix_spawn(cmds[n][0], cmds[n], env, file_actions=actions)
            _, status = os.waitpid(pid, 0)
            t1 = time.monotonic_ns()
            if os.waitstatus_to_exitcode(status) != 0:
                errors[n] = f"exit status {os.waitstatus_to_exitcode(status)} in round {rnd}"
            elif rnd >= a.warmup:
                times[n].append(t1 - t0)
    json.dump({"argv": cmds, "times": times, "errors": errors}, sys.stdout)


def rootless_pair(M, rootfs, rounds, seed):
    """The rootless rows, from a sub-driver run as ROOTLESS_UID (the same spawn and timing)."""
    setpriv, py = which("setpriv"), "/usr/bin/python3"
    if os.geteuid() != 0 or not setpriv or not os.path.exists(py):
        return [], ["rootless rows: need root, setpriv and /usr/bin/python3: skipped"]
    res = subprocess.run([setpriv, f"--reuid={ROOTLESS_UID}", f"--regid={ROOTLESS_UID}",
                          "--clear-groups", py, "-B", os.path.abspath(__file__),
                          "--rootless-sub", "--minirun", M, "--rootfs", rootfs,
                          "--rounds", str(rounds), "--seed", str(seed)],
                         capture_output=True, text=True, cwd="/", check=False)
    if res.returncode != 0:
        return [], [f"rootless rows: the sub-driver failed: {res.stderr.strip()[-300:]}"]
    data = json.loads(res.stdout)
    out, notes = [], []
    for name, argv in data["argv"].items():
        c = Cmd(name, argv)
        c.times = data["times"][name]
        if name in data["errors"] or not c.times:
            notes.append(f"{name}: {data['errors'].get(name, 'no run')}: left out")
            continue
        out.append(c)
    notes.append(f"rootless rows: run as uid {ROOTLESS_UID} by a sub-driver after the main "
                 "rounds, interleaved with each other (not with the rest); minirun makes no "
                 "cgroup rootless")
    return out, notes


def main():
    if sys.argv[1:2] == ["--rootless-sub"]:
        rootless_sub(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description="minirun start-up benchmark driver")
    ap.add_argument("--minirun", required=True)
    ap.add_argument("--rootfs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--profile", help="a Docker JSON profile (moby's default.json)")
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--syscall-rounds", type=int, default=11)
    ap.add_argument("--syscall-calls", type=int, default=200000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--crun-note", default="")
    ap.add_argument("--peak-rss", help="the peak-rss helper (built from peak-rss.c)")
    ap.add_argument("--floor", help="the syscall-floor helper (built from syscall-floor.c)")
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
    cmds.append(Cmd(FLOOR,
                    [unshare, "-mpfiun", "--fork", chroot, rootfs, true]))
    cmds.append(Cmd(UNC, [M, "--seccomp=unconfined", rootfs, true]))
    # The peers write into the rootfs; this row does too (no copy-on-write overlay).
    cmds.append(Cmd("minirun --seccomp=unconfined --rootfs",
                    [M, "--seccomp=unconfined", "--rootfs", rootfs, true]))
    warm = os.path.join(work, "cache-warm")
    os.makedirs(warm, mode=0o700)
    cmds.append(Cmd(REF, [M, rootfs, true], env={"MINIRUN_SECCOMP_CACHE": warm}))
    # The overlay's cost with everything else of the default start.
    cmds.append(Cmd(ROOTFS_ROW, [M, "--rootfs", rootfs, true],
                    env={"MINIRUN_SECCOMP_CACHE": warm}))
    # A cached image against a plain directory: the warm-up unpacks it once.
    tarball = os.path.join(work, "rootfs.tar.gz")
    res = r.output(["tar", "-czf", tarball, "-C", rootfs, "."])
    if res.returncode == 0:
        cmds.append(Cmd(IMAGE_ROW, [M, tarball, true],
                        env={"MINIRUN_SECCOMP_CACHE": warm,
                             "MINIRUN_CACHE_DIR": os.path.join(work, "image-cache")}))
    else:
        notes.append(f"tar -czf of the rootfs failed: {res.stderr.strip()[:200]}")
    # The per-phase budget: the reference start and a compiling one, traced.
    cmds.append(Cmd(TRACED["warm"], [M, rootfs, true], env={"MINIRUN_SECCOMP_CACHE": warm},
                    trace=True))
    cmds.append(Cmd(TRACED["nocache"], [M, rootfs, true], env={"MINIRUN_SECCOMP_CACHE": "0"},
                    trace=True))
    cmds.append(Cmd("minirun default (first run)", [M, rootfs, true], cache="cold"))
    cmds.append(Cmd("minirun default (no cache)", [M, rootfs, true],
                    env={"MINIRUN_SECCOMP_CACHE": "0"}))
    if profile:
        pa = [M, "--seccomp", profile, rootfs, true]
        cmds.append(Cmd("minirun moby json (warm)", pa, env={"MINIRUN_SECCOMP_CACHE": warm}))
        cmds.append(Cmd("minirun moby json (first run)", pa, cache="cold"))
        cmds.append(Cmd("minirun moby json (no cache)", pa, env={"MINIRUN_SECCOMP_CACHE": "0"}))

    # The syscall floor: minirun's kernel calls and nothing else (syscall-floor.c),
    # with the very program minirun installs by default: compiled into minirun,
    # never cached, so read back from a running container (syscall-floor -d).
    if a.floor:
        F = os.path.abspath(a.floor)
        cmds.append(Cmd(SYSFLOOR_NONE, [F, rootfs, true]))
        prog = os.path.join(work, "default-program.bpf")
        if dump_default_program(r, M, F, rootfs, prog):
            cmds.append(Cmd(SYSFLOOR, [F, "-b", prog, rootfs, true]))
        else:
            notes.append("could not read minirun's default program back from a container: "
                         "no syscall floor with the default filter")
    else:
        notes.append("no --floor helper: no syscall floor rows")

    bwrap = which("bwrap")
    bw = [bwrap, "--unshare-all", "--bind", rootfs, "/", "--proc", "/proc", "--dev", "/dev"] \
        if bwrap else None
    if bwrap:
        cmds.append(Cmd("bwrap --unshare-all", bw + [true]))
        if bpf:
            cmds.append(Cmd(BWRAP_F, bw + ["--seccomp", "9", true],
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
    # minirun's runtime command line on the very bundles crun and runc run.
    # `run` without --detach is the whole life cycle for all three (create,
    # start, wait, delete): none leaves state for a `delete`.
    for k, b in bundles.items():
        oa = [M, "run", "--bundle", b, "{id}"]
        if k == "none":
            cmds.append(Cmd(OCI_N, oa, env={"MINIRUN_SECCOMP_CACHE": warm}))
        else:
            cmds.append(Cmd(OCI_D, oa, env={"MINIRUN_SECCOMP_CACHE": warm}))
            cmds.append(Cmd(OCI_D + " (no cache)", oa, env={"MINIRUN_SECCOMP_CACHE": "0"}))
            # The same start traced, for the phase budget's "run --bundle" columns.
            cmds.append(Cmd(TRACED["oci"], oa, env={"MINIRUN_SECCOMP_CACHE": warm}, trace=True))
    if bundles:
        notes.append("cgroups: every runtime makes its cgroup (crun and runc with their "
                     "cgroupfs managers, in every v1 controller; minirun in the devices "
                     "hierarchy, and for run --bundle (pause) the freezer too); the row "
                     "'crun no seccomp, no cgroup' is crun with --cgroup-manager=disabled, for "
                     "comparison; all run with their default state roots")
    if crun:
        for k, b in bundles.items():
            label = "no seccomp" if k == "none" else "+ Docker profile"
            cmds.append(Cmd(f"crun {label}",
                            [crun, "--cgroup-manager=cgroupfs", "run", "--bundle", b, "{id}"],
                            oci=crun))
        if "none" in bundles:
            cmds.append(Cmd(CRUN_NOCG, [crun, "--cgroup-manager=disabled", "run", "--bundle",
                                        bundles["none"], "{id}"], oci=crun))
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
    # An engine on top: podman with minirun and with crun, the same image (an
    # import of the rootfs tarball) in a private store.
    pm = None
    podman = which("podman")
    if podman and which("conmon") and os.path.exists(tarball):
        pm = Podman(podman, work)
        res = r.output(pm.base + ["import", tarball, pm.image], pm.env)
        if res.returncode == 0:
            # Both with cgroups, below the same parent (in the v1-only view run.sh
            # gives the driver, crun's cgroupfs manager works).
            cmds.append(Cmd(PODMAN_M, pm.run_argv(M, ["--cgroup-parent", "/" + pm.cgparent]),
                            env=pm.env, podman=pm))
            if crun:
                cmds.append(Cmd(PODMAN_C, pm.run_argv("crun",
                                                      ["--cgroup-parent", "/" + pm.cgparent]),
                                env=pm.env, podman=pm))
            notes.append("podman: private store (--root/--runroot in work/podman, vfs, "
                         "cgroupfs); both rows with cgroups below the same --cgroup-parent")
        else:
            notes.append(f"podman import failed: {res.stderr.strip()[:200]}: no podman rows")
            pm.cleanup(r)
            pm = None
    else:
        notes.append("podman or conmon is not installed: no podman rows")
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

    # minirun has no `list`: its leftovers are the mrbench-* directories of its state root.
    if os.path.isdir(MINIRUN_STATE):
        for cid in os.listdir(MINIRUN_STATE):
            if cid.startswith(f"mrbench-{os.getpid()}-"):
                notes.append(f"minirun run left state for {cid}: deleted")
                r.output([M, "delete", "-f", cid])
    if pm:
        pm.cleanup(r)

    # Unconfined without the cgroup and the overlay: rootless, against the floor's rootless twin.
    rl_cmds, rl_notes = rootless_pair(M, rootfs, a.rounds, a.seed)
    cmds += rl_cmds
    notes += rl_notes
    rows = [summarize(c) for c in cmds if not c.trace]
    budget = phase_budget([c for c in cmds if c.trace])
    ref = next((x for x in rows if x["name"] == REF), None)
    for x in rows:
        x["ratio_to_ref"] = x["median_ms"] / ref["median_ms"] if ref else None

    # Per-syscall cost inside the container.
    loop = "/syscall-loop"
    host_loop = os.path.join(rootfs, "syscall-loop")
    sc_cfgs = [("host, no container", lambda call: [host_loop] + call, {}),
               ("host + allow-all filter (1 instruction)",
                lambda call: [host_loop, "--allow-all-filter"] + call, {}),
               ("minirun --seccomp=unconfined",
                lambda call: [M, "--seccomp=unconfined", rootfs, loop] + call, {}),
               ("minirun default", lambda call: [M, rootfs, loop] + call,
                {"MINIRUN_SECCOMP_CACHE": warm})]
    if profile:
        sc_cfgs.append(("minirun moby json",
                        lambda call: [M, "--seccomp", profile, rootfs, loop] + call,
                        {"MINIRUN_SECCOMP_CACHE": warm}))
    calls = ["getpid", "read", "personality", "socket", "clone"]
    # socket+close costs ~2 us: fewer calls keep each run near 100 ms.
    ncalls = {"getpid": a.syscall_calls, "read": a.syscall_calls, "personality": a.syscall_calls,
              "socket": max(a.syscall_calls // 10, 1), "clone": a.syscall_calls}
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
    result = {"info": info, "startup": rows, "syscalls": syscalls, "phases": budget,
              "notes": notes}
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


def phase_budget(traced):
    """Medians per phase of the traced runs: the step since the previous stamp, and when."""
    variants = {k: c for k, c in ((k, next((c for c in traced if c.name == n), None))
                                  for k, n in TRACED.items()) if c is not None and c.phases}
    known = [n for n, _ in PHASES]
    seen = {n for c in variants.values() for st, *_ in c.phases for n in st}
    names = [n for n in known if n in seen] + sorted(seen - set(known))
    steps = {k: {n: [] for n in names} for k in variants}
    ats = {k: {n: [] for n in names} for k in variants}
    before = {k: [] for k in variants}
    after = {k: [] for k in variants}
    walls = {k: [] for k in variants}
    for k, c in variants.items():
        for st, wall, main_at in c.phases:
            # minirun's clone3 return runs alongside the container process:
            # measured from socketpair, and no stamp's predecessor.
            side = {n: t for n, t in st.items() if n in SIDE_PHASES}
            order = sorted(((n, t) for n, t in st.items() if n not in SIDE_PHASES),
                           key=lambda x: x[1])
            for n, t in side.items():
                ats[k][n].append(t)
                if SIDE_PHASES[n] in st:
                    steps[k][n].append(t - st[SIDE_PHASES[n]])
            for i, (n, t) in enumerate(order):
                ats[k][n].append(t)
                steps[k][n].append(t - order[i - 1][1] if i else 0.0)
            if main_at is not None:
                before[k].append(main_at)
                after[k].append(wall - main_at - order[-1][1])
            walls[k].append(wall)

    def med(v):
        return statistics.median(v) if v else None
    what = dict(PHASES)
    return {
        "method": "MINIRUN_TRACE_PHASES=3 (fd 3, a pipe): CLOCK_MONOTONIC stamps in a MAP_SHARED "
                  "page minirun and the container process share; usec since the start of main",
        "runs": {k: len(c.phases) for k, c in variants.items()},
        "phases": [{"name": n, "what": what.get(n, ""),
                    "step_us": {k: med(steps[k][n]) for k in variants},
                    "at_us": {k: med(ats[k][n]) for k in variants}} for n in names],
        "before_main_us": {k: med(v) for k, v in before.items()},
        "after_exit_us": {k: med(v) for k, v in after.items()},
        "wall_us": {k: med(v) for k, v in walls.items()},
    }


def target_lines(rows, syscalls):
    med = {x["name"]: x["median_ms"] for x in rows}
    mins = {x["name"]: x["min_ms"] for x in rows}
    times = {x["name"]: x.get("times_ms") for x in rows}
    out = []

    def check(label, value, limit, alt=None, interval=None):
        alt_s = f"{alt:.2f}" if alt is not None else "–"
        iv_s = f"{interval[0]:.2f}–{interval[1]:.2f}" if interval else "–"
        if value is None:
            out.append(f"| {label} | n/a | {iv_s} | {alt_s} | {limit or '–'} | – |")
        elif limit is None:
            out.append(f"| {label} | {value:.2f} | {iv_s} | {alt_s} | – | – |")
        else:
            ok = "yes" if value <= limit else "**no**"
            out.append(f"| {label} | {value:.2f} | {iv_s} | {alt_s} | ≤ {limit} | {ok} |")
    # None: no target in the issues, the ratio is asked for (or explains one).
    for a, b, limit in ((REF, FLOOR, 1.3), (REF, CRUN_D, 0.3), (UNC, FLOOR, 1.1),
                        (UNC_RL, FLOOR_RL, 1.1),
                        (OCI_D, CRUN_D, 0.5), (OCI_N, CRUN_N, 0.5),
                        # Issue 15: within 1.1x the syscall floor; a first run of
                        # any profile at most 1.5x its warm start.
                        (REF, SYSFLOOR, 1.1),
                        ("minirun default (first run)", REF, 1.5),
                        ("minirun moby json (first run)", "minirun moby json (warm)", 1.5),
                        (REF, BWRAP_F, None), (UNC, SYSFLOOR_NONE, None),
                        (OCI_D, REF, None), (PODMAN_M, PODMAN_C, None)):
        if a in med and b in med:
            check(f"{a} / {b}", med[a] / med[b], limit, mins[a] / mins[b],
                  ratio_interval(times[a], times[b]))
    sc = {s["config"]: s for s in syscalls}
    d, u = sc.get("minirun default"), sc.get(UNC)
    # Issue 15: an allowed call costs what any filter costs (the kernel's
    # price for having one), within 3%; against no filter it is informative.
    allow = sc.get("host + allow-all filter (1 instruction)")
    for call in ("getpid", "read"):
        if d and allow and d[call + "_ns"] and allow[call + "_ns"]:
            check(f"{call}: minirun default / allow-all filter (1 instruction)",
                  d[call + "_ns"] / allow[call + "_ns"], 1.03)
        if d and u and d[call + "_ns"] and u[call + "_ns"]:
            check(f"{call}: minirun default / unconfined", d[call + "_ns"] / u[call + "_ns"],
                  None)
    c = sc.get(CRUN_D)
    for call in ("personality", "socket", "clone"):
        if d and c and d[call + "_ns"] and c[call + "_ns"]:
            check(f"{call}: minirun default / crun + Docker profile",
                  d[call + "_ns"] / c[call + "_ns"], 1.0)
    rss = next((x["peak_rss_kb"] for x in rows if x["name"] == REF), None)
    if rss:
        check("minirun peak RSS, MB (default, warm)", rss / 1024, 4.0)
    return out


def cost_lines(rows, budget):
    """The costs the cgroup, volumes and performance issues ask for."""
    med = {x["name"]: x["median_ms"] for x in rows}
    step = {p["name"]: p["step_us"] for p in budget.get("phases", [])}
    out = []

    def ph(name, k="warm"):
        return (step.get(name) or {}).get(k)

    def add(label, value, how):
        out.append(f"| {label} | {value} | {how} |")
    cg = [ph("cgroup-create"), ph("cgroup-remove")]
    if all(v is not None for v in cg):
        add("cgroup (create + remove)", f"{(cg[0] + cg[1]) / 1000:.3f} ms",
            "phases cgroup-create + cgroup-remove (the v1 join is in child:detach)")
    if REF in med and ROOTFS_ROW in med:
        add("copy-on-write overlay", f"{med[REF] - med[ROOTFS_ROW]:.3f} ms",
            f"{REF} − {ROOTFS_ROW}; phase child:overlay "
            f"{(ph('child:overlay') or 0) / 1000:.3f} ms, its teardown is in reaped")
    if IMAGE_ROW in med and REF in med:
        add("cached .tar.gz image instead of a directory", f"{med[IMAGE_ROW] - med[REF]:.3f} ms",
            f"{IMAGE_ROW} − {REF}")
    if ph("seccomp:cache-read") is not None:
        add("seccomp program from the cache", f"{ph('seccomp:cache-read') / 1000:.3f} ms",
            "phase seccomp:cache-read")
    if ph("seccomp:compile", "nocache") is not None:
        add("seccomp program compiled", f"{ph('seccomp:compile', 'nocache') / 1000:.3f} ms",
            "phase seccomp:compile, MINIRUN_SECCOMP_CACHE=0")
    if ph("child:seccomp-load") is not None:
        add("seccomp filter load", f"{ph('child:seccomp-load') / 1000:.3f} ms",
            "phase child:seccomp-load")
    if REF in med and SYSFLOOR in med:
        add("minirun's own overhead", f"{med[REF] - med[SYSFLOOR]:.3f} ms "
            f"(× {med[REF] / med[SYSFLOOR]:.2f})", f"{REF} − {SYSFLOOR}")
    if OCI_N in med and CRUN_NOCG in med:
        add("run --bundle, no seccomp, × crun with no cgroup at all",
            f"{med[OCI_N] / med[CRUN_NOCG]:.2f}",
            f"{OCI_N} / {CRUN_NOCG} (minirun still makes its cgroup and device policy)")
    bm = (budget.get("before_main_us") or {}).get("warm")
    if bm is not None:
        add("exec of minirun until main (ld.so, libraries)", f"{bm / 1000:.3f} ms",
            "phase budget: posix_spawn → the start of main (static-pie; the floors are static)")
    wall = (budget.get("wall_us") or {}).get("warm")
    if wall and REF in med:
        add("tracing (MINIRUN_TRACE_PHASES)", f"{wall / 1000 - med[REF]:.3f} ms",
            f"{TRACED['warm']} − {REF} (medians)")
    return out


def phase_lines(budget):
    ks = [k for k in ("warm", "nocache", "oci") if k in budget.get("runs", {})]
    if not ks:
        return []
    head = {"warm": "warm cache", "nocache": "no cache", "oci": "run --bundle"}

    def f(v):
        return f"{v:.0f}" if v is not None else "–"
    L = ["Where a default start spends its time (MINIRUN_TRACE_PHASES; medians of "
         + ", ".join(f"{budget['runs'][k]} {head[k]}" for k in ks)
         + " runs): µs since the previous stamp, and since the start of main:",
         "",
         "| phase | what the step covers | " + " | ".join(f"step µs ({head[k]})" for k in ks)
         + " | " + " | ".join(f"at µs ({head[k]})" for k in ks) + " |",
         "|---|---|" + "---:|" * (2 * len(ks))]
    for p in budget["phases"]:
        L.append(f"| {p['name']} | {p['what']} | "
                 + " | ".join(f(p["step_us"].get(k)) for k in ks) + " | "
                 + " | ".join(f(p["at_us"].get(k)) for k in ks) + " |")
    L.append("| (before main) | posix_spawn until main: exec of minirun, ld.so, libc start-up | "
             + " | ".join(f(budget["before_main_us"].get(k)) for k in ks) + " | "
             + " | ".join("" for _ in ks) + " |")
    L.append("| (after exit) | exit() until the driver's wait4 returns: process teardown | "
             + " | ".join(f(budget["after_exit_us"].get(k)) for k in ks) + " | "
             + " | ".join("" for _ in ks) + " |")
    L.append("| **total** | wall time of the traced runs | "
             + " | ".join(f(budget["wall_us"].get(k)) for k in ks) + " | "
             + " | ".join("" for _ in ks) + " |")
    if "oci" in ks:
        L.extend(["", "run --bundle (the runtime command line, cmd/runtime.c) has no `parsed`, "
                  "`image` or `cgroup-remove` stamp: its `prepare:rootfs` step holds reading "
                  "config.json; its `cgroup-create` step also the state directory, the copy of "
                  "config.json and state.json; state.json is written again once the "
                  "container runs (on_started, after clone3), and its "
                  "`exit` step holds the cgroup's removal and the state's."])
    return L


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
    pl = phase_lines(res.get("phases", {}))
    if pl:
        L.extend(pl)
        L.append("")
    L.append("Per-call cost inside the container, ns (median over runs of the fastest "
             "of 7 loops per run):")
    L.append("")
    L.append("| where | getpid | read(/dev/zero, 1) | personality(0xffffffff) "
             "| socket(AF_UNIX)+close | clone(CLONE_SIGHAND): EINVAL |")
    L.append("|---|---:|---:|---:|---:|---:|")
    for s in sc:
        def f(v):
            return f"{v:.1f}" if v is not None else "–"
        L.append(f"| {s['config']} | {f(s['getpid_ns'])} | {f(s['read_ns'])} "
                 f"| {f(s['personality_ns'])} "
                 f"| {f(s['socket_ns'])} | {f(s.get('clone_ns'))} |")
    L.append("")
    L.append("Targets (issues 5 and 15):")
    L.append("")
    L.append("| ratio | of medians | 95% interval | of minimums | target | met (medians) |")
    L.append("|---|---:|---:|---:|---:|---|")
    L.extend(target_lines(rows, sc))
    L.append("")
    L.append("The interval: 95% of 2,000 resamplings of the rounds (a round's two times kept "
             "together), the ratio of medians each time: the spread of this run's own rounds. "
             "Another run can read further off (the machine changes between runs, and "
             "neighbouring rounds are not independent).")
    cl = cost_lines(rows, res.get("phases", {}))
    if cl:
        L.append("")
        L.append("Costs the issues ask for:")
        L.append("")
        L.append("| cost | value | how |")
        L.append("|---|---:|---|")
        L.extend(cl)
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
    # podman's rows (hundreds of ms) would flatten every other bar: table only.
    rows = [x for x in rows if not x["name"].startswith("podman")]
    dat = os.path.join(out, "chart.dat")
    with open(dat, "w", encoding="utf-8") as f:
        for i, x in enumerate(rows):
            color = 0xd9822b if x["name"].startswith("minirun") else \
                0x999999 if x["name"].startswith(("exec", "unshare", "syscall floor")) \
                else 0x4a7ebb
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
