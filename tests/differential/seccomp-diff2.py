#!/usr/bin/env python3
"""Differential seccomp test, part 2: capability sets, architectures, edge
actions, the launch path and the docker-like front end.

Uses seccomp-diff.py's runner (the same bundle under `minirun run`, `runc
run` and `crun run`; `/probe calls` prints each raw call's outcome, and the
pseudo-call `caps` the capability sets the process got).  Suites:

  caps      random profiles with random capability sets (bounding, effective,
            permitted, inheritable, ambient; uid 0 or 1000), calls whose
            outcome depends on a capability
  edges     i386 and x32 calls under profiles with and without those arches,
            KILL_PROCESS/KILL_THREAD on a threaded caller, LOG, errnoRet and
            defaultErrnoRet edges, profiles that deny what a runtime calls
            after the filter (start failure and exit status compared)
  shared    /work/shared/profiles and examples/profiles in a config.json
            under 5 capability sets
  frontend  `minirun --seccomp=FILE --cap-drop ALL --cap-add ... ROOTFS
            /probe calls ...` against runc and crun given the profile reduced
            as moby does (a port of profiles/seccomp/seccomp_linux.go here);
            that reduction is also compared with `minirun profile convert
            --to oci` and with the config.json podman writes for crun

    seccomp-diff2.py --minirun BUILD/cmd/minirun --rootfs BUILD/tests/rootfs \
        [--suite caps,edges,shared,frontend] [--random N] [--seed S] [--no-podman]

Prints one line per divergence and a summary; exit 1 when minirun differs
from both runc and crun (or from the moby reduction) where the README does
not document it.  Everything lives in a temporary directory in /tmp.
"""
import argparse, importlib.util, json, os, platform, random, re, shutil, subprocess, sys, tempfile

_spec = importlib.util.spec_from_file_location(
    "seccomp_diff", os.path.join(os.path.dirname(os.path.abspath(__file__)), "seccomp-diff.py"))
sd = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sd)

CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
        "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
        "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"]


def host_caps():
    for line in open("/proc/self/status"):
        if line.startswith("CapBnd:"):
            m = int(line.split()[1], 16)
    return [c for i, c in enumerate(CAPS) if m >> i & 1]


HOST = host_caps()
N = sd.NR64
# Calls whose outcome depends on a capability; each fails harmlessly or
# changes only the probe's short-lived child (its uid, its namespaces).
CAPCALLS = [
    ("sethostname", 0, 0),          # SYS_ADMIN (the container's uts namespace, length 0)
    ("reboot", 0, 0, 0, 0),          # SYS_BOOT, then EINVAL for the magic
    ("settimeofday", 0, 0),          # SYS_TIME, then nothing to set
    ("setuid", 1000),                # SETUID (the child only)
    ("setgid", 1000),                # SETGID
    ("setgroups", 0, 0),             # SETGID
    ("acct", 0),                     # SYS_PACCT (the container's pid namespace)
    ("swapoff", 0),                  # SYS_ADMIN, then EFAULT
    ("unshare", 0x20000),            # SYS_ADMIN (CLONE_NEWNS, the child only)
    ("pivot_root", 0, 0),            # SYS_ADMIN, then EFAULT
    ("delete_module", 0, 0),         # SYS_MODULE, then EFAULT
    ("ioperm", 0x80, 1, 1),          # SYS_RAWIO
    ("vhangup",),                    # SYS_TTY_CONFIG (no controlling terminal)
    ("socket", 17, 3, 0),            # NET_RAW (AF_PACKET)
    ("setpriority", 0, 0, -5),       # SYS_NICE
    ("syslog", 10, 0, 0),            # SYSLOG (dmesg_restrict; the buffer's size)
    ("open_by_handle_at", -1, 0, 0),  # DAC_READ_SEARCH
    ("fanotify_init", 0, 0),         # SYS_ADMIN
    ("prctl", 24, 0),                # SETPCAP (PR_CAPBSET_DROP of CHOWN, the child only)
    ("chroot", 1),                   # EFAULT either way (path first)
]
CAPCALL_NAMES = [c[0] for c in CAPCALLS]


def cspec(c):
    return sd.spec(c[0], *[(a + (1 << 64)) if a < 0 else a for a in c[1:]])


def cap_calls():
    return ["caps"] + [cspec(c) for c in CAPCALLS]


class Runner(sd.Runner):
    def config2(self, seccomp, nnp, calls, caps, uid=0):
        """caps: a dict of the five sets (absent keys absent)."""
        self.config(seccomp, nnp, calls, [])
        p = os.path.join(self.bundle, "config.json")
        cfg = json.load(open(p))
        cfg["process"]["capabilities"] = caps
        cfg["process"]["user"] = {"uid": uid, "gid": uid}
        # A name of this run's own: helpers running at once, or a cgroup a
        # runc killed at its timeout left behind, do not collide.
        cfg["linux"]["cgroupsPath"] = "seccomp-diff2-%d" % os.getpid()
        json.dump(cfg, open(p, "w"))

    def front(self, profile_path, nnp, caps, calls):
        cmd = [self.a.minirun, "--seccomp=" + profile_path, "--cap-drop", "ALL"]
        if caps:
            cmd += ["--cap-add", ",".join(caps)]
        if nnp:
            cmd += ["--security-opt", "no-new-privileges"]
        cmd += ["--network", "none", self.a.rootfs, "/probe", "calls"] + calls
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
            return p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired:
            return -1, "", "timeout"


class Stats:
    def __init__(self):
        self.s = {"profiles": 0, "runs": 0, "calls": 0, "div_both": 0, "documented": 0,
                  "rt_disagree": 0, "reductions": 0, "reduce_div": 0, "podman_div": 0}
        self.seen = {}

    def compare(self, key, what, vm, vr, vc, documented=None):
        if vm == vr == vc:
            return
        if vr != vc:
            self.s["rt_disagree"] += 1
        if vm != vr and vm != vc:
            doc = documented(what, vm, vr, vc) if documented else None
            if doc:
                self.s["documented"] += 1
                tag = "documented(%s)" % doc
            else:
                self.s["div_both"] += 1
                tag = "DIVERGE"
        else:
            tag = "runc!=crun" if vr != vc else "?"
        print("%s %s %s: minirun=%s runc=%s crun=%s" % (tag, key, what, vm, vr, vc))


def highest(profile):
    nrs = [N[n] for r in profile.get("syscalls") or [] for n in r.get("names") or [] if n in N]
    return max(nrs) if nrs else -1


# What runc 1.1.5 or crun 1.8.1 call after loading the filter and minirun
# does not (README: the syscalls minirun makes after the filter is loaded).
RUNTIME_LATE = {"prctl", "close", "write", "fchdir", "setgroups", "setuid", "setgid", "getppid",
                "capget", "fcntl", "futex", "read", "getpid", "rt_sigprocmask", "openat",
                "newfstatat", "fstat", "close_range", "setresgid", "sched_yield", "exit_group"}


def documented_for(profile):
    """The README's documented differences: the native ENOSYS stub when the
    profile lists no architectures (runc 1.1.5 adds none, crun 1.8.1 never)."""
    top = highest(profile)
    archs = profile.get("architectures") or []
    denied = {n for r in profile.get("syscalls") or [] if r.get("action") not in ("SCMP_ACT_ALLOW", "SCMP_ACT_LOG")
              for n in r.get("names") or []}
    if profile.get("defaultAction") not in (None, "SCMP_ACT_ALLOW", "SCMP_ACT_LOG"):
        allowed = {n for r in profile.get("syscalls") or [] if r.get("action") in ("SCMP_ACT_ALLOW", "SCMP_ACT_LOG")
                   for n in r.get("names") or []}
        denied |= RUNTIME_LATE - allowed

    def doc(what, vm, vr, vc):
        if what == "starts":
            if vm and not vr and not vc and denied & RUNTIME_LATE:
                return "runc and crun call %s after the filter" % ",".join(sorted(denied & RUNTIME_LATE))
            return None
        stub = "SCMP_ARCH_X86_64" not in archs
        # clone3 gets ENOSYS from minirun's stub, the default from runc's and
        # crun's: glibc then makes its threads with clone, or none at all.
        if stub and top < N["clone3"] and vm != vr and vr == vc and (
                "clone3" in denied or profile.get("defaultAction") not in (None, "SCMP_ACT_ALLOW", "SCMP_ACT_LOG")
                or "futex" in denied):
            return "native stub: clone3 ENOSYS"
        if vm == "ENOSYS" and stub:
            m = re.match(r"^(\d+)", what)
            if m and int(m.group(1)) > top and int(m.group(1)) < 0x40000000:
                return "native stub"
        return None
    return doc


def run3(r, st, key, calls, documented=None, front=None):
    """One run under the three runtimes (minirun's by `run`, or by the front
    end when front = (path, nnp, caps)); compare start and calls."""
    got = {}
    for rt in ("minirun", "runc", "crun"):
        if rt == "minirun" and front:
            rc, out, err = r.front(*front, calls)
        else:
            rc, out, err = r.run(rt)
        st.s["runs"] += 1
        started, res = sd.outcome(rc, out, calls)
        got[rt] = (started, res, rc, err.strip().splitlines()[-1:] if err.strip() else [])
    reap()
    m, ru, cr = got["minirun"], got["runc"], got["crun"]
    doc_start = documented
    if not m[0] and any("stricter than the default" in e for e in m[3]):
        # README: an unknown name in a rule stricter than the default is refused.
        doc_start = lambda *x: "unknown name in a stricter rule refused"  # noqa: E731
    elif not m[0] and any("no system call names" in e for e in m[3]):
        # README: a rule without names is an error (runc and crun take it as no rule).
        doc_start = lambda *x: "a rule without names refused"  # noqa: E731
    st.compare(key, "starts", m[0], ru[0], cr[0], documented=doc_start)
    if not (m[0] and ru[0] and cr[0]):
        for rt, g in got.items():
            print("   %s started=%s rc=%s %s" % (rt, g[0], g[2], g[3]))
    for c in calls:
        st.s["calls"] += 1
        vals = [g[1].get(c, "-") if g[0] else "-" for g in (m, ru, cr)]
        if "-" in vals:
            continue
        st.compare(key, c, *vals, documented=documented)
    sys.stdout.flush()
    return got


def subreaper():
    """Orphans come here, not to this machine's pid 1, which does not reap
    them: a runtime killed at its timeout (runc 1.1.5 hangs on an inheritable
    capability outside bounding) would leave its init a zombie that keeps
    its cgroup."""
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def children():
    """This process's children as (pid, "(comm)"), from /proc/PID/stat."""
    me = str(os.getpid())
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = open("/proc/%s/stat" % d).read()
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[1] == me:
                out.append((int(d), stat.split(" ", 1)[1].split(")")[0] + ")"))
    return out


def reap():
    """Every run has ended here: a process still a child of this one is an
    orphan this harness's runtimes started (a runc init blocked on its dead
    parent's pipe); it is killed and reaped."""
    for pid, _ in children():
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


# --- caps suite ------------------------------------------------------------

def rand_caps(rng):
    pool = HOST if rng.random() < 0.9 else CAPS
    b = rng.sample(pool, rng.randint(0, len(pool)))
    if rng.random() < 0.85:
        p = [c for c in b if rng.random() < 0.8]
    else:
        p = rng.sample(pool, rng.randint(0, len(pool)))
    e = [c for c in p if rng.random() < 0.85]
    i = [c for c in pool if rng.random() < 0.2] if rng.random() < 0.4 else None
    caps = {"bounding": b, "effective": e, "permitted": p}
    if i is not None:
        caps["inheritable"] = i
        if rng.random() < 0.5:
            caps["ambient"] = [c for c in i if c in p and c in b and rng.random() < 0.7]
    return caps


def caps_profile(rng, allow):
    """A random profile whose rules also target the capability calls."""
    p = sd.rand_profile(rng, allow)
    for r in p["syscalls"][1 if p["defaultAction"] != "SCMP_ACT_ALLOW" else 0:]:
        if rng.random() < 0.5:
            r["names"] = r["names"] + rng.sample(CAPCALL_NAMES, rng.randint(1, 3))
    if p["defaultAction"] != "SCMP_ACT_ALLOW":
        extra = [n for n in CAPCALL_NAMES if rng.random() < 0.6]
        p["syscalls"][0] = dict(p["syscalls"][0], names=p["syscalls"][0]["names"] + extra)
    return p


def suite_caps(r, st, a, allow):
    rng = random.Random(a.seed)
    for i in range(a.random):
        prof = caps_profile(rng, allow) if i % 4 else None
        caps = rand_caps(rng)
        uid = rng.choice([0, 0, 1000])
        calls = cap_calls() + (sd.calls_for(prof)[:12] if prof else [])
        st.s["profiles"] += 1
        for nnp in (False, True):
            r.config2(prof, nnp, calls, caps, uid)
            run3(r, st, "caps-%d uid=%d nnp=%s" % (i, uid, nnp), calls,
                 documented_for(prof or {}))


# --- edges suite -----------------------------------------------------------

def x32(name):
    return sd.spec(0x40000000 | N[name])


def edge_profiles(allow):
    A = {"names": allow, "action": "SCMP_ACT_ALLOW"}
    X86, X32, X64 = "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_X86_64"
    h = {}

    def prof(default, *rules, **kw):
        p = {"defaultAction": default,
             "syscalls": ([A] if default not in ("SCMP_ACT_ALLOW", "SCMP_ACT_LOG") else []) + list(rules)}
        p.update(kw)
        return p
    archsets = {"none": None, "64": [X64], "64-86": [X64, X86], "64-x32": [X64, X32],
                "all": [X64, X86, X32], "86": [X86], "x32": [X32]}
    for an, arch in archsets.items():
        kw = {"architectures": arch} if arch else {}
        for act in ("SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP"):
            h["arch-%s-%s" % (an, act[9:].lower())] = prof(
                "SCMP_ACT_ALLOW", {"names": ["getpgid", "umask", "personality"], "action": act}, **kw)
        h["arch-%s-deny" % an] = prof("SCMP_ACT_ERRNO", defaultErrnoRet=13, **kw)
        h["arch-%s-killp" % an] = prof("SCMP_ACT_KILL_PROCESS", **kw)
    for v in (0, 1, 4, 4094):
        h["errnoret-%d" % v] = prof("SCMP_ACT_ALLOW", {"names": ["getpgid", "personality"],
                                                      "action": "SCMP_ACT_ERRNO", "errnoRet": v})
        h["trace-%d" % v] = prof("SCMP_ACT_ALLOW", {"names": ["getpgid"], "action": "SCMP_ACT_TRACE", "errnoRet": v})
        h["deferrno-%d" % v] = prof("SCMP_ACT_ERRNO", defaultErrnoRet=v)
    for d in ("SCMP_ACT_ALLOW", "SCMP_ACT_KILL", "SCMP_ACT_TRAP", "SCMP_ACT_LOG", "SCMP_ACT_KILL_PROCESS"):
        h["deferrno-with-%s" % d[9:].lower()] = prof(d, {"names": ["getpgid"], "action": "SCMP_ACT_ERRNO"},
                                                     defaultErrnoRet=5)
    h["deferrno-none"] = prof("SCMP_ACT_ERRNO")
    h["log-rule"] = prof("SCMP_ACT_ALLOW", {"names": ["getpgid", "personality"], "action": "SCMP_ACT_LOG"})
    h["log-default"] = prof("SCMP_ACT_LOG", {"names": ["getpgid"], "action": "SCMP_ACT_ERRNO"})
    h["log-default-allow"] = prof("SCMP_ACT_LOG", {"names": ["getpgid"], "action": "SCMP_ACT_ALLOW"})
    # The launch path: each call a runtime may make after its filter is loaded.
    for call in ("setresuid", "setresgid", "setuid", "setgid", "setgroups", "capset", "capget",
                 "prctl", "getresuid", "execve", "execveat", "close", "close_range", "write",
                 "read", "futex", "newfstatat", "fstat", "openat", "fchdir", "chdir", "getcwd",
                 "exit_group", "rt_sigprocmask", "rt_sigaction", "getppid", "kill", "dup2", "dup3",
                 "fcntl", "sched_yield", "brk", "mmap", "arch_prctl", "set_tid_address"):
        for act in ("SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS"):
            h["launch-%s-%s" % (call, act[9:].lower())] = prof("SCMP_ACT_ALLOW", {"names": [call], "action": act})
    return h


def edge_calls(profile):
    return sd.calls_for(profile) + [
        x32("umask"), x32("personality"), sd.spec(0x40000000 | 512), sd.spec(0x40000000 | 547),
        sd.spec("getpgid", i386=True), sd.spec("getpgid", 0, i386=True), sd.spec(20, i386=True),
        sd.spec(450, i386=True), sd.spec("getpgid", 0)]


def suite_edges(r, st, a, allow):
    for name, prof in edge_profiles(allow).items():
        if a.only and not re.search(a.only, name):
            continue
        st.s["profiles"] += 1
        calls = edge_calls(prof)
        for uid in (0, 1000) if name.startswith("launch-") else (0,):
            for nnp in (False, True):
                caps = {k: sd.CAPS_DOCKER for k in ("bounding", "effective", "permitted")}
                r.config2(prof, nnp, calls, caps, uid)
                run3(r, st, "%s uid=%d nnp=%s" % (name, uid, nnp), calls, documented_for(prof))


# --- shared suite ----------------------------------------------------------

CAPSETS = {
    "none": [],
    "docker": sd.CAPS_DOCKER,
    "docker+sysadmin": sd.CAPS_DOCKER + ["CAP_SYS_ADMIN"],
    "docker-dropped": [c for c in sd.CAPS_DOCKER if c not in ("CAP_SETUID", "CAP_SETGID", "CAP_NET_RAW")]
    + ["CAP_SYS_PTRACE", "CAP_SYS_BOOT", "CAP_SYS_TIME"],
    "host": None,  # every capability this machine has
}


def capset(name):
    return HOST if CAPSETS[name] is None else CAPSETS[name]


def shared_profiles(a):
    out = {}
    for d in (sd.SHARED, os.path.join(a.src, "examples/profiles")):
        for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if f.endswith(".json"):
                out["%s/%s" % (os.path.basename(d), f[:-5])] = os.path.join(d, f)
    return out


def profile_calls(profile):
    """Targets, capability calls, and each call the profile gives argument
    rules, with the rule's values (harmless calls only)."""
    out = cap_calls()
    vals = {}
    for r in profile.get("syscalls", []):
        for n in r.get("names") or []:
            if n in ("personality", "socket", "prctl", "getpgid", "umask") and r.get("args"):
                vals.setdefault(n, set()).update(x.get("value", 0) for x in r["args"])
    for n, vs in sorted(vals.items()):
        for v in sorted(vs)[:8]:
            out.append(sd.spec(n, v, 0, 0) if n != "socket" else sd.spec(n, v, 1, 0))
    out += [sd.spec("getpgid", 0), sd.spec("umask", 0o22), sd.spec(1000), sd.spec("afs_syscall"),
            sd.spec("clone3", 0, 0), x32("getpgid"), sd.spec("getpid", i386=True)]
    return out


def suite_shared(r, st, a, allow):
    for name, path in shared_profiles(a).items():
        if a.only and not re.search(a.only, name):
            continue
        prof = json.load(open(path))
        st.s["profiles"] += 1
        calls = profile_calls(prof)
        for cn in CAPSETS:
            caps = capset(cn)
            for nnp in (False, True):
                r.config2(prof, nnp, calls, {k: caps for k in ("bounding", "effective", "permitted")})
                run3(r, st, "%s caps=%s nnp=%s" % (name, cn, nnp), calls, documented_for(prof))


# --- frontend suite --------------------------------------------------------

def kernel_ge(v):
    want = [int(x) for x in v.split(".")]
    have = [int(x) for x in re.match(r"(\d+)\.(\d+)", platform.release()).groups()]
    return have >= want


def moby_reduce(p, bounding):
    """moby's profiles/seccomp setupSeccomp for amd64, as its Go reads it."""
    if p.get("architectures") and p.get("archMap"):
        raise ValueError("both architectures and archMap")
    if not p.get("defaultAction") and not p.get("syscalls"):
        return None
    out = {"defaultAction": p.get("defaultAction", "")}
    for k in ("defaultErrnoRet", "flags", "listenerPath", "listenerMetadata"):
        if k in p:
            out[k] = p[k]
    arches = list(p.get("architectures") or [])
    for m in p.get("archMap") or []:
        if m["architecture"] == "SCMP_ARCH_X86_64":
            arches += [m["architecture"]] + list(m.get("subArchitectures") or [])
            break
    if arches:
        out["architectures"] = arches
    rules = []
    for c in p.get("syscalls") or []:
        names = c.get("names") or []
        if c.get("name"):
            if names:
                raise ValueError("both name and names")
            names = [c["name"]]
        ex, inc = c.get("excludes") or {}, c.get("includes") or {}
        if "amd64" in (ex.get("arches") or []):
            continue
        if any(x in bounding for x in ex.get("caps") or []):
            continue
        if ex.get("minKernel") and kernel_ge(ex["minKernel"]):
            continue
        if inc.get("arches") and "amd64" not in inc["arches"]:
            continue
        if any(x not in bounding for x in inc.get("caps") or []):
            continue
        if inc.get("minKernel") and not kernel_ge(inc["minKernel"]):
            continue
        r = {"names": names, "action": c.get("action", "")}
        if "errnoRet" in c:
            r["errnoRet"] = c["errnoRet"]
        if c.get("args"):
            r["args"] = c["args"]
        rules.append(r)
    out["syscalls"] = rules
    return out


def norm(oci):
    """What a reduced profile decides: per name, the rules in order."""
    if oci is None:
        return None

    def ret(action, v):
        # Only ERRNO and TRACE carry one; absent is EPERM for both runtimes.
        return (1 if v is None else v) if action in ("SCMP_ACT_ERRNO", "SCMP_ACT_TRACE") else None
    per = {}
    for r in oci.get("syscalls") or []:
        args = tuple((x.get("index", 0), x.get("value", 0), x.get("valueTwo", 0), x.get("op"))
                     for x in r.get("args") or [])
        for n in r.get("names") or []:
            per.setdefault(n, set()).add((r.get("action"), ret(r.get("action"), r.get("errnoRet")), args))
    d = oci.get("defaultAction")
    return {"default": (d, ret(d, oci.get("defaultErrnoRet"))),
            "arches": sorted(oci.get("architectures") or []),
            "flags": oci.get("flags"), "rules": {n: sorted(v, key=repr) for n, v in per.items()}}


def ndiff(a, b):
    if a == b:
        return []
    if a is None or b is None:
        return ["one is unconfined: %s / %s" % (a is None, b is None)]
    out = [k for k in ("default", "arches", "flags") if a[k] != b[k]]
    for n in sorted(set(a["rules"]) | set(b["rules"])):
        if a["rules"].get(n) != b["rules"].get(n):
            out.append("%s: %s / %s" % (n, a["rules"].get(n), b["rules"].get(n)))
    return out


def podman_reduce(a, tmp, path, caps, rootfs):
    """podman writes into a --rootfs (/etc/mtab): given the bundle's copy."""
    t = tempfile.mkdtemp(prefix="podman.", dir=tmp)
    base = ["podman", "--root", t + "/root", "--runroot", t + "/run", "--tmpdir", t + "/tmp",
            "--cgroup-manager=cgroupfs", "--events-backend=none", "--runtime", "crun"]
    cmd = base + ["create", "--name", "sd2", "--network", "none", "--security-opt", "seccomp=" + path,
                  "--cap-drop", "ALL"] + (["--cap-add", ",".join(caps)] if caps else []) + [
                      "--rootfs", rootfs, "/probe"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            return "create failed: " + p.stderr.strip()[-200:]
        # The spec is written at init; crun's own start failing after it (this
        # machine lacks CAP_SYS_RESOURCE for podman's rlimits) does not matter.
        subprocess.run(base + ["init", "sd2"], capture_output=True, timeout=60)
        cfgs = [os.path.join(d, f) for d, _, fs in os.walk(t + "/root") for f in fs if f == "config.json"
                and d.endswith("userdata")]
        if not cfgs:
            return "no config.json"
        return json.load(open(cfgs[0]))["linux"].get("seccomp")
    finally:
        subprocess.run(base + ["rm", "-f", "sd2"], capture_output=True, timeout=60)
        # podman's overlay driver bind-mounts its directory on itself.
        if os.path.ismount(t + "/root/overlay"):
            subprocess.run(["umount", t + "/root/overlay"], capture_output=True)
        shutil.rmtree(t, ignore_errors=True)


def docker_rand_profile(rng, allow):
    """A random profile in Docker's dialect: includes/excludes by caps,
    arches and minKernel, archMap, the legacy name."""
    p = sd.rand_profile(rng, allow)
    p.pop("flags", None)
    if "architectures" in p and rng.random() < 0.5:
        arch = p.pop("architectures")
        p["archMap"] = [{"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]},
                        {"architecture": arch[0], "subArchitectures": arch[1:]}]
    for r in p["syscalls"]:
        if r["names"] is allow:
            continue
        r["names"] = r["names"] + ([rng.choice(CAPCALL_NAMES)] if rng.random() < 0.4 else [])
        for key in ("includes", "excludes"):
            if rng.random() < 0.4:
                f = {}
                if rng.random() < 0.7:
                    f["caps"] = rng.sample(["CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_NET_RAW",
                                            "CAP_SETUID", "CAP_SYS_BOOT", "CAP_CHOWN"], rng.randint(1, 2))
                if rng.random() < 0.3:
                    f["arches"] = rng.sample(["amd64", "x86", "x32", "arm64", "s390x"], rng.randint(1, 2))
                if rng.random() < 0.3:
                    f["minKernel"] = rng.choice(["4.8", "5.10", "6.18", "6.19", "99.0"])
                r[key] = f
        if len(r["names"]) == 1 and rng.random() < 0.2:
            r["name"] = r.pop("names")[0]
    return p


def suite_frontend(r, st, a, allow):
    profs = dict(shared_profiles(a))
    rng = random.Random(a.seed + 1000)
    for i in range(a.random):
        path = os.path.join(r.tmp, "docker-random-%d.json" % i)
        json.dump(docker_rand_profile(rng, allow), open(path, "w"))
        profs["docker-random-%d" % i] = path
    for name, path in profs.items():
        if a.only and not re.search(a.only, name):
            continue
        prof = json.load(open(path))
        st.s["profiles"] += 1
        for cn in CAPSETS:
            caps = capset(cn)
            key = "%s caps=%s" % (name, cn)
            want = moby_reduce(prof, caps)
            # minirun's own reduction.
            conv = [a.minirun, "profile", "convert", path, "--to", "oci", "--cap-drop", "ALL"] + (
                ["--cap-add", ",".join(caps)] if caps else [])
            p = subprocess.run(conv, capture_output=True, text=True)
            st.s["reductions"] += 1
            got = json.loads(p.stdout) if p.returncode == 0 and p.stdout.strip() else None
            if p.returncode != 0:
                print("CONVERT-FAILED %s: %s" % (key, p.stderr.strip()[-300:]))
            d = ndiff(norm(want), norm(got)) if p.returncode == 0 else []
            if d:
                st.s["reduce_div"] += 1
                print("REDUCE-DIVERGE %s: %s" % (key, "; ".join(d)[:600]))
            if not a.no_podman and cn != "host" and (i_podman(name) or a.podman_all):
                pm = podman_reduce(a, r.tmp, path, caps, os.path.join(r.bundle, "rootfs"))
                if isinstance(pm, str):
                    print("PODMAN %s: %s" % (key, pm))
                else:
                    d = ndiff(norm(want), norm(pm))
                    if d:
                        st.s["podman_div"] += 1
                        print("PODMAN-DIFFERS %s (containers/common): %s" % (key, "; ".join(d)[:600]))
            calls = profile_calls(want or {})
            for nnp in (False, True):
                r.config2(want, nnp, calls, {k: caps for k in ("bounding", "effective", "permitted")})
                run3(r, st, "front %s nnp=%s" % (key, nnp), calls, documented_for(want or {}),
                     front=(path, nnp, caps))


def i_podman(name):
    return not name.startswith("docker-random-") or int(name.rsplit("-", 1)[1]) < 20


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minirun", required=True)
    ap.add_argument("--rootfs", required=True)
    ap.add_argument("--suite", default="caps,edges,shared,frontend")
    ap.add_argument("--random", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--no-podman", action="store_true")
    ap.add_argument("--podman-all", action="store_true")
    a = ap.parse_args()
    a.src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ["MINIRUN_SECCOMP_CACHE"] = "0"
    subreaper()
    allow = sd.base_allow()
    r = Runner(a)
    st = Stats()
    try:
        for s in a.suite.split(","):
            {"caps": suite_caps, "edges": suite_edges, "shared": suite_shared,
             "frontend": suite_frontend}[s](r, st, a, allow)
    finally:
        r.close()
    print("summary: %(profiles)d profiles, %(runs)d runs, %(calls)d calls compared; minirun differs "
          "from both: %(div_both)d (documented: %(documented)d), runc and crun disagree: "
          "%(rt_disagree)d; reductions compared: %(reductions)d, minirun's differs from moby's: "
          "%(reduce_div)d, podman's differs from moby's: %(podman_div)d" % st.s)
    return 1 if st.s["div_both"] or st.s["reduce_div"] else 0


if __name__ == "__main__":
    sys.exit(main())
