#!/usr/bin/env bash
# Writes the stored-run fixture of one checkpoint format with the host that wrote it.
# Usage: scripts/make-format-fixture.sh PRODUCTS_DIR FORMAT_NAME
#   PRODUCTS_DIR: the .build/debug of a checkout of the release (crystallize-host, libCTestPlugin.so)
#   FORMAT_NAME:  json-lines | format-1 | format-2 | …  (folder under Tests/Fixtures/formats)
# The fixture is Tests/Fixtures/formats/FORMAT_NAME/data/formats/v0, run from
# Tests/Fixtures/formats/config.yaml with no step cache; the strategies' work folder is dropped.
set -euo pipefail
products=$(cd "$1" && pwd); name=$2
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/Tests/Fixtures/formats/$name"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/experiments/formats"
cp "$root/Tests/Fixtures/formats/config.yaml" "$work/experiments/formats/config.yaml"
(cd "$work" && "$products/crystallize-host" --plugin "$products/libCTestPlugin.so" run experiments/formats --no-cache --quiet >/dev/null)
rm -rf "$work/data/formats/v0/.work" "$out"
mkdir -p "$out"
mv "$work/data" "$out/data"
echo "wrote $out"
