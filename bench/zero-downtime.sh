#!/usr/bin/env bash
# Deploys the example's backend on this machine's engine with each strategy, start-first and recreate, alternating,
# under a load probe through the example's proxy (20 requests/s on loopback, each with a 3 s limit); prints, side by
# side, the failed requests and the deploy time (the Deploy task alone, from the suite's report) of each strategy.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bench/lib.sh"
runs="${RUNS:-3}"
work="$(mktemp -d)"
project="bench$$"
port=$((21000 + RANDOM % 500 * 10))
cleanup() {
  ids=$(docker ps -aq --filter "label=com.docker.compose.project=$project")
  [ -z "$ids" ] || docker rm -f $ids >/dev/null
  docker network rm "${project}_default" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

local_example "$project" "$port"
suite --target=Deploy --services=all --version=0.2.2 --verbosity=quiet >/dev/null
suite --target=Tag --services=backend --version=0.2.3 --verbosity=quiet >/dev/null

# Probe: one curl every 50 ms in the background; each failure (not 200, or no answer within 3 s) is a line.
probe() {
  local failures="$1" stop="$2"
  while [ ! -e "$stop" ]; do
    (curl -s -o /dev/null -m 3 -w '%{http_code}\n' "http://127.0.0.1:$((port + 1))/api/health" | grep -qx 200 || echo failed >> "$failures") &
    sleep 0.05
  done
  wait
}

deploy() { # strategy version -> "failed seconds"
  sed -i "/^  backend:/,/^  [a-z]/ s/^    strategy: .*$/    strategy: $1/" "$work/octavios.build.yml"
  local failures="$work/failures" stop="$work/stop"
  rm -f "$failures" "$stop"; : > "$failures"
  probe "$failures" "$stop" & local prober=$!
  sleep 1
  local report; report=$(suite --target=Deploy --exclusive --services=backend --version="$2")
  sleep 2; touch "$stop"; wait "$prober"
  local seconds; seconds=$(printf '%s\n' "$report" | awk '$1 == "Deploy" && $2 ~ /^[0-9]/ { split($2, t, ":"); printf "%.1f", t[1] * 3600 + t[2] * 60 + t[3] }')
  echo "$(wc -l < "$failures") $seconds"
}

sed -i "s/^    versionVariable: BACKEND_VERSION$/    versionVariable: BACKEND_VERSION\n    strategy: auto/" "$work/octavios.build.yml"
declare -a sf_failed sf_time rc_failed rc_time
version=0.2.3
for i in $(seq 1 "$runs"); do
  read -r f t <<<"$(deploy start-first "$version")"; sf_failed+=("$f"); sf_time+=("$t")
  version=$([ "$version" = 0.2.3 ] && echo 0.2.2 || echo 0.2.3)
  read -r f t <<<"$(deploy recreate "$version")"; rc_failed+=("$f"); rc_time+=("$t")
  version=$([ "$version" = 0.2.3 ] && echo 0.2.2 || echo 0.2.3)
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m}'; }
echo "runs per strategy: $runs (alternating), probe 20 requests/s through the proxy"
printf '%-12s %-22s %-18s\n' strategy "failed requests/run" "deploy task (s)"
printf '%-12s %-22s %-18s\n' start-first "${sf_failed[*]}" "$(median "${sf_time[@]}") (median)"
printf '%-12s %-22s %-18s\n' recreate "${rc_failed[*]}" "$(median "${rc_time[@]}") (median)"
