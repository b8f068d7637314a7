#!/usr/bin/env bash
# Puts the Redoc standalone bundle (renders the API reference at /docs/reference, offline) into
# .build/docs-assets, from the npm registry with a pinned version and checksum. Cached in
# $INTEGRATIONS_CACHE like librdkafka; no node_modules: the bundle is one self-contained file.
# Its only request outside the host serving it (the attribution logo from Redocly's CDN) is
# replaced by an inline image, so /docs works offline without a failed request.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REDOC_VERSION=2.5.1
REDOC_SHA256=2d8d13e94b5a21011cc6f8260d87ca475d0f6f2faed16dd12e7394dfa3bb05b8
CACHE="${INTEGRATIONS_CACHE:-$HOME/.cache/integrations}/redoc-$REDOC_VERSION-offline"
OUT="$ROOT/.build/docs-assets"

if [[ ! -f "$CACHE/redoc.standalone.js" ]]; then
  echo "[docs-assets] fetching redoc@$REDOC_VERSION" >&2
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "redoc@$REDOC_VERSION" >/dev/null && tar xzf ./*.tgz package/bundles/redoc.standalone.js)
  actual="$(sha256sum "$work/package/bundles/redoc.standalone.js" | cut -d' ' -f1)"
  if [[ "$actual" != "$REDOC_SHA256" ]]; then
    echo "[docs-assets] checksum mismatch for redoc.standalone.js: $actual" >&2
    exit 1
  fi
  python3 - "$work/package/bundles/redoc.standalone.js" <<'PY'
import sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
logo = '"https://cdn.redoc.ly/redoc/logo-mini.svg"'
assert text.count(logo) == 1, "the attribution logo URL moved: review the offline patch"
open(path, "w", encoding="utf-8").write(text.replace(logo, "\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E\""))
PY
  mkdir -p "$CACHE"
  cp "$work/package/bundles/redoc.standalone.js" "$CACHE/"
fi
mkdir -p "$OUT"
cp "$CACHE/redoc.standalone.js" "$OUT/redoc.standalone.js"
