#!/bin/bash
# The documentation cannot drift from the program: the long options of a run
# are the same in the parser's table (cmd/options.c), minirun --help, the man
# page's OPTIONS (doc/minirun.1) and the README's flag table.  And the help
# entry points a new user tries: minirun help [profile|inspect], minirun -h.
# Needs no root and no rootfs.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ -z "${MINIRUN:-}" ] || [ ! -x "$MINIRUN" ]; then
    missing_tool "MINIRUN is not set or not executable"
fi
SRC=${MINIRUN_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
[ -f "$SRC/doc/minirun.1" ] || missing_tool "no doc/minirun.1 under MINIRUN_SRCDIR=$SRC"

# Aliases the parser accepts that the documents spell the long way.
ALIASES="net
dns-opt"

# Each list: one option name (without --) a line, sorted, unique.
from_source() {
    sed -n '/^static const struct opt options\[\] = {/,/^};/p' "$SRC/cmd/options.c" |
        sed -nE 's/^[[:space:]]*\{"([a-z][a-z-]*)".*/\1/p' | grep -vxF -e "$ALIASES" | sort -u
}
from_help() {
    "$MINIRUN" --help | sed -nE 's/^ +(-[a-zA-Z], )?--([a-z][a-z-]*).*/\2/p' | sort -u
}
# The names in the .TP tags of the OPTIONS section (the line after each .TP).
from_man() {
    awk '/^\.SH OPTIONS/ { p = 1; next } /^\.SH/ { p = 0 } p && prev == ".TP" { print } { prev = $0 }' \
        "$SRC/doc/minirun.1" | sed 's/\\-/-/g' | grep -oE -- '--[a-z][a-z-]*' | sed 's/^--//' | sort -u
}
# The first column of the table whose header is "| option | meaning |".
from_readme() {
    awk '/^\| option \| meaning \|$/ { p = 1; next } p && !/^\|/ { exit } p' "$SRC/README.md" |
        cut -d'|' -f2 | grep -oE -- '--[a-z][a-z-]*' | sed 's/^--//' | sort -u
}

src=$(from_source)
help=$(from_help)
man=$(from_man)
readme=$(from_readme)
n=$(wc -l <<< "$src")
if [ "$n" -ge 30 ]; then
    ok "the parser's table has $n long options (the extraction works)"
else
    not_ok "the parser's table has at least 30 long options" "found: $src"
fi
same() {
    if [ "$2" == "$src" ]; then
        ok "$1 lists exactly the parser's long options"
    else
        not_ok "$1 lists exactly the parser's long options" \
            "$(diff <(printf '%s\n' "$src") <(printf '%s\n' "$2") | sed -n 's/^</missing:/p; s/^>/extra:  /p')"
    fi
}
same "minirun --help" "$help"
same "the man page's OPTIONS" "$man"
same "the README's flag table" "$readme"

# --help names the subcommands; help works as a subcommand too.
run_minirun --help
if [[ $OUT == *"minirun profile check|explain|diff|convert"* && $OUT == *"minirun inspect PID"* &&
    $OUT == *"minirun help [profile|inspect]"* ]]; then
    ok "--help lists the subcommands profile, inspect and help"
else
    not_ok "--help lists the subcommands profile, inspect and help" "$(_result_diag)"
fi
usage=$OUT
run_minirun help
is "$RC:$OUT" "0:$usage" "minirun help: the same text as --help"
profile_usage=$("$MINIRUN" profile --help)
run_minirun help profile
is "$RC:$OUT" "0:$profile_usage" "minirun help profile: the same as minirun profile --help"
run_minirun help profile check
is "$RC:$OUT" "0:$("$MINIRUN" profile check --help)" "minirun help profile check: the same as profile check --help"
run_minirun help inspect
is "$RC:$OUT" "0:$("$MINIRUN" inspect --help)" "minirun help inspect: the same as minirun inspect --help"
run_minirun help nosuch
expect_error "minirun help nosuch: one line, exit 125" 125 \
    "minirun: help: no help for 'nosuch' (try: minirun help, minirun help profile, minirun help inspect)"
run_minirun -h
expect_error "minirun -h: says -h is the hostname and help is --help" 125 \
    "minirun: option '-h' needs a value: -h is --hostname NAME, as in docker run; for help, say --help"

# The man page documents every profile option and each subcommand's exit status.
man_text=$(sed 's/\\-/-/g' "$SRC/doc/minirun.1")
for opt in --arch --strict --cap-add --cap-drop --format= --to -o --output --seccomp= --help --version; do
    if grep -qF -- "$opt" <<< "$man_text"; then
        ok "man page: $opt"
    else
        not_ok "man page: $opt" "not in doc/minirun.1"
    fi
done
exit_status=$(awk '/^\.SH EXIT STATUS/ { p = 1; next } /^\.SH/ { p = 0 } p' "$SRC/doc/minirun.1" | sed 's/\\-/-/g')
for sub in "profile check" "profile diff" "profile explain" "profile convert" inspect help; do
    if grep -qF -- "$sub" <<< "$exit_status"; then
        ok "man page: the exit status of $sub"
    else
        not_ok "man page: the exit status of $sub" "not in EXIT STATUS"
    fi
done

done_testing
