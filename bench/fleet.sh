#!/usr/bin/env bash
# Deploy of one service (backend, alternating 0.2.3 and 0.2.2) to a fleet of HOSTS lab hosts (default 8, every host in
# one batch) against the same deploy to one of them (--hosts), alternating; each host is a network namespace with its
# own Docker engine and sshd (tests/.../fleet-lab.sh). Prints the medians of the Deploy task's time and their ratio, and
# the CPU the whole machine spent meanwhile: every lab host shares its cores, which bounds the fleet's time from below.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bench/lib.sh"
runs="${RUNS:-3}"; hosts="${HOSTS:-8}"
. "$root/bench/lab.sh"
lab_backend_fleet "$hosts" fleetbench

# The Deploy task's time, and (to cpu_file) the CPU the whole machine spent meanwhile: every lab host shares its cores.
cpu_file="$work/cpu"
deploy_us() { # version [--hosts=...]
  local before; before=$(machine_cpu_us)
  suite --target=Deploy --exclusive --services=backend --version="$@" | deploy_task_us
  echo $(( $(machine_cpu_us) - before )) >"$cpu_file"
}
one=(); all=(); one_cpu=(); all_cpu=(); version=0.2.3
for _ in $(seq 1 "$runs"); do
  one+=("$(deploy_us "$version" --hosts="$first")"); one_cpu+=("$(cat "$cpu_file")")
  all+=("$(deploy_us "$version")"); all_cpu+=("$(cat "$cpu_file")")
  version=$([ "$version" = 0.2.3 ] && echo 0.2.2 || echo 0.2.3)
done
o=$(median "${one[@]}"); a=$(median "${all[@]}"); oc=$(median "${one_cpu[@]}"); ac=$(median "${all_cpu[@]}")
cores=$(nproc)
echo "runs: $runs (alternating); fleet: $hosts hosts, one batch; this machine: $cores cores for every lab host"
echo "Deploy of backend to 1 host (median): ${o} ms, machine CPU meanwhile ${oc} ms"
echo "Deploy of backend to $hosts hosts (median): ${a} ms, machine CPU meanwhile ${ac} ms"
echo "the $hosts hosts' CPU on $cores cores takes at least $(awk -v c="$ac" -v n="$cores" 'BEGIN {printf "%.1f", c / n}') ms, $(ratio "$(awk -v c="$ac" -v n="$cores" 'BEGIN {print c / n}')" "$o") x the 1-host deploy"
echo "ratio $hosts hosts / 1 host: $(ratio "$a" "$o")"
