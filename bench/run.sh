#!/usr/bin/env bash
# Builds the solution in Release and runs a benchmark: bench/<Name> (default Webhooks).
#
#   bench/run.sh                     the webhook delivery benchmark (six to nine minutes)
#   bench/run.sh Webhooks --quick    the same with shorter phases (a smoke run, numbers less stable)
#   bench/run.sh Webhooks --latency-only | --throughput-only   one side of it (for profiling)
#   bench/run.sh Pagination          another benchmark under bench/
#   bench/run.sh Ingestion           single vs batch event ingestion (about 2 minutes)
#   bench/run.sh SchemaValidation    event data validation, JsonSchema.Net vs the old subset (about 40 s)
#   bench/run.sh EventAppend         appends on Marten vs the es_events log it replaced (about 2 minutes)
#   bench/run.sh CredentialVault     envelope encryption, vault vs a plain row, KEK rotation rate (about 20 s)
#   bench/run.sh Connectors          connector calls/s at fan-out 1 and 10 vs a plain HttpClient; a healthy connection beside bad ones (about 3 minutes)
#   bench/run.sh Inbound             inbound accept rate and p99 vs a bare Kestrel endpoint; nothing lost with the Workers or the broker down a minute (about 5 minutes)
#   bench/run.sh Schedules           10,000 schedules due at one minute against a provider allowing 600 calls/min: drain time, concurrency, 429s, ingestion p99 (about 25 minutes)
#   bench/run.sh RateLimitStore      the per-request rate-limit counter in PostgreSQL vs a trivial round trip (ADR 0007)
#   bench/run.sh Reliability         faults under load (kill -9 of the API and each Workers pipeline, broker down 60 s, Kafka request errors, PostgreSQL restarted, a hanging receiver, a hanging provider; webhooks and connector calls) and scale-out; nothing acknowledged lost (about 11 minutes; --quick 3 to 5)
#   bench/run.sh Console             console and operator pages' load times with 10,000 deliveries in the log (about 3 minutes; a script, bench/Console/run.sh)
#
# The benchmarks start their own PostgreSQL and Kafka dev broker (like the tests, ADR 0006) where they need them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
name="${1:-Webhooks}"
shift $(( $# > 0 ? 1 : 0 ))
project="$ROOT/bench/$name/Integrations.Bench.$name.csproj"
script="$ROOT/bench/$name/run.sh"
[[ -f "$project" || -f "$script" ]] || { echo "no benchmark bench/$name" >&2; exit 2; }

"$ROOT/scripts/bootstrap.sh"
export INTEGRATIONS_BROKER_BIN="$ROOT/.build/bin/kafka-dev-broker"
export INTEGRATIONS_PG_BIN="${INTEGRATIONS_PG_BIN:-/usr/lib/postgresql/15/bin}"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

dotnet build Integrations.sln -c Release --nologo -v quiet
# A benchmark that drives the whole system from outside (the console pages) is a script of its own.
if [[ ! -f "$project" ]]; then exec bash "$script" "$@"; fi
dotnet "$ROOT/bench/$name/bin/Release/net10.0/linux-x64/Integrations.Bench.$name.dll" "$@"
