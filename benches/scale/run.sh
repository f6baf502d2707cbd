#!/usr/bin/env bash
# The scale benchmark of issue 11: every big job side by side with `cat` of the
# same inputs (and a straightforward Python reconcile), at 1,000,000 and 100,000
# entries, in one run. Figures are ratios: the machines are shared and noisy.
#
#   bash benches/scale/run.sh [WORKDIR]        (default /tmp/msmail-scale)
#
# Needs: a release build (made here), python3, GNU time (/usr/bin/time).
# Scenario: `msmail generate --scenario restore --postoffices P --users 2000
# --evidence import-text --peer-lists server` (P = 500 for 1 M entries, 50 for
# 100 k): a restored server plus one full export text per requestor.
# Prints a Markdown table (docs/benchmarks.md keeps the last one).
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${1:-/tmp/msmail-scale}
mkdir -p "$WORK"
cargo build --release --quiet
M=$PWD/target/release/msmail
PY=$PWD/benches/scale/reconcile.py
TIME=/usr/bin/time
RESULTS="$WORK/results.tsv"
: > "$RESULTS"

# measure NAME SIZE CMD...: wall seconds and peak RSS (MB) into results.tsv
measure() {
    local name=$1 size=$2; shift 2
    local log="$WORK/$name-$size.time" rc=0 start end
    start=$(date +%s.%N)
    "$TIME" -f "%M" -o "$log" "$@" > "$WORK/$name-$size.out" 2> "$WORK/$name-$size.err" || rc=$?
    end=$(date +%s.%N)
    # diff exits 1 when its inputs differ; anything above is a failure
    if [ "$rc" -gt 1 ]; then
        echo "$name ($size) failed with exit $rc:" >&2; tail -5 "$WORK/$name-$size.err" >&2; exit 1
    fi
    local rss_kb wall
    rss_kb=$(tail -1 "$log")
    wall=$(python3 -c "print(f'{$end - $start:.3f}')")
    printf '%s\t%s\t%s\t%s\n' "$name" "$size" "$wall" "$((rss_kb / 1024))" >> "$RESULTS"
}

for P in 50 500; do
    size=$((P * 2000))
    world="$WORK/w$P"
    rm -rf "$world" "$WORK/out$P" "$WORK"/*-"$size".* "$WORK/report$P.json" "$WORK/tree$P.csv" \
        "$WORK/back$P.csv" "$WORK/diff$P.json"
    measure generate "$size" "$M" generate --out "$world" --scenario restore --postoffices "$P" \
        --users 2000 --evidence import-text --peer-lists server --seed 1 -q
    mapfile -t exports < <(cd "$world" && find requestors -name EXPORT.TXT | sort | sed "s|^|$world/|")
    requestors=()
    for e in "${exports[@]}"; do requestors+=(--requestor "$e"); done
    find "$world/server" -type f | sort > "$WORK/inputs$P"
    printf '%s\n' "${exports[@]}" >> "$WORK/inputs$P"
    # warm the page cache, then time cat of exactly those inputs
    xargs -d '\n' cat < "$WORK/inputs$P" > /dev/null
    measure cat-inputs "$size" sh -c "xargs -d '\n' cat < '$WORK/inputs$P' > /dev/null"
    measure cat-tree "$size" sh -c "find '$world/server' -type f -print0 | xargs -0 cat > /dev/null"
    measure reconcile-report "$size" "$M" reconcile --server "$world/server" "${requestors[@]}" \
        --report "$WORK/report$P.json" -q
    measure python-reconcile "$size" python3 "$PY" "$world/server" "${exports[@]}"
    measure reconcile-out "$size" "$M" reconcile --server "$world/server" "${requestors[@]}" \
        --out-dir "$WORK/out$P" -q
    measure export-csv "$size" "$M" export "$world/server" --to csv -o "$WORK/tree$P.csv" --force -q
    measure cat-csv "$size" cat "$WORK/tree$P.csv"
    measure csv-read "$size" "$M" export "$WORK/tree$P.csv" --to csv -o "$WORK/back$P.csv" --force -q
    measure cat-trees "$size" sh -c "find '$world/server' '$WORK/out$P/server' -type f -print0 | xargs -0 cat > /dev/null"
    measure diff-trees "$size" "$M" diff "$world/server" "$WORK/out$P/server" --format json \
        -o "$WORK/diff$P.json" --force -q
    # the Python baseline must find what msmail found
    python3 - "$WORK/report$P.json" "$WORK/python-reconcile-$size.out" <<'PYCHECK'
import json, sys
t = json.load(open(sys.argv[1]))["totals"]
want = f"missing_adds {t['missing_adds']} missing_deletes {t['missing_deletes']} modified {t['modified']}"
got = open(sys.argv[2]).read().strip()
if got != want:
    sys.exit(f"python baseline disagrees: {got!r} vs msmail {want!r}")
PYCHECK
done

python3 - "$RESULTS" <<'TABLE'
import sys, collections
r = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    name, size, wall, rss = line.split("\t")
    r[int(size)][name] = (float(wall), int(rss))
big, small = max(r), min(r)
def t(size, name): return max(r[size][name][0], 0.001)
jobs = [
    ("reconcile, report only", "reconcile-report", "cat-inputs", "≤ 5×, ≤ 256 MB"),
    ("reconcile, every output", "reconcile-out", "cat-inputs", "≤ 25×, ≤ 256 MB"),
    ("export server tree to CSV", "export-csv", "cat-tree", "≤ 10×, ≤ 128 MB"),
    ("read the CSV back (to CSV)", "csv-read", "cat-csv", "≤ 15×"),
    ("diff server vs repaired", "diff-trees", "cat-trees", "≤ 30×, ≤ 512 MB"),
    ("generate", "generate", None, "≤ 15 s, ≤ 512 MB"),
    ("Python reconcile (baseline)", "python-reconcile", "cat-inputs", ""),
]
print(f"| job | {big:,} entries | peak RSS | × cat | {small:,} entries | time(1M)/time(100k) | target |")
print("|---|---:|---:|---:|---:|---:|---|")
for label, job, base, target in jobs:
    wall, rss = r[big][job]
    ratio = f"{wall / t(big, base):.1f}×" if base else "—"
    print(f"| {label} | {wall:.2f} s | {rss} MB | {ratio} | {r[small][job][0]:.2f} s | {wall / t(small, job):.1f} | {target} |")
py, rec = r[big]["python-reconcile"][0], r[big]["reconcile-report"][0]
print(f"\nPython reconcile / msmail reconcile (report only), {big:,} entries: {py / rec:.1f}× (target ≥ 15×)")
for size in sorted(r):
    print(f"cat at {size:,} entries: of the reconcile inputs {r[size]['cat-inputs'][0]:.3f} s, of the tree {r[size]['cat-tree'][0]:.3f} s, of the CSV {r[size]['cat-csv'][0]:.3f} s, of both trees {r[size]['cat-trees'][0]:.3f} s")
TABLE
