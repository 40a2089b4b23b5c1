#!/usr/bin/env bash
# Warm start-up of `./build.sh --tree` against starting the built app directly, median of RUNS runs each.
# Prints both medians and their ratio (the script's overhead: the staleness check and exec).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-15}"
cd "$root"
. "$root/bench/lib.sh"
./build.sh --tree >/dev/null   # warm: build once if needed, fill the file cache

# The two commands alternate, so drift in the machine's load touches both alike.
direct_samples=(); script_samples=()
for _ in $(seq 1 "$runs"); do
  direct_samples+=("$(time_ms "$root/.artifacts/build/Octavios.Build" --tree)")
  script_samples+=("$(time_ms "$root/build.sh" --tree)")
done
direct=$(median "${direct_samples[@]}")
script=$(median "${script_samples[@]}")
ratio=$(ratio "$script" "$direct")
echo "runs per command: $runs (alternating)"
echo "built app --tree (median): ${direct} ms"
echo "./build.sh --tree (median): ${script} ms"
echo "ratio build.sh / direct: ${ratio}"
