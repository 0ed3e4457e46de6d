#!/bin/bash
# The layer rule of lib/ (README: lib/ in layers), checked on the
# #include "..." lines of lib/, cmd/ and include/:
#
#   lib/common/     includes only common/
#   lib/seccomp/    common/, seccomp/
#   lib/container/  common/, seccomp/, container/
#   lib/tools/      common/, seccomp/, tools/ (never container/)
#   include/minirun/ the public facade: any layer
#   cmd/            cmd/ and minirun/minirun.h only
#
# and no two files include each other in a loop (file-level graph: a .c's
# include of its own .h counts, as does header to header).  A cycle or a
# layer break is how an "upper" layer sneaks into a lower one, so both fail.
# Also: no function of lib/ longer than MAX_FUNCTION_LINES (120).
#
#   tests/structure/check-layers.sh [SOURCE-ROOT]
set -uo pipefail

root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$root" || exit 2

# Made at build time (meson configure_file, lib/seccomp/default-profile, lib/tools/targets-data):
# they have no layer and include nothing of ours.
generated=" config.h default-profile.h default-programs.h targets-data.h "

# layer FILE: the layer a repository path belongs to.
layer() {
    case $1 in
    lib/common/*) echo common ;;
    lib/seccomp/*) echo seccomp ;;
    lib/container/*) echo container ;;
    lib/tools/*) echo tools ;;
    include/minirun/*) echo facade ;;
    cmd/*) echo cmd ;;
    *) echo other ;;
    esac
}

# allowed FROM-LAYER: the layers it may include.
allowed() {
    case $1 in
    common) echo " common " ;;
    seccomp) echo " common seccomp " ;;
    container) echo " common seccomp container " ;;
    tools) echo " common seccomp tools " ;;
    facade) echo " common seccomp container tools facade " ;;
    cmd) echo " cmd facade " ;;
    *) echo " " ;;
    esac
}

# resolve FROM NAME: the repository path that #include "NAME" in FROM reads,
# the way the compiler's -I list (the file's dir, lib/, include/) finds it.
resolve() {
    local cand
    for cand in "$(dirname "$1")/$2" "lib/$2" "include/$2"; do
        if [ -f "$cand" ]; then
            realpath -m --relative-to=. "$cand"
            return 0
        fi
    done
    return 1
}

errors=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT

while IFS= read -r -d '' file; do
    from=$(layer "$file")
    ok=$(allowed "$from")
    mapfile -t lines < "$file"
    for i in "${!lines[@]}"; do
        line=${lines[i]} lineno=$((i + 1))
        [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]+)\" ]] || continue
        name=${BASH_REMATCH[1]}
        if ! target=$(resolve "$file" "$name"); then
            [[ $generated == *" $name "* ]] && continue
            echo "$file:$lineno: #include \"$name\": no such file in its dir, lib/ or include/"
            errors=$((errors + 1))
            continue
        fi
        [ "$target" = "$file" ] && continue
        echo "$file $target" >> "$edges"
        to=$(layer "$target")
        if [[ $ok != *" $to "* ]]; then
            echo "$file:$lineno: #include \"$name\": layer $from may not include $to ($target)"
            errors=$((errors + 1))
        fi
    done
done < <(find lib cmd include -type f \( -name '*.c' -o -name '*.h' \) -print0 | sort -z)

# tsort reports every loop it breaks ("tsort: -: input contains a loop:"
# then one "tsort: FILE" line per member).
loops=$(tsort < "$edges" 2>&1 > /dev/null)
if [ -n "$loops" ]; then
    echo "include cycle(s):"
    printf '%s\n' "$loops" | sed 's/^tsort: /  /'
    errors=$((errors + 1))
fi

# A function of lib/ that needs more than a screenful and a half is a
# sequence of steps that wants names (a definition starts in column 0 with
# "name(", as .clang-format lays it out, and ends at the first "}" there).
MAX_FUNCTION_LINES=${MAX_FUNCTION_LINES:-120}
# shellcheck disable=SC2016 # the $ are awk's, not the shell's
long=$(find lib -name '*.c' -print0 | sort -z | xargs -0 awk -v max="$MAX_FUNCTION_LINES" '
    /^[a-z_][a-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name); start = FNR }
    /^}/ && start { if (FNR - start + 2 > max) printf "%s: %s is %d lines (at most %d)\n", FILENAME, name, FNR - start + 2, max; start = 0 }')
if [ -n "$long" ]; then
    printf '%s\n' "$long"
    errors=$((errors + $(printf '%s\n' "$long" | wc -l)))
fi

# glibc's set*id wrappers wait for every thread glibc knows of; in a
# container process cloned while minirun's network thread ran, that thread
# is not there and the wait never ends (lib/container/user.h).  lib/ uses
# the raw calls of user.c.
setxid=$(find lib cmd include \( -name '*.c' -o -name '*.h' \) -print0 | sort -z |
    xargs -0 grep -nE '(^|[^_a-z.>"])\(?(set(res|re|e)?[ug]id|setgroups|initgroups|setfs[ug]id)\)?[[:space:]]*[(;,)]' |
    grep -vE ':[0-9]+:[[:space:]]*(/?\*|//)' || true)
if [ -n "$setxid" ]; then
    printf '%s\n' "$setxid" | sed 's/$/   <- a glibc set*id wrapper: use mr_setresuid and friends (user.h)/'
    errors=$((errors + $(printf '%s\n' "$setxid" | wc -l)))
fi

if [ "$errors" -gt 0 ]; then
    echo "check-layers: $errors problem(s)"
    exit 1
fi
echo "check-layers: $(sort -u "$edges" | wc -l) includes of lib/, cmd/ and include/ follow the layer rule, no cycle; no function of lib/ over $MAX_FUNCTION_LINES lines; no glibc set*id wrapper"
