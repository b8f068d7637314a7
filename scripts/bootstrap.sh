#!/usr/bin/env bash
# Installs everything the build, run and tests need on a fresh Debian machine, idempotently:
# Debian packages, librdkafka 2.15.1 built from source (Confluent.Kafka's native library), a local
# NuGet package wrapping it (librdkafka.redist is not in our registry) and the development broker.
# Expensive outputs are cached in $INTEGRATIONS_CACHE and reused by every clone on the machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RDKAFKA_VERSION=2.15.1
NPM_CARRIER="@confluentinc/kafka-javascript@1.10.1"   # bundles the exact librdkafka source Confluent.Kafka 2.15.1 expects
CACHE="${INTEGRATIONS_CACHE:-$HOME/.cache/integrations}"
BROKER_SRC="$ROOT/tools/kafka-dev-broker/dev_broker.c"
# The cache key covers our patch to the mock cluster's retention, so changing it rebuilds.
PATCH_ID="retention-v1"
RDK_CACHE="$CACHE/librdkafka-$RDKAFKA_VERSION-$PATCH_ID"
BUILD="$ROOT/.build"
LOCAL_FEED="$BUILD/nuget-local"

log() { printf '[bootstrap] %s\n' "$*" >&2; }

need_apt=()
for pkg in build-essential pkg-config python3 zlib1g-dev libssl-dev libzstd-dev liblz4-dev kcat postgresql curl ca-certificates jq; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if ((${#need_apt[@]})); then
  log "installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { log "the .NET 10 SDK is required (dotnet not on PATH)"; exit 1; }
command -v npm >/dev/null || { log "npm is required to fetch the librdkafka source"; exit 1; }

if [[ ! -f "$RDK_CACHE/lib/librdkafka.so" || ! -f "$RDK_CACHE/include/librdkafka/rdkafka_mock.h" ]]; then
  log "building librdkafka $RDKAFKA_VERSION from source (about a minute)"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$NPM_CARRIER" >/dev/null && tar xzf ./*.tgz)
  src="$work/package/deps/librdkafka"
  grep -q "RD_KAFKA_VERSION  *0x020f01ff" "$src/src/rdkafka.h" || { log "unexpected librdkafka version in $NPM_CARRIER"; exit 1; }
  # The mock cluster keeps only 5 MiB / 100k batches per partition and silently skips lagging
  # consumers past that. Raise it for development; PostgreSQL stays the source of truth (ADR 0003).
  sed -i 's/mpart->max_size = 1024 \* 1024 \* 5;/mpart->max_size = 1024L * 1024 * 512;/; s/mpart->max_cnt  = 100000;/mpart->max_cnt  = 5000000;/' "$src/src/rdkafka_mock.c"
  grep -q "1024L \* 1024 \* 512" "$src/src/rdkafka_mock.c" || { log "retention patch did not apply"; exit 1; }
  (cd "$src" && ./configure --prefix="$RDK_CACHE" --no-download --disable-gssapi --disable-curl \
      --enable-zlib --enable-zstd --enable-ssl --enable-lz4-ext >"$work/configure.log" 2>&1) \
    || { tail -30 "$work/configure.log"; exit 1; }
  make -C "$src/src" -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -30 "$work/make.log"; exit 1; }
  mkdir -p "$RDK_CACHE/lib" "$RDK_CACHE/include/librdkafka"
  cp "$src/src/librdkafka.so.1" "$RDK_CACHE/lib/librdkafka.so"
  strip --strip-unneeded "$RDK_CACHE/lib/librdkafka.so"
  cp "$src/src/rdkafka.h" "$src/src/rdkafka_mock.h" "$RDK_CACHE/include/librdkafka/"
  rm -rf "$work"; trap - EXIT
fi

# A NuGet package named librdkafka.redist so Confluent.Kafka restores against our own native build.
nupkg="$LOCAL_FEED/librdkafka.redist.$RDKAFKA_VERSION.nupkg"
if [[ ! -f "$nupkg" || "$RDK_CACHE/lib/librdkafka.so" -nt "$nupkg" ]]; then
  log "packing librdkafka.redist $RDKAFKA_VERSION into $LOCAL_FEED"
  mkdir -p "$LOCAL_FEED"
  stage="$(mktemp -d)"
  mkdir -p "$stage/runtimes/linux-x64/native"
  cp "$RDK_CACHE/lib/librdkafka.so" "$stage/runtimes/linux-x64/native/"
  cat >"$stage/librdkafka.redist.nuspec" <<NUSPEC
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>librdkafka.redist</id>
    <version>$RDKAFKA_VERSION</version>
    <authors>Integrations (built from librdkafka source)</authors>
    <description>librdkafka $RDKAFKA_VERSION for linux-x64, built locally by scripts/bootstrap.sh.</description>
  </metadata>
</package>
NUSPEC
  (cd "$stage" && python3 - "$nupkg" <<'PY'
import os, sys, zipfile
out = sys.argv[1]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for base, _, files in os.walk("."):
        for f in files:
            p = os.path.join(base, f)[2:]
            z.write(p, p)
PY
  )
  rm -rf "$stage"
  # A stale extracted copy in the repo's package folder would shadow the new build.
  rm -rf "$ROOT/.nuget/packages/librdkafka.redist"
fi

# The development broker: librdkafka's in-memory Kafka-protocol cluster in its own process.
broker="$BUILD/bin/kafka-dev-broker"
if [[ ! -x "$broker" || "$BROKER_SRC" -nt "$broker" || "$RDK_CACHE/lib/librdkafka.so" -nt "$broker" ]]; then
  log "compiling the development broker"
  mkdir -p "$BUILD/bin" "$BUILD/lib"
  cp "$RDK_CACHE/lib/librdkafka.so" "$BUILD/lib/librdkafka.so.1"
  gcc -O2 -Wall -o "$broker" "$BROKER_SRC" -I"$RDK_CACHE/include" \
      -L"$BUILD/lib" -l:librdkafka.so.1 -Wl,-rpath,'$ORIGIN/../lib'
fi
# The Redoc bundle that /docs serves (embedded into the API at build time).
"$ROOT/scripts/fetch-docs-assets.sh"
# The independent Standard Webhooks verifier the webhook delivery tests run (pinned in its package-lock.json).
verifier="$ROOT/tests/webhook-verifier"
if [[ ! -d "$verifier/node_modules/standardwebhooks" || "$verifier/package-lock.json" -nt "$verifier/node_modules" ]]; then
  log "installing the webhook signature verifier (npm ci)"
  (cd "$verifier" && npm ci --no-audit --no-fund --silent)
fi
# The local mail catcher run.sh starts (maildev, pinned in its package-lock.json).
catcher="$ROOT/tools/mail-catcher"
if [[ ! -d "$catcher/node_modules/maildev" || "$catcher/package-lock.json" -nt "$catcher/node_modules" ]]; then
  log "installing the local mail catcher (npm ci)"
  (cd "$catcher" && npm ci --no-audit --no-fund --silent && touch node_modules)
fi
log "ready: librdkafka $RDKAFKA_VERSION, broker at $broker"
