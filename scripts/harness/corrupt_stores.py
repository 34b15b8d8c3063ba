#!/usr/bin/env python3
"""Corrupted journals, results, metadata, provenance, manifests and cache entries against the
real host: no crash, no hang; a refusal is exit 2 naming the damaged file and changes nothing
on disk; a run that goes ahead gives exactly the uncorrupted results.
Usage: corrupt_stores.py COUNT (see corrupt-stores.sh)."""
import hashlib, os, random, re, shutil, subprocess, sys, tempfile

CONFIG = """name: cs
replicates: 6
seed: 9
datasource: c_range
steps:
  - c_add
  - rt_draw
treatments:
  more: {amount: 2.0}
hypotheses:
  - {verifier: welch_t_test, metrics: c_sum}
"""

def corrupt(data, rng):
    op = rng.randrange(6)
    if op == 0 or not data: return b"", "emptied"
    if op == 1: cut = rng.randrange(len(data)); return data[:cut], f"truncated to {cut} bytes"
    if op == 2:
        b = bytearray(data)
        for _ in range(rng.randint(1, 8)): b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b), "bytes flipped"
    if op == 3: return data + bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))), "garbage appended"
    if op == 4: return bytes(rng.randrange(256) for _ in range(rng.randint(1, 200))), "replaced by garbage"
    return rng.choice([b"{}", b"[]", b"null", b'{"metrics": 5}', b'{"status": 7}', b'{"records": {"journal": "../x", "format": 1}}']), "replaced by other JSON"

def snapshot(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            if f == ".crystallize-lock": continue
            p = os.path.join(d, f)
            with open(p, "rb") as h: out[os.path.relpath(p, root)] = hashlib.sha256(h.read()).hexdigest()
    return out

def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rng = random.Random(int(os.environ.get("SEED", "1")))
    products = os.environ["PRODUCTS"]
    host = [os.path.join(products, "crystallize-host"), "--plugin", os.path.join(products, "libCTestPlugin.so"),
            "--plugin", os.path.join(products, "libReliabilityTestPlugin.so")]
    work = tempfile.mkdtemp(prefix="corrupt-")
    env = dict(os.environ, CRYSTALLIZE_CACHE_DIR=os.path.join(work, "cache"), SWIFT_BACKTRACE="enable=no")
    def run(args, timeout=60):
        try: return subprocess.run(host + args, cwd=work, capture_output=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired: return None
    problems, tally = [], {"ok": 0, "refused": 0}
    try:
        os.makedirs(os.path.join(work, "experiments", "cs"))
        with open(os.path.join(work, "experiments", "cs", "config.yaml"), "w") as f: f.write(CONFIG)
        first = run(["run", "experiments/cs", "--quiet", "--data-dir", "pristine"])
        assert first and first.returncode == 0, first.stderr if first else "timeout"
        reference = {c: open(os.path.join(work, "pristine/cs/v0", c, "results.json"), "rb").read() for c in ["baseline", "more"]}
        cache_pristine = os.path.join(work, "cache-pristine")
        shutil.copytree(os.path.join(work, "cache"), cache_pristine)
        for n in range(count):
            data = os.path.join(work, "data")
            shutil.rmtree(data, ignore_errors=True); shutil.copytree(os.path.join(work, "pristine"), data)
            shutil.rmtree(env["CRYSTALLIZE_CACHE_DIR"], ignore_errors=True); shutil.copytree(cache_pristine, env["CRYSTALLIZE_CACHE_DIR"])
            v0 = os.path.join(data, "cs", "v0")
            targets = ["replicates.journal", "baseline/results.json", "more/results.json", "metadata.json", "provenance.json", "_manifest.json"]
            entries = [os.path.join(d, f) for d, _, fs in os.walk(env["CRYSTALLIZE_CACHE_DIR"]) for f in fs]
            kind = rng.randrange(len(targets) + 1)
            path = rng.choice(entries) if kind == len(targets) else os.path.join(v0, targets[kind])
            with open(path, "rb") as h: old = h.read()
            new, how = corrupt(old, rng)
            with open(path, "wb") as h: h.write(new)
            if kind < len(targets) and rng.random() < 0.3:
                os.remove(os.path.join(v0, "baseline", ".crystallize_complete"))  # an interrupted run: resume reads the journal
            name = os.path.relpath(path, work)
            for args in (["show", "cs"], ["show", "cs", "--provenance"], ["run", "experiments/cs", "--quiet", "--strategy", "resume"],
                         ["run", "experiments/cs", "--quiet", "--data-dir", "fresh"]):
                before = snapshot(data)
                p = run(args)
                what = f"{name} {how}; {' '.join(args)}"
                if p is None: problems.append((what, "hang")); continue
                err = p.stderr.decode("utf-8", "replace")
                if p.returncode < 0 or p.returncode >= 128 or "Fatal error" in err:
                    problems.append((what, f"crash (status {p.returncode}): {err[-400:]}")); continue
                if p.returncode == 2:
                    tally["refused"] += 1
                    if snapshot(data) != before: problems.append((what, "a refusal changed files on disk"))
                    if not re.search(r"(/|^)(data|cache)/|\.json|\.journal", err): problems.append((what, f"refusal names no file: {err[-300:]}"))
                    continue
                if p.returncode not in (0, 1): problems.append((what, f"unexpected exit {p.returncode}: {err[-300:]}")); continue
                tally["ok"] += 1
                if args[0] == "run" and p.returncode == 0:
                    out = os.path.join(work, "fresh" if "fresh" in args else "data", "cs", "v0")
                    for c in reference:
                        got = open(os.path.join(out, c, "results.json"), "rb").read()
                        if got != reference[c]: problems.append((what, f"{c}/results.json differs from the uncorrupted run"))
            shutil.rmtree(os.path.join(work, "fresh"), ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for what, why in problems[:15]: print(f"--- {what}: {why}", file=sys.stderr)
    print(f"corrupt-stores: {count} corruption(s) x 4 commands: {tally['ok']} went ahead (results identical), "
          f"{tally['refused']} refused at exit 2 naming the file with nothing changed, {len(problems)} problem(s)")
    sys.exit(1 if problems else 0)

main()
