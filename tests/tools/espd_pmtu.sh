#!/bin/bash
# espd and the path MTU (RFC 4301 §8.2, RFC 1191): the veth between A and B has MTU 1200,
# espd's TUN 1400; a mirrored negotiate policy with manual ESP-in-UDP SAs. `ping -M do -s 1300`
# (a 1328-byte packet with DF, which fits the TUN but not the path once protected) must be
# answered by espd with ICMP "fragmentation needed" carrying the usable MTU (ping reports
# it, and a later ping with -M do -s 1000 works); nothing of it leaves in clear or in fragments.
ESPD_TEST=espd-pmtu
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"

ip -n "$NA" link set "$VA" mtu 1200; ip -n "$NB" link set "$VB" mtu 1200
start_agent A; start_agent B
peer_policy
manual_sas
ESPD_ARGS="--natt bind"
start_espd A; start_espd B

start_capture A "$VA" veth.pcap

on A ping -c 2 -i 0.3 -W 1 -M do -s 1300 198.51.100.2 >"$WORK/bigping.log" 2>&1
# AES-CBC + HMAC-SHA1-96 in UDP, transport mode: 1200 - 20 (IP) - 8 (UDP) - 8 (ESP) - 16 (IV)
# - 12 (ICV) = 1136 for the padded payload (a multiple of 16), less the 2-byte trailer = 1134,
# plus the inner packet's own 20-byte header = 1154.
grep -Eq "Frag needed and DF set \(mtu = 1154\)" "$WORK/bigping.log" ||
  fail "no 'Frag needed and DF set (mtu = 1154)' for the sender: $(cat "$WORK/bigping.log")"
on A ping -c 2 -i 0.3 -W 2 -M do -s 1000 198.51.100.2 >"$WORK/ping.log" 2>&1 || fail "ping -s 1000: $(cat "$WORK/ping.log")"
sleep 1
kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
n_big=$(tcpdump -n -r "$WORK/veth.pcap" 'src 198.51.100.1 and (greater 1201 or icmp or (ip[6:2] & 0x3fff) != 0)' 2>/dev/null | wc -l)
[ "$n_big" = 0 ] || fail "clear ICMP, fragments or oversized packets on the wire: $(tcpdump -n -r "$WORK/veth.pcap" 2>/dev/null | head -4)"

stop_espd A; stop_espd B
no_leftovers A; no_leftovers B
echo "espd_pmtu: ok"
