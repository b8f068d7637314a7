# Sourced by run.sh: the local fakes of Slack, Jira, Microsoft Teams, HubSpot and Exact Online (tests/Fakes), started as
# processes and configured as the built-in providers, so a fresh ./run.sh can connect each of them
# from the console and see routes deliver, without an account at the vendor. The fakes are the
# ones the tests use, built from the vendors' documentation (tests/Fakes/README.md). They keep
# their state in memory: connections made against them need reconnecting after run.sh restarts.
#
#   INTEGRATIONS_DEMO_PROVIDERS   slack,jira,teams,hubspot,exact-online (default) | none | any subset
#   INTEGRATIONS_DEMO_PORT        first port of the fakes on 127.0.0.1 (default 5091: Slack 5091, Jira 5092, Teams 5093, HubSpot 5094, Exact Online 5095)
#
# A provider whose client id the user configured (Providers__slack__ClientId, …) talks to the real
# vendor: its fake is not started and nothing of it is overridden.

DEMO_PROVIDERS="${INTEGRATIONS_DEMO_PROVIDERS:-slack,jira,teams,hubspot,exact-online}"
DEMO_PORT="${INTEGRATIONS_DEMO_PORT:-5091}"
declare -A DEMO_PID=() DEMO_URL=()
DEMO_LINES=()

# Demo-only credentials of the fakes (loopback only; never a real vendor's).
DEMO_SLACK_CLIENT="demo-slack-app" DEMO_SLACK_SECRET="demo-slack-secret" DEMO_SLACK_SIGNING="demo-slack-signing-secret"
DEMO_JIRA_CLIENT="demo-jira-app" DEMO_JIRA_SECRET="demo-jira-secret" DEMO_JIRA_SITE="8a7f6d2e-1111-4c3b-9e57-acme00000001"
DEMO_TEAMS_BOT="00000000-0000-0000-0000-00000000b07a" DEMO_TEAMS_SECRET="demo-bot-secret"
DEMO_HUBSPOT_CLIENT="demo-hubspot-app" DEMO_HUBSPOT_SECRET="demo-hubspot-secret" DEMO_HUBSPOT_PORTAL="24681357"
DEMO_EXACT_CLIENT="demo-exact-app" DEMO_EXACT_SECRET="demo-exact-secret" DEMO_EXACT_DIVISION="3100001"

demo_wanted() { [[ ",$DEMO_PROVIDERS," == *",$1,"* ]]; }

# start_fake <name> <Folder> <port> <args…>: starts tests/Fakes/<Folder> and waits for its ready line.
start_fake() {
  local name="$1" folder="$2" port="$3" dll log="$LOG_DIR/fake-$1.log"
  shift 3
  dll="$(host_dll "tests/Fakes/$folder" "Integrations.Fakes.$folder")" || die "the $folder fake is not built (dotnet build Integrations.sln -c Release)"
  stop_stale "fake-$name" "Integrations.Fakes.$folder.dll"
  port_in_use "$port" && die "port $port is already in use; move the demo providers with INTEGRATIONS_DEMO_PORT or turn them off with INTEGRATIONS_DEMO_PROVIDERS=none"
  (
    if ((LOG_FD != 2)); then exec {LOG_FD}>&-; fi
    exec dotnet "$dll" --urls "http://127.0.0.1:$port" "$@"
  ) >"$log" 2>&1 </dev/null &
  DEMO_PID[$name]=$!
  echo "${DEMO_PID[$name]}" >"$RUN_DIR/fake-$name.pid"
  local start=$SECONDS
  while ((SECONDS - start < 30)); do
    if grep -q '^FAKE_READY ' "$log" 2>/dev/null; then
      DEMO_URL[$name]="http://127.0.0.1:$port"
      return 0
    fi
    alive "${DEMO_PID[$name]}" || { cat "$log" >&2; die "the $folder fake exited during start-up"; }
    sleep 0.2
  done
  cat "$log" >&2
  die "the $folder fake was not ready within 30 s"
}

start_demo_providers() {
  [[ "$DEMO_PROVIDERS" == "none" ]] && return 0
  local base
  if demo_wanted slack && [[ -z "${Providers__slack__ClientId:-}" ]]; then
    log "starting the Slack fake (demo provider)"
    start_fake slack Slack "$DEMO_PORT" --Client:Id="$DEMO_SLACK_CLIENT" --Client:Secret="$DEMO_SLACK_SECRET" \
      --Teams=T0001=Acme,T0002=Globex --Channels=3
    base="${DEMO_URL[slack]}"
    export Providers__slack__ApiBaseUrl="$base/api" Providers__slack__AuthorizeUrl="$base/oauth/v2/authorize" \
      Providers__slack__TokenUrl="$base/api/oauth.v2.access" Providers__slack__RevokeUrl="$base/api/auth.revoke" \
      Providers__slack__ClientId="$DEMO_SLACK_CLIENT" Providers__slack__ClientSecret="$DEMO_SLACK_SECRET" \
      Providers__slack__Inbound__Verifier=slack Providers__slack__Inbound__AccountIdPath=team_id \
      Providers__slack__Inbound__Secret="$DEMO_SLACK_SIGNING" Providers__slack__Commands__ResponseUrlPrefix="$base/commands/"
    DEMO_LINES+=("Slack (fake)        $base   workspaces T0001 Acme, T0002 Globex; messages: $base/_fake/slack/messages")
  fi
  if demo_wanted jira && [[ -z "${Providers__jira__ClientId:-}" ]]; then
    log "starting the Jira fake (demo provider)"
    start_fake jira Jira "$((DEMO_PORT + 1))" --Client:Id="$DEMO_JIRA_CLIENT" --Client:Secret="$DEMO_JIRA_SECRET" --Accounts="$DEMO_JIRA_SITE=Acme"
    base="${DEMO_URL[jira]}"
    export Providers__jira__ApiBaseUrl="$base/" Providers__jira__AuthorizeUrl="$base/authorize?audience=api.atlassian.com&prompt=consent" \
      Providers__jira__TokenUrl="$base/oauth/token" Providers__jira__ClientId="$DEMO_JIRA_CLIENT" Providers__jira__ClientSecret="$DEMO_JIRA_SECRET"
    DEMO_LINES+=("Jira (fake)         $base   site Acme; issues: $base/_fake/jira/issues")
  fi
  # Provider ids with a dash cannot be bash variables: their settings go to the hosts through env (HOST_ENV).
  if demo_wanted teams && [[ -z "$(printenv 'Providers__microsoft-teams__TokenUrl' || true)" ]]; then
    log "starting the Microsoft Teams fake (demo provider)"
    start_fake teams Teams "$((DEMO_PORT + 2))" --Client:Id="$DEMO_TEAMS_BOT" --Client:Secret="$DEMO_TEAMS_SECRET" \
      --OAuth:TokenPath=/botframework.com/oauth2/v2.0/token --OAuth:ClientAuthMethods=client_secret_post \
      --OAuth:Scopes=https://api.botframework.com/.default --Workflows=wf0001=demo-sig --Conversations='19:general0001@thread.tacv2'
    base="${DEMO_URL[teams]}"
    HOST_ENV+=("Providers__teams-workflows__AllowedHosts=*.logic.azure.com,*.powerplatform.com,*.environment.api.powerplatform.com,$base"
      "Providers__microsoft-teams__ApiBaseUrl=$base/" "Providers__microsoft-teams__TokenUrl=$base/botframework.com/oauth2/v2.0/token"
      "Providers__microsoft-teams__OpenIdMetadataUrl=$base/v1/.well-known/openidconfiguration"
      "Providers__microsoft-teams__Tab__SigningKey=$(head -c 32 /dev/urandom | base64 -w0)")
    DEMO_LINES+=("Teams (fake)        $base   Workflows URL $base/workflows/wf0001/triggers/manual/paths/invoke?sig=demo-sig; bot app id $DEMO_TEAMS_BOT, secret $DEMO_TEAMS_SECRET")
  fi
  if demo_wanted hubspot && [[ -z "${Providers__hubspot__ClientId:-}" ]]; then
    log "starting the HubSpot fake (demo provider)"
    start_fake hubspot HubSpot "$((DEMO_PORT + 3))" --Client:Id="$DEMO_HUBSPOT_CLIENT" --Client:Secret="$DEMO_HUBSPOT_SECRET" \
      --Accounts="$DEMO_HUBSPOT_PORTAL=app-eu1.hubspot.com"
    base="${DEMO_URL[hubspot]}"
    export Providers__hubspot__ApiBaseUrl="$base/" Providers__hubspot__AuthorizeUrl="$base/oauth/authorize" \
      Providers__hubspot__TokenUrl="$base/oauth/v1/token" Providers__hubspot__ClientId="$DEMO_HUBSPOT_CLIENT" Providers__hubspot__ClientSecret="$DEMO_HUBSPOT_SECRET"
    DEMO_LINES+=("HubSpot (fake)      $base   portal $DEMO_HUBSPOT_PORTAL; records: $base/_fake/hubspot/records")
  fi
  if demo_wanted exact-online && [[ -z "$(printenv 'Providers__exact-online__ClientId' || true)" ]]; then
    log "starting the Exact Online fake (demo provider)"
    start_fake exact-online ExactOnline "$((DEMO_PORT + 4))" --Client:Id="$DEMO_EXACT_CLIENT" --Client:Secret="$DEMO_EXACT_SECRET" \
      --Accounts="$DEMO_EXACT_DIVISION=Demo BV"
    base="${DEMO_URL[exact-online]}"
    HOST_ENV+=("Providers__exact-online__ApiBaseUrl=$base/" "Providers__exact-online__AuthorizeUrl=$base/api/oauth2/auth"
      "Providers__exact-online__TokenUrl=$base/api/oauth2/token" "Providers__exact-online__ClientId=$DEMO_EXACT_CLIENT"
      "Providers__exact-online__ClientSecret=$DEMO_EXACT_SECRET")
    DEMO_LINES+=("Exact Online (fake) $base   division $DEMO_EXACT_DIVISION; invoices: $base/_fake/exact/invoices")
  fi
}

# The banner's lines: where each fake is and what to connect with.
demo_banner() {
  ((${#DEMO_LINES[@]})) || return 0
  printf '\n Demo providers (local fakes; connect them from the console: docs/connectors/):\n'
  local line
  for line in "${DEMO_LINES[@]}"; do printf '   %s\n' "$line"; done
}

stop_demo_providers() {
  local name
  for name in "${!DEMO_PID[@]}"; do
    stop_pid "${DEMO_PID[$name]}" 5 "the $name fake"
    rm -f "$RUN_DIR/fake-$name.pid"
  done
}
