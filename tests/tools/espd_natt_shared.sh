#!/bin/bash
# espd sharing the NAT-T port with the IKE daemon: on B another process (standing in for
# ikeview) already holds UDP 4500, on A the real ikeview takes it after espd started; both
# espds (--natt auto) receive ESP-in-UDP through a raw UDP socket filtered on port 4500 and
# send whole outer packets through their raw socket. A's ikeview never sees the ESP datagrams:
# its 4500 socket's BPF filter drops them in the kernel (sys::UdpOptions::natt_ike_only), while
# a NAT keepalive (0xFF) still reaches it; none is taken for malformed IKE.
# Checks: the fallback is logged; ping and a TCP transfer (bytes compared) work in transport
# mode ESP-in-UDP; the capture shows only ESP-in-UDP between the hosts; --natt bind refuses to
# start while the port is taken (exit 1, naming the port).
ESPD_TEST=espd-natt
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"

start_agent A; start_agent B
for h in A B; do
  on $h "$IPSECKIT_BIN/ipsecpol" -w REG -p natt -r peer -f 198.51.100.1+198.51.100.2 -n "ESP[AES128,SHA1]" \
    -a "PRESHARE:unused" -x >>"$WORK/$h.ipsecpol.log" 2>&1 || fail "ipsecpol on $h"
done
K1=000102030405060708090a0b0c0d0e0f K2=101112131415161718191a1b1c1d1e1f20212223
sa() {  # sa HOST SPI DIR SRC DST
  on "$1" "$IPSECKIT_BIN/espd" sa add --spi "$2" --dir "$3" --src "$4" --dst "$5" --enc aes-128-cbc --auth sha1 \
    --enc-key $K1 --auth-key $K2 --encap udp >>"$WORK/$1.sa.log" 2>&1 || fail "espd sa add $2 on $1"
}
sa A 0x1001 out 198.51.100.1 198.51.100.2; sa A 0x2001 in 198.51.100.2 198.51.100.1
sa B 0x1001 in 198.51.100.1 198.51.100.2;  sa B 0x2001 out 198.51.100.2 198.51.100.1

# The stand-in IKE daemon on B: holds UDP 4500 and counts what it gets.
spawn B "$WORK/ike.log" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 4500)); s.settimeout(30)
print("bound", flush=True)
n = 0
while True:
    s.recv(65536); n += 1
    open(sys.argv[1], "w").write(str(n))' "$WORK/ike.count"
IKE=$!
PIDS="$PIDS $IKE"
for _ in $(seq 50); do grep -q bound "$WORK/ike.log" 2>/dev/null && break; sleep 0.1; done

on B "$IPSECKIT_BIN/espd" --tun "$TUNB" --natt bind --mark $MARK --table $TABLE 2>"$WORK/bind.err"
[ $? = 1 ] || fail "--natt bind with the port taken must exit 1"
grep -q "4500" "$WORK/bind.err" || fail "--natt bind error does not name the port: $(cat "$WORK/bind.err")"
no_leftovers B

start_espd A; start_espd B
# A's ikeview starts after A's espd and still gets the port.
spawn A "$WORK/A.ikeview.log" "$IPSECKIT_BIN/ikeview" daemon --mark $MARK
IKV_A=$!
PIDS="$PIDS $IKV_A"
for _ in $(seq 100); do grep -q "listening on UDP" "$WORK/A.ikeview.log" 2>/dev/null && break; sleep 0.1; done
grep -q "0.0.0.0:4500" "$WORK/A.ikeview.log" || fail "A: ikeview did not bind 4500 after espd"
grep -q "UDP port 4500 is left to the IKE daemon" "$WORK/B.espd.log" || fail "B: raw NAT-T reception not logged"

spawn A "$WORK/tcpdump.log" tcpdump -i "$VA" -n -U -w "$WORK/veth.pcap"
TCPDUMP=$!
PIDS="$PIDS $TCPDUMP"
for _ in $(seq 50); do grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null && break; sleep 0.1; done

on A ping -c 3 -i 0.2 -W 2 198.51.100.2 >"$WORK/ping.log" 2>&1 || fail "ping: $(cat "$WORK/ping.log")"
tcp_transfer 198.51.100.2 524288 "TCP transfer"

sleep 0.5
kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
tcpdump -n -r "$WORK/veth.pcap" 2>/dev/null | grep -v "ARP\|ICMP6\|IP6" >"$WORK/capture.txt"
other=$(grep -v "198.51.100.[12].4500 > 198.51.100.[12].4500: UDP-encap: ESP" "$WORK/capture.txt" | grep -c "198.51.100")
[ "$other" = 0 ] || fail "not only ESP-in-UDP on the wire: $(grep -v "UDP-encap: ESP" "$WORK/capture.txt" | head -3)"
[ "$(grep -c "198.51.100.2.4500 > 198.51.100.1.4500: UDP-encap: ESP(spi=0x00002001" "$WORK/capture.txt")" -ge 3 ] ||
  fail "B sent no ESP-in-UDP from port 4500"
[ -s "$WORK/ike.count" ] || fail "the port's owner saw nothing (the fallback must leave it its datagrams)"

ike_stat() {
  on A "$IPSECKIT_BIN/netdiag" stats --json | "$PY" -c 'import json,sys; print((json.load(sys.stdin)["ike"] or {}).get(sys.argv[1], -1))' "$1"
}
# A NAT keepalive (RFC 3948 §2.3) passes the filter; the ESP datagrams above did not.
on B "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"\xff", ("198.51.100.1", 4500))' 2>>"$WORK/ka.log" || fail "keepalive: $(cat "$WORK/ka.log")"
for _ in $(seq 60); do [ "$(ike_stat "NAT Keepalives Received")" -ge 1 ] && break; sleep 0.1; done
[ "$(ike_stat "NAT Keepalives Received")" -ge 1 ] || fail "A: ikeview got no keepalive through its filter"
[ "$(ike_stat "ESP Pkts on NAT-T Port")" = 0 ] ||
  fail "A: ESP reached ikeview's 4500 socket ($(ike_stat "ESP Pkts on NAT-T Port")): no filter"
[ "$(ike_stat "Malformed Pkts")" = 0 ] || fail "A: ikeview took ESP for malformed IKE ($(ike_stat "Malformed Pkts"))"

stop_espd A; stop_espd B
kill -TERM "$IKV_A"; wait "$IKV_A" || fail "ikeview A exited $? on SIGTERM"
no_leftovers A; no_leftovers B
echo "espd_natt_shared: ok"
