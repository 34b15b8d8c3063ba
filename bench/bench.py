"""Times the same experiment in crystallize-ml and crystallize-host and prints a table.

Run by bench/run.sh, which builds the host and installs crystallize-ml first. Every time is
the wall time of a whole process (interpreter or host start-up included): the fastest of
--repeats runs of crystallize-ml and of --host-repeats runs of crystallize-host (its runs are
short, so more of them cost little), each into a fresh data folder under bench/work/. The
fastest run is the estimate least inflated by other work on the machine (shared virtual
machines steal time in bursts), the same choice Python's timeit makes; --statistic median
gives medians instead. The same statistic is used for both engines.

The trivial experiment's measurements at each size are taken in interleaved rounds (every
engine and mode once per round, the host's a few times), so a slow spell of the machine falls
on both engines alike instead of on whichever happened to be running.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "work"
PY_EXPERIMENT = BENCH / "python" / "experiment.py"
BURN_MS = 5.0  # the work per `burn` call both engines are calibrated to
ML, HOST = "crystallize-ml", "crystallize-host"


def timed(cmd: list[str], what: str) -> float:
    """Wall seconds of one run of cmd; a failing run stops the benchmark with its output."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"benchmark run failed ({what}, exit {proc.returncode}):\n$ {' '.join(cmd)}\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return elapsed


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rows: list[dict] = []
        self.host_configs = {v: BENCH / "experiments" / v / "config.yaml" for v in ("trivial", "cpu")}
        self.py_burn_iterations = 0
        self.host_burn_ms = BURN_MS

    def wall(self, make_cmd, what: str, repeats: int | None = None) -> float:
        """Wall time of `repeats` runs (their minimum, or median with --statistic median);
        make_cmd(data_dir) builds each command."""
        times = []
        for _ in range(repeats or self.args.repeats):
            data_dir = tempfile.mkdtemp(prefix="run-", dir=WORK)
            try:
                times.append(timed(make_cmd(data_dir), what))
            finally:
                shutil.rmtree(data_dir, ignore_errors=True)
        return self.summarize(times)

    def summarize(self, times: list) -> float:
        return min(times) if self.args.statistic == "min" else statistics.median(times)

    def command(self, engine: str, variant: str, reps: int, mode: str):
        """A function of the data folder giving the command line of one run."""
        w = str(self.args.workers)
        if engine == ML:
            return lambda d: [sys.executable, str(PY_EXPERIMENT), "--variant", variant, "--replicates", str(reps),
                              "--execution", mode, "--workers", w, "--data-dir", d,
                              "--burn-iterations", str(self.py_burn_iterations)]
        plugins = [a for p in self.args.plugin for a in ("--plugin", p)]
        return lambda d: [self.args.host, *plugins, "run", str(self.host_configs[variant]),
                          "--replicates", str(reps), "--execution", mode, "--data-dir", d, "--quiet", "--no-cache",
                          *(["--workers", w] if mode != "serial" else [])]

    @property
    def host_runs_per_round(self) -> int:
        return max(1, -(-self.args.host_repeats // self.args.repeats))

    def runs(self, engine: str, rounds: bool) -> int:
        """How many runs one measurement of `engine` takes (in rounds or back to back)."""
        if engine == ML:
            return self.args.repeats
        return self.host_runs_per_round * self.args.repeats if rounds else self.args.host_repeats

    def measure_rounds(self, cells: list) -> None:
        """Measures (engine, variant, reps, mode) cells in interleaved rounds: each round runs
        every cell once (the host's cells host_runs_per_round times), for --repeats rounds."""
        times = {c: [] for c in cells}
        for _ in range(self.args.repeats):
            for c in cells:
                engine, variant, reps, mode = c
                for _ in range(self.host_runs_per_round if engine == HOST else 1):
                    times[c].append(self.wall(self.command(*c), f"{engine} {variant} {reps} {mode}", 1))
        for c in cells:
            self.record(*c, self.summarize(times[c]))

    def record(self, engine: str, variant: str, reps: int, mode: str, seconds: float) -> None:
        label = mode if mode == "serial" else f"{mode} x{self.args.workers}"
        print(f"  {engine:16} {variant:8} {reps:>6} reps  {label:13} {seconds:9.3f} s", flush=True)
        self.rows.append(dict(engine=engine, variant=variant, reps=reps, mode=label, seconds=seconds))

    def measure(self, engine: str, variant: str, reps: int, mode: str) -> float:
        """Measures one cell with back-to-back runs."""
        seconds = self.wall(self.command(engine, variant, reps, mode), f"{engine} {variant} {reps} {mode}",
                            self.runs(engine, False))
        self.record(engine, variant, reps, mode, seconds)
        return seconds

    def calibrate_python_burn(self) -> None:
        """Pure Python runs burn's loop ~100x slower than Swift, so it gets its own iteration
        count for the same time per call."""
        sys.path.insert(0, str(PY_EXPERIMENT.parent))
        from experiment import burn_loop  # the venv's interpreter runs this driver
        probe = 200_000
        best = min(self._time(burn_loop, probe) for _ in range(5))
        self.py_burn_iterations = int(probe * (BURN_MS / 1000) / best)

    def calibrate_host_burn(self) -> None:
        """burn's `ms` is its own estimate; time a few calls here and run a copy of the cpu
        config with `ms` scaled so a call takes BURN_MS."""
        probe = 40
        # The fastest of a few runs: noise from other processes only ever adds time.
        cpu = min(self.wall(self.command(HOST, "cpu", probe, "serial"), "host burn calibration", 1) for _ in range(3))
        trivial = min(self.wall(self.command(HOST, "trivial", probe, "serial"), "host burn calibration", 1) for _ in range(3))
        per_call = 1000 * (cpu - trivial) / (2 * probe)
        self.host_burn_ms = round(BURN_MS * BURN_MS / per_call, 3)
        text = self.host_configs["cpu"].read_text()
        text, n = re.subn(r"(\n\s+ms:\s*)[0-9.]+", rf"\g<1>{self.host_burn_ms}", text)
        if n != 1:
            sys.exit(f"{self.host_configs['cpu']}: expected one `ms:` line for burn, found {n}")
        calibrated = WORK / "cpu" / "config.yaml"
        calibrated.parent.mkdir(exist_ok=True)
        calibrated.write_text(text)
        self.host_configs["cpu"] = calibrated

    @staticmethod
    def _time(fn, n: int) -> float:
        start = time.perf_counter()
        fn(n)
        return time.perf_counter() - start

    def resume_seconds(self, reps: int) -> float:
        """--strategy resume of a completed host run of `reps` replicates, in place: it must
        load the finished run, not make a new version."""
        data_dir = tempfile.mkdtemp(prefix="resume-", dir=WORK)
        try:
            run = self.command(HOST, "trivial", reps, "serial")(data_dir)
            timed(run, "host run before resume")
            print(f"  {HOST:16} {'trivial':8} {reps:>6} reps  {'resume':13}", end="", flush=True)
            seconds = self.summarize([timed(run + ["--strategy", "resume"], "host resume") for _ in range(self.args.host_repeats)])
            print(f" {seconds:9.3f} s", flush=True)
            versions = sorted(p.name for p in (Path(data_dir) / "bench_trivial").glob("v*"))
            if len(versions) != 1:
                sys.exit(f"--strategy resume of a completed run should load it, but the data folder holds {versions}")
            return seconds
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)

    def find(self, engine: str, variant: str, reps: int, mode: str) -> float:
        return next(r["seconds"] for r in self.rows if (r["engine"], r["variant"], r["reps"], r["mode"]) == (engine, variant, reps, mode))


def machine() -> str:
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, load average {os.getloadavg()[0]:.2f} at start"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def marginal(b: Bench, sizes: list) -> list:
    """The per-replicate overhead: the slope between the two largest sizes, which leaves the
    once-per-run start-up out. Wall time / replicates is reported beside it."""
    if len(sizes) < 2:
        return []
    small, big = sorted(sizes)[-2:]
    slope = {e: (b.find(e, "trivial", big, "serial") - b.find(e, "trivial", small, "serial")) / (big - small) for e in (ML, HOST)}
    ratio = slope[ML] / slope[HOST]
    return [f"- Per-replicate overhead: the cost of one more replicate, serial ((time at {big:,} - time at {small:,}) / "
            f"{big - small:,}; start-up, paid once per run, left out): crystallize-ml {1e3 * slope[ML]:.3f} ms, "
            f"crystallize-host {1e3 * slope[HOST]:.4f} ms, {ratio:.1f}x lower. Target 100x: {verdict(ratio >= 100)}."]


def render(b: Bench, started: str, where: str, resumed: float) -> str:
    """The Markdown table and the targets, as pasted into docs/readme-sections/benchmarks.md."""
    a, w = b.args, b.args.workers
    stat = "fastest" if a.statistic == "min" else "median"
    out = [f"Measured {started} on {where}. Wall time of the whole process, {stat} of {b.runs(ML, True)} runs "
           f"(crystallize-ml) and of {b.runs(HOST, True)} runs (crystallize-host) taken in {a.repeats} interleaved rounds for "
           f"the trivial experiment; {stat} of {b.runs(ML, False)} and {b.runs(HOST, False)} back-to-back runs for the cpu variant.", "",
           "| experiment | replicates | engine | execution | wall time | per replicate | vs crystallize-ml serial |",
           "|---|---:|---|---|---:|---:|---:|"]
    for r in b.rows:
        base = b.find(ML, r["variant"], r["reps"], "serial")
        out.append(f"| {r['variant']} | {r['reps']:,} | {r['engine']} | {r['mode']} | {r['seconds']:.3f} s "
                   f"| {1e3 * r['seconds'] / r['reps']:.3f} ms | {base / r['seconds']:.2f}x |")
    big, n = max(a.replicates), a.cpu_replicates
    ml, host = b.find(ML, "trivial", big, "serial") / big, b.find(HOST, "trivial", big, "serial") / big
    per_call = {e: 1e3 * (b.find(e, "cpu", n, "serial") - b.find(e, "trivial", n, "serial")) / (2 * n) for e in (ML, HOST)}
    speedup = {e: b.find(e, "cpu", n, "serial") / b.find(e, "cpu", n, f"{m} x{w}") for e, m in ((ML, "process"), (HOST, "processes"))}
    host_big = b.find(HOST, "trivial", big, "serial")
    out += ["",
            f"- Start-up (1 replicate, serial): crystallize-ml {b.find(ML, 'trivial', 1, 'serial'):.3f} s, "
            f"crystallize-host {b.find(HOST, 'trivial', 1, 'serial'):.3f} s.",
            *marginal(b, a.replicates),
            f"- Wall time / replicates at {big:,} replicates, serial (start-up included): crystallize-ml {1e3 * ml:.3f} ms, "
            f"crystallize-host {1e3 * host:.4f} ms, {ml / host:.1f}x lower.",
            f"- CPU-bound: {n} replicates x 2 conditions, `burn` calibrated to {BURN_MS:g} ms a call (host `ms: "
            f"{b.host_burn_ms}`, Python {b.py_burn_iterations:,} iterations); measured per call from cpu minus trivial "
            f"serial: crystallize-ml {per_call[ML]:.2f} ms, crystallize-host {per_call[HOST]:.2f} ms.",
            f"- Speed-up of processes x{w} over serial on the CPU-bound variant: crystallize-host {speedup[HOST]:.2f}x "
            f"(target 1.8x: {verdict(speedup[HOST] >= 1.8)}), crystallize-ml {speedup[ML]:.2f}x.",
            f"- Resume (issue 4): `--strategy resume` of a completed {big:,}-replicate run takes {resumed:.3f} s "
            f"against {host_big:.3f} s to run it: {host_big / resumed:.1f}x faster."]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True, help="release crystallize-host binary")
    parser.add_argument("--plugin", required=True, action="append",
                        help="a release plugin library; give it twice: libMySteps.so and libProbeTestPlugin.so (burn)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per crystallize-ml measurement")
    parser.add_argument("--host-repeats", type=int, default=7, help="runs per crystallize-host measurement")
    parser.add_argument("--statistic", choices=["min", "median"], default="min", help="how the runs of one measurement are summarized")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--replicates", type=int, nargs="+", default=[1000, 10000], help="sizes of the trivial experiment")
    parser.add_argument("--cpu-replicates", type=int, default=200)
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    b = Bench(args)
    started, where = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), machine()
    print(f"{started} on {where}; {args.statistic} of {b.runs(ML, True)} runs (crystallize-ml), {b.runs(HOST, True)} (crystallize-host) "
          f"in {args.repeats} interleaved rounds\n")
    if os.getloadavg()[0] > 0.5:
        print("warning: the machine is busy (load average above 0.5); times will be inflated and noisy\n")

    b.measure_rounds([(ML, "trivial", 1, "serial"), (HOST, "trivial", 1, "serial")])
    for reps in args.replicates:
        b.measure_rounds([(ML, "trivial", reps, m) for m in ("serial", "thread", "process")] +
                         [(HOST, "trivial", reps, m) for m in ("serial", "threads", "processes")])
    b.calibrate_python_burn()
    b.calibrate_host_burn()
    for engine, modes in ((ML, ("serial", "process")), (HOST, ("serial", "threads", "processes"))):
        b.measure(engine, "trivial", args.cpu_replicates, "serial")
        for mode in modes:
            b.measure(engine, "cpu", args.cpu_replicates, mode)
    resumed = b.resume_seconds(max(args.replicates))
    print()
    print(render(b, started, where, resumed))


if __name__ == "__main__":
    main()
