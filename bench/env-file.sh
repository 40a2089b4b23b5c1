#!/usr/bin/env bash
# `./build.sh --target=Env` on a generated 10 MB env file of 200,000 variables (issue 9's bound: about 2 s),
# against `./build.sh --tree` (start-up alone); medians of RUNS alternating runs, whole processes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-7}"
. "$root/bench/lib.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
awk 'BEGIN { x = sprintf("%30s", ""); gsub(/ /, "x", x); for (i = 0; i < 200000; i++) printf "VARIABLE_%d=value-%d-%s\n", i, i, x }' >"$work/big.env"
cd "$root"
./build.sh --tree >/dev/null   # warm: build once if needed

tree=(); env=()
for _ in $(seq 1 "$runs"); do
  tree+=("$(time_ms ./build.sh --tree)")
  env+=("$(time_ms ./build.sh --target=Env --env-file="$work/big.env")")
done
t=$(median "${tree[@]}"); e=$(median "${env[@]}")
echo "env file: $(du -m "$work/big.env" | cut -f1) MB, $(wc -l <"$work/big.env") variables; runs per command: $runs (alternating)"
echo "./build.sh --tree (median): ${t} ms"
echo "./build.sh --target=Env (median, whole process): ${e} ms"
echo "ratio Env / --tree: $(ratio "$e" "$t")"
