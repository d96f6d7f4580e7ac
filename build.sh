#!/usr/bin/env bash
# The one build entry point: restores the local tools (Cake) and runs build.cake.
#   ./build.sh                 build and run the main job (default target)
#   ./build.sh --target=Test   build and run every test suite
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet tool restore >/dev/null
exec dotnet cake build.cake "$@"
