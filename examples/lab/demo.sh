#!/bin/bash
# The main demo: the container-security lab of ../shared/seed, with minirun in
# place of docker run.  On a fresh Debian 12 machine it installs what it needs
# (as root), builds minirun, makes a busybox root filesystem and replays the
# lab's steps, printing each command and what the container answered.
#
#   examples/lab/demo.sh            # everything
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"

"$top/.ci/install-deps"
if [[ ! -f build/build.ninja ]]; then
  meson setup build >/dev/null
fi
meson compile -C build >/dev/null
rootfs=$top/build/demo-rootfs
tests/setup-rootfs.sh "$rootfs"
minirun=$top/build/cmd/minirun
profiles=$top/examples/profiles

step() {
  # Shell-quoted, so each command can be copied and run as it is.
  printf '\n\033[1m$'
  printf ' %q' "$@"
  printf '\033[0m\n'
  # The exit status is part of the lesson: show it instead of stopping.
  "$@" || printf '(exit status %d)\n' "$?"
}

echo "== 1. The default profile: Docker's, built in (docker run -it --rm alpine /bin/sh)"
step "$minirun" --rm --name alpine-test "$rootfs" /bin/sh -c 'grep Seccomp /proc/$$/status'

echo
echo "== 2. A custom profile without mkdir (--security-opt seccomp=no-mkdir.json)"
step "$minirun" --rm --security-opt "seccomp=$profiles/no-mkdir.json" --name alpine-custom-seccomp \
  "$rootfs" /bin/sh -c 'cd /tmp && mkdir test'

echo
echo "== 3. No seccomp at all (--security-opt seccomp=unconfined)"
step "$minirun" --rm --security-opt seccomp=unconfined --name alpine-wo-seccomp \
  "$rootfs" /bin/sh -c 'grep Seccomp /proc/$$/status'

echo
echo "== 4. Capabilities: Docker's default set, then none but NET_BIND_SERVICE"
step "$minirun" "$rootfs" grep CapEff /proc/self/status
step "$minirun" --cap-drop ALL --cap-add NET_BIND_SERVICE "$rootfs" grep CapEff /proc/self/status
step "$minirun" --cap-drop CHOWN "$rootfs" chown 1000 /tmp

echo
echo "== 5. A non-root user keeps capabilities only in its bounding set"
step "$minirun" --user alice "$rootfs" /bin/sh -c 'id; grep -E "Cap(Eff|Bnd)" /proc/self/status'

echo
echo "== 6. Which syscall did the profile deny? (--seccomp-report)"
step "$minirun" --seccomp-report --security-opt "seccomp=$profiles/no-mkdir.json" \
  "$rootfs" /bin/sh -c 'cd /tmp && mkdir test'

echo
echo "== 7. AppArmor (this kernel may have none: minirun says so instead of ignoring it)"
step "$minirun" --security-opt apparmor=docker-default "$rootfs" true
