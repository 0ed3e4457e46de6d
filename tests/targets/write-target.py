#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""examples/targets/RUNTIME.json from what tests/targets/measure.sh saw.

    write-target.py RUNTIME VERSION REPETITIONS < seen.tsv > RUNTIME.json

seen.tsv: "NNP UID TERMINAL<TAB>SYSCALL" lines, one per call seen after the
filter in one run.  Each call goes under the narrowest condition covering
every run it was seen in: a condition is kept when all those runs share it.
"""
import datetime
import json
import os
import platform
import sys

rt, version, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
seen = {}
runs = set()
for line in sys.stdin:
    cond, name = line.rstrip("\n").split("\t")
    nnp, uid, tty = cond.split()
    run = (nnp == "true", int(uid) != 0, tty == "true")
    runs.add(run)
    seen.setdefault(name, set()).add(run)

KEYS = (("noNewPrivileges", lambda v: v), ("user", lambda v: "non-root" if v else "root"),
        ("terminal", lambda v: v))
groups = {}
for name, where in seen.items():
    when = {}
    for i, (key, show) in enumerate(KEYS):
        values = {r[i] for r in where}
        if len(values) == 1:
            when[key] = show(values.pop())
    groups.setdefault(json.dumps(when, sort_keys=True), []).append(name)

def order(item):
    when = json.loads(item[0])
    return (len(when), item[0])

doc = {
    "target": rt,
    "comment": "The system calls %s makes after it installed the container's seccomp filter, "
               "before the workload's execve: a profile that denies one of them stops the "
               "container from starting under %s. Measured by tests/targets/measure.sh "
               "(strace of every thread of the runtime's init process from the filter's "
               "installation to the workload's execve, for each condition); rerun it for "
               "another version." % (rt, rt),
    "measured": {
        "runtime": version,
        "kernel": platform.release(),
        "arch": platform.machine(),
        "date": datetime.date.today().isoformat(),
        "runs": len(runs) * 2 * reps,
        "method": "tests/targets/measure.sh",
    },
    "syscalls": [
        {"when": json.loads(k), "names": sorted(v)} for k, v in sorted(groups.items(), key=order)
    ],
}
json.dump(doc, sys.stdout, indent=2)
sys.stdout.write("\n")
