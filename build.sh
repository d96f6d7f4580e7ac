#!/usr/bin/env bash
# The one build entry point: restores the local tools (.config/dotnet-tools.json: Cake, dotnet-repl,
# dotnet-interactive) and runs build.cake. Needs only the .NET 10 SDK, except --target=Test (Jupyter too).
#   ./build.sh                 the main job: build, run the demo, pack, execute the notebooks (target Default)
#   ./build.sh --target=Test   build and run every test suite, then the real notebook clients
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet tool restore >/dev/null
exec dotnet cake build.cake "$@"
