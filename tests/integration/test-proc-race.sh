#!/bin/bash
# Masked and read-only /proc paths cannot be raced away by the owner of the
# rootfs (issue "Hardening", A).  The unprivileged owner of ROOTFS swaps
# ROOTFS/proc and ROOTFS/proc2 in a tight loop while minirun starts
# containers: the procfs mounted on ROOTFS/proc moves with the directory, and
# masks looked up again by name ("proc/kcore" in the rootfs) were skipped as
# missing, leaving the host's kernel files readable and /proc/sys writable
# once the directory was swapped back.  Each container reports what its
# procfs looks like; none may be unmasked or writable.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root
if [ -z "${RENAME_RACE:-}" ] || [ ! -x "$RENAME_RACE" ]; then
    missing_tool "RENAME_RACE is not set (tests/helpers/rename-race.c)"
fi
command -v setpriv > /dev/null || missing_tool "no setpriv (util-linux)"

# A masked file this kernel has (CONFIG_PROC_KCORE is often off).
masked=
for f in kcore keys timer_list interrupts; do
    if [ -e "/proc/$f" ]; then
        masked=$f
        break
    fi
done
[ -n "$masked" ] || skip_all "none of /proc/kcore, keys, timer_list, interrupts exists here"

RUNS=${PROC_RACE_RUNS:-200}
plan 3

# The attacker: uid 1000, owner of a copy of the rootfs.
chmod 0711 "$TESTS_TMP"
copy="$TESTS_TMP/rootfs"
cp -a "$ROOTFS" "$copy"
mkdir -p "$copy/proc" "$copy/proc2"
chown -R 1000:1000 "$copy"

setpriv --reuid 1000 --regid 1000 --clear-groups \
    "$RENAME_RACE" "$copy" proc proc2 60 > "$TESTS_TMP/swaps" 2> "$TESTS_TMP/race-err" &
racer=$!
at_exit "kill $racer 2>/dev/null"

# In the container: cd into /proc (pins whichever directory has the name
# now) until it is the procfs, then look at the masked file and try to open
# a sysctl for writing (nothing is written: ">>" with no output).
check='
for i in $(seq 1000); do
    if cd /proc 2>/dev/null && [ -e self/status ]; then
        if [ -c '"$masked"' ]; then m=masked; else m=UNMASKED; fi
        if (true >> sys/kernel/core_pattern) 2>/dev/null; then w=WRITABLE; else w=ro; fi
        echo "$m $w"
        exit 0
    fi
    cd /
done
echo noproc'

declare -A seen=()
for _ in $(seq "$RUNS"); do
    r=$(timeout -k 5 "$RUN_TIMEOUT" "$MINIRUN" "$copy" sh -c "$check" 2>&1 < /dev/null)
    case $r in
    "masked ro" | "UNMASKED ro" | "masked WRITABLE" | "UNMASKED WRITABLE" | noproc) ;;
    *) r="other: ${r%%$'\n'*}" ;;
    esac
    seen[$r]=$((${seen[$r]:-0} + 1))
done
kill "$racer" 2> /dev/null
wait "$racer" 2> /dev/null

summary=$(for k in "${!seen[@]}"; do echo "$k: ${seen[$k]}"; done | sort)
diag "$RUNS containers while ROOTFS/proc and proc2 were swapped:
$summary"
if [ -s "$TESTS_TMP/race-err" ]; then
    diag "rename loop: $(cat "$TESTS_TMP/race-err")"
fi

unmasked=$((${seen["UNMASKED ro"]:-0} + ${seen["UNMASKED WRITABLE"]:-0}))
writable=$((${seen["masked WRITABLE"]:-0} + ${seen["UNMASKED WRITABLE"]:-0}))
is "$unmasked" 0 "no container saw /proc/$masked unmasked"
is "$writable" 0 "no container could open /proc/sys/kernel/core_pattern for writing"
checked=$((${seen["masked ro"]:-0} + unmasked + ${seen["masked WRITABLE"]:-0}))
if [ "$checked" -gt 0 ]; then
    ok "the race ran and $checked containers had a procfs to check"
else
    not_ok "the race ran and containers had a procfs to check" "$summary"
fi
done_testing
