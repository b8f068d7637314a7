#!/usr/bin/env bash
# run.sh's supervision, for real (test.sh runs this script; about a minute and a half). Starts
# ./run.sh with a run directory of its own (INTEGRATIONS_RUN_DIR, a temporary directory) and free
# ports, so it never touches a developer's .run or a running ./run.sh, and checks:
#   startup      the API becomes ready; the banner says the broker keeps its topics in memory only and
#                names the mail catcher, whose web page answers, and the console, whose sign-in page answers
#   workers      kill -9 of the Workers host: restarted, reported with exit code 137 and its log
#                file, the log appended to (the killed run's lines stay, then a separator)
#   api-backoff  kill -9 of the API while its port is taken, so every restart dies during start-up:
#                restarted after 1, 2, 4 s (no tight loop); ready again once the port is free
#   ctrl-c       SIGINT to run.sh's process group, as Ctrl-C in a terminal: exit code 0, no
#                process left (the mail catcher included), PostgreSQL stopped, pid files gone
#   broker       a second start, then kill -9 of the Kafka dev broker: everything stops, exit
#                code 1, and the message says its topics were in memory and are lost
# Uses the Release build as it is (test.sh builds first): INTEGRATIONS_BUILD=never when the host
# binaries exist. Prints "N passed, N failed"; RUNSH_TEST_VERBOSE=1 also prints what run.sh said.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(cd ../.. && pwd)"
PG_BIN="${INTEGRATIONS_PG_BIN:-/usr/lib/postgresql/15/bin}"

passed=0
failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s: %s\n' "$1" "$2"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }
as_pg() { if [[ "$(id -u)" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# Only the settings run.sh makes itself: anything exported here would reach the hosts.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -E '__|^INTEGRATIONS_(ADMIN_KEY|RUN_DIR|API_PORT|PG_PORT|BUILD|MAIL_PORT|MAIL_WEB_PORT|EMAIL_SMTP_PORT)$')

RUN_DIR="$(mktemp -d /tmp/runsh-test-XXXXXX)"
chmod 755 "$RUN_DIR" # the postgres user keeps its data under it
API_PORT="$(free_port)"
PG_PORT="$(free_port)"
MAIL_PORT="$(free_port)"
MAIL_WEB_PORT="$(free_port)"
EMAIL_SMTP_PORT="$(free_port)"
MAIL_URL="http://127.0.0.1:$MAIL_WEB_PORT"
# Four ports in a row for the demo providers' fakes (Slack, Jira, Teams, HubSpot): a base below the kernel's
# ephemeral range, picked at random, whose four ports are free now.
for _ in $(seq 50); do
  DEMO_PORT=$((20000 + RANDOM % 10000))
  (exec 3<>"/dev/tcp/127.0.0.1/$DEMO_PORT") 2>/dev/null || (exec 3<>"/dev/tcp/127.0.0.1/$((DEMO_PORT + 1))") 2>/dev/null \
    || (exec 3<>"/dev/tcp/127.0.0.1/$((DEMO_PORT + 2))") 2>/dev/null || (exec 3<>"/dev/tcp/127.0.0.1/$((DEMO_PORT + 3))") 2>/dev/null || break
done
API_URL="http://127.0.0.1:$API_PORT"
OUT="" # what run.sh printed, one file per start
RUNSH_PID=""
HOLDER_PID=""
# As run.sh finds the hosts' binaries; if they are missing, run.sh builds them.
built() { [[ -f "$ROOT/src/$1/bin/Release/net10.0/linux-x64/Integrations.$1.dll" || -f "$ROOT/src/$1/bin/Release/net10.0/Integrations.$1.dll" ]]; }
build=auto
if built Api && built Workers; then build=never; fi

# Starts ./run.sh in a process group of its own (as a terminal would), with SIGINT handled (a
# background job of a script would otherwise ignore it, and so would run.sh's trap).
start_runsh() {
  OUT="$RUN_DIR/terminal-$1.txt"
  INTEGRATIONS_RUN_DIR="$RUN_DIR" INTEGRATIONS_API_PORT="$API_PORT" INTEGRATIONS_PG_PORT="$PG_PORT" INTEGRATIONS_BUILD="$build" \
    INTEGRATIONS_MAIL_PORT="$MAIL_PORT" INTEGRATIONS_MAIL_WEB_PORT="$MAIL_WEB_PORT" INTEGRATIONS_DEMO_PORT="$DEMO_PORT" \
    INTEGRATIONS_EMAIL_SMTP_PORT="$EMAIL_SMTP_PORT" setsid env --default-signal=INT,TERM "$ROOT/run.sh" >"$OUT" 2>&1 </dev/null &
  RUNSH_PID=$!
}

ready() { [[ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$API_URL/health/ready" 2>/dev/null)" == "200" ]]; }

# wait_for SECONDS COMMAND...: true once COMMAND succeeds, false after SECONDS.
wait_for() {
  local limit=$1 start=$SECONDS
  shift
  until "$@"; do
    ((SECONDS - start >= limit)) && return 1
    sleep 0.5
  done
}

out_has() { grep -qF -- "$1" "$OUT"; }
pid_of() { cat "$RUN_DIR/$1.pid" 2>/dev/null || true; }
runsh_gone() { ! alive "$RUNSH_PID"; }
# Processes that belong to this run directory: PostgreSQL and the broker name it on their command
# line; the hosts are known by their recorded pids.
leftovers() {
  local pid
  for pid in $(pgrep -f -- "$RUN_DIR" || true); do
    [[ "$pid" != "$$" ]] && printf '%s ' "$pid"
  done
  for pid in "$@"; do alive "$pid" && printf '%s ' "$pid"; done
}

cleanup() {
  if alive "$HOLDER_PID"; then kill "$HOLDER_PID" 2>/dev/null; wait "$HOLDER_PID" 2>/dev/null; fi
  if alive "$RUNSH_PID"; then
    kill -TERM "$RUNSH_PID" 2>/dev/null
    wait_for 60 runsh_gone
  fi
  local data="$RUN_DIR/pg/data"
  if [[ -f "$data/postmaster.pid" ]]; then as_pg "$PG_BIN/pg_ctl" stop -D "$data" -m immediate -w >/dev/null 2>&1; fi
  if [[ -L "$RUN_DIR/pg" ]]; then rm -rf "$(readlink -f "$RUN_DIR/pg")"; fi
  local f
  if ((failed)) || [[ -n "${RUNSH_TEST_VERBOSE:-}" ]]; then
    for f in "$RUN_DIR"/terminal-*.txt; do
      [[ -f "$f" ]] || continue
      printf '\n----- run.sh said (%s) -----\n' "$(basename "$f")"
      cat "$f"
    done
  fi
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT

# --- startup ---
start_runsh 1
# The banner comes right after readiness.
if wait_for 150 ready && wait_for 10 out_has "Press Ctrl-C to stop everything"; then
  if ! out_has "keeps its topics in memory only"; then
    fail startup "the banner does not say that the broker keeps its topics in memory only"
  elif ! out_has "Mail catcher        $MAIL_URL"; then
    fail startup "the banner does not name the mail catcher at $MAIL_URL"
  elif ! out_has "Console             $API_URL/console"; then
    fail startup "the banner does not name the console at $API_URL/console"
  elif [[ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$API_URL/console/sign-in")" != "200" ]]; then
    fail startup "the console's sign-in page at $API_URL/console/sign-in does not answer"
  elif [[ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' -H 'Accept: text/html' "$MAIL_URL/")" != "200" ]]; then
    fail startup "the mail catcher's web page at $MAIL_URL does not answer"
  elif ! out_has "Slack (fake)        http://127.0.0.1:$DEMO_PORT" || ! out_has "Jira (fake)" || ! out_has "Teams (fake)" || ! out_has "HubSpot (fake)"; then
    fail startup "the banner does not name the demo providers' fakes (Slack at port $DEMO_PORT, Jira, Teams, HubSpot)"
  elif ! curl -s -m 5 -H "Authorization: Bearer $(cat "$RUN_DIR/admin-key")" "$API_URL/api/v1/providers" \
      | python3 -c 'import json,sys; p={x["id"]: x for x in json.load(sys.stdin)["data"]}; sys.exit(0 if all(p[i]["ready"] for i in ("slack","jira","microsoft-teams","hubspot","exact-online")) else 1)'; then
    fail startup "GET /api/v1/providers does not list slack, jira, microsoft-teams, hubspot and exact-online as ready (configured for the fakes)"
  else
    ok startup
  fi
else
  fail startup "the API was not ready within 150 s"
  echo "$passed passed, $failed failed"
  exit 1
fi
first_api="$(pid_of api)"

# --- workers: kill -9, restarted after 1 s ---
workers="$(pid_of workers)"
kill -9 "$workers"
new_workers() { local p; p="$(pid_of workers)"; [[ -n "$p" && "$p" != "$workers" ]] && alive "$p"; }
if ! wait_for 20 new_workers; then
  fail workers "no new Workers host within 20 s"
elif ! out_has "the Workers host (pid $workers) exited after" || ! out_has "exit code 137 (SIGKILL); restarting it in 1s (log: $RUN_DIR/logs/workers.log)"; then
  fail workers "the terminal does not report the exit (code 137) and the log file: $(grep -F 'Workers host' "$OUT" | tail -n 3)"
elif ! grep -qF "===== run.sh: the Workers host (pid $workers) exited" "$RUN_DIR/logs/workers.log" \
  || ! grep -qF "Application started" <(sed -n "1,/===== run.sh: the Workers host (pid $workers)/p" "$RUN_DIR/logs/workers.log"); then
  fail workers "workers.log does not keep the killed run's lines before a separator"
else
  ok workers
fi

# --- api-backoff: every restart dies during start-up while the port is taken ---
api="$(pid_of api)"
kill -9 "$api"
python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
for _ in range(100):
    try:
        s.bind(("127.0.0.1", int(sys.argv[1]))); break
    except OSError:
        time.sleep(0.02)
s.listen()
time.sleep(300)' "$API_PORT" &
HOLDER_PID=$!
# The kill is restarted after 1 s, the first start-up death after 2 s, the second after 4 s.
wait_for 60 grep -q "the API (pid [0-9]*) exited after .*restarting it in 4s" "$OUT"
delays="$(grep -o "the API (pid [0-9]*) exited after [0-9]*s, .*; restarting it in [0-9]*s" "$OUT" | grep -o '[0-9]*s$' | tr '\n' ' ')"
restarts_while_held="$(grep -c "restarted the API" "$OUT")"
kill "$HOLDER_PID" 2>/dev/null
wait "$HOLDER_PID" 2>/dev/null
HOLDER_PID=""
if [[ "$delays" != "1s 2s 4s " ]]; then
  fail api-backoff "restart delays were '${delays}', expected '1s 2s 4s '"
elif ((restarts_while_held > 3)); then
  fail api-backoff "$restarts_while_held restarts while the port was taken: a tight loop"
elif ! wait_for 40 ready; then
  fail api-backoff "the API was not ready again within 40 s of the port being free"
elif ! wait_for 5 out_has "the API is ready again"; then
  fail api-backoff "the terminal does not say that the API is ready again"
elif [[ "$(pid_of api)" == "$api" || "$(pid_of api)" == "$first_api" ]]; then
  fail api-backoff "api.pid still names the killed API"
else
  ok api-backoff
fi

# --- ctrl-c: SIGINT to the process group stops everything ---
hosts=("$(pid_of api)" "$(pid_of workers)" "$(pid_of kafka-dev-broker)" "$(pid_of mail-catcher)" "$(pid_of fake-slack)" "$(pid_of fake-jira)" "$(pid_of fake-teams)" "$(pid_of fake-hubspot)" "$(pid_of fake-exact-online)")
kill -INT -- "-$RUNSH_PID"
rc=0
if ! wait_for 90 runsh_gone; then
  fail ctrl-c "run.sh still running 90 s after SIGINT"
else
  wait "$RUNSH_PID" 2>/dev/null || rc=$?
  left="$(leftovers "${hosts[@]}")"
  if ((rc != 0)); then
    fail ctrl-c "run.sh exited with $rc"
  elif [[ -n "$left" ]]; then
    fail ctrl-c "processes left running: $left"
  elif [[ -f "$RUN_DIR/pg/data/postmaster.pid" ]]; then
    fail ctrl-c "PostgreSQL was not stopped (postmaster.pid is still there)"
  elif compgen -G "$RUN_DIR/*.pid" >/dev/null; then
    fail ctrl-c "pid files left: $(ls "$RUN_DIR"/*.pid)"
  elif ! out_has "[run] stopped"; then
    fail ctrl-c "run.sh did not say it stopped"
  else
    ok ctrl-c
  fi
fi

# --- broker: its death stops everything, topics lost ---
start_runsh 2
if ! wait_for 150 ready; then
  fail broker "the second start was not ready within 150 s"
else
  hosts=("$(pid_of api)" "$(pid_of workers)")
  kill -9 "$(pid_of kafka-dev-broker)"
  rc=0
  if ! wait_for 90 runsh_gone; then
    fail broker "run.sh still running 90 s after the broker died"
  else
    wait "$RUNSH_PID" 2>/dev/null || rc=$?
    left="$(leftovers "${hosts[@]}")"
    if ((rc != 1)); then
      fail broker "run.sh exited with $rc, expected 1"
    elif ! out_has "its topics lived in memory only and are lost"; then
      fail broker "the terminal does not say that the topics are lost: $(grep -F '[run]' "$OUT" | tail -n 4)"
    elif [[ -n "$left" ]]; then
      fail broker "processes left running: $left"
    elif [[ -f "$RUN_DIR/pg/data/postmaster.pid" ]]; then
      fail broker "PostgreSQL was not stopped"
    else
      ok broker
    fi
  fi
fi

echo "$passed passed, $failed failed"
((failed == 0))
