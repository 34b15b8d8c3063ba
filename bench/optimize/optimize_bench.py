"""The same search five ways, at the same replicate budget.

Objective: the OptimizeTestPlugin's noisy_quadratic step,
    loss = (x - 0.3)^2 + 2 (y + 0.2)^2 + noise * N(0, 1),   x, y in [-1, 1],
whose true optimum is 0 at (0.3, -0.2). Every search minimizes the mean loss over its
trials' replicates; what is judged is the TRUE (noise-free) loss at the point it returns as
best, and that point's distance to the optimum, averaged over seeds.

- host random / halving / coord_search: `optimize:` in config.yaml, run by crystallize-host.
- Optuna RandomSampler / TPESampler: each Optuna trial is one `crystallize-host run` of the
  same experiment with the trial's point as a `--sweep` treatment, so the objective is measured
  by the same plugin step, replicates and seeds.

`random_streams: independent` gives every trial its own noise, as Optuna assumes. (Under the
host's default common random numbers every trial of a replicate sees the same draw, so the
noise cancels out of every comparison and all searches face a noise-free quadratic.)

Budget: treatment replicates per search (baseline replicates are not counted for anyone).
"""
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import optuna

OPT = (0.3, -0.2)


def true_loss(x, y):
    return (x - OPT[0]) ** 2 + 2 * (y - OPT[1]) ** 2


def experiment(name, seed, noise, optimize=None):
    text = f"""name: {name}
replicates: 2
seed: {seed}
random_streams: independent
datasource: quad_origin
steps:
  - noisy_quadratic: {{noise: {noise}}}
"""
    if optimize:
        text += "optimize:\n" + optimize
    return text


def host_search(args, work, optimizer, seed, trials, replicates):
    name = f"{optimizer}_{seed}"
    folder = os.path.join(work, "experiments", name)
    os.makedirs(folder, exist_ok=True)
    optimize = f"""  optimizer: {optimizer}
  trials: {trials}
  seed: {seed}
  replicates_per_trial: {replicates}
  objective: {{metric: loss, direction: minimize}}
  params:
    x: {{uniform: [-1, 1]}}
    y: {{uniform: [-1, 1]}}
"""
    with open(os.path.join(folder, "config.yaml"), "w") as f:
        f.write(experiment(name, seed, args.noise, optimize))
    r = subprocess.run([args.host, "--plugin", args.plugin, "run", f"experiments/{name}", "--quiet", "--json"],
                       cwd=work, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{optimizer} failed:\n{r.stderr}")
    doc = json.loads(r.stdout)
    best = doc["best"]["params"]
    return best["x"], best["y"], doc["budget"]["treatment_replicates"]


def optuna_search(args, work, sampler_name, seed, trials, replicates):
    name = f"optuna_{sampler_name}_{seed}"
    folder = os.path.join(work, "experiments", name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.yaml"), "w") as f:
        f.write(experiment(name, seed, args.noise))

    def objective(trial):
        x = trial.suggest_float("x", -1, 1)
        y = trial.suggest_float("y", -1, 1)
        r = subprocess.run([args.host, "--plugin", args.plugin, "run", f"experiments/{name}", "--quiet", "--json",
                            "--replicates", str(replicates), "--sweep", f"x={x!r}", "--sweep", f"y={y!r}"],
                           cwd=work, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"optuna trial failed:\n{r.stderr}")
        result = json.loads(r.stdout)[-1]
        treatment = [c for c in result["conditions"] if c != "baseline"][0]
        return statistics.fmean(result["metrics"][treatment]["loss"])

    sampler = optuna.samplers.RandomSampler(seed=seed) if sampler_name == "random" else optuna.samplers.TPESampler(seed=seed)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    study.optimize(objective, n_trials=trials)
    return study.best_params["x"], study.best_params["y"], trials * replicates


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--plugin", required=True)
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--noise", type=float, default=0.5)
    p.add_argument("--budget", type=int, default=80, help="treatment replicates per search")
    args = p.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    work = tempfile.mkdtemp(prefix="crystallize-optimize-bench-")
    # Private copies: a rebuild during the benchmark cannot swap the binaries under it.
    os.makedirs(os.path.join(work, "bin"))
    for attr in ("host", "plugin"):
        copy = os.path.join(work, "bin", os.path.basename(getattr(args, attr)))
        shutil.copy2(getattr(args, attr), copy)
        setattr(args, attr, copy)
    r = 2
    trials = args.budget // r
    # Halving: 16 candidates x 2 replicates, eta 2 -> 16*2 + 8*2 + 4*4 + 2*8 = 80.
    halving_candidates = 16 if args.budget == 80 else max(2, args.budget // (r * 5 // 2))
    searches = [
        ("crystallize-host random", lambda s: host_search(args, work, "random", s, trials, r)),
        ("crystallize-host halving", lambda s: host_search(args, work, "halving", s, halving_candidates, r)),
        ("crystallize-host coord_search (C plugin)", lambda s: host_search(args, work, "coord_search", s, trials, r)),
        ("Optuna RandomSampler", lambda s: optuna_search(args, work, "random", s, trials, r)),
        ("Optuna TPESampler", lambda s: optuna_search(args, work, "tpe", s, trials, r)),
    ]
    rows = []
    for label, run in searches:
        losses, dists, budgets = [], [], set()
        started = time.time()
        for seed in range(args.seeds):
            x, y, budget = run(seed)
            losses.append(true_loss(x, y))
            dists.append(math.hypot(x - OPT[0], y - OPT[1]))
            budgets.add(budget)
        rows.append((label, "/".join(str(b) for b in sorted(budgets)), statistics.fmean(losses), max(losses),
                     statistics.fmean(dists), time.time() - started))
        print(f"done: {label}", file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    print(f"Noisy quadratic, noise sd {args.noise}, {args.seeds} seeds (0..{args.seeds - 1}), "
          f"true optimum 0 at x={OPT[0]}, y={OPT[1]}; Optuna {optuna.__version__}")
    print()
    print("| search | treatment replicates | true loss at best (mean) | worst | distance to optimum (mean) | wall s |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, budget, loss, worst, dist, wall in rows:
        print(f"| {label} | {budget} | {loss:.4f} | {worst:.4f} | {dist:.3f} | {wall:.1f} |")


if __name__ == "__main__":
    main()
