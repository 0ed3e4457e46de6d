#!/bin/bash
# The main demo: the container-security lab of ../shared/seed, with minirun in
# place of docker run.  On a fresh Debian 12 machine it installs what it needs
# (as root), builds minirun, makes a busybox root filesystem and replays the
# lab's steps, printing each command, what the container answered and what
# the lab says should happen.  A step that does something else is reported
# (MISMATCH, on stderr) and the demo exits 1: a demo that silently shows the
# wrong thing teaches the wrong thing.
#
#   examples/lab/demo.sh            # everything
#
# With MINIRUN and ROOTFS both set (the tests do), it installs and builds
# nothing and uses those.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"

if [[ -n "${MINIRUN:-}" && -n "${ROOTFS:-}" ]]; then
  minirun=$MINIRUN
  rootfs=$ROOTFS
else
  "$top/.ci/install-deps"
  if [[ ! -f build/build.ninja ]]; then
    meson setup build >/dev/null
  fi
  meson compile -C build >/dev/null
  rootfs=$top/build/demo-rootfs
  tests/setup-rootfs.sh "$rootfs"
  minirun=$top/build/cmd/minirun
fi
profiles=$top/examples/profiles

# What the host itself runs under: "unconfined" shows the caller's mode.
host_seccomp=$(sed -n 's/^Seccomp:\t//p' /proc/self/status)
T=$'\t'
steps=0
mismatches=0

# step RC TEXT ARG...: run ARG..., show its output (stdout and stderr), and
# check the lab's expectation: exit status RC and TEXT somewhere in the output.
step() {
  local want_rc=$1 want_text=$2 rc=0 out
  shift 2
  steps=$((steps + 1))
  # Shell-quoted, so each command can be copied and run as it is.
  printf '\n\033[1m$'
  printf ' %q' "$@"
  printf '\033[0m\n'
  out=$("$@" 2>&1 < /dev/null) || rc=$?
  [[ -z "$out" ]] || printf '%s\n' "$out"
  # The exit status is part of the lesson: show it instead of stopping.
  [[ "$rc" == 0 ]] || printf '(exit status %d)\n' "$rc"
  printf '(expected: exit status %d, output with "%s")\n' "$want_rc" "$want_text"
  if [[ "$rc" != "$want_rc" || "$out" != *"$want_text"* ]]; then
    mismatches=$((mismatches + 1))
    printf 'demo: MISMATCH in step %d: expected exit status %d and output with "%s", got exit status %d\n' \
      "$steps" "$want_rc" "$want_text" "$rc" >&2
  fi
}

echo "== 1. The default profile: Docker's, built in (docker run -it --rm alpine /bin/sh)"
step 0 "Seccomp:${T}2" "$minirun" --rm --name alpine-test "$rootfs" /bin/sh -c 'grep Seccomp /proc/$$/status'

echo
echo "== 2. A custom profile without mkdir (--security-opt seccomp=no-mkdir.json)"
step 1 "mkdir: can't create directory 'test': Operation not permitted" \
  "$minirun" --rm --security-opt "seccomp=$profiles/no-mkdir.json" --name alpine-custom-seccomp \
  "$rootfs" /bin/sh -c 'cd /tmp && mkdir test'

echo
echo "== 3. No seccomp at all (--security-opt seccomp=unconfined)"
step 0 "Seccomp:${T}${host_seccomp}" "$minirun" --rm --security-opt seccomp=unconfined --name alpine-wo-seccomp \
  "$rootfs" /bin/sh -c 'grep Seccomp /proc/$$/status'

echo
echo "== 4. Capabilities: Docker's default set, then none but NET_BIND_SERVICE"
step 0 "CapEff:${T}00000000a80425fb" "$minirun" "$rootfs" grep CapEff /proc/self/status
step 0 "CapEff:${T}0000000000000400" \
  "$minirun" --cap-drop ALL --cap-add NET_BIND_SERVICE "$rootfs" grep CapEff /proc/self/status
step 1 "Operation not permitted" "$minirun" --cap-drop CHOWN "$rootfs" chown 1000 /tmp

echo
echo "== 5. A non-root user keeps capabilities only in its bounding set"
step 0 "CapEff:${T}0000000000000000" \
  "$minirun" --user alice "$rootfs" /bin/sh -c 'id; grep -E "Cap(Eff|Bnd)" /proc/self/status'

echo
echo "== 6. Which syscall did the profile deny? (--seccomp-report)"
step 1 "minirun: seccomp: denied mkdir" \
  "$minirun" --seccomp-report --security-opt "seccomp=$profiles/no-mkdir.json" \
  "$rootfs" /bin/sh -c 'cd /tmp && mkdir test'

echo
echo "== 7. AppArmor (this kernel may have none: minirun says so instead of ignoring it)"
if [[ -e /sys/kernel/security/apparmor/profiles ]] &&
  grep -q '^docker-default ' /sys/kernel/security/apparmor/profiles 2>/dev/null; then
  step 0 "" "$minirun" --security-opt apparmor=docker-default "$rootfs" true
elif [[ -e /sys/kernel/security/apparmor ]]; then
  step 125 "docker-default" "$minirun" --security-opt apparmor=docker-default "$rootfs" true
else
  step 125 "AppArmor is not enabled on this kernel" \
    "$minirun" --security-opt apparmor=docker-default "$rootfs" true
fi

echo
echo "== 8. --privileged, as Docker gives it: /sys read-write and the host's devices"
echo "(the lab's escapes start here: with these a container can mount the host's disk)"
step 0 "sysfs /sys sysfs ro," "$minirun" "$rootfs" grep " /sys " /proc/mounts
step 0 "sysfs /sys sysfs rw," "$minirun" --privileged "$rootfs" grep " /sys " /proc/mounts
# The host's first disk (not a loop or ram device), if it has one: shown, never opened.
disk=$(find /sys/block -mindepth 1 -maxdepth 1 ! -name 'loop*' ! -name 'ram*' -printf '%f\n' 2>/dev/null |
  sort | head -n 1)
if [[ -n "$disk" && -b "/dev/$disk" ]]; then
  step 1 "No such file or directory" "$minirun" "$rootfs" ls -l "/dev/$disk"
  step 0 "/dev/$disk" "$minirun" --privileged "$rootfs" ls -l "/dev/$disk"
fi

echo
if ((mismatches > 0)); then
  printf 'demo: %d of %d steps did not do what the lab says (MISMATCH above)\n' "$mismatches" "$steps" >&2
  exit 1
fi
echo "All $steps steps did what the lab says."
