# tests/tool_check.sh - sourced by the tests of a command-line tool (set
# $tool first): a scratch directory $tmp, a failure flag $fail, a count of
# runs $count, and
#   bad MESSAGE              report a failure
#   run STATUS WHAT ARGS...  $tool ARGS must exit with STATUS; its output is
#                            left in $tmp/out and $tmp/err
#   expect WHAT FILE STR...  every fixed STR is in FILE
# shellcheck shell=sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
count=0

bad() {
    echo "FAIL: $*"
    fail=1
}

run() {
    want=$1 what=$2
    shift 2
    count=$((count + 1))
    "$tool" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" = "$want" ] && return 0
    bad "$what: exit status $rc, expected $want"
    cat "$tmp/out" "$tmp/err"
    return 1
}

expect() {
    what=$1 file=$2
    shift 2
    for s in "$@"; do
        grep -F -q -- "$s" "$file" || { bad "$what: no '$s' in:"; cat "$file"; }
    done
}
