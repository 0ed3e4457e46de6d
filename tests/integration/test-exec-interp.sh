#!/bin/bash
# CVE-2019-5736 through crafted ELF interpreters (issue "Hardening", B).
# Each file below names minirun's own binary (/proc/self/exe, which during
# execve is still the exec'ing minirun) as its PT_INTERP in a way the old
# check did not read: the PT_INTERP at program header 70, a PT_INTERP of
# exactly 4096 bytes (the path padded with NULs, as the kernel accepts),
# a 32-bit ELF, and e_phnum = PN_XNUM with the real count in section header
# 0's sh_info.  minirun must refuse each one with 126 before execve, so the
# interpreter is never loaded.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root
command -v python3 > /dev/null || missing_tool "no python3 (to write the crafted ELF files)"

copy="$TESTS_TMP/rootfs"
cp -a "$ROOTFS" "$copy"

# craft OUT KIND: an executable ELF file for this machine's byte order whose
# PT_INTERP is /proc/self/exe.
craft() {
    python3 - "$1" "$2" << 'PY'
import struct, sys
out, kind = sys.argv[1], sys.argv[2]
interp = b"/proc/self/exe\0"
is64 = kind != "elf32"
le = "<" if sys.byteorder == "little" else ">"
if is64:
    ehsize, phsize, shsize = 64, 56, 64
else:
    ehsize, phsize, shsize = 52, 32, 40
nph, at, xnum = 1, 0, False
if kind in ("index70", "pn_xnum"):
    nph, at = 71, 70
if kind == "pn_xnum":
    xnum = True
if kind == "size4096":
    interp = interp + b"\0" * (4096 - len(interp))
phoff = ehsize
shoff = phoff + nph * phsize if xnum else 0
data_off = phoff + nph * phsize + (shsize if xnum else 0)
phdrs = b""
for i in range(nph):
    if i == at:
        if is64:
            phdrs += struct.pack(le + "IIQQQQQQ", 3, 4, data_off, 0, 0, len(interp), len(interp), 1)
        else:
            phdrs += struct.pack(le + "IIIIIIII", 3, data_off, 0, 0, len(interp), len(interp), 4, 1)
    else:
        phdrs += b"\0" * phsize
ident = b"\x7fELF" + bytes([2 if is64 else 1, 1 if le == "<" else 2, 1, 0]) + b"\0" * 8
phnum = 0xFFFF if xnum else nph
if is64:
    eh = ident + struct.pack(le + "HHIQQQIHHHHHH", 2, 62, 1, 0x400000, phoff, shoff, 0,
                             ehsize, phsize, phnum, shsize, 0, 0)
else:
    eh = ident + struct.pack(le + "HHIIIIIHHHHHH", 2, 3, 1, 0x8048000, phoff, shoff, 0,
                             ehsize, phsize, phnum, shsize, 0, 0)
sh = b""
if xnum:
    # section header 0: sh_info holds the real number of program headers
    if is64:
        sh = struct.pack(le + "IIQQQQIIQQ", 0, 0, 0, 0, 0, 0, 0, nph, 0, 0)
    else:
        sh = struct.pack(le + "IIIIIIIIII", 0, 0, 0, 0, 0, 0, 0, nph, 0, 0)
with open(out, "wb") as f:
    f.write(eh + phdrs + sh + interp)
PY
    chmod 0755 "$1"
}

# huge OUT: PN_XNUM with sh_info 2^32-1, the file sparse up to the end of
# that table (240 GB of zeros, no PT_INTERP).  The kernel reads at most a
# 64 KiB table (load_elf_phdrs) and refuses this one (ENOEXEC); minirun's
# check read all of it, as root on the host, before every start.
huge() {
    python3 - "$1" << 'PY'
import struct, sys
le = "<" if sys.byteorder == "little" else ">"
ident = b"\x7fELF" + bytes([2, 1 if le == "<" else 2, 1, 0]) + b"\0" * 8
nph, phoff, shoff = 0xFFFFFFFF, 4096, 64
eh = ident + struct.pack(le + "HHIQQQIHHHHHH", 2, 62, 1, 0x400000, phoff, shoff, 0,
                         64, 56, 0xFFFF, 64, 0, 0)
sh = struct.pack(le + "IIQQQQIIQQ", 0, 0, 0, 0, 0, 0, 0, nph, 0, 0)
with open(sys.argv[1], "wb") as f:
    f.write(eh + sh)
    f.truncate(phoff + nph * 56)
PY
}

plan 6
sum_before=$(sha256sum < "$MINIRUN")
for kind in index70 size4096 elf32 pn_xnum; do
    craft "$copy/bin/crafted-$kind" "$kind"
    run_minirun "$copy" "/bin/crafted-$kind"
    expect_error "PT_INTERP /proc/self/exe ($kind) is refused: 126" 126 \
        "minirun: exec /bin/crafted-$kind: refusing to execute minirun's own binary inside the container as the interpreter /proc/self/exe (CVE-2019-5736)"
done
if huge "$copy/bin/crafted-huge" 2> /dev/null; then
    chmod 0755 "$copy/bin/crafted-huge"
    RUN_TIMEOUT=10 run_minirun "$copy" /bin/crafted-huge
    expect_error "a 240 GB program header table is not read (the kernel refuses it): 126 at once" \
        126 "minirun: exec /bin/crafted-huge: Exec format error"
else
    skip "a 240 GB program header table is not read" "$TESTS_TMP cannot hold a 240 GB sparse file"
fi
rm -f "$copy/bin/crafted-huge"
is "$(sha256sum < "$MINIRUN")" "$sum_before" "minirun's binary is unchanged"
done_testing
