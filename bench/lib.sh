# Shared by the bench scripts: timing of commands and medians, in milliseconds.
time_ms() { local start end; start=$(date +%s%N); "$@" >/dev/null; end=$(date +%s%N); echo $(( (end - start) / 1000 )); }

# The median of samples in microseconds, printed in milliseconds with one decimal.
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f\n", m/1000}'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }

# CPU time the whole machine spent (every process, all cores) since boot, in microseconds: /proc/stat's busy ticks.
machine_cpu_us() { awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" {printf "%.0f\n", ($2 + $3 + $4 + $7 + $8) * 1000000 / hz}' /proc/stat; }

# The Deploy task's duration in microseconds, from the suite's report on standard input.
deploy_task_us() { awk '$1 == "Deploy" && $2 ~ /^[0-9]/ { split($2, t, ":"); printf "%d\n", (t[1] * 3600 + t[2] * 60 + t[3]) * 1000000 }'; }

# Each line of a command's output with the moment it arrived, in seconds (for where the time goes).
timed_lines() { "$@" | while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }

# The lines of such an output (standard input) matching the pattern, each with its seconds since the first line.
since_first() { awk -v p="$1" 'NR == 1 {t0 = $1} $0 ~ p {printf "%8.2f  %s\n", $1 - t0, substr($0, length($1) + 2)}'; }

# A copy of the example in $work with its own Compose project and ports, in its own repository; defines suite().
local_example() { # project port
  cp -r "$root/examples/octavios/." "$work/"
  sed -i "s/  project: octavios/  project: $1/" "$work/octavios.build.yml"
  for i in 1 2 3 4 5; do sed -i "s|127.0.0.1:800$i/|127.0.0.1:$(($2 + i))/|" "$work/octavios.build.yml"; done
  printf 'BACKEND_PORT=%s\nWEB_PORT=%s\nFILE_MANAGER_PORT=%s\nBANK_ADVISOR_PORT=%s\nALETHEIA_PORT=%s\n' \
    $(($2 + 1)) $(($2 + 2)) $(($2 + 3)) $(($2 + 4)) $(($2 + 5)) >>"$work/envs/.env.local"
  git -C "$work" init -q && git -C "$work" add -A && git -C "$work" -c user.name=bench -c user.email=b@b commit -qm bench
  suite() { "$root/build.sh" --config="$work/octavios.build.yml" "$@"; }
}
