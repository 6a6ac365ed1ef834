#!/usr/bin/env bash
# Installs the Debian packages dfsim needs that are missing. Idempotent and quiet when
# everything is present. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config          # toolchain
  libcli11-dev                              # command-line parsing
  nlohmann-json3-dev                        # JSON results
  libfmt-dev                                # formatted output
  libgtest-dev                              # tests
  libbenchmark-dev                          # benchmarks
  libmuparser-dev                           # native expressions of graph files (graph/)
  libsystemc-dev                            # SystemC peer of the speed benchmark
  libboost-context-dev                      # fiber peer of the context-switch benchmark
  python3 python3-matplotlib python3-numpy  # plots of the sweep report, .npy fixtures
  clang-14 libclang-rt-14-dev               # libFuzzer for the .npy fuzzer (scripts/fuzz.sh)
  lld                                       # links the builds 2-3 times faster (CMakeLists.txt)
  pybind11-dev python3-pybind11 python3-dev # the Python package (python/, docs/python.md)
  python3-pandas python3-pytest             # its results as DataFrames, its tests
  python3-distributed                       # dask.distributed: sweeps on a cluster (docs/distributed.md)
  python3-torch                             # PyTorch: the second oracle of the attention tests
  graphviz                                  # dot -Tsvg: --dot's graphs, the sweep report's pictures
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2
