# tmux for the run screen's end-to-end tests (RunScreenTmuxTests drive the host in a real
# terminal). Sourced by .ci/run (bash, set -euo pipefail).
if ! command -v tmux >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends tmux >/dev/null
fi
export CRYSTALLIZE_TEST_TMUX="$(command -v tmux)"
