#!/usr/bin/env python3
"""Reduce a Docker/moby seccomp profile to OCI `linux.seccomp` form, as moby does.

    docker2oci.py PROFILE.json OUT.json [--bpf OUT.bpf] [--caps CAP,CAP...]

moby's reduction (seccomp_linux.go, see ../shared/reference/seccomp-profiles.md
§1.3 and §1.5): the first `archMap` entry for the host's architecture gives
`architectures`; a rule is dropped when any `excludes` matches (arch, a cap in
the bounding set, kernel >= minKernel) and kept only when every `includes`
holds.  The capability set is Docker's default 14 unless --caps is given.

With --bpf, the reduced profile is also compiled with the host's libseccomp
(through ctypes: binary-tree layout, no NO_NEW_PRIVS) and exported as a raw
BPF program, which is what `bwrap --seccomp FD` loads.
"""
import argparse
import ctypes
import ctypes.util
import json
import os
import platform
import re
import sys

DOCKER_DEFAULT_CAPS = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
    "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
]

# Go's GOARCH spelling (what profiles' includes/excludes use) -> SCMP_ARCH_*.
GO_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "i686": "x86", "s390x": "s390x",
           "ppc64le": "ppc64le", "riscv64": "riscv64"}
NATIVE_TO_SECCOMP = {"amd64": "SCMP_ARCH_X86_64", "arm64": "SCMP_ARCH_AARCH64",
                     "x86": "SCMP_ARCH_X86", "s390x": "SCMP_ARCH_S390X",
                     "ppc64le": "SCMP_ARCH_PPC64LE", "riscv64": "SCMP_ARCH_RISCV64"}


def kernel_version():
    m = re.match(r"(\d+)\.(\d+)", platform.release())
    return (int(m.group(1)), int(m.group(2)))


def parse_min_kernel(s):
    parts = s.split(".")
    if len(parts) != 2:
        raise ValueError(f"bad minKernel {s!r}")
    return (int(parts[0]), int(parts[1]))


def reduce_profile(prof, caps, arch, kernel):
    if prof.get("architectures") and prof.get("archMap"):
        raise ValueError("both 'architectures' and 'archMap' are specified")
    out = {"defaultAction": prof["defaultAction"]}
    if "defaultErrnoRet" in prof:
        out["defaultErrnoRet"] = prof["defaultErrnoRet"]
    arches = list(prof.get("architectures") or [])
    want = NATIVE_TO_SECCOMP.get(arch)
    for a in prof.get("archMap") or []:
        if a["architecture"] == want:
            arches = [a["architecture"]] + list(a.get("subArchitectures") or [])
            break
    if arches:
        out["architectures"] = arches
    if prof.get("flags"):
        out["flags"] = prof["flags"]
    rules = []
    for call in prof.get("syscalls") or []:
        names = call.get("names") or ([call["name"]] if call.get("name") else [])
        exc = call.get("excludes") or {}
        if arch in (exc.get("arches") or []):
            continue
        if any(c in caps for c in exc.get("caps") or []):
            continue
        if exc.get("minKernel") and kernel >= parse_min_kernel(exc["minKernel"]):
            continue
        inc = call.get("includes") or {}
        if inc.get("arches") and arch not in inc["arches"]:
            continue
        if any(c not in caps for c in inc.get("caps") or []):
            continue
        if inc.get("minKernel") and kernel < parse_min_kernel(inc["minKernel"]):
            continue
        rule = {"names": names, "action": call["action"]}
        for k in ("errnoRet", "args"):
            if call.get(k) is not None:
                rule[k] = call[k]
        rules.append(rule)
    out["syscalls"] = rules
    return out


class ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int),
                ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


OPS = {"SCMP_CMP_NE": 1, "SCMP_CMP_LT": 2, "SCMP_CMP_LE": 3, "SCMP_CMP_EQ": 4,
       "SCMP_CMP_GE": 5, "SCMP_CMP_GT": 6, "SCMP_CMP_MASKED_EQ": 7}


def action_value(name, errno_ret):
    errno_ret = 1 if errno_ret is None else errno_ret      # EPERM, as runc and crun
    return {
        "SCMP_ACT_KILL": 0, "SCMP_ACT_KILL_THREAD": 0, "SCMP_ACT_KILL_PROCESS": 0x80000000,
        "SCMP_ACT_TRAP": 0x00030000, "SCMP_ACT_LOG": 0x7ffc0000, "SCMP_ACT_ALLOW": 0x7fff0000,
        "SCMP_ACT_ERRNO": 0x00050000 | (errno_ret & 0xffff),
        "SCMP_ACT_TRACE": 0x7ff00000 | (errno_ret & 0xffff),
    }[name]


def export_bpf(oci, path):
    """Compile the OCI profile like runc/crun (AND/OR argument split) and write raw BPF."""
    lib = ctypes.CDLL(ctypes.util.find_library("seccomp") or "libseccomp.so.2", use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_arch_resolve_name.restype = ctypes.c_uint32
    lib.seccomp_arch_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_arch_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                           ctypes.c_uint, ctypes.POINTER(ArgCmp)]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]

    defact = action_value(oci["defaultAction"], oci.get("defaultErrnoRet"))
    ctx = lib.seccomp_init(defact)
    if not ctx:
        raise OSError("seccomp_init failed")
    lib.seccomp_attr_set(ctx, 3, 0)      # SCMP_FLTATR_CTL_NNP: bwrap sets it itself
    lib.seccomp_attr_set(ctx, 8, 2)      # SCMP_FLTATR_CTL_OPTIMIZE: binary tree
    for a in oci.get("architectures") or []:
        tok = a[len("SCMP_ARCH_"):].lower().encode()
        arch = lib.seccomp_arch_resolve_name(tok)
        if arch:
            lib.seccomp_arch_add(ctx, arch)   # -EEXIST for the native one: fine
    for rule in oci["syscalls"]:
        act = action_value(rule["action"], rule.get("errnoRet"))
        if act == defact:
            continue
        args = rule.get("args") or []
        conds = [ArgCmp(a["index"], OPS[a["op"]], a["value"], a.get("valueTwo", 0)) for a in args]
        idx = [a["index"] for a in args]
        groups = [[c] for c in conds] if len(set(idx)) != len(idx) else [conds]
        for name in rule["names"]:
            nr = lib.seccomp_syscall_resolve_name(name.encode())
            if nr == -1:
                continue      # unknown to this libseccomp: skipped, as runc/crun do
            for g in groups:
                arr = (ArgCmp * max(len(g), 1))(*g)
                lib.seccomp_rule_add_array(ctx, act, nr, len(g), arr)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        rc = lib.seccomp_export_bpf(ctx, fd)
    finally:
        os.close(fd)
        lib.seccomp_release(ctx)
    if rc != 0:
        raise OSError(-rc, "seccomp_export_bpf failed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("profile")
    ap.add_argument("out")
    ap.add_argument("--bpf")
    ap.add_argument("--caps", default=",".join(DOCKER_DEFAULT_CAPS))
    a = ap.parse_args()
    with open(a.profile, encoding="utf-8") as f:
        prof = json.load(f)
    arch = GO_ARCH.get(platform.machine(), platform.machine())
    caps = [c if c.startswith("CAP_") else "CAP_" + c for c in a.caps.split(",") if c]
    oci = reduce_profile(prof, caps, arch, kernel_version())
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(oci, f, indent=1)
    print(f"docker2oci: {len(prof.get('syscalls') or [])} rules -> {len(oci['syscalls'])} "
          f"({arch}, {len(caps)} caps)", file=sys.stderr)
    if a.bpf:
        export_bpf(oci, a.bpf)


if __name__ == "__main__":
    main()
