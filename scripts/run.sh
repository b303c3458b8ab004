#!/usr/bin/env bash
# The README's main-job command: installs missing system packages, builds
# healthsync, and runs a demo on 127.0.0.1 with temporary devices: a phone
# shares its data, a laptop pairs with the 6-digit code (SPAKE2+), a tablet
# with the QR payload (token), the laptop fetches over mutual TLS 1.3, and
# everything is removed at the end. Your real keystore is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/setup-system.sh)"

swift build -c release --product healthsync >&2
bin="$(swift build -c release --show-bin-path)/healthsync"

demo="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$demo"
}
trap cleanup EXIT
export HOME="$demo/home" XDG_CONFIG_HOME="$demo/config" NO_COLOR=1
phone="$demo/phone" laptop="$demo/laptop" tablet="$demo/tablet"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$2" | head -n 1; }

# Starts `healthsync share --once --yes` for the phone and waits for its first line.
share() {
  "$bin" share --state-dir "$phone" --port "${1:-0}" --advertise 127.0.0.1 --yes --once --json \
    >"$demo/share.json" 2>/dev/null </dev/null &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$demo/share.json" ] && return 0; sleep 0.1; done
  echo "share did not start" >&2
  exit 1
}

step "healthsync samples generate --days 7   # on the phone"
"$bin" samples generate --days 7 --state-dir "$phone"

step "healthsync share   # on the phone: a code and a QR payload"
share
port="$(field port "$demo/share.json")"
code="$(field code "$demo/share.json")"
echo "Sharing on 127.0.0.1:$port with code $code"

step "healthsync pair --code $code --host 127.0.0.1:$port   # on the laptop"
"$bin" pair --code "$code" --host "127.0.0.1:$port" --state-dir "$laptop"
wait "${pids[-1]}" || true

step "healthsync share --port $port   # again, for the tablet"
rm -f "$demo/share.json"
share "$port"
payload="$(sed -n 's/.*"payload":"\(.*\)","port".*/\1/p' "$demo/share.json" | sed 's/\\"/"/g')"

step "healthsync pair --token '<QR payload>'   # on the tablet"
"$bin" pair --token "$payload" --state-dir "$tablet"
wait "${pids[-1]}" || true

step "healthsync daemon --port $port   # on the phone"
"$bin" daemon --state-dir "$phone" --port "$port" &
pids+=($!)
sleep 1

step "healthsync fetch --types steps,heartRate --limit 6   # on the laptop"
"$bin" fetch --types steps,heartRate --limit 6 --state-dir "$laptop"

step "healthsync status   # on the laptop"
"$bin" status --state-dir "$laptop"

step "healthsync devices   # on the phone"
"$bin" devices --state-dir "$phone"

step "healthsync unpair   # on the tablet"
"$bin" unpair --state-dir "$tablet"

step "healthsync cert info   # on the laptop"
"$bin" cert info --state-dir "$laptop"
