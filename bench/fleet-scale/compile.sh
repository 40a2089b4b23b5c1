#!/usr/bin/env bash
# Turns what record.sh wrote (RAW) into the recording replay.sh answers from (DEST): an index of the distinct calls,
# and per call one script per occurrence that waits until each chunk of output was written, writes it, then ends as
# the real call did.
set -euo pipefail
raw="$1"; dest="$2"; here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$dest"; : >"$dest/index"
label_of() { # prog args...
  local prog=$1; shift
  case "$prog" in
    curl) echo curl; return ;;
    docker) case "$1" in network|image|container|compose) echo "docker $1 $2" ;; *) echo "docker $1" ;; esac; return ;;
  esac
  while [ $# -gt 0 ]; do
    case "$1" in
      -p|-f|--project-name|--file|--env-file|--project-directory|--profile) shift 2 ;;
      -*) shift ;;
      *) echo "$prog $1"; return ;;
    esac
  done
  echo "$prog"
}
declare -A ids=() count=()
for meta in $(ls "$raw"/*.meta | sort); do
  base=${meta%.meta}
  mapfile -d '' -t argv <"$base.argv"
  key=$(REPLAY_KEY_ONLY=1 REPLAY_PROG="${argv[0]}" bash "$here/replay.sh" "${argv[@]:1}")
  if [ -z "${ids[$key]:-}" ]; then ids[$key]=$(( ${#ids[@]} + 1 )); printf '%s\t%s\n' "$key" "${ids[$key]}" >>"$dest/index"; fi
  id=${ids[$key]}; n=$(( ${count[$id]:-0} + 1 )); count[$id]=$n
  read -r start end rc <"$meta"
  script="$dest/$id.$n"
  echo "# ${argv[*]}" | cut -c1-200 >"$script"
  label_of "${argv[@]}" >"$dest/$id.label"
  echo "$n" >"$dest/$id.last"
  last_output=$start
  if [ -f "$base.out" ]; then
    # Lines written within 20 ms of the chunk's first line are one chunk.
    awk -v start="$start" -v dir="$dest/" -v name="$id.$n.o" -v script="$script" '
      function flush() { if (chunk != "") { printf "%s", chunk > (dir name c); close(dir name c); printf "pause %.3f; emit %s\n", at - last, name c >> script } }
      { t = $1; nl = $2; line = substr($0, length($1) + length($2) + 3)
        if (chunk == "" || t - first > 0.02) { flush(); c++; last = (c == 1 ? start : at); at = t; first = t; chunk = "" }
        chunk = chunk line (nl == 1 ? "\n" : "") }
      END { flush() }' "$base.out"
    last_output=$(tail -n 1 "$base.out" | cut -d' ' -f1)
  fi
  [ ! -s "$base.err" ] || { cp "$base.err" "$dest/$id.$n.e"; echo "emit $id.$n.e >&2" >>"$script"; }
  if [ "$rc" -ge 128 ]; then
    # Stopped by its caller (the health gate's `docker events`): wait to be stopped again, a little longer at most.
    echo "pause $(awk -v e="$end" -v l="$last_output" 'BEGIN {printf "%.3f", e - l + 5}'); exit $rc" >>"$script"
  else
    echo "pause $(awk -v e="$end" -v l="$last_output" 'BEGIN {d = e - l; printf "%.3f", (d > 0 ? d : 0)}'); exit $rc" >>"$script"
  fi
done
