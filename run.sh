#!/usr/bin/env bash
# Runs the whole platform on this machine, embedded mode: a private PostgreSQL (data in .run/pg,
# never the system cluster), the Kafka development broker, the API and the Workers host.
# Stays in the foreground; Ctrl-C (or SIGTERM) stops everything it started.
#
#   ./run.sh                        first run installs and builds (minutes); later runs are fast
#
# Environment (all optional):
#   INTEGRATIONS_API_PORT   API port on 127.0.0.1 (default 5080)
#   INTEGRATIONS_PG_PORT    PostgreSQL port on 127.0.0.1 (default 5433)
#   INTEGRATIONS_PG_BIN     PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
#   INTEGRATIONS_ADMIN_KEY  admin key; otherwise one is generated once and kept in .run/admin-key
#   INTEGRATIONS_BUILD      auto (default: build when sources changed since the last build) | always | never
#   Section__Key variables (ConnectionStrings__Postgres, Kafka__BootstrapServers, Auth__AdminKey, ...)
#   are passed through untouched and win over everything this script would set (docs/configuration.md).
#
# The functions below can be sourced for debugging: `source run.sh; start_postgres`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="$ROOT/.run"
LOG_DIR="$RUN_DIR/logs"
PG_BIN="${INTEGRATIONS_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_PORT="${INTEGRATIONS_PG_PORT:-5433}"
API_PORT="${INTEGRATIONS_API_PORT:-5080}"
PG_USER_OS=postgres
DB_NAME=integrations
BROKER_BIN="$ROOT/.build/bin/kafka-dev-broker"
BOOTSTRAP_FILE="$RUN_DIR/kafka-bootstrap.txt"
CONTROL_FILE="$RUN_DIR/kafka-control-port.txt"
ADMIN_KEY_FILE="$RUN_DIR/admin-key"
SECRETS_KEY_FILE="$RUN_DIR/secrets-key"
BUILD_STAMP="$RUN_DIR/build.stamp"
READY_TIMEOUT=120
TOPICS=(integrations.events.v1:12 integrations.webhook-deliveries.v1:12)

PG_DIR=""          # set by pg_paths
PG_DATA=""
PG_LOG=""
PG_STARTED=0
BROKER_PID=""
API_PID=""
WORKERS_PID=""
API_URL="http://127.0.0.1:$API_PORT"
STOPPING=0
OWN_INSTANCE=0

log() { printf '[run] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# PostgreSQL refuses to run as root: as root, its commands run as the postgres user.
as_pg() {
  if is_root; then
    runuser -u "$PG_USER_OS" -- "$@"
  else
    "$@"
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

# True if process $1 is alive and its command line contains $2.
cmdline_has() {
  local cmd
  alive "$1" || return 1
  cmd="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true)"
  [[ "$cmd" == *"$2"* ]]
}

# Stops a process we started: SIGTERM, then SIGKILL after $2 seconds.
stop_pid() {
  local pid="$1" grace="$2" name="$3" i
  alive "$pid" || return 0
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    log "$name did not stop within ${grace}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# A process left running by an earlier run of this script that was killed hard (kill -9, closed
# terminal): recorded in .run/NAME.pid; stopped only if its command line still matches.
stop_stale() {
  local name="$1" pattern="$2" pidfile="$RUN_DIR/$1.pid" pid
  [[ -f "$pidfile" ]] || return 0
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && cmdline_has "$pid" "$pattern"; then
    log "$name from an earlier run is still running (pid $pid)"
    stop_pid "$pid" 20 "stale $name"
  fi
  rm -f "$pidfile"
}

print_log_tails() {
  local f
  shopt -s nullglob
  for f in "$LOG_DIR"/*.log; do
    printf '\n----- last lines of %s -----\n' "${f#"$ROOT"/}" >&2
    tail -n 40 "$f" >&2 || true
  done
  shopt -u nullglob
}

bootstrap() {
  log "checking prerequisites (scripts/bootstrap.sh)"
  "$ROOT/scripts/bootstrap.sh"
}

prepare_dirs() {
  mkdir -p "$RUN_DIR" "$LOG_DIR"
}

# One run.sh per checkout: a second one would share .run (data, pid files, logs) with the first.
claim_instance() {
  local pidfile="$RUN_DIR/run.pid" pid
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ && "$pid" != "$$" ]] && cmdline_has "$pid" run.sh; then
    die "run.sh is already running for this checkout (pid $pid); stop it first (Ctrl-C or kill $pid)"
  fi
  echo "$$" >"$pidfile"
  OWN_INSTANCE=1
}

# The data directory lives in .run/pg, owned by the postgres user. If that user cannot reach the
# checkout (e.g. a clone under /root, mode 700), it lives under /var/tmp instead and .run/pg
# becomes a symlink to it.
pg_paths() {
  local link="$RUN_DIR/pg"
  if [[ -L "$link" ]]; then
    PG_DIR="$(readlink -f "$link")"
  elif ! is_root || runuser -u "$PG_USER_OS" -- test -x "$RUN_DIR" 2>/dev/null; then
    PG_DIR="$link"
  else
    PG_DIR="/var/tmp/integrations-pg-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
    log "the postgres user cannot access $RUN_DIR; keeping the database in $PG_DIR (linked from .run/pg)"
    mkdir -p "$PG_DIR"
    ln -sfn "$PG_DIR" "$link"
  fi
  PG_DATA="$PG_DIR/data"
  PG_LOG="$PG_DIR/postgres.log"
}

start_postgres() {
  [[ -x "$PG_BIN/pg_ctl" && -x "$PG_BIN/initdb" ]] || die "PostgreSQL binaries not found in $PG_BIN (set INTEGRATIONS_PG_BIN)"
  if is_root; then
    id "$PG_USER_OS" >/dev/null 2>&1 || die "the '$PG_USER_OS' OS user does not exist (apt-get install postgresql creates it)"
  fi
  pg_paths
  mkdir -p "$PG_DIR"
  if is_root; then chown "$PG_USER_OS:$PG_USER_OS" "$PG_DIR"; fi

  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    log "initialising a PostgreSQL cluster in ${PG_DATA#"$ROOT"/}"
    rm -rf "$PG_DATA"
    (cd "$PG_DIR" && as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --no-locale --no-instructions >"$LOG_DIR/initdb.log" 2>&1) \
      || { tail -n 30 "$LOG_DIR/initdb.log" >&2; die "initdb failed"; }
  fi

  # A server still running on this data directory (an earlier run killed hard): restart it cleanly.
  if (cd "$PG_DIR" && as_pg "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1); then
    log "PostgreSQL from an earlier run is still running; restarting it"
    (cd "$PG_DIR" && as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w >/dev/null 2>&1) || true
  fi

  if port_in_use "$PG_PORT"; then
    die "port $PG_PORT is already in use (another PostgreSQL?); choose another with INTEGRATIONS_PG_PORT"
  fi

  # Unix socket next to the data when the path is short enough (limit 107 bytes), TCP otherwise.
  local socket_dir="$PG_DIR"
  if ((${#PG_DIR} > 90)); then socket_dir=""; fi

  : >"$PG_LOG" 2>/dev/null || true
  if is_root; then chown "$PG_USER_OS:$PG_USER_OS" "$PG_LOG"; fi
  ln -sfn "$PG_LOG" "$LOG_DIR/postgres.log"

  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  if ! (cd "$PG_DIR" && as_pg "$PG_BIN/pg_ctl" start -w -t 60 -D "$PG_DATA" -l "$PG_LOG" \
        -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='$socket_dir'" >"$LOG_DIR/pg_ctl.log" 2>&1); then
    cat "$LOG_DIR/pg_ctl.log" >&2
    tail -n 30 "$PG_LOG" >&2 || true
    die "PostgreSQL did not start"
  fi
  PG_STARTED=1

  local exists
  exists="$("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -XtAq \
    -c "select 1 from pg_database where datname = '$DB_NAME'")" || die "cannot connect to PostgreSQL on port $PG_PORT"
  if [[ "$exists" != "1" ]]; then
    log "creating database $DB_NAME"
    "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Xq -c "create database $DB_NAME" >/dev/null
  fi
}

stop_postgres() {
  ((PG_STARTED)) || return 0
  PG_STARTED=0
  log "stopping PostgreSQL"
  (cd "$PG_DIR" && as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 >/dev/null 2>&1) || log "pg_ctl stop failed (see .run/logs/postgres.log)"
}

start_broker() {
  [[ -x "$BROKER_BIN" ]] || die "$BROKER_BIN is missing (scripts/bootstrap.sh builds it)"
  stop_stale kafka-dev-broker "$BROKER_BIN"
  rm -f "$BOOTSTRAP_FILE" "$CONTROL_FILE"
  local args=(--bootstrap-file "$BOOTSTRAP_FILE" --control-file "$CONTROL_FILE") t
  for t in "${TOPICS[@]}"; do args+=(--topic "$t"); done
  log "starting the Kafka development broker"
  # In its own session: a Ctrl-C in the terminal must not stop the broker before the hosts.
  setsid "$BROKER_BIN" "${args[@]}" >"$LOG_DIR/kafka-dev-broker.log" 2>&1 </dev/null &
  BROKER_PID=$!
  echo "$BROKER_PID" >"$RUN_DIR/kafka-dev-broker.pid"
  local i
  for ((i = 0; i < 150; i++)); do
    [[ -s "$BOOTSTRAP_FILE" ]] && break
    alive "$BROKER_PID" || { cat "$LOG_DIR/kafka-dev-broker.log" >&2; die "the Kafka dev broker exited during start-up"; }
    sleep 0.1
  done
  [[ -s "$BOOTSTRAP_FILE" ]] || { cat "$LOG_DIR/kafka-dev-broker.log" >&2; die "the Kafka dev broker was not ready within 15 s"; }
  KAFKA_BOOTSTRAP="$(head -n 1 "$BOOTSTRAP_FILE")"
}

# The build output directory of a host project: bin/Release/net10.0/linux-x64 (the runtime
# identifier comes from Directory.Build.props), or without the RID if that ever changes.
host_dll() {
  local project_dir="$1" name="$2" d
  for d in "$ROOT/$project_dir/bin/Release/net10.0/linux-x64" "$ROOT/$project_dir/bin/Release/net10.0"; do
    if [[ -f "$d/$name.dll" ]]; then
      printf '%s\n' "$d/$name.dll"
      return 0
    fi
  done
  return 1
}

# Builds only when something the hosts are built from changed since the last successful build
# (a stamp in .run), so a second run starts in seconds.
needs_build() {
  case "${INTEGRATIONS_BUILD:-auto}" in
    always) return 0 ;;
    never) return 1 ;;
  esac
  host_dll src/Api Integrations.Api >/dev/null || return 0
  host_dll src/Workers Integrations.Workers >/dev/null || return 0
  [[ -f "$BUILD_STAMP" ]] || return 0
  local newer
  newer="$(find "$ROOT/src" "$ROOT/Integrations.sln" "$ROOT/Directory.Build.props" "$ROOT/Directory.Packages.props" \
    "$ROOT/nuget.config" "$ROOT/global.json" \( -name bin -o -name obj \) -prune -o -type f -newer "$BUILD_STAMP" -print -quit 2>/dev/null)"
  [[ -n "$newer" ]]
}

build() {
  if needs_build; then
    log "building (dotnet build Integrations.sln -c Release)"
    rm -f "$BUILD_STAMP"
    local stamp_next="$BUILD_STAMP.next"
    : >"$stamp_next" # taken before the build: files edited during the build trigger the next one
    if ! (cd "$ROOT" && dotnet build Integrations.sln -c Release -nologo >"$LOG_DIR/build.log" 2>&1); then
      rm -f "$stamp_next"
      local errors
      errors="$(grep -E ': error ' "$LOG_DIR/build.log" | sort -u || true)"
      if [[ -n "$errors" ]]; then head -n 40 <<<"$errors" >&2; else tail -n 40 "$LOG_DIR/build.log" >&2; fi
      die "the build failed (full output in .run/logs/build.log)"
    fi
    mv -f "$stamp_next" "$BUILD_STAMP"
  else
    log "binaries are up to date (INTEGRATIONS_BUILD=always forces a build)"
  fi
  API_DLL="$(host_dll src/Api Integrations.Api)" \
    || die "src/Api/bin/Release/net10.0/linux-x64/Integrations.Api.dll not found after the build: the API host does not build yet?"
  WORKERS_DLL="$(host_dll src/Workers Integrations.Workers)" \
    || die "src/Workers/bin/Release/net10.0/linux-x64/Integrations.Workers.dll not found after the build: the Workers host does not build yet?"
}

# Settings for both hosts. Anything the user already exported wins (Section__Key overrides).
configure_env() {
  local key="${Auth__AdminKey:-${INTEGRATIONS_ADMIN_KEY:-}}"
  if [[ -z "$key" ]]; then
    if [[ -s "$ADMIN_KEY_FILE" ]]; then
      key="$(head -n 1 "$ADMIN_KEY_FILE")"
    else
      # adm_ + 40 url-safe characters (30 random bytes, base64url without padding).
      key="adm_$(head -c 30 /dev/urandom | base64 -w0 | tr '+/' '-_')"
      (umask 077 && printf '%s\n' "$key" >"$ADMIN_KEY_FILE")
      log "generated an admin key (kept in .run/admin-key)"
    fi
  fi
  ADMIN_KEY="$key"

  # The platform key that encrypts webhook secrets at rest: generated once and kept, because
  # every stored secret becomes unreadable without it (docs/webhooks.md).
  if [[ -z "${Secrets__EncryptionKey:-}" && ! -s "$SECRETS_KEY_FILE" ]]; then
    (umask 077 && head -c 32 /dev/urandom | base64 -w0 >"$SECRETS_KEY_FILE" && echo >>"$SECRETS_KEY_FILE")
    log "generated the secrets encryption key (kept in .run/secrets-key)"
  fi
  export Secrets__EncryptionKey="${Secrets__EncryptionKey:-$(head -n 1 "$SECRETS_KEY_FILE")}"
  # Embedded mode delivers to receivers on this machine; production leaves this false.
  export Webhooks__AllowPrivateNetworkTargets="${Webhooks__AllowPrivateNetworkTargets:-true}"

  # The dev broker answers an empty fetch only after the consumer's whole fetch.wait.max.ms
  # (librdkafka's default: 500 ms), where Kafka answers as soon as data arrives: with the default,
  # every event would wait up to half a second between the outbox and the Workers host. Only for
  # the embedded broker, and only when not set already (docs/configuration.md).
  HOST_ENV=()
  if [[ -z "${Kafka__BootstrapServers:-}" ]] && ! printenv 'Kafka__Settings__fetch.wait.max.ms' >/dev/null; then
    HOST_ENV+=("Kafka__Settings__fetch.wait.max.ms=5")
  fi

  export ConnectionStrings__Postgres="${ConnectionStrings__Postgres:-Host=127.0.0.1;Port=$PG_PORT;Database=$DB_NAME;Username=postgres}"
  export Kafka__BootstrapServers="${Kafka__BootstrapServers:-$KAFKA_BOOTSTRAP}"
  export Auth__AdminKey="${Auth__AdminKey:-$ADMIN_KEY}"
  export Database__ApplyMigrations="${Database__ApplyMigrations:-true}"
  # Kafka__SecurityProtocol/SaslMechanism/SaslUsername/SaslPassword/SslCaLocation and
  # Outbox__CompletionTimeout pass through as the user set them; the hosts' defaults (plaintext,
  # 60 s) fit the embedded broker.
  export DOTNET_NOLOGO=1
}

start_hosts() {
  stop_stale api Integrations.Api.dll
  stop_stale workers Integrations.Workers.dll
  if port_in_use "$API_PORT"; then
    die "port $API_PORT is already in use; choose another with INTEGRATIONS_API_PORT"
  fi
  # Each host runs from its output directory so it finds its appsettings*.json (content root).
  log "starting the API on $API_URL"
  (cd "$(dirname "$API_DLL")" && exec env "${HOST_ENV[@]}" dotnet "$API_DLL" --urls "$API_URL") >"$LOG_DIR/api.log" 2>&1 &
  API_PID=$!
  echo "$API_PID" >"$RUN_DIR/api.pid"
  log "starting the Workers host"
  (cd "$(dirname "$WORKERS_DLL")" && exec env "${HOST_ENV[@]}" dotnet "$WORKERS_DLL") >"$LOG_DIR/workers.log" 2>&1 &
  WORKERS_PID=$!
  echo "$WORKERS_PID" >"$RUN_DIR/workers.pid"
}

wait_ready() {
  log "waiting for $API_URL/health/ready (up to ${READY_TIMEOUT}s)"
  local start=$SECONDS code
  while ((SECONDS - start < READY_TIMEOUT)); do
    alive "$API_PID" || { print_log_tails; die "the API exited during start-up"; }
    alive "$WORKERS_PID" || { print_log_tails; die "the Workers host exited during start-up"; }
    code="$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$API_URL/health/ready" 2>/dev/null || true)"
    [[ "$code" == "200" ]] && return 0
    sleep 1
  done
  print_log_tails
  die "the API was not ready within ${READY_TIMEOUT}s (last status: ${code:-none})"
}

banner() {
  cat <<EOF

==========================================================================================
 Integrations is running (embedded mode)

   API                 $API_URL
   API docs            $API_URL/docs   (OpenAPI 3.1: $API_URL/openapi/v1.json)
   Kafka bootstrap     $Kafka__BootstrapServers
   PostgreSQL          $ConnectionStrings__Postgres
   Admin key           $ADMIN_KEY
   Logs                .run/logs/

 Try it (the tenant id and API key come from the previous responses):
   curl -s -X POST $API_URL/api/v1/tenants -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' -d '{"name":"Acme","plan":"pro"}'
   curl -s -X POST $API_URL/api/v1/tenants/<tenant-id>/api-keys -H "Authorization: Bearer $ADMIN_KEY"
   curl -s -X POST $API_URL/api/v1/events -H 'Authorization: Bearer <ik_... api key>' -H 'Content-Type: application/json' -d '{"event_type":"invoice.paid","data":{"invoice_id":"inv_123","amount_cents":4200,"currency":"EUR"}}'

 Read the event stream:
   kcat -C -b $Kafka__BootstrapServers -t integrations.events.v1 -f 'partition %p offset %o key %k headers %h\n%s\n\n'

 Press Ctrl-C to stop everything.
==========================================================================================

EOF
}

cleanup() {
  ((STOPPING)) && return 0
  STOPPING=1
  trap - INT TERM
  # Both hosts shut down gracefully in parallel, then the broker, then PostgreSQL.
  if alive "$API_PID"; then kill -TERM "$API_PID" 2>/dev/null || true; fi
  if alive "$WORKERS_PID"; then kill -TERM "$WORKERS_PID" 2>/dev/null || true; fi
  stop_pid "$API_PID" 30 API
  stop_pid "$WORKERS_PID" 30 "Workers host"
  stop_pid "$BROKER_PID" 5 "Kafka dev broker"
  # Only the files of processes this run started (a refused second run.sh must not touch them).
  if [[ -n "$API_PID" ]]; then rm -f "$RUN_DIR/api.pid"; fi
  if [[ -n "$WORKERS_PID" ]]; then rm -f "$RUN_DIR/workers.pid"; fi
  if [[ -n "$BROKER_PID" ]]; then rm -f "$RUN_DIR/kafka-dev-broker.pid" "$BOOTSTRAP_FILE" "$CONTROL_FILE"; fi
  stop_postgres
  if ((OWN_INSTANCE)); then rm -f "$RUN_DIR/run.pid"; fi
}

on_signal() {
  log "shutting down"
  cleanup
  log "stopped"
  exit 0
}

on_exit() {
  local rc=$?
  cleanup
  exit "$rc"
}

# Foreground until a signal, or until one of our processes dies (then stop the rest, exit 1).
supervise() {
  local pg_pid
  while true; do
    sleep 2 &
    wait $! || true
    alive "$API_PID" || { print_log_tails; die "the API exited unexpectedly"; }
    alive "$WORKERS_PID" || { print_log_tails; die "the Workers host exited unexpectedly"; }
    alive "$BROKER_PID" || { print_log_tails; die "the Kafka dev broker exited unexpectedly"; }
    pg_pid="$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
    alive "$pg_pid" || { print_log_tails; die "PostgreSQL exited unexpectedly"; }
  done
}

main() {
  cd "$ROOT"
  trap on_exit EXIT
  trap on_signal INT TERM
  prepare_dirs
  claim_instance
  rm -f "$LOG_DIR"/*.log
  bootstrap
  build
  start_postgres
  start_broker
  configure_env
  start_hosts
  wait_ready
  banner
  supervise
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
