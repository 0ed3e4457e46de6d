#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The system calls a container runtime makes after it installed the
container's seccomp filter and before the workload's execve succeeded.

    after-filter.py STRACE_PREFIX

STRACE_PREFIX is what `strace -f -ff -ttt -o STRACE_PREFIX` was given: one
file per thread, STRACE_PREFIX.TID, each line starting with a timestamp.
Prints the names, one a line, sorted; exit status 1 if no filter was
installed (the measurement is then worthless: the bundle had no seccomp).

Why per-thread files: with one file, strace splits calls that overlap in
time into "<unfinished ...>" and "<... resumed>" halves; per thread a call is
one line.  Why a thread group: runc is written in Go and runs several
threads; the filter is installed with SECCOMP_FILTER_FLAG_TSYNC or inherited
by threads made later, so every thread of the process that installed it is
counted (an over-approximation, safe for a profile: it can only allow more).
Processes the group forks after the filter inherit it and are counted too.
"""
import glob
import re
import sys

LINE = re.compile(r"^(\d+\.\d+) ([a-z0-9_]+)\((.*)$")
INSTALL = re.compile(
    r"^(seccomp\(SECCOMP_SET_MODE_FILTER, [^,]*, \{len=|prctl\(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, \{len=)"
)
RESULT = re.compile(r"\) += (-?\d+|0x[0-9a-f]+)")


def main():
    prefix = sys.argv[1]
    calls = {}  # tid -> [(ts, name, rest)]
    for path in glob.glob(prefix + ".*"):
        tid = int(path.rsplit(".", 1)[1])
        v = []
        with open(path, errors="replace") as f:
            for line in f:
                m = LINE.match(line)
                if m:
                    v.append((float(m.group(1)), m.group(2), m.group(2) + "(" + m.group(3)))
        calls[tid] = v

    # Who made whom: a thread (CLONE_THREAD) joins its creator's group, any
    # other clone/fork/vfork starts a group of its own, child of the creator.
    group = {tid: tid for tid in calls}
    parent = {}
    for tid in sorted(calls):
        for _, name, text in calls[tid]:
            if name not in ("clone", "clone3", "fork", "vfork"):
                continue
            m = RESULT.search(text)
            if not m or int(m.group(1), 0) <= 0:
                continue
            child = int(m.group(1), 0)
            if "CLONE_THREAD" in text:
                group[child] = tid  # resolved below
            else:
                parent[child] = tid

    def leader(t):
        seen = set()
        while group.get(t, t) != t and t not in seen:
            seen.add(t)
            t = group[t]
        return t

    events = sorted((ts, tid, name, text) for tid, v in calls.items() for ts, name, text in v)
    start = None
    for ts, tid, name, text in events:
        if INSTALL.match(text) and re.search(r"\) += 0$", text.rstrip()):
            start = (ts, leader(tid))
            break
    if start is None:
        print("after-filter.py: no seccomp filter installed in " + prefix, file=sys.stderr)
        return 1
    t0, g0 = start

    def filtered(tid):
        t = leader(tid)
        while t != g0 and t in parent:
            t = leader(parent[t])
        return t == g0

    names = set()
    done = set()  # groups whose workload has been exec'ed
    for ts, tid, name, text in events:
        if ts <= t0 or not filtered(tid) or leader(tid) in done:
            continue
        names.add(name)
        if name in ("execve", "execveat") and re.search(r"\) += 0$", text.rstrip()):
            done.add(leader(tid))
    for n in sorted(names):
        print(n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
