"""Times 200 trivial replicates on the local Slurm cluster: crystallize-host's slurm strategy
(batched tasks) against submitit's map_array of the same replicate as a Python function.

Run by bench/cluster/run.sh. Every figure is the wall time from submission until every result
is back on the submitting side (for the host: until the run's results are written).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
WORK = BENCH / "work" / "cluster"
TRIVIAL = BENCH / "experiments" / "trivial" / "config.yaml"


def trivial_replicate(replicate: int) -> dict:
    """One replicate of bench/experiments/trivial for both conditions, in plain Python:
    numbers (3 values + Gaussian noise) -> add_delta -> scale(2) -> total."""
    out = {}
    for condition, delta in (("baseline", 0.0), ("add_ten", 10.0)):
        rng = random.Random((42 + replicate * 31337) % 2**32)
        data = [float(i + 1) + rng.gauss(0.0, 1.0) for i in range(3)]
        out[condition] = sum((x + delta) * 2.0 for x in data)
    return out


def host_config(per_task: int) -> Path:
    """The trivial experiment with `execution: slurm` (replicates_per_task 0 = the plugin's choice)."""
    folder = WORK / f"trivial-slurm-{per_task}"
    folder.mkdir(parents=True, exist_ok=True)
    text = TRIVIAL.read_text() + f"execution: {{strategy: slurm, poll_interval: 0.2, replicates_per_task: {per_task}}}\n"
    (folder / "config.yaml").write_text(text)
    return folder


def time_host(args, per_task: int) -> tuple[float, str]:
    folder = host_config(per_task)
    data = WORK / f"data-host-{per_task}"
    shutil.rmtree(data, ignore_errors=True)
    cmd = [args.host] + sum((["--plugin", p] for p in args.plugins), []) + [
        "run", str(folder), "--replicates", str(args.replicates), "--data-dir", str(data), "--quiet", "--no-cache"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=WORK)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"host run failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    chose = next((l for l in proc.stderr.splitlines() if "replicates_per_task" in l), "")
    return elapsed, chose


def time_submitit(args) -> float:
    import submitit

    folder = WORK / "submitit"
    shutil.rmtree(folder, ignore_errors=True)
    executor = submitit.SlurmExecutor(folder=str(folder), max_num_timeout=0)
    executor.update_parameters(time=10, cpus_per_task=1, mem="500M", array_parallelism=1000)
    start = time.perf_counter()
    jobs = executor.map_array(trivial_replicate, list(range(args.replicates)))
    results = [j.result() for j in jobs]
    elapsed = time.perf_counter() - start
    assert len(results) == args.replicates
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--plugins", nargs="+", required=True)
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3, help="runs of the batched host (fastest kept)")
    parser.add_argument("--one-per-task", action="store_true", help="also time the host with one task per replicate")
    parser.add_argument("--no-submitit", action="store_true")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    rows = []
    runs = [time_host(args, 0) for _ in range(args.repeats)]
    best = min(runs)
    rows.append((f"crystallize-host, slurm, batched (fastest of {args.repeats})", best[0]))
    if args.one_per_task:
        rows.append(("crystallize-host, slurm, replicates_per_task: 1", time_host(args, 1)[0]))
    if not args.no_submitit:
        rows.append(("submitit map_array (one task per replicate)", time_submitit(args)))
    cpus = subprocess.run(["sinfo", "-h", "-o", "%C"], capture_output=True, text=True).stdout.strip()
    print(f"{args.replicates} trivial replicates on the local Slurm cluster (sinfo CPUs A/I/O/T {cpus}, load {os.getloadavg()[0]:.2f})")
    print(f"plugin's choice: {best[1].strip()}")
    print()
    print("| run | wall (s) | vs batched host |")
    print("|---|---:|---:|")
    for name, t in rows:
        print(f"| {name} | {t:.1f} | {t / best[0]:.1f}× |")


if __name__ == "__main__":
    main()
