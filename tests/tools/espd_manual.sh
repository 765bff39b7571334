#!/bin/bash
# espd with manual keys: two hosts in two network namespaces on one veth (198.51.100.1 <-> .2),
# each with its own policy agent, a mirrored negotiate policy assigned with Windows-syntax
# ipsecpol (plus a BLOCK rule for TCP port 9 and a PASS rule for UDP port 7777), manual
# transport-mode ESP-in-UDP SAs added with `espd sa add`, and espd running on each side.
# Checks: ping and a 1 MiB TCP transfer (bytes compared) go through; a capture on the veth
# shows only UDP 4500 (ESP) between the hosts for them, no clear ICMP or TCP; the PASS
# filter's UDP goes in clear; the BLOCK filter's TCP is dropped (and counted); an unknown SPI,
# a forged ICV and a replay are each counted under their Windows name; SIGTERM leaves no TUN,
# rule or route behind; leftover rules of table T (a kill -9, another priority) are removed by
# the next start.
ESPD_TEST=espd-manual
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"

start_agent A; start_agent B
peer_policy
for h in A B; do
  peer=198.51.100.2; [ $h = B ] && peer=198.51.100.1
  on $h "$IPSECKIT_BIN/ipsecpol" -w REG -p espd -r blocked -f "0+$peer:9:TCP" -n BLOCK >>"$WORK/$h.ipsecpol.log" 2>&1 ||
    fail "ipsecpol BLOCK rule on $h"
  on $h "$IPSECKIT_BIN/ipsecpol" -w REG -p espd -r passed -f "0+$peer:7777:UDP" -n PASS >>"$WORK/$h.ipsecpol.log" 2>&1 ||
    fail "ipsecpol PASS rule on $h"
  # ... and UDP to this host's port 7777 (inbound enforcement drops clear text the peer filter covers).
  on $h "$IPSECKIT_BIN/ipsecpol" -w REG -p espd -r passed-in -f "0:7777+$peer::UDP" -n PASS >>"$WORK/$h.ipsecpol.log" 2>&1 ||
    fail "ipsecpol PASS rule (inbound) on $h"
done

manual_sas

# sa list never shows keys.
on A "$IPSECKIT_BIN/espd" sa list --json >"$WORK/list.json" || fail "espd sa list --json"
grep -q '"00001001"' "$WORK/list.json" || fail "sa list lacks SPI 00001001"
grep -qi '0001020304\|a0a1a2\|_key' "$WORK/list.json" && fail "sa list shows key material"
on A "$IPSECKIT_BIN/espd" sa list | grep -q '^00002001 in  transport 198.51.100.2 -> 198.51.100.1' ||
  fail "sa list text: $(on A "$IPSECKIT_BIN/espd" sa list)"

# No IKE daemon here: espd owns the NAT-T port itself (the default leaves it to ikeview).
ESPD_ARGS="--natt bind"

# A leftover of a crashed run: start, kill -9, restart must remove the stale rule; so must a
# start find any other rule that looks up its table.
on A ip rule add priority 999 not fwmark 0x99 lookup $TABLE || fail "ip rule add"
start_espd A
on A ip rule show | grep -q "^999:" && fail "the stale rule of priority 999 survived the start"
kill -9 "$ESPD_A"; wait "$ESPD_A" 2>/dev/null
on A ip rule show | grep -q "lookup $TABLE" || fail "no rule while espd ran"
start_espd A
[ "$(on A ip rule show | grep -c "lookup $TABLE")" = 1 ] || fail "the stale rule was not replaced: $(on A ip rule show)"
grep -q "removed a leftover rule (priority 120) of table 120" "$WORK/A.espd.log" || fail "no leftover cleanup logged"
start_espd B

start_capture A "$VA" veth.pcap

on A ping -c 3 -i 0.2 -W 2 198.51.100.2 >"$WORK/ping.log" 2>&1 || fail "ping through ESP: $(cat "$WORK/ping.log")"

# 1 MiB over TCP, compared byte for byte.
tcp_transfer 198.51.100.2 1048576 "TCP transfer"

# PASS filter: UDP 7777 goes in clear.
spawn B "$WORK/udp.log" "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("198.51.100.2", 7777)); s.settimeout(5)
d, _ = s.recvfrom(100); assert d == b"in the clear", d
'
UDPSRV=$!
PIDS="$PIDS $UDPSRV"
sleep 0.3
on A "$PY" -c '
import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"in the clear", ("198.51.100.2", 7777))'
wait $UDPSRV || fail "PASS filter: UDP 7777 not received: $(cat "$WORK/udp.log")"

# BLOCK filter: TCP to port 9 is dropped by espd (a timeout, not a refusal from B).
on A "$PY" -c '
import socket, sys
try:
    socket.create_connection(("198.51.100.2", 9), timeout=1.5)
except socket.timeout:
    sys.exit(0)
except OSError as e:
    print("not dropped:", e); sys.exit(1)
print("connected"); sys.exit(1)' >"$WORK/block.log" 2>&1 || fail "BLOCK filter: $(cat "$WORK/block.log")"

# From a marked socket (so A's espd does not protect them): an unknown SPI; SA 0x1001 with a
# sequence number far ahead and a wrong ICV; SA 0x1001 with sequence number 1 again (replay).
on A "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET, 36, 0x2a)
s.bind(("198.51.100.1", 4501))
for h in ("deadbeef00000001", "000010017fffffff", "0000100100000001"):
    s.sendto(bytes.fromhex(h) + bytes(60), ("198.51.100.2", 4500))'

sleep 1.5
kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
tcpdump -n -r "$WORK/veth.pcap" 2>/dev/null | grep -v "ARP\|ICMP6\|IP6" >"$WORK/capture.txt"
grep -q "ICMP" "$WORK/capture.txt" && fail "clear ICMP on the wire: $(grep ICMP "$WORK/capture.txt" | head -3)"
grep -q "\.5001[: ]" "$WORK/capture.txt" && fail "clear TCP 5001 on the wire"
grep -q "\.9: Flags" "$WORK/capture.txt" && fail "the blocked TCP SYN reached the wire"
grep -q "198.51.100.2.7777: UDP" "$WORK/capture.txt" || fail "PASS: no clear UDP 7777 on the wire"
# Packets sent = the highest ESP sequence number seen: with UDP GSO (espd's offloads) veth
# carries a train of datagrams as one skb, and tcpdump shows only its first ESP header.
max_seq() { grep -o "$1: UDP-encap: ESP(spi=0x$2,seq=0x[0-9a-f]*" "$WORK/capture.txt" | sed 's/.*seq=//' |
  while read -r q; do echo $((q)); done | sort -n | tail -n 1; }
n_esp=$(max_seq "198.51.100.1.4500 > 198.51.100.2.4500" 00001001); n_esp=${n_esp:-0}
n_back=$(max_seq "198.51.100.2.4500 > 198.51.100.1.4500" 00002001); n_back=${n_back:-0}
[ "$n_esp" -ge 100 ] && [ "$n_back" -ge 3 ] || fail "too few ESP-in-UDP packets ($n_esp out, $n_back back)"
other=$(grep -v "4500: UDP-encap: ESP\|7777: UDP" "$WORK/capture.txt" | grep -c "198.51.100")
[ "$other" = 0 ] || fail "unexpected packets on the wire: $(grep -v "4500: UDP-encap\|7777" "$WORK/capture.txt" | head -3)"

sleep 1.2
[ "$(stat A 'Pkts Blocked')" -ge 1 ] || fail "A: Pkts Blocked is $(stat A 'Pkts Blocked')"
[ "$(stat B 'Bad SPI Pkts')" -ge 1 ] || fail "B: Bad SPI Pkts is $(stat B 'Bad SPI Pkts')"
[ "$(stat A 'Confidential Bytes Sent')" -ge 1048576 ] || fail "A: Confidential Bytes Sent $(stat A 'Confidential Bytes Sent')"
[ "$(stat B 'Confidential Bytes Received')" -ge 1048576 ] || fail "B: Confidential Bytes Received too small"
# The PASS flow bypasses the TUN (espd's nftables output chain marks it), so espd never sees it.
[ "$(stat A 'Pkts Permitted')" = 0 ] || fail "A: the PASS flow went through the TUN (Pkts Permitted $(stat A 'Pkts Permitted'))"
[ "$(stat B 'Pkts not Authenticated')" = 1 ] || fail "B: Pkts not Authenticated $(stat B 'Pkts not Authenticated')"
[ "$(stat B 'Pkts with Replay Detection')" = 1 ] || fail "B: Pkts with Replay Detection $(stat B 'Pkts with Replay Detection')"

# Deleting an SA takes it out of the data path.
on A "$IPSECKIT_BIN/espd" sa del 1001 || fail "espd sa del"
on A "$IPSECKIT_BIN/espd" sa del 1001 2>"$WORK/del.err"; [ $? = 1 ] || fail "deleting a missing SA must exit 1"
grep -q "no SA esp/sa/00001001" "$WORK/del.err" || fail "sa del error: $(cat "$WORK/del.err")"

stop_espd A; stop_espd B
no_leftovers A; no_leftovers B
echo "espd_manual: ok"
