#!/usr/bin/env pwsh
# Bootstraps and runs the Octavios.Build suite; every argument goes through to it (./build.ps1 --help).
# Rebuilds the suite only when its sources changed since the last build, else starts the built app at once.
# Written to parse in Windows PowerShell 5.1 too, which then stops at the line below saying PowerShell 7 is needed.
#requires -Version 7.0
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$out = Join-Path $root '.artifacts/build'
$app = Join-Path $out $(if ($IsWindows) { 'Octavios.Build.exe' } else { 'Octavios.Build' })

if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    [Console]::Error.WriteLine('build.ps1: the .NET SDK (dotnet, version in global.json) is not installed.')
    exit 2
}

function Test-Stale {
    if (-not (Test-Path $app)) { return $true }
    $built = (Get-Item $app).LastWriteTimeUtc
    $sources = @('build', 'src') | ForEach-Object { Get-ChildItem (Join-Path $root $_) -Recurse -File } |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' }
    $sources += @('global.json', 'Directory.Build.props', 'Directory.Build.targets', 'Directory.Packages.props') |
        ForEach-Object { Get-Item (Join-Path $root $_) }
    return [bool]($sources | Where-Object { $_.LastWriteTimeUtc -gt $built } | Select-Object -First 1)
}

if (Test-Stale) {
    [Console]::Error.WriteLine('build.ps1: building the suite...')
    dotnet build (Join-Path $root 'build/Octavios.Build.csproj') --configuration Release --output $out --nologo `
        -verbosity:quiet '-consoleLoggerParameters:ErrorsOnly;DisableConsoleColor' -tl:off | ForEach-Object { [Console]::Error.WriteLine($_) }
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    (Get-Item $app).LastWriteTimeUtc = [DateTime]::UtcNow
}

if (-not $env:OCTAVIOS_BUILD_PROGRAM) { $env:OCTAVIOS_BUILD_PROGRAM = './build.ps1' }
& $app @args
exit $LASTEXITCODE
