#!/bin/bash
# A server policy "me -> any" (Windows `-f 0+*`, mirrored) with espd (espd(8) "Routing"): table
# T then holds a default route into the TUN; traffic that a more specific PASS filter permits
# must not enter the TUN but take the main table in clear (espd's nftables output chain marks
# it). Host B answers on 198.51.100.2 (negotiated, manual ESP-in-UDP SAs) and 198.51.100.3
# (A's PASS filter). Checks: A pings .2 through ESP and .3 in clear; A's espd never saw the
# .3 traffic (Pkts Permitted stays 0); no clear ICMP to .2 on the wire; the daemons' own
# ESP-in-UDP is not captured by the default route.
ESPD_TEST=espd-any
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"

ip -n "$NB" addr add 198.51.100.3/24 dev "$VB"
start_agent A; start_agent B
on A "$IPSECKIT_BIN/ipsecpol" -w REG -p espd -r peer -f "0+*" -n "ESP[AES128,SHA1]" -a "PRESHARE:unused" -x \
  >>"$WORK/A.ipsecpol.log" 2>&1 || fail "ipsecpol me -> any on A"
on A "$IPSECKIT_BIN/ipsecpol" -w REG -p espd -r clear -f "0+198.51.100.3" -n PASS >>"$WORK/A.ipsecpol.log" 2>&1 ||
  fail "ipsecpol PASS on A"
on B "$IPSECKIT_BIN/ipsecpol" -w REG -p espd -r peer -f 198.51.100.2+198.51.100.1 -n "ESP[AES128,SHA1]" \
  -a "PRESHARE:unused" -x >>"$WORK/B.ipsecpol.log" 2>&1 || fail "ipsecpol on B"

manual_sas
ESPD_ARGS="--natt bind"
start_espd A; start_espd B
on A ip route show table $TABLE | grep -q "^default dev $TUNA" || fail "no default route into the TUN: $(on A ip route show table $TABLE)"

start_capture A "$VA" veth.pcap
on A ping -c 2 -i 0.2 -W 2 198.51.100.2 >"$WORK/ping2.log" 2>&1 || fail "ping .2 (negotiated): $(cat "$WORK/ping2.log")"
on A ping -c 2 -i 0.2 -W 2 198.51.100.3 >"$WORK/ping3.log" 2>&1 || fail "ping .3 (PASS): $(cat "$WORK/ping3.log")"
sleep 1
kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
tcpdump -n -r "$WORK/veth.pcap" 2>/dev/null >"$WORK/capture.txt"
grep -q "198.51.100.1 > 198.51.100.3: ICMP echo request" "$WORK/capture.txt" || fail "no clear ping to .3 on the wire"
grep -q "> 198.51.100.2: ICMP" "$WORK/capture.txt" && fail "clear ICMP to .2 on the wire"
grep -q "198.51.100.1.4500 > 198.51.100.2.4500: UDP-encap: ESP" "$WORK/capture.txt" || fail "no ESP to .2 on the wire"
sleep 1.2
[ "$(stat A 'Pkts Permitted')" = 0 ] || fail "A: the PASS traffic went through the TUN (Pkts Permitted $(stat A 'Pkts Permitted'))"

stop_espd A; stop_espd B
no_leftovers A; no_leftovers B
echo "espd_any: ok"
