#!/usr/bin/env bash
# Before/after on the 1,000,000-entry world of run.sh: runs each job with
# binary A, then B, then A, then B (interleaved, so the shared machine's load
# hits both alike) and prints wall time, CPU time and peak RSS; then checks the
# two binaries' outputs are byte-identical.
#
#   bash benches/scale/ab.sh OLD_BINARY NEW_BINARY [JOB...]
#   JOB: report out export csvread diff generate   (default: report export csvread diff)
#
# Needs the world run.sh made (WORK=/tmp/msmail-scale by default: w500,
# out500/server, tree500.csv) and GNU time.
set -euo pipefail
A=$1; B=$2; shift 2
WORK=${WORK:-/tmp/msmail-scale}
w=$WORK/w500
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
JOBS=${*:-report export csvread diff}
req=()
while IFS= read -r e; do req+=(--requestor "$w/$e"); done < <(cd "$w" && find requestors -name EXPORT.TXT | sort)
run() {
    local bin=$1 job=$2 tag=$3 cmd
    case $job in
        report) cmd=("$bin" reconcile --server "$w/server" "${req[@]}" --report "$OUT/report-$tag.json" --force -q) ;;
        out) rm -rf "$OUT/out-$tag"; cmd=("$bin" reconcile --server "$w/server" "${req[@]}" --out-dir "$OUT/out-$tag" -q) ;;
        export) cmd=("$bin" export "$w/server" --to csv -o "$OUT/export-$tag.csv" --force -q) ;;
        csvread) cmd=("$bin" export "$WORK/tree500.csv" --to csv -o "$OUT/csvread-$tag.csv" --force -q) ;;
        diff) cmd=("$bin" diff "$w/server" "$WORK/out500/server" --format json -o "$OUT/diff-$tag.json" --force -q) ;;
        generate) rm -rf "$OUT/generate-$tag"; cmd=("$bin" generate --out "$OUT/generate-$tag" --scenario restore \
            --postoffices 500 --users 2000 --evidence import-text --peer-lists server --seed 1 -q) ;;
        *) echo "unknown job $job" >&2; exit 2 ;;
    esac
    local rc=0
    /usr/bin/time -f "%e s (cpu %U+%S s) %M KB" -o "$OUT/time" "${cmd[@]}" > /dev/null 2> "$OUT/err" || rc=$?
    if [ "$rc" -gt 1 ]; then echo "$job $tag failed ($rc):" >&2; tail -3 "$OUT/err" >&2; exit 1; fi
    echo "$job $tag $(tail -1 "$OUT/time")"
}
for job in $JOBS; do
    run "$A" "$job" A1; run "$B" "$job" B1; run "$A" "$job" A2; run "$B" "$job" B2
    for f in "$OUT/$job-A1"*; do
        g=${f/-A1/-B1}
        if [ -f "$f" ]; then cmp "$f" "$g" && echo "$job: outputs identical"; fi
        if [ -d "$f" ]; then diff -r "$f" "$g" > /dev/null && echo "$job: outputs identical"; fi
    done
done
