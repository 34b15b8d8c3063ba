# Headless Chromium for the report and dashboard tests (ReportTests): Debian's package.
# Sourced by .ci/run (bash, set -euo pipefail, root).
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
export CRYSTALLIZE_TEST_CHROMIUM="$(command -v chromium)"
