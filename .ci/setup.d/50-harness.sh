# The reliability harness (scripts/harness) is run by HarnessTests at small counts; its config
# mutator and store corrupter are Python 3 (standard library only). The disk-full test mounts
# a small tmpfs, which needs root (CI is root); elsewhere it uses the journal's fault switch.
if ! command -v python3 >/dev/null 2>&1; then
  apt_install python3
fi
export CRYSTALLIZE_TEST_HARNESS=1
