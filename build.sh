#!/usr/bin/env bash
# Bootstraps and runs the Octavios.Build suite; every argument goes through to it (./build.sh --help).
# Rebuilds the suite only when its sources changed since the last build, else starts the built app at once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$root/.artifacts/build"
app="$out/Octavios.Build"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "build.sh: the .NET SDK (dotnet, version in global.json) is not installed." >&2
  exit 2
fi

stale() {
  [ ! -x "$app" ] && return 0
  [ -n "$(find "$root/build" "$root/src" "$root/global.json" "$root/Directory.Build.props" \
      "$root/Directory.Build.targets" "$root/Directory.Packages.props" \
      \( -name bin -o -name obj \) -prune -o -type f -newer "$app" -print -quit)" ]
}

if stale; then
  mkdir -p "$out"
  # One build at a time: concurrent runs (two deploys started together) wait here rather than race.
  # flock where there is one; elsewhere (macOS) a lock directory, which mkdir creates atomically.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$out/.build.lock"
    flock 9
  else
    until mkdir "$out/.build.lock.d" 2>/dev/null; do sleep 0.2; done
    trap 'rmdir "$out/.build.lock.d" 2>/dev/null' EXIT
  fi
  if stale; then
    echo "build.sh: building the suite..." >&2
    # Published ReadyToRun (precompiled) for this machine's runtime: a run starts without JIT-compiling the suite.
    dotnet publish "$root/build/Octavios.Build.csproj" --configuration Release --use-current-runtime --self-contained false \
      -p:PublishReadyToRun=true --output "$out" --nologo \
      -verbosity:quiet -consoleLoggerParameters:"ErrorsOnly;DisableConsoleColor" -tl:off >&2
    touch "$app"
  fi
  if command -v flock >/dev/null 2>&1; then flock -u 9; else rmdir "$out/.build.lock.d"; trap - EXIT; fi
fi

export OCTAVIOS_BUILD_PROGRAM="${OCTAVIOS_BUILD_PROGRAM:-./build.sh}"
exec "$app" "$@"
