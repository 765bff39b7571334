#!/bin/sh
# Builds bench_esp in Release (in $BUILD_DIR, default <repo>/build-esp) if needed and runs it:
# in-process ESP encrypt/decrypt packets/s and Gbit/s at 64, 512 and 1400 bytes for
# AES-128-GCM and AES-128-CBC+HMAC-SHA1-96, next to the raw OpenSSL primitive measured in the
# same run, and `openssl speed` for reference. Rates are per thread CPU-second. Extra arguments
# go to bench_esp (--seconds S, --no-openssl-speed). Then, as root, part (b): throughput.sh
# (iperf3 through espd, strongSwan, a plain TUN<->UDP forwarder and the bare veth; skipped
# without root or with THROUGHPUT=0; THROUGHPUT_ARGS go to it). The last line is PASS or FAIL
# (exit 0/1) over both parts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$repo/build-esp}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
targets=bench_esp
[ "${THROUGHPUT:-1}" = 1 ] && targets="bench_esp bench_tunfwd espd policyagent"
# shellcheck disable=SC2086
if ! log=$(ninja -C "$build" $targets 2>&1); then
  printf '%s\n' "$log" >&2
  echo "run.sh: building $targets failed" >&2
  echo FAIL
  exit 1
fi
"$build/bin/bench_esp" "$@"
rc_a=$?
rc_b=0
if [ "${THROUGHPUT:-1}" = 1 ]; then
  # shellcheck disable=SC2086
  "$here/throughput.sh" "$build/bin" ${THROUGHPUT_ARGS:-}
  rc_b=$?
  [ $rc_b = 77 ] && rc_b=0
fi
if [ $rc_a = 0 ] && [ $rc_b = 0 ]; then echo PASS; exit 0; fi
echo FAIL
exit 1
