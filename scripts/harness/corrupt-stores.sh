#!/usr/bin/env bash
# Corrupted journals, results, metadata, provenance, manifests and cache entries (default 200,
# each met by show, show --provenance, run --strategy resume and a fresh run): no crash, no
# hang, refusals name the file and change nothing, runs that go ahead give identical results.
# Usage: scripts/harness/corrupt-stores.sh [COUNT]
set -euo pipefail
source "$(dirname "$0")/common.sh"
PRODUCTS="$products" exec python3 "$(dirname "$0")/corrupt_stores.py" "${1:-200}"
