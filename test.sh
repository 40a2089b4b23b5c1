#!/usr/bin/env bash
# The test command: installs and starts what the tests need, runs every test, prints "N passed, N failed".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
.ci/services.sh
results="$root/.artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
export OCTAVIOS_FIXTURE_TIMES="$results/fixtures.tsv"
status=0
dotnet test Octavios.Build.sln --configuration Release --logger "trx;LogFileName=results.trx" \
  --results-directory "$results" "$@" || status=$?
trx="$results/results.trx"
if [ ! -f "$trx" ]; then
  echo "0 passed, 1 failed"
  exit 1
fi
if [ -s "$OCTAVIOS_FIXTURE_TIMES" ]; then
  echo "slowest fixtures (wall seconds, set-up and tear-down included):"
  sort -rn "$OCTAVIOS_FIXTURE_TIMES" | head -10 | sed 's/^/  /'
fi
counters="$(grep -o '<Counters [^>]*>' "$trx")"
passed="$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")"
failed="$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")"
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
