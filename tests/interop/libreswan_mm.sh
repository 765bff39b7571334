#!/bin/bash
# ikeview against Libreswan 4.10 pluto (IKEv1 Main Mode, PSK, AES-128/SHA-1/MODP-2048), both
# directions. Pluto's Quick Mode cannot install SAs on this kernel (no ESP in XFRM: "Protocol
# not supported"), so only phase 1 is checked; see lib/libreswan.bash for how pluto runs
# without installing the libreswan package (it conflicts with strongSwan's).
#   lsw-p$$: pluto, 198.51.100.1, subnet 203.0.113.0/24 | lsw-d$$: policyagent + ikeview, 198.51.100.2
#   1. ikeview initiates: Main Mode established on both sides (pluto responded).
#   2. pluto initiates (whack --initiate): Main Mode established on both sides.
# Exit 77 (skip) only when not root or Libreswan cannot be obtained.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
IKV_NO_SSW=1
. "$HERE/lib/ikeview-ssw.bash"
. "$HERE/lib/libreswan.bash"
IKV_CLEANUP_HOOK=lsw_down
ikv_init lsw
NP=lsw-p$$ ND=lsw-d$$
lsw_obtain

ikv_setup
ikv_policy "AES128-SHA-14" "ESP[AES128,SHA]"
ikv_daemon
lsw_up "$NP" 198.51.100.1 198.51.100.2 203.0.113.0/24 192.0.2.0/24 secret

check_mm() {  # check_mm WHAT PLUTO_LINE: one established MM SA on our side, pluto agrees
  local t0; t0=$(date +%s)
  while [ $(($(date +%s) - t0)) -lt 15 ]; do
    [ "$(sa_count main)" = 1 ] && grep -q "IKE SA established" "$PLOG" && break; sleep 0.3
  done
  [ "$(sa_count main)" = 1 ] || fail "$1: our side: $(sa_json)"
  sa_json | python3 -c '
import json,sys
m=[x for x in json.load(sys.stdin) if x["phase"]=="main"][0]
assert (m["encryption"],m["integrity"],m["dh_group"],m["auth"],m["peer"])==("aes-128-cbc","sha1",14,"psk","198.51.100.1"), m' ||
    fail "$1: our MM SA: $(sa_json)"
  grep -q "$2" "$PLOG" || fail "$1: pluto did not reach $2"
  grep -q "established.*auth=PRESHARED_KEY cipher=AES_CBC_128 integ=HMAC_SHA1 group=MODP2048" "$PLOG" ||
    fail "$1: pluto's established line"
  cky=$(mm_field cookies)
  echo "ok $1 (cookies $cky)"
}

# ---- 1. we initiate. Our Quick Mode then fails (pluto cannot install its SA): not checked.
on "$IPSECKIT_BIN/ikeview" initiate --peer 198.51.100.1 --rule out --timeout 4 >"$WORK/init.out" 2>"$WORK/init.err"
check_mm "ikeview -> pluto Main Mode" "#1: responding to Main Mode"

# ---- 2. pluto initiates, after both sides dropped the first SA
ikv_stop_daemon
lsw_down
ikv_daemon
lsw_up "$NP" 198.51.100.1 198.51.100.2 203.0.113.0/24 192.0.2.0/24 secret
whack --name peer --initiate --asynchronous >"$WORK/whack.log" 2>&1 || fail "whack --initiate: $(cat "$WORK/whack.log")"
check_mm "pluto -> ikeview Main Mode" "#1: initiating IKEv1 Main Mode"

ikv_stop_daemon
echo "libreswan_mm: all checks passed"
