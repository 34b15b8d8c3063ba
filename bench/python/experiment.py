"""The benchmark experiment in crystallize-ml 0.27, mirroring bench/experiments/*/config.yaml.

Run as a script so its wall time includes interpreter start-up and imports, as the host's
includes process start-up and plugin loading:

    python experiment.py --variant trivial --replicates 1000 --execution serial --data-dir DIR

Steps are module-level @pipeline_step factories so ParallelExecution(executor_type="process")
can pickle them.
"""

from __future__ import annotations

import argparse
import logging
import random

from crystallize import (
    ArtifactPlugin,
    Experiment,
    LoggingPlugin,
    ParallelExecution,
    SeedPlugin,
    SerialExecution,
    data_source,
    pipeline_step,
    treatment,
)
from crystallize.plugins.plugins import default_seed_function


@data_source
def numbers(ctx, count: int = 3, noise: float = 1.0):
    """A few numbers with per-replicate Gaussian noise (MySteps `numbers`)."""
    return [float(i + 1) + random.gauss(0.0, noise) for i in range(count)]


@pipeline_step()
def add_delta(data, ctx, delta: float = 0.0):
    """Adds delta (from the treatment, through the context) to every number."""
    return [x + delta for x in data]


@pipeline_step()
def scale(data, ctx, factor: float = 2.0):
    """Multiplies every number by factor (MySteps `scale`)."""
    return [x * factor for x in data]


@pipeline_step()
def record_metric(data, ctx):
    """Records the sum of the numbers as metric 'total'."""
    ctx.metrics.add("total", sum(data))
    return data


@pipeline_step()
def burn(data, ctx, iterations: int = 0):
    """CPU-bound work: the same loop as ProbeTestPlugin `burn`; the driver calibrates `iterations`
    so one call takes ~5 ms here, since pure Python runs the loop far slower than Swift."""
    ctx.metrics.add("burn_checksum", burn_loop(iterations))
    return data


def burn_loop(iterations: int) -> float:
    """ProbeTestPlugin `burn`'s arithmetic, line for line."""
    x = 0.5
    for i in range(iterations):
        x = x * 1.0000001 + (i & 7) * 1e-9
        if x > 2:
            x -= 1
    return x


def build(variant: str, replicates: int, execution: str, workers: int, data_dir: str, burn_iterations: int) -> Experiment:
    """The demo's shape: numbers -> add_delta -> scale|burn -> record_metric, baseline vs add_ten."""
    middle = scale() if variant == "trivial" else burn(iterations=burn_iterations)
    if execution == "serial":
        runner = SerialExecution()
    else:
        runner = ParallelExecution(max_workers=workers, executor_type=execution)
    return (
        Experiment.builder("bench_" + variant)
        .datasource(numbers())
        .add_step(add_delta())
        .add_step(middle)
        .add_step(record_metric())
        .treatments([treatment("add_ten", {"delta": 10.0})])
        .replicates(replicates)
        .plugins([runner, SeedPlugin(seed=42, seed_fn=default_seed_function), ArtifactPlugin(root_dir=data_dir), LoggingPlugin(log_level="WARNING")])
        .build()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=["trivial", "cpu"], default="trivial")
    parser.add_argument("--replicates", type=int, required=True)
    parser.add_argument("--execution", choices=["serial", "thread", "process"], default="serial")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--burn-iterations", type=int, default=0)
    args = parser.parse_args()
    logging.getLogger("crystallize").setLevel(logging.WARNING)
    exp = build(args.variant, args.replicates, args.execution, args.workers, args.data_dir, args.burn_iterations)
    result = exp.run()
    if result.errors:
        raise SystemExit(f"crystallize-ml run failed: {len(result.errors)} errors, first: {next(iter(result.errors.values()))!r}")
    totals = result.metrics.baseline.metrics.get("total", [])
    if len(totals) != args.replicates:
        raise SystemExit(f"expected {args.replicates} baseline values, got {len(totals)}")


if __name__ == "__main__":
    main()
