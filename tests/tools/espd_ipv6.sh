#!/bin/bash
# espd over IPv6 (manual keys): hosts A (2001:db8::1) and B (2001:db8::2) on one veth, each
# with an address of a subnet behind it on lo (2001:db8:a::1 of 2001:db8:a::/64, and :b:). The policy is
# written with `ipsecpol netsh` on A (IPv6 filters: peer <-> peer negotiate, TCP port 9 block,
# me <-> any negotiate) and reaches B as `ipsecpol export` JSON through `ipsecpol import`.
# SAs from `espd sa add`: transport-mode ESP-in-UDP over IPv6 between the hosts (A's espd owns
# UDP 4500, B's reads it through a raw socket) and tunnel-mode raw ESP over IPv6 between the
# subnets.
# Checks: ping6 and a TCP transfer (bytes compared) in both modes; on the wire only ESP-in-UDP
# and ESP (no clear ICMPv6 echo or TCP); the BLOCK filter drops TCP to port 9; clear UDP from B
# to A's negotiate flow is dropped by A (inbound enforcement); link-local ping6 and neighbour
# discovery still work under "me <-> any" negotiate, and the TUN has no IPv6 address of its
# own; an inner packet too big once protected gets ICMPv6 Packet Too Big (ping6 -M do); tshark
# decrypts the ESP with the test's keys, finds no malformed frame; 3000-byte pings both ways in
# both modes cross as ESP fragments (the inner fragments reassembled by espd before the SPD
# lookup, counted as reassembled, none dropped); SIGTERM removes the IPv6
# rule and routes, and a leftover IPv6 rule of table T is removed by the next start.
ESPD_TEST=espd-ipv6
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"

for h in A B; do
  ns=$NA; v=$VA; me=1 net=a; [ $h = B ] && { ns=$NB; v=$VB; me=2; net=b; }
  ip -n "$ns" addr add "2001:db8::$me/64" dev "$v" nodad || fail "IPv6 address on $h"
  ip -n "$ns" addr add "2001:db8:$net::1/128" dev lo nodad || fail "subnet address on $h"
done
ip -n "$NA" -6 route add 2001:db8:b::/64 via 2001:db8::2
ip -n "$NB" -6 route add 2001:db8:a::/64 via 2001:db8::1
LLB=""
for _ in $(seq 60); do  # the veths' link-local addresses leave DAD
  LLB=$(ip -n "$NB" -6 addr show dev "$VB" scope link | grep -v tentative | grep -o 'fe80::[0-9a-f:]*' | head -1)
  [ -n "$LLB" ] && ! ip -n "$NA" -6 addr show dev "$VA" | grep -q tentative && break
  sleep 0.05
done
[ -n "$LLB" ] || fail "no link-local address on B's veth"

start_agent A; start_agent B
cat >"$WORK/policy.netsh" <<'EOF'
add policy name=v6
add filterlist name=peer
add filter filterlist=peer srcaddr=2001:db8::1 dstaddr=2001:db8::2 mirrored=yes
add filterlist name=blocked
add filter filterlist=blocked srcaddr=me dstaddr=2001:db8::2 protocol=TCP dstport=9 mirrored=yes
add filterlist name=all
add filter filterlist=all srcaddr=me dstaddr=any mirrored=yes
add filteraction name=esp action=negotiate qmsecmethods="ESP[AES128,SHA1]"
add filteraction name=drop action=block
add rule name=peer policy=v6 filterlist=peer filteraction=esp psk=unused
add rule name=blocked policy=v6 filterlist=blocked filteraction=drop
add rule name=all policy=v6 filterlist=all filteraction=esp psk=unused
set policy name=v6 assign=yes
EOF
on A "$IPSECKIT_BIN/ipsecpol" netsh "$WORK/policy.netsh" >>"$WORK/A.ipsecpol.log" 2>&1 || fail "ipsecpol netsh on A"
on A "$IPSECKIT_BIN/ipsecpol" export --policy v6 --secrets -o "$WORK/v6.json" || fail "ipsecpol export"
grep -q '"2001:db8::1/128"' "$WORK/v6.json" || fail "the JSON export lacks the IPv6 filter"
on B "$IPSECKIT_BIN/ipsecpol" import "$WORK/v6.json" --assign v6 >>"$WORK/B.ipsecpol.log" 2>&1 ||
  fail "ipsecpol import of IPv6 filters on B: $(cat "$WORK/B.ipsecpol.log")"

K1=000102030405060708090a0b0c0d0e0f K2=101112131415161718191a1b1c1d1e1f20212223
K3=a0a1a2a3a4a5a6a7a8a9aaabacadaeaf K4=b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3
sa() {  # sa HOST SPI DIR SRC DST ENC AUTH [ARGS...]
  local h=$1 spi=$2 dir=$3 src=$4 dst=$5 ek=$6 ak=$7; shift 7
  on "$h" "$IPSECKIT_BIN/espd" sa add --spi "$spi" --dir "$dir" --src "$src" --dst "$dst" --enc aes-128-cbc \
    --auth sha1 --enc-key "$ek" --auth-key "$ak" "$@" >>"$WORK/$h.sa.log" 2>&1 ||
    fail "espd sa add $spi on $h: $(cat "$WORK/$h.sa.log")"
}
T="--mode transport --encap udp --rule peer"
sa A 0x1001 out 2001:db8::1 2001:db8::2 $K1 $K2 $T; sa A 0x2001 in 2001:db8::2 2001:db8::1 $K3 $K4 $T
sa B 0x1001 in 2001:db8::1 2001:db8::2 $K1 $K2 $T;  sa B 0x2001 out 2001:db8::2 2001:db8::1 $K3 $K4 $T
N="--mode tunnel --encap none"
sa A 0x3001 out 2001:db8::1 2001:db8::2 $K3 $K2 $N --local-net 2001:db8:a::/64 --remote-net 2001:db8:b::/64
sa A 0x4001 in 2001:db8::2 2001:db8::1 $K1 $K4 $N --local-net 2001:db8:a::/64 --remote-net 2001:db8:b::/64
sa B 0x3001 in 2001:db8::1 2001:db8::2 $K3 $K2 $N --local-net 2001:db8:b::/64 --remote-net 2001:db8:a::/64
sa B 0x4001 out 2001:db8::2 2001:db8::1 $K1 $K4 $N --local-net 2001:db8:b::/64 --remote-net 2001:db8:a::/64
on A "$IPSECKIT_BIN/espd" sa list | grep -q '^00003001 out tunnel    2001:db8::1 -> 2001:db8::2' ||
  fail "sa list: $(on A "$IPSECKIT_BIN/espd" sa list)"

# A TUN as large as the path: espd, not the TUN, refuses too-big packets. A owns UDP 4500 (bind,
# IPv6 UDP socket); B leaves it to an IKE daemon (raw IPv6 UDP socket filtered on the port to
# receive, whole packets with a UDP checksum from the raw IPv6 socket to send).
ESPD_ARGS="--mtu 1500"
natt_of() { if [ "$1" = A ]; then echo bind; else echo raw; fi; }
start6() {  # start6 A|B: espd with its four SAs and its IPv6 routes
  spawn "$1" "$WORK/$1.espd.log" "$IPSECKIT_BIN/espd" --tun "$(tun_of "$1")" --mark $MARK --table $TABLE \
    --priority $PRIO --stats-interval 1 --natt "$(natt_of "$1")" $ESPD_ARGS
  local pid=$!
  PIDS="$PIDS $pid"
  eval "ESPD_$1=$pid"
  for _ in $(seq 100); do
    [ "$(stat "$1" 'Active Assoc')" = 4 ] && on "$1" ip -6 route show table $TABLE | grep -q "^default dev" && return 0
    kill -0 "$pid" 2>/dev/null || fail "espd $1 exited"
    sleep 0.1
  done
  fail "espd $1: no SAs or IPv6 routes: $(on "$1" ip -6 route show table $TABLE)"
}
# A leftover IPv6 rule of table T (a crashed run) goes at the next start.
on A ip -6 rule add priority 999 not fwmark 0x99 lookup $TABLE || fail "ip -6 rule add"
start6 A; start6 B
on A ip -6 rule show | grep -q "^999:" && fail "the stale IPv6 rule survived the start"
[ "$(on A ip -6 rule show | grep -c "not from all fwmark $MARK lookup $TABLE")" = 1 ] ||
  fail "A: IPv6 rule: $(on A ip -6 rule show)"
grep -q "removed a leftover IPv6 rule (priority 999) of table $TABLE" "$WORK/A.espd.log" || fail "no IPv6 leftover cleanup logged"
on A ip -6 route show table $TABLE | grep -q "^2001:db8:b::/64 dev $TUNA" || fail "A: no IPv6 tunnel route"
[ -z "$(on A ip -6 addr show dev "$TUNA")" ] || fail "the TUN has IPv6 addresses: $(on A ip -6 addr show dev "$TUNA")"

start_capture A "$VA" veth.pcap

on A ping -6 -c 3 -i 0.2 -W 2 2001:db8::2 >"$WORK/ping.log" 2>&1 || fail "ping6 (transport): $(cat "$WORK/ping.log")"
on A ping -6 -c 3 -i 0.2 -W 2 -I 2001:db8:a::1 2001:db8:b::1 >>"$WORK/ping.log" 2>&1 ||
  fail "ping6 (tunnel): $(cat "$WORK/ping.log")"
on A ping -6 -c 1 -W 2 "$LLB%$VA" >>"$WORK/ping.log" 2>&1 || fail "link-local ping6 under me <-> any: $(cat "$WORK/ping.log")"
# Fragments (RFC 8200 §4.5, RFC 4301 §7): 3000-byte pings each way in both modes. The sender's
# stack fragments them for the TUN; its espd reassembles, protects the whole datagram and
# fragments the outer packet (A's kernel for ESP-in-UDP on its own socket, espd for raw ESP and
# B's raw ESP-in-UDP); the receiver's kernel reassembles the outer packet (its nftables chain
# lets the non-first fragments in), and the whole inner datagram goes into the TUN.
for h in A B; do
  me=1 peer=2 net=a pnet=b; [ $h = B ] && { me=2 peer=1 net=b pnet=a; }
  on $h ping -6 -c 2 -i 0.2 -W 2 -s 3000 "2001:db8::$peer" >>"$WORK/ping.log" 2>&1 ||
    fail "ping6 -s 3000 (transport) from $h: $(cat "$WORK/ping.log")"
  on $h ping -6 -c 2 -i 0.2 -W 2 -s 3000 -I "2001:db8:$net::1" "2001:db8:$pnet::1" >>"$WORK/ping.log" 2>&1 ||
    fail "ping6 -s 3000 (tunnel) from $h: $(cat "$WORK/ping.log")"
done
# Too big once protected, with a path MTU of 1500: ICMPv6 Packet Too Big from the peer's address.
on A ping -6 -c 1 -W 2 -M do -s 1452 2001:db8::2 >"$WORK/ptb.log" 2>&1
grep -q "Packet too big: mtu=14[0-9][0-9]" "$WORK/ptb.log" || fail "no Packet Too Big for 1500 bytes: $(cat "$WORK/ptb.log")"

head -c 524288 /dev/urandom >"$WORK/send.bin"
tcp() {  # tcp SERVER-ADDR CLIENT-BIND: 512 KiB A -> B, compared
  rm -f "$WORK/recv.bin"
  spawn B "$WORK/tcp.log" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[2], 5001)); s.listen(1); s.settimeout(15)
c, _ = s.accept(); c.settimeout(15)
with open(sys.argv[1], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b: break
        f.write(b)
' "$WORK/recv.bin" "$1"
  local srv=$!
  PIDS="$PIDS $srv"
  for _ in $(seq 50); do on B ss -ltn | grep -q ":5001 " && break; sleep 0.05; done
  on A "$PY" -c '
import socket, sys
s = socket.create_connection((sys.argv[2], 5001), timeout=15, source_address=(sys.argv[3], 0))
s.sendall(open(sys.argv[1], "rb").read()); s.close()
' "$WORK/send.bin" "$1" "$2" 2>>"$WORK/tcp.log" || fail "TCP client to $1: $(cat "$WORK/tcp.log")"
  wait $srv || fail "TCP server $1: $(cat "$WORK/tcp.log")"
  cmp -s "$WORK/send.bin" "$WORK/recv.bin" || fail "TCP transfer to $1: received bytes differ"
}
tcp 2001:db8::2 2001:db8::1
tcp 2001:db8:b::1 2001:db8:a::1

# BLOCK: TCP to port 9 is dropped by espd (a timeout, not a refusal from B).
on A "$PY" -c '
import socket, sys
try:
    socket.create_connection(("2001:db8::2", 9), timeout=1)
except socket.timeout:
    sys.exit(0)
except OSError as e:
    print("not dropped:", e); sys.exit(1)
print("connected"); sys.exit(1)' >"$WORK/block.log" 2>&1 || fail "BLOCK filter: $(cat "$WORK/block.log")"

# Inbound enforcement: clear UDP from B (a marked socket: B's espd does not protect it) to A's
# negotiate flow is dropped by A.
spawn A "$WORK/clear.log" "$PY" -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("2001:db8::1", 5555)); s.settimeout(1.5)
try:
    print("got", s.recvfrom(100)[0])
except socket.timeout:
    print("nothing")'
CLR=$!
PIDS="$PIDS $CLR"
for _ in $(seq 50); do on A ss -lun | grep -q ":5555 " && break; sleep 0.05; done
on B "$PY" -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET, 36, int("'"$MARK"'", 0))
for _ in range(3): s.sendto(b"clear", ("2001:db8::1", 5555))'
wait $CLR
grep -q "^nothing" "$WORK/clear.log" || fail "clear UDP to a negotiate flow was delivered: $(cat "$WORK/clear.log")"

kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
tcpdump -n -r "$WORK/veth.pcap" 2>/dev/null >"$WORK/capture.txt"
grep "ICMP6, echo" "$WORK/capture.txt" | grep -q "2001:db8" &&
  fail "clear ICMPv6 echo on the wire: $(grep "ICMP6, echo" "$WORK/capture.txt" | grep 2001:db8 | head -2)"
grep -q "\.5001[: ]" "$WORK/capture.txt" && fail "clear TCP 5001 on the wire"
grep -q "2001:db8::2\.9: Flags" "$WORK/capture.txt" && fail "the blocked TCP SYN reached the wire"
n_udp=$(grep -c "2001:db8::1.4500 > 2001:db8::2.4500: UDP-encap: ESP(spi=0x00001001" "$WORK/capture.txt")
n_raw=$(grep -c "2001:db8::1 > 2001:db8::2: ESP(spi=0x00003001" "$WORK/capture.txt")
n_back=$(grep -c "2001:db8::2.4500 > 2001:db8::1.4500: UDP-encap: ESP(spi=0x00002001" "$WORK/capture.txt")
[ "$n_udp" -ge 5 ] && [ "$n_back" -ge 5 ] && [ "$n_raw" -ge 5 ] ||
  fail "too few ESP packets on the wire ($n_udp ESP-in-UDP A -> B, $n_back back, $n_raw ESP)"
grep -q "echo reply.*$LLB\|$LLB > fe80" "$WORK/capture.txt" || fail "no link-local ICMPv6 on the wire"
# The large pings crossed as ESP fragments: first fragments of ESP-in-UDP and ESP both ways.
for dir in "2001:db8::1 > 2001:db8::2" "2001:db8::2 > 2001:db8::1"; do
  grep "$dir: frag (0|" "$WORK/capture.txt" | grep -q "UDP-encap: ESP" || fail "no ESP-in-UDP fragments $dir"
  grep "$dir: frag (0|" "$WORK/capture.txt" | grep -q ": ESP(spi" || fail "no ESP fragments $dir"
done
grep "frag (0|" "$WORK/capture.txt" | grep -v "ESP" | grep -q . &&
  fail "a first fragment that is not ESP on the wire: $(grep "frag (0|" "$WORK/capture.txt" | grep -v ESP | head -2)"

if command -v tshark >/dev/null 2>&1; then
  TSC="$WORK/wireshark"
  mkdir -p "$TSC"
  esp_row() { echo "\"IPv6\",\"$1\",\"$2\",\"$3\",\"AES-CBC [RFC3602]\",\"0x$4\",\"HMAC-SHA-1-96 [RFC2404]\",\"0x$5\""; }
  { esp_row 2001:db8::1 2001:db8::2 0x00001001 $K1 $K2; esp_row 2001:db8::2 2001:db8::1 0x00002001 $K3 $K4
    esp_row 2001:db8::1 2001:db8::2 0x00003001 $K3 $K2; esp_row 2001:db8::2 2001:db8::1 0x00004001 $K1 $K4; } >"$TSC/esp_sa"
  printf 'esp.enable_encryption_decode: TRUE\nesp.enable_authentication_check: TRUE\n' >"$TSC/preferences"
  # One pass: each frame's protocol stack and ICV verdict. The transfer's random payload to
  # port 5001 is "data" (no ephemeral-port or heuristic dissector guessing at it).
  WIRESHARK_CONFIG_DIR="$TSC" tshark -r "$WORK/veth.pcap" -d tcp.port==5001,data -T fields -E occurrence=f -e frame.protocols \
    -e esp.icv_good -e esp.icv_bad 2>"$WORK/ts.err" >"$WORK/ts.txt" || fail "tshark: $(head -3 "$WORK/ts.err")"
  read -r n_esp n_dec n_good n_bad n_mal < <(awk -F'\t' '
    $1 ~ /:esp/ { e++; if ($1 ~ /:esp:.*(icmpv6|tcp)/) d++; if ($2 ~ /^(1|True)$/) g++; if ($3 ~ /^(1|True)$/) b++ }
    $1 ~ /_ws.malformed/ { m++ }
    END { print e+0, d+0, g+0, b+0, m+0 }' "$WORK/ts.txt")
  echo "tshark: $n_esp ESP frames, $n_dec decrypted to ICMPv6/TCP, $n_good good ICVs, $n_bad bad, $n_mal malformed"
  [ "$n_esp" -ge 10 ] && [ "$n_dec" = "$n_esp" ] && [ "$n_good" = "$n_esp" ] && [ "$n_bad" = 0 ] && [ "$n_mal" = 0 ] ||
    fail "tshark: $n_esp ESP, $n_dec decrypted, $n_good good and $n_bad bad ICVs, $n_mal malformed"
else
  echo "note: tshark not installed: the ESP decode check is skipped"
fi

sleep 1.1  # one stats interval
[ "$(stat A 'Pkts Blocked')" -ge 1 ] || fail "A: Pkts Blocked is $(stat A 'Pkts Blocked')"
[ "$(stat A 'Pkts Dropped Clear')" -ge 3 ] || fail "A: Pkts Dropped Clear is $(stat A 'Pkts Dropped Clear')"
[ "$(stat B 'Confidential Bytes Received')" -ge 1048576 ] || fail "B: Confidential Bytes Received too small"
[ "$(stat A 'Bytes Sent In Tunnels')" -ge 524288 ] || fail "A: Bytes Sent In Tunnels $(stat A 'Bytes Sent In Tunnels')"
[ "$(stat A 'Transport Bytes Sent')" -ge 524288 ] || fail "A: Transport Bytes Sent $(stat A 'Transport Bytes Sent')"
for h in A B; do  # each side: 2 + 2 requests and 2 + 2 replies of 3000 bytes, put back together
  [ "$(stat $h 'IPv6 Datagrams Reassembled')" -ge 8 ] && [ "$(stat $h 'IPv6 Fragments Dropped')" = 0 ] ||
    fail "$h: IPv6 Datagrams Reassembled $(stat $h 'IPv6 Datagrams Reassembled'), Fragments Dropped $(stat $h 'IPv6 Fragments Dropped')"
done

stop_espd A; stop_espd B
for h in A B; do
  no_leftovers $h
  on $h ip -6 rule show | grep -q "lookup $TABLE" && fail "$h: IPv6 rule for table $TABLE left behind"
  [ -z "$(on $h ip -6 route show table $TABLE 2>/dev/null)" ] || fail "$h: IPv6 routes left in table $TABLE"
done
echo "espd_ipv6: ok"
