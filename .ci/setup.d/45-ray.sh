# A one-machine Ray head on loopback for the RayExecution tests (RayTests): ray in a venv
# (.build-ray-venv), one CPU (the machine is shared). Exports RAY_ADDRESS and
# CRYSTALLIZE_RAY_PYTHON, which the tests read. Sourced by .ci/run (bash, set -euo pipefail, root).
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  apt_install python3 python3-venv python3-pip
fi
eval "$(RAY_LOCAL_CPUS=1 scripts/ray-local.sh start)"
at_exit 'scripts/ray-local.sh stop'
