#!/bin/bash
# End to end: ikeview and espd on both hosts (two namespaces on one veth, 198.51.100.1 <-> .2),
# a mirrored PSK transport policy assigned with Windows-syntax ipsecpol. No SA exists at
# first: A's ping makes A's espd post an acquire, ikeview negotiates Main Mode + Quick Mode,
# both ikeviews write esp/sa/ records, both espds install them and the held ping goes out.
# Then ping and a TCP transfer (bytes compared) work, the capture shows only IKE (UDP 500)
# and ESP between the hosts, and both daemons exit cleanly. ikeview holds UDP 500/4500, so
# espd (--natt auto) takes ESP-in-UDP through its raw socket; both carry the same mark.
ESPD_TEST=espd-ikeview
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"
[ -x "$IPSECKIT_BIN/ikeview" ] || fail "no ikeview in $IPSECKIT_BIN"

start_agent A; start_agent B
for h in A B; do
  on $h "$IPSECKIT_BIN/ipsecpol" -w REG -p e2e -r peer -f 198.51.100.1+198.51.100.2 -n "ESP[3DES,SHA]" \
    -a "PRESHARE:e2e-secret" -x >>"$WORK/$h.ipsecpol.log" 2>&1 || fail "ipsecpol on $h"
done
for h in A B; do
  spawn $h "$WORK/$h.ikeview.log" "$IPSECKIT_BIN/ikeview" daemon --mark $MARK
  PIDS="$PIDS $!"
  eval "IKV_$h=$!"
done
for h in A B; do
  ok=""
  for _ in $(seq 100); do
    on $h "$IPSECKIT_BIN/ikeview" log 2>/dev/null | grep -q "SPD generation" && { ok=1; break; }
    sleep 0.1
  done
  [ -n "$ok" ] || fail "ikeview $h loaded no SPD"
done
start_espd A 0; start_espd B 0

spawn A "$WORK/tcpdump.log" tcpdump -i "$VA" -n -U -w "$WORK/veth.pcap"
TCPDUMP=$!
PIDS="$PIDS $TCPDUMP"
for _ in $(seq 50); do grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null && break; sleep 0.1; done

# The first ping triggers the negotiation; the held echo request (or a retry) gets through.
on A ping -c 8 -i 0.5 -W 10 -w 15 198.51.100.2 >"$WORK/ping0.log" 2>&1
grep -q "bytes from 198.51.100.2" "$WORK/ping0.log" || fail "no answer after the negotiation: $(cat "$WORK/ping0.log")"
for h in A B; do
  n=$(store_list $h esp/sa/ | "$PY" -c 'import json,sys; print(sum(v["origin"] == "ike" for v in json.load(sys.stdin).values()))')
  [ "$n" = 2 ] || fail "$h: $n esp/sa/ records from ikeview (want 2)"
  [ "$(stat $h 'Active Assoc')" = 2 ] || fail "$h: espd has $(stat $h 'Active Assoc') SAs"
done
[ "$(stat A 'Acquires')" -ge 1 ] || fail "A posted no acquire"

on A ping -c 3 -i 0.2 -W 2 198.51.100.2 >"$WORK/ping.log" 2>&1 || fail "ping over the negotiated SA: $(cat "$WORK/ping.log")"
head -c 262144 /dev/urandom >"$WORK/send.bin"
spawn B "$WORK/tcp.log" "$PY" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.51.100.2", 5001)); s.listen(1); s.settimeout(20)
c, _ = s.accept(); c.settimeout(20)
with open(sys.argv[1], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b: break
        f.write(b)
' "$WORK/recv.bin"
SRV=$!
PIDS="$PIDS $SRV"
sleep 0.3
on A "$PY" -c '
import socket, sys
s = socket.create_connection(("198.51.100.2", 5001), timeout=20)
s.sendall(open(sys.argv[1], "rb").read()); s.close()
' "$WORK/send.bin" 2>>"$WORK/tcp.log" || fail "TCP client: $(cat "$WORK/tcp.log")"
wait $SRV || fail "TCP server: $(cat "$WORK/tcp.log")"
cmp -s "$WORK/send.bin" "$WORK/recv.bin" || fail "TCP transfer: received bytes differ"

sleep 0.5
kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
tcpdump -n -r "$WORK/veth.pcap" 2>/dev/null | grep -v "ARP\|ICMP6\|IP6" >"$WORK/capture.txt"
grep -q "isakmp" "$WORK/capture.txt" || fail "no IKE on the wire"
other=$(grep -v "isakmp\|: ESP(spi=" "$WORK/capture.txt" | grep -c "198.51.100")
[ "$other" = 0 ] || fail "clear traffic on the wire: $(grep -v "isakmp\|ESP(spi=" "$WORK/capture.txt" | head -3)"
[ "$(grep -c "198.51.100.1 > 198.51.100.2: ESP(spi=" "$WORK/capture.txt")" -ge 50 ] || fail "too few ESP packets"

stop_espd A; stop_espd B
for h in A B; do
  eval "pid=\$IKV_$h"
  kill -TERM "$pid"; wait "$pid" || fail "ikeview $h exited $? on SIGTERM"
done
no_leftovers A; no_leftovers B
echo "espd_ikeview: ok"
