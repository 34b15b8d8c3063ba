#!/usr/bin/env python3
"""Mutated config.yaml files against the real host: no crash, no hang, and every refusal is
exit 2 naming the file and line. Usage: mutate_configs.py COUNT (see mutate-configs.sh)."""
import os, random, re, shutil, subprocess, sys, tempfile

BASE = """name: mut
description: a config for mutation
replicates: 3
seed: 5
retries: 1
cache: true
datasource: c_range
steps:
  - c_add: {amount: 2.0}
  - {step: c_scale, params: {factor: 3.0}}
  - rt_draw
treatments:
  more: {amount: 4.0}
  less:
    amount: 0.5
hypotheses:
  - name: bigger
    verifier: welch_t_test
    metrics: c_sum
    params: {alpha: 0.05}
  - verifier: bootstrap_ci
    metrics: [draw]
    params: {resamples: 200, seed: 3, confidence: 0.9}
outputs:
  sum: {file_name: sum.txt}
execution: {strategy: serial, workers: 2}
cli: {group: Tests, priority: 2, hidden: false}
"""

TOKENS = ["-1", "0", "1e400", "99999999999999999999999", "-99999999999999999999", "1.5", "true", "null", "~", "''", '""',
          "[]", "{}", "[1, [2, {a: 3}]]", "{x: {y: {z: [1, 2]}}}", "bogus", "c_crash", "welch_t_test", "processes",
          "threads", "async", "c_reverse", "nan", ".inf", "-.inf", "0x7f", "&a", "*a", "!!binary aGVsbG8=", "'\\u0000'",
          "\"\\x00\\xff\"", "ü", "🧪", "a#b", "upstream#out", "../../etc", "/", "1000000000", "18446744073709551616"]
KEYS = ["name", "replicates", "seed", "retries", "steps", "datasource", "treatments", "hypotheses", "outputs", "execution",
        "cli", "strategy", "cli2", "verifier", "metrics", "params", "alpha", "resamples", "workers", "file_name", "amount",
        "factor", "step", "cache", "ffi", "library", "signature", "versioned", "artifact_retention", "data_hashes"]

def mutate(text, rng):
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(11)
        i = rng.randrange(len(lines))
        if op == 0 and len(lines) > 1: del lines[i]
        elif op == 1: lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 2: lines[i] = " " * rng.choice([1, 2, 3, 4, 8]) + lines[i]
        elif op == 3: lines[i] = lines[i].lstrip()
        elif op == 4 and ":" in lines[i]:
            k, _, _ = lines[i].partition(":")
            lines[i] = k + ": " + rng.choice(TOKENS)
        elif op == 5 and ":" in lines[i]:
            k, _, v = lines[i].partition(":")
            lines[i] = re.sub(r"[A-Za-z_]+", lambda m: rng.choice(KEYS), k, count=1) + ":" + v
        elif op == 6:
            j = rng.randrange(len(lines)); lines[i], lines[j] = lines[j], lines[i]
        elif op == 7:
            s = lines[i]; p = rng.randrange(len(s) + 1)
            lines[i] = s[:p] + rng.choice(["{", "}", "[", "]", ":", "-", "'", '"', "#", "\t", ",", "|", ">", "%", "@", "`"]) + s[p:]
        elif op == 8:
            cut = rng.randrange(len(text) + 1)
            return text[:cut]
        elif op == 9:
            lines.insert(i, rng.choice(KEYS) + ": " + rng.choice(TOKENS))
        else:
            s = lines[i]
            if s: p = rng.randrange(len(s)); lines[i] = s[:p] + s[p + 1:]
    return "\n".join(lines)

def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    seed = int(os.environ.get("SEED", "1"))
    products = os.environ["PRODUCTS"]
    host = os.path.join(products, "crystallize-host")
    plugins = ["--plugin", os.path.join(products, "libCTestPlugin.so"), "--plugin", os.path.join(products, "libReliabilityTestPlugin.so")]
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="mutate-")
    counts = {"ran": 0, "ran_with_failures": 0, "refused_with_line": 0, "refused_file_only": 0}
    problems = []
    try:
        exp = os.path.join(work, "experiments", "mut")
        os.makedirs(exp)
        cfg = os.path.join(exp, "config.yaml")
        for n in range(count):
            text = mutate(BASE, rng)
            with open(cfg, "w", encoding="utf-8", errors="surrogateescape") as f: f.write(text)
            env = dict(os.environ, CRYSTALLIZE_CACHE_DIR=os.path.join(work, "cache"), SWIFT_BACKTRACE="enable=no")
            try:
                p = subprocess.run([host] + plugins + ["run", "experiments/mut", "--quiet", "--data-dir", "data"], cwd=work,
                                   capture_output=True, timeout=60, env=env)
            except subprocess.TimeoutExpired:
                problems.append((n, "hang (no exit within 60 s)", text, "")); continue
            err = p.stderr.decode("utf-8", "replace")
            if p.returncode < 0 or p.returncode >= 128 or "Fatal error" in err:
                problems.append((n, f"crash (status {p.returncode})", text, err))
            elif p.returncode == 0: counts["ran"] += 1
            elif p.returncode == 1: counts["ran_with_failures"] += 1
            elif p.returncode == 2:
                if re.search(r"experiments/mut/config\.yaml:\d+:", err): counts["refused_with_line"] += 1
                elif "experiments/mut/config.yaml" in err: counts["refused_file_only"] += 1
                else: problems.append((n, "exit 2 without naming config.yaml", text, err))
            else:
                problems.append((n, f"unexpected exit {p.returncode}", text, err))
            shutil.rmtree(os.path.join(work, "data"), ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for n, what, text, err in problems[:10]:
        print(f"--- mutation {n}: {what}\n{text}\n--- stderr\n{err}", file=sys.stderr)
    print(f"mutate-configs: {count} mutated config(s): {counts['ran']} ran, {counts['ran_with_failures']} ran with failed replicates, "
          f"{counts['refused_with_line']} refused at file:line, {counts['refused_file_only']} refused naming the file only, "
          f"{len(problems)} problem(s) (crash, hang or unnamed error)")
    sys.exit(1 if problems else 0)

main()
