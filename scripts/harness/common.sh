# Shared by the harness scripts: where the built host and test plugins are.
# PRODUCTS overrides the products folder (default: .build/debug of this checkout).
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
products=${PRODUCTS:-$root/.build/debug}
host="$products/crystallize-host"
plugins=(--plugin "$products/libCTestPlugin.so" --plugin "$products/libReliabilityTestPlugin.so")
for f in "$host" "$products/libCTestPlugin.so" "$products/libReliabilityTestPlugin.so"; do
  [ -e "$f" ] || { echo "harness: $f is missing; run 'swift build' first" >&2; exit 2; }
done
