#!/usr/bin/env python3
"""Differential test of seccomp profile fidelity: minirun against runc and crun.

The same bundle (the integration rootfs with /probe) and the same
linux.seccomp run under `minirun run`, `runc run` and `crun run`
(crun 1.8.1 in a private mount namespace without the cgroup2 mount, with
--cgroup-manager=disabled); `/probe calls SPEC...` makes each listed raw
syscall in a child on a thread of its own and prints its outcome (OK, errno
name, TRAP(data), KILL_THREAD, KILLED(SIGSYS)).  Compared: whether the
container starts, and each call's outcome, with noNewPrivileges false and
true.  Profiles: hand-made ones, the shared profiles ($MR_SHARED_PROFILES,
else /work/shared/profiles, when present), and random ones.

    seccomp-diff.py --minirun BUILD/minirun --rootfs BUILD/tests/rootfs \
        [--random N] [--seed S] [--only NAME] [--keep]

Prints one line per divergence and a summary; exit 1 when minirun differs
from both runc and crun somewhere.  State directories and the bundle are in a
temporary directory in /tmp, removed at the end; each container is deleted
after its run (runc's cgroup, "seccomp-diff" below runc's own, goes with it);
the compiled-program cache is off.

tests/differential/test-seccomp-differential.py (the meson test
integration-seccomp-differential) imports this module and
seccomp-diff2.py and runs a fixed selection of their profiles.
"""
import argparse, json, os, random, re, shutil, subprocess, sys, tempfile

CAPS_DOCKER = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
               "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
               "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]


def syscall_table(header):
    t = {}
    for line in open(header):
        m = re.match(r"#define __NR_(\w+)\s+(\d+)", line)
        if m:
            t[m.group(1)] = int(m.group(2))
    return t


SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Docker's and the lab's real profiles (tests/meson.build sets the variable);
# the parts that read them are left out when the folder is absent.
SHARED = os.environ.get("MR_SHARED_PROFILES") or "/work/shared/profiles"
NR64 = syscall_table("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
NR32 = syscall_table("/usr/include/x86_64-linux-gnu/asm/unistd_32.h")
# Calls a profile's rules target: harmless with any argument, and none of
# them is one the probe, the C library or a runtime needs to start.
TARGETS = ["personality", "getpgid", "getsid", "umask", "getpriority", "flock", "lseek",
           "dup", "fchdir", "alarm", "kcmp", "dup3", "sched_getscheduler", "getitimer"]
# Known to libseccomp, absent from the kernel (ENOSYS from the kernel itself).
ABSENT = ["afs_syscall", "tuxcall", "security", "vserver", "putpmsg"]
VALUES = [0, 1, 2, 5, 8, 0x20000, 0xffffffff, 0x100000000, 0x100000005, 0x7fffffff, 0x80000000,
          0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0xfffffffffffffffe]
OPS = ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
       "SCMP_CMP_MASKED_EQ"]
ACTIONS = ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
           "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_LOG", "SCMP_ACT_TRACE"]


def base_allow(path=None):
    """Docker's unconditional allow list, minus the targets: the calls a
    container needs, for profiles whose default is not ALLOW.  From PATH,
    else moby's default in SHARED, else minirun's built-in default
    (examples/profiles/default.json, a later moby default)."""
    if path is None:
        path = os.path.join(SHARED, "moby-moby_default.json")
        if not os.path.exists(path):
            path = os.path.join(SRC, "examples", "profiles", "default.json")
    p = json.load(open(path))
    # Every unconditional ALLOW rule's names (moby's first rule; the
    # built-in default's groups).
    names = {n for r in p["syscalls"] if r.get("action") == "SCMP_ACT_ALLOW" and not r.get("args")
             and not r.get("includes") and not r.get("excludes") for n in r.get("names") or []}
    names = (names | {"arch_prctl", "modify_ldt", "clone", "clone3"}) - set(TARGETS)
    return sorted(names)


def spec(name, *args, i386=False):
    nr = (NR32 if i386 else NR64)[name] if isinstance(name, str) else name
    s = ("i386/" if i386 else "") + str(nr)
    if args:
        s += ":" + ",".join(str(a - (1 << 64) if a >= 1 << 63 else a) for a in args)
    return s


def calls_for(profile):
    """The calls to compare: every target with each rule value, its
    neighbours and its high-word twin, plus the fixed probes."""
    vals = {0, 1, 0xffffffff, 0x100000000}
    for r in profile.get("syscalls", []):
        for a in r.get("args", []) or []:
            for v in (a.get("value", 0), a.get("valueTwo", 0)):
                for w in (v, v - 1, v + 1, v | 0x100000000, v & 0xffffffff):
                    if 0 <= w < 1 << 64:
                        vals.add(w)
    vals = sorted(vals)[:14]
    out = []
    targeted = sorted({n for r in profile.get("syscalls", []) for n in r.get("names", [])
                       if n in TARGETS})
    for n in targeted or ["personality"]:
        for v in vals:
            # arg1 as well, for rules on index 1 (the same value twice).
            out.append(spec(n, v, v, 0))
    out += [spec("getppid"), spec(1000), spec(NR64["afs_syscall"]), spec(NR64["tuxcall"]),
            spec(0x40000000 | NR64["getpgid"], 0), spec(0x40000000 | 1000),
            spec("getpid", i386=True), spec("personality", 0xffffffff, i386=True),
            spec("umask", 0o22, i386=True), spec(999, i386=True)]
    return out


def rand_rule(rng):
    r = {"names": rng.sample(TARGETS, rng.choice([1, 1, 2]))}
    if rng.random() < 0.15:
        r["names"].append(rng.choice(ABSENT + ["no_such_call", "clone3"]))
    r["action"] = rng.choice(ACTIONS)
    # errnoRet with TRAP: crun (and minirun) refuse it, runc ignores it; seldom.
    if r["action"] in ("SCMP_ACT_ERRNO", "SCMP_ACT_TRACE") or rng.random() < 0.05:
        r["errnoRet"] = rng.choice([0, 1, 13, 22, 38, 100, 4094])
    nargs = rng.choice([0, 0, 1, 1, 2, 3])
    args = []
    for _ in range(nargs):
        op = rng.choice(OPS)
        a = {"index": rng.choice([0, 0, 1]), "value": rng.choice(VALUES), "op": op}
        if op == "SCMP_CMP_MASKED_EQ":
            a["valueTwo"] = rng.choice(VALUES)
        elif rng.random() < 0.1:
            a["valueTwo"] = 0
        args.append(a)
    if args:
        r["args"] = args
    return r


def rand_profile(rng, allow):
    d = rng.choice(ACTIONS + ["SCMP_ACT_ERRNO", "SCMP_ACT_ALLOW", "SCMP_ACT_ALLOW"])
    p = {"defaultAction": d}
    if d == "SCMP_ACT_ERRNO" and rng.random() < 0.5:
        p["defaultErrnoRet"] = rng.choice([1, 38, 95])
    arch = rng.choice([None, ["SCMP_ARCH_X86_64"], ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
                       "SCMP_ARCH_X32"], ["SCMP_ARCH_X86"], ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"]])
    if arch:
        p["architectures"] = arch
    # runc 1.1.5 refuses any "flags" key: mostly none, so that runc compares too.
    fl = rng.choice([None] * 9 + [[], ["SECCOMP_FILTER_FLAG_LOG"], ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
                     ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]])
    if fl is not None:
        p["flags"] = fl
    rules = [rand_rule(rng) for _ in range(rng.randint(1, 5))]
    if d != "SCMP_ACT_ALLOW":
        rules.insert(0, {"names": allow, "action": "SCMP_ACT_ALLOW"})
    p["syscalls"] = rules
    return p


def hand_profiles(allow):
    A = {"names": allow, "action": "SCMP_ACT_ALLOW"}

    def prof(default, *rules, **kw):
        p = {"defaultAction": default, "syscalls": ([A] if default != "SCMP_ACT_ALLOW" else [])
             + list(rules)}
        p.update(kw)
        return p
    P = "personality"
    h = {}
    for d in ["SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
              "SCMP_ACT_TRAP", "SCMP_ACT_LOG", "SCMP_ACT_TRACE"]:
        h["default-" + d[9:].lower()] = prof(d)
    h["default-errno-ret"] = prof("SCMP_ACT_ERRNO", defaultErrnoRet=38)
    h["default-errno-ret0"] = prof("SCMP_ACT_ERRNO", {"names": ["getpgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 0})
    h["trap-data"] = prof("SCMP_ACT_ALLOW", {"names": [P], "action": "SCMP_ACT_TRAP", "errnoRet": 7})
    h["trace-ret"] = prof("SCMP_ACT_ALLOW", {"names": [P], "action": "SCMP_ACT_TRACE", "errnoRet": 7})
    h["errno-ret0"] = prof("SCMP_ACT_ALLOW", {"names": [P], "action": "SCMP_ACT_ERRNO", "errnoRet": 0})
    for op in OPS:
        for v in (5, 0x100000005, 0xffffffff, 0xffffffffffffffff):
            a = {"index": 0, "value": v, "op": op}
            if op == "SCMP_CMP_MASKED_EQ":
                a["valueTwo"] = 5
            h["op-%s-%x" % (op[9:].lower(), v)] = prof(
                "SCMP_ACT_ALLOW", {"names": [P, "getpgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22, "args": [a]})
    h["masked-outside"] = prof("SCMP_ACT_ALLOW", {"names": [P], "action": "SCMP_ACT_ERRNO", "args": [
        {"index": 0, "value": 2, "valueTwo": 1, "op": "SCMP_CMP_MASKED_EQ"}]})
    h["same-arg-twice"] = prof("SCMP_ACT_ALLOW", {"names": [P], "action": "SCMP_ACT_ERRNO", "args": [
        {"index": 0, "value": 2, "op": "SCMP_CMP_GT"}, {"index": 0, "value": 8, "op": "SCMP_CMP_LT"}]})
    # Found by the random run (seed 2, random-34): an OR of three conditions on one argument,
    # one never true (GT 2^64-1), one always (MASKED_EQ with mask 0).
    h["or-never-always-ne"] = prof("SCMP_ACT_ALLOW", {"names": ["getsid"], "action": "SCMP_ACT_ERRNO", "args": [
        {"index": 0, "value": 0xffffffffffffffff, "op": "SCMP_CMP_GT"},
        {"index": 0, "value": 0, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"},
        {"index": 0, "value": 1, "op": "SCMP_CMP_NE"}]})
    h["or-never-ne"] = prof("SCMP_ACT_ALLOW", {"names": ["getsid"], "action": "SCMP_ACT_ERRNO", "args": [
        {"index": 0, "value": 0xffffffffffffffff, "op": "SCMP_CMP_GT"},
        {"index": 0, "value": 1, "op": "SCMP_CMP_NE"}]})
    h["or-eq-ne"] = prof("SCMP_ACT_ALLOW", {"names": ["getsid"], "action": "SCMP_ACT_ERRNO", "args": [
        {"index": 0, "value": 5, "op": "SCMP_CMP_EQ"},
        {"index": 0, "value": 7, "op": "SCMP_CMP_GT"},
        {"index": 0, "value": 1, "op": "SCMP_CMP_NE"}]})
    h["two-args"] = prof("SCMP_ACT_ALLOW", {"names": [P], "action": "SCMP_ACT_ERRNO", "args": [
        {"index": 0, "value": 2, "op": "SCMP_CMP_GT"}, {"index": 1, "value": 8, "op": "SCMP_CMP_LT"}]})
    h["precedence"] = prof("SCMP_ACT_ALLOW",
                           {"names": [P], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_GE"}]},
                           {"names": [P], "action": "SCMP_ACT_TRAP", "args": [{"index": 0, "value": 5, "op": "SCMP_CMP_GE"}]},
                           {"names": [P], "action": "SCMP_ACT_KILL", "args": [{"index": 0, "value": 0xffffffff, "op": "SCMP_CMP_EQ"}]},
                           {"names": [P], "action": "SCMP_ACT_LOG", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]})
    h["conflict-same"] = prof("SCMP_ACT_ALLOW", {"names": [P], "action": "SCMP_ACT_ERRNO"},
                              {"names": [P], "action": "SCMP_ACT_KILL"})
    h["unknown-name"] = prof("SCMP_ACT_ALLOW", {"names": ["no_such_call", P], "action": "SCMP_ACT_ERRNO"})
    h["absent-errno"] = prof("SCMP_ACT_ALLOW", {"names": ABSENT, "action": "SCMP_ACT_ERRNO", "errnoRet": 13})
    h["absent-default"] = prof("SCMP_ACT_ERRNO")  # afs_syscall: stub or default?
    h["arch-x86-only"] = prof("SCMP_ACT_ALLOW", {"names": [P, "umask"], "action": "SCMP_ACT_ERRNO"}, architectures=["SCMP_ARCH_X86"])
    h["arch-all"] = prof("SCMP_ACT_ERRNO", {"names": [P, "umask", "getpgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22},
                         architectures=["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])
    h["arch-x32"] = prof("SCMP_ACT_ERRNO", {"names": ["getpgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22},
                         architectures=["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"])
    h["flag-log"] = prof("SCMP_ACT_ALLOW", {"names": [P], "action": "SCMP_ACT_ERRNO"}, flags=["SECCOMP_FILTER_FLAG_LOG"])
    h["flag-none"] = prof("SCMP_ACT_ALLOW", {"names": [P], "action": "SCMP_ACT_ERRNO"}, flags=[])
    h["flag-bogus"] = prof("SCMP_ACT_ALLOW", {"names": [P], "action": "SCMP_ACT_ERRNO"}, flags=["SECCOMP_FILTER_FLAG_BOGUS"])
    h["errno-4095"] = prof("SCMP_ACT_ALLOW", {"names": [P], "action": "SCMP_ACT_ERRNO", "errnoRet": 4095})
    h["default-action-bogus"] = prof("SCMP_ACT_BOGUS")
    h["op-bogus"] = prof("SCMP_ACT_ALLOW", {"names": [P], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_BOGUS"}]})
    h["index-6"] = prof("SCMP_ACT_ALLOW", {"names": [P], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]})
    h["empty-names"] = prof("SCMP_ACT_ALLOW", {"names": [], "action": "SCMP_ACT_ERRNO"})
    h["caps-includes"] = prof("SCMP_ACT_ALLOW", {"names": [P], "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_SYS_ADMIN"]}})
    h["caps-excludes"] = prof("SCMP_ACT_ALLOW", {"names": [P], "action": "SCMP_ACT_ERRNO", "excludes": {"caps": ["CAP_SYS_ADMIN"]}})
    h["minkernel"] = prof("SCMP_ACT_ALLOW", {"names": [P], "action": "SCMP_ACT_ERRNO", "includes": {"minKernel": "99.0"}})
    for f in sorted(os.listdir(SHARED)) if os.path.isdir(SHARED) else []:
        if f.endswith(".json"):
            h["file-" + f[:-5]] = json.load(open(os.path.join(SHARED, f)))
    return h


class Runner:
    def __init__(self, a):
        self.a = a
        self.tmp = tempfile.mkdtemp(prefix="seccomp-diff.", dir="/tmp")
        self.bundle = os.path.join(self.tmp, "bundle")
        os.makedirs(self.bundle)
        subprocess.run(["cp", "-a", a.rootfs, os.path.join(self.bundle, "rootfs")], check=True)
        self.n = 0

    def config(self, seccomp, nnp, calls, caps):
        cfg = {
            "ociVersion": "1.0.2",
            "process": {"terminal": False, "user": {"uid": 0, "gid": 0},
                        "args": ["/probe", "calls"] + calls, "env": ["PATH=/bin:/usr/bin"],
                        "cwd": "/", "noNewPrivileges": nnp,
                        "capabilities": {k: caps for k in ("bounding", "effective", "permitted")}},
            "root": {"path": "rootfs"}, "hostname": "diff",
            "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                       {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
                        "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]}],
            "linux": {"namespaces": [{"type": t} for t in ("pid", "ipc", "uts", "mount", "network")],
                      "cgroupsPath": "seccomp-diff"},
        }
        if seccomp is not None:
            cfg["linux"]["seccomp"] = seccomp
        with open(os.path.join(self.bundle, "config.json"), "w") as f:
            json.dump(cfg, f)

    def run(self, rt):
        self.n += 1
        cid = "d%d" % self.n
        root = os.path.join(self.tmp, "state-" + rt)
        if rt == "minirun":
            cmd = [self.a.minirun, "--root", root, "run", "--bundle", self.bundle, cid]
            rm = [self.a.minirun, "--root", root, "delete", "--force", cid]
        elif rt == "runc":
            cmd = ["runc", "--root", root, "run", "--bundle", self.bundle, cid]
            rm = ["runc", "--root", root, "delete", "-f", cid]
        else:
            cmd = ["unshare", "-m", "sh", "-c", "umount /sys/fs/cgroup/unified 2>/dev/null; exec crun --root '%s' "
                   "--cgroup-manager=disabled run --bundle '%s' %s" % (root, self.bundle, cid)]
            rm = ["crun", "--root", root, "delete", "-f", cid]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
            out, err, rc = p.stdout, p.stderr, p.returncode
        except subprocess.TimeoutExpired:
            out, err, rc = "", "timeout", -1
        subprocess.run(rm, capture_output=True)
        return rc, out, err

    def close(self):
        if not self.a.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


def outcome(rc, out, calls):
    """(started, {call: result}) from a run's exit and output."""
    res = {}
    for line in out.splitlines():
        parts = line.split(" ", 1)
        if len(parts) == 2 and parts[0] in calls:
            res[parts[0]] = parts[1]
    started = len(res) > 0 or rc == 0
    return started, res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minirun", required=True)
    ap.add_argument("--rootfs", required=True)
    ap.add_argument("--random", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--json", help="write every outcome here")
    a = ap.parse_args()
    # No compiled-program cache: nothing outside /tmp, and no entry of an older build.
    os.environ["MINIRUN_SECCOMP_CACHE"] = "0"
    allow = base_allow()
    profiles = hand_profiles(allow)
    rng = random.Random(a.seed)
    for i in range(a.random):
        profiles["random-%d" % i] = rand_profile(rng, allow)
    if a.only:
        profiles = {k: v for k, v in profiles.items() if re.search(a.only, k)}
    r = Runner(a)
    stats = {"profiles": 0, "runs": 0, "calls": 0, "div_both": 0, "div_one": 0, "rt_disagree": 0}
    record = {}
    try:
        for name, prof in profiles.items():
            stats["profiles"] += 1
            calls = calls_for(prof)
            capsets = [("docker", CAPS_DOCKER)]
            if "includes" in json.dumps(prof) or "excludes" in json.dumps(prof):
                capsets.append(("sysadmin", CAPS_DOCKER + ["CAP_SYS_ADMIN", "CAP_SYS_PTRACE"]))
            for capname, caps in capsets:
                for nnp in (False, True):
                    r.config(prof, nnp, calls, caps)
                    got = {}
                    for rt in ("minirun", "runc", "crun"):
                        rc, out, err = r.run(rt)
                        stats["runs"] += 1
                        got[rt] = outcome(rc, out, calls) + (rc, err.strip().splitlines()[-1:] if err.strip() else [])
                    key = "%s caps=%s nnp=%s" % (name, capname, nnp)
                    record[key] = {rt: {"started": g[0], "rc": g[2], "err": g[3], "calls": g[1]} for rt, g in got.items()}
                    m, ru, cr = got["minirun"], got["runc"], got["crun"]
                    def cmp(what, vm, vr, vc):
                        if vm == vr == vc:
                            return
                        if vr != vc:
                            stats["rt_disagree"] += 1
                        if vm != vr and vm != vc:
                            stats["div_both"] += 1
                            tag = "DIVERGE"
                        else:
                            stats["div_one"] += 1
                            tag = "runc!=crun" if vr != vc else "?"
                        print("%s %s %s: minirun=%s runc=%s crun=%s" % (tag, key, what, vm, vr, vc))
                    cmp("starts", m[0], ru[0], cr[0])
                    if not (m[0] and ru[0] and cr[0]):
                        if not m[0] or not ru[0] or not cr[0]:
                            for rt, g in got.items():
                                if not g[0]:
                                    print("   %s rc=%s %s" % (rt, g[2], g[3]))
                    for c in calls:
                        stats["calls"] += 1
                        vals = [g[1].get(c, "-") if g[0] else "-" for g in (m, ru, cr)]
                        if "-" in vals:
                            continue
                        cmp(c, *vals)
                    sys.stdout.flush()
    finally:
        r.close()
        if a.json:
            with open(a.json, "w") as f:
                json.dump(record, f, indent=1)
    print("summary: %(profiles)d profiles, %(runs)d runs, %(calls)d calls compared; "
          "minirun differs from both: %(div_both)d, runc and crun disagree: %(rt_disagree)d" % stats)
    return 1 if stats["div_both"] else 0


if __name__ == "__main__":
    sys.exit(main())
