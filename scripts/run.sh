#!/usr/bin/env bash
# The README's main-job command: installs missing system packages, builds
# healthsync, and shows this device's identity, certificates and status.
# State goes to --state-dir (default: a fresh temporary folder, removed at
# the end) so that trying it never touches your real keystore.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/setup-system.sh)"

swift build -c release --product healthsync >&2
bin="$(swift build -c release --show-bin-path)/healthsync"

state="${1:-}"
if [ -z "$state" ]; then
  state="$(mktemp -d)"
  trap 'rm -rf "$state"' EXIT
fi
export HEALTHSYNC_STATE_DIR="$state"

echo "\$ healthsync cert info"
"$bin" cert info
echo
echo "\$ healthsync cert info --ca --json"
"$bin" cert info --ca --json
echo
echo "\$ healthsync status"
"$bin" status
echo
echo "\$ healthsync samples generate --days 7"
"$bin" samples generate --days 7
echo
echo "\$ healthsync cert export --output $state/export && openssl verify -CAfile ca.pem server.pem"
"$bin" cert export --output "$state/export"
openssl verify -CAfile "$state/export/ca.pem" "$state/export/server.pem"
