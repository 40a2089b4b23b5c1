#!/bin/bash
# Bound over a lab host's docker and docker-compose (in its own mount namespace) while bench/fleet-scale.sh records:
# runs the real program and writes, per call, its arguments, its standard output with each line's time, its standard
# error, and its exit code and times (also when it is stopped by a signal, as the health gate stops `docker events`).
prog=${0##*/}
out="$RECORD_DIR/$(date +%s%N)-$$"
start=$EPOCHREALTIME
printf '%s\0' "$prog" "$@" >"$out.argv"
exec 3> >(while true; do
  if IFS= read -r line; then printf '%s 1 %s\n' "$EPOCHREALTIME" "$line" >>"$out.out"; printf '%s\n' "$line"
  elif [ -n "$line" ]; then printf '%s 0 %s\n' "$EPOCHREALTIME" "$line" >>"$out.out"; printf '%s' "$line"; break
  else break; fi
done)
stamper=$!
"/run/fleet-scale-real/$prog" "$@" <&0 >&3 2> >(tee "$out.err" >&2) &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
wait "$child"; rc=$?
while kill -0 "$child" 2>/dev/null; do wait "$child"; rc=$?; done
exec 3>&-
wait "$stamper" 2>/dev/null
echo "$start $EPOCHREALTIME $rc" >"$out.meta"
exit "$rc"
