#!/bin/bash
# ikeview against a real strongSwan 5.9 charon (IKEv1, PSK, tunnel mode, kernel-libipsec,
# which forces NAT-T/UDP encapsulation) in network namespaces this test creates:
#   ssw-p$$: charon, 198.51.100.1, subnet 203.0.113.0/24 (203.0.113.1 on lo)
#   ssw-d$$: policyagent + ikeview, 198.51.100.2, subnet 192.0.2.0/24 (192.0.2.1 on lo)
# 1. ikeview initiates: phase 1 + phase 2 established on both sides.
# 2. strongSwan deletes, then initiates: established on both sides again.
# Exit 77 (skip) only when strongSwan is not installed and cannot be installed.
set -u
: "${IPSECKIT_BIN:?set IPSECKIT_BIN to the bin directory of a build}"
HERE=$(cd "$(dirname "$0")" && pwd)
PEER="$HERE/strongswan/peer.sh"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (network namespaces)" >&2; exit 77; fi
if ! [ -x /usr/sbin/charon-systemd ] || ! command -v swanctl >/dev/null; then
  "$PEER" deps >/dev/null 2>&1 || { echo "SKIP: strongSwan (charon-systemd, swanctl) cannot be installed" >&2; exit 77; }
fi

NP=ssw-p$$ ND=ssw-d$$
WORK=$(mktemp -d /tmp/ikeview-ssw.XXXXXX)
export SSW_STATE_ROOT="$WORK/ssw"
PIDS=""
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null; done
  for p in $PIDS; do wait "$p" 2>/dev/null; done
  "$PEER" down "$NP" >/dev/null 2>&1
  "$PEER" topo-down "$NP" "$ND" >/dev/null 2>&1
  if [ "${KEEP_WORK:-}" = 1 ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
  echo "FAIL: $*" >&2
  tail -n 30 "$WORK"/*.log "$SSW_STATE_ROOT/$NP/charon.log" >&2 2>/dev/null
  exit 1
}
on() {
  IPSECKIT_SOCKET="$WORK/d.sock" IPSECKIT_STATE_DIR="$WORK/d.state" IPSECKIT_NO_AUTOSTART=1 ip netns exec "$ND" "$@"
}
bg() {
  (export IPSECKIT_SOCKET="$WORK/d.sock" IPSECKIT_STATE_DIR="$WORK/d.state" IPSECKIT_NO_AUTOSTART=1
   exec ip netns exec "$ND" "$@") &
}
sa_count() {  # sa_count PHASE: established SAs of that phase on our side
  on "$IPSECKIT_BIN/ikeview" sa --json |
    python3 -c 'import json,sys; print(len([x for x in json.load(sys.stdin) if x["phase"]==sys.argv[1] and x["state"]=="established"]))' "$1"
}
CLOG="$SSW_STATE_ROOT/$NP/charon.log"

"$PEER" topo-up "$NP" "$ND" 198.51.100.1/24 198.51.100.2/24 --inner-a 203.0.113.1/32 --inner-b 192.0.2.1/32 \
  >/dev/null || fail "topology"
bg "$IPSECKIT_BIN/policyagent" --foreground --socket "$WORK/d.sock" --state-dir "$WORK/d.state" >/dev/null 2>>"$WORK/agent.log"
PIDS="$PIDS $!"
for _ in $(seq 200); do [ -S "$WORK/d.sock" ] && break; sleep 0.05; done
M=255.255.255.0
on "$IPSECKIT_BIN/ipsecpol" -w REG -p gw -r out -f 192.0.2.0/$M=203.0.113.0/$M -t 198.51.100.1 \
  -n "ESP[AES128,SHA]" -a "PRESHARE:secret" -1s AES128-SHA-14 >>"$WORK/ipsecpol.log" 2>&1 || fail "ipsecpol out"
on "$IPSECKIT_BIN/ipsecpol" -w REG -p gw -r in -f 203.0.113.0/$M=192.0.2.0/$M -t 198.51.100.2 \
  -n "ESP[AES128,SHA]" -a "PRESHARE:secret" -x >>"$WORK/ipsecpol.log" 2>&1 || fail "ipsecpol in"
bg "$IPSECKIT_BIN/ikeview" daemon --mark 0x2a >/dev/null 2>>"$WORK/ikeview.log"
IKV=$!; PIDS="$PIDS $IKV"
for _ in $(seq 100); do on "$IPSECKIT_BIN/ikeview" log 2>/dev/null | grep -q "SPD generation" && break; sleep 0.1; done

"$PEER" up "$NP" 198.51.100.1 198.51.100.2 --psk secret --local-ts 203.0.113.0/24 --remote-ts 192.0.2.0/24 \
  --ike aes128-sha1-modp2048 --esp aes128-sha1 >"$WORK/peer-up.log" 2>&1 || fail "strongSwan did not start"

# ---- 1. ikeview initiates
on "$IPSECKIT_BIN/ikeview" initiate --peer 198.51.100.1 --rule out --timeout 20 >"$WORK/init.out" 2>"$WORK/init.err" ||
  fail "initiate: $(cat "$WORK/init.err")"
for _ in $(seq 50); do grep -q "CHILD_SA net{[0-9]*} established" "$CLOG" && break; sleep 0.1; done
grep -q "IKE_SA peer\[[0-9]*\] established between 198.51.100.1" "$CLOG" || fail "strongSwan: no IKE SA"
grep -q "CHILD_SA net{[0-9]*} established" "$CLOG" || fail "strongSwan: no CHILD SA"
[ "$(sa_count main)" = 1 ] && [ "$(sa_count quick)" = 1 ] || fail "ikeview sa: $(on "$IPSECKIT_BIN/ikeview" sa)"
on "$IPSECKIT_BIN/ikeview" sa --json | python3 -c '
import json,sys
q=[x for x in json.load(sys.stdin) if x["phase"]=="quick"][0]
assert (q["mode"], q["encap"], q["encryption"], q["integrity"]) == ("tunnel", True, "aes-128-cbc", "sha1"), q' ||
  fail "quick mode SA: $(on "$IPSECKIT_BIN/ikeview" sa --json)"
spi=$(on "$IPSECKIT_BIN/ikeview" sa --json | python3 -c 'import json,sys; print([x for x in json.load(sys.stdin) if x["phase"]=="quick"][0]["spi_out"])')
grep -q "CHILD_SA net{[0-9]*} established with SPIs ${spi}_i" "$CLOG" || fail "strongSwan's inbound SPI is not our spi_out $spi"

# ---- 2. strongSwan tears down, then initiates
"$PEER" terminate "$NP" >/dev/null 2>&1
for _ in $(seq 50); do [ "$(sa_count main)" = 0 ] && break; sleep 0.1; done
[ "$(sa_count main)" = 0 ] && [ "$(sa_count quick)" = 0 ] || fail "records left after strongSwan's Delete: $(on "$IPSECKIT_BIN/ikeview" sa)"
"$PEER" initiate "$NP" >"$WORK/ssw-init.log" 2>&1 || fail "strongSwan initiate: $(tail -5 "$WORK/ssw-init.log")"
for _ in $(seq 50); do [ "$(sa_count quick)" = 1 ] && break; sleep 0.1; done
[ "$(sa_count main)" = 1 ] && [ "$(sa_count quick)" = 1 ] || fail "ikeview as responder: $(on "$IPSECKIT_BIN/ikeview" sa)"

kill -TERM "$IKV"; wait "$IKV" || fail "ikeview daemon exit status on SIGTERM"
echo "strongswan_ikev1: all checks passed"
