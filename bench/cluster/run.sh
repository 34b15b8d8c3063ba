#!/usr/bin/env bash
# The cluster benchmark, from the package root, against the local Slurm cluster:
#
#     scripts/slurm-local.sh stop; SLURM_LOCAL_MAX_ARRAY_SIZE=1001 scripts/slurm-local.sh start   # submitit: 200 tasks in one array
#     bench/cluster/run.sh                       # 200 trivial replicates: host (batched) vs submitit map_array
#     bench/cluster/run.sh --one-per-task        # also the host with one task per replicate (the old way, ~270 s)
#
# Installs submitit into bench/.venv (gitignored), builds crystallize-host, MySteps and
# SlurmExecution in release, then bench/cluster/bench_cluster.py times both and prints a table.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
scratch="${SWIFT_SCRATCH:-.build}"
[ -n "${SLURM_CONF:-}" ] || eval "$(scripts/slurm-local.sh env)"
[ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
bench/.venv/bin/python -c "import submitit" 2>/dev/null || bench/.venv/bin/pip install --quiet "submitit==1.5.4"
for p in crystallize-host MySteps SlurmExecution; do swift build -c release --scratch-path "$scratch" --product "$p"; done
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"
exec bench/.venv/bin/python bench/cluster/bench_cluster.py --host "$bin/crystallize-host" --plugins "$bin/libMySteps.so" "$bin/libSlurmExecution.so" "$@"
