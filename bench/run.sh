#!/usr/bin/env bash
# bench/run.sh — end-to-end load benchmark: mosquitto and the emulator under the same load, on the same machine, in one run.
#
#   bash bench/run.sh                 full matrix (N=100,000; rules 1, 100, 10,000; QoS 1 and 0; latency at half rate)
#   bash bench/run.sh --quick         N=20,000; rules 100 and 10,000; a couple of minutes
#   bash bench/run.sh --repeat 3      the whole matrix three times, one after the other; the table shows medians
#   bash bench/run.sh --help          every option
#
# a. mosquitto (Debian package, installed when missing) on a free loopback port with a config written to a temp dir,
#    one counting subscriber (IoTRuleEmu.Load sub): publish → delivery throughput and latency;
# b. the emulator (built as the container image builds it: Release, Native AOT; --build jit for `dotnet build`) with R
#    rules, rule i = SELECT * FROM 'bench/i/+' → lambda bench_succeed (behavior succeed), each message matching exactly
#    one rule: publish → InvokeExecution throughput (cloudtrail.jsonl), latency send → first attempt (invocations.jsonl),
#    lost messages, CPU and peak RSS; start → ready and idle RSS;
# c. one table with both systems side by side and the ratios, and the issue's targets; JSON in bench/results/;
# d. the emulator's ingest floor: no rules at all, publish → accepted by the broker (GET /_emulator/stats), i.e. what
#    MQTTnet and the hand-off to the rules engine cost before any rule runs, with its ratio to mosquitto end to end.
# Loopback only; every wait is bounded; every process it starts is stopped by its pid on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=100000
RULES="1 100 10000"
QOS_LIST="1 0"
CONNECTIONS=4
WINDOW=32
TIMEOUT=180
IDLE_TIMEOUT=15
HALF=1
FLOOR=1
MOSQUITTO=1
BUILD=1
BUILD_KIND=native
KEEP=0
OUT=""
REPEAT=1
EMU_ARGS=()
CMDLINE="bench/run.sh $*"

usage() {
  cat <<'EOF'
usage: bash bench/run.sh [options]
  --quick               N=20000, rules "100 10000" (a short run for development)
  -n, --messages N      messages per run (default 100000)
  --rules "R1 R2 ..."   rule counts for the emulator (default "1 100 10000"; 1 is run at QoS 1 only)
  --qos "1 0"           QoS levels (default "1 0")
  --connections K       publisher connections (default 4)
  --window W            publishes in flight per connection (default 32)
  --no-half             skip the latency runs at half the maximum rate
  --no-floor            skip the ingest-floor runs (the emulator with no rules, timed to the broker's hand-off)
  --no-mosquitto        skip the mosquitto baseline
  --build native|jit    the emulator as the container image ships it, compiled ahead of time (`dotnet publish`,
                        default), or as `dotnet run` runs it, on the JIT (`dotnet build -c Release`)
  --no-build            use the existing Release builds
  --repeat K            run the whole matrix K times (mosquitto, then the emulator, each time) and report medians
                        and each run; ratios are taken within a repetition (default 1)
  --emu-arg ARG         extra argument for the emulator (repeatable), e.g. --emu-arg --log-level --emu-arg warning
  --timeout S           bound for one run (default 180 s)
  --out FILE            results JSON (default bench/results/<UTC time>.json)
  --keep                keep the temp dir (logs, data folders)
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) N=20000; RULES="100 10000" ;;
    -n|--messages) N=$2; shift ;;
    --rules) RULES=$2; shift ;;
    --qos) QOS_LIST=$2; shift ;;
    --connections) CONNECTIONS=$2; shift ;;
    --window) WINDOW=$2; shift ;;
    --no-half) HALF=0 ;;
    --no-floor) FLOOR=0 ;;
    --no-mosquitto) MOSQUITTO=0 ;;
    --no-build) BUILD=0 ;;
    --build) BUILD_KIND=$2; shift
      case "$BUILD_KIND" in native|jit) ;; *) echo "--build must be native or jit" >&2; exit 2 ;; esac ;;
    --emu-arg) EMU_ARGS+=("$2"); shift ;;
    --timeout) TIMEOUT=$2; shift ;;
    --out) OUT=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
LOAD="$ROOT/bench/IoTRuleEmu.Load/bin/Release/net10.0/IoTRuleEmu.Load"
if [ "$BUILD_KIND" = native ]; then
  EMU="$ROOT/src/IoTRuleEmu/bin/Release/net10.0/linux-x64/publish/IoTRuleEmu"
else
  EMU="$ROOT/src/IoTRuleEmu/bin/Release/net10.0/IoTRuleEmu"
fi
TMP=$(mktemp -d /tmp/iotruleemu-bench.XXXXXX)
RES="$TMP/results"
# Logs, data folders and the functions file each get their own folder: the emulator watches the functions file's folder,
# and a log written next to it would wake that watcher on every line.
mkdir -p "$RES" "$TMP/config" "$TMP/logs"
PIDS=()

log() { printf '[run.sh %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

stop_pid() { # stop one process we started: TERM, wait up to 15 s, then KILL
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  log "pid $pid did not stop in 15 s: KILL"
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [ "$KEEP" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

free_port() { # first port from $1 on that nobody listens on (bounded: 200 tries)
  local p=$1
  for _ in $(seq 200); do
    if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then echo "$p"; return 0; fi
    p=$((p + 1))
  done
  echo "no free port from $1" >&2; return 1
}

wait_file() { # wait for a file, at most $2 seconds
  local i
  for i in $(seq $(( $2 * 20 ))); do [ -f "$1" ] && return 0; sleep 0.05; done
  return 1
}

json_num() { # json_num FILE KEY → the number (first occurrence), empty when missing
  grep -o "\"$2\": *[0-9.eE+-]*" "$1" 2>/dev/null | head -1 | sed 's/.*: *//'
}

# ---- preflight --------------------------------------------------------------------------------------------------------
if [ "$MOSQUITTO" = 1 ] && ! command -v mosquitto >/dev/null && [ ! -x /usr/sbin/mosquitto ]; then
  log "installing mosquitto (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq mosquitto >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq mosquitto >/dev/null; }
fi
MOSQ_BIN=$(command -v mosquitto || echo /usr/sbin/mosquitto)
command -v ss >/dev/null || { echo "ss (iproute2) is needed" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }

if [ "$BUILD" = 1 ]; then
  if [ "$BUILD_KIND" = native ]; then
    log "building (Release, Native AOT: dotnet publish, about a minute and a half)"
    dotnet publish -c Release -r linux-x64 -v q -nologo "$ROOT/src/IoTRuleEmu/IoTRuleEmu.csproj" >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; exit 1; }
  else
    log "building (Release, JIT)"
    dotnet build -c Release -v q -nologo "$ROOT/src/IoTRuleEmu/IoTRuleEmu.csproj" >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; exit 1; }
  fi
  dotnet build -c Release -v q -nologo "$ROOT/bench/IoTRuleEmu.Load/IoTRuleEmu.Load.csproj" >>"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; exit 1; }
fi
[ -x "$LOAD" ] && [ -x "$EMU" ] || { echo "missing Release builds ($LOAD, $EMU)" >&2; exit 1; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
MEM_GIB=$(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo)
MOSQ_VERSION=$({ "$MOSQ_BIN" -h 2>/dev/null || true; } | head -1 | grep -o '[0-9][0-9.]*' | head -1 || true)
MACHINE="$(nproc) vCPU $CPU_MODEL, ${MEM_GIB} GiB, $(uname -sr), .NET $(dotnet --version 2>/dev/null || true), mosquitto ${MOSQ_VERSION:-?}, emulator build $BUILD_KIND"
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null || true)" ]; then COMMIT="$COMMIT+uncommitted"; fi
log "machine: $MACHINE; load average $LOAD_BEFORE; N=$N, rules '$RULES', QoS '$QOS_LIST', $CONNECTIONS connections × window $WINDOW"
if awk -v l="${LOAD_BEFORE%% *}" 'BEGIN { exit !(l > 1.5) }'; then
  log "WARNING: load average ${LOAD_BEFORE%% *} > 1.5: other work shares the 2 cores, figures will be low and noisy"
fi

# ---- one measured run: consumer first (waits until ready), then the publisher --------------------------------------
# run_load LABEL PORT QOS TOPICS COUNT RATE SERVER_PID sub|tail|ingest [DATA_DIR]
run_load() {
  local label=$1 port=$2 qos=$3 topics=$4 count=$5 rate=$6 spid=$7 kind=$8 data=${9:-}
  rm -f "$TMP/ready"
  if [ "$kind" = sub ]; then
    "$LOAD" sub --port "$port" --qos "$qos" --filter 'bench/#' --expect "$count" --pid "$spid" --ready-file "$TMP/ready" \
      --out "$RES/$label.json" --label "$label" --timeout "$TIMEOUT" --idle-timeout "$IDLE_TIMEOUT" &
  elif [ "$kind" = ingest ]; then
    "$LOAD" ingest --http-port "$EMU_HTTP" --expect "$count" --pid "$spid" --ready-file "$TMP/ready" \
      --out "$RES/$label.json" --label "$label" --timeout "$TIMEOUT" --idle-timeout "$IDLE_TIMEOUT" &
  else
    "$LOAD" tail --data "$data" --expect "$count" --pid "$spid" --ready-file "$TMP/ready" \
      --out "$RES/$label.json" --label "$label" --timeout "$TIMEOUT" --idle-timeout "$IDLE_TIMEOUT" &
  fi
  local cpid=$!
  PIDS+=("$cpid")
  wait_file "$TMP/ready" 30 || { log "$label: consumer not ready in 30 s"; stop_pid "$cpid"; return 1; }
  "$LOAD" pub --port "$port" --qos "$qos" --count "$count" --connections "$CONNECTIONS" --window "$WINDOW" --topics "$topics" \
    --rate "$rate" --out "$RES/$label.pub.json" --label "$label" --timeout "$TIMEOUT" || log "$label: publisher reported failures"
  wait "$cpid" || log "$label: consumer exited with $?"
}

# ---- a. mosquitto ---------------------------------------------------------------------------------------------------
start_mosquitto() {
  MOSQ_PORT=$(free_port 28830)
  cat >"$TMP/mosquitto.conf" <<EOF
# written by bench/run.sh: loopback only, anonymous, in memory; queues unbounded so that QoS 1 loses nothing
listener $MOSQ_PORT 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
max_inflight_messages 100
set_tcp_nodelay true
log_dest stderr
log_type error
log_type warning
EOF
  "$MOSQ_BIN" -c "$TMP/mosquitto.conf" >"$TMP/mosquitto.log" 2>&1 &
  MOSQ_PID=$!
  PIDS+=("$MOSQ_PID")
  local i
  for i in $(seq 100); do ss -Htln "sport = :$MOSQ_PORT" | grep -q . && return 0; sleep 0.05; done
  log "mosquitto did not listen on $MOSQ_PORT"; cat "$TMP/mosquitto.log" >&2; return 1
}

half_rate() { # half of the throughput of a finished run, at least 500 msg/s
  local t
  t=$(json_num "$RES/$1.json" throughput)
  awk -v t="${t:-1000}" 'BEGIN { r = t / 2; if (r < 500) r = 500; printf "%.0f", r }'
}

half_count() { # messages for a half-rate run: about 10 s of it, between 5,000 and N
  awk -v r="$1" -v n="$N" 'BEGIN { c = r * 10; if (c > n) c = n; if (c < 5000) c = 5000; printf "%.0f", c }'
}

# ---- b. the emulator --------------------------------------------------------------------------------------------------
# start_emulator LABEL RULES_DIR → EMU_PID, EMU_MQTT, EMU_HTTP, EMU_DATA; writes <label>.startup.json
start_emulator() {
  local label=$1 rules_dir=$2 rules=$3
  EMU_MQTT=$(free_port 28840)
  EMU_HTTP=$(free_port $((EMU_MQTT + 1)))
  EMU_DATA="$TMP/data-$label"
  rm -rf "$EMU_DATA"; mkdir -p "$EMU_DATA"
  local t0 t1 i ready=0
  t0=$(date +%s%N)
  "$EMU" --mqtt-port "$EMU_MQTT" --http-port "$EMU_HTTP" --rules "$rules_dir" --functions "$TMP/config/functions.json" \
    --data "$EMU_DATA" "${EMU_ARGS[@]}" >"$TMP/logs/emulator-$label.log" 2>&1 &
  EMU_PID=$!
  PIDS+=("$EMU_PID")
  for i in $(seq 1200); do
    if curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$EMU_HTTP/_emulator/ready"; then ready=1; break; fi
    kill -0 "$EMU_PID" 2>/dev/null || break
    sleep 0.01
  done
  t1=$(date +%s%N)
  if [ "$ready" != 1 ]; then log "emulator $label not ready"; tail -20 "$TMP/logs/emulator-$label.log" >&2; return 1; fi
  sleep 2
  local rss
  rss=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$EMU_PID/status")
  printf '{"rules": %s, "startToReadySeconds": %s, "idleRssMiB": %s}\n' "$rules" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')" "$rss" >"$RES/$label.startup.json"
  log "emulator ($rules rules) ready in $(json_num "$RES/$label.startup.json" startToReadySeconds) s, idle RSS $rss MiB"
}

mkdir -p "$TMP/rules-0"
"$LOAD" gen-rules --dir "$TMP/rules-0" --count 0 --functions-file "$TMP/config/functions.json" 2>/dev/null
for rules in $RULES; do
  "$LOAD" gen-rules --dir "$TMP/rules-$rules" --count "$rules" --functions-file "$TMP/config/functions.json"
done

# ---- the runs, REPEAT times: with --repeat every label gets "#k", k = the repetition ------------------------------------
for rep in $(seq "$REPEAT"); do
SUF=""; REP_TEXT=""
if [ "$REPEAT" -gt 1 ]; then SUF="#$rep"; REP_TEXT="[$rep/$REPEAT] "; fi

if [ "$MOSQUITTO" = 1 ]; then
  for qos in $QOS_LIST; do
    start_mosquitto
    log "${REP_TEXT}mosquitto QoS $qos: $N messages (port $MOSQ_PORT)"
    run_load "mosq-q$qos$SUF" "$MOSQ_PORT" "$qos" 100 "$N" 0 "$MOSQ_PID" sub
    stop_pid "$MOSQ_PID"
  done
  if [ "$HALF" = 1 ] && [ -f "$RES/mosq-q1$SUF.json" ]; then
    rate=$(half_rate "mosq-q1$SUF"); count=$(half_count "$rate")
    start_mosquitto
    log "${REP_TEXT}mosquitto QoS 1 at half rate: $count messages at $rate msg/s"
    run_load "mosq-q1-half$SUF" "$MOSQ_PORT" 1 100 "$count" "$rate" "$MOSQ_PID" sub
    stop_pid "$MOSQ_PID"
  fi
fi

for rules in $RULES; do
  first=1
  for qos in $QOS_LIST; do
    if [ "$rules" = 1 ] && [ "$qos" != 1 ]; then continue; fi
    label="emu-r$rules-q$qos$SUF"
    start_emulator "$label" "$TMP/rules-$rules" "$rules"
    if [ "$first" = 1 ]; then mv "$RES/$label.startup.json" "$RES/emu-r$rules$SUF.startup.json"; first=0; else rm -f "$RES/$label.startup.json"; fi
    log "${REP_TEXT}emulator $rules rules, QoS $qos: $N messages"
    run_load "$label" "$EMU_MQTT" "$qos" "$rules" "$N" 0 "$EMU_PID" tail "$EMU_DATA"
    stop_pid "$EMU_PID"
  done
done
if [ "$HALF" = 1 ] && [ -f "$RES/emu-r100-q1$SUF.json" ]; then
  rate=$(half_rate "emu-r100-q1$SUF"); count=$(half_count "$rate")
  start_emulator "emu-r100-q1-half$SUF" "$TMP/rules-100" 100
  rm -f "$RES/emu-r100-q1-half$SUF.startup.json"
  log "${REP_TEXT}emulator 100 rules, QoS 1 at half rate: $count messages at $rate msg/s"
  run_load "emu-r100-q1-half$SUF" "$EMU_MQTT" 1 100 "$count" "$rate" "$EMU_PID" tail "$EMU_DATA"
  stop_pid "$EMU_PID"
fi
if [ "$FLOOR" = 1 ]; then
  for qos in $QOS_LIST; do
    label="floor-q$qos$SUF"
    start_emulator "$label" "$TMP/rules-0" 0
    rm -f "$RES/$label.startup.json"
    log "${REP_TEXT}emulator ingest floor (no rules), QoS $qos: $N messages"
    run_load "$label" "$EMU_MQTT" "$qos" 100 "$N" 0 "$EMU_PID" ingest
    stop_pid "$EMU_PID"
  done
fi

done

# ---- c. report ----------------------------------------------------------------------------------------------------------
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
cat >"$RES/meta.json" <<EOF
{"machine": "$MACHINE", "loadBefore": "$LOAD_BEFORE", "loadAfter": "$LOAD_AFTER", "when": "$STAMP",
 "commit": "$COMMIT", "command": "$CMDLINE", "messages": $N, "connections": $CONNECTIONS, "window": $WINDOW,
 "emulatorArgs": "${EMU_ARGS[*]}"}
EOF
OUT=${OUT:-$ROOT/bench/results/$STAMP.json}
mkdir -p "$(dirname "$OUT")"
"$LOAD" report --dir "$RES" --out "$OUT"
cp "$RES"/*.json "$TMP/" 2>/dev/null || true
log "results: $OUT (load average before $LOAD_BEFORE, after $LOAD_AFTER)"
