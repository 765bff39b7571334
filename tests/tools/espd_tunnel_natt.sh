#!/bin/bash
# espd in tunnel mode over ESP-in-UDP (RFC 3948) with AES-128-GCM, manual SAs and no policy
# (the SAs' selectors alone): the receive fast path, where the SA decrypts each UDP payload
# where recvmmsg put it (esp/inbound.h unprotect_udp_payload). Gateways A (198.51.100.1, host
# 192.0.2.1 on lo) and B (198.51.100.2, host 203.0.113.1 on lo).
# Checks: ping and a 2 MiB TCP transfer between the hosts (bytes compared); only UDP 4500 on
# the wire; then from a marked socket an unknown SPI, a forged ICV (sequence number far ahead)
# and a replay (sequence number 1 again) are each counted once under their Windows names, and
# the TCP transfer still works after them (the window did not move for the forgery).
# B_NATT=raw (espd_tunnel_natt_raw.sh): B reads ESP-in-UDP through its raw socket while A sends
# UDP GSO trains, which cross the veth whole; B must split them (esp/udp_train.h).
ESPD_TEST=espd-tunnel-natt${B_NATT:+-$B_NATT}
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"

ip -n "$NA" addr add 192.0.2.1/32 dev lo || fail "address 192.0.2.1 on A"
ip -n "$NB" addr add 203.0.113.1/32 dev lo || fail "address 203.0.113.1 on B"
start_agent A; start_agent B

K1=000102030405060708090a0b0c0d0e0f10111213 K2=a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3
sa() {  # sa HOST SPI DIR SRC DST LOCALNET REMOTENET KEY
  on "$1" "$IPSECKIT_BIN/espd" sa add --spi "$2" --dir "$3" --src "$4" --dst "$5" --mode tunnel --local-net "$6" \
    --remote-net "$7" --enc aes-128-gcm --enc-key "$8" --encap udp >>"$WORK/$1.sa.log" 2>&1 ||
    fail "espd sa add $2 on $1: $(cat "$WORK/$1.sa.log")"
}
sa A 0x5001 out 198.51.100.1 198.51.100.2 192.0.2.1/32 203.0.113.1/32 $K1
sa A 0x6001 in 198.51.100.2 198.51.100.1 192.0.2.1/32 203.0.113.1/32 $K2
sa B 0x5001 in 198.51.100.1 198.51.100.2 203.0.113.1/32 192.0.2.1/32 $K1
sa B 0x6001 out 198.51.100.2 198.51.100.1 203.0.113.1/32 192.0.2.1/32 $K2

if [ "${B_NATT:-}" = raw ]; then  # the port held by another IKE daemon (never reads here)
  spawn B "$WORK/holder.log" "$PY" -c '
import signal, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 4500)); print("bound", flush=True)
signal.pause()'
  PIDS="$PIDS $!"
  for _ in $(seq 50); do grep -q bound "$WORK/holder.log" 2>/dev/null && break; sleep 0.1; done
fi
ESPD_ARGS="--natt bind" start_espd A; ESPD_ARGS="--natt ${B_NATT:-bind}" start_espd B
start_capture A "$VA" veth.pcap
on A ping -c 3 -i 0.2 -W 2 -I 192.0.2.1 203.0.113.1 >"$WORK/ping.log" 2>&1 || fail "ping: $(cat "$WORK/ping.log")"

transfer() { tcp_transfer 203.0.113.1 2097152 "$1" 192.0.2.1; }  # 2 MiB, bytes compared
transfer "TCP through the tunnel"

# From a marked socket (A's espd does not protect it): an unknown SPI; SA 0x5001 with a
# sequence number far ahead and a wrong ICV; SA 0x5001 with sequence number 1 again (replay).
on A "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET, 36, 0x2a)
s.bind(("198.51.100.1", 4501))
for h in ("deadbeef00000001", "000050017fffffff", "0000500100000001"):
    s.sendto(bytes.fromhex(h) + bytes(80), ("198.51.100.2", 4500))'
transfer "TCP after the forgeries"

kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
tcpdump -n -r "$WORK/veth.pcap" 2>/dev/null | grep -v "ARP\|ICMP6\|IP6" >"$WORK/capture.txt"
grep -q "192.0.2\|203.0.113" "$WORK/capture.txt" && fail "inner addresses on the wire: $(grep "192.0.2\|203.0.113" "$WORK/capture.txt" | head -3)"
grep -q "198.51.100.2.4500: UDP-encap: ESP(spi=0x00005001" "$WORK/capture.txt" || fail "no ESP-in-UDP from A"
other=$(grep -v "\.450[01] > 198.51.100.[12].4500: UDP-encap: ESP" "$WORK/capture.txt" | grep -c "198.51.100")
[ "$other" = 0 ] || fail "not ESP-in-UDP on the wire: $(grep -v "UDP-encap: ESP" "$WORK/capture.txt" | head -3)"

counters_ok() {
  [ "$(stat B 'Pkts not Authenticated')" = 1 ] && [ "$(stat B 'Pkts with Replay Detection')" = 1 ] &&
    [ "$(stat B 'Bad SPI Pkts')" = 1 ] && [ "$(stat B 'Bytes Received In Tunnels')" -ge 4194304 ]
}
for _ in $(seq 40); do counters_ok && break; sleep 0.1; done
counters_ok || fail "B: not authenticated $(stat B 'Pkts not Authenticated'), replay $(stat B 'Pkts with Replay Detection'), bad SPI $(stat B 'Bad SPI Pkts'), tunnel bytes $(stat B 'Bytes Received In Tunnels')"
[ "$(stat B 'Pkts not Matching Selectors')" = 0 ] || fail "B: selector mismatches $(stat B 'Pkts not Matching Selectors')"
if [ "${B_NATT:-}" = raw ]; then
  n=$(stat B 'UDP GSO Trains Split from Raw Socket')
  [ "$n" -gt 0 ] || fail "B: no GSO train split on the raw path ($n)"
  [ "$(stat A 'UDP GSO Trains')" -gt 0 ] || fail "A sent no UDP GSO trains"
  echo "B split $n UDP GSO trains that reached its raw socket whole"
fi

stop_espd A; stop_espd B
no_leftovers A; no_leftovers B
echo "espd_tunnel_natt: ok"
