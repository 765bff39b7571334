#!/bin/bash
# `ikeview daemon --dpd-delay/--dpd-timeout` (RFC 3706): two hosts in two namespaces on one
# veth (198.51.100.1 <-> .2), PSK. A runs with --dpd-delay 2 --dpd-timeout 2: while B answers,
# nothing happens; once B is stopped (SIGSTOP: no Delete), A declares it dead and deletes its
# SAs within delay + timeout (+ slack). Bad option values exit 2 naming the option.
set -u
. "${IPSECKIT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tools/lib.bash"

start_pair ip
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
