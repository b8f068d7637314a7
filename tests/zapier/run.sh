#!/usr/bin/env bash
# The Zapier app (integrations/zapier, docs/no-code.md) against the running system, test.sh runs
# this script: zapier-platform-core's createAppTester drives its authentication, REST-hook
# triggers (performSubscribe, perform, performList, performUnsubscribe) and the offline checks of
# `zapier validate` over the app definition (the style checks call Zapier's servers).
# It starts its own system (../contract/system.sh) and stops it on exit. Prints
# "zapier: N passed, N failed"; the last line is the total.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(cd ../.. && pwd)"
OUT="$ROOT/.build/test-output"
APP="$ROOT/integrations/zapier"
mkdir -p "$OUT"

source ../contract/system.sh
if [[ ! -d "$APP/node_modules" || "$APP/package-lock.json" -nt "$APP/node_modules" ]]; then
  (cd "$APP" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
  touch "$APP/node_modules"
fi

trap stop_system EXIT
if ! start_system; then
  echo "the system did not start"
  echo "0 passed, 1 failed"
  exit 1
fi

log="$OUT/zapier.log"
(cd "$APP" && node --test --test-reporter=tap test/app.test.js) >"$log" 2>&1
rc=$?
grep -E '^ *(not )?ok ' "$log"
p="$(grep -E '^# pass [0-9]+$' "$log" | tail -n 1 | awk '{print $3}')"
f="$(grep -E '^# fail [0-9]+$' "$log" | tail -n 1 | awk '{print $3}')"
echo "zapier: ${p:-0} passed, ${f:-1} failed" >>"$log"
tail -n 1 "$log"
tally zapier "$log" "$rc"
echo "$passed passed, $failed failed"
((failed == 0))
