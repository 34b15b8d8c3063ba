#!/usr/bin/env bash
# Optimizers side by side, in one command, from the package root:
#
#     bench/optimize/run.sh                 # 5 seeds, 80 treatment replicates per search
#     bench/optimize/run.sh --seeds 10      # any optimize_bench.py option passes through
#
# Installs Optuna into bench/.venv (gitignored), builds crystallize-host and the
# OptimizeTestPlugin (whose noisy_quadratic step is the objective), then optimize_bench.py runs
# the same search with the host's random, halving and coord_search (a plugin optimizer) and
# with Optuna's RandomSampler and TPESampler at the same replicate budget, and prints how close
# each got to the true optimum as a Markdown table. SWIFT_SCRATCH=.build-foo picks the scratch path.
set -euo pipefail

OPTUNA_VERSION=5.0.0
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
scratch="${SWIFT_SCRATCH:-.build}"

if [ ! -x bench/.venv/bin/python ]; then
    python3 -m venv bench/.venv
fi
if ! bench/.venv/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('optuna') != '$OPTUNA_VERSION')" 2>/dev/null; then
    bench/.venv/bin/pip install --quiet "optuna==$OPTUNA_VERSION"
fi

swift build --scratch-path "$scratch" --product crystallize-host
swift build --scratch-path "$scratch" --product OptimizeTestPlugin
bin="$(swift build --scratch-path "$scratch" --show-bin-path)"

exec bench/.venv/bin/python bench/optimize/optimize_bench.py --host "$bin/crystallize-host" --plugin "$bin/libOptimizeTestPlugin.so" "$@"
