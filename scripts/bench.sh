#!/usr/bin/env bash
# Benchmarks (not tests). Every figure is a ratio against a reference
# measured in this same run, on this machine, and most have a bar (issue
# #14); the script prints them all and exits 1 when one misses its bar.
#   (a) mutual-TLS handshakes per second vs `openssl s_server` with the same
#       certificates, driven by `openssl s_time`: full handshakes with one
#       client (>= 1.0) and with two at once (>= 1.5: the daemon has both
#       cores, s_server one), resumed handshakes with `-reuse` (>= 1.0);
#   (b) fetching 100 000 samples over mutual TLS vs `sqlite3 -json` reading
#       the same rows from the same database (<= 2.0);
#   (b2) syncing those 100 000 samples into an empty store vs the same
#       `sqlite3 -json` (<= 3.0);
#   (c) start-up of `--version` (<= 3.0) and `status --json --offline`
#       (<= 5.0) vs `openssl version`;
#   (d) the daemon's resident memory idle after serving (b) (< 30 MB), per
#       idle TLS connection with 10 000 held open (<= 30 KB), and a fetch
#       that completes while they are held;
#   (e) a fetch while 20 000 hostile connections are held open (no bar);
#   (f) fetching 100 000 samples through a Syncthing relay vs direct (no bar);
#   (g) importing a 200 000-record Apple Health export vs healthkit-to-sqlite
#       1.0.1 on the same file (>= 30x faster, peak RSS <= 50 MB), and a
#       1 000 000-record one (<= 10 s).
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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f", a / b }'; }
# bar VALUE OP LIMIT: "ok" or "MISSED" (noted in a file: bar runs in a subshell).
bar() {
  if awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { exit !((op == "<=" && v <= l) || (op == ">=" && v >= l) || (op == "<" && v < l)) }'; then
    echo "ok"
  else
    echo "$1 $2 $3" >>"$work/missed"; echo "MISSED"
  fi
}
# peak COMMAND...: "milliseconds peak-RSS-KB exit-status" of the command, its output discarded.
peak() {
  python3 -c 'import resource, subprocess, sys, time
start = time.monotonic()
status = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
print(int((time.monotonic() - start) * 1000), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, status)' "$@"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)); }
await() {
  for _ in $(seq 400); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "timed out waiting for '$2' in $1" >&2; exit 1
}

echo "== Setting up: a phone with 100 000+ samples, a laptop and a tablet paired with it" >&2
HEALTHSYNC_STATE_DIR="$phone" "$bin" samples generate --days 646 >/dev/null
tablet="$work/tablet"
for device in "$laptop" "$tablet"; do
  # With --json, the code is an event line on standard error; the one document on stdout is the pairing.
  HEALTHSYNC_STATE_DIR="$phone" "$bin" share --port 0 --advertise 127.0.0.1 --yes --once --json \
    2>"$work/share.json" >/dev/null </dev/null &
  share_pid=$!
  pids+=($share_pid)
  await "$work/share.json" '"code"'
  HEALTHSYNC_STATE_DIR="$device" "$bin" pair --code "$(field code "$work/share.json")" \
    --host "127.0.0.1:$(field port "$work/share.json")" >/dev/null 2>&1
  wait "$share_pid" || true
done

# Idle connections are cut off after transport.idle_timeout_ms (30 s): (d) holds 10 000 for longer.
HEALTHSYNC_STATE_DIR="$phone" HEALTHSYNC_TRANSPORT_IDLE_TIMEOUT_MS=900000 \
  "$bin" daemon --port 0 --api-port 0 --discovery-port 0 --json >"$work/daemon.json" 2>/dev/null &
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

echo "== (a) Mutual-TLS handshakes per second, openssl s_time, ${seconds}s per run" >&2
# s_time prints "N connections in T real seconds" with T in whole seconds, too coarse for
# a ratio: the rate is N over the wall-clock time measured here around s_time.
handshakes() {  # PORT MODE(-new|-reuse) OUT
  local start n; start=$(now)
  n=$(openssl s_time -connect "127.0.0.1:$1" "$2" -time "$seconds" -cert "$work/laptop-pem/client.pem" \
    -key "$work/laptop-pem/client-key.pem" -CAfile "$work/laptop-pem/ca.pem" 2>/dev/null \
    | awk '/connections in .* real seconds/ { n = $1 } END { print n + 0 }')
  echo "$n $(awk -v ns=$(( $(now) - start )) 'BEGIN { print ns / 1e9 }')" >"$3"
}
# rate PORT MODE CLIENTS: handshakes per second with CLIENTS s_time processes at once.
rate() {
  local i waits=()
  for i in $(seq "$3"); do handshakes "$1" "$2" "$work/hs.$i" & waits+=($!); done
  wait "${waits[@]}"
  cat "$work"/hs.* | awk '{ n += $1; if ($2 > t) t = $2 } END { printf "%.1f", (t > 0 ? n / t : 0) }'
  rm -f "$work"/hs.*
}
daemon_rate=$(rate "$port" -new 1) sserver_rate=$(rate "$sport" -new 1)
daemon_rate2=$(rate "$port" -new 2) sserver_rate2=$(rate "$sport" -new 2)
daemon_reuse=$(rate "$port" -reuse 1) sserver_reuse=$(rate "$sport" -reuse 1)
handshake_ratio="$(ratio "$daemon_rate" "$sserver_rate")"
handshake_ratio2="$(ratio "$daemon_rate2" "$sserver_rate2")"
reuse_ratio="$(ratio "$daemon_reuse" "$sserver_reuse")"

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

echo "== (b2) 100 000 samples synced into the tablet's empty store vs the same sqlite3 -json" >&2
start=$(now)
HEALTHSYNC_STATE_DIR="$tablet" "$bin" sync --host "127.0.0.1:$port" >/dev/null 2>"$work/sync.err" || true
sync_ms=$(( ($(now) - start) / 1000000 ))
synced=$(sqlite3 "$tablet/samples.sqlite" "SELECT COUNT(*) FROM samples" 2>/dev/null || echo 0)

echo "== (c) Start-up, 20 runs each" >&2
startup() {
  local start; start=$(now)
  for _ in $(seq 20); do "$@" >/dev/null 2>&1; done
  echo $(( ($(now) - start) / 20000 ))   # microseconds per run
}
version_us=$(startup "$bin" --version)
status_us=$(HEALTHSYNC_STATE_DIR="$laptop" startup "$bin" status --json --offline)
openssl_us=$(startup openssl version)

echo "== (d) Resident memory, idle and with 10 000 idle TLS connections held" >&2
sleep 2
idle_kb=$(rss_kb "$daemon_pid")
# What of it is the process's own memory and what the binary's and libraries' mapped pages.
idle_split="$(awk '/^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 } END { printf "anonymous %.1f, files %.1f", a / 1024, f / 1024 }' "/proc/$daemon_pid/status")"
sserver_kb=$(rss_kb "$sserver_pid")
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
held=10000; [ "$(ulimit -n)" -gt 10200 ] || held=$(( $(ulimit -n) - 200 ))
mkfifo "$work/hold"
HEALTHSYNC_STATE_DIR="$laptop" "$holder" hold "$held" --host "127.0.0.1:$port" <"$work/hold" >"$work/hold.out" 2>&1 &
holder_pid=$!
pids+=($holder_pid)
exec 3>"$work/hold"
for _ in $(seq 3000); do grep -q "open $held" "$work/hold.out" 2>/dev/null && break
  kill -0 "$holder_pid" 2>/dev/null || break; sleep 0.1; done
sleep 1
busy_kb=$(rss_kb "$daemon_pid")
opened=$(sed -n 's/^open \([0-9]*\)$/\1/p' "$work/hold.out"); opened=${opened:-0}
start=$(now)
if HEALTHSYNC_STATE_DIR="$laptop" "$bin" fetch --types all --limit 1000 --format json --host "127.0.0.1:$port" \
  --timeout 30000 >/dev/null 2>&1; then held_fetch="completed in $(( ($(now) - start) / 1000000 )) ms"; else held_fetch="FAILED"; fi
exec 3>&-
wait "$holder_pid" || true
per_connection_kb=$(awk -v b="$busy_kb" -v i="$idle_kb" -v n="$opened" 'BEGIN { printf "%.1f", (n > 0 ? (b - i) / n : 1e9) }')

echo "== (e) 20 000 hostile connections (slowloris from 80 loopback sources) while a fetch is served" >&2
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

echo "== (g) Importing a 200 000-record Apple Health export vs healthkit-to-sqlite 1.0.1, then 1 000 000 records" >&2
# The peer importer from PyPI, in a venv of the benchmark's own.
if [ ! -x .venv-bench/bin/healthkit-to-sqlite ]; then
  python3 -m venv .venv-bench >/dev/null 2>&1 || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo";
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null; python3 -m venv .venv-bench; }
  .venv-bench/bin/pip install -q "healthkit-to-sqlite==1.0.1" >&2
fi
python3 Tests/Fixtures/scripts/gen_export.py "$work/export-200k.zip" 200000 --clean >/dev/null
python3 Tests/Fixtures/scripts/gen_export.py "$work/export-1m.zip" 1000000 --clean >/dev/null
elements=$(python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z: print(z.read("apple_health_export/export.xml").count(b"<Record "))' "$work/export-200k.zip")
read -r import_ms import_kb import_status < <(HEALTHSYNC_STATE_DIR="$work/importer" peak "$bin" samples import "$work/export-200k.zip")
read -r peer_ms peer_kb peer_status < <(peak .venv-bench/bin/healthkit-to-sqlite "$work/export-200k.zip" "$work/peer.db")
read -r million_ms million_kb million_status < <(HEALTHSYNC_STATE_DIR="$work/importer-1m" peak "$bin" samples import "$work/export-1m.zip")
speedup=$(ratio "$peer_ms" "$import_ms")

mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
row() { printf '%-5s %-58s %-44s %-9s %s\n' "$@"; }
echo
echo "HealthSync benchmarks ($(nproc) cores, $(openssl version | cut -d' ' -f1-2), ${seconds}s handshake runs)"
row "" "figure" "reference" "ratio" "bar"
row "(a1)" "full handshakes/s, 1 client: $daemon_rate" "openssl s_server $sserver_rate" "$handshake_ratio" ">= 1.0 $(bar "$handshake_ratio" ">=" 1.0)"
row "(a2)" "full handshakes/s, 2 clients: $daemon_rate2" "openssl s_server $sserver_rate2" "$handshake_ratio2" ">= 1.5 $(bar "$handshake_ratio2" ">=" 1.5)"
row "(a3)" "resumed handshakes/s (-reuse): $daemon_reuse" "openssl s_server $sserver_reuse" "$reuse_ratio" ">= 1.0 $(bar "$reuse_ratio" ">=" 1.0)"
row "(b)" "fetch 100k over mTLS: ${fetch_ms} ms ($fetched rows)" "sqlite3 -json ${sqlite_ms} ms ($selected rows)" "$(ratio "$fetch_ms" "$sqlite_ms")" "<= 2.0 $(bar "$(ratio "$fetch_ms" "$sqlite_ms")" "<=" 2.0)"
row "(b2)" "sync 100k into an empty store: ${sync_ms} ms ($synced rows)" "sqlite3 -json ${sqlite_ms} ms" "$(ratio "$sync_ms" "$sqlite_ms")" "<= 3.0 $(bar "$(ratio "$sync_ms" "$sqlite_ms")" "<=" 3.0)"
row "(c1)" "start-up --version: ${version_us} us" "openssl version ${openssl_us} us" "$(ratio "$version_us" "$openssl_us")" "<= 3.0 $(bar "$(ratio "$version_us" "$openssl_us")" "<=" 3.0)"
row "(c2)" "start-up status --json --offline: ${status_us} us" "openssl version ${openssl_us} us" "$(ratio "$status_us" "$openssl_us")" "<= 5.0 $(bar "$(ratio "$status_us" "$openssl_us")" "<=" 5.0)"
row "(d1)" "daemon RSS idle after (b): $(mb "$idle_kb") ($idle_split)" "openssl s_server idle $(mb "$sserver_kb")" "$(ratio "$idle_kb" "$sserver_kb")" "< 30 MB $(bar "$idle_kb" "<" 30720)"
row "(d2)" "per idle TLS connection, $opened held: ${per_connection_kb} KB" "(held: $(mb "$busy_kb"))" "" "<= 30 KB $(bar "$per_connection_kb" "<=" 30)"
row "(d3)" "fetch of 1000 while they are held: $held_fetch" "" "" "completes $( [ "$held_fetch" != FAILED ] && [ "$opened" -ge 10000 ] && echo ok || { echo held >>"$work/missed"; echo MISSED; })"
row "(e)" "fetch of 1000 during $hostile slowloris: ${attack_ms} ms" "before: ${calm_ms} ms" "$(ratio "$attack_ms" "$calm_ms")" "(RSS $((before_kb / 1024))/$((during_kb / 1024))/$((after_kb / 1024)) MB) $flood"
row "(f)" "fetch 100k through strelaysrv: ${relayed_ms} ms ($relayed rows)" "direct ${direct_ms} ms" "$(ratio "$relayed_ms" "$direct_ms")" ""
row "(g1)" "import 200k records ($elements Record elements): ${import_ms} ms" "healthkit-to-sqlite ${peer_ms} ms (exit $peer_status)" "${speedup}x" ">= 30x $(bar "$speedup" ">=" 30)"
row "(g2)" "import 200k peak RSS: $(mb "$import_kb")" "healthkit-to-sqlite $(mb "$peer_kb")" "$(ratio "$import_kb" "$peer_kb")" "<= 50 MB $(bar "$import_kb" "<=" 51200)"
row "(g3)" "import 1M records: ${million_ms} ms (exit $million_status)" "" "" "<= 10 s $(bar "$million_ms" "<=" 10000)"
[ "$import_status" -eq 0 ] && [ "$million_status" -eq 0 ] || { echo "an import failed" >&2; echo import >>"$work/missed"; }
if [ -s "$work/missed" ]; then echo "Some figures missed their bars (MISSED above)." >&2; exit 1; fi
