#!/usr/bin/env bash
# The n8n community node package (integrations/n8n, docs/no-code.md#the-n8n-node), test.sh runs
# this script: @n8n/node-cli builds and lints the package (and its lint refuses a broken copy),
# `npm pack` packs it, and the packed package is checked. Then n8n itself (tools/: n8n 2.41.1 and
# the Node 26 binary it needs, from npm) runs on the system's PostgreSQL with the packed package in
# its custom nodes directory, and executes workflows of the action node against the running system
# (n8n import:credentials, import:workflow, execute --id); `n8n start` activates the trigger (hook
# subscribed, signed delivery run, forged one refused, hook deleted on deactivation) and signs in
# with the OAuth2 credential through n8n's OAuth flow. The trigger's webhookMethods and webhook()
# also run against the system with a minimal n8n context (integrations/n8n/test/context.js).
# It starts its own system (../contract/system.sh) and stops it on exit. Prints
# "n8n: N passed, N failed"; the last line is the total.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(cd ../.. && pwd)"
OUT="$ROOT/.build/test-output"
PKG="$ROOT/integrations/n8n"
TOOLS="$PWD/tools"
mkdir -p "$OUT"

source ../contract/system.sh
fail_early() { echo "$1"; echo "0 passed, 1 failed"; exit 1; }

# n8n's install scripts would build native modules it does not need here (sqlite3: PostgreSQL is
# used; the Kafka client: only its Kafka node) and try to download their sources, so scripts are
# off and only the Node binary is fetched; isolated-vm loads its bundled prebuilt binary.
if [[ ! -d "$TOOLS/node_modules" || "$TOOLS/package-lock.json" -nt "$TOOLS/node_modules" ]]; then
  (cd "$TOOLS" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null && npm rebuild node --loglevel=error >/dev/null) \
    || fail_early "npm ci of n8n failed"
  touch "$TOOLS/node_modules"
fi
export PATH="$TOOLS/node_modules/.bin:$PATH"
if [[ ! -d "$PKG/node_modules" || "$PKG/package-lock.json" -nt "$PKG/node_modules" ]]; then
  (cd "$PKG" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null) || fail_early "npm ci of integrations/n8n failed"
  touch "$PKG/node_modules"
fi

scratch="$(mktemp -d /tmp/n8n-test-XXXXXX)"
trap 'stop_system; rm -rf "$scratch"' EXIT
clog="$OUT/n8n-cli.log"
: >"$clog"
cp=0 cf=0
check() { # check DESCRIPTION COMMAND...: one test of the node CLI's build, lint and pack
  local description="$1"; shift
  if "$@" >>"$clog" 2>&1; then echo "ok - $description"; cp=$((cp + 1)); else echo "not ok - $description (see ${clog#"$ROOT"/})"; cf=$((cf + 1)); fi
}
# refused RULE DIR: n8n-node lint fails in DIR, naming RULE
refused() { local out; out="$(cd "$2" && "$PKG/node_modules/.bin/n8n-node" lint 2>&1)" && return 1; echo "$out"; grep -q "$1" <<<"$out"; }
check "n8n-node build builds the package (npm run build)" bash -c "cd '$PKG' && rm -rf dist && npm run build && test -f dist/nodes/Integrations/Integrations.node.js"
check "n8n-node lint passes (npm run lint)" bash -c "cd '$PKG' && npm run lint"
mkdir "$scratch/broken"
cp -r "$PKG/package.json" "$PKG/tsconfig.json" "$PKG/eslint.config.mjs" "$PKG/credentials" "$PKG/nodes" "$PKG/icons" "$scratch/broken/"
ln -s "$PKG/node_modules" "$scratch/broken/node_modules"
sed -i '/typeOptions: { password: true },/d' "$scratch/broken/credentials/IntegrationsApi.credentials.ts"
check "n8n-node lint refuses a copy whose API key field is not a password field" refused credential-password-field "$scratch/broken"
check "npm pack packs the package" bash -c "cd '$PKG' && npm pack --pack-destination '$scratch' --loglevel=error && test -f '$scratch/n8n-nodes-integrations-'*.tgz"
echo "n8n-cli: $cp passed, $cf failed" >>"$clog"
tally n8n-cli "$clog" 0
((cf == 0)) || { echo "$passed passed, $failed failed"; exit 1; }

if ! start_system; then
  echo "the system did not start"
  echo "$passed passed, $((failed + 1)) failed"
  exit 1
fi

# n8n on the system's PostgreSQL, in a home of its own, with the packed package as a custom node
# package (what a self-hosted customer does with ~/.n8n/custom).
pg_port="$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$ConnectionStrings__Postgres")"
"$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -Xq -c "create database n8n" >/dev/null || fail_early "no database for n8n"
export N8N_USER_FOLDER="$scratch/home" DB_TYPE=postgresdb DB_POSTGRESDB_HOST=127.0.0.1 DB_POSTGRESDB_PORT="$pg_port" \
  DB_POSTGRESDB_DATABASE=n8n DB_POSTGRESDB_USER=postgres DB_POSTGRESDB_PASSWORD= \
  N8N_ENCRYPTION_KEY="$(head -c 24 /dev/urandom | base64 -w0)" N8N_DIAGNOSTICS_ENABLED=false \
  N8N_VERSION_NOTIFICATIONS_ENABLED=false N8N_PERSONALIZATION_ENABLED=false
mkdir -p "$N8N_USER_FOLDER/.n8n/custom/n8n-nodes-integrations"
tar -xzf "$scratch"/n8n-nodes-integrations-*.tgz --strip-components=1 -C "$N8N_USER_FOLDER/.n8n/custom/n8n-nodes-integrations"

log="$OUT/n8n.log"
(cd "$PKG" && PACKED="$(ls "$scratch"/n8n-nodes-integrations-*.tgz)" node --test --test-concurrency=1 --test-reporter=tap \
  test/package.test.js test/trigger.test.js test/workflow.test.js test/trigger-n8n.test.js) >"$log" 2>&1
rc=$?
tally_tap n8n "$log" "$rc"
echo "$passed passed, $failed failed"
((failed == 0))
