#!/usr/bin/env bash
# Warm start-up of `./build.sh --tree` against starting the built app directly, median of RUNS runs each.
# Prints both medians and their ratio (the script's overhead: the staleness check and exec).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-15}"
cd "$root"
./build.sh --tree >/dev/null   # warm: build once if needed, fill the file cache

median_ms() {
  local samples=()
  for _ in $(seq 1 "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    samples+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${samples[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f\n", m/1000}'
}

direct=$(median_ms "$root/.artifacts/build/Octavios.Build" --tree)
script=$(median_ms "$root/build.sh" --tree)
ratio=$(awk -v s="$script" -v d="$direct" 'BEGIN {printf "%.2f", s/d}')
echo "runs per command: $runs"
echo "built app --tree (median): ${direct} ms"
echo "./build.sh --tree (median): ${script} ms"
echo "ratio build.sh / direct: ${ratio}"
