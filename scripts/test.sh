#!/bin/sh
# Runs every test: a Release build with the default compiler, then an ASan+UBSan build with
# clang (which also builds the libFuzzer targets and runs each for a short while).
#   scripts/test.sh            both builds
#   scripts/test.sh release    only the Release build
#   scripts/test.sh sanitize   only the sanitizer build
set -eu
cd "$(dirname "$0")/.."
what=${1:-all}
jobs=$(nproc)

# stage NAME COMMAND...: runs a step and says how long it took (CI has a 30-minute budget).
stage() {
  name=$1 t0=$(date +%s)
  shift
  "$@"
  echo "scripts/test.sh: $name took $(($(date +%s) - t0)) s"
}

run_release() {
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  stage "Release build" cmake --build build -j "$jobs"
  stage "Release ctest" ctest --test-dir build --output-on-failure -j "$jobs"
}

run_sanitize() {
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DIPSECKIT_SANITIZE=ON \
    -DIPSECKIT_LIBFUZZER=ON -DIPSECKIT_BENCH=OFF -DIPSECKIT_FUZZ_ITERATIONS=8000 \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang >/dev/null
  stage "sanitizer build" cmake --build build-asan -j "$jobs"
  # Interop tests (real peers, minutes each) run in the Release build only; the fuzz targets'
  # fixed-seed mutation runs too, because under the sanitizers each target runs as libFuzzer below.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    stage "sanitizer ctest" ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE 'interop|fuzz'
  # Coverage-guided fuzzing, a short bounded run per target (seconds each), $jobs targets at a
  # time (each run is single-threaded).
  failed=0 pids="" n=0 t0=$(date +%s)
  for f in build-asan/bin/libfuzzer_*; do
    [ -x "$f" ] || continue
    fuzz_one "$f" &
    pids="$pids $!" n=$((n + 1))
    if [ "$n" -ge "$jobs" ]; then
      for p in $pids; do wait "$p" || failed=1; done
      pids="" n=0
    fi
  done
  for p in $pids; do wait "$p" || failed=1; done
  [ "$failed" = 0 ] || { echo "scripts/test.sh: a libFuzzer run failed" >&2; exit 1; }
  echo "scripts/test.sh: libFuzzer runs took $(($(date +%s) - t0)) s"
}

# fuzz_one BINARY: a libFuzzer run on a copy of the target's corpus; its log on failure.
fuzz_one() {
  t=${1##*/libfuzzer_}
  corpus=$(mktemp -d)
  cp tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
  echo "libFuzzer: $t"
  rc=0
  "$1" -max_total_time="${IPSECKIT_FUZZ_SECONDS:-4}" -max_len=4096 -print_final_stats=0 "$corpus" \
    >"$corpus.log" 2>&1 || { rc=1; echo "libFuzzer: $t FAILED"; tail -50 "$corpus.log"; }
  rm -rf "$corpus" "$corpus.log"
  return $rc
}

case "$what" in
  release) run_release ;;
  sanitize) run_sanitize ;;
  all) run_release; run_sanitize ;;
  *) echo "usage: scripts/test.sh [release|sanitize]" >&2; exit 2 ;;
esac
echo "scripts/test.sh: all tests passed"
