# benchmarks/report/lib.sh - sourced by benchmarks/report.sh and by each
# row script (benchmarks/report/row_*.sh).  The driver exports:
#
#   REPORT_SRC    the source tree            REPORT_BUILD  the build tree
#   REPORT_OUT    the output directory       REPORT_QUICK  1: smoke test sizes
#   REPORT_NP     the ranks a row may use    REPORT_LAUNCH the launcher, to which
#                                            the ranks and the program are added
#
# A row script writes DIR/NAME.csv (a header line, then data), DIR/NAME.png
# (report_plot) and its Markdown section DIR/sections/NAME.md, and adds its
# line(s) to the summary table (report_summary).  It exits non-zero only when
# it broke (a program crashed, no CSV): a figure off its target is reported,
# never an error.
# shellcheck shell=sh

report_log() { printf '== report: %s\n' "$*" >&2; }

# report_run NP PROGRAM [ARGS]: PROGRAM on NP ranks through the launcher,
# within REPORT_TIMEOUT seconds (default 900).
report_run() {
    np=$1
    shift
    # shellcheck disable=SC2086
    timeout "${REPORT_TIMEOUT:-900}" $REPORT_LAUNCH "$np" "$@"
}

# report_bin NAME: the path of a built program (benchmarks/NAME), or fail.
report_bin() {
    b="$REPORT_BUILD/benchmarks/$1"
    [ -x "$b" ] || { report_log "$b is missing (build first)"; return 1; }
    echo "$b"
}

# report_verdict RATIO: within 10 % of 1, or not.
report_verdict() {
    awk -v r="$1" 'BEGIN {
        if (r == "" || r == "nan" || r == "-nan" || r == "inf") { print "no figure"; exit }
        d = r - 1; if (d < 0) d = -d
        print (d <= 0.10 ? "within 10%" : "not within 10%") }'
}

# report_csv_check FILE: it exists, has a header and at least one data line.
report_csv_check() {
    if [ ! -s "$1" ] || [ "$(wc -l <"$1")" -lt 2 ]; then
        report_log "$1: missing or empty"
        return 1
    fi
}

# report_summary ROW FORMULA PARAMS PREDICTED MEASURED RATIO VERDICT PNG:
# one line of report.md's summary table.
report_summary() {
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" \
        "${8:+[$8]($8)}" >>"$REPORT_OUT/summary.rows"
}

# report_section NAME: stdin becomes the Markdown section of the row.
report_section() {
    cat >"$REPORT_OUT/sections/$1.md"
}

# report_plot NAME: stdin, a gnuplot script (data files relative to
# REPORT_OUT), becomes REPORT_OUT/NAME.png; without gnuplot the plot is
# skipped (and said so in the report), never an error.  REPORT_GNUPLOT
# names the program (default gnuplot; "none" tries the skip).
report_plot() {
    if ! command -v "${REPORT_GNUPLOT:-gnuplot}" >/dev/null 2>&1; then
        cat >/dev/null
        echo "$1" >>"$REPORT_OUT/plots.skipped"
        return 0
    fi
    cat >"$REPORT_OUT/$1.gp.body"
    {
        echo "set terminal pngcairo size 900,560 noenhanced font ',10'"
        echo "set output '$1.png'"
        echo "set datafile separator ','"
        echo "set key autotitle columnhead"
        echo "set grid"
        cat "$REPORT_OUT/$1.gp.body"
    } >"$REPORT_OUT/$1.gp"
    rm -f "$REPORT_OUT/$1.gp.body"
    (cd "$REPORT_OUT" && "${REPORT_GNUPLOT:-gnuplot}" "$1.gp" 2>"$1.gp.err") || {
        report_log "gnuplot failed on $1.gp (see $1.gp.err): plot skipped"
        echo "$1" >>"$REPORT_OUT/plots.skipped"
    }
    return 0
}

# report_png NAME: NAME.png if it was drawn, else nothing.
report_png() {
    [ -f "$REPORT_OUT/$1.png" ] && echo "$1.png"
    return 0
}

# report_csv_md FILE: the CSV as a Markdown table.
report_csv_md() {
    awk -F, 'NR == 1 { s = "|"; t = "|"; for (i = 1; i <= NF; i++) { s = s " " $i " |"; t = t " --- |" }
                       print s; print t; next }
             { s = "|"; for (i = 1; i <= NF; i++) s = s " " $i " |"; print s }' "$1"
}
