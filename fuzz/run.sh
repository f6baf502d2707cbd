#!/usr/bin/env bash
# fuzz/run.sh SECONDS [TARGET...]
#
# Builds every fuzz target once (cargo-fuzz; installed with
# `cargo install cargo-fuzz --locked` when missing), seeds fuzz/corpus/ from
# fixtures/ (seed.sh), then runs each target for SECONDS (libFuzzer
# -max_total_time), one after the other, and prints one line per target:
# executions, exec/s, coverage (cov/ft from libFuzzer's final line), new
# corpus units. Exits non-zero when any target crashed, timed out (-timeout,
# 10 s per input) or ran out of memory (-rss_limit_mb, 1024 MB / -malloc_limit_mb); the
# input is kept in fuzz/artifacts/<target>/ and the log in fuzz/logs/<target>.log.
#
# Toolchain: nightly when `rustup run nightly rustc --version` works, else the
# default (stable) toolchain with RUSTC_BOOTSTRAP=1 (cargo-fuzz needs -Z
# flags). FUZZ_TOOLCHAIN=stable forces the fallback. Sanitizer: none by
# default (the library has no unsafe code; without ASan the build is faster
# and the targets run about twice as fast); FUZZ_SANITIZER=address for ASan.
# Debug assertions and overflow checks are on (cargo-fuzz's default).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

secs=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
sanitizer=${FUZZ_SANITIZER:-none}
rss_mb=${FUZZ_RSS_MB:-1024}
timeout_s=${FUZZ_TIMEOUT:-10}

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "== installing cargo-fuzz (cargo install cargo-fuzz --locked)"
  cargo install cargo-fuzz --locked
fi

if [ "${FUZZ_TOOLCHAIN:-}" != stable ] && rustup run nightly rustc --version >/dev/null 2>&1; then
  fuzz=(cargo +nightly fuzz)
  echo "== toolchain: nightly ($(rustup run nightly rustc --version))"
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
  echo "== toolchain: $(rustc --version) with RUSTC_BOOTSTRAP=1"
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <("${fuzz[@]}" list)
fi

echo "== building ${#targets[@]} targets (sanitizer: $sanitizer)"
start=$(date +%s)
"${fuzz[@]}" build --sanitizer "$sanitizer"
echo "== built in $(($(date +%s) - start)) s"

bash "$here/seed.sh" >/dev/null

triple=$(rustc -vV | sed -n 's/^host: //p')
bin="${CARGO_TARGET_DIR:-$here/target}/$triple/release"
mkdir -p "$here/logs"
failed=()
printf '%-16s %6s %12s %8s %7s %7s %6s  %s\n' target secs execs exec/s cov ft new result
for t in "${targets[@]}"; do
  mkdir -p "$here/corpus/$t" "$here/artifacts/$t"
  before=$(find "$here/artifacts/$t" -type f | wc -l)
  log="$here/logs/$t.log"
  rc=0
  "$bin/$t" "$here/corpus/$t" \
    -max_total_time="$secs" -timeout="$timeout_s" -rss_limit_mb="$rss_mb" \
    -malloc_limit_mb="$rss_mb" -print_final_stats=1 \
    -artifact_prefix="$here/artifacts/$t/" >"$log" 2>&1 || rc=$?
  after=$(find "$here/artifacts/$t" -type f | wc -l)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  newu=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  result=ok
  if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
    result="FAILED (exit $rc; see $log and artifacts/$t/)"
    failed+=("$t")
  fi
  printf '%-16s %6s %12s %8s %7s %7s %6s  %s\n' "$t" "$secs" "${execs:-?}" "${rate:-?}" \
    "${cov:-?}" "${ft:-?}" "${newu:-?}" "$result"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "== crashes, timeouts or OOM in: ${failed[*]}"
  echo "   reproduce: fuzz/target/$triple/release/<target> fuzz/artifacts/<target>/<file>"
  exit 1
fi
echo "== no crash"
