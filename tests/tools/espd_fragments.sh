#!/bin/bash
# espd and fragments (RFC 4301 §7, espd(8) "Fragments"): a negotiate policy with a port
# selector (UDP to B's port 6000 only), manual raw-ESP SAs with the same selectors. The host
# stack fragments a 3000-byte UDP datagram (DF off) for the TUN's MTU; espd must reassemble it,
# find the port filter, protect the whole datagram and send the ESP packet in fragments.
# Checks: B receives the datagram intact; the capture on the veth shows ESP fragments and
# no UDP at all (no clear first or non-first fragment); a 3000-byte datagram of a flow the
# policy does not cover (port 7000, permitted) still arrives, in clear fragments.
ESPD_TEST=espd-fragments
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"

start_agent A; start_agent B
on A "$IPSECKIT_BIN/ipsecpol" -w REG -p espd -r frag -f "0+198.51.100.2:6000:UDP" -n "ESP[AES128,SHA1]" \
  -a "PRESHARE:unused" -x >>"$WORK/A.ipsecpol.log" 2>&1 || fail "ipsecpol on A"
on B "$IPSECKIT_BIN/ipsecpol" -w REG -p espd -r frag -f "0:6000+198.51.100.1::UDP" -n "ESP[AES128,SHA1]" \
  -a "PRESHARE:unused" -x >>"$WORK/B.ipsecpol.log" 2>&1 || fail "ipsecpol on B"

printf '000102030405060708090a0b0c0d0e0f\n' >"$WORK/ab.enc"; printf '101112131415161718191a1b1c1d1e1f20212223\n' >"$WORK/ab.auth"
printf 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n' >"$WORK/ba.enc"; printf 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3\n' >"$WORK/ba.auth"
sa() {  # sa HOST SPI DIR SRC DST KEYS SELECTORS...
  local h=$1 spi=$2 dir=$3 src=$4 dst=$5 keys=$6 L=198.51.100.1 R=198.51.100.2; shift 6
  [ "$h" = B ] && L=198.51.100.2 R=198.51.100.1
  on "$h" "$IPSECKIT_BIN/espd" sa add --spi "$spi" --dir "$dir" --src "$src" --dst "$dst" --mode transport \
    --enc aes-128-cbc --auth sha1 --enc-key "@$WORK/$keys.enc" --auth-key "@$WORK/$keys.auth" --rule frag --proto 17 \
    --local-net "$L/32" --remote-net "$R/32" "$@" \
    >>"$WORK/$h.sa.log" 2>&1 || fail "espd sa add $spi $dir on $h"
}
sa A 0x1001 out 198.51.100.1 198.51.100.2 ab --remote-port 6000; sa A 0x2001 in 198.51.100.2 198.51.100.1 ba --remote-port 6000
sa B 0x1001 in 198.51.100.1 198.51.100.2 ab --local-port 6000;   sa B 0x2001 out 198.51.100.2 198.51.100.1 ba --local-port 6000
start_espd A; start_espd B

# listen PORT: B receives one datagram and compares it with the file sent.
listen() {
  spawn B "$WORK/recv$1.log" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("198.51.100.2", int(sys.argv[1]))); s.settimeout(4)
try:
    d = s.recv(65535)
except socket.timeout:
    print("nothing"); sys.exit(1)
print("ok" if d == open(sys.argv[2], "rb").read() else "differs %d" % len(d))' "$1" "$WORK/payload.bin"
  PIDS="$PIDS $!"
  LISTENER=$!
}
# send PORT: one 3000-byte datagram from A, DF off (IP_MTU_DISCOVER = IP_PMTUDISC_DONT).
send() {
  on A "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setsockopt(socket.IPPROTO_IP, 10, 0)
s.sendto(open(sys.argv[2], "rb").read(), ("198.51.100.2", int(sys.argv[1])))' "$1" "$WORK/payload.bin"
}
head -c 3000 /dev/urandom >"$WORK/payload.bin"

# Not covered by the policy: clear, re-fragmented by espd.
listen 7000; sleep 0.3; send 7000
wait "$LISTENER" || fail "permitted 3000-byte datagram: $(cat "$WORK/recv7000.log")"

start_capture A "$VA" veth.pcap
listen 6000; sleep 0.3; send 6000
wait "$LISTENER" || fail "protected 3000-byte datagram: $(cat "$WORK/recv6000.log")"
sleep 1
kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
n_udp=$(tcpdump -n -r "$WORK/veth.pcap" 'ip proto 17' 2>/dev/null | wc -l)
n_esp=$(tcpdump -n -r "$WORK/veth.pcap" 'ip proto 50 and src 198.51.100.1' 2>/dev/null | wc -l)
n_frag=$(tcpdump -n -r "$WORK/veth.pcap" 'ip proto 50 and (ip[6:2] & 0x3fff) != 0' 2>/dev/null | wc -l)
[ "$n_udp" = 0 ] || fail "clear UDP (or its fragments) on the wire: $(tcpdump -n -v -r "$WORK/veth.pcap" 'ip proto 17' 2>/dev/null | head -4)"
[ "$n_esp" -ge 3 ] && [ "$n_frag" -ge 3 ] || fail "expected the ESP packet in >= 3 fragments: $n_esp ESP, $n_frag fragments"
[ "$(stat A 'Pkts Sent')" -ge 1 ] || fail "A: Pkts Sent is 0"

stop_espd A; stop_espd B
no_leftovers A; no_leftovers B
echo "espd_fragments: ok"
