#!/usr/bin/env bash
# SIGKILL a run at random moments, then resume it: the results must be byte-identical to an
# uninterrupted run's, under serial, threads and processes execution.
# Usage: scripts/harness/kill-resume.sh [TRIALS]   (default 100; SEED=n picks the moments,
#        STRATEGIES="serial threads processes" the strategies taken in turn)
set -euo pipefail
source "$(dirname "$0")/common.sh"
trials=${1:-100}
RANDOM=${SEED:-1}
read -r -a strategies <<<"${STRATEGIES:-serial threads processes}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/experiments/kr"
cat >"$work/experiments/kr/config.yaml" <<'YAML'
name: kr
replicates: 40
seed: 7
datasource: c_range
steps:
  - c_sleep: {ms: 2}
  - c_add
  - rt_draw
treatments:
  more: {amount: 3.0}
YAML
cd "$work"
CRYSTALLIZE_CACHE_DIR="$work/cache-ref" "$host" "${plugins[@]}" run experiments/kr --data-dir ref --quiet >/dev/null 2>&1
failures=0 killed=0 start=$(date +%s)
declare -A per=()
for ((t = 1; t <= trials; t++)); do
  s=${strategies[$(((t - 1) % ${#strategies[@]}))]}
  per[$s]=$((${per[$s]:-0} + 1))
  delay=$((RANDOM % 700))
  data="trial-$t"
  export CRYSTALLIZE_CACHE_DIR="$work/cache-$t"
  "$host" "${plugins[@]}" run experiments/kr --data-dir "$data" --execution "$s" --workers 2 --quiet >"$work/run-$t.log" 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  if kill -KILL "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null || true
  if ! "$host" "${plugins[@]}" run experiments/kr --data-dir "$data" --strategy resume --execution "$s" --workers 2 --quiet >"$work/resume-$t.log" 2>&1; then
    echo "trial $t ($s, killed after ${delay} ms): resume failed:" >&2; cat "$work/resume-$t.log" >&2
    failures=$((failures + 1)); continue
  fi
  for c in baseline more; do
    if ! cmp -s "ref/kr/v0/$c/results.json" "$data/kr/v0/$c/results.json"; then
      echo "trial $t ($s, killed after ${delay} ms): $c/results.json differs from the uninterrupted run" >&2
      failures=$((failures + 1))
    fi
  done
  rm -rf "$data" "$CRYSTALLIZE_CACHE_DIR" "$work/run-$t.log" "$work/resume-$t.log"
done
summary=""
for s in "${strategies[@]}"; do summary+=" $s ${per[$s]:-0},"; done
echo "kill-resume: $trials trial(s) (${summary%,} ), $killed killed mid-run, $failures failure(s), $(($(date +%s) - start)) s"
[ "$failures" -eq 0 ]
