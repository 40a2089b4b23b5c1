#!/usr/bin/env bash
# Builds busybox:1.36 locally from Debian's busybox-static, for machines that cannot reach Docker Hub.
# The example's Dockerfiles then find their default base image without pulling it.
set -euo pipefail
tag="${1:-busybox:1.36}"
if docker image inspect "$tag" >/dev/null 2>&1; then echo "$tag is already present"; exit 0; fi
busybox=/bin/busybox
if ! dpkg -s busybox-static >/dev/null 2>&1 || [ ! -x "$busybox" ]; then
  echo "busybox-static is not installed: apt-get install -y busybox-static" >&2
  exit 1
fi
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
cp "$busybox" "$context/busybox"
cat > "$context/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
DOCKERFILE
docker build --quiet --tag "$tag" "$context" >/dev/null
echo "built $tag from $busybox"
