#!/bin/bash
# espd in tunnel mode with raw ESP (IP protocol 50), manual keys: gateways A (198.51.100.1,
# subnet 192.0.2.0/24, its host 192.0.2.1 an address on lo) and B (198.51.100.2, subnet 203.0.113.0/24) in two
# namespaces, each with a pair of one-way tunnel rules assigned with Windows-syntax ipsecpol
# (-t endpoint) and tunnel-mode SAs with subnet selectors added with `espd sa add`.
# Checks: ping and a 1 MiB TCP transfer between the subnets (bytes compared); the capture on
# the veth shows ESP (protocol 50) with the tunnel SPIs and no clear ICMP/TCP; traffic between
# the gateways' own addresses is not tunnelled; "Active Tunnels" and tunnel byte counters;
# SIGTERM leaves nothing behind.
ESPD_TEST=espd-tunnel
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"

# The subnets' hosts are addresses on lo (no dummy module needed).
ip -n "$NA" addr add 192.0.2.1/32 dev lo || fail "address 192.0.2.1 on A"
ip -n "$NB" addr add 203.0.113.1/32 dev lo || fail "address 203.0.113.1 on B"
# Each gateway reaches the other's subnet through the other gateway (main table).
ip -n "$NA" route add 203.0.113.0/24 via 198.51.100.2 || fail "route A"
ip -n "$NB" route add 192.0.2.0/24 via 198.51.100.1 || fail "route B"

start_agent A; start_agent B
NETA=192.0.2.0/255.255.255.0 NETB=203.0.113.0/255.255.255.0
pol() {  # pol HOST RULE FILTER ENDPOINT
  on "$1" "$IPSECKIT_BIN/ipsecpol" -w REG -p gw -r "$2" -f "$3" -t "$4" -n "ESP[AES256,SHA256]" -a "PRESHARE:unused" \
    >>"$WORK/$1.ipsecpol.log" 2>&1 || fail "ipsecpol $2 on $1"
}
pol A a-to-b "$NETA=$NETB" 198.51.100.2; pol A b-to-a "$NETB=$NETA" 198.51.100.1
pol B b-to-a "$NETB=$NETA" 198.51.100.1; pol B a-to-b "$NETA=$NETB" 198.51.100.2
for h in A B; do
  on $h "$IPSECKIT_BIN/ipsecpol" -w REG -p gw -x >>"$WORK/$h.ipsecpol.log" 2>&1 || fail "assign on $h"
done

K1=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
K2=202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
K3=404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f
K4=606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f
sa() {  # sa HOST SPI DIR SRC DST LOCALNET REMOTENET ENC AUTH
  on "$1" "$IPSECKIT_BIN/espd" sa add --spi "$2" --dir "$3" --src "$4" --dst "$5" --mode tunnel \
    --local-net "$6" --remote-net "$7" --enc AES256 --auth SHA256 --enc-key "$8" --auth-key "$9" \
    >>"$WORK/$1.sa.log" 2>&1 || fail "espd sa add $2 on $1: $(cat "$WORK/$1.sa.log")"
}
sa A 0x3001 out 198.51.100.1 198.51.100.2 192.0.2.0/24 203.0.113.0/24 $K1 $K2
sa A 0x4001 in 198.51.100.2 198.51.100.1 192.0.2.0/24 203.0.113.0/24 $K3 $K4
sa B 0x3001 in 198.51.100.1 198.51.100.2 203.0.113.0/24 192.0.2.0/24 $K1 $K2
sa B 0x4001 out 198.51.100.2 198.51.100.1 203.0.113.0/24 192.0.2.0/24 $K3 $K4

start_espd A; start_espd B
on A ip route show table $TABLE | grep -q "^203.0.113.0/24 dev $TUNA" || fail "A: no route for 203.0.113.0/24 in table $TABLE"

start_capture A "$VA" veth.pcap

on A ping -c 3 -i 0.2 -W 2 -I 192.0.2.1 203.0.113.1 >"$WORK/ping.log" 2>&1 || fail "ping through the tunnel: $(cat "$WORK/ping.log")"
# The gateways' own addresses are outside the tunnel filters: plain ICMP.
on A ping -c 1 -W 2 198.51.100.2 >>"$WORK/ping.log" 2>&1 || fail "ping between the gateways"

tcp_transfer 203.0.113.1 1048576 "TCP transfer through the tunnel" 192.0.2.1

sleep 0.5
kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
tcpdump -n -r "$WORK/veth.pcap" 2>/dev/null | grep -v "ARP\|ICMP6\|IP6" >"$WORK/capture.txt"
grep -q "192.0.2\|203.0.113" "$WORK/capture.txt" && fail "inner addresses on the wire: $(grep "192.0.2\|203.0.113" "$WORK/capture.txt" | head -3)"
n_esp=$(grep -c "198.51.100.1 > 198.51.100.2: ESP(spi=0x00003001" "$WORK/capture.txt")
n_back=$(grep -c "198.51.100.2 > 198.51.100.1: ESP(spi=0x00004001" "$WORK/capture.txt")
[ "$n_esp" -ge 100 ] && [ "$n_back" -ge 3 ] || fail "too few raw ESP packets ($n_esp out, $n_back back)"
[ "$(grep -c "198.51.100.1 > 198.51.100.2: ICMP echo request" "$WORK/capture.txt")" = 1 ] ||
  fail "the gateways' own ping is not in clear exactly once"

sleep 1.2
[ "$(stat A 'Active Tunnels')" = 2 ] || fail "A: Active Tunnels $(stat A 'Active Tunnels')"
[ "$(stat A 'Bytes Sent In Tunnels')" -ge 1048576 ] || fail "A: Bytes Sent In Tunnels $(stat A 'Bytes Sent In Tunnels')"
[ "$(stat B 'Bytes Received In Tunnels')" -ge 1048576 ] || fail "B: Bytes Received In Tunnels too small"
[ "$(stat B 'Pkts not Matching Selectors')" = 0 ] || fail "B: selector mismatches"

stop_espd A; stop_espd B
no_leftovers A; no_leftovers B
echo "espd_tunnel: ok"
