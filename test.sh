#!/usr/bin/env bash
# Builds and runs every test: all .NET test projects (unit and integration; the integration tests
# start their own PostgreSQL and Kafka dev broker processes, ADR 0006) and any tests/*/run.sh
# script (external checks, e.g. npm-based). Ends with one line "N passed, N failed" and exits
# non-zero if anything failed or if no test ran at all.
#
#   ./test.sh                          everything
#   ./test.sh --filter 'FullyQualifiedName~Outbox'   extra arguments go to `dotnet test`
#
# A tests/<name>/run.sh script runs from its own directory with the same environment (the
# reliability suite with --quick). If it prints
# a line "N passed, N failed" its counts are added to the totals; otherwise it counts as one test
# that passed when the script exits 0.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
OUT="$ROOT/.build/test-output"
mkdir -p "$OUT"

log() { printf '[test] %s\n' "$*" >&2; }

passed=0
failed=0
skipped=0
problems=()
failures=()

summary() {
  if ((skipped > 0)); then
    printf '(%d skipped)\n' "$skipped"
  fi
  if ((${#failures[@]})); then
    printf 'failed test: %s\n' "${failures[@]}"
  fi
  if ((${#problems[@]})); then
    printf 'FAILED: %s\n' "${problems[@]}"
  fi
  printf '%d passed, %d failed\n' "$passed" "$failed"
}

"$ROOT/scripts/bootstrap.sh"

export INTEGRATIONS_BROKER_BIN="$ROOT/.build/bin/kafka-dev-broker"
export INTEGRATIONS_PG_BIN="${INTEGRATIONS_PG_BIN:-/usr/lib/postgresql/15/bin}"
export DOTNET_NOLOGO=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1

log "dotnet build Integrations.sln -c Release"
if ! dotnet build Integrations.sln -c Release; then
  problems+=("build (dotnet build Integrations.sln -c Release)")
  summary
  exit 1
fi

log "dotnet test Integrations.sln -c Release"
dotnet_log="$OUT/dotnet-test.log"
test_rc=0
dotnet test Integrations.sln -c Release --no-build --logger "console;verbosity=normal" "$@" 2>&1 | tee "$dotnet_log" || test_rc=$?

# Totals from the console output. Which summary format appears depends on the logger and the test
# platform, so take the first format found and never add two formats together:
#   1. console logger at normal verbosity, one block per test project:
#        Total tests: 12 /      Passed: 11 /      Failed: 1 /     Skipped: 0
#   2. default minimal verbosity, one line per test project:
#        Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12, Duration: ...
#   3. Microsoft.Testing.Platform runner, one summary for the whole run:
#        Test run summary: ... / total: 12 / failed: 0 / succeeded: 12 / skipped: 0
# A test host that crashed ("Test Run Aborted") counts as one more failure.
read -r d_passed d_failed d_skipped d_aborted < <(awk '
  { sub(/\r$/, "") }
  /^[[:space:]]*Total tests:[[:space:]]*/ { f1 = 1 }
  /^[[:space:]]*Passed:[[:space:]]*[0-9]+[[:space:]]*$/  { p1 += $2 }
  /^[[:space:]]*Failed:[[:space:]]*[0-9]+[[:space:]]*$/  { x1 += $2 }
  /^[[:space:]]*Skipped:[[:space:]]*[0-9]+[[:space:]]*$/ { s1 += $2 }
  /(Passed|Failed)![[:space:]]+-[[:space:]]+Failed:[[:space:]]*[0-9]+,[[:space:]]*Passed:[[:space:]]*[0-9]+,[[:space:]]*Skipped:[[:space:]]*[0-9]+/ {
    f2 = 1
    line = $0
    gsub(/[,:]/, " ", line)
    n = split(line, w, /[[:space:]]+/)
    for (i = 1; i < n; i++) {
      if (w[i] == "Failed" && w[i + 1] ~ /^[0-9]+$/) x2 += w[i + 1]
      if (w[i] == "Passed" && w[i + 1] ~ /^[0-9]+$/) p2 += w[i + 1]
      if (w[i] == "Skipped" && w[i + 1] ~ /^[0-9]+$/) s2 += w[i + 1]
    }
  }
  /^Test run summary:/ { f3 = 1; p3 = 0; x3 = 0; s3 = 0 }
  f3 && /^[[:space:]]*succeeded:[[:space:]]*[0-9]+/ { p3 = $2 }
  f3 && /^[[:space:]]*failed:[[:space:]]*[0-9]+/    { x3 = $2 }
  f3 && /^[[:space:]]*skipped:[[:space:]]*[0-9]+/   { s3 = $2 }
  /Test Run Aborted/ { aborted++ }
  END {
    if (f1)      print p1 + 0, x1 + 0, s1 + 0, aborted + 0
    else if (f2) print p2 + 0, x2 + 0, s2 + 0, aborted + 0
    else if (f3) print p3 + 0, x3 + 0, s3 + 0, aborted + 0
    else         print 0, 0, 0, aborted + 0
  }' "$dotnet_log")
passed=$((passed + d_passed))
failed=$((failed + d_failed + d_aborted))
skipped=$((skipped + d_skipped))
if ((test_rc != 0)); then
  problems+=("dotnet test (exit code $test_rc; output in ${dotnet_log#"$ROOT"/})")
fi
# Name each failed test with the first lines of its error message, so that the end of the output
# (often all a CI page shows) says what failed without the full log.
while IFS= read -r line; do
  failures+=("$line")
done < <(awk '
  # The name of a theory holds spaces (Method(status: 400, body: x)), so the name is everything
  # between "Failed " and the last " [duration]". A failure without a stack trace (a fixture or a
  # timeout) is still named: the message ends at the next result line or at the end of the log.
  function flush() { if (name != "") print name " -- " substr(msg, 1, 400); name = ""; grab = 0; msg = "" }
  { sub(/\r$/, "") }
  /^[[:space:]]+(Failed|Passed|Skipped) .* \[[^]]*\][[:space:]]*$/ {
    flush()
    if ($1 == "Failed") { name = $0; sub(/^[[:space:]]+Failed /, "", name); sub(/ \[[^]]*\][[:space:]]*$/, "", name) }
    next
  }
  name != "" && /^[[:space:]]+Error Message:/ { grab = 1; next }
  name != "" && grab && /^[[:space:]]+Stack Trace:/ { flush(); next }
  name != "" && grab { gsub(/^[[:space:]]+/, ""); msg = msg (msg == "" ? "" : " ") $0 }
  END { flush() }
' "$dotnet_log" | head -n 20)
if ((d_aborted > 0)); then
  problems+=("$d_aborted test run(s) aborted (a test host crashed)")
fi
# dotnet test also fails a run whose tests all passed when the test framework reported an error
# (a fixture's cleanup failure, a catastrophic failure, a host that exited with an error): name it.
if ((test_rc != 0 && d_failed == 0 && d_aborted == 0)); then
  while IFS= read -r line; do
    problems+=("dotnet test reported: $line")
  done < <(sed 's/\r$//' "$dotnet_log" | grep -E -A3 'Cleanup Failure|Catastrophic|\[FATAL|exited with error|Test Run Failed|error [A-Z]+[0-9]+:|\[ERROR\]' \
    | sed 's/^[[:space:]]*//' | cut -c1-300 | head -n 12)
fi

# External checks: tests/<name>/run.sh.
shopt -s nullglob
scripts=("$ROOT"/tests/*/run.sh)
shopt -u nullglob
for script in "${scripts[@]}"; do
  name="${script#"$ROOT"/}"
  log "running $name"
  script_log="$OUT/$(basename "$(dirname "$script")")-run.log"
  rc=0
  args=()
  # The reliability suite's full run takes many minutes; ./test.sh runs its short subset.
  [[ "$name" == tests/reliability/run.sh ]] && args=(--quick)
  (cd "$(dirname "$script")" && bash "$script" "${args[@]}") 2>&1 | tee "$script_log" || rc=$?
  counts="$(sed 's/\r$//' "$script_log" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1 || true)"
  if [[ -n "$counts" ]]; then
    s_passed="${counts%% passed*}"
    s_failed="${counts#*, }"
    s_failed="${s_failed%% failed}"
    passed=$((passed + s_passed))
    failed=$((failed + s_failed))
    if ((rc != 0 && s_failed == 0)); then
      failed=$((failed + 1))
    fi
  elif ((rc == 0)); then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
  if ((rc != 0)); then
    problems+=("$name (exit code $rc)")
  fi
done

if ((passed + failed == 0)); then
  problems+=("no test ran")
fi

summary
if ((${#problems[@]} || failed > 0)); then
  exit 1
fi
exit 0
