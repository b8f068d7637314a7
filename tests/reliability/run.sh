#!/usr/bin/env bash
# The reliability and security suite (issue 24; docs/reliability.md): one command, a printed table.
#
#   tests/reliability/run.sh            full run (about N minutes on the 2-core machine, see docs/reliability.md)
#   tests/reliability/run.sh --quick    a short subset (under 3 minutes), the one ./test.sh runs
#
# It starts its own system twice (tests/contract/system.sh, like the contract checks) and stops it
# on exit:
#   1. with the production SSRF rule (private targets not allowed): "SSRF corpus" (ssrf.mjs) and
#      "bad input" (bad-input.mjs, the contract suite's request generator over /openapi/v1.json);
#   2. with private targets allowed (the tenants' far end, upstream.mjs, is on 127.0.0.1), its hosts
#      logging at Information: seed.mjs plants tenants and secrets, then "tenant isolation"
#      (isolation.mjs) and "secrets" (secrets.mjs: logs, GET answers, console pages, Kafka topics).
# The full run ends with bench/run.sh Reliability (faults under load) when bench/Reliability exists.
# Prints the table "section | requests/cases | passed | failed | figure" and, last, one line
# "N passed, N failed" counting sections (what ./test.sh adds up).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(cd ../.. && pwd)"
OUT="$ROOT/.build/test-output/reliability"
rm -rf "$OUT" && mkdir -p "$OUT"
QUICK=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
  esac
done
export RELIABILITY_QUICK=$QUICK RELIABILITY_OUT="$OUT"
started=$SECONDS

if ! command -v kcat >/dev/null; then
  echo "[reliability] installing kcat" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends kcat >/dev/null
fi
# The request generator (../contract/request-generator.mjs) takes fast-check from here: no other npm tree needed.
if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null && touch node_modules || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
fi

source ../contract/system.sh
UPSTREAM_PID=""
cleanup() {
  stop_system
  [[ -n "$UPSTREAM_PID" ]] && kill "$UPSTREAM_PID" 2>/dev/null
}
trap cleanup EXIT

sections=()
# run_section NAME SCRIPT: runs a node script, keeps its log, and its ROW line for the table.
run_section() {
  local name="$1" script="$2" log="$OUT/$2.log" t0=$SECONDS
  node "$script" >"$log" 2>&1
  local rc=$?
  grep -E '^(FAIL|not read|per place|fuzzed|seeded)' "$log" | head -n 40
  echo "[reliability] $name: $((SECONDS - t0)) s" >&2
  tally "$name" "$log" "$rc"
  if grep -q '^ROW|' "$log"; then sections+=("$(grep '^ROW|' "$log" | tail -n 1)")
  else sections+=("ROW|$name|0|0|1|did not finish (exit $rc): $(tail -n 3 "$log" | tr '\n' ' ' | cut -c1-200)"); fi
}

echo "[reliability] system 1: the production SSRF rule" >&2
# Quotas far above the fuzzer's pace, so that its requests reach the handlers instead of a 429.
export SYSTEM_ALLOW_PRIVATE_TARGETS=false SYSTEM_LOG_LEVEL=Warning
export SYSTEM_HOST_ENV="RateLimits__Plans__enterprise=1000000 RateLimits__Admin=1000000 RateLimits__Anonymous=1000000"
if start_system; then
  export SYS_DIR
  run_section "SSRF corpus" ssrf.mjs
  run_section "bad input" bad-input.mjs
else
  echo "the system did not start"; failed=$((failed + 2))
fi
stop_system

echo "[reliability] system 2: tenants on a local upstream" >&2
export UPSTREAM_PORT
UPSTREAM_PORT="$(free_port)"
node upstream.mjs & UPSTREAM_PID=$!
export SYSTEM_ALLOW_PRIVATE_TARGETS=true SYSTEM_LOG_LEVEL=Information
export SYSTEM_HOST_ENV="Providers__teams-workflows__AllowedHosts=http://127.0.0.1:$UPSTREAM_PORT"
if start_system && node seed.mjs >"$OUT/seed.log" 2>&1; then
  export SYS_DIR
  cat "$OUT/seed.log"
  run_section "tenant isolation" isolation.mjs
  run_section "secrets" secrets.mjs
  run_section "SSRF redirects and paths" ssrf-redirects.mjs
else
  echo "the system did not start or could not be seeded"; tail -n 20 "$OUT/seed.log" 2>/dev/null; failed=$((failed + 2))
fi
stop_system
kill "$UPSTREAM_PID" 2>/dev/null; UPSTREAM_PID=""

bench_log=""
if ((QUICK == 0)) && [[ -d "$ROOT/bench/Reliability" ]]; then
  echo "[reliability] faults under load: bench/run.sh Reliability" >&2
  bench_log="$OUT/bench-reliability.log"
  bash "$ROOT/bench/run.sh" Reliability >"$bench_log" 2>&1
  rc=$?
  if ((rc == 0)); then passed=$((passed + 1)); sections+=("ROW|faults under load|-|-|-|bench/run.sh Reliability, its table below")
  else failed=$((failed + 1)); sections+=("ROW|faults under load|-|-|-|bench/run.sh Reliability failed (exit $rc), its output below"); fi
fi

echo
echo "Reliability suite ($( ((QUICK)) && echo quick || echo full ) run, $((SECONDS - started)) s, $(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo "| section | requests/cases | passed | failed | figure |"
echo "|---|---|---|---|---|"
for row in "${sections[@]}"; do
  IFS='|' read -r _ name cases p f figure <<<"$row"
  echo "| $name | $cases | $p | $f | $figure |"
done
if [[ -n "$bench_log" ]]; then
  echo
  echo "Faults under load (bench/run.sh Reliability):"
  tail -n 60 "$bench_log"
fi
echo
# Sections, not requests, are what ./test.sh counts.
section_failed=0
for row in "${sections[@]}"; do IFS='|' read -r _ _ _ _ f _ <<<"$row"; [[ "$f" != "0" && "$f" != "-" ]] && section_failed=$((section_failed + 1)); done
((failed > 0 && section_failed == 0)) && section_failed=1
echo "$(( ${#sections[@]} - section_failed )) passed, $section_failed failed"
((section_failed == 0))
