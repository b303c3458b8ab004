#!/usr/bin/env bash
# Benchmarks (not tests). Each result is a ratio against a reference
# measured in this same run, on this machine:
#   (a) mutual-TLS handshakes per second: `healthsync daemon` vs `openssl s_server`
#       with the same certificates, both driven by `openssl s_time -new` (must be >= 0.8);
#   (b) fetching 100 000 samples over mutual TLS vs `sqlite3 -json` reading the
#       same rows from the same database;
#   (c) start-up of `healthsync --version` and `healthsync status --json --offline`
#       vs `openssl version`;
#   (d) the daemon's resident memory idle and with 200 open TLS connections
#       (and `openssl s_server`'s idle, for scale);
#   (e) a fetch while 20 000 hostile connections are held open;
#   (f) fetching 100 000 samples through a Syncthing relay (`strelaysrv` on 127.0.0.1,
#       no public pool) vs the direct path, in the same run, from the same daemon.
# BENCH_SECONDS (default 5) sets how long each handshake run lasts.
set -euo pipefail
# Discovery stays on this machine: HealthSync's UDP probe, asked of 127.0.0.1 only (no multicast onto the network).
export HEALTHSYNC_DISCOVERY_ADAPTER=udp HEALTHSYNC_DISCOVERY_TARGETS=127.0.0.1
cd "$(dirname "$0")/.."
eval "$(bash scripts/setup-system.sh)"

swift build -c release --static-swift-stdlib --product healthsync >&2
swift build -c release --static-swift-stdlib --product healthsync-bench >&2
bindir="$(swift build -c release --show-bin-path)"
bin="$bindir/healthsync" holder="$bindir/healthsync-bench"
seconds="${BENCH_SECONDS:-5}"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" NO_COLOR=1
phone="$work/phone" laptop="$work/laptop"

now() { date +%s%N; }
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$2" | head -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)); }
await() {
  for _ in $(seq 400); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "timed out waiting for '$2' in $1" >&2; exit 1
}

echo "== Setting up: a phone with 100 000+ samples, a laptop paired with it" >&2
HEALTHSYNC_STATE_DIR="$phone" "$bin" samples generate --days 646 >/dev/null
# With --json, the code is an event line on standard error; the one document on stdout is the pairing.
HEALTHSYNC_STATE_DIR="$phone" "$bin" share --port 0 --advertise 127.0.0.1 --yes --once --json \
  2>"$work/share.json" >/dev/null </dev/null &
share_pid=$!
pids+=($share_pid)
await "$work/share.json" '"code"'
HEALTHSYNC_STATE_DIR="$laptop" "$bin" pair --code "$(field code "$work/share.json")" \
  --host "127.0.0.1:$(field port "$work/share.json")" >/dev/null 2>&1
wait "$share_pid" || true

HEALTHSYNC_STATE_DIR="$phone" "$bin" daemon --port 0 --api-port 0 --discovery-port 0 --json >"$work/daemon.json" 2>/dev/null &
daemon_pid=$!
pids+=($daemon_pid)
await "$work/daemon.json" '"port"'
port="$(field port "$work/daemon.json")"
HEALTHSYNC_STATE_DIR="$phone" "$bin" cert export --output "$work/phone-pem" >/dev/null
HEALTHSYNC_STATE_DIR="$laptop" "$bin" cert export --output "$work/laptop-pem" >/dev/null

# The reference server: the phone's own server certificate, key and CA, TLS 1.3, client certificate required.
sport="$(free_port)"
openssl s_server -quiet -accept "$sport" -naccept 100000000 -tls1_3 -alpn healthsync/1 \
  -cert "$work/phone-pem/server.pem" -key "$work/phone-pem/client-key.pem" \
  -CAfile "$work/phone-pem/this-device-ca.pem" -Verify 1 >/dev/null 2>&1 </dev/null &
sserver_pid=$!
pids+=($sserver_pid)
sleep 0.5

echo "== (a) Mutual-TLS handshakes per second, openssl s_time -new, ${seconds}s per run, 2 runs each" >&2
# s_time prints "N connections in T real seconds"; the rate is per wall-clock second.
handshakes() {
  openssl s_time -connect "127.0.0.1:$1" -new -time "$seconds" -cert "$work/laptop-pem/client.pem" \
    -key "$work/laptop-pem/client-key.pem" -CAfile "$work/laptop-pem/ca.pem" 2>/dev/null \
    | awk '/connections in .* real seconds/ { print $1, $4 }'
}
daemon_n=0 daemon_t=0 sserver_n=0 sserver_t=0
for _ in 1 2; do
  read -r n t < <(handshakes "$port"); daemon_n=$((daemon_n + n)); daemon_t=$(awk -v a="$daemon_t" -v b="$t" 'BEGIN{print a+b}')
  read -r n t < <(handshakes "$sport"); sserver_n=$((sserver_n + n)); sserver_t=$(awk -v a="$sserver_t" -v b="$t" 'BEGIN{print a+b}')
done
daemon_rate="$(awk -v n="$daemon_n" -v t="$daemon_t" 'BEGIN { printf "%.1f", n / t }')"
sserver_rate="$(awk -v n="$sserver_n" -v t="$sserver_t" 'BEGIN { printf "%.1f", n / t }')"
handshake_ratio="$(ratio "$daemon_rate" "$sserver_rate")"

echo "== (b) 100 000 samples: healthsync fetch over mutual TLS vs sqlite3 -json" >&2
start=$(now)
HEALTHSYNC_STATE_DIR="$laptop" "$bin" fetch --types all --limit 100000 --format json --host "127.0.0.1:$port" \
  >"$work/fetched.json" 2>/dev/null
fetch_ms=$(( ($(now) - start) / 1000000 ))
fetched=$(grep -o '"id" *:' "$work/fetched.json" | wc -l || true)
start=$(now)
sqlite3 -json "$phone/samples.sqlite" \
  "SELECT id, type, value, unit, start_ms, end_ms, source_name, metadata FROM samples ORDER BY start_ms, id LIMIT 100000" \
  >"$work/sqlite.json"
sqlite_ms=$(( ($(now) - start) / 1000000 ))
selected=$(grep -o '"id" *:' "$work/sqlite.json" | wc -l || true)

echo "== (c) Start-up, 20 runs each" >&2
startup() {
  local start; start=$(now)
  for _ in $(seq 20); do "$@" >/dev/null 2>&1; done
  echo $(( ($(now) - start) / 20000 ))   # microseconds per run
}
version_us=$(startup "$bin" --version)
status_us=$(HEALTHSYNC_STATE_DIR="$laptop" startup "$bin" status --json --offline)
openssl_us=$(startup openssl version)

echo "== (d) Resident memory" >&2
idle_kb=$(rss_kb "$daemon_pid")
sserver_kb=$(rss_kb "$sserver_pid")
mkfifo "$work/hold"
HEALTHSYNC_STATE_DIR="$laptop" "$holder" hold 200 --host "127.0.0.1:$port" <"$work/hold" >"$work/hold.out" 2>&1 &
holder_pid=$!
pids+=($holder_pid)
exec 3>"$work/hold"
await "$work/hold.out" "open 200"
sleep 0.5
busy_kb=$(rss_kb "$daemon_pid")
exec 3>&-
wait "$holder_pid" || true

echo "== (e) 20 000 hostile connections (slowloris from 80 loopback sources) while a fetch is served" >&2
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fetch_1000() {
  local start; start=$(now)
  HEALTHSYNC_STATE_DIR="$laptop" "$bin" fetch --types all --limit 1000 --format json --host "127.0.0.1:$port" \
    --timeout 30000 >"$work/fetch-1000.json" 2>/dev/null || { echo -1; return; }
  echo $(( ($(now) - start) / 1000000 ))
}
calm_ms=$(fetch_1000)
before_kb=$(rss_kb "$daemon_pid")
# 20 000, or as many as this shell may open (a few descriptors kept back).
hostile=$(( $(ulimit -n) - 200 )); [ "$hostile" -le 20000 ] || hostile=20000
python3 Tests/Fixtures/scripts/hostile_connections.py flood 127.0.0.1 "$port" "$hostile" 25 >"$work/flood.json" &
flood_pid=$!
pids+=($flood_pid)
sleep 10
attack_ms=$(fetch_1000)
during_kb=$(rss_kb "$daemon_pid")
wait "$flood_pid" || true
sleep 3
after_kb=$(rss_kb "$daemon_pid")
flood="$(cat "$work/flood.json")"

echo "== (f) 100 000 samples through a Syncthing relay vs direct" >&2
kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null || true
relay_port="$(free_port)"
mkdir -p "$work/relay"
strelaysrv -pools "" -listen "127.0.0.1:$relay_port" -status-srv "" -keys "$work/relay" >"$work/relay.log" 2>&1 &
pids+=($!)
await "$work/relay.log" 'URI: relay://'
relay_uri="$(sed -n 's/.*URI: \(relay:[^ ]*\).*/\1/p' "$work/relay.log" | head -n 1)"
# The phone listens on 127.0.0.1 only and advertises 127.0.0.2, where nothing answers: a
# device paired now has no direct address for it and goes through the relay.
HEALTHSYNC_STATE_DIR="$phone" HEALTHSYNC_REACH_RELAYS="$relay_uri" HEALTHSYNC_TRANSPORT_LISTEN_HOST=127.0.0.1 \
  "$bin" daemon --port 0 --api-port 0 --discovery-port 0 --advertise 127.0.0.2 --json >"$work/daemon2.json" 2>/dev/null &
daemon_pid=$!
pids+=($daemon_pid)
await "$work/daemon2.json" '"port"'
port="$(field port "$work/daemon2.json")"
sleep 1
remote="$work/remote-laptop"
HEALTHSYNC_STATE_DIR="$phone" "$bin" pair --yes --json 2>"$work/pair2.json" >/dev/null </dev/null &
pair_pid=$!
await "$work/pair2.json" '"payload"'
payload="$(python3 -c 'import json,sys
for line in open(sys.argv[1]):
    if "\"payload\"" in line: print(json.loads(line)["payload"]); break' "$work/pair2.json")"
HEALTHSYNC_STATE_DIR="$remote" HEALTHSYNC_DISCOVERY_ENABLED=false "$bin" pair --token "$payload" >/dev/null 2>&1
wait "$pair_pid" || true
start=$(now)
HEALTHSYNC_STATE_DIR="$remote" HEALTHSYNC_DISCOVERY_ENABLED=false "$bin" fetch --types all --limit 100000 --format json \
  --timeout 60000 >"$work/relayed.json" 2>"$work/relayed.err"
relayed_ms=$(( ($(now) - start) / 1000000 ))
relayed=$(grep -o '"id" *:' "$work/relayed.json" | wc -l || true)
start=$(now)
HEALTHSYNC_STATE_DIR="$laptop" "$bin" fetch --types all --limit 100000 --format json --host "127.0.0.1:$port" \
  >"$work/direct.json" 2>/dev/null
direct_ms=$(( ($(now) - start) / 1000000 ))

cat <<EOF

HealthSync benchmarks ($(nproc) cores, $(openssl version | cut -d' ' -f1-2), ${seconds}s handshake runs)
(a) handshakes/s   healthsync daemon $daemon_rate   openssl s_server $sserver_rate   ratio $handshake_ratio (>= 0.8 required)
(b) 100k samples   healthsync fetch ${fetch_ms} ms ($fetched rows)   sqlite3 -json ${sqlite_ms} ms ($selected rows)   ratio $(ratio "$fetch_ms" "$sqlite_ms")
(c) start-up       --version ${version_us} us   status --json --offline ${status_us} us   openssl version ${openssl_us} us   ratios $(ratio "$version_us" "$openssl_us") / $(ratio "$status_us" "$openssl_us")
(d) daemon RSS     idle $((idle_kb / 1024)) MB   with 200 TLS connections $((busy_kb / 1024)) MB   ($(( (busy_kb - idle_kb) / 200 )) KB per connection; ratio $(ratio "$busy_kb" "$idle_kb"))   openssl s_server idle $((sserver_kb / 1024)) MB
(e) under attack   fetch of 1000 samples ${attack_ms} ms during $hostile slowloris connections, ${calm_ms} ms before   ratio $(ratio "$attack_ms" "$calm_ms")   daemon RSS $((before_kb / 1024)) MB before, $((during_kb / 1024)) MB during, $((after_kb / 1024)) MB after   $flood
(f) via a relay    healthsync fetch through strelaysrv ${relayed_ms} ms ($relayed rows)   direct ${direct_ms} ms   ratio $(ratio "$relayed_ms" "$direct_ms")
EOF

[ "$fetched" -eq 100000 ] || { echo "fetch returned $fetched samples, not 100000" >&2; exit 1; }
[ "$relayed" -eq 100000 ] || { echo "the relayed fetch returned $relayed samples: $(cat "$work/relayed.err")" >&2; exit 1; }
[ "$attack_ms" -ge 0 ] || { echo "the fetch failed during the hostile connections" >&2; exit 1; }
awk -v r="$handshake_ratio" 'BEGIN { exit !(r >= 0.8) }' || { echo "handshake ratio $handshake_ratio is below 0.8" >&2; exit 1; }
