#!/usr/bin/env bash
# Times `cargo xtask generate` once built, and clean builds of the types and client crates.
# Usage: scripts/bench-generate.sh [RUNS]   (default 10 runs of the generator)
set -euo pipefail

cd "$(dirname "$0")/.."
runs="${1:-10}"

now_ms() {
    date +%s%3N
}

median() {
    sort -n | awk '{ values[NR] = $1 } END { print values[int((NR + 1) / 2)] }'
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -m), $(rustc --version)"

cargo build --quiet --release -p xtask
samples=()
for _ in $(seq "$runs"); do
    start=$(now_ms)
    target/release/xtask generate --check >/dev/null
    samples+=($(( $(now_ms) - start )))
done
printf 'xtask generate --check (release build, %s runs): median %s ms\n' \
    "$runs" "$(printf '%s\n' "${samples[@]}" | median)"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cargo fetch --quiet

start=$(now_ms)
CARGO_TARGET_DIR="$scratch/types" cargo build --quiet -p octave-types
printf 'clean debug build of octave-types and its dependencies: %s ms\n' $(( $(now_ms) - start ))

start=$(now_ms)
CARGO_TARGET_DIR="$scratch/client" cargo build --quiet -p octave-client
printf 'clean debug build of octave-client and its dependencies: %s ms\n' $(( $(now_ms) - start ))
