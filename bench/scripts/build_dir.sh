# Sourced by the bench scripts: the build folder their first argument names.
#   build=$(bench_build_dir sdpa_variants_time "${1:-}") || exit 1
# DIR (default build/release) relative to the current folder or else to the repository, printed
# as an absolute path; if there is none, one line saying how to build it, and status 1.
bench_build_dir() {
    local script=$1 build=${2:-build/release} repo_root
    repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    if [[ ! -d $build && $build != /* && -d $repo_root/$build ]]; then
        build=$repo_root/$build
    fi
    if [[ ! -d $build ]]; then
        echo "$script: error: build directory '$build' does not exist (build first: ./scripts/build.sh release)" >&2
        return 1
    fi
    (cd "$build" && pwd)
}
