# Shared by the tool tests (sourced). Gives each test a private network namespace with one
# veth holding 198.51.100.1/24 (so "me" is deterministic), a private policy agent, and
# helpers to record a normalised transcript and compare it with a golden file.
#   IPSECKIT_BIN  the build's bin directory (set by ctest)
#   IPSECKIT_SRC  the source tree
#   IPSECKIT_UPDATE_GOLDEN=1  rewrite the golden files instead of comparing
set -u
: "${IPSECKIT_BIN:?set IPSECKIT_BIN to the bin directory of a build}"
: "${IPSECKIT_SRC:?set IPSECKIT_SRC to the source tree}"

# Re-run the calling script inside a new network namespace (needs root; nothing to clean up:
# the namespace disappears with the process).
enter_netns() {
  if [ "${IPSECKIT_IN_NETNS:-}" != 1 ]; then
    if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root for unshare -n" >&2; exit 77; fi
    IPSECKIT_IN_NETNS=1 exec unshare -n "$0" "$@"
  fi
  ip link set lo up
  ip link add ikv0 type veth peer name ikv1
  ip addr add 198.51.100.1/24 dev ikv0
  ip link set ikv0 up
  ip link set ikv1 up
}

WORK=$(mktemp -d /tmp/ipseckit-tooltest.XXXXXX)
AGENTS=""
cleanup() {
  for p in $AGENTS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# start_agent NAME: a foreground agent with socket $WORK/NAME.sock and state $WORK/NAME.state
start_agent() {
  "$IPSECKIT_BIN/policyagent" --foreground --socket "$WORK/$1.sock" --state-dir "$WORK/$1.state" \
    2>>"$WORK/$1.log" &
  AGENTS="$AGENTS $!"
  i=0
  while [ ! -S "$WORK/$1.sock" ]; do
    i=$((i + 1))
    if [ $i -gt 200 ]; then echo "agent $1 did not start" >&2; cat "$WORK/$1.log" >&2; exit 1; fi
    sleep 0.05
  done
}

# Use agent NAME for the following commands.
use_agent() {
  export IPSECKIT_SOCKET="$WORK/$1.sock" IPSECKIT_STATE_DIR="$WORK/$1.state" IPSECKIT_NO_AUTOSTART=1
}

TRANSCRIPT="$WORK/transcript"
: >"$TRANSCRIPT"
# t CMD...: runs a command, appending "$ cmd", its stdout, its stderr (prefixed "! ") and its
# exit status to the transcript.
t() {
  printf '$ %s\n' "$*" >>"$TRANSCRIPT"
  set +e
  "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
  rc=$?
  set -e
  cat "$WORK/out" >>"$TRANSCRIPT"
  sed 's/^/! /' "$WORK/err" >>"$TRANSCRIPT"
  printf '[exit %s]\n\n' "$rc" >>"$TRANSCRIPT"
}
note() { printf '# %s\n' "$*" >>"$TRANSCRIPT"; }

# Removes what changes from run to run: temp paths, pids, GUIDs, timestamps.
normalise() {
  sed -E -e "s#$WORK#WORK#g" -e "s#$IPSECKIT_BIN#BIN#g" -e "s#$IPSECKIT_SRC#SRC#g" \
    -e 's/\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}/{GUID}/g' \
    -e 's/pid [0-9]+/pid PID/g' -e 's/"pid": [0-9]+/"pid": PID/g' \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC/TIME/g' \
    -e 's/"changed": [0-9]+/"changed": TIME/g' -e 's/"revision": [0-9]+/"revision": REV/g' \
    -e 's/generation [0-9]+/generation GEN/g' -e 's/"generation": [0-9]+/"generation": GEN/g'
}

# compare_golden NAME: the normalised transcript must equal tests/tools/golden/NAME.txt.
compare_golden() {
  golden="$IPSECKIT_SRC/tests/tools/golden/$1.txt"
  normalise <"$TRANSCRIPT" >"$WORK/actual"
  if [ "${IPSECKIT_UPDATE_GOLDEN:-}" = 1 ]; then
    cp "$WORK/actual" "$golden"
    echo "updated $golden"
    return 0
  fi
  if ! diff -u "$golden" "$WORK/actual"; then
    echo "FAIL: output differs from $golden (IPSECKIT_UPDATE_GOLDEN=1 rewrites it after review)" >&2
    return 1
  fi
  echo "ok: $1 matches its golden transcript"
}

fail() { echo "FAIL: $*" >&2; exit 1; }
