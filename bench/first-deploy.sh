#!/usr/bin/env bash
# Issue 25, goal 3: the first deploy of the example (all six services, from nothing: no container, no records) on this
# machine's engine by the suite's Deploy task, against `docker-compose up --detach` of the same files and versions
# followed by the health of every container polled every 0.1 s (Compose v1 has no --wait) and one stability window
# (deploy.stableSeconds). Medians of RUNS alternating runs, the suite's figure the Deploy task's own time; prints where
# the suite's time goes (each wave's start, healthy and stable moments from its output).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bench/lib.sh"
runs="${RUNS:-3}"
work="$(mktemp -d)"; project="first$$"; port=$((22000 + RANDOM % 500 * 10))
teardown() {
  local ids; ids=$(docker ps -aq --filter "label=com.docker.compose.project=$project")
  [ -z "$ids" ] || docker rm -f $ids >/dev/null
  docker network rm "${project}_default" >/dev/null 2>&1 || true
  rm -rf "$work/.octavios"
}
trap 'teardown; rm -rf "$work"' EXIT

local_example "$project" "$port"
# Once: the images built and tagged, and the versions the suite's compose calls set, for the hand-written one.
suite --target=Deploy --services=all --version=0.2.2 --verbosity=quiet >/dev/null
versions=$(grep -v "^#" "$work/.octavios/versions.env")
stable=$(sed -n 's/^  stableSeconds: \([0-9]*\)$/\1/p' "$work/octavios.build.yml"); stable=${stable:-10}
compose_v="docker compose"; docker compose version >/dev/null 2>&1 || compose_v=docker-compose

hand() {
  (cd "$work" && env REGISTRY=docker.io NAMESPACE=octavios $versions $compose_v --project-name "$project" \
    --file infra/docker-compose.yml --file infra/docker-compose.production.yml --file infra/docker-compose.registry.yml \
    --env-file envs/.env.local up --detach >/dev/null 2>&1)
  local ids; ids=$(docker ps -q --filter "label=com.docker.compose.project=$project")
  until [ -z "$(docker inspect --format '{{with index .State "Health"}}{{if ne .Status "healthy"}}x{{end}}{{end}}' $ids | tr -d '\n')" ]; do sleep 0.1; done
  sleep "$stable"
}

suite_runs=(); hand_runs=(); log="$work/suite.log"
for _ in $(seq 1 "$runs"); do
  teardown
  timed_lines suite --target=Deploy --exclusive --services=all --version=0.2.2 >"$log"
  suite_runs+=("$(cut -d' ' -f2- "$log" | deploy_task_us)")
  teardown
  start=$(date +%s%N); hand; hand_runs+=("$(( ($(date +%s%N) - start) / 1000 ))")
done
s=$(median "${suite_runs[@]}"); h=$(median "${hand_runs[@]}")
echo "runs: $runs (alternating); the example's six services from nothing on this machine's engine ($compose_v); stability window ${stable} s"
echo "Deploy task (median): ${s} ms; $compose_v up --detach + health polled + one ${stable} s window (median): ${h} ms"
echo "goal: first deploy / compose = $(ratio "$s" "$h") (goal <= 1.2)"
echo "where the suite's time goes (its last run, seconds from its first line):"
since_first 'healthy after|stable for|waiting for|recorded|latest now' <"$log"
