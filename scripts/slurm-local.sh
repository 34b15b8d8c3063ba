#!/usr/bin/env bash
# slurm-local.sh — run a real one-node Slurm cluster on loopback (Debian 12, no systemd).
#
#   scripts/slurm-local.sh start    install (if needed) and start munged, slurmctld, slurmd;
#                                   waits until the node is idle; prints `export SLURM_CONF=...`
#                                   on stdout (progress goes to stderr), so this works:
#                                       eval "$(scripts/slurm-local.sh start)"
#   scripts/slurm-local.sh stop     cancel jobs, stop slurmd, slurmctld (and munged if this
#                                   script started it); leaves no daemons behind
#   scripts/slurm-local.sh status   sinfo output, or an error (non-zero exit)
#   scripts/slurm-local.sh env      print `export SLURM_CONF=...`
#
# State (config, logs, pid files, spool, state save) lives in
#   SLURM_LOCAL_DIR (default /tmp/crystallize-slurm)
# and ${SLURM_LOCAL_DIR}/env holds `export SLURM_CONF=...` for other scripts to source.
#
# Other knobs (environment): SLURM_LOCAL_CLUSTER (default crystallize),
#   SLURM_LOCAL_CTLD_PORT (6817), SLURM_LOCAL_SLURMD_PORT (6818),
#   SLURM_LOCAL_TIMEOUT (seconds to wait for an idle node, default 60),
#   SLURM_LOCAL_MAX_ARRAY_SIZE (MaxArraySize, default 8: small, so the tests see large arrays
#   split; a benchmark submitting one task per replicate needs more, e.g. 1001).
#
# Notes for users of this cluster:
#   * AccountingStorageType=accounting_storage/none: `sacct` does NOT work (it errors out).
#   * Final job / array-task state and exit codes are available from
#       - `scontrol show job <id>` for MinJobAge=600 s after the job ends (JobState=, ExitCode=)
#       - `squeue -t all` over the same period
#       - the job-completion log ${SLURM_LOCAL_DIR}/jobcomp.log (JobCompType=jobcomp/filetxt),
#         one line per finished job / array task (with ArrayJobId= ArrayTaskId=), kept until the
#         state folder is deleted. Exception: array tasks cancelled while still pending get ONE
#         line for the whole remaining range, without ArrayJobId/ArrayTaskId fields.
set -euo pipefail

export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"

STATE_DIR="${SLURM_LOCAL_DIR:-/tmp/crystallize-slurm}"
CLUSTER="${SLURM_LOCAL_CLUSTER:-crystallize}"
CTLD_PORT="${SLURM_LOCAL_CTLD_PORT:-6817}"
SLURMD_PORT="${SLURM_LOCAL_SLURMD_PORT:-6818}"
WAIT_TIMEOUT="${SLURM_LOCAL_TIMEOUT:-60}"
MAX_ARRAY_SIZE="${SLURM_LOCAL_MAX_ARRAY_SIZE:-8}"
CONF="$STATE_DIR/slurm.conf"
ENV_FILE="$STATE_DIR/env"
LOG_DIR="$STATE_DIR/log"
CTLD_PID="$STATE_DIR/slurmctld.pid"
SLURMD_PID="$STATE_DIR/slurmd.pid"
MUNGE_MARK="$STATE_DIR/munged.started-by-us"
MUNGE_KEY=/etc/munge/munge.key
MUNGE_SOCKET_DIR=/run/munge

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi

log() { printf '[slurm-local] %s\n' "$*" >&2; }
die() { printf '[slurm-local] ERROR: %s\n' "$*" >&2; exit 1; }
as_root() { "${SUDO[@]}" "$@"; }

node_name() { hostname -s 2>/dev/null || hostname; }

# pid from a pid file if that process is alive and has the expected command name
live_pid() { # file comm
    local f="$1" comm="$2" pid
    [ -r "$f" ] || return 1
    pid="$(tr -dc '0-9' <"$f" 2>/dev/null || true)"
    [ -n "$pid" ] || return 1
    [ -d "/proc/$pid" ] || return 1
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 1
    echo "$pid"
}

# pids of processes named $1 whose environment carries SLURM_CONF=$CONF (i.e. ours)
our_pids() { # comm
    local p
    for p in $(pgrep -x "$1" 2>/dev/null || true); do
        if as_root cat "/proc/$p/environ" 2>/dev/null | tr '\0' '\n' | grep -qxF "SLURM_CONF=$CONF"; then
            echo "$p"
        fi
    done
}

# true if something listens on 127.0.0.1:$1
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------- install
ensure_installed() {
    if command -v slurmctld >/dev/null && command -v slurmd >/dev/null \
        && command -v munged >/dev/null && command -v sinfo >/dev/null; then
        return 0
    fi
    log "installing slurm-wlm and munge (apt-get)…"
    command -v apt-get >/dev/null || die "apt-get not found: this script supports Debian/Ubuntu only"
    if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
        die "not root and sudo is not available: cannot install slurm-wlm munge"
    fi
    # Keep apt from auto-starting the packaged services (we start our own daemons).
    local added_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
        as_root chmod 755 /usr/sbin/policy-rc.d
        added_policy=1
    fi
    local rc=0
    {
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q \
            && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
                --no-install-recommends slurm-wlm munge
    } >"/tmp/slurm-local-apt.$$.log" 2>&1 || rc=$?
    if [ "$added_policy" = 1 ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
    if [ "$rc" -ne 0 ]; then
        tail -n 30 "/tmp/slurm-local-apt.$$.log" >&2 || true
        die "apt-get install slurm-wlm munge failed (exit $rc); full log: /tmp/slurm-local-apt.$$.log"
    fi
    rm -f "/tmp/slurm-local-apt.$$.log"
    for b in slurmctld slurmd munged sinfo sbatch scontrol; do
        command -v "$b" >/dev/null || die "$b still missing after installing slurm-wlm munge"
    done
    log "installed: $(slurmctld -V 2>/dev/null || echo slurm) / $(munged --version 2>&1 | head -n1)"
}

# ---------------------------------------------------------------- munge
munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

ensure_munge() {
    if ! getent passwd munge >/dev/null; then
        die "user 'munge' does not exist (is the munge package installed correctly?)"
    fi
    if ! as_root test -s "$MUNGE_KEY"; then
        log "generating munge key $MUNGE_KEY"
        as_root mkdir -p /etc/munge
        if command -v mungekey >/dev/null; then
            as_root mungekey --create --keyfile="$MUNGE_KEY" --force
        else
            as_root dd if=/dev/urandom of="$MUNGE_KEY" bs=1024 count=1 status=none
        fi
    fi
    as_root chown munge:munge /etc/munge "$MUNGE_KEY"
    as_root chmod 700 /etc/munge
    as_root chmod 400 "$MUNGE_KEY"

    if munge_works; then
        log "munged already running"
        return 0
    fi
    # A stale munged (e.g. with a replaced key) would make munge_works fail: only restart ours.
    local pid
    if pid="$(live_pid "$MUNGE_SOCKET_DIR/munged.pid" munged)"; then
        if [ -e "$MUNGE_MARK" ]; then
            log "restarting unresponsive munged (pid $pid)"
            as_root kill "$pid" || true
            sleep 1
        else
            die "a munged (pid $pid) is running but 'munge -n | unmunge' fails; fix or stop it first"
        fi
    fi
    as_root mkdir -p "$MUNGE_SOCKET_DIR" /var/log/munge /var/lib/munge
    as_root chown munge:munge "$MUNGE_SOCKET_DIR" /var/log/munge /var/lib/munge
    as_root chmod 755 "$MUNGE_SOCKET_DIR"
    as_root rm -f "$MUNGE_SOCKET_DIR/munged.pid"
    log "starting munged"
    if ! as_root runuser -u munge -- munged; then
        die "munged failed to start; see /var/log/munge/munged.log"
    fi
    local i
    for i in $(seq 1 50); do
        munge_works && break
        sleep 0.2
    done
    munge_works || die "munged started but 'munge -n | unmunge' fails; see /var/log/munge/munged.log"
    as_root sh -c "cat '$MUNGE_SOCKET_DIR/munged.pid' > '$MUNGE_MARK'"
}

# ---------------------------------------------------------------- config
write_conf() {
    local node cpus mem_total margin mem
    node="$(node_name)"
    [ -n "$node" ] || die "cannot determine the host name (hostname -s)"
    cpus="$(nproc)"
    mem_total="$(free -m | awk '/^Mem:/ {print $2}')"
    [ -n "$mem_total" ] || die "cannot read total memory from 'free -m'"
    # leave 10% (at most 1 GiB, at least 64 MiB) for the OS and the daemons
    margin=$(( mem_total / 10 ))
    [ "$margin" -gt 1024 ] && margin=1024
    [ "$margin" -lt 64 ] && margin=64
    mem=$(( mem_total - margin ))
    [ "$mem" -ge 1 ] || mem=1

    local tmp="$STATE_DIR/slurm.conf.new"
    as_root tee "$tmp" >/dev/null <<EOF
# Generated by slurm-local.sh — one-node cluster on loopback. Do not edit; regenerated on start.
ClusterName=$CLUSTER
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge

StateSaveLocation=$STATE_DIR/state
SlurmdSpoolDir=$STATE_DIR/spool/slurmd-%n
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info

# No cgroups, no accounting.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# sacct does not work without accounting storage; finished jobs/tasks are logged here instead:
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE_DIR/jobcomp.log
MpiDefault=none
MailProg=/bin/true

SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill

ReturnToService=2
# keep finished jobs visible to 'scontrol show job' / 'squeue -t all' for 10 minutes
MinJobAge=600
MaxArraySize=$MAX_ARRAY_SIZE
MaxJobCount=200000
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60

NodeName=$node NodeAddr=127.0.0.1 NodeHostname=$node CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
    as_root mv -f "$tmp" "$CONF"
    printf 'export SLURM_CONF=%s\n' "$CONF" | as_root tee "$ENV_FILE" >/dev/null
    as_root chmod 644 "$CONF" "$ENV_FILE"
}

# ---------------------------------------------------------------- wait for node
node_state() { sinfo -h -N -n "$(node_name)" -o '%T' 2>/dev/null | head -n1; }

wait_idle() {
    local node deadline state resumed=0
    node="$(node_name)"
    deadline=$(( $(date +%s) + WAIT_TIMEOUT ))
    while :; do
        state="$(node_state || true)"
        case "$state" in
            idle|mixed|allocated|completing) return 0 ;;
            down|drained|draining|drain|fail|failing|inval)
                if [ "$resumed" -lt 5 ]; then
                    log "node $node is '$state'; resuming it"
                    as_root env SLURM_CONF="$CONF" scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true
                    resumed=$(( resumed + 1 ))
                fi ;;
        esac
        if ! live_pid "$SLURMD_PID" slurmd >/dev/null && [ "$(( $(date +%s) + WAIT_TIMEOUT - deadline ))" -ge 5 ]; then
            log "--- tail of $LOG_DIR/slurmd.log"; as_root tail -n 20 "$LOG_DIR/slurmd.log" >&2 2>/dev/null || true
            die "slurmd is not running (it exited after start); see $LOG_DIR/slurmd.log"
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            log "node state after ${WAIT_TIMEOUT}s: '${state:-<none>}'"
            sinfo -N -l >&2 || true
            log "--- tail of $LOG_DIR/slurmctld.log"; as_root tail -n 20 "$LOG_DIR/slurmctld.log" >&2 2>/dev/null || true
            log "--- tail of $LOG_DIR/slurmd.log"; as_root tail -n 20 "$LOG_DIR/slurmd.log" >&2 2>/dev/null || true
            die "node $node did not become idle within ${WAIT_TIMEOUT}s"
        fi
        sleep 0.5
    done
}

# ---------------------------------------------------------------- commands
cmd_start() {
    local t0; t0=$(date +%s)
    ensure_installed
    as_root mkdir -p "$STATE_DIR" "$STATE_DIR/state" "$STATE_DIR/spool/slurmd-$(node_name)" "$LOG_DIR"
    as_root chmod 755 "$STATE_DIR"
    ensure_munge
    export SLURM_CONF="$CONF"

    local ctld slurmd
    ctld="$(live_pid "$CTLD_PID" slurmctld || true)"
    slurmd="$(live_pid "$SLURMD_PID" slurmd || true)"
    if [ -z "$ctld" ] && [ -z "$slurmd" ]; then
        write_conf
    elif [ ! -f "$CONF" ]; then
        die "slurm daemons are running (pids: ${ctld:-} ${slurmd:-}) but $CONF is missing; run '$0 stop' first"
    else
        log "reusing running cluster (slurmctld pid ${ctld:-none}, slurmd pid ${slurmd:-none})"
        grep -qx "MaxArraySize=$MAX_ARRAY_SIZE" "$CONF" || log "note: the running cluster has $(grep '^MaxArraySize=' "$CONF"), not $MAX_ARRAY_SIZE; '$0 stop' first to change it"
    fi

    if [ -z "$ctld" ]; then
        port_busy "$CTLD_PORT" && die "port $CTLD_PORT (SlurmctldPort) is already in use by another process; stop it or set SLURM_LOCAL_CTLD_PORT"
        log "starting slurmctld (log: $LOG_DIR/slurmctld.log)"
        as_root env SLURM_CONF="$CONF" slurmctld -f "$CONF" \
            || die "slurmctld failed to start; see $LOG_DIR/slurmctld.log"
    fi
    # slurmctld must answer before slurmd registers (slurmd retries anyway)
    local i
    for i in $(seq 1 60); do
        scontrol ping 2>/dev/null | grep -q 'is UP' && live_pid "$CTLD_PID" slurmctld >/dev/null && break
        if [ "$i" -eq 60 ]; then
            as_root tail -n 20 "$LOG_DIR/slurmctld.log" >&2 2>/dev/null || true
            die "slurmctld does not answer 'scontrol ping'; see $LOG_DIR/slurmctld.log"
        fi
        sleep 0.5
    done
    if [ -z "$slurmd" ]; then
        port_busy "$SLURMD_PORT" && die "port $SLURMD_PORT (SlurmdPort) is already in use by another process; stop it or set SLURM_LOCAL_SLURMD_PORT"
        log "starting slurmd (node $(node_name), log: $LOG_DIR/slurmd.log)"
        as_root env SLURM_CONF="$CONF" slurmd -f "$CONF" -N "$(node_name)" \
            || die "slurmd failed to start; see $LOG_DIR/slurmd.log"
    fi
    wait_idle
    log "cluster up in $(( $(date +%s) - t0 ))s: $(sinfo -h -o '%P %a %D %T %N' | head -n1)"
    log "env file: $ENV_FILE"
    printf 'export SLURM_CONF=%s\n' "$CONF"
}

kill_wait() { # pid...  (TERM, wait up to 15 s, then KILL)
    local p i alive
    [ "$#" -gt 0 ] || return 0
    as_root kill -TERM "$@" 2>/dev/null || true
    for i in $(seq 1 30); do
        alive=0
        for p in "$@"; do [ -d "/proc/$p" ] && alive=1; done
        [ "$alive" = 0 ] && return 0
        sleep 0.5
    done
    as_root kill -KILL "$@" 2>/dev/null || true
    sleep 0.5
}

cmd_stop() {
    export SLURM_CONF="$CONF"
    local ctld slurmd
    ctld="$(live_pid "$CTLD_PID" slurmctld || true)"
    slurmd="$(live_pid "$SLURMD_PID" slurmd || true)"
    if [ -n "$ctld" ]; then
        local jobs
        jobs="$(squeue -h -o '%A' 2>/dev/null | sort -u | tr '\n' ' ' || true)"
        if [ -n "${jobs// /}" ]; then
            log "cancelling jobs: $jobs"
            # shellcheck disable=SC2086
            as_root env SLURM_CONF="$CONF" scancel $jobs 2>/dev/null || true
            local i
            for i in $(seq 1 20); do
                [ -z "$(squeue -h -t running,completing -o '%A' 2>/dev/null)" ] && break
                sleep 0.5
            done
        fi
    fi
    [ -n "$slurmd" ] && { log "stopping slurmd (pid $slurmd)"; kill_wait "$slurmd"; }
    [ -n "$ctld" ] && { log "stopping slurmctld (pid $ctld)"; kill_wait "$ctld"; }
    # stragglers that carry our SLURM_CONF (job steps, daemons whose pid file went away)
    local rest
    rest="$(our_pids slurmstepd; our_pids slurmd; our_pids slurmctld)"
    if [ -n "$rest" ]; then
        log "killing leftover processes: $(echo "$rest" | tr '\n' ' ')"
        # shellcheck disable=SC2086
        kill_wait $rest
    fi
    as_root rm -f "$CTLD_PID" "$SLURMD_PID"
    if [ -e "$MUNGE_MARK" ]; then
        local mpid
        mpid="$(tr -dc '0-9' <"$MUNGE_MARK" || true)"
        if [ -n "$mpid" ] && [ "$(cat "/proc/$mpid/comm" 2>/dev/null)" = munged ]; then
            log "stopping munged (pid $mpid)"
            kill_wait "$mpid"
        fi
        as_root rm -f "$MUNGE_MARK"
    fi
    log "stopped"
}

cmd_status() {
    [ -f "$CONF" ] || die "no cluster config at $CONF (run '$0 start')"
    export SLURM_CONF="$CONF"
    local ctld slurmd
    ctld="$(live_pid "$CTLD_PID" slurmctld || true)"
    slurmd="$(live_pid "$SLURMD_PID" slurmd || true)"
    [ -n "$ctld" ] || die "slurmctld is not running (state dir $STATE_DIR)"
    [ -n "$slurmd" ] || log "warning: slurmd is not running"
    local out
    out="$(sinfo 2>&1)" || die "sinfo failed: $out"
    echo "$out"
    echo "SLURM_CONF=$CONF  slurmctld pid $ctld  slurmd pid ${slurmd:-none}"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) [ -f "$ENV_FILE" ] || die "no $ENV_FILE (run '$0 start')"; cat "$ENV_FILE" ;;
    *) echo "usage: $0 {start|stop|status|env}" >&2; exit 2 ;;
esac
