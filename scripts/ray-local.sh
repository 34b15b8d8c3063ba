#!/usr/bin/env bash
# ray-local.sh — a real one-machine Ray cluster on loopback, for the RayExecution plugin's tests.
#
#   scripts/ray-local.sh start   pip-installs ray into RAY_LOCAL_VENV (default .build-ray-venv,
#                                git-ignored) if needed, starts a head on 127.0.0.1 with few CPUs,
#                                waits until it answers, and prints on stdout
#                                    export RAY_ADDRESS=127.0.0.1:PORT
#                                    export CRYSTALLIZE_RAY_PYTHON=<venv>/bin/python
#                                so `eval "$(scripts/ray-local.sh start)"` works.
#   scripts/ray-local.sh stop    stops that head (ray stop), leaving no Ray processes of ours.
#   scripts/ray-local.sh status  `ray status` of the head, or a non-zero exit.
#
# Knobs (environment): RAY_LOCAL_VENV, RAY_LOCAL_PORT (default 6380), RAY_LOCAL_CPUS (default 1),
#   RAY_LOCAL_VERSION (default 2.60.0), RAY_LOCAL_DIR (temp/state folder, default /tmp/crystallize-ray).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${RAY_LOCAL_VENV:-$root/.build-ray-venv}"
PORT="${RAY_LOCAL_PORT:-6380}"
CPUS="${RAY_LOCAL_CPUS:-1}"
VERSION="${RAY_LOCAL_VERSION:-2.60.0}"
STATE="${RAY_LOCAL_DIR:-/tmp/crystallize-ray}"
RAY="$VENV/bin/ray"
PY="$VENV/bin/python"

log() { printf '[ray-local] %s\n' "$*" >&2; }
die() { printf '[ray-local] ERROR: %s\n' "$*" >&2; exit 1; }

ensure_installed() {
    if [ -x "$PY" ] && "$PY" -c "import ray, sys; sys.exit(ray.__version__ != '$VERSION')" 2>/dev/null; then return 0; fi
    command -v python3 >/dev/null || die "python3 not found"
    if [ ! -x "$PY" ]; then
        log "creating venv $VENV"
        python3 -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
    fi
    log "pip install ray[default]==$VERSION into $VENV (a few minutes the first time)…"
    "$VENV/bin/pip" install -q --disable-pip-version-check "ray[default]==$VERSION" >&2 || die "pip install ray failed"
}

# Whether a head answers. ray.init keeps retrying an address nobody listens on (minutes), so
# the port is tried first and the client is given a bounded time.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
answers() {
    port_open || return 1
    RAY_ADDRESS="127.0.0.1:$PORT" timeout 60 "$PY" -c "import ray; ray.init(address='127.0.0.1:$PORT', logging_level='ERROR', log_to_driver=False); ray.shutdown()" >/dev/null 2>&1
}

cmd_start() {
    ensure_installed
    mkdir -p "$STATE"
    if answers; then
        log "reusing the running head on 127.0.0.1:$PORT"
    else
        log "starting a Ray head on 127.0.0.1:$PORT with $CPUS CPU(s)"
        # Small and quiet: no dashboard, few CPUs (the machine is shared), loopback only.
        RAY_USAGE_STATS_ENABLED=0 "$RAY" start --head --node-ip-address=127.0.0.1 --port="$PORT" --num-cpus="$CPUS" \
            --include-dashboard=false --disable-usage-stats --temp-dir="$STATE" >"$STATE/start.log" 2>&1 \
            || { tail -n 30 "$STATE/start.log" >&2; die "ray start failed; log: $STATE/start.log"; }
        local i
        for i in $(seq 1 60); do answers && break; sleep 1; done
        answers || die "the Ray head does not answer on 127.0.0.1:$PORT; log: $STATE/start.log"
    fi
    printf 'export RAY_ADDRESS=127.0.0.1:%s\n' "$PORT"
    printf 'export CRYSTALLIZE_RAY_PYTHON=%s\n' "$PY"
}

cmd_stop() {
    [ -x "$RAY" ] || { log "no ray in $VENV: nothing to stop"; return 0; }
    "$RAY" stop --force >&2 || true
    log "stopped"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) [ -x "$RAY" ] || die "ray is not installed in $VENV"; RAY_ADDRESS="127.0.0.1:$PORT" "$RAY" status ;;
    *) echo "usage: $0 {start|stop|status}" >&2; exit 2 ;;
esac
