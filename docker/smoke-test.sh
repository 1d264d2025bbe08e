#!/usr/bin/env bash
# Container smoke test: builds the image from docker/Dockerfile with podman, runs it with the examples
# mounted, reproduces the reference article's two patterns with mosquitto_pub and checks
# <data>/cloudtrail.jsonl and <data>/invocations.jsonl.
#
#   bash docker/smoke-test.sh             # from the repository root (or anywhere: it finds the root)
#   bash docker/smoke-test.sh --prepare   # only steps 1-4: install podman & co, cache the local images
#
# No Docker engine and no public image registry are needed: the base image is made with debootstrap and
# the SDK image from the host's own .NET SDK (see ../shared/notes/containers.md); both are cached
# (`podman image exists`) and passed to the Dockerfile as SDK_IMAGE / BASE build arguments.
#
# Knobs (environment):
#   SMOKE_IMAGE      image tag to build and run        (default localhost/iotruleemu:smoke)
#   SMOKE_MQTT_PORT  MQTT port on 127.0.0.1            (default 18830)
#   SMOKE_HTTP_PORT  HTTP port on 127.0.0.1            (default 18080)
#   SMOKE_PATTERN1   1 = also run Pattern 1 (3 attempts, retry delays 1,2 s)  (default 1)
#   SMOKE_REBUILD_BASE  1 = rebuild the cached base and SDK images           (default 0)
#   SMOKE_KEEP       1 = keep the temporary folder (data, logs) even on success (default 0)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

PREPARE_ONLY=0
case "${1:-}" in
  --prepare) PREPARE_ONLY=1 ;;
  "") ;;
  -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
  *) echo "usage: bash docker/smoke-test.sh [--prepare]" >&2; exit 2 ;;
esac

IMAGE=${SMOKE_IMAGE:-localhost/iotruleemu:smoke}
MQTT_PORT=${SMOKE_MQTT_PORT:-18830}
HTTP_PORT=${SMOKE_HTTP_PORT:-18080}
RUN_PATTERN1=${SMOKE_PATTERN1:-1}
BASE_IMAGE=localhost/debian-base:bookworm
SDK_IMAGE=localhost/dotnet-sdk:10.0
APP_UID=1654            # the non-root user of docker/Dockerfile (same UID as Microsoft's images' "app")
CONTAINER=iotruleemu-smoke-$$
READY_TIMEOUT=90        # seconds for the emulator to become ready
RESULT_TIMEOUT=45       # seconds for the expected CloudTrail records to appear
SETTLE=4                # seconds to wait after that, to catch records that must NOT appear

START=$(date +%s)
log() { printf '[smoke %4ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
fail() { log "FAIL: $*"; exit 1; }

WORK=$(mktemp -d /var/tmp/iotruleemu-smoke.XXXXXX)
KEEP_WORK=${SMOKE_KEEP:-0}
CONTAINER_STARTED=0
cleanup() {
  local rc=$?
  if [ "$CONTAINER_STARTED" = 1 ]; then
    podman logs "$CONTAINER" >"$WORK/emulator.log" 2>&1 || true
    podman rm -f -v "$CONTAINER" >/dev/null 2>&1 || true
  fi
  if [ "$rc" -ne 0 ] || [ "$KEEP_WORK" = 1 ]; then
    echo "[smoke] kept $WORK (data/, build.log, emulator.log)"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# --- step 1: tools -------------------------------------------------------------------------------
need_pkgs=()
command -v podman >/dev/null 2>&1 || need_pkgs+=(podman)
command -v runc >/dev/null 2>&1 || need_pkgs+=(runc)
command -v debootstrap >/dev/null 2>&1 || need_pkgs+=(debootstrap)
if [ "$PREPARE_ONLY" = 0 ]; then
  command -v mosquitto_pub >/dev/null 2>&1 || need_pkgs+=(mosquitto-clients)
  command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
  command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)
fi
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

# --- step 2: no default ulimits (the sandbox cannot raise them) ------------------------------------
export CONTAINERS_CONF="$WORK/containers.conf"
printf '[containers]\ndefault_ulimits = []\n' > "$CONTAINERS_CONF"
# runc + cgroupfs: crun fails on cgroups here.
podman_build() { podman build --runtime runc --cgroup-manager cgroupfs "$@"; }
podman_run() { podman --runtime runc --cgroup-manager cgroupfs run "$@"; }

# --- step 3: base image (debootstrap, cached) ------------------------------------------------------
if [ "${SMOKE_REBUILD_BASE:-0}" = 1 ] || ! podman image exists "$BASE_IMAGE"; then
  t0=$(date +%s)
  log "making $BASE_IMAGE with debootstrap (about a minute)"
  rootfs="$WORK/rootfs"
  debootstrap --variant=minbase --include=ca-certificates,libssl3,libicu72,tzdata \
    bookworm "$rootfs" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log"; fail "debootstrap"; }
  tar -C "$rootfs" -c . | podman import -q - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
  log "base image ready in $(( $(date +%s) - t0 )) s"
else
  log "base image $BASE_IMAGE cached"
fi

# --- step 4: SDK image from the host's .NET SDK (cached, keyed by the SDK version) -----------------
# "+clang": the image also has the C toolchain that Native AOT links with (a cached image without it is rebuilt).
host_sdk="$(dotnet --version)+clang"
cached_sdk=$(podman image inspect --format '{{ index .Labels "iotruleemu.dotnet-sdk" }}' "$SDK_IMAGE" 2>/dev/null || true)
if [ "${SMOKE_REBUILD_BASE:-0}" = 1 ] || [ "$cached_sdk" != "$host_sdk" ]; then
  t0=$(date +%s)
  log "making $SDK_IMAGE from the host's .NET SDK $host_sdk"
  ctx="$WORK/sdk-context"
  mkdir -p "$ctx"
  cp -a "$(dirname "$(readlink -f "$(command -v dotnet)")")" "$ctx/dotnet"
  # Package downloads pass through a proxy whose CA only the host's bundle trusts.
  cp "$(openssl version -d | cut -d'"' -f2)/certs/ca-certificates.crt" "$ctx/"
  cat > "$ctx/Containerfile" <<EOF
FROM $BASE_IMAGE
COPY dotnet /usr/share/dotnet
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \\
    && apt-get update -qq && apt-get install -y -qq --no-install-recommends clang zlib1g-dev >/dev/null \\
    && rm -rf /var/lib/apt/lists/*
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \\
    NUGET_CERT_REVOCATION_MODE=offline
LABEL iotruleemu.dotnet-sdk=$host_sdk
EOF
  podman_build -q --network host -t "$SDK_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
  log "SDK image ready in $(( $(date +%s) - t0 )) s"
else
  log "SDK image $SDK_IMAGE ($host_sdk) cached"
fi

if [ "$PREPARE_ONLY" = 1 ]; then
  log "prepared: $BASE_IMAGE, $SDK_IMAGE"
  exit 0
fi

# --- step 5: the project's image -----------------------------------------------------------------
t0=$(date +%s)
log "building $IMAGE from docker/Dockerfile"
old_image=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
# --layers=false: no intermediate images pile up between runs (the NuGet cache mount still persists).
podman_build --network host --layers=false \
  --build-arg SDK_IMAGE="$SDK_IMAGE" --build-arg BASE="$BASE_IMAGE" \
  -f docker/Dockerfile -t "$IMAGE" . >"$WORK/build.log" 2>&1 \
  || { tail -40 "$WORK/build.log"; fail "image build (log: $WORK/build.log)"; }
log "image built in $(( $(date +%s) - t0 )) s"
new_image=$(podman image inspect --format '{{.Id}}' "$IMAGE")
if [ -n "$old_image" ] && [ "$old_image" != "$new_image" ]; then
  podman rmi "$old_image" >/dev/null 2>&1 || true
fi

# --- step 6: run it with the examples -------------------------------------------------------------
for port in "$MQTT_PORT" "$HTTP_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "port $port on 127.0.0.1 is already in use (set SMOKE_MQTT_PORT / SMOKE_HTTP_PORT)"
  fi
done
DATA="$WORK/data"
mkdir -p "$DATA"
chown "$APP_UID:$APP_UID" "$DATA"
t0=$(date +%s)
log "starting $CONTAINER (MQTT 127.0.0.1:$MQTT_PORT, HTTP 127.0.0.1:$HTTP_PORT)"
podman_run -d --name "$CONTAINER" --network host \
  -v "$ROOT/examples/rules:/rules:ro" \
  -v "$ROOT/examples/functions.json:/config/functions.json:ro" \
  -v "$DATA:/data" \
  -e IOTRULEEMU_MQTT_PORT="$MQTT_PORT" \
  -e IOTRULEEMU_HTTP_PORT="$HTTP_PORT" \
  -e IOTRULEEMU_LAMBDA_RETRY_DELAYS=1,2 \
  "$IMAGE" >/dev/null
CONTAINER_STARTED=1

dump_logs() {
  podman logs "$CONTAINER" >"$WORK/emulator.log" 2>&1 || true
  echo "----- emulator log (last 60 lines of $WORK/emulator.log)"
  tail -60 "$WORK/emulator.log"
  for f in cloudtrail.jsonl invocations.jsonl; do
    echo "----- $f"
    cat "$DATA/$f" 2>/dev/null || echo "(none)"
  done
  echo "-----"
}

running() { [ "$(podman inspect --format '{{.State.Running}}' "$CONTAINER" 2>/dev/null)" = true ]; }

# Ready = GET /_emulator/ready answers 200 (broker started, rules loaded, HTTP listening).
deadline=$(( $(date +%s) + READY_TIMEOUT ))
until [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/_emulator/ready" || true)" = 200 ]; do
  running || { dump_logs; fail "the container stopped before it was ready"; }
  if [ "$(date +%s)" -ge "$deadline" ]; then
    dump_logs; fail "GET /_emulator/ready did not answer 200 within ${READY_TIMEOUT} s"
  fi
  sleep 0.5
done
log "ready in $(( $(date +%s) - t0 )) s"

# --- the article's scenario ----------------------------------------------------------------------
pub() {
  mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -q 1 -i "smoke-$1" -t "article/$1" -m "$2" \
    || { dump_logs; fail "mosquitto_pub to article/$1"; }
}
log "publishing to article/pattern2 (action: function that does not exist)"
pub pattern2 '{"pattern":2,"message":"function missing"}'
expect="pattern2"
if [ "$RUN_PATTERN1" = 1 ]; then
  log "publishing to article/pattern1 (action: function that always fails; retries after 1 s and 2 s)"
  pub pattern1 '{"pattern":1,"message":"function fails"}'
  expect="pattern2,pattern1"
fi

cat > "$WORK/check.py" <<'PY'
"""Checks <data>/cloudtrail.jsonl and invocations.jsonl against the reference article's observations.
Exit 0 = everything expected is there; 1 = something is missing or wrong (printed)."""
import json, os, sys
data, expect = sys.argv[1], sys.argv[2].split(",")
ACCOUNT, REGION = "123456789012", "us-east-1"
def fn_arn(n): return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{n}"
def rule_arn(n): return f"arn:aws:iot:{REGION}:{ACCOUNT}:rule/{n}"
def load(name):
    path = os.path.join(data, name)
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
problems = []
try:
    trail, invocations = load("cloudtrail.jsonl"), load("invocations.jsonl")
except ValueError as e:
    print(f"  a line is not JSON: {e}"); sys.exit(1)

def fname(value):  # functionName may be a bare name or an ARN
    return (value or "").rsplit(":", 1)[-1] if (value or "").startswith("arn:") else (value or "")
invokes = [r for r in trail if r.get("eventName") == "Invoke"]
executions = [r for r in trail if r.get("eventName") == "InvokeExecution"]

def invokes_for(rule, function):
    return [r for r in invokes
            if (r.get("requestParameters") or {}).get("sourceArn") == rule_arn(rule)
            and fname((r.get("requestParameters") or {}).get("functionName")) == function]

def check_invoke(r, rule, function):
    p = r.get("requestParameters") or {}
    want = {"eventSource": "lambda.amazonaws.com", "sourceIPAddress": "iot.amazonaws.com",
            "userAgent": "iot.amazonaws.com", "eventCategory": "Data"}
    for k, v in want.items():
        if r.get(k) != v: problems.append(f"{rule}: Invoke {k} = {r.get(k)!r}, expected {v!r}")
    if (r.get("userIdentity") or {}).get("invokedBy") != "iot.amazonaws.com":
        problems.append(f"{rule}: Invoke userIdentity = {r.get('userIdentity')!r}")
    if p.get("invocationType") != "Event":
        problems.append(f"{rule}: Invoke invocationType = {p.get('invocationType')!r}, expected 'Event'")
    if p.get("sourceAccount") != ACCOUNT:
        problems.append(f"{rule}: Invoke sourceAccount = {p.get('sourceAccount')!r}")
    if not r.get("requestID"):
        problems.append(f"{rule}: Invoke without requestID")

def check_executions(rid, rule, function, count):
    ex = [r for r in executions if r.get("requestID") == rid]
    if len(ex) != count:
        problems.append(f"{rule}: {len(ex)} InvokeExecution of {function} with requestID {rid}, expected {count}")
    for r in ex:
        if (r.get("userIdentity") or {}).get("invokedBy") != "lambda.amazonaws.com" \
                or r.get("userAgent") != "lambda.amazonaws.com" or r.get("requestParameters") is not None:
            problems.append(f"{rule}: InvokeExecution fields wrong: {json.dumps(r)[:300]}")
    runs = [i for i in invocations if i.get("requestId") == rid]
    if len(runs) != count:
        problems.append(f"{rule}: {len(runs)} line(s) of {function} in invocations.jsonl, expected {count}")
    return runs

def one_invoke(rule, function):
    found = invokes_for(rule, function)
    if len(found) != 1:
        problems.append(f"{rule}: {len(found)} Invoke of {function}, expected 1")
        return None
    check_invoke(found[0], rule, function)
    return found[0].get("requestID")

if "pattern2" in expect:
    rule = "pattern2_function_missing"
    if any(fname((r.get("requestParameters") or {}).get("functionName")) == "invoke_missing" for r in invokes):
        problems.append(f"{rule}: an Invoke record for the missing function invoke_missing")
    rid = one_invoke(rule, "invoke_failed_test")
    if rid:
        runs = check_executions(rid, rule, "invoke_failed_test", 1)
        if runs and runs[0].get("outcome") != "Success":
            problems.append(f"{rule}: invoke_failed_test outcome {runs[0].get('outcome')!r}, expected 'Success'")

if "pattern1" in expect:
    rule = "pattern1_function_fails"
    rid = one_invoke(rule, "invoke_test")
    if rid:
        runs = check_executions(rid, rule, "invoke_test", 3)
        if sorted(i.get("attempt") for i in runs) != [1, 2, 3][:len(runs)]:
            problems.append(f"{rule}: attempts {[i.get('attempt') for i in runs]}, expected 1, 2, 3")
        for i in runs:
            if i.get("outcome") != "Unhandled" or i.get("errorMessage") != "intentional failure":
                problems.append(f"{rule}: invoke_test attempt {i.get('attempt')}: outcome {i.get('outcome')!r}, "
                                f"errorMessage {i.get('errorMessage')!r}")
    if invokes_for(rule, "invoke_failed_test"):
        problems.append(f"{rule}: the error action ran (invoke_failed_test invoked), but a function error "
                        "after a successful Invoke must not run it")

for p in problems:
    print("  " + p)
sys.exit(1 if problems else 0)
PY

log "waiting for the CloudTrail records ($expect)"
deadline=$(( $(date +%s) + RESULT_TIMEOUT ))
until python3 "$WORK/check.py" "$DATA" "$expect" >"$WORK/check.out" 2>&1; do
  if ! running; then dump_logs; cat "$WORK/check.out"; fail "the container stopped"; fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    dump_logs; cat "$WORK/check.out"; fail "expected records missing after ${RESULT_TIMEOUT} s"
  fi
  sleep 1
done
log "records complete; waiting ${SETTLE} s for records that must not appear"
sleep "$SETTLE"
if ! python3 "$WORK/check.py" "$DATA" "$expect" >"$WORK/check.out" 2>&1; then
  dump_logs; cat "$WORK/check.out"; fail "unexpected records appeared"
fi

echo "----- cloudtrail.jsonl (eventTime eventName functionName requestID)"
python3 - "$DATA/cloudtrail.jsonl" <<'PY'
import json, sys
requests = {}
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    fn = (r.get("requestParameters") or {}).get("functionName") or requests.get(r.get("requestID"), "")
    requests.setdefault(r.get("requestID"), fn)
    print(f"{r.get('eventTime')}  {r.get('eventName'):16} {fn.rsplit(':', 1)[-1]:20} {r.get('requestID')}")
PY
echo "-----"
log "PASS: Pattern 2 (missing function -> error action runs once)$([ "$RUN_PATTERN1" = 1 ] && echo ', Pattern 1 (failing function -> 3 attempts, error action never runs)')"
