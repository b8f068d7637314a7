#!/usr/bin/env bash
# Runs the whole platform on this machine, embedded mode: a private PostgreSQL (data in .run/pg,
# never the system cluster), the Kafka development broker, the API and the Workers host.
# Stays in the foreground; Ctrl-C (or SIGTERM) stops everything it started.
#
#   ./run.sh                        first run installs and builds (minutes); later runs are fast
#
# When a process dies while running (after start-up):
#   - the API or the Workers host is restarted, after 1 s, then 2, 4, 8 ... up to 30 s if it keeps
#     dying (also when it dies during its own start-up: it never restarts in a tight loop); a host
#     that stayed up 60 s starts again from 1 s. Each exit is reported here with its exit code
#     and its log file. Logs are appended to, never truncated, on a restart: .run/logs/api.log and
#     workers.log hold the crashed run's last lines, then a "===== run.sh: ..." separator line,
#     then the new run (run.sh starts every log afresh only when it starts itself);
#   - PostgreSQL or the Kafka dev broker: everything stops (exit code 1). They hold the state: the
#     broker keeps its topics in memory only, so they are lost with it; PostgreSQL keeps every
#     event, and after the next start the outbox publishes again what the platform had not
#     processed yet (docs/kafka-topics.md, ADR 0003).
# During the initial start-up, a host that exits stops everything (a configuration error, a port
# in use: restarting would not help), as does a host not ready within 120 s.
#
# Environment (all optional):
#   INTEGRATIONS_API_PORT   API port on 127.0.0.1 (default 5080)
#   INTEGRATIONS_PG_PORT    PostgreSQL port on 127.0.0.1 (default 5433)
#   INTEGRATIONS_PG_BIN     PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
#   INTEGRATIONS_MAIL_PORT, INTEGRATIONS_MAIL_WEB_PORT
#   INTEGRATIONS_EMAIL_SMTP_PORT (2525): the e-mail connector's SMTP listener (Workers pipeline email-smtp)
#                           the local mail catcher's SMTP and web ports on 127.0.0.1 (default 1025, 1080);
#                           with Mail__Host set, the hosts mail through that server and no catcher starts
#   INTEGRATIONS_ADMIN_KEY  admin key; otherwise one is generated once and kept in .run/admin-key
#   INTEGRATIONS_BUILD      auto (default: build when sources changed since the last build) | always | never
#   INTEGRATIONS_RUN_DIR    the run directory: data, logs, pid files, keys (default .run in the checkout);
#                           one run.sh per run directory (tests/runsh uses a temporary one)
#   INTEGRATIONS_DEMO_PROVIDERS, INTEGRATIONS_DEMO_PORT
#                           the local Slack, Jira, Teams, HubSpot and Exact Online fakes run.sh starts as demo providers
#                           (default slack,jira,teams,hubspot,exact-online on ports 5091-5095; none: no fakes); scripts/demo-providers.sh
#   Section__Key variables (ConnectionStrings__Postgres, Kafka__BootstrapServers, Auth__AdminKey, ...)
#   are passed through untouched and win over everything this script would set (docs/configuration.md).
#
# The functions below can be sourced for debugging: `source run.sh; start_postgres`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="$(realpath -m "${INTEGRATIONS_RUN_DIR:-$ROOT/.run}")"
LOG_DIR="$RUN_DIR/logs"
PG_BIN="${INTEGRATIONS_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_PORT="${INTEGRATIONS_PG_PORT:-5433}"
API_PORT="${INTEGRATIONS_API_PORT:-5080}"
MAIL_PORT="${INTEGRATIONS_MAIL_PORT:-1025}"
MAIL_WEB_PORT="${INTEGRATIONS_MAIL_WEB_PORT:-1080}"
EMAIL_SMTP_PORT="${INTEGRATIONS_EMAIL_SMTP_PORT:-2525}"
MAIL_CATCHER_JS="$ROOT/tools/mail-catcher/node_modules/maildev/dist/bin/maildev.js"
PG_USER_OS=postgres
DB_NAME=integrations
BROKER_BIN="$ROOT/.build/bin/kafka-dev-broker"
BOOTSTRAP_FILE="$RUN_DIR/kafka-bootstrap.txt"
CONTROL_FILE="$RUN_DIR/kafka-control-port.txt"
ADMIN_KEY_FILE="$RUN_DIR/admin-key"
SECRETS_KEY_FILE="$RUN_DIR/secrets-key"
BUILD_STAMP="$RUN_DIR/build.stamp"
READY_TIMEOUT=120
RESTART_MIN_DELAY=1   # seconds before restarting a host that died; doubled while it keeps dying
RESTART_MAX_DELAY=30
STABLE_AFTER=60       # a host that stayed up this long restarts after RESTART_MIN_DELAY again
TOPICS=(integrations.events.v1:12 integrations.webhook-deliveries.v1:12 integrations.product-commands.v1:12 integrations.inbound.v1:12)

PG_DIR=""          # set by pg_paths
PG_DATA=""
PG_LOG=""
PG_STARTED=0
BROKER_PID=""
MAIL_PID=""        # the mail catcher (maildev), when run.sh started one
MAIL_URL=""
HOSTS=(api workers)
declare -gA HOST_LABEL=([api]="API" [workers]="Workers host")
declare -gA HOST_PID=([api]="" [workers]="")
declare -gA HOST_STARTED=([api]=0 [workers]=0)       # $SECONDS when last started
declare -gA HOST_DELAY=([api]=0 [workers]=0)         # the last restart delay (0: none yet)
declare -gA HOST_RESTART_AT=([api]=0 [workers]=0)    # $SECONDS when to restart it; 0 while it runs
declare -gA HOST_AWAIT_READY=([api]=0 [workers]=0)   # 1 after a restart of the API, until it is ready
SLEEP_PID=""
API_URL="http://127.0.0.1:$API_PORT"
STOPPING=0
OWN_INSTANCE=0
KAFKA_EXTERNAL=0

# Messages go to the terminal: stderr, or the copy of it that supervise() keeps in LOG_FD.
LOG_FD=2
log() { printf '[run] %s\n' "$*" >&"$LOG_FD"; }
# A path as the user reads it: relative to the checkout when inside it.
show() { if [[ "$1" == "$ROOT/"* ]]; then printf '%s' "${1#"$ROOT"/}"; else printf '%s' "$1"; fi; }
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
  local pid="$1" grace="$2" name="$3"
  alive "$pid" || return 0
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  await_exit "$pid" "$grace" "$name"
}

# Waits up to $2 seconds for process $1, already asked to stop, then kills it.
await_exit() {
  local pid="$1" grace="$2" name="$3" i
  [[ -n "$pid" ]] || return 0
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
    printf '\n----- last lines of %s -----\n' "$(show "$f")" >&"$LOG_FD"
    tail -n 40 "$f" >&"$LOG_FD" || true
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

# One run.sh per run directory: a second one would share .run (data, pid files, logs) with the first.
claim_instance() {
  local pidfile="$RUN_DIR/run.pid" pid
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ && "$pid" != "$$" ]] && cmdline_has "$pid" run.sh; then
    die "run.sh is already running with $(show "$RUN_DIR") (pid $pid); stop it first (Ctrl-C or kill $pid)"
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
    # Named after the checkout (as before INTEGRATIONS_RUN_DIR existed), or after the run directory
    # when it is not the default one, so that two run directories never share a database.
    local owner="$ROOT"
    if [[ "$RUN_DIR" != "$ROOT/.run" ]]; then owner="$RUN_DIR"; fi
    PG_DIR="/var/tmp/integrations-pg-$(printf '%s' "$owner" | sha256sum | cut -c1-12)"
    log "the postgres user cannot access $RUN_DIR; keeping the database in $PG_DIR (linked from $(show "$link"))"
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
    log "initialising a PostgreSQL cluster in $(show "$PG_DATA")"
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
  (cd "$PG_DIR" && as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 >/dev/null 2>&1) || log "pg_ctl stop failed (see $(show "$LOG_DIR/postgres.log"))"
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

# The local mail catcher (maildev, installed by scripts/bootstrap.sh): the hosts send notification mail
# to its SMTP port and its web page shows what arrived. Not started when the user points the hosts at
# a mail server of their own (Mail__Host). Mails are kept in .run/mail across runs.
start_mail_catcher() {
  if [[ -n "${Mail__Host:-}" ]]; then
    log "Mail__Host is set: notification mail goes to $Mail__Host, no local mail catcher"
    return 0
  fi
  [[ -f "$MAIL_CATCHER_JS" ]] || die "the mail catcher is missing ($(show "$MAIL_CATCHER_JS")); scripts/bootstrap.sh installs it"
  stop_stale mail-catcher maildev
  local port
  for port in "$MAIL_PORT" "$MAIL_WEB_PORT"; do
    if port_in_use "$port"; then
      die "port $port is already in use; choose the mail catcher's ports with INTEGRATIONS_MAIL_PORT and INTEGRATIONS_MAIL_WEB_PORT"
    fi
  done
  mkdir -p "$RUN_DIR/mail"
  log "starting the mail catcher (SMTP 127.0.0.1:$MAIL_PORT, web page on port $MAIL_WEB_PORT)"
  # In its own session, like the broker: a Ctrl-C stops it after the hosts.
  setsid node "$MAIL_CATCHER_JS" --ip 127.0.0.1 --web-ip 127.0.0.1 --smtp "$MAIL_PORT" --web "$MAIL_WEB_PORT" \
    --mail-directory "$RUN_DIR/mail" >"$LOG_DIR/mail-catcher.log" 2>&1 </dev/null &
  MAIL_PID=$!
  echo "$MAIL_PID" >"$RUN_DIR/mail-catcher.pid"
  MAIL_URL="http://127.0.0.1:$MAIL_WEB_PORT"
  local i
  for ((i = 0; i < 150; i++)); do
    [[ "$(curl -s -o /dev/null -m 1 -w '%{http_code}' "$MAIL_URL/api/healthz" 2>/dev/null || true)" == "200" ]] && return 0
    alive "$MAIL_PID" || { cat "$LOG_DIR/mail-catcher.log" >&2; die "the mail catcher exited during start-up"; }
    sleep 0.1
  done
  cat "$LOG_DIR/mail-catcher.log" >&2
  die "the mail catcher was not ready within 15 s"
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
      die "the build failed (full output in $(show "$LOG_DIR/build.log"))"
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
  KAFKA_EXTERNAL=0
  if [[ -n "${Kafka__BootstrapServers:-}" ]]; then KAFKA_EXTERNAL=1; fi
  local key="${Auth__AdminKey:-${INTEGRATIONS_ADMIN_KEY:-}}"
  if [[ -z "$key" ]]; then
    if [[ -s "$ADMIN_KEY_FILE" ]]; then
      key="$(head -n 1 "$ADMIN_KEY_FILE")"
    else
      # adm_ + 40 url-safe characters (30 random bytes, base64url without padding).
      key="adm_$(head -c 30 /dev/urandom | base64 -w0 | tr '+/' '-_')"
      (umask 077 && printf '%s\n' "$key" >"$ADMIN_KEY_FILE")
      log "generated an admin key (kept in $(show "$ADMIN_KEY_FILE"))"
    fi
  fi
  ADMIN_KEY="$key"

  # The platform key that encrypts webhook secrets at rest: generated once and kept, because
  # every stored secret becomes unreadable without it (docs/webhooks.md).
  if [[ -z "${Secrets__EncryptionKey:-}" && ! -s "$SECRETS_KEY_FILE" ]]; then
    (umask 077 && head -c 32 /dev/urandom | base64 -w0 >"$SECRETS_KEY_FILE" && echo >>"$SECRETS_KEY_FILE")
    log "generated the secrets encryption key (kept in $(show "$SECRETS_KEY_FILE"))"
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
  # Notification mail (docs/notifications.md): to the local mail catcher, unless Mail__Host names another server.
  if [[ -n "$MAIL_PID" ]]; then
    export Mail__Host=127.0.0.1 Mail__Port="$MAIL_PORT" Mail__Tls=none
  fi
  export Mail__From="${Mail__From:-Integrations <notifications@localhost>}"
  export Mail__BaseUrl="${Mail__BaseUrl:-$API_URL}"
  # The e-mail connector (docs/connectors/email.md): the Workers' SMTP listener on 127.0.0.1 takes mail for
  # <token>@in.localhost; replies go out through the mail server above. Off when its port is taken.
  if [[ -z "${Email__InboundDomain:-}" ]]; then
    if port_in_use "$EMAIL_SMTP_PORT"; then
      log "port $EMAIL_SMTP_PORT is in use: the e-mail SMTP listener stays off (choose its port with INTEGRATIONS_EMAIL_SMTP_PORT)"
    else
      export Email__InboundDomain=in.localhost Email__Smtp__Bind=127.0.0.1 Email__Smtp__Port="$EMAIL_SMTP_PORT"
    fi
  fi
  export Email__ReplyFrom="${Email__ReplyFrom:-support@localhost}"
  # Where providers (the demo fakes here) reach the inbound URLs of registrations the Workers keep (ADR 0028).
  export Connectors__Registrations__PublicBaseUrl="${Connectors__Registrations__PublicBaseUrl:-$API_URL}"
  # Kafka__SecurityProtocol/SaslMechanism/SaslUsername/SaslPassword/SslCaLocation and
  # Outbox__CompletionTimeout pass through as the user set them; the hosts' defaults (plaintext,
  # 60 s) fit the embedded broker.
  export DOTNET_NOLOGO=1
}

# Starts (or restarts) one host in the background, appending to its log. Each host runs from its
# output directory so it finds its appsettings*.json (content root).
start_host() {
  local host="$1" dll args=()
  case "$host" in
    api) dll="$API_DLL"; args=(--urls "$API_URL") ;;
    workers) dll="$WORKERS_DLL" ;;
    *) die "unknown host $host" ;;
  esac
  (
    if ((LOG_FD != 2)); then exec {LOG_FD}>&-; fi # the terminal is run.sh's, not the host's
    cd "$(dirname "$dll")" && exec env "${HOST_ENV[@]}" dotnet "$dll" "${args[@]}"
  ) >>"$LOG_DIR/$host.log" 2>&1 &
  HOST_PID[$host]=$!
  HOST_STARTED[$host]=$SECONDS
  HOST_RESTART_AT[$host]=0
  echo "${HOST_PID[$host]}" >"$RUN_DIR/$host.pid"
}

start_hosts() {
  stop_stale api Integrations.Api.dll
  stop_stale workers Integrations.Workers.dll
  if port_in_use "$API_PORT"; then
    die "port $API_PORT is already in use; choose another with INTEGRATIONS_API_PORT"
  fi
  log "starting the API on $API_URL"
  start_host api
  log "starting the Workers host"
  start_host workers
}

wait_ready() {
  log "waiting for $API_URL/health/ready (up to ${READY_TIMEOUT}s)"
  local start=$SECONDS code
  while ((SECONDS - start < READY_TIMEOUT)); do
    alive "${HOST_PID[api]}" || { print_log_tails; die "the API exited during start-up"; }
    alive "${HOST_PID[workers]}" || { print_log_tails; die "the Workers host exited during start-up"; }
    code="$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$API_URL/health/ready" 2>/dev/null || true)"
    [[ "$code" == "200" ]] && return 0
    sleep 1
  done
  print_log_tails
  die "the API was not ready within ${READY_TIMEOUT}s (last status: ${code:-none})"
}

banner() {
  local mail_line="Mail server         $Mail__Host:${Mail__Port:-} (Mail__Host)"
  if [[ -n "$MAIL_URL" ]]; then
    mail_line="Mail catcher        $MAIL_URL   (the notification mails to tenants' admins; SMTP 127.0.0.1:$MAIL_PORT)"
  fi
  local email_line="E-mail (SMTP in)    off (the port was taken; INTEGRATIONS_EMAIL_SMTP_PORT)"
  if [[ -n "${Email__InboundDomain:-}" ]]; then
    email_line="E-mail (SMTP in)    ${Email__Smtp__Bind:-0.0.0.0}:${Email__Smtp__Port:-2525} for <token>@$Email__InboundDomain (POST /api/v1/email/addresses; docs/connectors/email.md)"
  fi
  cat <<EOF

==========================================================================================
 Integrations is running (embedded mode)

   API                 $API_URL
   API docs            $API_URL/docs   (OpenAPI 3.1: $API_URL/openapi/v1.json)
   Console             $API_URL/console   (a tenant's members sign in; docs/console.md)
   Operator            $API_URL/admin   (sign in with the admin key below)
   Kafka bootstrap     $Kafka__BootstrapServers
   PostgreSQL          $ConnectionStrings__Postgres
   Admin key           $ADMIN_KEY
   $mail_line
   $email_line
   Logs                $(show "$LOG_DIR")/
$(demo_banner)

 Try it (the tenant id and API key come from the previous responses):
   curl -s -X POST $API_URL/api/v1/tenants -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' -d '{"name":"Acme","plan":"pro"}'
   curl -s -X POST $API_URL/api/v1/tenants/<tenant-id>/api-keys -H "Authorization: Bearer $ADMIN_KEY"
   curl -s -X POST $API_URL/api/v1/events -H 'Authorization: Bearer <ik_... api key>' -H 'Content-Type: application/json' -d '{"event_type":"invoice.paid","data":{"invoice_id":"inv_123","amount_cents":4200,"currency":"EUR"}}'

 Read the event stream:
   kcat -C -b $Kafka__BootstrapServers -t integrations.events.v1 -f 'partition %p offset %o key %k headers %h\n%s\n\n'

 Watch webhooks arrive: scripts/webhook-sink.sh 9000, then register http://127.0.0.1:9000/ as an
 endpoint (README, "First calls").

 The embedded Kafka broker keeps its topics in memory only: stopping run.sh (or the broker
 dying) loses them. PostgreSQL holds every event ($(show "$PG_DIR")); on the next start the outbox
 publishes again only what the platform had not processed yet, not the whole history.
 A crashed API or Workers host is restarted (after 1 s, doubling up to 30 s), reported here.

 Press Ctrl-C to stop everything.
==========================================================================================

EOF
}

cleanup() {
  ((STOPPING)) && return 0
  STOPPING=1
  trap - INT TERM
  if alive "$SLEEP_PID"; then kill "$SLEEP_PID" 2>/dev/null || true; fi
  # Both hosts shut down gracefully in parallel, then the broker, then PostgreSQL.
  local host
  for host in "${HOSTS[@]}"; do
    if alive "${HOST_PID[$host]}"; then
      log "stopping the ${HOST_LABEL[$host]} (pid ${HOST_PID[$host]})"
      kill -TERM "${HOST_PID[$host]}" 2>/dev/null || true
    fi
  done
  for host in "${HOSTS[@]}"; do await_exit "${HOST_PID[$host]}" 30 "the ${HOST_LABEL[$host]}"; done
  stop_demo_providers
  stop_pid "$BROKER_PID" 5 "the Kafka dev broker"
  stop_pid "$MAIL_PID" 5 "the mail catcher"
  if [[ -n "$MAIL_PID" ]]; then rm -f "$RUN_DIR/mail-catcher.pid"; fi
  # Only the files of processes this run started (a refused second run.sh must not touch them).
  for host in "${HOSTS[@]}"; do
    if [[ -n "${HOST_PID[$host]}" ]]; then rm -f "$RUN_DIR/$host.pid"; fi
  done
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

# "exit code 137 (SIGKILL)": how a child we waited for ended.
describe_exit() {
  local rc="$1"
  if ((rc == 127)); then
    printf 'exit code unknown'
  elif ((rc > 128 && rc < 128 + 65)); then
    printf 'exit code %d (SIG%s)' "$rc" "$(kill -l $((rc - 128)) 2>/dev/null || echo '?')"
  else
    printf 'exit code %d' "$rc"
  fi
}

# A host died: note how, and schedule its restart after the backoff delay.
host_died() {
  local host="$1" rc=0 up delay what logfile
  wait "${HOST_PID[$host]}" 2>/dev/null || rc=$?
  up=$((SECONDS - HOST_STARTED[$host]))
  if ((HOST_DELAY[$host] == 0 || up >= STABLE_AFTER)); then
    delay=$RESTART_MIN_DELAY
  else
    delay=$((HOST_DELAY[$host] * 2))
    if ((delay > RESTART_MAX_DELAY)); then delay=$RESTART_MAX_DELAY; fi
  fi
  HOST_DELAY[$host]=$delay
  HOST_RESTART_AT[$host]=$((SECONDS + delay))
  HOST_AWAIT_READY[$host]=0
  what="$(describe_exit "$rc")"
  logfile="$LOG_DIR/$host.log"
  log "the ${HOST_LABEL[$host]} (pid ${HOST_PID[$host]}) exited after ${up}s, $what; restarting it in ${delay}s (log: $(show "$logfile"))"
  # Its own last words (an unhandled exception ends in SIGABRT, 134), unless it was killed or
  # stopped from outside (SIGKILL, SIGTERM, SIGINT): then they are only routine lines.
  if ((rc != 0 && rc != 137 && rc != 143 && rc != 130)); then
    # From the last error (an unhandled exception, a crit or fail entry), or the last 8 lines.
    tail -n 100 "$logfile" 2>/dev/null | awk '
      /Unhandled exception|(^|[ :])(crit|fail): / { n = 0; found = 1 }
      { line[n++] = $0 }
      END {
        from = found ? 0 : (n > 8 ? n - 8 : 0)
        for (i = from; i < n && i < from + 8; i++) print "    | " line[i]
        if (n > from + 8) print "    | ..."
      }' >&"$LOG_FD" || true
  fi
  printf '\n===== run.sh: the %s (pid %s) exited after %ss, %s, at %s; restarting it in %ss =====\n\n' \
    "${HOST_LABEL[$host]}" "${HOST_PID[$host]}" "$up" "$what" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$delay" >>"$logfile"
}

restart_host() {
  local host="$1"
  start_host "$host"
  log "restarted the ${HOST_LABEL[$host]} (pid ${HOST_PID[$host]})"
  if [[ "$host" == api ]]; then HOST_AWAIT_READY[$host]=1; fi
}

# The broker or PostgreSQL died: they hold the platform's state, so everything stops.
fatal_death() {
  local what="$1" logfile="$2" how="${3:+, $3}"
  print_log_tails
  log "$what exited unexpectedly$how (log: $(show "$logfile"))"
  if [[ "$what" == PostgreSQL ]]; then
    log "its data stays in $(show "$PG_DATA"); the next start recovers it"
  elif [[ "$what" == *broker* ]]; then
    log "its topics lived in memory only and are lost. PostgreSQL still holds every event; on the next start"
    log "the outbox publishes again what the platform had not processed yet (not the whole history)"
  fi
  die "stopping everything; start ./run.sh again"
}

# Foreground until a signal. A host that dies is restarted with backoff (host_died); the broker
# or PostgreSQL dying stops everything (exit 1).
supervise() {
  local host pg_pid rc
  # bash reports a background job killed by a signal ("run.sh: line N: PID Killed ( cd ...") on
  # stderr, at whatever command runs next; host_died says it better. From here on our messages go
  # to the terminal through LOG_FD, and the shell's own stderr to .run/logs/run.sh.log.
  exec {LOG_FD}>&2
  exec 2>>"$LOG_DIR/run.sh.log"
  while true; do
    sleep 1 &
    SLEEP_PID=$!
    wait "$SLEEP_PID" || true
    for host in "${HOSTS[@]}"; do
      if ((HOST_RESTART_AT[$host] == 0)); then
        alive "${HOST_PID[$host]}" || host_died "$host"
      elif ((SECONDS >= HOST_RESTART_AT[$host])); then
        restart_host "$host"
      fi
      if ((HOST_AWAIT_READY[$host])) && alive "${HOST_PID[$host]}" \
        && [[ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$API_URL/health/ready" 2>/dev/null || true)" == "200" ]]; then
        HOST_AWAIT_READY[$host]=0
        log "the ${HOST_LABEL[$host]} is ready again ($API_URL, $((SECONDS - HOST_STARTED[$host]))s after its restart)"
      fi
    done
    if [[ -n "$BROKER_PID" ]] && ! alive "$BROKER_PID"; then
      rc=0
      wait "$BROKER_PID" 2>/dev/null || rc=$?
      if ((KAFKA_EXTERNAL)); then
        # The hosts use the user's Kafka: the dev broker was a bystander.
        log "the Kafka dev broker exited ($(describe_exit "$rc")); the hosts use $Kafka__BootstrapServers and carry on"
        BROKER_PID=""
      else
        fatal_death "the Kafka dev broker" "$LOG_DIR/kafka-dev-broker.log" "$(describe_exit "$rc")"
      fi
    fi
    if [[ -n "$MAIL_PID" ]] && ! alive "$MAIL_PID"; then
      rc=0
      wait "$MAIL_PID" 2>/dev/null || rc=$?
      # It holds no state of the platform's: mails wait in PostgreSQL and are sent once a server answers.
      log "the mail catcher exited ($(describe_exit "$rc"), log: $(show "$LOG_DIR/mail-catcher.log")); notification mails wait in PostgreSQL until it is back (start ./run.sh again)"
      MAIL_PID=""
      rm -f "$RUN_DIR/mail-catcher.pid"
    fi
    pg_pid="$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
    if ! alive "$pg_pid"; then
      PG_STARTED=0 # nothing left to stop; the next start recovers the data directory
      fatal_death "PostgreSQL" "$LOG_DIR/postgres.log"
    fi
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
  start_mail_catcher
  configure_env
  start_demo_providers
  start_hosts
  wait_ready
  banner
  supervise
}

# shellcheck source=scripts/demo-providers.sh
source "$ROOT/scripts/demo-providers.sh"

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
