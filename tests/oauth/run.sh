#!/usr/bin/env bash
# External checks of the OAuth 2.0 authorization server (test.sh runs this script):
#   e2e      the whole flow with the independent client library oauth4webapi (e2e.mjs)
#   browser  sign-in and consent in headless Chromium (playwright-core), as a person would (browser.mjs)
# It starts its own system (../contract/system.sh) and stops it on exit. Each check prints
# "name: N passed, N failed"; the last line is the total.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(cd ../.. && pwd)"
OUT="$ROOT/.build/test-output"
mkdir -p "$OUT"

source ../contract/system.sh
prepare_browser_checks oauth || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }

trap stop_system EXIT
if ! start_system; then
  echo "the system did not start"
  echo "0 passed, 1 failed"
  exit 1
fi

for check in e2e browser; do
  log="$OUT/oauth-$check.log"
  SCREENSHOT_DIR="$OUT" node "$check.mjs" >"$log" 2>&1
  rc=$?
  cat "$log"
  tally "$check" "$log" "$rc"
done

echo "$passed passed, $failed failed"
((failed == 0))
