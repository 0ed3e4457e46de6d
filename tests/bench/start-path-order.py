#!/usr/bin/env python3
"""Write cmd/start-path.ld: the functions a start runs, placed together.

    start-path-order.py --bin MINIRUN --map LINK_MAP --out cmd/start-path.ld \
        --run 'MINIRUN ROOTFS /bin/true' [--run ...]

Why: on this project's VM (a PVM guest) every page fault costs about 10 us,
and a start of minirun took ~40 of them on its code alone.  The kernel maps
file pages around a fault 64 KiB at a time (fault_around_bytes), but the
functions a start runs were spread over 1.8 MB of text (ours first, then
libseccomp, libarchive, the decompressors, libyaml, libc), so almost every
64 KiB window was touched once by minirun and again by the container
process, which does not inherit the parent's page tables for file-backed
text (fork copies none of them).  A linker script that puts those functions
next to each other turns ~40 text faults into ~13; the same for the
read-only data of those objects, and of the data-only objects a start
faulted on, saves two more.

How: MINIRUN must be the release static-pie build, linked with
-Wl,-Map,LINK_MAP (tests/bench/start-path-order.sh does both).  Every
function symbol gets a uprobe (tracefs), each --run command runs once with
them enabled, and the trace says which functions ran, in which process,
first when.  Each is mapped through the link map to the input section that
holds it: .text.NAME for minirun's own code (built with
-ffunction-sections), ARCHIVE:MEMBER(.text...) for a library's.  The order:
what the first --run (the default start) runs, in three groups: sections
both minirun and the container process ran, then the container process's
own, then minirun's own, each by first call; then what each later --run
adds, grouped the same way.  A
section the script names that no longer exists is ignored by the linker, so
a stale list costs speed, never correctness.

Needs root (tracefs uprobes and the page_fault_user tracepoint).  Nothing
is left behind: the probes are removed and the tracepoint turned off at
the end, also on failure.
"""
import argparse
import bisect
import os
import re
import shlex
import subprocess
import sys
import time

TRACEFS = "/sys/kernel/tracing"

# .bss the traced starts (rootful, a directory as ROOTFS) do not touch, placed
# after the rest.  A zeroed page costs a fault at its first write (~15 us
# here), and these sat between the words a start does write (libc's TLS,
# atexit and stack-cache state, a few of ours): those lay on six pages spread
# over 1.1 MB and lie on two without them (page faults per default start
# 109 -> 105, perf stat).  Others write some of these (an image's first
# unpacking, a rootless runtime call): a fault each, as before.  tzset.o is not
# here: run --bundle writes it (localtime for state.json).
COLD_BSS = [
    ("*container_image.c.o", "hash_rest's 1 MiB buffer: an image's first use"),
    ("*runtime.c.o", "the OCI runtime's rootless state root"),
    ("*libc.a:pthread_keys.o", "pthread_key_create's table"),
    ("*libc.a:register-atfork.o", "pthread_atfork's handlers"),
    ("*libc.a:res_libc.o", "the DNS resolver's state"),
    ("*libc.a:profil.o", "profil()"),
    ("*libc.a:loadarchive.o", "setlocale's locale archive"),
    ("*libc.a:dcigettext.o", "gettext: strerror's messages, after a failure"),
]
GROUP = "mrorder"


def text_symbols(binary):
    """Function symbols only (FUNC, IFUNC): a label inside a function is no
    place for a uprobe, whose breakpoint would land mid-instruction."""
    out = subprocess.run(["readelf", "-sW", binary], check=True,
                         capture_output=True, text=True).stdout
    by_addr = {}
    for line in out.splitlines():
        p = line.split()
        if len(p) >= 8 and p[3] in ("FUNC", "IFUNC") and p[6] != "UND" and int(p[2], 0) > 0:
            by_addr.setdefault(int(p[1], 16), p[7])
    return by_addr


def load_segments(binary):
    """(vaddr, offset, filesz) of each PT_LOAD, to turn addresses into file offsets."""
    out = subprocess.run(["readelf", "-lW", binary], check=True,
                         capture_output=True, text=True).stdout
    segs = []
    for line in out.splitlines():
        p = line.split()
        if p and p[0] == "LOAD":
            segs.append((int(p[2], 16), int(p[1], 16), int(p[4], 16)))
    return segs


def file_offset(segs, addr):
    for vaddr, off, size in segs:
        if vaddr <= addr < vaddr + size:
            return addr - vaddr + off
    return None


def map_sections(path):
    """Input sections of the link map: (addr, size, name, file, output section)."""
    lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    res = []
    out = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^(\.\S+)", line)
        if m:
            out = m.group(1)
        elif out is not None:
            m = re.match(r"^ (\.\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", line)
            if not m:
                m2 = re.match(r"^ (\.\S+)\s*$", line)
                if m2 and i + 1 < len(lines):
                    m = re.match(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", lines[i + 1])
                    if m:
                        res.append((int(m.group(1), 16), int(m.group(2), 16),
                                    m2.group(1), m.group(3).strip(), out))
                        i += 2
                        continue
            elif m:
                res.append((int(m.group(2), 16), int(m.group(3), 16), m.group(1),
                            m.group(4).strip(), out))
        i += 1
    return sorted(r for r in res if r[1] > 0)


def section_at(sections, starts, addr):
    i = bisect.bisect_right(starts, addr) - 1
    if i >= 0 and sections[i][0] <= addr < sections[i][0] + sections[i][1]:
        return sections[i]
    return None


def file_pattern(filename):
    m = re.match(r"^(.*/)?([^/(]+\.a)\(([^)]+)\)$", filename)
    if m:
        return "*%s:%s" % (m.group(2), m.group(3))
    return "*%s" % os.path.basename(filename)


def pattern(name, filename):
    """The linker script's input section description for one input section."""
    return "%s(%s)" % (file_pattern(filename), name)


def tracefs_write(name, text, append=False):
    with open(os.path.join(TRACEFS, name), "a" if append else "w") as f:
        f.write(text)


def remove_probes():
    path = os.path.join(TRACEFS, "events", GROUP, "enable")
    if os.path.exists(path):
        tracefs_write(os.path.join("events", GROUP, "enable"), "0")
    kept = [line for line in open(os.path.join(TRACEFS, "uprobe_events")).read().splitlines()
            if not line.startswith("p:%s/" % GROUP)]
    tracefs_write("uprobe_events", "")
    for line in kept:
        tracefs_write("uprobe_events", line + "\n", append=True)


VEX_EVEX = (0x62, 0xC4, 0xC5)


def probe_point(binary, data, segs, addr):
    """Where to put the uprobe for the function at addr: its first
    instruction, or, when that is VEX or EVEX encoded, the first one of its
    first straight-line instructions that is not.  The kernel single-steps the
    probed instruction out of line, and a probe on the EVEX first instruction
    of glibc's __memset_avx512_unaligned_erms made the traced minirun print
    garbage.  None when there is no such instruction (the function is then
    not traced)."""
    off = file_offset(segs, addr)
    if off is None or data[off] not in VEX_EVEX:
        return off
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn",
                          "--start-address=0x%x" % addr, "--stop-address=0x%x" % (addr + 48),
                          binary], capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s+(\S+)", line)
        if not m:
            continue
        a, mnemonic = int(m.group(1), 16), m.group(2)
        if mnemonic.startswith(("j", "call", "ret", "bnd")):
            return None
        o = file_offset(segs, a)
        if o is not None and data[o] not in VEX_EVEX:
            return o
    return None


FAULTS = os.path.join("events", "exceptions", "page_fault_user", "enable")
RUN_NAMES = ["the first run", "the second run", "the third run", "a later run"]


def trace_runs(binary, addrs, runs):
    """Run each command with a uprobe on every function at addrs, and with
    the page_fault_user tracepoint on.  Returns the calls (time, index of
    the run, tgid, function address), the faults (tgid, address, minus the binary's load
    address in that process, found from its calls), and the tgids of the
    commands themselves (minirun; any other tgid is a process it made)."""
    segs = load_segments(binary)
    real = os.path.realpath(binary)
    data = open(binary, "rb").read()
    names = {}
    refused = 0
    fd = os.open(os.path.join(TRACEFS, "uprobe_events"), os.O_WRONLY | os.O_APPEND)
    try:
        for n, addr in enumerate(sorted(addrs)):
            off = probe_point(binary, data, segs, addr)
            if off is None:
                refused += 1
                continue
            try:
                os.write(fd, b"p:%s/f%d %s:0x%x\n" % (GROUP.encode(), n, real.encode(), off))
                # the probe's own address: where the process's ip will be
                probed = next(v + off - o for v, o, z in segs if o <= off < o + z)
                names["f%d" % n] = (addr, probed)
            except OSError:
                refused += 1  # an instruction the kernel will not probe
    finally:
        os.close(fd)
    if refused:
        print("start-path-order: %d of %d symbols could not be probed" % (refused, len(addrs)))
    tracefs_write("options/record-tgid", "1")
    clock = re.search(r"\[(\S+)\]", open(os.path.join(TRACEFS, "trace_clock")).read()).group(1)
    tracefs_write("trace_clock", "mono")  # the runs' boundaries, from time.monotonic()
    try:
        tracefs_write("trace", "")
        tracefs_write(os.path.join("events", GROUP, "enable"), "1")
        tracefs_write(FAULTS, "1")
        tops, bounds = [], []
        try:
            for cmd in runs:
                bounds.append(time.monotonic())
                p = subprocess.Popen(shlex.split(cmd), stdout=subprocess.DEVNULL)
                tops.append(p.pid)
                if p.wait() != 0:
                    sys.exit("start-path-order: %s: exit status %d" % (cmd, p.returncode))
        finally:
            tracefs_write(FAULTS, "0")
            tracefs_write(os.path.join("events", GROUP, "enable"), "0")
        hits, raw_faults, base = [], [], {}
        head = r"^\s*.+?-(\d+)\s+\(\s*(\d+|-+)\)\s+\[\d+\]\s+\S+\s+([\d.]+):\s+"
        call_re = re.compile(head + r"(f\d+):\s+\((0x[0-9a-f]+)\)")
        fault_re = re.compile(head + r"page_fault_user:\s+address=(0x[0-9a-f]+)")
        for line in open(os.path.join(TRACEFS, "trace")):
            m = call_re.match(line) or fault_re.match(line)
            if not m:
                continue
            tgid = int(m.group(2)) if m.group(2).isdigit() else int(m.group(1))
            if len(m.groups()) == 5 and m.group(4) in names:
                func, probed = names[m.group(4)]
                t = float(m.group(3))
                hits.append((t, bisect.bisect_right(bounds, t) - 1, tgid, func))
                base.setdefault(tgid, int(m.group(5), 16) - probed)
            elif len(m.groups()) == 4:
                raw_faults.append((tgid, int(m.group(4), 16)))
    finally:
        tracefs_write("trace", "")
        # Restored after reading: a new clock empties the buffer.
        tracefs_write("trace_clock", clock)
    faults = [(tgid, a - base[tgid]) for tgid, a in raw_faults if tgid in base]
    return hits, faults, set(tops)


def kept_rodata(path):
    """The read-only data patterns of an earlier --out (--keep-rodata-from)."""
    text = open(path).read()
    i = text.find(".rodata.startpath")
    return re.findall(r"^    (\*\S+?)\(\.rodata", text[i:], re.M) if i >= 0 else []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--map", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--run", action="append", required=True)
    ap.add_argument("--keep-rodata-from", help="an earlier output whose data objects stay")
    a = ap.parse_args()

    syms = text_symbols(a.bin)
    sections = map_sections(a.map)
    starts = [s[0] for s in sections]
    remove_probes()
    try:
        hits, faults, tops = trace_runs(a.bin, syms.keys(), a.run)
    finally:
        remove_probes()
    if not hits:
        sys.exit("start-path-order: no function ran: were the probes on %s?" % a.bin)

    first = {}
    for t, run, tgid, addr in sorted(hits):
        sec = section_at(sections, starts, addr)
        if sec is None:
            continue
        _, _, name, filename, _ = sec
        if not name.startswith(".text") or name.startswith(".text.unlikely"):
            continue
        key = (name, filename)
        who = "parent" if tgid in tops else "child"
        entry = first.setdefault(key, {"t": t, "run": run, "who": set()})
        if run == entry["run"]:
            entry["who"].add(who)

    groups = [("run by minirun and the container process", lambda w: len(w) == 2),
              ("run by the container process only", lambda w: w == {"child"}),
              ("run by minirun only", lambda w: w == {"parent"})]
    out = [
        "/* SPDX-License-Identifier: MIT */",
        "/*",
        " * Generated by tests/bench/start-path-order.sh (tests/bench/README.md): the",
        " * functions a start runs, placed side by side at the front of the text, and",
        " * the read-only data of their objects and of the data objects it read, next",
        " * to .rodata (after it: before, it would share the code's R+X segment), so",
        " * that its page faults on them map a few 64 KiB windows instead of most of",
        " * the binary (start-path-order.py says why).  The zeroed data no start",
        " * touches goes after the rest of .bss, so that what a start writes fills",
        " * fewer pages.",
        " * Input sections that do not exist are ignored: a stale list costs speed,",
        " * never correctness.",
        " */",
        "SECTIONS",
        "{",
        "  .text.startpath : {",
    ]
    # The first --run (the default start) decides the front: what it runs
    # comes first, in the three groups; each later run adds what it runs
    # that the earlier ones did not, so the default start touches the
    # fewest 64 KiB windows.
    files = []
    for run in range(len(a.run)):
        for title, test in groups:
            keys = sorted((k for k, e in first.items() if e["run"] == run and test(e["who"])),
                          key=lambda k: first[k]["t"])
            if not keys:
                continue
            out.append("    /* %s: %s */" % (RUN_NAMES[min(run, len(RUN_NAMES) - 1)], title))
            for k in keys:
                out.append("    %s" % pattern(*k))
                if file_pattern(k[1]) not in files:
                    files.append(file_pattern(k[1]))
    out += ["  }", "}", "INSERT BEFORE .text;", ""]

    # Read-only data: that of every object whose code ran (its strings and
    # tables), then the objects the runs faulted on in .rodata that hold no
    # code that ran (glibc's digit and ctype tables).  A fault shows only
    # the first read of a 64 KiB window, so the script runs twice, the
    # second time keeping what the first found.
    data_files = kept_rodata(a.keep_rodata_from) if a.keep_rodata_from else []
    for tgid, addr in faults:
        sec = section_at(sections, starts, addr)
        if sec is not None and sec[4].startswith(".rodata"):
            f = file_pattern(sec[3])
            if f not in files and f not in data_files:
                data_files.append(f)
    out += ["SECTIONS", "{", "  .rodata.startpath : {"]
    out += ["    %s(.rodata .rodata.*)" % f for f in files + [f for f in data_files if f not in files]]
    out += ["  }", "}", "INSERT AFTER .rodata;", ""]

    # Zeroed data no start touches, after the rest of .bss.  An entry a run
    # faulted in is left out with a warning: where it was, it is touched.
    # Only the first write to a page faults, so an entry smaller than a page
    # can be touched unseen: COLD_BSS lists what no start can reach.
    touched = set()
    for tgid, addr in faults:
        sec = section_at(sections, starts, addr)
        if sec is not None and sec[2].startswith(".bss"):
            touched.add(file_pattern(sec[3]))
    cold = []
    for f, why in COLD_BSS:
        if f in touched:
            print("start-path-order: %s (%s) was touched by a start: left in .bss" % (f, why),
                  file=sys.stderr)
        else:
            cold.append("    %s(.bss .bss.*) /* %s */" % (f, why))
    out += ["SECTIONS", "{", "  .bss.cold : {"] + cold + ["  }", "}",
                                                             "INSERT AFTER .bss;", ""]
    with open(a.out, "w") as f:
        f.write("\n".join(out))
    print("start-path-order: %d code and %d data objects from %d calls and %d faults into %s"
          % (len(first), len(set(files + data_files)), len(hits), len(faults), a.out))


if __name__ == "__main__":
    main()
