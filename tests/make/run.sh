#!/usr/bin/env bash
# The Make custom app (integrations/make, docs/no-code.md), test.sh runs this script:
# 1. every file of the definition validated with ajv-cli against Make's vendored IML schemas
#    (validate.sh), and a broken copy of the definition refused;
# 2. every HTTP call the definition makes, expanded from its IML templates and sent as Make's runtime
#    would, against the running system (node:test: app.test.js with the API key, oauth.test.js with
#    OAuth 2.0). There is no Make runtime offline: the templates are expanded by iml.js.
# It starts its own system (../contract/system.sh) and stops it on exit. Prints "N passed, N failed" last.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(cd ../.. && pwd)"
OUT="$ROOT/.build/test-output"
mkdir -p "$OUT"

source ../contract/system.sh
if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
  touch node_modules
fi
# The Zapier app's test fixtures (tenant, API key, sink) are reused; they need no package of their own.

# 1. Schemas: the app must validate, a copy with a broken attach and a broken parameter must not.
slog="$OUT/make-schemas.log"
sp=0 sf=0
if ./validate.sh >"$slog" 2>&1; then
  echo "ok - every file of integrations/make validates against Make's schemas ($(grep -c '^ok' "$slog") files)"; sp=$((sp + 1))
else
  grep '^not ok' "$slog"; echo "not ok - integrations/make does not validate (see ${slog#"$ROOT"/})"; sf=$((sf + 1))
fi
scratch="$(mktemp -d)"
cp -r "$ROOT/integrations/make" "$scratch/app"
sed -i 's/"method": "POST"/"method": "SEND"/' "$scratch/app/webhooks/user-joined/user-joined.attach.iml.json"
sed -i 's/"type": "email"/"type": "e-mail"/' "$scratch/app/modules/findUser/findUser.mappable-params.iml.json"
if ./validate.sh "$scratch/app" >>"$slog" 2>&1; then
  echo "not ok - the schemas did not refuse a broken definition"; sf=$((sf + 1))
elif [[ "$(grep -c '^not ok' "$slog")" -ge 2 ]] && grep -q '^not ok - .*user-joined.attach.iml.json' "$slog" && grep -q '^not ok - .*findUser.mappable-params.iml.json' "$slog"; then
  echo "ok - the schemas refuse an attach with an unknown HTTP method and a parameter of an unknown type"; sp=$((sp + 1))
else
  echo "not ok - the broken definition was refused for other reasons (see ${slog#"$ROOT"/})"; sf=$((sf + 1))
fi
rm -rf "$scratch"
echo "make-schemas: $sp passed, $sf failed" >>"$slog"
tally make-schemas "$slog" 0

# 2. The calls, against the running system.
trap stop_system EXIT
if ! start_system; then
  echo "the system did not start"
  echo "$passed passed, $((failed + 1)) failed"
  exit 1
fi
log="$OUT/make.log"
node --test --test-concurrency=1 --test-reporter=tap app.test.js oauth.test.js >"$log" 2>&1
rc=$?
tally_tap make "$log" "$rc"
echo "$passed passed, $failed failed"
((failed == 0))
