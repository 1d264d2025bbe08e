#!/usr/bin/env bash
# bench/ab.sh — is change B faster than A? Builds two commits of the emulator (Release) and runs the same load against
# each in alternation (A B, B A, A B, …), because on a shared 2-core VM two runs of one build differ by ±15%: only
# interleaved pairs show a difference smaller than that. Prints every run and the medians.
#
#   bash bench/ab.sh [options] REV_A [REV_B]     REV_B defaults to the working tree
#   bash bench/ab.sh --rules 100 --rules-b 10000 HEAD HEAD     one build, two rule counts
#   bash bench/ab.sh --emu-arg-b --log-level --emu-arg-b warning HEAD HEAD     one build, console lines on / off
#
# Each run: a fresh emulator with R rules (rule i = SELECT * FROM 'bench/i/+' → lambda bench_succeed), 1 s idle after
# ready, then `IoTRuleEmu.Load pub` publishes N messages over 4 connections × 32 in flight while `IoTRuleEmu.Load tail`
# waits for every InvokeExecution; throughput is publish → last first attempt, CPU is the emulator's own (user + system,
# sampled by tail from /proc) over the load.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=100000; QOS=1; PAIRS=3; RULES=100; RULES_B=""; EMU_ARGS=(); EMU_ARGS_B=(); BUILD_KIND=native; BUILD_A=""

usage() {
  cat <<'EOF'
usage: bash bench/ab.sh [options] REV_A [REV_B]
  REV_A, REV_B          git revisions to compare (REV_B defaults to the working tree as it is)
  -n, --messages N      messages per run (default 100000)
  --qos Q               0 or 1 (default 1)
  --pairs K             A/B pairs (default 3)
  --rules R             rules (default 100); messages go to R topics, one rule each
  --rules-b R           rules for B only (default: as A), to measure what the rule count costs
  --emu-arg ARG         extra argument for both emulators (repeatable), e.g. --emu-arg --log-level --emu-arg warning
  --emu-arg-b ARG       extra argument for B only (repeatable), to measure what an option costs on one build
  --build native|jit    both builds compiled ahead of time (`dotnet publish`, as the container image; default) or on
                        the JIT (`dotnet build`); a revision from before PublishAot is published with it switched on
  --build-a native|jit  A's build only (default: as --build), e.g. `--build-a jit HEAD HEAD`: the JIT against native
EOF
}

REVS=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n|--messages) N=$2; shift ;;
    --qos) QOS=$2; shift ;;
    --pairs) PAIRS=$2; shift ;;
    --rules) RULES=$2; shift ;;
    --rules-b) RULES_B=$2; shift ;;
    --emu-arg) EMU_ARGS+=("$2"); shift ;;
    --emu-arg-b) EMU_ARGS_B+=("$2"); shift ;;
    --build) BUILD_KIND=$2; shift
      case "$BUILD_KIND" in native|jit) ;; *) echo "--build must be native or jit" >&2; exit 2 ;; esac ;;
    --build-a) BUILD_A=$2; shift
      case "$BUILD_A" in native|jit) ;; *) echo "--build-a must be native or jit" >&2; exit 2 ;; esac ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    *) REVS+=("$1") ;;
  esac
  shift
done
if [ ${#REVS[@]} -lt 1 ] || [ ${#REVS[@]} -gt 2 ]; then usage >&2; exit 2; fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
TMP=$(mktemp -d /tmp/iotruleemu-ab.XXXXXX)
WORKTREES=()
cleanup() {
  for w in "${WORKTREES[@]}"; do git -C "$ROOT" worktree remove --force "$w" >/dev/null 2>&1 || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
log() { printf '[ab.sh %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# build LABEL REV KIND → sets BUILT to the emulator binary of REV (the working tree when REV is empty), native or jit
build() {
  local label=$1 rev=$2 kind=$3 src=$ROOT
  if [ -n "$rev" ]; then
    src="$TMP/src-$label"
    git -C "$ROOT" worktree add --detach --force "$src" "$rev" >/dev/null 2>&1 || { log "no such revision: $rev"; exit 2; }
    WORKTREES+=("$src")
  fi
  log "building $label (${rev:-working tree}, $kind)"
  if [ "$kind" = native ]; then
    # Older revisions: AOT switched on from the command line, their trim warnings (then unchecked) not fatal.
    dotnet publish -c Release -r linux-x64 -v q -nologo -p:PublishAot=true -p:TreatWarningsAsErrors=false \
      "$src/src/IoTRuleEmu/IoTRuleEmu.csproj" >"$TMP/build-$label.log" 2>&1 || { cat "$TMP/build-$label.log" >&2; exit 1; }
    BUILT="$src/src/IoTRuleEmu/bin/Release/net10.0/linux-x64/publish/IoTRuleEmu"
  else
    dotnet build -c Release -v q -nologo "$src/src/IoTRuleEmu/IoTRuleEmu.csproj" >"$TMP/build-$label.log" 2>&1 \
      || { cat "$TMP/build-$label.log" >&2; exit 1; }
    BUILT="$src/src/IoTRuleEmu/bin/Release/net10.0/IoTRuleEmu"
  fi
}

BUILD_A=${BUILD_A:-$BUILD_KIND}
build A "${REVS[0]}" "$BUILD_A"; EMU_A=$BUILT
# One revision twice with one kind of build: one build. (A native and a JIT build of one tree live side by side.)
if [ "${REVS[1]:-}" = "${REVS[0]}" ] && [ "$BUILD_A" = "$BUILD_KIND" ]; then EMU_B=$EMU_A; else build B "${REVS[1]:-}" "$BUILD_KIND"; EMU_B=$BUILT; fi
dotnet build -c Release -v q -nologo "$ROOT/bench/IoTRuleEmu.Load/IoTRuleEmu.Load.csproj" >"$TMP/build-load.log" 2>&1 \
  || { cat "$TMP/build-load.log" >&2; exit 1; }
LOAD="$ROOT/bench/IoTRuleEmu.Load/bin/Release/net10.0/IoTRuleEmu.Load"
RULES_B=${RULES_B:-$RULES}
mkdir -p "$TMP/config"
for r in $RULES $RULES_B; do
  [ -d "$TMP/rules-$r" ] || "$LOAD" gen-rules --dir "$TMP/rules-$r" --count "$r" --functions-file "$TMP/config/functions.json" >/dev/null 2>&1
done

# run LABEL BINARY RULES [EXTRA_ARG…] → one line: label throughput cpu-µs-per-message lost
run() {
  local label=$1 emu=$2 rules=$3 data="$TMP/data" i
  shift 3
  rm -rf "$data"; mkdir -p "$data"
  "$emu" --mqtt-port 29783 --http-port 29784 --rules "$TMP/rules-$rules" --functions "$TMP/config/functions.json" \
    --data "$data" "${EMU_ARGS[@]}" "$@" >"$TMP/emulator-$label.log" 2>&1 &
  local pid=$!
  for i in $(seq 1000); do
    curl -sf -o /dev/null --max-time 1 http://127.0.0.1:29784/_emulator/ready && break
    kill -0 "$pid" 2>/dev/null || { log "emulator $label exited"; tail -20 "$TMP/emulator-$label.log" >&2; exit 1; }
    sleep 0.02
  done
  sleep 1
  rm -f "$TMP/ready"
  "$LOAD" tail --data "$data" --expect "$N" --pid "$pid" --ready-file "$TMP/ready" --out "$TMP/tail.json" --label "$label" \
    --timeout 300 --idle-timeout 30 >/dev/null 2>&1 &
  local tail=$!
  for i in $(seq 600); do [ -f "$TMP/ready" ] && break; sleep 0.05; done
  "$LOAD" pub --port 29783 --qos "$QOS" --count "$N" --connections 4 --window 32 --topics "$rules" --rate 0 \
    --out "$TMP/pub.json" --label "$label" --timeout 300 >/dev/null 2>&1 || log "$label: publisher reported failures"
  wait "$tail" || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
  # tail samples the emulator's CPU (user + system, /proc) from ready until the last first attempt.
  python3 - "$TMP/tail.json" "$label" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]} {t['throughput']:.0f} {t['serverCpuSeconds'] * 1e6 / max(t['received'], 1):.0f} {t['lost']}")
PY
}

log "$PAIRS pairs, $N messages each, QoS $QOS; A=${REVS[0]} with $RULES rules, B=${REVS[1]:-working tree} with $RULES_B rules${EMU_ARGS_B[*]:+ and ${EMU_ARGS_B[*]}}"
: >"$TMP/runs"
for pair in $(seq "$PAIRS"); do
  # A B, then B A: whichever runs second in a pair must not always be the same one.
  if [ $((pair % 2)) = 1 ]; then
    run A "$EMU_A" "$RULES" | tee -a "$TMP/runs"
    run B "$EMU_B" "$RULES_B" "${EMU_ARGS_B[@]}" | tee -a "$TMP/runs"
  else
    run B "$EMU_B" "$RULES_B" "${EMU_ARGS_B[@]}" | tee -a "$TMP/runs"
    run A "$EMU_A" "$RULES" | tee -a "$TMP/runs"
  fi
done
python3 - "$TMP/runs" <<'PY'
import statistics, sys
runs = [line.split() for line in open(sys.argv[1]) if line.strip()]
print("\n| build | runs: throughput (msg/s) | median | runs: emulator CPU per message (µs) | median | lost |")
print("|---|---|---|---|---|---|")
for label in ("A", "B"):
    mine = [r for r in runs if r[0] == label]
    tp, cpu = [int(r[1]) for r in mine], [int(r[2]) for r in mine]
    print(f"| {label} | {' · '.join(f'{x:,}' for x in tp)} | {statistics.median(tp):,.0f} | "
          f"{' · '.join(map(str, cpu))} | {statistics.median(cpu):.0f} | {sum(int(r[3]) for r in mine)} |")
PY
