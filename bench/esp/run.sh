#!/bin/sh
# Builds bench_esp in Release (in $BUILD_DIR, default <repo>/build-esp) if needed and runs it:
# in-process ESP encrypt/decrypt packets/s and Gbit/s at 64, 512 and 1400 bytes for
# AES-128-GCM and AES-128-CBC+HMAC-SHA1-96, next to the raw OpenSSL primitive measured in the
# same run, and `openssl speed` for reference. Rates are per thread CPU-second. Extra arguments
# go to bench_esp (--seconds S, --no-openssl-speed). The last line is PASS or FAIL (exit 0/1).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$repo/build-esp}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
if ! log=$(ninja -C "$build" bench_esp 2>&1); then
  printf '%s\n' "$log" >&2
  echo "run.sh: building bench_esp failed" >&2
  echo FAIL
  exit 1
fi
exec "$build/bin/bench_esp" "$@"
