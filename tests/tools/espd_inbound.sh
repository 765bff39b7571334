#!/bin/bash
# espd's inbound enforcement (nftables table inet ipseckit_espd_<tun>, espd(8)): host A has a
# mirrored negotiate policy with B plus a PASS rule for UDP to A's port 7777 and a BLOCK rule
# for UDP to A's port 9999; manual SAs; espd runs on A only at first.
# Checks: clear-text UDP and ICMP echo injected from B (no espd there) are not delivered on A
# and are counted ("Pkts Dropped Clear"); the PASS filter's clear UDP is delivered; the BLOCK
# filter's is dropped ("Inbound Pkts Blocked"); once B's espd runs, ping B -> A works
# (protected, so accepted); SIGTERM removes the table; a kill -9 leftover is removed at the
# next start.
ESPD_TEST=espd-inbound
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"

start_agent A; start_agent B
peer_policy
on A "$IPSECKIT_BIN/ipsecpol" -w REG -p espd -r passed -f "0:7777+198.51.100.2::UDP" -n PASS \
  >>"$WORK/A.ipsecpol.log" 2>&1 || fail "ipsecpol PASS rule"
on A "$IPSECKIT_BIN/ipsecpol" -w REG -p espd -r blocked -f "0:9999+198.51.100.2::UDP" -n BLOCK \
  >>"$WORK/A.ipsecpol.log" 2>&1 || fail "ipsecpol BLOCK rule"

manual_sas
ESPD_ARGS="--natt bind"
TABLE_NFT="ipseckit_espd_$TUNA"

# A leftover of a crashed run is removed by the next start.
start_espd A
on A nft list table inet "$TABLE_NFT" >/dev/null 2>&1 || fail "no nftables table $TABLE_NFT while espd runs"
kill -9 "$ESPD_A"; wait "$ESPD_A" 2>/dev/null
start_espd A
grep -q "removing the leftover nftables table inet $TABLE_NFT" "$WORK/A.espd.log" || fail "leftover table not reported"
[ "$(on A nft list tables | grep -c "$TABLE_NFT")" = 1 ] || fail "tables: $(on A nft list tables)"

# udp_listen PORT: a listener on A printing what it receives within 2 s.
udp_listen() {
  spawn A "$WORK/udp$1.log" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("198.51.100.1", int(sys.argv[1]))); s.settimeout(2)
try:
    print("got", s.recvfrom(100)[0].decode())
except socket.timeout:
    print("nothing")' "$1"
  PIDS="$PIDS $!"
  eval "LISTEN_$1=$!"
}
udp_listen 5555; udp_listen 7777; udp_listen 9999
sleep 0.3
on B "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for p in (5555, 7777, 9999):
    s.sendto(b"clear to %d" % p, ("198.51.100.1", p))'
on B ping -c 2 -i 0.2 -W 1 198.51.100.1 >"$WORK/clearping.log" 2>&1 && fail "clear ICMP echo from B was answered by A"
wait "$LISTEN_5555" "$LISTEN_7777" "$LISTEN_9999"
grep -q "^nothing" "$WORK/udp5555.log" || fail "clear UDP to a negotiate flow was delivered: $(cat "$WORK/udp5555.log")"
grep -q "^got clear to 7777" "$WORK/udp7777.log" || fail "PASS filter: clear UDP 7777 not delivered: $(cat "$WORK/udp7777.log")"
grep -q "^nothing" "$WORK/udp9999.log" || fail "BLOCK filter: UDP 9999 delivered"

sleep 1.2
[ "$(stat A 'Pkts Dropped Clear')" -ge 3 ] || fail "A: Pkts Dropped Clear is $(stat A 'Pkts Dropped Clear')"
[ "$(stat A 'Inbound Pkts Blocked')" = 1 ] || fail "A: Inbound Pkts Blocked is $(stat A 'Inbound Pkts Blocked')"

# Protected traffic is accepted: with espd on B, B's ping reaches A through ESP.
start_espd B
on B ping -c 2 -i 0.2 -W 2 198.51.100.1 >"$WORK/ping.log" 2>&1 || fail "protected ping B -> A: $(cat "$WORK/ping.log")"

stop_espd A; stop_espd B
on A nft list tables | grep -q ipseckit_espd && fail "A: nftables table left behind: $(on A nft list tables)"
no_leftovers A; no_leftovers B
echo "espd_inbound: ok"
