#!/usr/bin/env bash
# Browser tests of the customer console (/console, ADR 0019), test.sh runs this script: headless
# Debian Chromium driven by playwright-core walks sign-in, endpoints, Test webhook, embed links,
# tenant isolation, CSP, antiforgery and axe-core's accessibility rules (browser.mjs), the
# connection pages against a local fake API (connections.mjs), installed OAuth apps (apps.mjs), and
# the operator dashboard /admin (operator.mjs).
# It starts its own system (../contract/system.sh) with short embed links, and stops it on exit.
# Prints "console: N passed, N failed"; the last line is the total.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(cd ../.. && pwd)"
OUT="$ROOT/.build/test-output"
mkdir -p "$OUT"

source ../contract/system.sh
prepare_browser_checks console || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }

# Embed links expire after 4 s here, so that the expiry test waits only that long.
export Console__EmbedLinkLifetime=00:00:04
export EMBED_LINK_SECONDS=4
# One retry a second after the first attempt, then the dead-letter queue: a failing endpoint's
# deliveries fail within seconds (browser.mjs, failing-endpoint-retry-filter-recover).
export Webhooks__RetrySchedule=1s
trap stop_system EXIT
if ! start_system; then
  echo "the system did not start"
  echo "0 passed, 1 failed"
  exit 1
fi

log="$OUT/console-browser.log"
SCREENSHOT_DIR="$OUT" node browser.mjs >"$log" 2>&1
rc=$?
cat "$log"
tally console "$log" "$rc"
log="$OUT/console-connections.log"
SCREENSHOT_DIR="$OUT" node connections.mjs >"$log" 2>&1
rc=$?
cat "$log"
tally connections "$log" "$rc"
log="$OUT/console-apps.log"
SCREENSHOT_DIR="$OUT" node apps.mjs >"$log" 2>&1
rc=$?
cat "$log"
tally apps "$log" "$rc"
log="$OUT/console-operator.log"
SCREENSHOT_DIR="$OUT" node operator.mjs >"$log" 2>&1
rc=$?
cat "$log"
tally operator "$log" "$rc"
echo "$passed passed, $failed failed"
((failed == 0))
