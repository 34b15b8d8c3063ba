#!/usr/bin/env bash
# The benchmark, in one command, from the package root:
#
#     bench/run.sh                      # full run: 1,000 and 10,000 replicates, 3 runs each
#     bench/run.sh --repeats 1          # quicker; any bench/bench.py option passes through
#
# Installs crystallize-ml into bench/.venv (gitignored), builds crystallize-host, MySteps and
# ProbeTestPlugin (its `burn` step is the CPU-bound variant's work) in release, then bench/bench.py times the same experiment in both and prints a Markdown table.
# SWIFT_SCRATCH=.build-foo bench/run.sh builds into another scratch path.
# Run it on a quiet machine: the table reports the load average at start.
set -euo pipefail

CRYSTALLIZE_ML_VERSION=0.27.0
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scratch="${SWIFT_SCRATCH:-.build}"

if [ ! -x bench/.venv/bin/python ]; then
    python3 -m venv bench/.venv
fi
if ! bench/.venv/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('crystallize-ml') != '$CRYSTALLIZE_ML_VERSION')" 2>/dev/null; then
    bench/.venv/bin/pip install --quiet "crystallize-ml==$CRYSTALLIZE_ML_VERSION"
fi

swift build -c release --scratch-path "$scratch" --product crystallize-host
swift build -c release --scratch-path "$scratch" --product MySteps
swift build -c release --scratch-path "$scratch" --product ProbeTestPlugin
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"

exec bench/.venv/bin/python bench/bench.py --host "$bin/crystallize-host" --plugin "$bin/libMySteps.so" --plugin "$bin/libProbeTestPlugin.so" "$@"
