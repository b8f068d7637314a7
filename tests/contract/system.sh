#!/usr/bin/env bash
# Starts a private Integrations system for the external checks: PostgreSQL in a temporary
# directory, the Kafka development broker, the API and the Workers host, all on free loopback
# ports, from the Release build output. Source it, call start_system, and stop_system on exit
# (run.sh traps it). Exports API_URL and ADMIN_KEY (and SYS_DIR: logs/api.log, logs/workers.log,
# bootstrap.txt for the broker's address), and gives tally for the checks' totals.
# Sourced: it sets no shell options of its own.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PG_BIN="${INTEGRATIONS_PG_BIN:-/usr/lib/postgresql/15/bin}"
BROKER_BIN="${INTEGRATIONS_BROKER_BIN:-$ROOT/.build/bin/kafka-dev-broker}"
SYS_DIR=""
SYS_PIDS=()

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

as_pg() { if [[ "$(id -u)" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

host_dll() {
  local d
  for d in "$ROOT/src/$1/bin/Release/net10.0/linux-x64" "$ROOT/src/$1/bin/Release/net10.0"; do
    [[ -f "$d/Integrations.$1.dll" ]] && { echo "$d/Integrations.$1.dll"; return 0; }
  done
  return 1
}

start_system() {
  if ! host_dll Api >/dev/null || ! host_dll Workers >/dev/null; then
    (cd "$ROOT" && dotnet build Integrations.sln -c Release -nologo -v q >/dev/null) || return 1
  fi
  SYS_DIR="$(mktemp -d /tmp/contract-XXXXXX)"
  chmod 755 "$SYS_DIR"
  mkdir -p "$SYS_DIR/pg" "$SYS_DIR/logs"
  [[ "$(id -u)" -eq 0 ]] && chown postgres:postgres "$SYS_DIR/pg"
  local pg_port api_port
  pg_port="$(free_port)"
  as_pg "$PG_BIN/initdb" -D "$SYS_DIR/pg/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$SYS_DIR/logs/initdb.log" 2>&1 || return 1
  as_pg "$PG_BIN/pg_ctl" start -w -D "$SYS_DIR/pg/data" -l "$SYS_DIR/pg/postgres.log" \
    -o "-p $pg_port -k $SYS_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off" >/dev/null || return 1
  "$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -Xq -c "create database integrations" >/dev/null || return 1

  setsid "$BROKER_BIN" --bootstrap-file "$SYS_DIR/bootstrap.txt" --control-file "$SYS_DIR/control.txt" \
    --topic integrations.events.v1:12 --topic integrations.webhook-deliveries.v1:12 --topic integrations.product-commands.v1:12 --topic integrations.inbound.v1:12 >"$SYS_DIR/logs/broker.log" 2>&1 </dev/null &
  SYS_PIDS+=($!)
  local i
  for ((i = 0; i < 150; i++)); do [[ -s "$SYS_DIR/bootstrap.txt" ]] && break; sleep 0.1; done
  [[ -s "$SYS_DIR/bootstrap.txt" ]] || return 1

  api_port="$(free_port)"
  export API_URL="http://127.0.0.1:$api_port"
  export ADMIN_KEY="adm_contract_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$pg_port;Database=integrations;Username=postgres"
  export Kafka__BootstrapServers="$(head -n 1 "$SYS_DIR/bootstrap.txt")"
  export Auth__AdminKey="$ADMIN_KEY"
  export Secrets__EncryptionKey="$(head -c 32 /dev/urandom | base64 -w0)"
  # The examples register webhook endpoints on 127.0.0.1 (the SSRF rules would refuse them);
  # SYSTEM_ALLOW_PRIVATE_TARGETS=false keeps the production rule (the reliability suite's SSRF corpus).
  export Webhooks__AllowPrivateNetworkTargets="${SYSTEM_ALLOW_PRIVATE_TARGETS:-true}"
  export Logging__LogLevel__Default="${SYSTEM_LOG_LEVEL:-Warning}"
  local api workers
  api="$(host_dll Api)"
  workers="$(host_dll Workers)"
  # SYSTEM_HOST_ENV: more settings for both hosts as "Name=value" words, for names a shell cannot
  # export (Providers__teams-workflows__AllowedHosts).
  local -a host_env
  read -r -a host_env <<<"${SYSTEM_HOST_ENV:-}"
  (cd "$(dirname "$api")" && exec env "${host_env[@]}" dotnet "$api" --urls "$API_URL") >"$SYS_DIR/logs/api.log" 2>&1 &
  SYS_PIDS+=($!)
  (cd "$(dirname "$workers")" && exec env "${host_env[@]}" dotnet "$workers") >"$SYS_DIR/logs/workers.log" 2>&1 &
  SYS_PIDS+=($!)
  for ((i = 0; i < 120; i++)); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "$API_URL/health/ready" || true)" == "200" ]] && return 0
    sleep 1
  done
  tail -n 40 "$SYS_DIR/logs/api.log" >&2
  return 1
}

stop_system() {
  local pid
  for pid in "${SYS_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SYS_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  SYS_PIDS=()
  if [[ -n "$SYS_DIR" ]]; then
    [[ -f "$SYS_DIR/pg/data/postmaster.pid" ]] && as_pg "$PG_BIN/pg_ctl" stop -D "$SYS_DIR/pg/data" -m immediate -w >/dev/null 2>&1 || true
    rm -rf "$SYS_DIR"
    SYS_DIR=""
  fi
}

# The browser checks' prerequisites, in the calling script's directory: Debian's chromium (installed
# with apt if missing) and the script's npm packages (npm ci when package-lock.json changed).
# prepare_browser_checks NAME; returns 1 when npm ci failed.
prepare_browser_checks() {
  if ! command -v chromium >/dev/null; then
    echo "[$1] installing chromium" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null
  fi
  if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null || return 1
    touch node_modules
  fi
}

# The run.sh scripts' totals: tally NAME LOG RC adds the "NAME: N passed, N failed" line of LOG to
# them; a missing line, or a non-zero exit code with no failure counted, is one failure.
passed=0
failed=0
# tally_tap NAME LOG RC: prints the ok / not ok lines of a node --test TAP log, appends
# "NAME: N passed, N failed" from its summary (a log without one counts as a failure) and tallies it.
tally_tap() {
  local name="$1" log="$2" rc="$3" p f
  grep -E '^ *(not )?ok ' "$log"
  p="$(grep -E '^# pass [0-9]+$' "$log" | tail -n 1 | awk '{print $3}')"
  f="$(grep -E '^# fail [0-9]+$' "$log" | tail -n 1 | awk '{print $3}')"
  echo "$name: ${p:-0} passed, ${f:-1} failed" >>"$log"
  tail -n 1 "$log"
  tally "$name" "$log" "$rc"
}

tally() {
  local name="$1" log="$2" rc="$3" line p f
  line="$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed$" "$log" | tail -n 1)"
  if [[ -n "$line" ]]; then
    p="${line#*: }"; p="${p%% passed*}"
    f="${line##*, }"; f="${f%% failed}"
  else
    p=0; f=1
  fi
  ((rc != 0 && f == 0)) && f=1
  passed=$((passed + p))
  failed=$((failed + f))
}
