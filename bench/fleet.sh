#!/usr/bin/env bash
# Deploy of one service (backend, alternating 0.2.3 and 0.2.2) to a fleet of HOSTS lab hosts (default 8, every host in
# one batch) against the same deploy to one of them (--hosts), alternating; each host is a network namespace with its
# own Docker engine and sshd (tests/.../fleet-lab.sh). Prints the medians of the Deploy task's time and their ratio.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bench/lib.sh"
runs="${RUNS:-3}"; hosts="${HOSTS:-8}"
lab_script="$root/tests/Octavios.Build.Tests/Support/fleet-lab.sh"
work="$(mktemp -d)"; lab="$work/lab"
port=$((5100 + RANDOM % 400))
cleanup() { bash "$lab_script" down "$lab" >/dev/null 2>&1 || true; [ -n "${registry:-}" ] && kill "$registry" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# A registry every host reaches (the hosts' 127.0.0.1:$port leads to it), and the lab.
mkdir -p "$work/registry"
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 0.0.0.0:%s\n' "$work/registry" "$port" >"$work/registry.yml"
docker-registry serve "$work/registry.yml" >/dev/null 2>&1 & registry=$!
bash "$lab_script" up "$lab" "$hosts" "$port" >"$work/hosts"

# A copy of the example, pushing to that registry, its prod environment a fleet updated all at once.
app="$work/app"; mkdir -p "$app"; cp -r "$root/examples/octavios/." "$app/"
sed -i "s/registry: docker.io/registry: 127.0.0.1:$port/; s/  project: octavios/  project: fleetbench/" "$app/octavios.build.yml"
sed -i "s/^    push: true$/    push: true\n    batchSize: 100%/" "$app/octavios.build.yml"
echo "  stableSeconds: 2" >>"$app/octavios.build.yml"
git -C "$app" init -q && git -C "$app" add -A && git -C "$app" -c user.name=bench -c user.email=b@b commit -qm bench
while read -r name _ _ _; do
  srv="$lab/$name/srv"; mkdir -p "$srv/envs"; cp -r "$app/infra" "$srv/"
  printf 'SECRET_KEY=bench-secret-key-0123456789abcdef0123\nJWT_SECRET_KEY=bench-jwt-secret-0123456789abcdef012\nDATABASE_PASSWORD=bench-db-password-0123456789abc\n' >"$srv/envs/.env.prod"
done <"$work/hosts"
export DEPLOY_SERVER; DEPLOY_SERVER=$(awk '{printf "%sroot@%s", (NR > 1 ? "," : ""), $2}' "$work/hosts")
export DEPLOY_PROJECT_DIR=/srv/octavios DEPLOY_SSH_KEY="$lab/client_key" DEPLOY_KNOWN_HOSTS="$lab/known_hosts"
first=$(awk 'NR == 1 {print $2}' "$work/hosts")
suite() { "$root/build.sh" --config="$app/octavios.build.yml" --env=prod "$@"; }
suite --target=Push --services=backend --version=0.2.2 --verbosity=quiet >/dev/null
suite --target=Push --services=backend --version=0.2.3 --verbosity=quiet >/dev/null
# Only the measured service runs on the hosts: six services' health checks on eight engines alone keep two cores busy.
suite --target=Deploy --services=backend --version=0.2.2 --exclusive --verbosity=quiet >/dev/null

deploy_seconds() { # version [--hosts=...]
  suite --target=Deploy --exclusive --services=backend --version="$@" |
    awk '$1 == "Deploy" && $2 ~ /^[0-9]/ { split($2, t, ":"); printf "%d\n", (t[1] * 3600 + t[2] * 60 + t[3]) * 1000000 }'
}
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
