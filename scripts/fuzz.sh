#!/usr/bin/env bash
# Runs each libFuzzer harness in Fuzz/ (built with -sanitize=fuzzer,address)
# for FUZZ_SECONDS (default 60) over a copy of its committed seed corpus in
# Tests/Fixtures/fuzz/, and prints one line of figures per harness. Exits
# non-zero when any harness finds a crash, a leak or a timeout (its input is
# kept and named).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/setup-system.sh)"
seconds="${FUZZ_SECONDS:-60}"
scratch=.build-fuzz
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

harnesses=(FuzzPayload:payload FuzzWire:wire FuzzYAML:yaml FuzzExport:export FuzzDNS:dns)
for entry in "${harnesses[@]}"; do
  HEALTHSYNC_FUZZ=1 swift build --scratch-path "$scratch" --sanitize=fuzzer --sanitize=address \
    --product "${entry%%:*}" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
done

failed=0
printf '%-12s %8s %10s %8s %8s %s\n' harness seconds runs exec/s cov result
for entry in "${harnesses[@]}"; do
  name="${entry%%:*}" seeds="Tests/Fixtures/fuzz/${entry##*:}"
  corpus="$work/$name-corpus" artifacts="$work/$name-artifacts/"
  mkdir -p "$corpus" "$artifacts"
  status=0
  ASAN_OPTIONS=detect_leaks=1 "$scratch/debug/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" "$seeds" >"$work/$name.log" 2>&1 || status=$?
  runs="$(awk '/stat::number_of_executed_units/ { print $2 }' "$work/$name.log")"
  speed="$(awk '/stat::average_exec_per_sec/ { print $2 }' "$work/$name.log")"
  cov="$(grep -o 'cov: [0-9]*' "$work/$name.log" | tail -1 | awk '{ print $2 }')"
  result=ok
  if [ "$status" -ne 0 ] || ls "$artifacts" | grep -q .; then
    result="FOUND: $(ls "$artifacts" | head -1)"
    mkdir -p fuzz-findings && cp "$artifacts"* fuzz-findings/ 2>/dev/null || true
    tail -40 "$work/$name.log" >&2
    failed=1
  fi
  printf '%-12s %8s %10s %8s %8s %s\n' "$name" "$seconds" "${runs:-?}" "${speed:-?}" "${cov:-?}" "$result"
done
exit "$failed"
