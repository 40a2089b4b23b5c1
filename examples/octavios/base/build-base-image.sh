#!/usr/bin/env bash
# Builds the example's base images locally from Debian packages, for machines that cannot reach Docker Hub:
# busybox:1.36 from busybox-static, caddy:2.6.2 (the proxy's) from caddy, and redis:7.0 (an accessory of the tests)
# from redis-tools. The example's Dockerfiles then find their default base images without pulling them.
set -euo pipefail
busybox_tag="${1:-busybox:1.36}"
caddy_tag="${2:-caddy:2.6.2}"
redis_tag="${3:-redis:7.0}"

# A binary and the shared libraries ldd lists, at their own paths under $2.
copy_with_libraries() {
  mkdir -p "$2$(dirname "$1")"
  cp -L "$1" "$2$1"
  for library in $(ldd "$1" | grep -o '/[^ ]*'); do
    mkdir -p "$2$(dirname "$library")"
    cp -L "$library" "$2$library"
  done
}

if docker image inspect "$busybox_tag" >/dev/null 2>&1; then
  echo "$busybox_tag is already present"
else
  busybox=/bin/busybox
  if ! dpkg -s busybox-static >/dev/null 2>&1 || [ ! -x "$busybox" ]; then
    echo "busybox-static is not installed: apt-get install -y busybox-static" >&2
    exit 1
  fi
  context="$(mktemp -d)"
  cp "$busybox" "$context/busybox"
  cat > "$context/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
DOCKERFILE
  docker build --quiet --tag "$busybox_tag" "$context" >/dev/null
  rm -rf "$context"
  echo "built $busybox_tag from $busybox"
fi

if docker image inspect "$caddy_tag" >/dev/null 2>&1; then
  echo "$caddy_tag is already present"
else
  caddy=/usr/bin/caddy
  if ! dpkg -s caddy >/dev/null 2>&1 || [ ! -x "$caddy" ]; then
    echo "caddy is not installed: apt-get install -y caddy" >&2
    exit 1
  fi
  context="$(mktemp -d)"
  # Directories come in with COPY, not RUN: a build then needs no network at all.
  mkdir -p "$context/root/usr/bin" "$context/root/config" "$context/root/data" "$context/root/etc/caddy"
  copy_with_libraries "$caddy" "$context/root"
  cat > "$context/Dockerfile" <<DOCKERFILE
FROM $busybox_tag
COPY root/ /
ENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
DOCKERFILE
  docker build --quiet --tag "$caddy_tag" "$context" >/dev/null
  rm -rf "$context"
  echo "built $caddy_tag from $caddy"
fi

if docker image inspect "$redis_tag" >/dev/null 2>&1; then
  echo "$redis_tag is already present"
else
  # Debian's redis-tools carries the server too: redis-check-rdb is the one binary, a server when called redis-server.
  server=/usr/bin/redis-check-rdb
  if ! dpkg -s redis-tools >/dev/null 2>&1 || [ ! -x "$server" ]; then
    echo "redis-tools is not installed: apt-get install -y redis-tools" >&2
    exit 1
  fi
  context="$(mktemp -d)"
  mkdir -p "$context/root/data"
  copy_with_libraries "$server" "$context/root"
  copy_with_libraries /usr/bin/redis-cli "$context/root"
  mv "$context/root/usr/bin/redis-check-rdb" "$context/root/usr/bin/redis-server"
  cat > "$context/Dockerfile" <<DOCKERFILE
FROM $busybox_tag
COPY root/ /
WORKDIR /data
CMD ["redis-server", "--dir", "/data", "--save", "", "--protected-mode", "no"]
DOCKERFILE
  docker build --quiet --tag "$redis_tag" "$context" >/dev/null
  rm -rf "$context"
  echo "built $redis_tag from $server"
fi
