#!/bin/bash
# l2tpd serve --max-sessions 2 with three clients, each in its own network namespace on its own
# veth: the first two get in, the third is refused with a clear error at the client (CDN
# "session limit reached", exit 1, no TUN left) while the server keeps exactly 2 sessions; once a
# client leaves, the third can connect.
set -euo pipefail
: "${IPSECKIT_BIN:?set IPSECKIT_BIN to the bin directory of a build}"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (network namespaces, TUN)" >&2; exit 77; fi
L="$IPSECKIT_BIN/l2tpd"
PY=/usr/bin/python3
S=l2mS$$
WORK=$(mktemp -d /tmp/l2tpd-max.XXXXXX)
PIDS=""
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null || true; done
  for p in $PIDS; do wait "$p" 2>/dev/null || true; done
  ip netns del "$S" 2>/dev/null || true
  for i in 1 2 3; do ip netns del "l2m$i$$" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
fail() {
  echo "FAIL: $*" >&2
  for f in "$WORK"/*.log; do echo "--- $f" >&2; tail -n 30 "$f" >&2; done
  exit 1
}

ns() {
  local ns=$1 who=$2
  shift 2
  ip netns exec "$ns" env IPSECKIT_SOCKET="$WORK/$who.sock" IPSECKIT_STATE_DIR="$WORK/$who.state" \
    IPSECKIT_NO_AUTOSTART=1 "$@"
}
nsbg() {
  local n=$1 who=$2
  shift 2
  exec ip netns exec "$n" env IPSECKIT_SOCKET="$WORK/$who.sock" IPSECKIT_STATE_DIR="$WORK/$who.state" \
    IPSECKIT_NO_AUTOSTART=1 "$@"
}
start_agent() {  # NS NAME
  nsbg "$1" "$2" "$IPSECKIT_BIN/policyagent" --foreground --socket "$WORK/$2.sock" --state-dir "$WORK/$2.state" \
    2>>"$WORK/$2-agent.log" &
  PIDS="$PIDS $!"
  for _ in $(seq 1 200); do [ -S "$WORK/$2.sock" ] && return 0; sleep 0.05; done
  fail "agent $2 did not start"
}

# server 198.51.100.(4i-3)/30 <-> client i 198.51.100.(4i-2)/30
ip netns add "$S"
ip -n "$S" link set lo up
for i in 1 2 3; do
  c="l2m$i$$"
  ip netns add "$c"
  ip -n "$c" link set lo up
  ip link add "vs$i$$" type veth peer name "vc$i$$"
  ip link set "vs$i$$" netns "$S"
  ip link set "vc$i$$" netns "$c"
  ip -n "$S" addr add "198.51.100.$((4 * i - 3))/30" dev "vs$i$$"
  ip -n "$c" addr add "198.51.100.$((4 * i - 2))/30" dev "vc$i$$"
  ip -n "$S" link set "vs$i$$" up
  ip -n "$c" link set "vc$i$$" up
  start_agent "$c" "cli$i"
done
start_agent "$S" srv

umask 077
printf 'alice * "wonder land" *\n' >"$WORK/users"
printf 'wonder land\n' >"$WORK/alice.pw"

nsbg "$S" srv "$L" serve --no-ipsec --pool 192.0.2.10-192.0.2.20 --users "$WORK/users" --tun l2tps0 \
  --max-sessions 2 2>"$WORK/server.log" &
SERVER=$!
PIDS="$PIDS $SERVER"
for _ in $(seq 1 100); do grep -q "LNS listening" "$WORK/server.log" && break; sleep 0.05; done
grep -q "LNS listening" "$WORK/server.log" || fail "the server did not start"

# connect I LOG: client I in its namespace, sets CLIENT
connect() {
  nsbg "l2m$1$$" "cli$1" "$L" connect "198.51.100.$((4 * $1 - 3))" --no-ipsec --user alice \
    --password-file "$WORK/alice.pw" --tun l2tpc0 2>"$WORK/$2.log" &
  CLIENT=$!
  PIDS="$PIDS $CLIENT"
}
count_established() {
  ns "$S" srv "$L" sessions --json 2>/dev/null | $PY -c '
import json, sys
print(sum(1 for s in json.load(sys.stdin) if s["state"] == "established"))'
}
wait_count() {  # N
  for _ in $(seq 1 200); do
    [ "$(count_established)" = "$1" ] && return 0
    sleep 0.05
  done
  fail "expected $1 established sessions, have $(count_established)"
}

connect 1 client1
C1=$CLIENT
wait_count 1
connect 2 client2
wait_count 2
echo "ok: two clients established under --max-sessions 2"

connect 3 client3
set +e
for _ in $(seq 1 200); do kill -0 "$CLIENT" 2>/dev/null || break; sleep 0.05; done
wait "$CLIENT"
rc=$?
set -e
[ $rc -eq 1 ] || fail "third client: exit $rc, expected 1 (refused)"
grep -q "the call was cleared: .*session limit reached" "$WORK/client3.log" ||
  fail "the third client does not say it was refused for the session limit: $(tail -n 3 "$WORK/client3.log")"
ip -n "l2m3$$" link show l2tpc0 >/dev/null 2>&1 && fail "the refused client left its TUN behind"
[ "$(count_established)" = 2 ] || fail "the server no longer has exactly 2 sessions"
kill -0 "$SERVER" || fail "the server died"
echo "ok: the third client is refused: \"$(grep -o 'the call was cleared: .*' "$WORK/client3.log" | head -n 1)\""

kill -TERM "$C1"
wait "$C1" || fail "client 1 SIGTERM: exit $?"
wait_count 1
connect 3 client3b
wait_count 2
kill -0 "$CLIENT" || fail "client 3 exited on its second try"
echo "ok: after one client left, the third gets in"

kill -TERM "$SERVER"
set +e
wait "$SERVER"
rc=$?
set -e
[ $rc -eq 0 ] || fail "server SIGTERM: exit $rc"
echo "3 passed, 0 failed"
