#!/usr/bin/env bash
# Issue 14, goals 1 and 2, and issue 25, goal 1, over a real sshd to a host with its own Docker engine (a lab host: bench/lab.sh), medians of
# RUNS alternating runs, each suite figure the task's own time from its report:
#  1. Redeploy of backend (already pushed, alternating 0.2.3 / 0.2.2) by the suite's Deploy task against the hand-written
#     sequence: one ssh call `compose pull backend`, one `compose up --detach --no-deps --no-build --force-recreate
#     backend` then the health polled every 0.1 s. Like for like: backend is deployed by recreating it (strategy:
#     recreate) with no stable window (stableSeconds: 0), so both do the same work on the server.
#  3. (issue 25) The default path: the same redeploy with the defaults a user gets (start-first, the stability window,
#     the drain, `latest` promoted) against the same hand-written sequence followed by the same stability window.
#  2. Verify of the five services against one ssh call doing `compose ps` and one `docker exec env` per service; Validate
#     of the environment against that call plus the registry's manifest requests for the five images.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bench/lib.sh"
runs="${RUNS:-5}"
. "$root/bench/lab.sh"
project=sshbench
lab_up 1 "$project"
sed -i "/^    versionVariable: BACKEND_VERSION$/a\\    strategy: recreate" "$app/octavios.build.yml"
echo "  stableSeconds: 0" >>"$app/octavios.build.yml"
lab_commit
services="backend web file-manager bank-advisor aletheia"
all="${services// /,}"
suite --target=Push --services="$all,proxy" --version=0.2.2 --verbosity=quiet >/dev/null
suite --target=Push --services=backend --version=0.2.3 --verbosity=quiet >/dev/null
suite --target=Deploy --exclusive --services="$all,proxy" --version=0.2.2 --verbosity=quiet >/dev/null

# The hand-written sequences, over the same key and known_hosts.
remote() { ssh -q -o BatchMode=yes -i "$DEPLOY_SSH_KEY" -o UserKnownHostsFile="$DEPLOY_KNOWN_HOSTS" "root@$first" "$@"; }
compose_v="docker compose"; remote docker compose version >/dev/null 2>&1 || compose_v=docker-compose
compose() { # version
  echo "cd /srv/octavios && env REGISTRY=127.0.0.1:$port NAMESPACE=octavios BACKEND_VERSION=$1 $compose_v --project-name $project" \
    "--file infra/docker-compose.yml --file infra/docker-compose.production.yml --file infra/docker-compose.registry.yml --env-file envs/.env.prod"
}
id_of() { echo "\$(docker ps -q --filter label=com.docker.compose.project=$project --filter label=com.docker.compose.service=$1)"; }
hand_deploy() { # version
  remote "$(compose "$1") pull --quiet backend"
  remote "$(compose "$1") up --detach --no-deps --no-build --force-recreate backend && until [ \"\$(docker inspect --format '{{.State.Health.Status}}' $(id_of backend))\" = healthy ]; do sleep 0.1; done"
}
hand_floor() {
  local execs="" s
  for s in $services; do execs="$execs && docker exec $(id_of "$s") env"; done
  remote "$(compose 0.2.2) ps $execs"
}
hand_floor_registry() {
  hand_floor
  for s in $services; do
    curl -sf -o /dev/null -I -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' "http://127.0.0.1:$port/v2/octavios/$s/manifests/0.2.2"
  done
}
time_us() { local start end; start=$(date +%s%N); "$@" >/dev/null 2>&1; end=$(date +%s%N); echo $(( (end - start) / 1000 )); }

suite_deploy=(); hand=(); version=0.2.3
for _ in $(seq 1 "$runs"); do
  suite_deploy+=("$(suite --target=Deploy --exclusive --services=backend --version="$version" | deploy_task_us)")
  version=$([ "$version" = 0.2.3 ] && echo 0.2.2 || echo 0.2.3)
  hand+=("$(time_us hand_deploy "$version")")
done
# Back to what the records say before Verify compares the containers with them.
suite --target=Deploy --exclusive --services=backend --version=0.2.2 --verbosity=quiet >/dev/null

task_us() { awk -v task="$1" '$1 == task && $2 ~ /^[0-9]/ { split($2, t, ":"); printf "%d\n", (t[1] * 3600 + t[2] * 60 + t[3]) * 1000000 }'; }
verify=(); validate=(); floor=(); floor_registry=()
for _ in $(seq 1 "$runs"); do
  verify+=("$(suite --target=Verify --exclusive --services="$all" | task_us Verify)")
  floor+=("$(time_us hand_floor)")
  validate+=("$(suite --target=Validate --exclusive --services="$all" --version=0.2.2 | task_us Validate)")
  floor_registry+=("$(time_us hand_floor_registry)")
done
d=$(median "${suite_deploy[@]}"); h=$(median "${hand[@]}")
v=$(median "${verify[@]}"); f=$(median "${floor[@]}"); va=$(median "${validate[@]}"); fr=$(median "${floor_registry[@]}")
echo "runs: $runs (alternating); server: a lab host over sshd, its own Docker engine ($compose_v)"
echo "Deploy task, backend recreated (median): ${d} ms; hand-written sequence (median): ${h} ms"
echo "goal 1: Deploy / hand = $(ratio "$d" "$h") (goal <= 1.1)"
echo "Verify task, 5 services (median): ${v} ms; one ssh call, compose ps + 5 docker exec env (median): ${f} ms"
echo "goal 2a: Verify / floor = $(ratio "$v" "$f") (goal <= 1.5)"
echo "Validate task (median): ${va} ms; the same call + 5 manifest requests (median): ${fr} ms"
echo "goal 2b: Validate / floor = $(ratio "$va" "$fr") (goal <= 1.5)"

# Issue 25, goal 1: the defaults back (start-first, deploy.stableSeconds, drainSeconds), against the hand-written
# sequence plus the same window; where the suite's time goes, from its output's moments.
sed -i '/^    strategy: recreate$/d; /^  stableSeconds: 0$/d' "$app/octavios.build.yml"
lab_commit
window=$(sed -n 's/^  stableSeconds: \([0-9]*\)$/\1/p' "$app/octavios.build.yml"); window=${window:-10}
hand_window() { hand_deploy "$1"; sleep "$window"; }
default=(); hand_w=(); version=0.2.3; log="$work/default.log"
for _ in $(seq 1 "$runs"); do
  timed_lines suite --target=Deploy --exclusive --services=backend --version="$version" >"$log"
  default+=("$(cut -d' ' -f2- "$log" | deploy_task_us)")
  version=$([ "$version" = 0.2.3 ] && echo 0.2.2 || echo 0.2.3)
  hand_w+=("$(time_us hand_window "$version")")
done
dd=$(median "${default[@]}"); hw=$(median "${hand_w[@]}")
echo "Deploy task, backend with the defaults (start-first, ${window} s window, drain, latest) (median): ${dd} ms; hand-written sequence + ${window} s (median): ${hw} ms"
echo "goal 3: default Deploy / hand + window = $(ratio "$dd" "$hw") (goal <= 1.1)"
echo "where the default path's time goes (its last run, seconds from its first line):"
since_first 'pulling|starting|healthy|stable for|drains|stopping|stopped|recorded|latest now' <"$log"
