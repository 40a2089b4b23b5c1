# Shared by the benches that deploy over SSH: a registry every lab host reaches, a lab of $1 hosts (network namespaces,
# each with its own Docker engine and sshd: tests/.../fleet-lab.sh), and a copy of the example in $app whose prod
# environment is those hosts, each host's /srv/octavios holding the compose files and an env file.
# Sets: work lab port app hosts_file first; exports DEPLOY_SERVER DEPLOY_PROJECT_DIR DEPLOY_SSH_KEY DEPLOY_KNOWN_HOSTS.
lab_script="$root/tests/Octavios.Build.Tests/Support/fleet-lab.sh"
work="$(mktemp -d)"; lab="$work/lab"; hosts_file="$work/hosts"
port=$((5100 + RANDOM % 400))
lab_cleanup() { bash "$lab_script" down "$lab" >/dev/null 2>&1 || true; [ -n "${registry:-}" ] && kill "$registry" 2>/dev/null; rm -rf "$work"; }
trap lab_cleanup EXIT

lab_up() { # hosts project
  mkdir -p "$work/registry"
  printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 0.0.0.0:%s\n' "$work/registry" "$port" >"$work/registry.yml"
  docker-registry serve "$work/registry.yml" >/dev/null 2>&1 & registry=$!
  bash "$lab_script" up "$lab" "$1" "$port" >"$hosts_file"
  app="$work/app"; mkdir -p "$app"; cp -r "$root/examples/octavios/." "$app/"
  sed -i "s/registry: docker.io/registry: 127.0.0.1:$port/; s/  project: octavios/  project: $2/" "$app/octavios.build.yml"
  local name
  while read -r name _ _ _; do
    srv="$lab/$name/srv"; mkdir -p "$srv/envs"; cp -r "$app/infra" "$srv/"
    printf 'SECRET_KEY=bench-secret-key-0123456789abcdef0123\nJWT_SECRET_KEY=bench-jwt-secret-0123456789abcdef012\nDATABASE_PASSWORD=bench-db-password-0123456789abc\n' >"$srv/envs/.env.prod"
  done <"$hosts_file"
  export DEPLOY_SERVER; DEPLOY_SERVER=$(awk '{printf "%sroot@%s", (NR > 1 ? "," : ""), $2}' "$hosts_file")
  export DEPLOY_PROJECT_DIR=/srv/octavios DEPLOY_SSH_KEY="$lab/client_key" DEPLOY_KNOWN_HOSTS="$lab/known_hosts"
  first=$(awk 'NR == 1 {print $2}' "$hosts_file")
}

# The configuration edited, then committed (the suite reads the release's commit).
lab_commit() { git -C "$app" init -q 2>/dev/null; git -C "$app" add -A && git -C "$app" -c user.name=bench -c user.email=b@b commit -qm bench; }

suite() { "$root/build.sh" --config="$app/octavios.build.yml" --env=prod "$@"; }

# A lab of $1 hosts (project $2) in one batch, 2 s windows, backend 0.2.2 and 0.2.3 pushed and 0.2.2 running: only the
# measured service runs on the hosts (six services' health checks on eight engines alone keep two cores busy).
lab_backend_fleet() { # hosts project
  lab_up "$1" "$2"
  sed -i "s/^    push: true$/    push: true\n    batchSize: 100%/" "$app/octavios.build.yml"
  echo "  stableSeconds: 2" >>"$app/octavios.build.yml"
  lab_commit
  suite --target=Push --services=backend --version=0.2.2 --verbosity=quiet >/dev/null
  suite --target=Push --services=backend --version=0.2.3 --verbosity=quiet >/dev/null
  suite --target=Deploy --services=backend --version=0.2.2 --exclusive --verbosity=quiet >/dev/null
}
