#!/bin/sh
# ordo-lincheck on the hand-made histories next to this script and on large
# generated ones:
#   valid/    linearizable: concurrent reads and writes in both orders, writes
#             that timed out (seen or not), a failed write never seen, a lock
#             with fencing tokens, JSON lines: exit 0;
#   invalid/  one violation each (a stale read, a value never written, a
#             failed write seen, an info write seen before its invoke, two
#             lock holders, a token not increasing, a release by another
#             process): exit 1 and the window names the operations;
#   ranks/    per-rank files of one object merged by time (and with
#             invalid/ordo-history.4.edn, of the same object: exit 1, the window
#             naming files of both);
#   objects/  the files of three objects (register sets, a lock) on two ranks,
#             as the runtime writes them: processes and keys are per object;
#   bad/      one malformed file per kind of bad input: exit 3 and file:line;
# then damaged and junk inputs (never a crash or a hang), usage, and 10^5
# generated operations (valid: 0, one stale read: 1, time limit: 2) with the
# time each check takes.
set -u
tool="$top_builddir/tools/lincheck/ordo-lincheck"
gen="$top_builddir/tools/lincheck/tests/gen_history"
data="$top_srcdir/tools/lincheck/tests"
. "$top_srcdir/tests/tool_check.sh"

# ---- linearizable --------------------------------------------------------------
# valid FILE SUMMARY: exit 0 and that summary.
valid() {
    run 0 "valid $1" "$data/valid/$1" && expect "valid $1" "$tmp/out" "ordo-lincheck: $2: valid"
}
valid register-both-orders.edn "6 operations, 4 processes, 2 keys (register)"
valid register.jsonl "4 operations, 4 processes, 2 keys (register)"
valid info-write-seen.edn "6 operations, 4 processes, 1 key (register)"
valid info-write-unseen.edn "3 operations, 3 processes, 1 key (register)"
valid fail-write-unseen.edn "3 operations, 3 processes, 1 key (register)"
valid mutex.edn "9 operations, 5 processes, 1 key (mutex)"
# Two files, two objects (their processes and keys apart), two models.
run 0 "two objects" "$data/valid/mutex.edn" "$data/valid/register-both-orders.edn" &&
    expect "two objects" "$tmp/out" "15 operations, 9 processes, 2 objects, 3 keys (register, mutex): valid"
# The same two as the files of one object on two ranks: process 2 invokes
# again after its info.
cp "$data/valid/mutex.edn" "$tmp/h.0.edn"
cp "$data/valid/register-both-orders.edn" "$tmp/h.1.edn"
run 3 "one object, process 2 on two ranks" "$tmp/h.0.edn" "$tmp/h.1.edn" &&
    expect "one object, process 2 on two ranks" "$tmp/err" \
        "h.1.edn:9: process 2 invokes again after an info completion (at $tmp/h.0.edn:13)"
run 0 "--model mutex" --model mutex "$data/valid/mutex.edn"
if run 0 "--quiet" --quiet "$data/valid/mutex.edn"; then
    [ -s "$tmp/out" ] && bad "--quiet: printed something"
fi
if run 0 "--verbose" --verbose "$data/valid/info-write-unseen.edn"; then
    expect "--verbose" "$tmp/out" \
        "key 0: register, 3 operations (2 searched, 1 info left out), 2 configurations,"
fi

# --init: a read of 5 before any write.
printf '%s\n' '{:process 0, :type :invoke, :f :read, :time 1}' \
    '{:process 0, :type :ok, :f :read, :value 5, :time 2}' >"$tmp/init.edn"
run 0 "--init 5" --init 5 "$tmp/init.edn"
run 1 "--init 0" "$tmp/init.edn" && expect "--init 0" "$tmp/out" "in state: value 0"

# ---- not linearizable: exit 1, the window -------------------------------------------
# invalid FILE KEY STATE LINES...: exit 1, key KEY stuck in STATE, and each
# of FILE's LINES (the first: the stuck operation's completion) printed.
invalid() {
    hist="$data/invalid/$1" key=$2 state=$3
    shift 3
    run 1 "invalid $hist" "$hist" || return
    expect "invalid $hist" "$tmp/out" "key $key: not linearizable" "in state: $state" \
        "invalid (1 of 1 key not linearizable)"
    sed -n '/cannot take effect there/{n;n;p;}' "$tmp/out" | grep -q -F "$hist:$1:" ||
        bad "invalid $hist: the stuck operation is not line $1"
    for l in "$@"; do
        expect "invalid $hist" "$tmp/out" "$hist:$l: {"
    done
}
invalid stale-read.edn 3 "value 2" 7 4 5 6
invalid never-written.edn 0 "value 1" 5 2 3 4
invalid fail-write-seen.edn 0 "value 1" 7 2 3 6
invalid info-write-seen-early.edn 0 "value 1" 6 3 4 5
invalid mutex-two-holders.edn 1 "held by process 0, no token yet" 5 2 3 4
invalid mutex-tokens.edn 1 "free, last token 5" 7 4 5 6
invalid mutex-release-non-holder.edn 1 "held by process 0, last token 1" 5 2 3 4

# ---- one file per rank: merged by time ------------------------------------------------
run 0 "ranks" "$data/ranks" &&
    expect "ranks" "$tmp/out" "5 operations, 5 processes, 1 key (register): valid"
if run 1 "ranks and a stale read" "$data/ranks" "$data/invalid/ordo-history.4.edn"; then
    expect "ranks and a stale read" "$tmp/out" "in state: value 8" \
        "$data/ranks/ordo-history.2.edn:2: {:process 9, :type :invoke, :f :write, :key 0, :value 8, :time 400}" \
        "$data/ranks/ordo-history.10.edn:2: {:process 9, :type :ok," \
        "$data/invalid/ordo-history.4.edn:3: {:process 4, :type :ok, :f :read, :key 0, :value 7"
fi
run 1 "the stale read alone" "$data/invalid/ordo-history.4.edn" &&
    expect "the stale read alone" "$tmp/out" "in state: value 0" \
        "(the initial state: nothing but reads linearized)"

# ---- objects: a history each -----------------------------------------------------------
run 0 "objects" "$data/objects" &&
    expect "objects" "$tmp/out" "9 operations, 5 processes, 3 objects, 4 keys (register, mutex): valid"
if run 1 "objects and a stale read" "$data/objects" "$data/invalid/qreg-2.1.edn"; then
    expect "objects and a stale read" "$tmp/out" "qreg-2 key 0: not linearizable" \
        "in state: value 7" "$data/objects/qreg-2.0.edn:2: {" "$data/invalid/qreg-2.1.edn:4: {" \
        "invalid (1 of 4 keys not linearizable)"
fi
# Given in name order (10 before 2), the tie at time 400 puts process 9's
# completion (rank 10's file) before its invoke (rank 2's).
run 3 "ranks in name order" "$data/ranks/ordo-history.0.edn" "$data/ranks/ordo-history.10.edn" \
    "$data/ranks/ordo-history.2.edn" "$data/ranks/ordo-history.3.jsonl" &&
    expect "ranks in name order" "$tmp/err" \
        "ordo-history.10.edn:2: a completion (ok) of process 9 without an invoke"

# ---- bad input: exit 3 and file:line --------------------------------------------------
# malformed FILE LINE MESSAGE
malformed() {
    hist="$data/bad/$1"
    run 3 "malformed $1" "$hist" && expect "malformed $1" "$tmp/err" "$hist:$2: $3"
}
malformed after-info.edn 5 "process 1 invokes again after an info completion (at $data/bad/after-info.edn:4)"
malformed float-time.edn 3 ":time: expected a non-negative integer, found 30.5"
malformed json-bare-word.jsonl 3 "expected a value, found 'invoke,"
malformed json-comma.jsonl 3 "expected ',' or '}', found '\"type\":"
malformed json-trailing-comma.jsonl 3 "expected a key (\"name\"), found '}'"
malformed mixed-key.edn 3 "key 0: expected register operations (read, write) as at $data/bad/mixed-key.edn:1, found acquire"
malformed negative.edn 3 ":process: expected a non-negative integer, found -1"
malformed no-invoke.edn 3 "a completion (ok) of process 1 without an invoke"
malformed no-time.edn 3 "expected the key :time, found none"
malformed not-a-map.edn 3 "expected an event: a map '{...}', found '[{:process 1"
malformed overflow.edn 3 ":value: expected a number below 2^64, found 18446744073709551616"
malformed process-range.edn 3 ":process: expected a number below 2^63, found 9223372036854775808"
malformed read-nil.edn 4 "expected the value read in a read's ok, found nil"
malformed second-invoke.edn 4 "process 1 invokes again before the completion of its invoke at $data/bad/second-invoke.edn:3"
malformed string-type.edn 3 ":type: expected :invoke, :ok, :fail or :info, found \"invoke\""
malformed trailing.edn 3 "expected the end of the line after the map, found '{:process 2}'"
malformed twice.edn 3 "expected the key :time once, found it twice"
malformed unbalanced.edn 3 "expected ']' to close the value, found '}'"
malformed unclosed.edn 3 "expected '}' to close the map, found the end of the line"
malformed unknown-f.edn 3 ":f: expected :read, :write, :acquire or :release, found :cas"
malformed unknown-type.edn 3 ":type: expected :invoke, :ok, :fail or :info, found :okay"
malformed unterminated-string.edn 3 "expected '\"' to close the string '\"timed out}'"
malformed value-vector.edn 3 ":value: expected a non-negative integer or nil, found [1 2]"
malformed write-mismatch.edn 4 "expected the value of the write's invoke (2 at $data/bad/write-mismatch.edn:3) in its completion, found 3"
malformed write-nil.edn 3 "expected the value to write in a write's invoke, found nil"
malformed wrong-completion.edn 4 "expected the completion of process 1's write on key 1 (invoked at $data/bad/wrong-completion.edn:3), found write on key 2"
run 3 "--model register on a lock" --model register "$data/valid/mutex.edn" &&
    expect "--model register" "$tmp/err" "mutex.edn:4: expected an operation of the register model (read, write), found acquire"

printf '%s\n' '{:process 0, :type :invoke, :f :write, :value 1, :time 10}' >"$tmp/nul.edn"
printf '{:process 0, :type :ok, :f :write, :value 1,\000 :time 20}\n' >>"$tmp/nul.edn"
run 3 "NUL byte" "$tmp/nul.edn" &&
    expect "NUL byte" "$tmp/err" "$tmp/nul.edn:2: expected a line of text, found a NUL byte"
# A crashed writer's last line, cut short without an end of line: left out
# with a note (the operation stays pending); the same line ended is an error.
printf '%s\n%s\n%s' '{:process 0, :type :invoke, :f :write, :value 1, :time 10}' \
    '{:process 0, :type :ok, :f :write, :value 1, :time 20}' \
    '{:process 1, :type :invoke, :f :read, :va' >"$tmp/cut.edn"
run 0 "cut last line" "$tmp/cut.edn" &&
    expect "cut last line" "$tmp/err" "$tmp/cut.edn:3: note: the last line is cut short" &&
    expect "cut last line" "$tmp/out" "ordo-lincheck: 1 operation, 1 process, 1 key (register): valid"
printf '\n' >>"$tmp/cut.edn"
run 3 "cut line ended" "$tmp/cut.edn" &&
    expect "cut line ended" "$tmp/err" "$tmp/cut.edn:3: expected a value after the key"
run 3 "no such file" "$tmp/no-such" && expect "no such file" "$tmp/err" "$tmp/no-such: cannot open:"
mkdir "$tmp/empty"
run 3 "no histories" "$tmp/empty" &&
    expect "no histories" "$tmp/err" "expected *.edn or *.jsonl files in this directory, found none"
: >"$tmp/empty.edn"
run 0 "empty file" "$tmp/empty.edn" && expect "empty file" "$tmp/out" "0 operations, 0 processes, 0 keys: valid"

# ---- damaged and junk input: exit 0, 1 or 3 (and file:line), never a crash or a hang ----
# survive WHAT FILE
survive() {
    count=$((count + 1))
    timeout 20 "$tool" "$2" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    case $rc in
    0 | 1) ;;
    3) grep -q -F "$2" "$tmp/err" || { bad "$1: exit 3 without naming the file"; cat "$tmp/err"; } ;;
    *) bad "$1: exit status $rc (124: a hang)" ;;
    esac
}
src="$data/valid/mutex.edn"
size=$(wc -c <"$src")
i=1
while [ "$i" -lt "$size" ]; do
    head -c "$i" "$src" >"$tmp/cut.edn"
    survive "cut at $i bytes" "$tmp/cut.edn"
    i=$((i + 7))
done
for seed in 1 2 3 4 5 6 7 8; do
    # random bytes; the same without NULs, in short lines; one valid file with
    # a byte changed here and there
    awk -v s="$seed" 'BEGIN { srand(s); for (i = 0; i < 3000; i++) printf "%c", int(rand() * 256) }' \
        >"$tmp/junk.edn"
    survive "junk $seed" "$tmp/junk.edn"
    tr -d '\000' <"$tmp/junk.edn" | fold -w 60 >"$tmp/junk-lines.edn"
    survive "junk lines $seed" "$tmp/junk-lines.edn"
    awk -v s="$seed" 'BEGIN { srand(s); x = "{}[]():\"#\\ ,-019;nil" }
        { for (i = 1; i <= length($0); i++) if (rand() < 0.02) $0 = substr($0, 1, i - 1) \
              substr(x, int(rand() * length(x)) + 1, 1) substr($0, i + 1); print }' \
        "$data/valid/register-both-orders.edn" >"$tmp/mutated.edn"
    survive "mutated $seed" "$tmp/mutated.edn"
done
big=1234567890123456789012345678901234567890
printf '{:process 0, :type :invoke, :f :read, :key %s, :time 1}\n' "$big" >"$tmp/big.edn"
run 3 "huge key" "$tmp/big.edn" && expect "huge key" "$tmp/err" ":key: expected a number below 2^64, found $big"
awk 'BEGIN { printf "{:process 0, :type :invoke, :f :read, :time 1, :x \""; for (i = 0; i < 100000; i++)
    printf "0123456789"; print "\"}"; print "{:process 0, :type :ok, :f :read, :value 0, :time 2}" }' \
    >"$tmp/long.edn"
run 0 "a 1 MB line" "$tmp/long.edn"
awk 'BEGIN { printf "{:x "; for (i = 0; i < 100000; i++) printf "["; print "" }' >"$tmp/deep.edn"
run 3 "deep brackets" "$tmp/deep.edn" &&
    expect "deep brackets" "$tmp/err" "deep.edn:1: expected at most 64 nested brackets in a value"

# ---- usage ------------------------------------------------------------------------------
run 3 "no arguments" && expect "no arguments" "$tmp/err" "expected history files or directories" "usage:"
run 3 "unknown option" -x "$data/valid" && expect "unknown option" "$tmp/err" "unknown option '-x'"
run 3 "--model without a value" --model && expect "--model" "$tmp/err" "expected a value after '--model'"
run 3 "bad --model" --model=queue "$data/valid" &&
    expect "bad --model" "$tmp/err" "--model: expected register, mutex or auto, found 'queue'"
run 3 "bad --init" --init -1 "$data/valid" && expect "bad --init" "$tmp/err" "--init: expected"
for t in -1 abc 1e3 inf ""; do
    run 3 "--time-limit '$t'" --time-limit "$t" "$data/valid" &&
        expect "--time-limit '$t'" "$tmp/err" "--time-limit: expected seconds"
done
run 0 "--time-limit 2.5" --time-limit 2.5 "$data/valid/mutex.edn"
run 0 "help" --help && expect "help" "$tmp/out" "usage: ordo-lincheck" "Exit status: 0 linearizable"

# ---- 10^5 generated operations: 5 processes, 10 keys ------------------------------------------
# timed STATUS WHAT FILE: run, and print how long it took.
timed() {
    hist=$3
    t0=$(date +%s%N)
    run "$1" "$2" "$hist" || return 1
    t1=$(date +%s%N)
    echo "time: ordo-lincheck on $2: $(((t1 - t0) / 1000000)) ms ($(wc -l <"$hist") lines)"
}
if "$gen" >"$tmp/valid.edn"; then
    timed 0 "10^5 register operations" "$tmp/valid.edn" &&
        expect "generated valid" "$tmp/out" "ordo-lincheck: 100000 operations," "10 keys (register): valid"
    # Past the time limit (reading alone takes longer): unknown at the first key.
    run 2 "time limit" --time-limit 0.001 "$tmp/valid.edn" &&
        expect "time limit" "$tmp/out" "unknown (time limit of 0.001 s passed on key 0, 10 keys not checked)"
else
    bad "gen_history failed"
fi
if "$gen" --bad >"$tmp/stale.edn" 2>"$tmp/gen.err"; then
    line=$(sed -n 's/^gen_history: bad read at line \([0-9]*\)$/\1/p' "$tmp/gen.err")
    timed 1 "10^5 register operations, one stale read" "$tmp/stale.edn" &&
        expect "generated stale read" "$tmp/out" "$tmp/stale.edn:$line: {" \
            "invalid (1 of 10 keys not linearizable)"
else
    bad "gen_history --bad failed"
fi
"$gen" --model=mutex >"$tmp/mutex.edn" && timed 0 "10^5 mutex operations" "$tmp/mutex.edn"
if "$gen" --model=mutex --bad --json >"$tmp/tokens.jsonl" 2>"$tmp/gen.err"; then
    line=$(sed -n 's/^gen_history: bad acquire at line \([0-9]*\)$/\1/p' "$tmp/gen.err")
    timed 1 "10^5 mutex operations (JSON), one old token" "$tmp/tokens.jsonl" &&
        expect "generated old token" "$tmp/out" "$tmp/tokens.jsonl:$line: {"
fi
# A violation found beats running out of time: stale-read's key 3 is checked
# (quickly) before regs' key 5 runs out.
if "$gen" --keys=1 --key-base=5 >"$tmp/regs.edn"; then
    run 1 "invalid and unknown" --time-limit 0.001 "$data/invalid/stale-read.edn" "$tmp/regs.edn" &&
        expect "invalid and unknown" "$tmp/out" "stale-read key 3: not linearizable" \
            "invalid (1 of 2 keys not linearizable; time limit of 0.001 s passed on regs key 5, 1 key not checked)"
fi

# --lost-writes: a read returning a value superseded before it began, not
# one overlapping the newer write, nor an info write's value.
run 1 "--lost-writes" --lost-writes "$data/lost/final-read.edn" &&
    expect "--lost-writes" "$tmp/out" "key 0: lost write: a read returned 7" \
        "key 1: lost write: a read returned 0" "(the initial value)" \
        "$data/lost/final-read.edn:23: {" "ordo-lincheck: 10 operations (ok 9, fail 0, info 1), 4 reads of 3 register keys, 2 lost writes: LOST WRITES"
grep -q "key 2: lost" "$tmp/out" && bad "--lost-writes: key 2 (an overlapping read) called lost"
run 0 "--lost-writes valid" --lost-writes "$data/valid" &&
    expect "--lost-writes valid" "$tmp/out" "0 lost writes: none lost"

[ $fail = 0 ] && echo "ok: ordo-lincheck: $count runs: valid and invalid histories, ranks, bad and junk input, usage, 10^5 operations, lost writes"
exit $fail
