#!/usr/bin/env python3
"""Profile fidelity in the suite: a fixed selection of seccomp-diff.py's and
seccomp-diff2.py's runs (meson test integration-seccomp-differential).

Each case puts one linux.seccomp in the same bundle and runs it under
`minirun run`, `runc run` and `crun run` (or, for Docker's default, `minirun
--seccomp=FILE` against the profile reduced as moby does), comparing whether
the container starts and each raw syscall's outcome (`/probe calls`), with the
two scripts' own code: their runner, profiles, calls and the documented
differences of seccomp-diff2.py.  A case fails when minirun differs from both
runc and crun where the README does not document it (where runc and crun
disagree, minirun must take one of their sides), or when a valid profile
compared no call at all.  The selection covers the shapes that differed
before: every action as the default, errno values (0, 38, 4094, 4095), TRAP
data, KILL/KILL_THREAD/LOG, each operator on 32- and 64-bit values, ORed
clauses with a 64-bit LT/LE/GT/GE and always-true/always-false conditions,
MASKED_EQ with bits outside the mask, precedence, unknown and absent names,
empty names, Docker-only keys in a config.json (includes/excludes by caps,
minKernel), arch lists, flags, the launch path, capability sets; the fixtures
of past divergences in tests/data/seccomp; Docker's default from the shared
profiles ($MR_SHARED_PROFILES; those cases SKIP when it is absent); random
profiles from fixed seeds.  14 to 55 s on 2 cores, by the load.

Output is TAP.  Without root, runc, crun or unshare: SKIP (exit 77 by hand;
"1..0 # SKIP" and exit 0 under meson, MINIRUN_UNDER_MESON=1); with CI=true a
missing tool is a failure.  Every container is deleted after its run, orphans
of a runtime are reaped (this process is their subreaper), and the last check
is that no container state, cgroup or child process is left.
"""
import contextlib, importlib.util, io, json, os, random, shutil, sys, time, types

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("seccomp_diff2", os.path.join(HERE, "seccomp-diff2.py"))
sd2 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sd2)
sd = sd2.sd  # seccomp-diff.py, as seccomp-diff2.py loaded it

UNDER_MESON = os.environ.get("MINIRUN_UNDER_MESON") == "1"


def skip_all(reason):
    print("1..0 # SKIP %s" % reason)
    sys.exit(0 if UNDER_MESON else 77)


def missing_tool(reason):
    """As tests/integration/lib.sh: a skip, but a failure in CI."""
    if os.environ.get("CI") == "true":
        print("Bail out! %s" % reason)
        sys.exit(1)
    skip_all(reason)


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def diag(self, text):
        for line in text.splitlines():
            print("# " + line)

    def ok(self, good, name, text=""):
        self.n += 1
        if not good:
            self.failed += 1
        print("%s %d - %s" % ("ok" if good else "not ok", self.n, name))
        if not good and text:
            self.diag(text)
        sys.stdout.flush()

    def skip(self, name, reason):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, name, reason))


DOCKER = {k: sd.CAPS_DOCKER for k in ("bounding", "effective", "permitted")}
SYSADMIN = {k: sd.CAPS_DOCKER + ["CAP_SYS_ADMIN", "CAP_SYS_PTRACE"] for k in ("bounding", "effective", "permitted")}
# Refused by minirun and crun at least (runc runs trap-data: it ignores the
# errnoRet of a TRAP): no call is compared, only whether the container starts.
INVALID = {"trap-data", "errno-4095", "default-action-bogus", "op-bogus", "index-6", "empty-names",
           "flag-bogus"}


def case(name, profile, nnp, calls, caps=DOCKER, uid=0, front=None, needs_shared=False, valid=None):
    """valid: every runtime should start it (a profile of INVALID, or a
    random one, may be refused by all three alike)."""
    if valid is None:
        valid = name not in INVALID
    return types.SimpleNamespace(name=name, profile=profile, nnp=nnp, calls=calls, caps=caps, uid=uid,
                                 front=front, needs_shared=needs_shared, valid=valid)


def fixture_calls(profile):
    """calls_for's, plus each value of a rule in argument 0 alone and in
    argument 1 alone (the fixtures' comments name such calls)."""
    out = sd.calls_for(profile)
    for r in profile.get("syscalls", []):
        for n in r.get("names", []):
            if n not in sd.TARGETS:
                continue
            for a in r.get("args", []) or []:
                v = a.get("value", 0)
                out += [sd.spec(n, v, 0), sd.spec(n, 0, v)]
    return list(dict.fromkeys(out))


def selection(src, shared):
    allow = sd.base_allow(os.path.join(src, "examples", "profiles", "default.json"))
    hand = sd.hand_profiles(allow)
    cases = []
    # Every action as the default (alternating NNP: the launch path differs),
    # errno values, TRAP data, TRACE without a tracer.
    for i, n in enumerate(["default-errno", "default-kill", "default-kill_thread", "default-trap",
                           "default-log", "default-trace", "default-errno-ret", "default-errno-ret0",
                           "trap-data", "errno-ret0", "errno-4095"]):
        cases.append(case(n, hand[n], i % 2 == 1, sd.calls_for(hand[n])))
    # Operators on 32- and 64-bit values (LT/LE/GT/GE above 2^32-1 among them).
    for i, n in enumerate(["op-lt-100000005", "op-le-ffffffff", "op-ge-100000005", "op-gt-ffffffffffffffff",
                           "op-eq-100000005", "op-ne-5", "op-masked_eq-100000005"]):
        cases.append(case(n, hand[n], i % 2 == 0, sd.calls_for(hand[n])))
    # OR clauses (always true, never true), MASKED_EQ outside the mask,
    # precedence, names libseccomp or the kernel does not know, arches,
    # flags, profiles every runtime must refuse.
    for i, n in enumerate(["masked-outside", "or-never-always-ne", "or-eq-ne", "two-args", "precedence",
                           "conflict-same", "unknown-name", "absent-errno", "absent-default",
                           "arch-x86-only", "arch-x32", "flag-log", "default-action-bogus", "op-bogus",
                           "empty-names"]):
        cases.append(case(n, hand[n], i % 2 == 1, sd.calls_for(hand[n])))
    # Docker-only keys in a config.json: ignored as runc and crun ignore
    # them, so each rule applies whatever the capabilities and kernel.
    cases.append(case("caps-includes caps=docker", hand["caps-includes"], False, sd.calls_for(hand["caps-includes"])))
    cases.append(case("caps-excludes caps=sysadmin", hand["caps-excludes"], True,
                      sd.calls_for(hand["caps-excludes"]), caps=SYSADMIN))
    cases.append(case("minkernel", hand["minkernel"], False, sd.calls_for(hand["minkernel"])))
    # The fixtures of earlier divergences (64-bit magnitude ORs, decided
    # conditions, MASKED_EQ, Go's uint64 values).
    for i, f in enumerate(["or-64bit-magnitude-a", "or-64bit-magnitude-b", "or-decided-conditions"]):
        p = json.load(open(os.path.join(src, "tests", "data", "seccomp", f + ".json")))
        p.pop("comment", None)
        cases.append(case("fixture " + f, p, i % 2 == 1, fixture_calls(p)))
    # seccomp-diff2's edges: i386 and x32 calls under arch lists, kills on a
    # thread, LOG, errno 4094, the calls a runtime makes after its filter.
    edges = sd2.edge_profiles(allow)
    for i, n in enumerate(["arch-none-errno", "arch-64-86-kill_thread", "arch-x32-trap", "arch-86-killp",
                           "deferrno-4094", "log-default", "launch-capget-kill_process",
                           "launch-prctl-errno"]):
        cases.append(case("edge " + n, edges[n], i % 2 == 0, sd2.edge_calls(edges[n]),
                          uid=1000 if n == "launch-capget-kill_process" else 0))
    # Random profiles and capability sets from fixed seeds.
    rng = random.Random(24)
    for i in range(4):
        p = sd.rand_profile(rng, allow)
        cases.append(case("random-%d seed=24" % i, p, i % 2 == 1, sd.calls_for(p), valid=False))
    rng = random.Random(20)
    for i in range(2):
        p = sd2.caps_profile(rng, allow)
        caps = sd2.rand_caps(rng)
        uid = rng.choice([0, 0, 1000])
        cases.append(case("caps-random-%d seed=20 uid=%d" % (i, uid), p, i % 2 == 0,
                          sd2.cap_calls() + sd.calls_for(p)[:12], caps=caps, uid=uid, valid=False))
    # Docker's default (and its 19.03 form, whose clone3 is newer than every
    # name: the native stub) in a config.json and by the front end.
    moby = os.path.join(shared, "moby-moby_default.json")
    old = os.path.join(shared, "moby-moby_default_v19.03.0.json")
    have = os.path.exists(moby) and os.path.exists(old)
    pm = json.load(open(moby)) if have else {}
    po = json.load(open(old)) if have else {}
    cases.append(case("docker-default caps=docker", pm, False, sd2.profile_calls(pm), needs_shared=True))
    cases.append(case("docker-default caps=docker+sysadmin", pm, True, sd2.profile_calls(pm),
                      caps={k: sd.CAPS_DOCKER + ["CAP_SYS_ADMIN"] for k in DOCKER}, needs_shared=True))
    cases.append(case("docker-default-19.03 caps=docker", po, False, sd2.profile_calls(po), needs_shared=True))
    want = sd2.moby_reduce(pm, sd.CAPS_DOCKER) if have else {}
    cases.append(case("front docker-default caps=docker", want, False, sd2.profile_calls(want or {}),
                      front=(moby, False, sd.CAPS_DOCKER), needs_shared=True))
    return cases


def own_cgroups(name):
    found = []
    for top, dirs, _ in os.walk("/sys/fs/cgroup"):
        if top.count("/") > 9:
            dirs[:] = []
            continue
        if name in dirs:
            found.append(os.path.join(top, name))
    return found


def children():
    return ["%d %s" % c for c in sd2.children()]


def main():
    minirun, rootfs = os.environ.get("MINIRUN"), os.environ.get("ROOTFS")
    if not minirun or not os.access(minirun, os.X_OK):
        missing_tool("MINIRUN is not set or not executable (the minirun binary under test)")
    if not rootfs or not os.access(os.path.join(rootfs, "probe"), os.X_OK):
        missing_tool("no /probe in ROOTFS=%s (tests/setup-rootfs.sh)" % rootfs)
    if os.getuid() != 0:
        missing_tool("needs root (runc, crun and minirun's rootful mode)")
    for t in ("runc", "crun", "unshare"):
        if not shutil.which(t):
            missing_tool("%s is not installed (apt-get install runc crun)" % t)
    src = os.environ.get("MINIRUN_SRCDIR") or os.path.dirname(os.path.dirname(HERE))
    shared = sd.SHARED
    have_shared = os.path.exists(os.path.join(shared, "moby-moby_default.json"))
    os.environ["MINIRUN_SECCOMP_CACHE"] = "0"
    sd2.subreaper()
    cases = selection(src, shared)
    tap = Tap()
    print("1..%d" % (len(cases) + 1))
    a = types.SimpleNamespace(minirun=minirun, rootfs=rootfs, keep=False)
    r = sd2.Runner(a)
    st = sd2.Stats()
    try:
        for c in cases:
            name = "%s nnp=%s" % (c.name, c.nnp)
            if c.needs_shared and not have_shared:
                tap.skip(name, "no Docker profiles in %s (MR_SHARED_PROFILES)" % shared)
                continue
            r.config2(c.profile, c.nnp, c.calls, c.caps, c.uid)
            before = st.s["div_both"]
            log = io.StringIO()
            t0 = time.monotonic()
            with contextlib.redirect_stdout(log):
                got = sd2.run3(r, st, name, c.calls, sd2.documented_for(c.profile or {}), front=c.front)
            took = time.monotonic() - t0
            compared = sum(1 for x in c.calls if all(g[0] and x in g[1] for g in got.values()))
            text = log.getvalue()
            if st.s["div_both"] != before:
                tap.ok(False, name, "minirun differs from runc and crun:\n" + text)
            elif c.valid and not any(g[0] for g in got.values()):
                tap.ok(False, name, "no runtime started (a valid profile: the bundle, the probe?):\n"
                       + text + "".join("%s started=%s rc=%s %s\n" % (rt, g[0], g[2], g[3])
                                        for rt, g in got.items()))
            else:
                tap.ok(True, "%s (%d calls)" % (name, compared))
            if took > 3:
                tap.diag("%s took %.1f s" % (name, took))
    finally:
        states = [os.path.join(r.tmp, "state-" + rt) for rt in ("minirun", "runc", "crun")]
        left = [os.path.join(s, e) for s in states if os.path.isdir(s) for e in os.listdir(s)]
        sd2.reap()
        r.close()
    cg = own_cgroups("seccomp-diff2-%d" % os.getpid())
    kids = children()
    for d in cg:
        try:
            os.rmdir(d)
        except OSError:
            pass
    tap.ok(not left and not cg and not kids and not os.path.exists(r.tmp),
           "nothing left: container state, cgroup, child process, temporary directory",
           "state: %s\ncgroups: %s\nchildren: %s\ntmp: %s" % (left, cg, kids, os.path.exists(r.tmp)))
    if tap.failed and not UNDER_MESON:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
