#!/bin/bash
# espd and ikeview sharing the NAT-T port (RFC 3948 §2.2, sys/natt_share.h): both bind UDP 4500
# in one SO_REUSEPORT group and the kernel steers IKE and keepalives to ikeview, ESP-in-UDP to
# espd, which keeps recvmmsg + UDP GRO and sends with UDP_SEGMENT. Manual transport-mode
# ESP-in-UDP SAs between A and B.
# Checks: with the port held by a process without SO_REUSEPORT, espd (--natt auto) falls back
# to its raw socket (logged) and --natt bind exits 1 naming the port; then espd first and
# ikeview second on B, ikeview first on A: both espds log the shared port, ping and a TCP
# transfer (bytes compared) work, only ESP-in-UDP from port 4500 is on the wire, B received
# GRO trains and A sent GSO trains; ikeview restarted on both hosts, then espd on both, each
# while the other daemon runs: traffic still flows each time; at the end a keepalive and
# an IKE-marked datagram to each host reach ikeview (counted there), none of them nor any ESP
# reaches the wrong daemon.
ESPD_TEST=espd-natt
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"
[ -x "$IPSECKIT_BIN/ikeview" ] || fail "no ikeview in $IPSECKIT_BIN"

start_agent A; start_agent B
peer_policy natt
K1=000102030405060708090a0b0c0d0e0f K2=101112131415161718191a1b1c1d1e1f20212223
sa() {  # sa HOST SPI DIR SRC DST
  on "$1" "$IPSECKIT_BIN/espd" sa add --spi "$2" --dir "$3" --src "$4" --dst "$5" --enc aes-128-cbc --auth sha1 \
    --enc-key $K1 --auth-key $K2 --encap udp >>"$WORK/$1.sa.log" 2>&1 || fail "espd sa add $2 on $1"
}
sa A 0x1001 out 198.51.100.1 198.51.100.2; sa A 0x2001 in 198.51.100.2 198.51.100.1
sa B 0x1001 in 198.51.100.1 198.51.100.2;  sa B 0x2001 out 198.51.100.2 198.51.100.1

# wait_log FILE REGEX: until the log has a matching line (bounded).
wait_log() {
  for _ in $(seq 60); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "no '$2' in $(basename "$1")"
}
# start_ikeview A|B: sets IKV_A / IKV_B; waits until it listens.
start_ikeview() {
  spawn "$1" "$WORK/$1.ikeview.log" "$IPSECKIT_BIN/ikeview" daemon --mark $MARK
  local pid=$!
  PIDS="$PIDS $pid"
  eval "IKV_$1=$pid"
  for _ in $(seq 100); do [ "$(grep -c "listening on UDP" "$WORK/$1.ikeview.log")" -ge "${2:-1}" ] && return 0; sleep 0.1; done
  fail "ikeview $1 did not start"
}
ike_stat() {  # ike_stat A|B NAME: one of ikeview's counters
  on "$1" "$IPSECKIT_BIN/netdiag" stats --json | "$PY" -c 'import json,sys; print((json.load(sys.stdin)["ike"] or {}).get(sys.argv[1], -1))' "$2"
}
traffic() {  # traffic WHAT: ping and a TCP transfer A -> B through the SAs
  on A ping -c 3 -i 0.2 -W 2 198.51.100.2 >"$WORK/ping.log" 2>&1 || fail "$1: ping: $(cat "$WORK/ping.log")"
  tcp_transfer 198.51.100.2 524288 "$1: TCP transfer"
}

# 1. The port held without SO_REUSEPORT (an IKE daemon that does not share): the raw fallback.
spawn B "$WORK/hold.log" "$PY" -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 4500))
print("bound", flush=True); time.sleep(60)'
HOLD=$!
PIDS="$PIDS $HOLD"
wait_log "$WORK/hold.log" bound
on B "$IPSECKIT_BIN/espd" --tun "$TUNB" --natt bind --mark $MARK --table $TABLE 2>"$WORK/bind.err"
[ $? = 1 ] || fail "--natt bind with the port taken must exit 1"
grep -q "4500" "$WORK/bind.err" || fail "--natt bind error does not name the port: $(cat "$WORK/bind.err")"
no_leftovers B
start_espd B
grep -q "UDP port 4500 is left to the IKE daemon: ESP-in-UDP arrives through a raw socket" "$WORK/B.espd.log" ||
  fail "B: raw NAT-T fallback not logged"
stop_espd B
kill "$HOLD"; wait "$HOLD" 2>/dev/null
mv "$WORK/B.espd.log" "$WORK/B.espd-raw.log"

# 2. Shared: espd first on B, ikeview first on A.
start_espd B
wait_log "$WORK/B.espd.log" "UDP port 4500 shared with the IKE daemon (not running yet): ESP-in-UDP to 1 espd socket (recvmmsg, UDP GRO/GSO)"
start_ikeview B; start_ikeview A
start_espd A
wait_log "$WORK/A.espd.log" "shared with the IKE daemon: .*IKE to position 0"
wait_log "$WORK/B.espd.log" "shared with the IKE daemon: .*IKE to position 1"

spawn A "$WORK/tcpdump.log" tcpdump -i "$VA" -n -U -w "$WORK/veth.pcap"
TCPDUMP=$!
PIDS="$PIDS $TCPDUMP"
wait_log "$WORK/tcpdump.log" "listening on"
traffic "espd first (B), ikeview first (A)"
sleep 0.5
kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
tcpdump -n -r "$WORK/veth.pcap" 2>/dev/null | grep -v "ARP\|ICMP6\|IP6" >"$WORK/capture.txt"
other=$(grep -v "198.51.100.[12].4500 > 198.51.100.[12].4500: UDP-encap: ESP" "$WORK/capture.txt" | grep -c "198.51.100")
[ "$other" = 0 ] || fail "not only ESP-in-UDP on the wire: $(grep -v "UDP-encap: ESP" "$WORK/capture.txt" | head -3)"
[ "$(grep -c "198.51.100.2.4500 > 198.51.100.1.4500: UDP-encap: ESP(spi=0x00002001" "$WORK/capture.txt")" -ge 3 ] ||
  fail "B sent no ESP-in-UDP from port 4500"
# The batched paths: B received UDP GRO trains, A sent UDP_SEGMENT trains (stats/espd, every 1 s).
for _ in $(seq 30); do
  [ "$(stat B 'UDP GRO Trains Received')" -ge 1 ] && [ "$(stat A 'UDP GSO Trains')" -ge 1 ] && break
  sleep 0.1
done
[ "$(stat B 'UDP GRO Trains Received')" -ge 1 ] || fail "B: no UDP GRO train received in shared mode"
[ "$(stat A 'UDP GSO Trains')" -ge 1 ] || fail "A: no UDP GSO train sent in shared mode"

# 3. Restarts while the other daemon runs: ikeview on both hosts (A's was first in the group,
# B's last), then espd on both.
stop_ikeview A; stop_ikeview B
start_ikeview A 2; start_ikeview B 2
wait_log "$WORK/A.espd.log" "shared with the IKE daemon: .*IKE to position 1"
traffic "ikeview restarted"
# Both espds restart, and both are stopped before either starts again: with manual SAs a
# restarted sender counts its sequence numbers from 1 again (RFC 4303 §3.3.3), so a packet the
# peer's old espd still sent to a new one (a TCP FIN retransmitted after the transfer above)
# would move the new receiver's replay window past them (§3.4.3) and drop all that follows.
stop_espd A; stop_espd B
for h in A B; do
  mv "$WORK/$h.espd.log" "$WORK/$h.espd-1.log"
  start_espd $h
  wait_log "$WORK/$h.espd.log" "shared with the IKE daemon: .*IKE to position 0"
done
traffic "espd restarted"

# 4. A keepalive and an IKE-marked runt (RFC 3948 §2.2/§2.3) to each host reach ikeview.
for h in A B; do
  dst=198.51.100.1 src=B; [ $h = B ] && dst=198.51.100.2 src=A
  on $src "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"\xff", (sys.argv[1], 4500)); s.sendto(b"\0\0\0\0\x01\x02", (sys.argv[1], 4500))' $dst 2>>"$WORK/ka.log" ||
    fail "keepalive: $(cat "$WORK/ka.log")"
done
for h in A B; do
  for _ in $(seq 40); do [ "$(ike_stat $h "NAT Keepalives Received")" -ge 1 ] && [ "$(ike_stat $h "Malformed Pkts")" -ge 1 ] && break; sleep 0.1; done
  [ "$(ike_stat $h "NAT Keepalives Received")" -ge 1 ] || fail "$h: the keepalive did not reach ikeview"
  [ "$(ike_stat $h "Malformed Pkts")" -ge 1 ] || fail "$h: the IKE-marked runt did not reach ikeview"
  [ "$(ike_stat $h "ESP Pkts on NAT-T Port")" = 0 ] || fail "$h: ESP reached ikeview ($(ike_stat $h "ESP Pkts on NAT-T Port"))"
done
sleep 1.1  # one more stats/espd update
for h in A B; do
  [ "$(stat $h 'IKE Pkts on NAT-T Port')" = 0 ] || fail "$h: IKE reached espd ($(stat $h 'IKE Pkts on NAT-T Port'))"
  [ "$(stat $h 'NAT Keepalives')" = 0 ] || fail "$h: a keepalive reached espd"
  [ "$(stat $h 'Bad SPI Pkts')" = 0 ] || fail "$h: Bad SPI Pkts $(stat $h 'Bad SPI Pkts')"
done

stop_espd A; stop_espd B
stop_ikeview A; stop_ikeview B
no_leftovers A; no_leftovers B
echo "espd_natt_shared: ok"
