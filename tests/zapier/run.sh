#!/usr/bin/env bash
# The Zapier app (integrations/zapier, docs/no-code.md) against the running system, test.sh runs
# this script: zapier-platform-core's createAppTester drives its authentication, REST-hook
# triggers (performSubscribe, perform, performList, performUnsubscribe), creates and searches. Then
# Zapier's own CLI runs `zapier-platform validate` over the app and over a broken copy, offline
# (--without-style: the style checks call Zapier's servers). The CLI needs Node 22 or later, so
# tools/ pins it with a Node binary from npm.
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

TOOLS="$PWD/tools"
if [[ ! -d "$TOOLS/node_modules" || "$TOOLS/package-lock.json" -nt "$TOOLS/node_modules" ]]; then
  (cd "$TOOLS" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || { echo "npm ci of the zapier CLI failed"; echo "0 passed, 1 failed"; exit 1; }
  touch "$TOOLS/node_modules"
fi

trap stop_system EXIT
if ! start_system; then
  echo "the system did not start"
  echo "0 passed, 1 failed"
  exit 1
fi

log="$OUT/zapier.log"
(cd "$APP" && node --test --test-reporter=tap test/app.test.js test/oauth.test.js) >"$log" 2>&1
rc=$?
tally_tap zapier "$log" "$rc"

# zapier-platform validate: exit 0 for the app, non-zero for a copy whose create key is invalid.
vlog="$OUT/zapier-validate.log"
validate() { (cd "$1" && PATH="$TOOLS/node_modules/.bin:$PATH" HOME="$2" DISABLE_ZAPIER_ANALYTICS=1 zapier-platform validate --without-style --skip-build); }
scratch="$(mktemp -d)"
vp=0 vf=0
if validate "$APP" "$scratch" >"$vlog" 2>&1; then
  echo "ok - zapier-platform validate accepts the app"; vp=$((vp + 1))
else
  echo "not ok - zapier-platform validate refused the app (see ${vlog#"$ROOT"/})"; vf=$((vf + 1))
fi
copy_app() { mkdir "$scratch/$1" && cp -r "$APP/index.js" "$APP/package.json" "$APP/lib" "$scratch/$1/" && ln -s "$APP/node_modules" "$scratch/$1/node_modules"; }
copy_app oauth
sed -i 's/"auth": "api_key"/"auth": "oauth2"/' "$scratch/oauth/package.json"
if grep -q '"auth": "oauth2"' "$scratch/oauth/package.json" && validate "$scratch/oauth" "$scratch" >>"$vlog" 2>&1; then
  echo "ok - zapier-platform validate accepts the app built with OAuth 2.0 sign-in"; vp=$((vp + 1))
else
  echo "not ok - zapier-platform validate refused the app built with OAuth 2.0 sign-in (see ${vlog#"$ROOT"/})"; vf=$((vf + 1))
fi
copy_app app
sed -i "0,/key: 'create_entity'/s//key: 'create entity!'/" "$scratch/app/lib/actions.js"
if grep -q "key: 'create entity!'" "$scratch/app/lib/actions.js" && ! validate "$scratch/app" "$scratch" >>"$vlog" 2>&1; then
  echo "ok - zapier-platform validate refuses a create whose key is not an identifier"; vp=$((vp + 1))
else
  echo "not ok - zapier-platform validate did not refuse the broken copy"; vf=$((vf + 1))
fi
rm -rf "$scratch"
echo "zapier-validate: $vp passed, $vf failed" >>"$vlog"
tally zapier-validate "$vlog" 0
echo "$passed passed, $failed failed"
((failed == 0))
