#!/usr/bin/env bash
# A fleet of "hosts" on this machine (see ../shared/FLEET-LAB.md): one network namespace per host on a private bridge,
# each with its own Docker engine (own data, exec root, containerd) and its own sshd on port 22 of its address, its
# /srv/octavios its own. 127.0.0.1:REGISTRY_PORT inside a host reaches the registry on the bridge, so images keep the
# names the main engine pushed them under.
#   fleet-lab.sh up DIR HOSTS REGISTRY_PORT   prints one line per host: name address docker-socket
#   fleet-lab.sh swarm DIR                    a Swarm of the hosts, h1 its manager
#   fleet-lab.sh down DIR
set -euo pipefail
bridge=oflbr0
subnet=10.231.0

host_dir() { echo "$1/h$2"; }

down() {
  local dir="$1" ns pid
  for ns in $(ip netns list 2>/dev/null | awk '/^ofl-h[0-9]+/ {print $1}'); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
  done
  for _ in $(seq 1 40); do
    [ -z "$(for ns in $(ip netns list 2>/dev/null | awk '/^ofl-h[0-9]+/ {print $1}'); do ip netns pids "$ns"; done)" ] && break
    sleep 0.25
  done
  for ns in $(ip netns list 2>/dev/null | awk '/^ofl-h[0-9]+/ {print $1}'); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  # A deleted namespace takes its veth with it only once its last process is gone: delete what is left, and wait.
  for _ in $(seq 1 40); do
    links=$(ip -o link show 2>/dev/null | grep -o 'ofl-h[0-9]*-v' | sort -u || true)
    [ -z "$links" ] && break
    for link in $links; do ip link del "$link" 2>/dev/null || true; done
    sleep 0.25
  done
  ip link del "$bridge" 2>/dev/null || true
  [ -n "$dir" ] && [ -d "$dir" ] && rm -rf "$dir" 2>/dev/null || true
}

up() {
  local dir="$1" hosts="$2" port="$3" i ns d address
  down "" 
  mkdir -p "$dir" /srv/octavios /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$dir/client_key"
  : >"$dir/known_hosts"
  ip link add "$bridge" type bridge
  ip addr add "$subnet.1/24" dev "$bridge"
  ip link set "$bridge" up
  for i in $(seq 1 "$hosts"); do
    ns="ofl-h$i"; d="$(host_dir "$dir" "$i")"; address="$subnet.$((10 + i))"
    mkdir -p "$d/srv" "$d/cgroup"
    echo '{}' >"$d/daemon.json"
    ip netns add "$ns"
    ip link add "$ns-v" type veth peer name eth0 netns "$ns"
    ip link set "$ns-v" master "$bridge" up
    ip -n "$ns" addr add "$address/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.route_localnet=1
    ip netns exec "$ns" iptables -t nat -A OUTPUT -d 127.0.0.1 -p tcp --dport "$port" -j DNAT --to-destination "$subnet.1:$port"
    ip netns exec "$ns" iptables -t nat -A POSTROUTING -d "$subnet.1" -p tcp --dport "$port" -j SNAT --to-source "$address"
    # ip netns exec remounts /sys and hides the cgroup tree dockerd needs: a mount namespace of our own instead.
    nsenter --net="/run/netns/$ns" -- unshare --mount --uts --propagation slave -- sh -c "
      hostname h$i
      mount --rbind /sys/fs/cgroup '$d/cgroup'
      umount -l /sys
      mount -t sysfs sysfs /sys
      mount --rbind '$d/cgroup' /sys/fs/cgroup
      mount --bind '$d/srv' /srv/octavios
      # A stock server's root shell: this machine's ~/.bashrc (pyenv, cargo) would run before every remote command.
      [ ! -f /root/.bashrc ] || mount --bind \$([ -f /etc/skel/.bashrc ] && echo /etc/skel/.bashrc || echo /dev/null) /root/.bashrc
      exec dockerd --data-root '$d/data' --exec-root '$d/exec' --pidfile '$d/docker.pid' -H 'unix://$d/docker.sock' \
        --containerd-namespace 'ofl-h$i' --containerd-plugins-namespace 'ofl-h$i-plugins' --cgroup-parent 'ofl-h$i' \
        --config-file '$d/daemon.json' --iptables=true
    " >"$d/dockerd.log" 2>&1 </dev/null &
    ssh-keygen -q -t ed25519 -N '' -f "$d/host_key"
    cat >"$d/sshd_config" <<EOF
Port 22
ListenAddress $address
HostKey $d/host_key
AuthorizedKeysFile $dir/client_key.pub
PidFile $d/sshd.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
LogLevel VERBOSE
MaxStartups 10:30:100
SetEnv DOCKER_HOST=unix://$d/docker.sock
EOF
    echo "$address $(cut -d' ' -f1,2 "$d/host_key.pub")" >>"$dir/known_hosts"
  done
  for i in $(seq 1 "$hosts"); do
    d="$(host_dir "$dir" "$i")"
    for _ in $(seq 1 120); do [ -S "$d/docker.sock" ] && docker -H "unix://$d/docker.sock" info >/dev/null 2>&1 && break; sleep 0.25; done
    docker -H "unix://$d/docker.sock" info >/dev/null 2>&1 || { echo "fleet-lab: h$i's dockerd did not start:" >&2; tail -20 "$d/dockerd.log" >&2; exit 1; }
    nsenter -t "$(cat "$d/docker.pid")" -n -m -u /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log"
  done
  for i in $(seq 1 "$hosts"); do
    d="$(host_dir "$dir" "$i")"; address="$subnet.$((10 + i))"
    for _ in $(seq 1 40); do (exec 3<>"/dev/tcp/$address/22") 2>/dev/null && break; sleep 0.25; done
    echo "h$i $address unix://$d/docker.sock $d/sshd.log"
  done
}

# A Swarm across the lab's hosts: h1 the manager, the others workers (no ingress mesh here: no IPVS).
swarm() {
  local dir="$1" i token
  docker -H "unix://$dir/h1/docker.sock" swarm init --advertise-addr "$subnet.11" --default-addr-pool 10.232.0.0/16 >/dev/null
  token=$(docker -H "unix://$dir/h1/docker.sock" swarm join-token -q worker)
  for i in $(ls -d "$dir"/h* | sed 's|.*/h||' | sort -n | tail -n +2); do
    docker -H "unix://$dir/h$i/docker.sock" swarm join --token "$token" --advertise-addr "$subnet.$((10 + i))" "$subnet.11:2377" >/dev/null
  done
}

case "${1:-}" in
  up) up "$2" "$3" "$4" ;;
  swarm) swarm "$2" ;;
  down) down "${2:-}" ;;
  *) echo "usage: $0 up DIR HOSTS REGISTRY_PORT | down [DIR]" >&2; exit 2 ;;
esac
