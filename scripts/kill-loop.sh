#!/usr/bin/env bash
# SIGKILLs HealthSync at random moments, KILLS times (default 200) each:
# during `samples import`, during pairing (the sharing side and the joining
# side in turn), during `config set`, and during certificate renewal (both
# devices' clocks moved 340 days ahead with libfaketime, so the joiner's
# client certificate is due). After each kind, every store is opened again:
# the keystore (identity, peers), the sample store (SQLite integrity check),
# the configuration, and the pairing still works. Prints one line per kind.
set -euo pipefail
# Discovery stays on this machine: HealthSync's UDP probe, asked of 127.0.0.1 only (no multicast onto the network).
export HEALTHSYNC_DISCOVERY_ADAPTER=udp HEALTHSYNC_DISCOVERY_TARGETS=127.0.0.1
cd "$(dirname "$0")/.."
eval "$(bash scripts/setup-system.sh)"
if ! command -v faketime >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq faketime >/dev/null
fi
kills="${KILLS:-200}"
swift build --product healthsync >&2
bin="$(swift build --show-bin-path)/healthsync"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" NO_COLOR=1
mkdir -p "$HOME"
hs() { local state="$1"; shift; HEALTHSYNC_DEVICE_NAME="$(basename "$state")" HEALTHSYNC_STATE_DIR="$state" "$bin" "$@"; }
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$2" | head -n 1; }
# A top-level field of the JSON document in file $2.
json() { python3 -c 'import json,sys; print(json.load(open(sys.argv[2]))[sys.argv[1]])' "$1" "$2"; }
# When the joiner's client certificate (from the sharer's CA) ends.
client_until() {
  hs "$joiner" cert info --json 2>/dev/null | python3 -c 'import json,sys
print(" ".join(c.get("validTo", "?") for c in json.load(sys.stdin)["certificates"] if c["kind"] == "client"))'
}
# A random pause of 0 to $1 milliseconds.
pause() { sleep "$(awk -v max="$1" -v seed="$RANDOM" 'BEGIN { srand(seed); printf "%.3f", rand() * max / 1000 }')"; }
# Starts a command, kills it with SIGKILL after a random pause (up to $1 ms), reaps it.
kill_during() {
  local most="$1"; shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  pause "$most"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
# Waits until file $1 holds text $2 (at most 10 s).
await() { for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }

# Every store of a device opens and is whole.
check_device() {
  local state="$1"
  hs "$state" status --offline --json >/dev/null 2>&1
  hs "$state" devices --json >/dev/null 2>&1
  hs "$state" cert info --json >/dev/null 2>&1
  hs "$state" config show --json >/dev/null 2>&1
  if [ -f "$state/samples.sqlite" ]; then
    [ "$(sqlite3 "$state/samples.sqlite" 'PRAGMA integrity_check')" = ok ]
  fi
}

report() { printf '%-22s %5s SIGKILLs  %s\n' "$1" "$kills" "$2"; }

# 1. samples import of a 3.8 MB export (hkimport's fixture).
export_file=Tests/Fixtures/apple-health/hkimport/export.xml
importer="$work/importer"
# Each import takes about a second (debug build): killed within its first 700 ms.
for _ in $(seq "$kills"); do kill_during 700 hs "$importer" samples import "$export_file"; done
check_device "$importer"
hs "$importer" samples import "$export_file" --json >"$work/import.json" 2>/dev/null
hs "$work/clean" samples import "$export_file" --json >/dev/null 2>&1
stored="$(sqlite3 "$importer/samples.sqlite" 'SELECT count(*) FROM samples')"
clean="$(sqlite3 "$work/clean/samples.sqlite" 'SELECT count(*) FROM samples')"
[ "$stored" = "$clean" ]
report "samples import" "then: stores open, integrity ok; after a last import $stored samples, as a clean import stores ($clean)"

# 2. pairing, killing the sharing and the joining side in turn.
sharer="$work/sharer" joiner="$work/joiner"
paired_ok=0
for round in $(seq "$kills"); do
  log="$work/share.log"
  hs "$sharer" share --port 0 --advertise 127.0.0.1 --yes --once --json >/dev/null 2>"$log" &
  share_pid=$!
  pids+=("$share_pid")
  if ! await "$log" '"event":"listening"'; then kill -9 "$share_pid" 2>/dev/null || true; wait "$share_pid" 2>/dev/null || true; continue; fi
  code="$(field code "$log")" port="$(field port "$log")"
  hs "$joiner" pair --code "$code" --host "127.0.0.1:$port" --json >/dev/null 2>&1 &
  join_pid=$!
  pause 1500
  if [ $((round % 2)) -eq 0 ]; then kill -9 "$share_pid" 2>/dev/null || true; else kill -9 "$join_pid" 2>/dev/null || true; fi
  kill -9 "$share_pid" "$join_pid" 2>/dev/null || true
  wait "$share_pid" "$join_pid" 2>/dev/null || true
  check_device "$sharer"
  check_device "$joiner"
done
# Afterwards a pairing still completes.
hs "$sharer" share --port 0 --advertise 127.0.0.1 --yes --once --json >/dev/null 2>"$work/share.log" &
pids+=($!)
await "$work/share.log" '"event":"listening"'
hs "$joiner" pair --code "$(field code "$work/share.log")" --host "127.0.0.1:$(field port "$work/share.log")" --json >/dev/null 2>&1
report "pairing (both sides)" "then: both keystores open after every kill, and a new pairing completes"

# 3. config set.
for round in $(seq "$kills"); do kill_during 40 hs "$joiner" config set server.host "10.0.$((round % 250)).1"; done
hs "$joiner" config show --json >/dev/null
hs "$joiner" config set server.host 127.0.0.1 >/dev/null
report "config set" "then: the configuration parses and can be set"

# 4. renewal: both clocks 340 days ahead, the joiner's client certificate is due.
ahead="+340d"
daemon_log="$work/daemon.log"
hs "$joiner" config set server.host "" >/dev/null 2>&1 || true
FAKETIME="$ahead" faketime -f "$ahead" env HEALTHSYNC_DEVICE_NAME=sharer HEALTHSYNC_STATE_DIR="$sharer" \
  "$bin" daemon --port 0 --api-port 0 --discovery-port 0 --json >"$daemon_log" 2>&1 &
daemon_pid=$!
pids+=("$daemon_pid")
await "$daemon_log" '"port"'
dport="$(field port "$daemon_log")"
before="$(client_until)"
for _ in $(seq "$kills"); do
  kill_during 400 faketime -f "$ahead" env HEALTHSYNC_DEVICE_NAME=joiner HEALTHSYNC_STATE_DIR="$joiner" \
    "$bin" fetch --types steps --limit 1 --host "127.0.0.1:$dport" --json
done
check_device "$joiner"
check_device "$sharer"
faketime -f "$ahead" env HEALTHSYNC_STATE_DIR="$joiner" "$bin" fetch --types steps --limit 1 --host "127.0.0.1:$dport" --json \
  >"$work/fetch.json" 2>/dev/null
# faketime forwards no signal: stop the daemon itself (its pid is in daemon.json).
kill "$(json pid "$sharer/daemon.json")" 2>/dev/null || true
wait "$daemon_pid" 2>/dev/null || true
after="$(client_until)"
[ "$after" != "$before" ]
report "renewal" "then: both keystores open, a fetch 340 days on succeeds, the client certificate renewed ($before -> $after)"
