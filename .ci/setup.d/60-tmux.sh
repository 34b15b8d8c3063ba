# tmux for the run screen's end-to-end tests (RunScreenTmuxTests drive the host in a real
# terminal). Sourced by .ci/run (bash, set -euo pipefail).
if ! command -v tmux >/dev/null 2>&1; then
  apt_install tmux
fi
export CRYSTALLIZE_TEST_TMUX="$(command -v tmux)"
