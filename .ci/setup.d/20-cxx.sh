# A C++ compiler for the ABI tests (AbiContractTests): they compile crystallize.h as C++17 and
# build and load a C++ plugin with the system's `c++`. Debian's g++.
# Sourced by .ci/run (bash, set -euo pipefail, root).
if ! command -v c++ >/dev/null 2>&1; then
  apt_install g++
fi
