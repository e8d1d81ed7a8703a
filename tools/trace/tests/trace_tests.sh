#!/bin/sh
# ordo-trace on the hand-made traces next to this script:
#   good/          a correct 3-rank run: messages both ways, user events, one
#                  message never received; check passes, export is valid JSON
#                  with one arrow per matched message, merge is causal;
#   violations/    one rank file of good/ altered per kind of clock violation:
#                  check exits 1 and names the events involved;
#   corrupt/       one rank file of good/ damaged per kind of bad input, and
#   missing-rank/  a directory without rank 1: refused with exit 2 and file:line.
set -u
tool="$top_builddir/tools/trace/ordo-trace"
data="$top_srcdir/tools/trace/tests"
good="$data/good"
. "$top_srcdir/tests/tool_check.sh"

# ranks RANK FILE: f0 f1 f2 are good/'s files, but rank RANK's is FILE.
ranks() {
    f0="$good/ordo-trace.0.txt" f1="$good/ordo-trace.1.txt" f2="$good/ordo-trace.2.txt"
    eval "f$1=\$2"
}

# ---- the correct run ----------------------------------------------------------
if run 0 "check good" check "$good"; then
    expect "check good" "$tmp/out" \
        "ordo-trace check: 3 ranks, 24 events (8 send, 7 recv, 9 event)" \
        "messages: 7 matched, 1 sent and never received (the first: 2:7 send 2.2 to 0)" \
        "violations: 0 (lamport-order 0, hlc-order 0, vc-order 0, vc-graph 0, lamport-mono 0, hlc-mono 0, vc-mono 0)"
fi
ranks 0 "$good/ordo-trace.0.txt"
run 0 "check with files" check "$f0" "$f1" "$f2"

if run 0 "export good" export -o "$tmp/good.json" "$good"; then
    if command -v python3 >/dev/null 2>&1; then
        python3 -m json.tool "$tmp/good.json" >/dev/null || bad "export: not valid JSON"
    else
        echo "note: no python3, the JSON is not validated"
    fi
    [ "$(grep -c '"ph":"s"' "$tmp/good.json")" = 7 ] || bad "export: expected 7 flow starts"
    [ "$(grep -c '"ph":"f".*"bp":"e"' "$tmp/good.json")" = 7 ] || bad "export: expected 7 flow ends"
    grep '"ph":"s"' "$tmp/good.json" | sed 's/.*"id":\([0-9]*\).*/\1/' | sort >"$tmp/starts"
    grep '"ph":"f"' "$tmp/good.json" | sed 's/.*"id":\([0-9]*\).*/\1/' | sort >"$tmp/ends"
    cmp -s "$tmp/starts" "$tmp/ends" || bad "export: flow starts and ends do not pair up"
    [ "$(sort -u "$tmp/starts" | wc -l)" = 7 ] || bad "export: flow ids are not unique"
    [ "$(grep -c '"ph":"X"' "$tmp/good.json")" = 24 ] || bad "export: expected 24 slices"
    expect "export good" "$tmp/good.json" '"name":"thread_name","args":{"name":"rank 2"}' \
        '"name":"idle\"quoted\\name"' '"name":"send to 1"' '"ts":0.000,'
    run 0 "export to stdout" export "$good" && cmp -s "$tmp/out" "$tmp/good.json" ||
        bad "export: stdout and -o differ"
fi

if run 0 "merge good" merge "$good"; then
    [ "$(grep -vc '^#' "$tmp/out")" = 24 ] || bad "merge: expected 24 events"
    # Program order within each rank, and every receive after its send.
    awk '/^#/ { next }
         $2 != next_seq[$1] + 0 { print "out of program order: " $0; bad = 1 }
         { next_seq[$1] = $2 + 1 }
         $3 == "send" { sent[$10] = 1 }
         $3 == "recv" && !sent[$10] { print "receive before its send: " $0; bad = 1 }
         END { exit bad }' "$tmp/out" || bad "merge: not causally consistent"
fi

# ---- clock violations: exit 1, the kind counted, the events named ----------------
# violation CASE RANK COUNTS STRING...
violation() {
    name=$1 rank=$2 file="$data/violations/$1.$2.txt" counts=$3
    shift 3
    ranks "$rank" "$file"
    run 1 "violation $name" check "$f0" "$f1" "$f2" &&
        expect "violation $name" "$tmp/out" "violations: $counts" "$@"
}
violation lamport-order 1 \
    "1 (lamport-order 1, hlc-order 0, vc-order 0, vc-graph 0, lamport-mono 0, hlc-mono 0, vc-mono 0)" \
    "lamport-order: message 0.0: lamport 2 at the receive is not above 2 at the send" \
    "    0:1 send 0.0 to 1 handler 7 lamport=2" \
    "    1:1 recv 0.0 from 0 handler 7 lamport=2" "lamport-order.1.txt:3)"
violation hlc-order 2 \
    "1 (lamport-order 0, hlc-order 1, vc-order 0, vc-graph 0, lamport-mono 0, hlc-mono 0, vc-mono 0)" \
    "hlc-order: message 0.2: hlc (1700000000000014000,0) at the receive is not above" \
    "    0:6 send 0.2 to 2" "    2:6 recv 0.2 from 0" "hlc-order.2.txt:8)"
violation vc-order 1 \
    "2 (lamport-order 0, hlc-order 0, vc-order 1, vc-graph 1, lamport-mono 0, hlc-mono 0, vc-mono 0)" \
    "vc-order: message 0.0: the vector clock at the receive is not above the send's (vc[0] is 0" \
    "    0:1 send 0.0 to 1" "    1:1 recv 0.0 from 0 handler 7 lamport=3 hlc=(1700000000000005000,0) vc=[0,2,0]"
violation vc-knows 0 \
    "1 (lamport-order 0, hlc-order 0, vc-order 0, vc-graph 1, lamport-mono 0, hlc-mono 0, vc-mono 0)" \
    "vc-graph: 0:4 claims to know 2:1 (vc[2]=2), which does not happen before it" \
    "    0:4 event checkpoint" "    2:1 recv 0.1 from 0"
violation vc-misses 2 \
    "1 (lamport-order 0, hlc-order 0, vc-order 0, vc-graph 1, lamport-mono 0, hlc-mono 0, vc-mono 0)" \
    "vc-graph: 2:8 misses 1:3, which happens before it (vc[1]=3, expected 4)" \
    "    2:8 event done" "    1:3 send 1.1 to 2"
violation mono 1 \
    "4 (lamport-order 0, hlc-order 0, vc-order 0, vc-graph 1, lamport-mono 1, hlc-mono 1, vc-mono 1)" \
    "lamport-mono: rank 1: lamport goes from 5 at seq 3 to 5 at seq 4" \
    "hlc-mono: rank 1: hlc goes from (1700000000000006000,0) at seq 3" \
    "vc-mono: rank 1: its own entry vc[1] goes from 4 at seq 3 to 4 at seq 4" \
    "    1:3 send 1.1 to 2" "    1:4 event idle\"quoted\\name"

# Every lamport 1: 7 messages and 21 steps wrong, 20 shown, the rest counted.
mkdir "$tmp/flat"
for r in 0 1 2; do
    awk '/^#/ { print; next } { $4 = 1; print }' "$good/ordo-trace.$r.txt" >"$tmp/flat/ordo-trace.$r.txt"
done
if run 1 "many violations" check "$tmp/flat"; then
    expect "many violations" "$tmp/out" "... and 8 more violations" \
        "violations: 28 (lamport-order 7, hlc-order 0, vc-order 0, vc-graph 0, lamport-mono 21,"
    [ "$(grep -c '^lamport-' "$tmp/out")" = 20 ] || bad "many violations: expected 20 shown"
fi

# ---- bad input: exit 2 and file:line ------------------------------------------------
# corrupt CASE RANK LINE STRING: rank RANK's file is corrupt/CASE.RANK.txt
corrupt() {
    file="$data/corrupt/$1.$2.txt"
    ranks "$2" "$file"
    run 2 "corrupt $1" check "$f0" "$f1" "$f2" && expect "corrupt $1" "$tmp/err" "$file:$3: $4"
}
corrupt bad-header 1 1 "expected format version 1, found version 2"
corrupt bad-kind 1 5 "kind: expected send, recv or event, found 'sned'"
corrupt bad-name 0 7 "name: expected printable ASCII without spaces, found 'check\\x01point'"
corrupt bad-number 0 6 "lamport: expected an unsigned decimal number, found '5x'"
corrupt bad-peer 0 4 "peer: expected a rank below the size 3, found 3"
corrupt blank-line 2 6 "expected an event ("
corrupt cycle 0 5 "message 2.0: expected its send ("
corrupt dup-recv 1 7 "message 0.0: expected one receive, found a second one"
corrupt dup-send 0 9 "message 0.1: expected a new id, found one already sent (at line 5)"
corrupt empty 1 1 "expected the header '# ordo-trace 1 rank <r> size <n>', found an empty file"
corrupt event-peer 1 6 "peer: expected '-' for an event, found '2'"
corrupt handler 2 6 "message 1.1: expected handler 8 as at its send"
corrupt msg-src 0 9 "msg: expected the id of a send to start with its own rank 0, found '1.5'"
corrupt no-header 2 1 "expected the header '# ordo-trace 1 rank <r> size <n>', found '0 event"
corrupt overflow 0 7 "wall_ns: expected a number below 2^64, found '18446744073709551616'"
corrupt recv-without-send 1 7 "message 0.9: expected its send in rank 0's file"
corrupt seq-gap 0 6 "seq: expected 3 (one more than the line before), found 4"
corrupt size-mismatch 2 1 "expected size 3 as in"
corrupt truncated-eof 2 10 "expected a complete line, found a truncated one"
corrupt truncated-line 1 4 "expected 10 fields ("
corrupt vc-width 1 3 "vc: expected 3 comma-separated entries (one per rank), found 2"
corrupt wrong-dest 2 3 "message 0.0: expected to be received by rank 1"

head -c 150 "$good/ordo-trace.1.txt" >"$tmp/nul.1.txt"
printf '\000' >>"$tmp/nul.1.txt"
tail -c +152 "$good/ordo-trace.1.txt" >>"$tmp/nul.1.txt"
ranks 1 "$tmp/nul.1.txt"
run 2 "NUL byte" check "$f0" "$f1" "$f2" &&
    expect "NUL byte" "$tmp/err" "$tmp/nul.1.txt:3: expected a line of text, found a NUL byte"

ranks 1 "$data/corrupt/renamed/ordo-trace.1.txt"
run 2 "renamed file" check "$f0" "$f1" "$f2" &&
    expect "renamed file" "$tmp/err" "$f1:1: expected rank 1 as the file name says, found rank 2"
run 2 "missing rank" check "$data/missing-rank" &&
    expect "missing rank" "$tmp/err" "$data/missing-rank/ordo-trace.2.txt:1: size 3: expected a file for every rank, found none for rank 1"
run 2 "rank twice" check "$good" "$good/ordo-trace.1.txt" &&
    expect "rank twice" "$tmp/err" ":1: expected one file per rank, found rank 1 again"
run 2 "no such file" check "$tmp/no-such-dir" &&
    expect "no such file" "$tmp/err" "$tmp/no-such-dir: cannot open:"
run 2 "directory without traces" check "$data/violations" &&
    expect "directory without traces" "$tmp/err" "files in this directory, found none"
for cmd in export merge; do
    run 2 "$cmd of a corrupt file" $cmd "$good/ordo-trace.0.txt" "$data/corrupt/bad-kind.1.txt" \
        "$good/ordo-trace.2.txt" && expect "$cmd corrupt" "$tmp/err" "bad-kind.1.txt:5: kind:"
done

# ---- usage ----------------------------------------------------------------------------
run 2 "no arguments"
run 2 "unknown command" frobnicate "$good" && expect "unknown command" "$tmp/err" "unknown command 'frobnicate'" "usage:"
run 2 "no paths" check && expect "no paths" "$tmp/err" "usage:"
run 2 "unknown option" check -x "$good" && expect "unknown option" "$tmp/err" "unknown option '-x'"
run 2 "-o without a file" export -o && expect "-o without a file" "$tmp/err" "after '-o'"
run 2 "-o for check" check -o x "$good"
run 0 "help" --help && expect "help" "$tmp/out" "usage: ordo-trace check"

[ $fail = 0 ] && echo "ok: ordo-trace: $count runs: the good run, 6 kinds of violation, bad inputs, usage"
exit $fail
