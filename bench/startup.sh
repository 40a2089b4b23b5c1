#!/usr/bin/env bash
# Start-up, medians of RUNS alternating runs of whole processes (issue 14, goal 3):
#  - a whole dry run of `--target=Deploy --services=backend --version=0.2.3` on the example against Cake.Tool 7.0.0's
#    script runner (`dotnet cake`, EnableScriptCache=true, cache warm) running seven empty tasks in the same chain;
#  - a no-op target (`--target=Default --exclusive`) against `--tree`;
#  - `./build.sh --tree` against the built app's `--tree` (the script's staleness check and exec).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-15}"
. "$root/bench/lib.sh"
app="$root/.artifacts/build/Octavios.Build"
example="$root/examples/octavios"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/build.sh" --tree >/dev/null   # build once if needed, fill the file cache

# Cake's script runner, installed as the local tool `dotnet cake` is, with its script cache on and warmed.
(cd "$work" && dotnet new tool-manifest >/dev/null && dotnet tool install Cake.Tool --version 7.0.0 >/dev/null)
printf '[Settings]\nEnableScriptCache=true\n' >"$work/cake.config"
{
  echo 'Task("Detect");'
  previous=Detect
  for task in Build Tag Push Validate Deploy Verify; do echo "Task(\"$task\").IsDependentOn(\"$previous\");"; previous=$task; done
  echo 'RunTarget(Argument("target", "Verify"));'
} >"$work/build.cake"
cake() { (cd "$work" && dotnet cake build.cake --target=Verify); }
cake >/dev/null
dry_run() { (cd "$example" && "$app" --target=Deploy --services=backend --version=0.2.3 --dryrun); }
dry_run >/dev/null

cake_samples=(); dry_samples=(); noop_samples=(); tree_samples=(); script_samples=()
for _ in $(seq 1 "$runs"); do
  cake_samples+=("$(time_ms cake)")
  dry_samples+=("$(time_ms dry_run)")
  noop_samples+=("$(time_ms "$app" --working="$example" --target=Default --exclusive)")
  tree_samples+=("$(time_ms "$app" --working="$example" --tree)")
  script_samples+=("$(time_ms "$root/build.sh" --working="$example" --tree)")
done
cake=$(median "${cake_samples[@]}"); dry=$(median "${dry_samples[@]}")
noop=$(median "${noop_samples[@]}"); tree=$(median "${tree_samples[@]}"); script=$(median "${script_samples[@]}")
echo "runs per command: $runs (alternating)"
echo "dotnet cake, 7 empty tasks, script cache on (median): ${cake} ms"
echo "dry run of Deploy backend 0.2.3 on the example (median): ${dry} ms"
echo "goal 3a: dotnet cake / dry run = $(ratio "$cake" "$dry") (goal >= 3)"
echo "no-op target, Default --exclusive (median): ${noop} ms"
echo "--tree (median): ${tree} ms"
echo "goal 3b: no-op / --tree = $(ratio "$noop" "$tree") (goal <= 1.5)"
echo "./build.sh --tree (median): ${script} ms; build.sh / built app = $(ratio "$script" "$tree")"
