#!/bin/bash
# The OCI runtime front end: minirun spec/create/start/state/kill/delete/run
# on a bundle made from the test rootfs, and the same bundle under runc.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root
ulimit -c 0 # the SIGSEGV run must not leave a core file

oci_state # whatever a failed check leaves running is deleted at exit

# --- spec -----------------------------------------------------------------------------
run_cmd env -C "$BUNDLE" "$MINIRUN" spec
expect "spec writes config.json, silently" 0 ""
if jq -e '.ociVersion == "1.0.2" and .process.args == ["sh"] and .process.terminal == true
          and .root.path == "rootfs" and (.mounts | length) == 7
          and ([.linux.namespaces[].type] | index("pid") != null)
          and (.linux.maskedPaths | index("/proc/kcore") != null)' \
    "$BUNDLE/config.json" > /dev/null; then
    ok "spec: valid JSON with ociVersion, process, root, mounts, namespaces, maskedPaths"
else
    not_ok "spec: valid JSON with the expected keys" "$(cat "$BUNDLE/config.json")"
fi
run_cmd env -C "$BUNDLE" "$MINIRUN" spec
expect_error "spec never overwrites config.json" 1 "minirun: ./config.json exists: remove it first"
run_cmd env -C "$TESTS_TMP" "$MINIRUN" spec --rootless --bundle "$TESTS_TMP"
if [ "$RC" = 0 ] && jq -e '([.linux.namespaces[].type] | index("user") != null)
        and ([.linux.namespaces[].type] | index("network") == null)
        and .linux.uidMappings[0].hostID == 0' "$TESTS_TMP/config.json" > /dev/null; then
    ok "spec --rootless: a user namespace, the host's network, the caller mapped"
else
    not_ok "spec --rootless" "$(_result_diag)"
fi

run_minirun --root "$STATE" --version
expect "--version after a global flag: runc's form" 0 "minirun version ${MINIRUN_VERSION:-0.1.0}
spec: 1.0.2
libseccomp: $(dpkg-query -W -f '${Version}' libseccomp2 2> /dev/null | sed 's/-.*//')"

# The bundle: the test rootfs itself, read-only (nothing written into it).
# set_args ARG...: the container's command, no terminal.
set_args() {
    local args
    # Through jq -R, not --args: jq would take an argument "-c" for its own option.
    args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
    jq --arg root "$ROOTFS" --argjson args "$args" '.root.path = $root
        | .root.readonly = true | .process.terminal = false | .process.args = $args' \
        "$BUNDLE/config.json.orig" > "$BUNDLE/config.json"
}
mv "$BUNDLE/config.json" "$BUNDLE/config.json.orig"

# --- run: the container's exit status ------------------------------------------------
set_args sh -c 'echo out; exit 3'
run_minirun "${R[@]}" run --bundle "$BUNDLE" r1
expect "run: exit 3 and stdout pass through" 3 "out"
set_args true
run_minirun "${R[@]}" run --bundle "$BUNDLE" r2
expect "run: exit 0" 0 ""
set_args /probe segv
run_minirun "${R[@]}" run --bundle "$BUNDLE" r3
expect "run: killed by SIGSEGV is 128+11" 139 ""
echo passed > "$TESTS_TMP/fd3"
set_args sh -c 'cat <&3; cat <&4'
run_cmd "$MINIRUN" "${R[@]}" run --bundle "$BUNDLE" --preserve-fds 1 r4 3< "$TESTS_TMP/fd3" 4< "$TESTS_TMP/fd3"
expect "--preserve-fds 1: fd 3 reaches the command, fd 4 does not" 1 "passed" "sh: 4: Bad file descriptor"
is "$(ls -A "$STATE")" "" "run removes its state once the container exited"

# --pid-file in a shared sticky directory: another user's FIFO (or file) at the
# tmp file's old fixed name (PID.tmp) made the open wait for a reader forever.
mkdir -m 1777 "$TESTS_TMP/shared"
mkfifo -m 0666 "$TESTS_TMP/shared/r5.pid.tmp" && chown 65534:65534 "$TESTS_TMP/shared/r5.pid.tmp"
set_args true
run_cmd timeout -s KILL 20 "$MINIRUN" "${R[@]}" run --bundle "$BUNDLE" --pid-file "$TESTS_TMP/shared/r5.pid" r5
expect "--pid-file: another user's FIFO at PID.tmp neither blocks nor is used" 0 ""
is "$(find "$TESTS_TMP/shared" -mindepth 1 -printf '%f %y %u\n' | sort)" \
    "r5.pid f root
r5.pid.tmp p nobody" "--pid-file: the pid file is made, no tmp file left"
"$MINIRUN" "${R[@]}" delete --force r5 2> /dev/null
# Another user's symlink there as the pid file's directory (/tmp/x -> /etc,
# made first): --pid-file /tmp/x/passwd renamed a pid over root's /etc/passwd
# where fs.protected_symlinks=0.  Not followed (EACCES), nothing made.
mkdir "$TESTS_TMP/pid-victim" && echo 'root:x:0:0' > "$TESTS_TMP/pid-victim/passwd"
ln -s "$TESTS_TMP/pid-victim" "$TESTS_TMP/shared/pd" && chown -h 65534:65534 "$TESTS_TMP/shared/pd"
run_minirun "${R[@]}" create --bundle "$BUNDLE" --pid-file "$TESTS_TMP/shared/pd/passwd" r6
expect_error "--pid-file under another user's symlink in a sticky directory: refused" 1 \
    "minirun: --pid-file $TESTS_TMP/shared/pd/passwd: Permission denied"
is "$(cat "$TESTS_TMP/pid-victim/passwd"):$(ls -A "$TESTS_TMP/pid-victim"):$(ls -A "$STATE")" \
    "root:x:0:0:passwd:" "--pid-file under another user's symlink: the file it leads to untouched, no tmp file, no container left"
"$MINIRUN" "${R[@]}" delete --force r6 2> /dev/null
# --log there: another user's FIFO made the first line wait for a reader forever;
# its symlink sent the line into the file it names.  Neither is used.
mkfifo -m 0666 "$TESTS_TMP/shared/fifo.log" && chown 65534:65534 "$TESTS_TMP/shared/fifo.log"
run_cmd timeout -s KILL 20 "$MINIRUN" --log "$TESTS_TMP/shared/fifo.log" "${R[@]}" state nosuch
expect_error "--log: another user's FIFO is not waited on" 1 "minirun: container nosuch does not exist"
echo mine > "$TESTS_TMP/victim"
ln -s "$TESTS_TMP/victim" "$TESTS_TMP/shared/link.log"
chown -h 65534:65534 "$TESTS_TMP/shared/link.log"
run_cmd "$MINIRUN" --log "$TESTS_TMP/shared/link.log" "${R[@]}" state nosuch
expect_error "--log: a symlink is not followed" 1 "minirun: container nosuch does not exist"
is "$(cat "$TESTS_TMP/victim")" mine "--log: the file the symlink names is untouched"
# Another user's file there (mode 0666, made first): no line goes into it, so
# that user reads none of the caller's errors.
: > "$TESTS_TMP/shared/theirs.log" && chown 65534:65534 "$TESTS_TMP/shared/theirs.log"
chmod 0666 "$TESTS_TMP/shared/theirs.log"
run_cmd "$MINIRUN" --log "$TESTS_TMP/shared/theirs.log" "${R[@]}" state nosuch
expect_error "--log: another user's file in a sticky directory" 1 "minirun: container nosuch does not exist"
is "$(wc -c < "$TESTS_TMP/shared/theirs.log")" 0 "--log: another user's file in a sticky directory gets no line"
# A hard link there to a file of the caller's (anyone may make it where
# fs.protected_hardlinks=0): no line is appended to the file it names.
echo mine > "$TESTS_TMP/victim2"
ln "$TESTS_TMP/victim2" "$TESTS_TMP/shared/link2.log"
run_cmd "$MINIRUN" --log "$TESTS_TMP/shared/link2.log" "${R[@]}" state nosuch
expect_error "--log: a hard link in a sticky directory" 1 "minirun: container nosuch does not exist"
is "$(cat "$TESTS_TMP/victim2")" mine "--log: a hard link in a sticky directory: the linked file gets no line"
# Another user's symlink as a directory on the way there: not followed.
mkdir "$TESTS_TMP/victim-dir" && echo mine > "$TESTS_TMP/victim-dir/x.log"
ln -s "$TESTS_TMP/victim-dir" "$TESTS_TMP/shared/d" && chown -h 65534:65534 "$TESTS_TMP/shared/d"
run_cmd "$MINIRUN" --log "$TESTS_TMP/shared/d/x.log" "${R[@]}" state nosuch
expect_error "--log: under another user's symlink in a sticky directory" 1 "minirun: container nosuch does not exist"
is "$(cat "$TESTS_TMP/victim-dir/x.log")" mine "--log: under another user's symlink in a sticky directory: the file it leads to gets no line"

# --- create, start, state, kill, delete ------------------------------------------------
state_of() { "$MINIRUN" "${R[@]}" state "$1" | jq -r "$2"; }
set_args sh -c 'trap "exit 7" TERM; echo started; while :; do sleep 0.05; done'
# The container's stdio are create's own (runc's model): a file of its own here.
(cd "$BUNDLE" && timeout 20 "$MINIRUN" "${R[@]}" create --pid-file "$TESTS_TMP/c1.pid" c1 \
    < /dev/null > "$TESTS_TMP/c1.out" 2>&1)
RC=$? OUT=$(cat "$TESTS_TMP/c1.out") ERR=""
expect "create returns at once, the command not started" 0 ""
is "$(state_of c1 .status)" created "state after create: created"
# runc list: the table, --format json (each container's state), --quiet.
is "$("$MINIRUN" "${R[@]}" list | awk 'NR > 1 { print $1, $3 }')" "c1 created" "list: c1, created"
is "$("$MINIRUN" "${R[@]}" list --format json | jq -c '[.[] | {id, status}]')" \
    '[{"id":"c1","status":"created"}]' "list --format json: c1's state"
is "$("$MINIRUN" "${R[@]}" list -q)" "c1" "list -q: the ids"
pid=$(state_of c1 .pid)
is "$(cat "$TESTS_TMP/c1.pid")" "$pid" "--pid-file holds the init's pid (state's pid)"
# A state directory another user made (in a root it can write to) names any pid
# and start time it likes, here c1's: never read, so kill/delete cannot be aimed.
cp -a "$STATE/c1" "$STATE/evil" && chown -R 65534:65534 "$STATE/evil"
run_minirun "${R[@]}" state evil
expect_error "state: a container directory owned by another uid is refused" 1 \
    "minirun: state $STATE/evil: owned by uid 65534, not by the caller (uid 0)"
run_minirun "${R[@]}" kill evil KILL
expect_error "kill: a container directory owned by another uid is refused" 1 \
    "minirun: state $STATE/evil: owned by uid 65534, not by the caller (uid 0)"
is "$("$MINIRUN" "${R[@]}" list -q)" "c1" "list: another uid's directory is not listed"
rm -rf "$STATE/evil"
# A root another user owns and may write to (a shared /tmp/x): that user renamed
# the caller's container directories in it, swapping "web" and "db", and
# "kill web KILL" then killed the container made as "db".  Refused outright.
SHARED_ROOT=$TESTS_TMP/shared-root
mkdir -m 0777 "$SHARED_ROOT" && chown 65534:65534 "$SHARED_ROOT"
shared_root_msg="minirun: state root $SHARED_ROOT: owned by uid 65534, mode 0777: it must be the caller's (uid 0) and writable by no one else, who could rename the containers' directories in it"
run_minirun --root "$SHARED_ROOT" run --detach --bundle "$BUNDLE" web
expect_error "run: a state root another user owns and may write to is refused" 1 "$shared_root_msg"
run_minirun --root "$SHARED_ROOT" list
expect_error "list: a state root another user owns and may write to is refused" 1 "$shared_root_msg"
is "$(ls -A "$SHARED_ROOT")" "" "a state root another user owns: nothing made in it"
"$MINIRUN" --root "$SHARED_ROOT" delete --force web 2> /dev/null
chown 0:0 "$SHARED_ROOT"
run_minirun --root "$SHARED_ROOT" state web
expect_error "state: a root of the caller's that others may write to is refused" 1 \
    "minirun: state root $SHARED_ROOT: owned by uid 0, mode 0777: it must be the caller's (uid 0) and writable by no one else, who could rename the containers' directories in it"
rm -rf "$SHARED_ROOT"
is "$(state_of c1 '.id + " " + .ociVersion + " " + .bundle')" "c1 1.0.2 $BUNDLE" \
    "state: id, ociVersion, bundle"
if [ -p "$STATE/c1/exec.fifo" ] && [ "$(stat -c %a "$STATE")" = 700 ]; then
    ok "the state root is 0700, the init waits at exec.fifo"
else
    not_ok "the state root is 0700, the init waits at exec.fifo" "$(ls -la "$STATE" "$STATE/c1")"
fi
run_minirun "${R[@]}" create --bundle "$BUNDLE" c1
expect_error "create of an existing id is refused" 1 "minirun: container c1 already exists"
run_minirun "${R[@]}" start c1
expect "start" 0 ""
is "$(state_of c1 .status)" running "state after start: running"
for _ in $(seq 100); do
    [ -s "$TESTS_TMP/c1.out" ] && break
    sleep 0.05
done
is "$(cat "$TESTS_TMP/c1.out")" started "after start the command runs, on create's stdout"
run_minirun "${R[@]}" start c1
expect_error "start of a running container is refused" 1 \
    "minirun: cannot start an already running container c1"
run_minirun "${R[@]}" delete c1
expect_error "delete of a running container needs --force" 1 \
    "minirun: cannot delete container c1 that is not stopped: running (use --force)"
run_minirun "${R[@]}" kill c1 SIGTERM
expect "kill c1 SIGTERM" 0 ""
for _ in $(seq 100); do
    [ "$(state_of c1 .status)" = stopped ] && break
    sleep 0.05
done
is "$(state_of c1 '.status + " " + (.pid | tostring)')" "stopped 0" "state after the TERM trap exited: stopped"
run_minirun "${R[@]}" kill c1 KILL
expect_error "kill of a stopped container is refused" 1 "minirun: container c1 is not running"
run_minirun "${R[@]}" delete c1
expect "delete of a stopped container" 0 ""
run_minirun "${R[@]}" state c1
expect_error "state after delete: does not exist" 1 "minirun: container c1 does not exist"
run_minirun "${R[@]}" kill c1 NOPE
expect_error "kill: an unknown signal name" 1 'minirun: kill: unknown signal "NOPE"'
run_minirun "${R[@]}" create --bundle "$BUNDLE" ../x
expect_error "an id with / is refused" 1 'minirun: invalid container id "../x"*'

# --- stale state: the init killed behind minirun's back ------------------------------------
set_args sleep 100
run_minirun "${R[@]}" run --detach --bundle "$BUNDLE" c2
expect "run --detach returns with the command running" 0 ""
pid=$(state_of c2 .pid)
kill -KILL "$pid"
for _ in $(seq 100); do
    [ "$(state_of c2 .status)" = stopped ] && break
    sleep 0.05
done
is "$(state_of c2 .status)" stopped "SIGKILL of the init from outside: state says stopped"
run_minirun "${R[@]}" delete c2
expect "delete of the stale one" 0 ""

# --- delete --force of a running one: no process, cgroup or state left -----------------------
run_minirun "${R[@]}" run --detach --bundle "$BUNDLE" c3
pid=$(state_of c3 .pid)
mapfile -t cgroups < <(jq -r '.cgroupPaths[]' "$STATE/c3/state.json")
run_minirun "${R[@]}" delete --force c3
expect "delete --force of a running container" 0 ""
left=""
if [ -e "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2> /dev/null; then
    left+="process $pid; "
fi
for d in "${cgroups[@]}"; do
    [ -e "$d" ] && left+="cgroup $d; "
done
[ -e "$STATE/c3" ] && left+="state $STATE/c3"
if [ "${#cgroups[@]}" -gt 0 ] && [ -z "$left" ]; then
    ok "delete --force leaves no process, cgroup (${#cgroups[@]} dirs) or state dir"
else
    not_ok "delete --force leaves no process, cgroup or state dir" "left: $left (cgroups: ${cgroups[*]})"
fi
run_minirun "${R[@]}" delete --force c3
expect "delete --force of a missing container is not an error (runc)" 0 ""

# --- delete of a container that made cgroups in its own ----------------------------------------
# With CAP_SYS_ADMIN it mounts its cgroup namespace's view read-write (as
# systemd or docker in a container do) and nests cgroups, one holding a
# process.  delete removes them too: they used to keep the container's own
# directory there (rmdir: EBUSY), after 2 s of retries.
jq --arg root "$ROOTFS" '.root.path = $root | .root.readonly = true | .process.terminal = false
    | .process.capabilities |= map_values(. + ["CAP_SYS_ADMIN"])
    | .process.args = ["sh", "-c", "mkdir /dev/shm/cg && mount -t cgroup2 none /dev/shm/cg &&
        mkdir -p /dev/shm/cg/a/b/c /dev/shm/cg/d && echo $$ > /dev/shm/cg/a/b/c/cgroup.procs &&
        echo nested; exec sleep 100"]' "$BUNDLE/config.json.orig" > "$BUNDLE/config.json"
(cd "$BUNDLE" && timeout 20 "$MINIRUN" "${R[@]}" create n1 < /dev/null > "$TESTS_TMP/n1.out" 2>&1)
mapfile -t cgroups < <(jq -r '.cgroupPaths[]' "$STATE/n1/state.json" 2> /dev/null)
run_minirun "${R[@]}" start n1
for _ in $(seq 100); do
    [ -s "$TESTS_TMP/n1.out" ] && break
    sleep 0.05
done
nested=$(for d in "${cgroups[@]}"; do [ -d "$d/a/b/c" ] && echo "$d"; done)
if [ "$(cat "$TESTS_TMP/n1.out")" != nested ] || [ -z "$nested" ]; then
    for t in "ps lists a process in a cgroup the container nested" \
        "ps refuses a cgroup tree nested deeper than it walks" \
        "kill --all reaches a process in a cgroup the container nested" \
        "delete removes the cgroups the container nested in its own"; do
        skip "$t" "no nested cgroup2: $(cat "$TESTS_TMP/n1.out")"
    done
    "$MINIRUN" "${R[@]}" delete --force n1
else
    # ps and kill --all walk the nested cgroups too, as runc's do: the init
    # sits in a/b/c, not in the container's own cgroup.procs.
    init=$(jq -r .pid "$STATE/n1/state.json")
    run_minirun "${R[@]}" ps --format json n1
    is "$RC $(echo "$OUT" | jq -c .)" "0 [$init]" "ps lists a process in a cgroup the container nested"
    # Deeper than 64 levels: an error, not a list that leaves processes out.
    deep=$(echo "$nested" | head -1)/d
    for _ in $(seq 65); do deep=$deep/x; done
    mkdir -p "$deep"
    run_minirun "${R[@]}" ps --format json n1
    is "$RC $(grep -c 'nested cgroups more than 64 levels deep' <<< "$ERR")" "1 1" \
        "ps refuses a cgroup tree nested deeper than it walks"
    while [ "${deep##*/}" = x ]; do rmdir "$deep" && deep=${deep%/x}; done
    run_minirun "${R[@]}" kill --all n1 KILL
    for _ in $(seq 100); do
        [ -d "/proc/$init" ] || break
        sleep 0.02
    done
    is "$RC $([ -d "/proc/$init" ] && echo alive || echo gone)" "0 gone" \
        "kill --all reaches a process in a cgroup the container nested"
    start=$(date +%s%N)
    run_minirun "${R[@]}" delete --force n1
    ms=$((($(date +%s%N) - start) / 1000000))
    left=$(for d in "${cgroups[@]}"; do [ -e "$d" ] && find "$d" -depth -type d; done)
    is "$RC $(echo "$left" | wc -w) $((ms < 1500))" "0 0 1" \
        "delete --force removes the cgroups the container nested in its own, at once ($ms ms)"
    # Else they stay on the host: removed here, deepest first.
    [ -n "$left" ] && echo "$left" | xargs -r rmdir
fi

# --- cgroupsPath: the container's cgroup is that path itself (the spec's MUST) ----------------
# Below each hierarchy's root, as runc and crun do and the runtime-tools suite
# reads it; minirun makes it, and the parent it made, and delete removes both.
CGP=minirun-test-oci-$$
DEVCG=$(awk -F' ' '$3 == "cgroup" && $4 ~ /devices/ {print $2}' /proc/self/mounts | head -1)
[ -n "$DEVCG" ] || DEVCG=$(awk '$3 == "cgroup2" {print $2}' /proc/self/mounts | head -1)
at_exit "rmdir '$DEVCG/$CGP/c8' '$DEVCG/$CGP' 2> /dev/null || true"
set_args sleep 100
cp "$BUNDLE/config.json" "$BUNDLE/config.json.args"
jq --arg p "/$CGP/c8" '.linux.cgroupsPath = $p' "$BUNDLE/config.json.args" > "$BUNDLE/config.json"
run_minirun "${R[@]}" run --detach --bundle "$BUNDLE" c8
pid=$(state_of c8 .pid)
in_cg=$(grep -cE "^[0-9]+:(devices|):/$CGP/c8\$" "/proc/$pid/cgroup" 2> /dev/null)
# devices (v1) and the cgroup2 line: every one of them at exactly that path
n_cg=$(grep -cE "^[0-9]+:(devices|):" "/proc/$pid/cgroup" 2> /dev/null)
is "$RC ${in_cg:-0} $([ -d "$DEVCG/$CGP/c8" ] && echo dir)" "0 ${n_cg:-none} dir" \
    "cgroupsPath /$CGP/c8: the container's cgroup is exactly that path"
run_minirun "${R[@]}" run --detach --bundle "$BUNDLE" c9
expect_error "cgroupsPath of a cgroup that exists: refused, nothing changed in it" 1 \
    "minirun: cgroup */$CGP/c8 exists: minirun runs a container only in a cgroup it creates*"
jq --arg p "/$CGP/../c8" '.linux.cgroupsPath = $p' "$BUNDLE/config.json.args" > "$BUNDLE/config.json"
run_minirun "${R[@]}" run --detach --bundle "$BUNDLE" c9
expect_error "cgroupsPath with '..': refused, naming cgroupsPath (not --cgroup-parent)" 1 \
    "minirun: */config.json: linux.cgroupsPath: \"$CGP/../c8\": '..' is not allowed"
# A start refused once the network namespace's thread runs (here: the
# cgroup exists) still runs the poststop hook, and clones it only after the
# thread is joined: a process cloned while another thread runs may inherit
# a lock it holds (launch.c: spawn).  The thread's unshare is held 20 ms.
command -v strace > /dev/null || missing_tool "strace is not installed (apt-get install strace)"
printf '#!/bin/sh\nexit 0\n' > "$TESTS_TMP/poststop"
chmod +x "$TESTS_TMP/poststop"
jq --arg p "/$CGP/c8" --arg h "$TESTS_TMP/poststop" \
    '.linux.cgroupsPath = $p | .hooks = {poststop: [{path: $h}]}' \
    "$BUNDLE/config.json.args" > "$BUNDLE/config.json"
# LeakSanitizer refuses to run under ptrace (it aborts): off for this run.
lsan_off=
[ "${MINIRUN_SANITIZED:-0}" = 1 ] && lsan_off="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
run_cmd env ${lsan_off:+ASAN_OPTIONS="$lsan_off"} \
    strace -f -qq -e trace=clone3,exit,unshare -e inject=unshare:delay_exit=20000:when=1 \
    -o "$TESTS_TMP/strace" "$MINIRUN" "${R[@]}" run --detach --bundle "$BUNDLE" c10
# The thread: the task that unshares CLONE_NEWNET; minirun: the first task.
cloned_early=$(awk 'NR == 1 { main = $1 }
    /unshare\(CLONE_NEWNET/ && !tid { tid = $1 }
    tid && $1 == tid && /exit\(|\+\+\+ exited/ { over = 1 }
    tid && !over && $1 == main && /clone3\(/ && !/CLONE_THREAD/ { early = 1 }
    END { print (tid ? (early ? "early" : "after") : "no thread") }' "$TESTS_TMP/strace")
is "$RC $cloned_early" "1 after" \
    "a refused start (cgroup exists): the poststop hook is cloned after the network thread is joined"
cp "$BUNDLE/config.json.args" "$BUNDLE/config.json"
run_minirun "${R[@]}" delete --force c8
expect "delete of the cgroupsPath container" 0 ""
is "$([ -e "$DEVCG/$CGP/c8" ] && echo left)$([ -e "$DEVCG/$CGP" ] && echo parent-left)$([ -e "$STATE/c9" ] && echo state-left)$([ -e "$STATE/c10" ] && echo state-left)" "" \
    "delete removes the cgroup and the parent minirun made; the refused one left no state"

# A deep cgroupsPath: minirun records every parent it makes, in every
# hierarchy, for delete to remove; past MR_CGROUP_MAX_PARENT_DEPTH (8) levels
# it refuses the path before anything exists (it used to make the 41st and
# later directories without recording them: they stayed on the host).
DEEP=minirun-deep-$$
# in_any_hierarchy NAME: the hierarchies that have NAME at their root
in_any_hierarchy() {
    local d
    for d in /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1"; do
        [ -e "$d" ] && printf '%s ' "$d"
    done
}
at_exit "for d in /sys/fs/cgroup/*/'$DEEP'-* /sys/fs/cgroup/'$DEEP'-*; do [ -d \"\$d\" ] && find \"\$d\" -depth -type d -exec rmdir {} + 2> /dev/null; done; true"
deep=/$DEEP-25
for i in $(seq 1 24); do deep+=/rv$i; done
jq --arg p "$deep/ctr" '.linux.cgroupsPath = $p' "$BUNDLE/config.json.args" > "$BUNDLE/config.json"
run_minirun "${R[@]}" run --detach --bundle "$BUNDLE" c10
rc=$RC err=$ERR
run_minirun "${R[@]}" delete --force c10
is "$rc|$err|$(in_any_hierarchy "$DEEP-25")" \
    "1|minirun: $BUNDLE/config.json: linux.cgroupsPath: \"${deep#/}/ctr\": 25 levels above the container's cgroup, at most 8|" \
    "cgroupsPath 25 levels deep: refused, nothing made in any hierarchy"
deep=/$DEEP-8
for i in $(seq 1 7); do deep+=/rv$i; done
jq --arg p "$deep/ctr" '.linux.cgroupsPath = $p' "$BUNDLE/config.json.args" > "$BUNDLE/config.json"
run_minirun "${R[@]}" run --detach --bundle "$BUNDLE" c10
rc=$RC made=$(in_any_hierarchy "$DEEP-8")
run_minirun "${R[@]}" delete --force c10
is "$rc $([ -n "$made" ] && echo made)|$RC|$(in_any_hierarchy "$DEEP-8")" "0 made|0|" \
    "cgroupsPath 8 levels deep: runs, and delete --force removes every level in every hierarchy"

# --- --console-socket: the pty master arrives with SCM_RIGHTS ----------------------------------
if ! command -v python3 > /dev/null; then
    skip "--console-socket: the container's terminal is received" "python3 is not installed"
else
    # Receives one fd over the socket and copies what the container writes to it.
    cat > "$TESTS_TMP/console.py" << 'EOF_PY'
import array, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(1)
c, _ = s.accept()
_, anc, _, _ = c.recvmsg(64, socket.CMSG_SPACE(4))
fd = array.array("i", anc[0][2][:4])[0]
out = b""
while True:
    try:
        d = os.read(fd, 1024)
    except OSError:  # EIO: the container's side is closed
        break
    if not d:
        break
    out += d
sys.stdout.write(out.decode().replace("\r", ""))
EOF_PY
    set_args sh -c 'tty; echo tty-ok'
    jq '.process.terminal = true' "$BUNDLE/config.json" > "$TESTS_TMP/t.json" &&
        mv "$TESTS_TMP/t.json" "$BUNDLE/config.json"
    timeout 20 python3 "$TESTS_TMP/console.py" "$TESTS_TMP/console.sock" > "$TESTS_TMP/console.out" &
    py=$!
    for _ in $(seq 100); do
        [ -S "$TESTS_TMP/console.sock" ] && break
        sleep 0.05
    done
    run_minirun "${R[@]}" create --bundle "$BUNDLE" --console-socket "$TESTS_TMP/console.sock" c6
    expect "create --console-socket with a terminal" 0 ""
    run_minirun "${R[@]}" start c6
    wait "$py"
    is "$(cat "$TESTS_TMP/console.out")" "/dev/pts/0
tty-ok" "--console-socket: the container's terminal is received (SCM_RIGHTS)"
    "$MINIRUN" "${R[@]}" delete --force c6
fi

# --- refusals, one line each -----------------------------------------------------------------
jq '.process.terminal = true' "$BUNDLE/config.json" > "$TESTS_TMP/t.json" &&
    mv "$TESTS_TMP/t.json" "$BUNDLE/config.json"
run_minirun "${R[@]}" create --bundle "$BUNDLE" c4
expect_error "create with a terminal needs --console-socket" 1 \
    "minirun: process.terminal is true: --console-socket is needed*"
jq '.process.cwd = "tmp"' "$BUNDLE/config.json" > "$TESTS_TMP/t.json" &&
    mv "$TESTS_TMP/t.json" "$BUNDLE/config.json"
run_minirun "${R[@]}" run --bundle "$BUNDLE" c5
expect_error "a relative process.cwd is refused with its path" 1 \
    "minirun: $BUNDLE/config.json: process.cwd: \"tmp\": must be an absolute path"
run_minirun "${R[@]}" --systemd-cgroup run --bundle "$BUNDLE" c5
expect_error "--systemd-cgroup is refused" 1 "minirun: --systemd-cgroup: not supported*"
is "$(ls -A "$STATE")" "" "no state is left by refused commands"

# --- a huge process.env (the image's) -----------------------------------------------------------
# 40000 names, then the last one 160000 times more (3 MB, under the 4 MB
# limit): each name once, at its first place, with its last value.  The
# environment used to be merged pairwise (10^10 comparisons: minutes of CPU,
# the state directory there all along) and each list grown by one entry per
# realloc (a copy each under ASan).
set_args env
jq -c '.process.env = ([range(40000) | "K\(.)=\(.)"] + [range(160000) | "K39999=last"])' \
    "$BUNDLE/config.json" > "$TESTS_TMP/t.json" && mv "$TESTS_TMP/t.json" "$BUNDLE/config.json"
RUN_TIMEOUT=8 run_minirun "${R[@]}" run --bundle "$BUNDLE" env1
is "$RC $(printf '%s\n' "$OUT" | wc -l) $(printf '%s\n' "$OUT" | sed -n '1p;40000,$p' | tr '\n' ' ')" \
    "0 40001 K0=0 K39999=last HOME=/root " \
    "process.env of 200000 entries, 40000 names: merged in well under a second"

# --- the same bundle under runc ---------------------------------------------------------------
if ! command -v runc > /dev/null; then
    skip "runc gives the same exit statuses" "runc is not installed"
else
    got=""
    for args in "true" "sh -c 'exit 3'" "/probe segv"; do
        eval "set_args $args"
        timeout 20 runc --root "$TESTS_TMP/runc" run --bundle "$BUNDLE" "rc$RANDOM" \
            < /dev/null > /dev/null 2>&1
        a=$?
        timeout 20 "$MINIRUN" "${R[@]}" run --bundle "$BUNDLE" "mr$RANDOM" \
            < /dev/null > /dev/null 2>&1
        got+="$a/$? "
    done
    is "$got" "0/0 3/3 139/139 " "runc and minirun: the same exit statuses (runc/minirun)"
fi

# --- capability sets as capset(2) takes them -----------------------------------------------
# A bounding set naming a capability minirun lacks only limits (runc and crun
# run it; minirun refused it); a permitted one it lacks cannot be granted.
if grep -q '^CapBnd:.*1ffffffffff$' /proc/self/status; then
    skip "bounding lists a capability minirun lacks: runs" "minirun holds every capability here"
    skip "permitted lists a capability minirun lacks: refused" "minirun holds every capability here"
else
    set_args /probe status CapBnd CapPrm
    all=$(printf 'CAP_%s\n' CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID \
        SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK \
        IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT \
        SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL \
        SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF \
        CHECKPOINT_RESTORE | jq -R . | jq -s -c .)
    jq --argjson all "$all" '.process.capabilities = {bounding: $all, permitted: ["CAP_KILL"],
        effective: ["CAP_KILL"]}' "$BUNDLE/config.json" > "$BUNDLE/c.json" &&
        mv "$BUNDLE/c.json" "$BUNDLE/config.json"
    run_minirun "${R[@]}" run --bundle "$BUNDLE" caps1
    is "$RC:$(sed -n 2p <<< "$OUT")" "0:0000000000000020" \
        "bounding lists a capability minirun lacks: runs, as runc and crun (it was refused)"
    jq '.process.capabilities.permitted = ["CAP_KILL", "CAP_SYS_RESOURCE", "CAP_MAC_ADMIN", "CAP_BPF"]' \
        "$BUNDLE/config.json" > "$BUNDLE/c.json" && mv "$BUNDLE/c.json" "$BUNDLE/config.json"
    run_minirun "${R[@]}" run --bundle "$BUNDLE" caps2
    is "$RC:$(grep -c 'cannot be granted: minirun itself does not hold' <<< "$ERR")" "1:1" \
        "permitted lists a capability minirun lacks: refused before any process (capset would fail)"
fi

done_testing
