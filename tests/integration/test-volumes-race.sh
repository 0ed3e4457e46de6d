#!/bin/bash
# Volumes and the race of runc's CVE-2025-31133 family: the owner of the
# rootfs swapping a volume's destination with a symlink to / while
# containers start.  Run alone (is_parallel: false): while its rename loop
# runs, every openat2 RESOLVE_IN_ROOT walk through ".." on the machine may
# fail with EAGAIN (the kernel's rename seqlock is global), which another
# test's start would report as its error (test-breakout's passwd -> ../..).
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root
chmod 0711 "$TESTS_TMP"

# --- the race ----------------------------------------------------------------------
# uid 1000 owns a copy of the rootfs and swaps its /mnt/data (a directory)
# with /mnt/link (a symlink to /) as fast as it can, while containers start
# with a volume on /mnt/data.  Every start must either mount the volume on
# the directory (the container then finds the host's canary under one of the
# two names, the swap goes on after the mount) or refuse cleanly; nothing
# may land on the host: its mount table is unchanged and the markers the
# containers write are only in the volume's host directory.
if [ -z "${RENAME_RACE:-}" ] || [ ! -x "$RENAME_RACE" ]; then
    missing_tool "RENAME_RACE is not set (tests/helpers/rename-race.c)"
fi
command -v setpriv > /dev/null || missing_tool "no setpriv (util-linux)"
RUNS=${VOLUME_RACE_RUNS:-200}
race_copy="$TESTS_TMP/rootfs-race"
cp -a "$ROOTFS" "$race_copy"
mkdir -p "$race_copy/mnt/data"
ln -s / "$race_copy/mnt/link"
chown -R 1000:1000 "$race_copy"
chown -h 1000:1000 "$race_copy/mnt/link"
hostdir="$TESTS_TMP/race-host"
mkdir -p "$hostdir"
touch "$hostdir/canary"
mounts_before=$(own_mounts "$race_copy")

setpriv --reuid 1000 --regid 1000 --clear-groups \
    "$RENAME_RACE" "$race_copy/mnt" data link 60 > /dev/null 2> "$TESTS_TMP/race-err" &
racer=$!
at_exit "kill $racer 2>/dev/null"

declare -A seen=()
bad=
for i in $(seq "$RUNS"); do
    run_minirun -v "$hostdir:/mnt/data" "$race_copy" sh -c '
        for t in $(seq 500); do
            for d in /mnt/data /mnt/link; do
                # cd pins whichever directory has the name now; then relative.
                if cd "$d" 2> /dev/null && [ -f canary ]; then
                    echo "$0" > "marker-$0" && echo mounted
                    exit 0
                fi
            done
        done
        echo lost; exit 3' "$i"
    if [ "$RC" = 0 ] && [ "$OUT" = mounted ] && [ -z "$ERR" ]; then
        r=mounted
    elif [ "$RC" = 125 ] && [ -z "$OUT" ] && [[ $ERR == "minirun: "* ]] && [[ $ERR != *$'\n'* ]]; then
        r="refused: ${ERR#minirun: -v "$hostdir":/mnt/data: }"
    else
        r="other: rc=$RC $OUT ${ERR%%$'\n'*}"
        [ -z "$bad" ] && bad=$(_result_diag)
    fi
    seen[$r]=$((${seen[$r]:-0} + 1))
done
kill "$racer" 2> /dev/null
wait "$racer" 2> /dev/null
summary=$(for k in "${!seen[@]}"; do echo "$k: ${seen[$k]}"; done | sort)
diag "$RUNS starts while /mnt/data and /mnt/link (-> /) were swapped:
$summary"
[ -s "$TESTS_TMP/race-err" ] && diag "rename loop: $(cat "$TESTS_TMP/race-err")"

others=$(grep -c '^other' <<< "$summary")
if [ "$others" = 0 ]; then ok "race: every start mounted or refused cleanly"; else
    not_ok "race: every start mounted or refused cleanly" "$bad"; fi
mounted=${seen[mounted]:-0}
if [ "$mounted" -gt 0 ]; then ok "race: some starts mounted"; else
    not_ok "race: some starts mounted" "$summary"; fi
is "$(find "$hostdir" -name 'marker-*' | wc -l)" "$mounted" "race: every marker is in the host directory"
is "$(find / -xdev -maxdepth 1 -name 'marker-*' | wc -l; find "$race_copy" -name 'marker-*' | wc -l)" "0
0" "race: no marker outside it"
is "$(own_mounts "$race_copy")" "$mounts_before" "race: the host's mount table is unchanged"
done_testing
