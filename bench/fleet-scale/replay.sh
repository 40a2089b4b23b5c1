#!/bin/bash
# The stand-in for docker, docker-compose and curl on a simulated host of bench/fleet-scale.sh: answers each call with
# what the same call answered on a real lab host when the recording was made (the n-th call of the same arguments gets
# the n-th answer), its output at the same moments, its exit code at the same time. No engine, no container, and no
# process started: bash builtins only (a process costs ~4 ms of CPU on the machine the bench was written on).
prog=${REPLAY_PROG:-${0##*/}}
args=("$@")
if [ "$1" = events ]; then  # the moment `docker events --since` names is left out of the key
  for i in "${!args[@]}"; do [ "${args[i]}" != --since ] || args[i+1]=T; done
fi
printf -v key '%s\x1f' "$prog" "${args[@]}"
[ -z "${REPLAY_KEY_ONLY:-}" ] || { printf '%s\n' "$key"; exit 0; }
S=$REPLAY_STATE; R=$S/recording
id=
while IFS=$'\t' read -r k i; do [ "$k" = "$key" ] && { id=$i; break; }; done <"$R/index"
if [ -z "$id" ]; then
  printf '%s\n' "$prog $*" >>"$S/misses"
  printf 'fleet-scale stand-in: no recording of: %s\n' "$prog $*" >&2
  exit 125
fi
set -o noclobber; n=1
until { : >"$S/n.$id.$n"; } 2>/dev/null; do n=$((n + 1)); done
[ -f "$R/$id.$n" ] || read -r n <"$R/$id.last"
read -r label <"$R/$id.label"
printf '%s %s\n' "$EPOCHREALTIME" "$label" >>"$S/timeline"
exec 8<>"$S/pause"  # a FIFO nobody writes: reading it with a time-out is a sleep without a process
pause() { read -r -t "$1" -u 8 _ || true; }
emit() { local chunk; IFS= read -r -d '' chunk <"$R/$1" || true; printf '%s' "$chunk"; }
. "$R/$id.$n"
