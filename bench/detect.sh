#!/usr/bin/env bash
# Issue 25, goal 4: Detect on a generated monorepo of 20,000 files, 2,000 commits and 50 services, against the baseline
# the old script used: `git diff --name-only REF HEAD` piped through a shell glob match (a `case` of 50 patterns).
# Median of RUNS runs each, whole processes; prints both and the ratio.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bench/lib.sh"
runs="${RUNS:-7}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
repo="$work/repo"
services=(); for i in $(seq -w 1 50); do services+=("svc$i"); done

mkdir -p "$repo" && cd "$repo" && git init -q
# One fast-import stream: the first commit adds 20,000 files, the next 1,999 each change three of them.
awk -v n=20000 -v commits=2000 -v names="${services[*]}" 'BEGIN {
  srand(42); k = split(names, s, " ");
  t = 1700000000;
  printf "commit refs/heads/main\ncommitter Bench <b@b> %d +0000\ndata 4\ninit\n", t;
  for (i = 0; i < n; i++) {
    path = (i % 50 == 0) ? sprintf("app/infra/f%05d.yml", i) : sprintf("app/apps/%s/src/f%05d.txt", s[int(i / 50) % k + 1], i);
    content = sprintf("file %d\n", i);
    printf "M 100644 inline %s\ndata %d\n%s\n", path, length(content), content;
  }
  for (c = 1; c < commits; c++) {
    printf "commit refs/heads/main\ncommitter Bench <b@b> %d +0000\ndata 6\nchange\n", t + c;
    for (m = 0; m < 3; m++) {
      i = int(rand() * n);
      if (i % 50 == 0) i++;
      path = sprintf("app/apps/%s/src/f%05d.txt", s[int(i / 50) % k + 1], i);
      content = sprintf("file %d changed in %d\n", i, c);
      printf "M 100644 inline %s\ndata %d\n%s\n", path, length(content), content;
    }
  }
}' | git fast-import --quiet
git checkout -q main
git tag -f v-bench main~9 >/dev/null
# The configuration: the example's, its services replaced by the 50 (Detect reads only their paths and the shared ones).
mkdir -p app/infra app/envs && cp -r "$root/examples/octavios/." "$work/example" && cp "$work/example/infra/"*.yml app/infra/
{
  sed -n '1,/^services:$/p' "$work/example/octavios.build.yml"
  for s in "${services[@]}"; do
    mkdir -p "app/apps/$s"
    printf '  %s:\n    image: %s\n    context: apps/%s\n    paths:\n      - apps/%s/**\n    versionVariable: %s_VERSION\n' "$s" "$s" "$s" "$s" "${s^^}"
  done
  sed -n '/^environments:$/,$p' "$work/example/octavios.build.yml"
} >app/octavios.build.yml

# The old script's match, generated: one `case` arm per service, the shared paths first.
eval "match_service() { case \"\$1\" in app/infra/*) printf '%s\\n' \"\${services[@]}\" ;; $(for s in "${services[@]}"; do printf 'app/apps/%s/*) echo %s ;; ' "$s" "$s"; done) esac; }"
baseline() {
  git -C "$repo" diff --name-only v-bench HEAD | while read -r f; do match_service "$f"; done | sort -u | tr '\n' ' '
}

detect() { "$root/build.sh" --config="$repo/app/octavios.build.yml" --target=Detect --services=changed --since=v-bench --verbosity=quiet | tail -1; }

median_ms() {
  local samples=()
  for _ in $(seq 1 "$runs"); do samples+=("$(time_ms "$@")"); done
  median "${samples[@]}"
}

"$root/build.sh" --tree >/dev/null
echo "repository: $(git -C "$repo" ls-files | wc -l) files, $(git -C "$repo" rev-list --count HEAD) commits; v-bench..HEAD: $(git -C "$repo" diff --name-only v-bench HEAD | wc -l) files"
echo "baseline finds: $(baseline)"
echo "Detect finds:   $(detect)"
b=$(median_ms baseline)
d=$(median_ms detect)
echo "runs per command: $runs"
echo "git diff | shell glob (median): ${b} ms"
echo "./build.sh --target=Detect (median, whole process): ${d} ms"
echo "ratio Detect / baseline: $(ratio "$d" "$b")"
