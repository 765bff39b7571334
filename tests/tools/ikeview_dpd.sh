#!/bin/bash
# `ikeview daemon --dpd-delay/--dpd-timeout` (RFC 3706): two hosts in two namespaces on one
# veth (198.51.100.1 <-> .2), PSK. A runs with --dpd-delay 2 --dpd-timeout 2: while B answers,
# nothing happens; once B is stopped (SIGSTOP: no Delete), A declares it dead and deletes its
# SAs within delay + timeout (+ slack). Bad option values exit 2 naming the option.
set -u
: "${IPSECKIT_BIN:?set IPSECKIT_BIN to the bin directory of a build}"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (network namespaces)" >&2; exit 77; fi

NA=ikpa-$$ NB=ikpb-$$
WORK=$(mktemp -d /tmp/ikeview-dpd.XXXXXX)
PIDS=""
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null; done
  for p in $PIDS; do wait "$p" 2>/dev/null; done
  ip netns del "$NA" 2>/dev/null
  ip netns del "$NB" 2>/dev/null
  if [ "${KEEP_WORK:-}" = 1 ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
  echo "FAIL: $*" >&2
  for f in "$WORK"/*.log; do echo "---- $f" >&2; tail -n 30 "$f" >&2; done
  exit 1
}

ip netns add "$NA" && ip netns add "$NB" || fail "cannot create namespaces"
ip link add "pa$$" netns "$NA" type veth peer name "pb$$" netns "$NB" || fail "cannot create veth"
ip -n "$NA" link set lo up; ip -n "$NB" link set lo up
ip -n "$NA" addr add 198.51.100.1/24 dev "pa$$"; ip -n "$NA" link set "pa$$" up
ip -n "$NB" addr add 198.51.100.2/24 dev "pb$$"; ip -n "$NB" link set "pb$$" up

on() {
  local h=$1; shift
  local ns=$NA; [ "$h" = B ] && ns=$NB
  IPSECKIT_SOCKET="$WORK/$h.sock" IPSECKIT_STATE_DIR="$WORK/$h.state" IPSECKIT_NO_AUTOSTART=1 \
    ip netns exec "$ns" "$@"
}
bg() {
  local h=$1; shift
  local ns=$NA; [ "$h" = B ] && ns=$NB
  (export IPSECKIT_SOCKET="$WORK/$h.sock" IPSECKIT_STATE_DIR="$WORK/$h.state" IPSECKIT_NO_AUTOSTART=1
   exec ip netns exec "$ns" "$@") &
}
start_agent() {
  bg "$1" "$IPSECKIT_BIN/policyagent" --foreground --socket "$WORK/$1.sock" --state-dir "$WORK/$1.state" \
    >/dev/null 2>>"$WORK/$1.agent.log"
  PIDS="$PIDS $!"
  for _ in $(seq 200); do [ -S "$WORK/$1.sock" ] && return 0; sleep 0.05; done
  fail "agent $1 did not start"
}
start_ikeview() {  # start_ikeview A|B [OPTIONS]: IKV_A / IKV_B is the daemon's pid
  local h=$1; shift
  bg "$h" "$IPSECKIT_BIN/ikeview" daemon --mark 0x2a "$@" >/dev/null 2>>"$WORK/$h.ikeview.log"
  PIDS="$PIDS $!"; eval "IKV_$h=$!"
  set -- "$h"
  for _ in $(seq 100); do
    on "$1" "$IPSECKIT_BIN/ikeview" log 2>/dev/null | grep -q "SPD generation" && return 0
    sleep 0.1
  done
  fail "ikeview daemon $1 loaded no SPD"
}
policy() {
  on "$1" "$IPSECKIT_BIN/ipsecpol" -w REG -p dpd -r peer -f 198.51.100.1+198.51.100.2 \
    -n "ESP[3DES,SHA]" -a "PRESHARE:dpd-test" -x >>"$WORK/$1.ipsecpol.log" 2>&1 || fail "ipsecpol on $1"
}

# ---- usage: bad values exit 2 naming the option
for bad in "--dpd-delay x" "--dpd-delay -1" "--dpd-timeout 0" "--dpd-timeout 99999"; do
  # shellcheck disable=SC2086
  "$IPSECKIT_BIN/ikeview" daemon $bad >/dev/null 2>"$WORK/usage.err"; rc=$?
  [ "$rc" = 2 ] && grep -q -- "${bad%% *}" "$WORK/usage.err" || fail "'$bad': rc $rc, $(cat "$WORK/usage.err")"
done

start_agent A; start_agent B
policy A; policy B
start_ikeview A --dpd-delay 2 --dpd-timeout 2
start_ikeview B
on A "$IPSECKIT_BIN/ikeview" initiate --peer 198.51.100.2 --timeout 20 >/dev/null 2>"$WORK/initiate.log" ||
  fail "initiate failed: $(cat "$WORK/initiate.log")"
# B answers R-U-THERE while it runs: after 2 delays A still has its SA and no dead peer
sleep 4.5
on A "$IPSECKIT_BIN/ikeview" log >"$WORK/a.events"
grep -q "is dead (DPD)" "$WORK/a.events" && fail "peer declared dead while it answers"
[ "$(on A "$IPSECKIT_BIN/ikeview" sa --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2 ] ||
  fail "A lost its SAs while B answers DPD"
# B stops answering (stopped, not killed: it sends no Delete): dead within delay + timeout
kill -STOP "$IKV_B"
t0=$(date +%s.%N)
for _ in $(seq 80); do
  on A "$IPSECKIT_BIN/ikeview" log | grep -q "is dead (DPD)" && break; sleep 0.1
done
t1=$(date +%s.%N)
kill -CONT "$IKV_B"
on A "$IPSECKIT_BIN/ikeview" log | grep "is dead (DPD)" >"$WORK/dead.txt" || fail "A never declared B dead"
python3 -c "import sys; d=$t1-$t0; print(f'dead peer detected after {d:.1f} s'); sys.exit(0 if d < 6.5 else 1)" ||
  fail "dead peer detection took too long (--dpd-delay 2 --dpd-timeout 2)"
for _ in $(seq 20); do
  [ "$(on A "$IPSECKIT_BIN/ikeview" sa --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0 ] && break
  sleep 0.1
done
[ "$(on A "$IPSECKIT_BIN/ikeview" sa --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0 ] ||
  fail "A kept SAs with a dead peer"
echo "ikeview_dpd: all checks passed"; head -1 "$WORK/dead.txt"
