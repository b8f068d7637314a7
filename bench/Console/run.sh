#!/usr/bin/env bash
# Page load times of the console and the operator dashboard with 10,000 deliveries in one endpoint's
# log (issue 19: "pages load in < 300 ms with 10,000 deliveries in the log"). Starts its own system
# from the Release build (tests/contract/system.sh), seeds the deliveries through the API (100 batches
# of 100 events to a local receiver, one in ten answered 500 so the dead-letter views have rows),
# then times each page over HTTP: 5 warm-up requests, then 30 timed ones, median and 95th percentile
# of the whole answer. Prints one line a page; about 3 minutes on two cores.
#
#   bench/Console/run.sh            (build first: dotnet build Integrations.sln -c Release)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(cd ../.. && pwd)"
source "$ROOT/tests/contract/system.sh"
trap stop_system EXIT
# One retry a second after the first attempt: the receiver's 500s are dead-lettered within seconds.
export Webhooks__RetrySchedule=1s
start_system || { echo "the system did not start"; exit 1; }
PG_PORT="$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$ConnectionStrings__Postgres")"
export PSQL="$PG_BIN/psql -h 127.0.0.1 -p $PG_PORT -U postgres -d integrations -XAtq"
node pages.mjs
