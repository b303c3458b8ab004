#!/usr/bin/env bash
# The README's main-job command: installs missing system packages, builds
# healthsync, and runs a demo on 127.0.0.1 with temporary devices: a phone
# runs the daemon and starts pairing sessions through its control API, a
# laptop pairs with the 6-digit code (SPAKE2+), a tablet scans the QR code
# from a PNG (token), the laptop fetches and syncs over mutual TLS 1.3, and
# everything is removed at the end. Your real keystore is never touched.
set -euo pipefail
# Discovery stays on this machine: HealthSync's UDP probe, asked of 127.0.0.1 only (no multicast onto the network).
export HEALTHSYNC_DISCOVERY_ADAPTER=udp HEALTHSYNC_DISCOVERY_TARGETS=127.0.0.1
cd "$(dirname "$0")/.."
eval "$(bash scripts/setup-system.sh)"

swift build -c release --static-swift-stdlib --product healthsync >&2
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
# Each device has its own state folder and name.
device() { local name="$1"; shift; HEALTHSYNC_DEVICE_NAME="$name" HEALTHSYNC_STATE_DIR="$demo/$name" "$bin" "$@"; }
phone() { device phone "$@"; }
laptop() { device laptop "$@"; }
tablet() { device tablet "$@"; }

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$2" | head -n 1; }

# Waits until file $1 contains text $2.
await() {
  for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "timed out waiting for '$2' in $1" >&2
  exit 1
}

step "healthsync samples generate --days 7   # on the phone"
phone samples generate --days 7

step "healthsync samples import export.xml   # on the phone: an Apple Health export (ashtom/hkimport's, MIT), every kind kept"
phone samples import Tests/Fixtures/apple-health/hkimport/export.xml > "$demo/import.txt"
head -n 4 "$demo/import.txt"

step "healthsync daemon --port 0 --api-port 0 --discovery-port 0   # on the phone: peers over mutual TLS, control API on 127.0.0.1, discovery on UDP"
HEALTHSYNC_DEVICE_NAME=phone HEALTHSYNC_STATE_DIR="$phone" "$bin" daemon --port 0 --api-port 0 --discovery-port 0 --advertise 127.0.0.1 --json >"$demo/daemon.json" 2>/dev/null &
pids+=($!)
await "$demo/daemon.json" '"port"'
port="$(field port "$demo/daemon.json")"
discovery_port="$(field discovery "$demo/daemon.json" | cut -d: -f2)"
echo "The phone's daemon serves peers on port $port"

step "healthsync pair --yes   # on the phone: a session through its daemon (boxed code and QR code)"
HEALTHSYNC_DEVICE_NAME=phone HEALTHSYNC_STATE_DIR="$phone" "$bin" pair --yes >"$demo/pair.txt" 2>&1 </dev/null &
pair_pid=$!
pids+=($pair_pid)
await "$demo/pair.txt" "Waiting for connection"
cat "$demo/pair.txt"
code="$(sed -n 's/.*PAIRING CODE: \([0-9]*\).*/\1/p' "$demo/pair.txt")"

step "healthsync pair --code $code --host 127.0.0.1:$port   # on the laptop"
laptop pair --code "$code" --host "127.0.0.1:$port"
wait "$pair_pid" || true
tail -n 4 "$demo/pair.txt"

step "healthsync pair --yes --qr-png pairing.png   # on the phone, for the tablet"
HEALTHSYNC_DEVICE_NAME=phone HEALTHSYNC_STATE_DIR="$phone" "$bin" pair --yes --qr-png "$demo/pairing.png" >/dev/null 2>&1 </dev/null &
pair_pid=$!
pids+=($pair_pid)
for _ in $(seq 200); do [ -s "$demo/pairing.png" ] && break; sleep 0.05; done

step "healthsync scan --image pairing.png   # on the tablet: the QR code read with libzbar"
tablet scan --image "$demo/pairing.png"
wait "$pair_pid" || true

step "healthsync fetch --types steps,heartRate --limit 6   # on the laptop"
laptop fetch --types steps,heartRate --limit 6

step "healthsync sync   # on the laptop: the phone's samples into the laptop's store (twice: the second finds nothing new)"
laptop sync
laptop sync

step "healthsync samples count --types steps,bloodGlucose,workouts,food   # on the laptop: what arrived, without sqlite3"
laptop samples count --types steps,bloodGlucose,workouts,food

step "healthsync samples list --types bloodGlucose --latest --limit 3   # on the laptop"
laptop samples list --types bloodGlucose --latest --limit 3

step "healthsync samples export --format fhir -o health.json   # on the laptop: a FHIR R4 Bundle"
laptop samples export --format fhir -o "$demo/health.json"

step "healthsync status   # on the laptop: with a live check of the phone"
laptop status

step "healthsync discover --address 127.0.0.1:$discovery_port --verbose   # on the laptop (only the loopback is probed)"
laptop discover --address "127.0.0.1:$discovery_port" --verbose

step "healthsync status   # on the phone: its daemon answers"
phone status

step "healthsync devices   # on the phone"
phone devices

step "healthsync unpair   # on the tablet"
tablet unpair

step "healthsync fetch --types steps --limit 1 --debug-tls   # on the laptop"
laptop fetch --types steps --limit 1 --debug-tls

step "healthsync cert info   # on the laptop"
laptop cert info
