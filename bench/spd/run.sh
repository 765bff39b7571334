#!/bin/sh
# Builds bench_spd in Release (in $BUILD_DIR, default <repo>/build-spd) if needed and runs it.
# Extra arguments go to bench_spd (e.g. --sizes 10,1000). Exit status: bench_spd's (0 = PASS).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$repo/build-spd}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
if ! log=$(ninja -C "$build" bench_spd 2>&1); then
  printf '%s\n' "$log" >&2
  echo "run.sh: building bench_spd failed" >&2
  exit 1
fi
exec "$build/bin/bench_spd" "$@"
