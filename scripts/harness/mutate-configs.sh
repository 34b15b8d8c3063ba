#!/usr/bin/env bash
# Mutated config.yaml files (default 1,000) run by the real host: no crash, no hang, every
# refusal exit 2 naming config.yaml and its line. Usage: scripts/harness/mutate-configs.sh [COUNT]
set -euo pipefail
source "$(dirname "$0")/common.sh"
PRODUCTS="$products" exec python3 "$(dirname "$0")/mutate_configs.py" "${1:-1000}"
