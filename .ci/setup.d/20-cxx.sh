# A C++ compiler for the ABI tests (AbiContractTests): they compile crystallize.h as C++17 and
# build and load a C++ plugin with the system's `c++`. Debian's g++.
# Sourced by .ci/run (bash, set -euo pipefail, root).
if ! command -v c++ >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends g++ >/dev/null
fi
