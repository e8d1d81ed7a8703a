#!/bin/sh
# ordo-litmus on the catalogue and on the malformed tests next to this script:
#   *.litmus      every test of expected.txt, enumerated under SC, TSO,
#                 causal+ and causal-any: each verdict (condition satisfiable or not) must be
#                 the table's, and every catalogue file must be in the table;
#   bad/*.litmus  each refused with exit 2 and FILE:LINE:COL: the exact
#                 position and a key word of the message are checked;
#   the same with --eager (every interleaving of causal deliveries): the
#                 lazy delivery of the default must lose no outcome;
#   the herd7-style output of one test, the quantifiers, and usage errors.
set -u
tool="$top_builddir/tools/litmus/ordo-litmus"
data="$top_srcdir/tests/litmus"
. "$top_srcdir/tests/tool_check.sh"

# ---- the catalogue against expected.txt ------------------------------------------
grep -v '^#' "$data/expected.txt" | grep -v '^[[:space:]]*$' |
    awk '{ print $1, $2, $3, $4, $5 }' | sort >"$tmp/expected"
files=""
for name in $(cut -d' ' -f1 "$tmp/expected"); do
    [ -f "$data/$name.litmus" ] || bad "expected.txt names $name, but there is no $name.litmus"
    files="$files $data/$name.litmus"
done
for f in "$data"/*.litmus; do
    name=$(basename "$f" .litmus)
    grep -q "^$name " "$tmp/expected" || bad "$name.litmus is not in expected.txt"
done
[ "$(wc -l <"$tmp/expected")" -ge 20 ] || bad "fewer than 20 tests in expected.txt"
# shellcheck disable=SC2086
if run 0 "enumerate the catalogue" --enumerate --model all $files; then
    sed -n '/^Summary:/,$p' "$tmp/out" | sed 1,2d |
        awk '{ print $1, "sc=" $2, "tso=" $3, "causal=" $4, "causal-any=" $5 }' | sort >"$tmp/got"
    if ! cmp -s "$tmp/expected" "$tmp/got"; then
        bad "verdicts differ from expected.txt (< expected, > enumerated):"
        diff "$tmp/expected" "$tmp/got"
    fi
    # every test under every model: one Test block each, and the row in the
    # block agrees with the summary
    [ "$(grep -c '^Model ' "$tmp/out")" = $(($(wc -l <"$tmp/expected") * 4)) ] ||
        bad "expected one Test block per test and model"
fi

# the causal models deliver lazily by default; --eager explores every
# interleaving of deliveries, the machine as defined: same output
if [ -s "$tmp/out" ]; then
    mv "$tmp/out" "$tmp/lazy"
    # shellcheck disable=SC2086
    run 0 "enumerate the catalogue eagerly" --enumerate --eager $files &&
        { cmp -s "$tmp/lazy" "$tmp/out" || { bad "--eager and lazy delivery differ:"; diff "$tmp/lazy" "$tmp/out"; }; }
fi

# ---- one test's output, in herd7's format ---------------------------------------------
if run 0 "SB under tso" -e -m tso "$data/SB.litmus"; then
    cat >"$tmp/want" <<'OUT'
Test SB Allowed
Model tso
States 4
0:r0=0; 1:r0=0;
0:r0=0; 1:r0=1;
0:r0=1; 1:r0=0;
0:r0=1; 1:r0=1;
Ok
Witnesses
Positive: 1 Negative: 3
Condition exists (0:r0=0 /\ 1:r0=0)
Observation SB Sometimes 1 3

Summary: is the condition satisfiable (allowed) or not (forbidden)
Test  tso
SB    allowed
OUT
    cmp -s "$tmp/want" "$tmp/out" || { bad "SB under tso:"; diff "$tmp/want" "$tmp/out"; }
fi
run 0 "2+2W under sc,causal" -e -m sc,causal "$data/2+2W.litmus" &&
    expect "2+2W" "$tmp/out" "Model causal" "x=1; y=2;" "Observation 2+2W Never 0 3" \
        "Condition exists (x=2 /\\ y=2)"

# the quantifiers: ~exists is validated when no state satisfies it, forall
# when all do; the first line says Forbidden / Required
sed 's/^exists/~exists/' "$data/MP.litmus" >"$tmp/MP-not.litmus"
run 0 "~exists" -e -m causal "$tmp/MP-not.litmus" &&
    expect "~exists" "$tmp/out" "Test MP Forbidden" "Ok" "Condition ~exists (1:r0=1 /\\ 1:r1=0)" \
        "Observation MP Never 0 3"
sed 's/^exists.*/forall (x=2 \\\/ ~(x=1))/' "$data/CoWW.litmus" >"$tmp/CoWW-all.litmus"
run 0 "forall" -e -m tso "$tmp/CoWW-all.litmus" &&
    expect "forall" "$tmp/out" "Test CoWW Required" "Ok" "Condition forall (x=2 \\/ ~x=1)" \
        "Observation CoWW Always 1 0"

# ---- malformed tests: exit 2 and FILE:LINE:COL ------------------------------------------
# refused NAME LINE COL WORDS: bad/NAME.litmus is refused at LINE:COL with WORDS
refused() {
    f="$data/bad/$1.litmus"
    run 2 "bad/$1" -e "$f" && expect "bad/$1" "$tmp/err" "$f:$2:$3: $4"
    [ -s "$tmp/out" ] && grep -q '^Test' "$tmp/out" && bad "bad/$1: enumerated anyway"
}
refused no-lisa 1 1 "expected 'LISA'"
refused no-name 1 5 "expected the test's name, found end of line"
refused bad-preamble 3 1 "expected a doc string, a key=value line or '{'"
refused init-twice 2 13 "location x initialised twice"
refused thread-order 3 12 "expected thread P1, found 'P2'"
refused unknown-instr 4 13 "expected an instruction (w[] x 1, r[] r0 x or f[mb]), '|' or ';', found 'mov'"
refused missing-bar 5 13 "expected '|' before the next thread's cell, found 'r'"
refused bad-number 4 8 "number too large"
refused unterminated-comment 4 23 "expected '*)' closing this comment, found end of file"
refused no-condition 5 1 "expected a condition (exists, ~exists or forall), found end of file"
refused bad-cond 6 19 "expected T:reg=value, location=value, '~' or '(', found ')'"
refused bad-char 5 16 "expected ')' or an operator (/\\, \\/), found '&'"
refused trailing 5 17 "expected end of file after the condition, found 'garbage'"
refused reg-unwritten 6 19 "register 1:r1 is never written by thread P1"
refused thread-range 6 19 "thread 2 out of range: the test has 2 thread(s)"
refused too-many-threads 3 82 "too many threads: the limit is 8"
refused too-many-instrs 20 2 "too many instructions in thread P0: the limit is 16"
for f in "$data"/bad/*.litmus; do
    name=$(basename "$f" .litmus)
    grep -q "^refused $name " "$0" 2>/dev/null || bad "bad/$name.litmus is not checked by this script"
done

# a NUL byte, an empty file, a missing file; a bad file among good ones still
# enumerates the good ones and exits 2
printf 'LISA nul\n{ x=0; }\n P0 ;\n w[] x\0001 ;\nexists (x=1)\n' >"$tmp/nul.litmus"
run 2 "NUL byte" -e "$tmp/nul.litmus" &&
    expect "NUL byte" "$tmp/err" "$tmp/nul.litmus:4:7: expected a line of text, found a NUL byte"
: >"$tmp/empty.litmus"
run 2 "empty file" -e "$tmp/empty.litmus" &&
    expect "empty file" "$tmp/err" "$tmp/empty.litmus:1:1: expected 'LISA' and the test's name, found end of file"
run 2 "missing file" -e "$tmp/no-such.litmus" && expect "missing file" "$tmp/err" "$tmp/no-such.litmus: cannot open:"
run 2 "bad among good" -e -m sc "$data/SB.litmus" "$data/bad/trailing.litmus" "$data/MP.litmus" &&
    expect "bad among good" "$tmp/out" "Test SB Allowed" "Test MP Allowed" "MP    forbidden"

# ---- usage ----------------------------------------------------------------------------------
run 0 "help" -h && expect "help" "$tmp/out" "usage: ordo-litmus --enumerate"
run 2 "no arguments"
run 2 "no files" -e && expect "no files" "$tmp/err" "expected one or more litmus files" "usage:"
run 2 "unknown option" -e -x "$data/SB.litmus" && expect "unknown option" "$tmp/err" "unknown option '-x'" "usage:"
run 2 "unknown model" -e -m arm "$data/SB.litmus" && expect "unknown model" "$tmp/err" "unknown model" "'arm'"
run 2 "-m without a model" -e -m && expect "-m without a model" "$tmp/err" "expected a model after '-m'"
run 2 "too few ranks to run" "$data/SB.litmus" &&
    expect "too few ranks" "$tmp/err" "test SB has 2 threads: it needs 2 ranks, this run has 1"
run 2 "bad iteration count" -n 0 "$data/SB.litmus" && expect "bad -n" "$tmp/err" "-n takes iterations"
run 2 "bad homes" --homes nowhere "$data/SB.litmus" && expect "bad --homes" "$tmp/err" "--homes takes threads or others"

[ $fail = 0 ] && echo "ok: ordo-litmus: $count runs: the catalogue against expected.txt, herd7 output, bad inputs, usage"
exit $fail
