# Headless Chromium for the report and dashboard tests (ReportTests): Debian's package.
# Sourced by .ci/run (bash, set -euo pipefail, root).
if ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium fonts-dejavu-core
fi
export CRYSTALLIZE_TEST_CHROMIUM="$(command -v chromium)"
