#!/bin/bash
# ikeview's own phase-2 rekey against a real strongSwan 5.9 charon (issue 3, part 5; the
# reverse direction, strongSwan rekeying against us, is strongswan_lifecycle.sh).
# Topology: lib/ikeview-ssw.bash; ikeview + espd on our side, PSK, tunnel, ESP AES-128/SHA-1.
# Our ping makes espd post an acquire, so ikeview initiates Quick Mode. Our Quick Mode SAs live
# 10 s: the policy model's minimum phase-2 lifetime is 300 s (Windows: "The minimum rekey for
# Phase 2 is 20480 KB and 300 seconds"), too long for a test, so ikeview runs with the
# TEST-ONLY cap IKEVIEW_TEST_QM_LIFETIME=10 (ikeview(8)); charon keeps its 1 h rekey_time.
# ikeview must rekey at 90 % (9 s), before expiry: a new SPI pair in `ikeview sa --json`, the
# same pair (reversed) installed in charon (swanctl --list-sas) and logged as a new CHILD_SA;
# ikeview deletes the old pair (RFC 2408 3.15 Delete) and charon removes it; a ping running
# across the rekey (5/s through espd's tunnel) loses at most 2 of 60 echo requests. ~25 s.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/ikeview-ssw.bash"
ikv_init rk
TUN=sswr$$ TABLE=120 LIFE=10

ikv_setup
ikv_policy "AES128-SHA-14" "ESP[AES128,SHA]"
export IKEVIEW_TEST_QM_LIFETIME=$LIFE
ikv_daemon
unset IKEVIEW_TEST_QM_LIFETIME
grep -q "TEST ONLY: Quick Mode lifetime $LIFE s" "$WORK/ikeview.log" || fail "ikeview ignored IKEVIEW_TEST_QM_LIFETIME"
bg "$IPSECKIT_BIN/espd" --tun "$TUN" --mark 0x2a --table $TABLE --priority $TABLE >/dev/null 2>>"$WORK/espd.log"
ESPD=$!; IKV_PIDS="$IKV_PIDS $ESPD"
for _ in $(seq 100); do on ip route show table $TABLE 2>/dev/null | grep -q "203.0.113.0/24 dev $TUN" && break; sleep 0.1; done
on ip route show table $TABLE | grep -q "203.0.113.0/24 dev $TUN" || fail "espd installed no route for 203.0.113.0/24"
ssw_up --ike aes128-sha1-modp2048 --esp aes128-sha1 --child-rekey 3600s

# ---- 1. our ping negotiates: ikeview is the Quick Mode initiator
on ping -c 10 -i 0.3 -W 3 -w 20 -I 192.0.2.1 203.0.113.1 >"$WORK/ping0.log" 2>&1
grep -q "bytes from 203.0.113.1" "$WORK/ping0.log" || fail "no answer through the negotiated tunnel: $(cat "$WORK/ping0.log")"
t_up=$(date +%s)
wait_count quick 1 || fail "no quick-mode SA on our side: $(sa_json)"
old_in=$(qm_field spi_in) old_out=$(qm_field spi_out)
for _ in $(seq 50); do ssw_child_spis | grep -qx "$old_out $old_in" && break; sleep 0.1; done
ssw_child_spis | grep -qx "$old_out $old_in" || fail "strongSwan's SPIs ($(ssw_child_spis | tr '\n' ' ')) are not ours reversed"
on "$IPSECKIT_BIN/ikeview" log | grep -q "initiating Quick Mode" || fail "ikeview did not initiate Quick Mode"
[ "$(qm_field expires_in)" -le $LIFE ] || fail "our SA expires in $(qm_field expires_in) s, not <= $LIFE s"
echo "initial SPI pair: in $old_in out $old_out (ours, initiated by ikeview)"

# ---- 2. across the rekey: a ping 5/s; wait for one new pair, the same on both sides
bg ping -c 60 -i 0.2 -W 1 -I 192.0.2.1 203.0.113.1 >"$WORK/ping1.log" 2>&1
PING=$!; IKV_PIDS="$IKV_PIDS $PING"
ok="" ours="" theirs=""
while [ $(($(date +%s) - t_up)) -lt $((LIFE + 8)) ]; do
  ours=$(sa_json | python3 -c 'import json,sys; print(" ".join(sorted(x["spi_in"]+"/"+x["spi_out"] for x in json.load(sys.stdin) if x["phase"]=="quick")))')
  theirs=$(ssw_child_spis | awk '{print $2 "/" $1}' | sort | tr '\n' ' ' | sed 's/ $//')
  if [ -n "$ours" ] && [ "$ours" = "$theirs" ] && [ "${ours#* }" = "$ours" ] && [ "$ours" != "$old_in/$old_out" ]; then ok=1; break; fi
  sleep 0.3
done
[ -n "$ok" ] || fail "after our rekey: ours '$ours', strongSwan's '$theirs' (old $old_in/$old_out)"
t_new=$(($(date +%s) - t_up))
new_in=${ours%%/*} new_out=${ours#*/}
echo "new SPI pair: in $new_in out $new_out, seen $t_new s after the first ping was answered (lifetime $LIFE s)"
# The rekey came from us, before expiry, and kept the IKE SA.
on "$IPSECKIT_BIN/ikeview" log >"$WORK/events.log"
python3 - "$WORK/events.log" $LIFE <<'EOF' || fail "ikeview's rekey timing: $(grep "Quick Mode\|QM SA" "$WORK/events.log")"
import datetime, sys
def t(line):
    return datetime.datetime.strptime(" ".join(line.split()[:2]), "%Y-%m-%d %H:%M:%S.%f").timestamp()
lines = open(sys.argv[1]).read().splitlines()
init = [t(l) for l in lines if "initiating Quick Mode" in l]
soft = [t(l) for l in lines if "lifetime nearly over: rekeying" in l]
gone = [t(l) for l in lines if "deleted: its lifetime expired" in l]
life = int(sys.argv[2])
assert len(init) >= 2 and soft and gone, (init, soft, gone)
# Soft expiry at 90 % of the lifetime starts the second Quick Mode; the old SA goes at 100 %.
assert 0.8 * life <= init[1] - init[0] < life, init
assert soft[0] <= init[1] < gone[0], (soft, init, gone)
print("rekey initiated %.1f s after the first Quick Mode, old SA deleted at %.1f s" % (init[1] - init[0], gone[0] - init[0]))
EOF
grep -q "detected rekeying of CHILD_SA net{1}" "$CLOG" || fail "strongSwan did not see our Quick Mode as a rekey of net{1}"
grep -q "received DELETE for ESP CHILD_SA with SPI $old_in" "$CLOG" ||
  fail "strongSwan got no Delete for the old pair from us: $(grep -i "delete" "$CLOG" | tail -5)"
grep -q "CHILD_SA net{[0-9]*} established with SPIs ${new_out}_i ${new_in}_o" "$CLOG" || fail "strongSwan's log lacks the new pair"
grep -q "sending DELETE for ESP CHILD_SA with SPI $old_out" "$CLOG" && fail "strongSwan, not ikeview, deleted the old pair"
[ "$(sa_count main)" = 1 ] || fail "the rekey changed the IKE SA: $(sa_json)"
echo "ok rekey: ikeview rekeyed before expiry, deleted the old pair; strongSwan shows the new CHILD_SA only"

# ---- 3. traffic continued: the ping across the rekey, and a fresh one on the new pair
wait $PING 2>/dev/null
IKV_PIDS=${IKV_PIDS/ $PING/}
on ping -c 3 -i 0.2 -W 2 -I 192.0.2.1 203.0.113.1 >"$WORK/ping2.log" 2>&1 || fail "ping over the new pair: $(cat "$WORK/ping2.log")"
tx=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1/p' "$WORK/ping1.log")
rx=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\2/p' "$WORK/ping1.log")
[ "${tx:-0}" -ge 40 ] && [ "${rx:-0}" -ge $((tx - 2)) ] || fail "ping across the rekey: $(tail -3 "$WORK/ping1.log")"
echo "ok traffic: ping across the rekey $rx/$tx answered, then 3/3 over the new pair"

kill -TERM "$ESPD"; wait "$ESPD" || fail "espd exited $? on SIGTERM"
IKV_PIDS=${IKV_PIDS/ $ESPD/}
ikv_stop_daemon
echo "strongswan_rekey_ours: all checks passed"
