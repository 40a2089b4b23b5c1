#!/usr/bin/env bash
# Installs (Debian packages, a .NET tool) and starts what the tests need: Docker engine, Compose v1,
# the registry and sshd binaries (tests start their own instances on loopback), busybox and Caddy for the base images,
# age and pass (with GnuPG) for the env file sources, redis-tools for the accessory image, GNU time for the benches, PowerShell for build.ps1. Idempotent: a warm machine passes through in a second.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(docker.io docker-compose docker-registry openssh-server busybox-static caddy redis-tools apache2-utils git curl iproute2 age pass gnupg time)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "services: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# An engine without its default bridge builds nothing with a RUN step ("could not find bridge docker0"): restart it.
if docker info >/dev/null 2>&1 && ! ip link show docker0 >/dev/null 2>&1; then
  echo "services: docker0 is missing; restarting dockerd"
  pkill -x dockerd || true
  for _ in $(seq 1 60); do pgrep -x dockerd >/dev/null || break; sleep 0.5; done
fi

if ! docker info >/dev/null 2>&1; then
  echo "services: starting dockerd"
  mkdir -p /var/log
  setsid dockerd --iptables=false >/var/log/octavios-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "services: dockerd did not start; see /var/log/octavios-dockerd.log" >&2; exit 1; }
fi

# A test run that was killed leaves its apps behind, and dockerd starts them again: their health checks cost the next
# run a core. Only the tests' own Compose projects (e2e + 8 hex digits) and fleet lab go.
# (grep -E, not awk: Debian's mawk 1.3.4-20200120 has no {8} repetition and would match nothing.)
leftovers="$(docker ps --all --quiet --filter label=com.docker.compose.project | xargs -r docker inspect \
  --format '{{.Id}} {{index .Config.Labels "com.docker.compose.project"}}' | { grep -E ' e2e[0-9a-f]{8}$' || true; } | cut -d' ' -f1)"
if [ -n "$leftovers" ]; then
  echo "services: removing $(wc -l <<<"$leftovers") container(s) an earlier test run left"
  xargs docker rm --force <<<"$leftovers" >/dev/null
fi
docker network ls --format '{{.Name}}' | grep -E '^e2e[0-9a-f]{8}_' | xargs -r docker network rm >/dev/null 2>&1 || true
if [ -d /tmp/octavios-fleet-lab ]; then
  bash "$root/tests/Octavios.Build.Tests/Support/fleet-lab.sh" down /tmp/octavios-fleet-lab >/dev/null 2>&1 || true
fi

mkdir -p /run/sshd
"$root/examples/octavios/base/build-base-image.sh"

tools="$root/.artifacts/tools"
if [ ! -x "$tools/pwsh" ]; then
  echo "services: installing PowerShell as a .NET tool"
  dotnet tool install PowerShell --version 7.6.9 --tool-path "$tools" >/dev/null
fi
echo "services: ready (docker $(docker version --format '{{.Server.Version}}'), $(docker-compose version --short 2>/dev/null | sed 's/^/compose /'))"
