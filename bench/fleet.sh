#!/usr/bin/env bash
# Deploy of one service (backend, alternating 0.2.3 and 0.2.2) to a fleet of HOSTS lab hosts (default 8, every host in
# one batch) against the same deploy to one of them (--hosts), alternating; each host is a network namespace with its
# own Docker engine and sshd (tests/.../fleet-lab.sh). Prints the medians of the Deploy task's time and their ratio.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bench/lib.sh"
runs="${RUNS:-3}"; hosts="${HOSTS:-8}"
. "$root/bench/lab.sh"
lab_up "$hosts" fleetbench
sed -i "s/^    push: true$/    push: true\n    batchSize: 100%/" "$app/octavios.build.yml"
echo "  stableSeconds: 2" >>"$app/octavios.build.yml"
lab_commit
suite --target=Push --services=backend --version=0.2.2 --verbosity=quiet >/dev/null
suite --target=Push --services=backend --version=0.2.3 --verbosity=quiet >/dev/null
# Only the measured service runs on the hosts: six services' health checks on eight engines alone keep two cores busy.
suite --target=Deploy --services=backend --version=0.2.2 --exclusive --verbosity=quiet >/dev/null

deploy_seconds() { suite --target=Deploy --exclusive --services=backend --version="$@" | deploy_task_us; } # version [--hosts=...]
one=(); all=(); version=0.2.3
for _ in $(seq 1 "$runs"); do
  one+=("$(deploy_seconds "$version" --hosts="$first")")
  all+=("$(deploy_seconds "$version")")
  version=$([ "$version" = 0.2.3 ] && echo 0.2.2 || echo 0.2.3)
done
o=$(median "${one[@]}"); a=$(median "${all[@]}")
echo "runs: $runs (alternating); fleet: $hosts hosts, one batch"
echo "Deploy of backend to 1 host (median): ${o} ms"
echo "Deploy of backend to $hosts hosts (median): ${a} ms"
echo "ratio $hosts hosts / 1 host: $(ratio "$a" "$o")"
