#!/usr/bin/env bash
# Browser tests of the customer console (/console, ADR 0019), test.sh runs this script: headless
# Debian Chromium driven by playwright-core walks sign-in, endpoints, Test webhook, embed links,
# tenant isolation, CSP, antiforgery and axe-core's accessibility rules (browser.mjs), the
# connection pages against a local fake API (connections.mjs), installed OAuth apps (apps.mjs), the
# operator dashboard /admin (operator.mjs, dashboard.mjs), API keys and members (account.mjs), a
# connection's routes and call replay (routes.mjs), and the developer portal (developer.mjs).
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
# Two attempts of a connector call, then it is dead-lettered (routes.mjs, failed-call-replayed), before
# the connection's circuit breaker (5 failures) would open.
export Connectors__Retry__MaxAttempts=2
# The OAuth provider of connections.mjs's connect round trip: the generic fake (tests/Fakes/OAuth2Provider)
# as the provider "generic", approving at once for the account acme.
FAKE_DLL="$ROOT/tests/Fakes/OAuth2Provider/bin/Release/net10.0/linux-x64/Integrations.Fakes.OAuth2Provider.dll"
FAKE_DIR="$(mktemp -d /tmp/console-oauth-fake-XXXXXX)"
FAKE_PID=""
stop_all() {
  stop_system
  [[ -n "$FAKE_PID" ]] && kill -TERM "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
  rm -rf "$FAKE_DIR"
}
trap stop_all EXIT
if [[ -f "$FAKE_DLL" ]]; then
  dotnet "$FAKE_DLL" --urls=http://127.0.0.1:0 "--Fake:Directory=$FAKE_DIR" --Client:Id=console-app --Client:Secret=console-app-secret-81d2 \
    --OAuth:Consent=Approve --OAuth:Pkce=Required --OAuth:PkceMethods=S256 --OAuth:ClientAuthMethods=client_secret_basic \
    --OAuth:Scopes=profile --OAuth:DefaultScope=profile "--Accounts=acme=Acme Corp" >"$FAKE_DIR/out.log" 2>&1 &
  FAKE_PID=$!
  for ((i = 0; i < 300; i++)); do grep -q '^FAKE_READY ' "$FAKE_DIR/out.log" && break; sleep 0.1; done
  FAKE_URL="$(grep -m1 '^FAKE_READY ' "$FAKE_DIR/out.log" | sed -E 's/.*"base_url":"([^"]+)".*/\1/')"
  if [[ -n "$FAKE_URL" ]]; then
    export OAUTH_FAKE_URL="$FAKE_URL"
    export Providers__generic__DisplayName="Generic OAuth" Providers__generic__AuthKinds=oauth2_code \
      Providers__generic__ApiBaseUrl="$FAKE_URL/api" Providers__generic__AuthorizeUrl="$FAKE_URL/oauth/authorize" \
      Providers__generic__TokenUrl="$FAKE_URL/oauth/token" Providers__generic__RevokeUrl="$FAKE_URL/oauth/revoke" \
      Providers__generic__Scopes=profile Providers__generic__Pkce=true Providers__generic__ClientAuthentication=basic \
      Providers__generic__RefreshTokens=rotating Providers__generic__ClientId=console-app Providers__generic__ClientSecret=console-app-secret-81d2 \
      Providers__generic__HealthCheck__Path=/me Providers__generic__HealthCheck__AccountIdPath=data.id Providers__generic__HealthCheck__AccountNamePath=data.name
  fi
fi
if ! start_system; then
  echo "the system did not start"
  echo "0 passed, 1 failed"
  exit 1
fi

# CONSOLE_SPECS="account operator" runs only those specs (by tally name); unset runs them all.
run_spec() {
  local name="$1" file="$2" log="$OUT/console-$3.log" rc
  [[ -n "${CONSOLE_SPECS:-}" && " $CONSOLE_SPECS " != *" $name "* ]] && return 0
  SCREENSHOT_DIR="$OUT" node "$file" >"$log" 2>&1
  rc=$?
  cat "$log"
  tally "$name" "$log" "$rc"
}
run_spec console browser.mjs browser
run_spec connections connections.mjs connections
run_spec apps apps.mjs apps
run_spec operator operator.mjs operator
run_spec account account.mjs account
run_spec dashboard dashboard.mjs dashboard
run_spec routes routes.mjs routes
run_spec developer developer.mjs developer
echo "$passed passed, $failed failed"
((failed == 0))
