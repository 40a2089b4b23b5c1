#!/usr/bin/env bash
# Issue 25, goal 2: the suite's own orchestration of a fleet at 1, 8, 32 and 64 hosts, by simulation. Each simulated
# host is a network namespace with its own sshd (as the fleet lab's hosts), its /srv/octavios its own, but its docker
# and docker-compose are fleet-scale/replay.sh: the calls a real deploy of backend sent to a real lab host, answered
# with the same output at the same moments (recorded by this script from a real lab host when
# fleet-scale/recording/ is missing or RECORD=1, and kept beside it). The remote work costs its wall time and
# (nearly) no CPU here, so what grows with the hosts is the suite's: its connections, parallelism, CPU and memory.
# Left out: the engines' own load, the network's latency (a bridge on this machine), a registry pull per host.
# Prints, from medians of RUNS rounds (each round every fleet size in turn, each run from the same server state):
# Deploy time per fleet size against 1 host, the suite's CPU and peak RSS, 32 hosts through one bastion against direct,
# and the 64-host timeline: when each host started each step, against the first host.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bench/lib.sh"
runs="${RUNS:-3}"; sizes="${SIZES:-1 8 32 64}"; max=0
for s in $sizes; do [ "$s" -gt "$max" ] && max=$s; done
[ "$max" -ge 32 ] || max=32
here="$root/bench/fleet-scale"; recording="$here/recording"
. "$root/bench/lab.sh"

# What a simulated host's remote commands call that needs an engine (curl asks a new container its health URL).
stood_in="/usr/local/bin/docker /usr/bin/docker /usr/bin/docker-compose /usr/bin/curl"
sim_bridge=ofsbr0; sim_subnet=10.233.0
sim_down() {
  local ns pid
  for ns in $(ip netns list 2>/dev/null | awk '/^ofs-h[0-9]+/ {print $1}'); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  [ -z "${bastion_pid:-}" ] || kill "$bastion_pid" 2>/dev/null || true
  ip link del "$sim_bridge" 2>/dev/null || true
}
trap 'sim_down 2>/dev/null; lab_cleanup' EXIT

# The recording: a real lab host at backend 0.2.2 deploys 0.2.3 with record.sh over its docker and docker-compose.
record() {
  lab_backend_fleet 1 scale
  local d="$lab/h1" real=/run/fleet-scale-real raw="$work/raw" bin
  mkdir -p "$real" "$raw"
  for bin in docker docker-compose curl; do : >"$real/$bin"; done
  nsenter -t "$(cat "$d/docker.pid")" -m sh -c "for bin in docker docker-compose curl; do mount --bind \$(command -v \$bin) $real/\$bin; done
    for bin in $stood_in; do [ ! -e \$bin ] || mount --bind '$here/record.sh' \$bin; done"
  sed -i "s|^SetEnv DOCKER_HOST=\(.*\)$|SetEnv DOCKER_HOST=\1 RECORD_DIR=$raw|" "$d/sshd_config"
  kill -HUP "$(cat "$d/sshd.pid")"; sleep 0.5
  rm -rf "$recording.new"; mkdir -p "$recording.new"
  tar -C "$d/srv" -cf "$recording.new/srv.tar" .
  cp "$app/octavios.build.yml" "$recording.new/octavios.build.yml"
  suite --target=Deploy --services=backend --version=0.2.3 --exclusive >"$work/recorded.log"
  bash "$here/compile.sh" "$raw" "$recording.new/calls"
  rm -rf "$recording"; mv "$recording.new" "$recording"
  bash "$lab_script" down "$lab" >/dev/null 2>&1 || true
  kill "$registry" 2>/dev/null; wait "$registry" 2>/dev/null || true
  echo "recorded: $(ls "$raw"/*.meta | wc -l) calls of a real deploy ($(deploy_task_us <"$work/recorded.log") us) into $recording"
}
[ -f "$recording/srv.tar" ] && [ "${RECORD:-0}" != 1 ] || record

# The simulated hosts, and a bastion on the bridge (this machine's sshd binary, TCP forwarding only).
sim_up() { # hosts
  sim_down
  local i ns d address dir="$work/sim"
  mkdir -p "$dir" /srv/octavios /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$dir/client_key"; : >"$dir/known_hosts"
  ip link add "$sim_bridge" type bridge; ip addr add "$sim_subnet.1/24" dev "$sim_bridge"; ip link set "$sim_bridge" up
  for i in $(seq 1 "$1"); do
    ns="ofs-h$i"; d="$dir/h$i"; address="$sim_subnet.$((10 + i))"
    mkdir -p "$d/srv" "$d/state"; ln -s "$recording/calls" "$d/state/recording"; mkfifo "$d/state/pause"
    ip netns add "$ns"
    ip link add "$ns-v" type veth peer name eth0 netns "$ns"
    ip link set "$ns-v" master "$sim_bridge" up
    ip -n "$ns" addr add "$address/24" dev eth0; ip -n "$ns" link set eth0 up; ip -n "$ns" link set lo up
    ssh-keygen -q -t ed25519 -N '' -f "$d/host_key"
    printf '%s\n' "ListenAddress $address" "HostKey $d/host_key" "AuthorizedKeysFile $dir/client_key.pub" "PidFile $d/sshd.pid" \
      "PermitRootLogin prohibit-password" "PasswordAuthentication no" "KbdInteractiveAuthentication no" "UsePAM no" \
      "StrictModes no" "MaxStartups 100:30:200" "SetEnv REPLAY_STATE=$d/state" >"$d/sshd_config"
    echo "$address $(cut -d' ' -f1,2 "$d/host_key.pub")" >>"$dir/known_hosts"
    ip netns exec "$ns" sh -c "
      for bin in $stood_in; do [ ! -e \$bin ] || mount --bind '$here/replay.sh' \$bin; done
      mount --bind '$d/srv' /srv/octavios
      [ ! -f /root/.bashrc ] || mount --bind \$([ -f /etc/skel/.bashrc ] && echo /etc/skel/.bashrc || echo /dev/null) /root/.bashrc
      exec /usr/sbin/sshd -D -f '$d/sshd_config' -E '$d/sshd.log'" </dev/null >/dev/null 2>&1 &
  done
  ssh-keygen -q -t ed25519 -N '' -f "$dir/bastion_key"
  printf '%s\n' "ListenAddress $sim_subnet.1:2222" "HostKey $dir/bastion_key" "AuthorizedKeysFile $dir/client_key.pub" \
    "PidFile $dir/bastion.pid" "PermitRootLogin prohibit-password" "PasswordAuthentication no" "UsePAM no" "StrictModes no" \
    "AllowTcpForwarding yes" "MaxStartups 100:30:200" >"$dir/bastion_config"
  /usr/sbin/sshd -D -f "$dir/bastion_config" -E "$dir/bastion.log" </dev/null >/dev/null 2>&1 & bastion_pid=$!
  echo "[$sim_subnet.1]:2222 $(cut -d' ' -f1,2 "$dir/bastion_key.pub")" >>"$dir/known_hosts"
  for i in $(seq 1 "$1") bastion; do
    address=$([ "$i" = bastion ] && echo "$sim_subnet.1/2222" || echo "$sim_subnet.$((10 + i))/22")
    for _ in $(seq 1 80); do (exec 3<>"/dev/tcp/$address") 2>/dev/null && break; sleep 0.1; done
  done
  export DEPLOY_SSH_KEY="$dir/client_key" DEPLOY_KNOWN_HOSTS="$dir/known_hosts"
}

# Every host of a run back to the recorded server's state; its counts of calls and its timeline cleared.
sim_reset() { # hosts
  local i d
  for i in $(seq 1 "$1"); do
    d="$work/sim/h$i"
    find "$d/srv" -mindepth 1 -delete && tar -C "$d/srv" -xf "$recording/srv.tar"
    rm -f "$d/state/"n.* "$d/state/timeline" "$d/state/misses"
  done
}

# The CPU every process a simulated host's sshd started has spent (its children's times, once they ended), in ms.
hosts_cpu_ms() { # hosts
  local i total=0
  for i in $(seq 1 "$1"); do total=$(( total + $(awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($14 + $15 + $16 + $17) * 1000 / hz}' "/proc/$(cat "$work/sim/h$i/sshd.pid")/stat") )); done
  echo "$total"
}

# One deploy of backend 0.2.3 to the first HOSTS simulated hosts; prints "task_us suite_cpu_ms rss_kb machine_cpu_ms
# hosts_cpu_ms", or "failed REASON" (its log kept in /tmp/fleet-scale-failed.log).
sim_deploy() { # hosts [jump]
  local hosts=$1 jump=${2:-} t="$work/time" log="$work/deploy.log" before hosts_before misses
  sim_reset "$hosts"
  before=$(machine_cpu_us); hosts_before=$(hosts_cpu_ms "$hosts")
  if ! DEPLOY_SERVER=$(seq 1 "$hosts" | awk -v s="$sim_subnet" '{printf "%sroot@%s.%d", (NR > 1 ? "," : ""), s, 10 + $1}') \
    DEPLOY_SSH_JUMP="$jump" /usr/bin/time -f '%U %S %M' -o "$t" \
    "$root/build.sh" --config="$app/octavios.build.yml" --env=prod --target=Deploy --exclusive --services=backend --version=0.2.3 >"$log" 2>&1; then
    cp "$log" /tmp/fleet-scale-failed.log
    echo "failed $(grep -m1 '^Error: ' "$log" | cut -c8-300)"; return
  fi
  misses=$(cat "$work"/sim/h*/state/misses 2>/dev/null | wc -l || true)
  [ "$misses" -eq 0 ] || { echo "fleet-scale: $misses calls had no recording (first: $(cat "$work"/sim/h*/state/misses | head -1))" >&2; exit 1; }
  echo "$(deploy_task_us <"$log") $(awk '{printf "%d", ($1 + $2) * 1000}' "$t") $(awk '{print $3}' "$t") $(( ($(machine_cpu_us) - before) / 1000 )) $(( $(hosts_cpu_ms "$hosts") - hosts_before ))"
}

export DEPLOY_PROJECT_DIR=/srv/octavios
app="$work/sim-app"; mkdir -p "$app"; cp -r "$root/examples/octavios/." "$app/"
cp "$recording/octavios.build.yml" "$app/octavios.build.yml"
lab_commit
# The registry the recording named, for Deploy's push of `latest` (the images pushed again: the same layers).
port=$(sed -n 's/^registry: 127.0.0.1:\([0-9]*\)$/\1/p' "$app/octavios.build.yml")
mkdir -p "$work/sim-registry"
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' "$work/sim-registry" "$port" >"$work/registry.yml"
docker-registry serve "$work/registry.yml" >/dev/null 2>&1 & registry=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
for v in 0.2.2 0.2.3; do suite --target=Push --services=backend --version=$v --verbosity=quiet >/dev/null; done

sim_up "$max"
declare -A task=() cpu=() rss=() hcpu=() failed=()
cores=$(nproc)
for _ in $(seq 1 "$runs"); do
  for n in $sizes ${BASTION-bastion}; do
    read -r t c m mc hc < <(if [ "$n" = bastion ]; then sim_deploy "${BASTION_HOSTS:-32}" "root@$sim_subnet.1:2222"; else sim_deploy "$n"; fi)
    if [ "$t" = failed ]; then
      failed[$n]="${failed[$n]:-0}"; failed[$n]=$((failed[$n] + 1))
      echo "run: $n: FAILED: $c $m $mc $hc" >&2; continue
    fi
    task[$n]="${task[$n]:-} $t"; cpu[$n]="${cpu[$n]:-} $((c * 1000))"; rss[$n]="${rss[$n]:-} $m"; hcpu[$n]="${hcpu[$n]:-} $((hc * 1000))"
    echo "run: $n: Deploy $((t / 1000)) ms; suite CPU $c ms, peak RSS $((m / 1024)) MB; the simulated hosts' processes $hc ms of CPU, the machine's $mc ms" >&2
    if [ "$n" = "$max" ]; then rm -rf "$work/last-max"; mkdir "$work/last-max"; for i in $(seq 1 "$n"); do cp "$work/sim/h$i/state/timeline" "$work/last-max/h$i" 2>/dev/null || true; done; fi
  done
done
med() { [ -n "${1:-}" ] && median $1 || echo -; }   # word splitting intended: the samples
peak() { [ -n "${1:-}" ] && printf '%s\n' $1 | sort -n | tail -1 | awk '{printf "%.0f", $1 / 1024}' || echo -; }
rat() { [ "$1" != - ] && [ "$2" != - ] && ratio "$1" "$2" || echo -; }
one=$(med "${task[1]:-}")
echo "runs: $runs rounds; simulated hosts: sshd each, docker, docker-compose and curl replayed ($(wc -l <"$recording/calls/index") distinct calls of a real deploy); this machine: $cores cores"
printf '%-24s %10s %9s %13s %13s %12s %s\n' "deploy of backend to" "median ms" "vs 1" "suite CPU ms" "suite RSS MB" "hosts' CPU ms" "failed runs"
for n in $sizes bastion; do
  [ "$n" != bastion ] || [ -n "${BASTION-bastion}" ] || continue
  name="$n host(s)"; base=$one; [ "$n" != bastion ] || { name="32 hosts via a bastion"; base=$(med "${task[32]:-}"); }
  printf '%-24s %10s %9s %13s %13s %12s %s\n' "$name" "$(med "${task[$n]:-}")" "$(rat "$(med "${task[$n]:-}")" "$base")" "$(med "${cpu[$n]:-}")" \
    "$(peak "${rss[$n]:-}")" "$(med "${hcpu[$n]:-}")" "${failed[$n]:-0}"
done
top=$(printf '%s\n' $sizes | sort -n | tail -1)
echo "goal: Deploy to $top hosts / 1 host = $(rat "$(med "${task[$top]:-}")" "$one") (goal <= 1.3)"
echo "goal: the suite's CPU per host at $top hosts = $(med "${cpu[$top]:-}" | awk -v n="$top" '$1 != "-" {printf "%.3f", $1 / 1000 / n; next} {print}') CPU-s (goal <= 0.1)"
echo "goal: the suite's peak RSS at $top hosts = $(peak "${rss[$top]:-}") MB (goal <= 250)"
[ -z "${BASTION-bastion}" ] || echo "goal: 32 hosts through one bastion / direct = $(rat "$(med "${task[bastion]:-}")" "$(med "${task[32]:-}")") (goal <= 1.5)"
# Where the time goes: the simulated hosts' own processes (the suite's server-side shell steps, sshd) run on this
# machine's cores; their CPU over the cores is a floor under the fleet's time that a real fleet would not have.
for n in $sizes; do
  [ "${hcpu[$n]:-}" ] || continue
  echo "where the time goes at $n host(s): the hosts' processes took $(med "${hcpu[$n]}") ms of CPU: at least $(awk -v c="$(med "${hcpu[$n]}")" -v k="$cores" 'BEGIN {printf "%.0f", c / k}') ms of this machine's $cores cores, $(rat "$(awk -v c="$(med "${hcpu[$n]}")" -v k="$cores" 'BEGIN {print c / k}')" "$one") x the 1-host deploy"
done
[ -z "${failed[*]:-}" ] || echo "failed runs: the last one's log is /tmp/fleet-scale-failed.log"
# The timeline of the last largest run: each step (the first call of its kind on a host), when the first host
# started it, and how much later the last host did.
if [ -d "$work/last-max" ]; then
  echo "timeline of the last $max-host run (each step's first call per host, from the first host's first call):"
  for f in "$work"/last-max/h*; do awk '!seen[$2 " " $3 " " $4]++ {print $1, $2 " " $3 " " $4}' "$f"; done |
    awk '{ k = $2 " " $3 " " $4; if (!(k in first) || $1 < first[k]) first[k] = $1; if ($1 > last[k]) last[k] = $1; n[k]++; if (t0 == "" || $1 < t0) t0 = $1 }
      END { for (k in first) { printf "%9.3f s  %-28s %3d hosts, the last %.3f s after the first\n", first[k] - t0, k, n[k], last[k] - first[k]; if (last[k] - first[k] > m) m = last[k] - first[k] }
            printf "goal: the latest start of a step after the first host'"'"'s = %.3f s (goal <= 0.5)\n", m }' | sort -n
fi
