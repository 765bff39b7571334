#!/bin/bash
# ikeview against a real strongSwan 5.9 charon: phase-2 rekey and Dead Peer Detection.
# Topology: lib/ikeview-ssw.bash (PSK, tunnel, AES-128/SHA-1/MODP-2048, ESP AES-128/SHA-1).
#   1. Rekey: strongSwan initiates with a CHILD_SA rekey_time of 12 s, life_time 16 s (it
#      proposes the life_time in Quick Mode). At 12 s it rekeys; at 16 s it deletes the old
#      (REKEYED) SA. Between 16 s and the next rekey at 24 s both sides must show a new SPI pair, the same on
#     
#      both sides, and the old pair must be gone on both (strongSwan deletes it; we act on
#      the Delete).
#   2. DPD: charon is killed with SIGKILL (no Delete). ikeview's DPD (RFC 3706; here
#      --dpd-delay 4 --dpd-timeout 5: an R-U-THERE after 4 s of silence, up to 5 of them 1 s
#      apart) must declare the peer dead and remove every SA: ~10-15 s after the last packet
#      from the peer. (While charon is alive it answers the R-U-THEREs in phase 1.)
# Takes ~30 s (the rekey wait dominates).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/ikeview-ssw.bash"
ikv_init lc

ikv_setup
ikv_policy "AES128-SHA-14" "ESP[AES128,SHA]"
ikv_daemon --dpd-delay 4 --dpd-timeout 5
ssw_up --ike aes128-sha1-modp2048 --esp aes128-sha1 --child-rekey 12s --child-opt life_time=16s --child-opt rand_time=0s

# ---- 1. phase-2 rekey (strongSwan initiates, short lifetime)
"$PEER" initiate "$NP" --timeout 20 >"$WORK/ssw-init.log" 2>&1 || fail "strongSwan initiate: $(tail -5 "$WORK/ssw-init.log")"
wait_count quick 1 || fail "no quick-mode SA on our side: $(sa_json)"
old_in=$(qm_field spi_in) old_out=$(qm_field spi_out)
ssw_child_spis | grep -qx "$old_out $old_in" || fail "strongSwan's SPIs ($(ssw_child_spis | tr '\n' ' ')) are not ours reversed"
echo "initial SPI pair: in $old_in out $old_out"
ok="" t0=$(date +%s)
while [ $(($(date +%s) - t0)) -lt 40 ]; do
  ours=$(sa_json | python3 -c 'import json,sys; print(" ".join(sorted(x["spi_in"]+"/"+x["spi_out"] for x in json.load(sys.stdin) if x["phase"]=="quick")))')
  theirs=$(ssw_child_spis | awk '{print $2 "/" $1}' | sort | tr '\n' ' ' | sed 's/ $//')
  if [ -n "$ours" ] && [ "$ours" = "$theirs" ] && [ "${ours#* }" = "$ours" ] && [ "$ours" != "$old_in/$old_out" ]; then ok=1; break; fi
  sleep 0.5
done
[ -n "$ok" ] || fail "after the rekey: ours '$ours', strongSwan's '$theirs' (old $old_in/$old_out)"
grep -q "sending DELETE for ESP CHILD_SA with SPI $old_out\|received DELETE for ESP CHILD_SA with SPI $old_in" "$CLOG" ||
  fail "strongSwan did not delete the old CHILD_SA"
grep -q "CHILD_SA net{[0-9]*} established with SPIs ${ours#*/}_i ${ours%%/*}_o" "$CLOG" || fail "strongSwan's log lacks the new pair"
[ "$(sa_count main)" = 1 ] || fail "the rekey changed the IKE SA: $(sa_json)"
echo "ok rekey: new SPI pair in ${ours%%/*} out ${ours#*/}, old pair deleted on both sides"

# ---- 2. DPD: strongSwan dies without a word
pid=$("$PEER" pid "$NP")
[ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe")" = /usr/sbin/charon-systemd ] || fail "charon PID '$pid'"
kill -KILL "$pid"
t0=$(date +%s)
while [ $(($(date +%s) - t0)) -lt 40 ]; do [ "$(sa_count main)" = 0 ] && [ "$(sa_count quick)" = 0 ] && break; sleep 1; done
[ "$(sa_count main)" = 0 ] && [ "$(sa_count quick)" = 0 ] || fail "SAs left $(($(date +%s) - t0)) s after the peer died: $(sa_json)"
on "$IPSECKIT_BIN/ikeview" log | grep -q "198.51.100.1[:0-9]* is dead (DPD)" || fail "no DPD verdict in the event log"
echo "ok DPD: peer declared dead and SAs removed $(($(date +%s) - t0)) s after SIGKILL"

ikv_stop_daemon
echo "strongswan_lifecycle: all checks passed"
