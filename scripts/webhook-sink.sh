#!/usr/bin/env bash
# A local webhook receiver to watch deliveries while trying the platform out (README, "First calls"):
# listens on 127.0.0.1, answers 200 to every request and prints its webhook-id, webhook-timestamp
# and webhook-signature headers and its body, pretty-printed. Given the endpoint's signing secret
# (whsec_..., in the response that created the endpoint, or from .../reveal-secret), it also checks
# each signature as a real receiver must. Stays in the foreground; Ctrl-C stops it.
#
#   scripts/webhook-sink.sh                  port 9000, signatures not checked
#   scripts/webhook-sink.sh 9000 whsec_...   port 9000, signatures checked (or WEBHOOK_SECRET=whsec_...)
#
# Register it as an endpoint's url: http://127.0.0.1:9000/ (any path). run.sh allows targets on
# this machine (Webhooks__AllowPrivateNetworkTargets=true); production refuses them (SSRF policy).
# Needs Node.js only (no npm packages).
set -euo pipefail
command -v node >/dev/null || { echo "webhook-sink: Node.js (node) is required" >&2; exit 1; }
exec node "$(dirname "${BASH_SOURCE[0]}")/webhook-sink.mjs" "$@"
