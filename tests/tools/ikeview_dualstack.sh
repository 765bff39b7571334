#!/bin/bash
# One `ikeview daemon` without --listen serves IPv4 and IPv6 (two socket pairs: 0.0.0.0 and ::
# with IPV6_V6ONLY). Hosts A (198.51.100.1, 2001:db8::1) and B (198.51.100.2, 2001:db8::2) on one
# veth, a policy with a v4 rule and a v6 rule (netsh syntax). Checks: each daemon says it
# listens on both; A initiates the v4 rule and then the v6 rule, and B's one daemon answers
# both (MM + QM each, on its 0.0.0.0 and :: sockets); every v6 SA's local address is the
# host's own v6 address (IPV6_PKTINFO); `--listen 198.51.100.1` still binds that address only.
set -u
. "${IPSECKIT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tools/lib.bash"

start_pair ds
ip -n "$NA" addr add 2001:db8::1/64 dev "$IF_A" nodad || fail "IPv6 address on A"
ip -n "$NB" addr add 2001:db8::2/64 dev "$IF_B" nodad || fail "IPv6 address on B"
cat >"$WORK/policy.netsh" <<'P'
add policy name=ds
add filterlist name=v4
add filter filterlist=v4 srcaddr=198.51.100.1 dstaddr=198.51.100.2 mirrored=yes
add filterlist name=v6
add filter filterlist=v6 srcaddr=2001:db8::1 dstaddr=2001:db8::2 mirrored=yes
add filteraction name=esp action=negotiate qmsecmethods="ESP[AES128,SHA1]"
add rule name=v4 policy=ds filterlist=v4 filteraction=esp psk=dualstack-secret
add rule name=v6 policy=ds filterlist=v6 filteraction=esp psk=dualstack-secret
set policy name=ds assign=yes
P
for h in A B; do
  on $h "$IPSECKIT_BIN/ipsecpol" netsh "$WORK/policy.netsh" >>"$WORK/$h.ipsecpol.log" 2>&1 || fail "ipsecpol netsh on $h"
done
start_ikeview A; start_ikeview B
for h in A B; do
  grep -q "listening on UDP 0.0.0.0:500 and 0.0.0.0:4500, \[::\]:500 and \[::\]:4500" "$WORK/$h.ikeview.log" ||
    fail "$h: not listening on both families: $(grep listening "$WORK/$h.ikeview.log")"
done

# count HOST PEER PHASE: established SAs of PHASE with PEER (and, for PEER in v6, local v6 address)
count() {
  sa_json "$1" | python3 -c '
import json, sys
peer, phase = sys.argv[1], sys.argv[2]
s = [x for x in json.load(sys.stdin) if x["phase"] == phase and x["state"] == "established" and x["peer"] == peer]
if ":" in peer: assert all(x["local"] in ("2001:db8::1", "2001:db8::2") for x in s), s
print(len(s))' "$2" "$3"
}
wait_sas() {  # wait_sas HOST PEER N: main and quick SAs with PEER reach N each
  for _ in $(seq 100); do
    [ "$(count "$1" "$2" main)" = "$3" ] && [ "$(count "$1" "$2" quick)" = "$3" ] && return 0; sleep 0.1
  done
  fail "$1: SAs with $2: $(sa_json "$1")"
}

# ---- 1. A initiates over IPv4, then over IPv6: same two daemons
on A "$IPSECKIT_BIN/ikeview" initiate --peer 198.51.100.2 --rule v4 --timeout 20 >/dev/null 2>"$WORK/i4.err" ||
  fail "initiate v4: $(cat "$WORK/i4.err")"
on A "$IPSECKIT_BIN/ikeview" initiate --peer 2001:db8::2 --rule v6 --timeout 20 >/dev/null 2>"$WORK/i6.err" ||
  fail "initiate v6: $(cat "$WORK/i6.err")"
wait_sas A 198.51.100.2 1; wait_sas A 2001:db8::2 1
wait_sas B 198.51.100.1 1; wait_sas B 2001:db8::1 1
echo "A -> B: IPv4 and IPv6 MM + QM with one daemon each"

stop_ikeview A; stop_ikeview B

# ---- 3. an explicit --listen stays one address
start_ikeview A --listen 198.51.100.1
grep -q "listening on UDP 198.51.100.1:500 and 198.51.100.1:4500 (mark" "$WORK/A.ikeview.log" ||
  fail "--listen: $(grep listening "$WORK/A.ikeview.log" | tail -1)"
stop_ikeview A
echo "ikeview_dualstack: all checks passed"
