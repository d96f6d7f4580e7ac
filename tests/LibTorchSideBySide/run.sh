#!/usr/bin/env bash
# Builds and runs the libtorch side of a side-by-side timing: ./run.sh cnn [epochs] [data folder] [threads]
# On Debian 12, TorchSharp-cpu 0.107's native library asks for GLIBCXX_3.4.32 (one symbol) and the system's libstdc++
# has 3.4.30: debian12/ patches that requirement in the build output's copy and preloads a one-line shim defining it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dotnet build "$here/LibTorchSideBySide.csproj" -c Release -v quiet -nologo >/dev/null
out="$here/bin/Release/net10.0"
native="$out/runtimes/linux-x64/native/libLibTorchSharp.so"
system_has=$(strings /usr/lib/x86_64-linux-gnu/libstdc++.so.6 2>/dev/null | grep -c GLIBCXX_3.4.32 || true)
if [ "$system_has" = 0 ]; then
    [ "$(readelf -V -W "$native" | grep -c GLIBCXX_3.4.32 || true)" = 0 ] || python3 "$here/debian12/patch_verneed.py" "$native" >/dev/null
    g++ -O2 -shared -fPIC -o "$out/libtorch-shim.so" "$here/debian12/shim.cpp"
    export LD_PRELOAD="$out/libtorch-shim.so"
fi
exec dotnet "$out/LibTorchSideBySide.dll" "$@"
