#!/usr/bin/env bash
# External checks of the running API, with independent tools (test.sh runs this script):
#   lint      Spectral (@stoplight/spectral-cli, pinned) over /openapi/v1.json; any error fails
#   contract  property-based requests generated from the document (fast-check + ajv): every
#             response must be documented and match its schema, and no 5xx
#   examples  every code example of the docs (cURL, Node.js, Python) against the live API
#   browser   /docs in headless Chromium (playwright-core): guide and reference render, no console errors
# It starts its own system (tests/contract/system.sh) and stops it on exit. Each check prints
# "name: N passed, N failed"; the last line is the total.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(cd ../.. && pwd)"
OUT="$ROOT/.build/test-output"
mkdir -p "$OUT"

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v jq >/dev/null || need+=(jq)
if ((${#need[@]})); then
  echo "[contract] installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
  touch node_modules
fi

source ./system.sh
trap stop_system EXIT
if ! start_system; then
  echo "the system did not start"
  echo "0 passed, 1 failed"
  exit 1
fi

curl -sf "$API_URL/openapi/v1.json" -o "$OUT/openapi.json"
log="$OUT/contract-lint.log"
npx --no-install spectral lint "$OUT/openapi.json" --ruleset .spectral.yaml --fail-severity error >"$log" 2>&1
rc=$?
cat "$log"
if ((rc == 0)); then echo "lint: 1 passed, 0 failed" | tee -a "$log"; else echo "lint: 0 passed, 1 failed" | tee -a "$log"; fi
tally lint "$log" "$rc"

for check in contract examples browser; do
  log="$OUT/contract-$check.log"
  case "$check" in
    contract) node contract.mjs ;;
    examples) bash examples.sh ;;
    browser) SCREENSHOT_DIR="$OUT" node browser.mjs ;;
  esac >"$log" 2>&1
  rc=$?
  cat "$log"
  tally "$check" "$log" "$rc"
done

echo "$passed passed, $failed failed"
((failed == 0))
