#!/bin/bash
# Data through ikeview + espd against a real strongSwan 5.9 charon (issue 4, part 4):
# IKEv1 PSK Main Mode + Quick Mode, tunnel mode, ESP-in-UDP (kernel-libipsec fakes a NAT, so
# ESP is always UDP-encapsulated), AES-128-CBC + HMAC-SHA1-96. Topology: lib/ikeview-ssw.bash
#   $NP: charon, 198.51.100.1, subnet 203.0.113.0/24 (203.0.113.1 on lo, TUN ipsec0)
#   $ND: policyagent + ikeview + espd, 198.51.100.2, subnet 192.0.2.0/24 (192.0.2.1 on lo)
# Our ping triggers an acquire (espd -> ikeview -> Quick Mode); then ping both ways, iperf3
# TCP both ways (3 s each, bytes asserted on both ends), and espd's counters must show the
# encrypted and decrypted bytes; strongSwan's CHILD_SA counters must move too; the wire must
# carry only IKE and ESP-in-UDP. Exit 77 only if strongSwan cannot be installed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/ikeview-ssw.bash"
ikv_init dt
command -v iperf3 >/dev/null || { echo "SKIP: iperf3 missing" >&2; exit 77; }
TUN=sswd$$ TABLE=120

ikv_setup
ikv_policy "AES128-SHA-14" "ESP[AES128,SHA]"
ikv_daemon
bg "$IPSECKIT_BIN/espd" --tun "$TUN" --mark 0x2a --table $TABLE --priority $TABLE --stats-interval 1 \
  >/dev/null 2>>"$WORK/espd.log"
ESPD=$!; IKV_PIDS="$IKV_PIDS $ESPD"
for _ in $(seq 100); do on ip route show table $TABLE 2>/dev/null | grep -q "203.0.113.0/24 dev $TUN" && break; sleep 0.1; done
on ip route show table $TABLE | grep -q "203.0.113.0/24 dev $TUN" || fail "espd installed no route for 203.0.113.0/24"
ssw_up --ike aes128-sha1-modp2048 --esp aes128-sha1

stat() {  # stat NAME: one counter of stats/espd
  on "$IPSECKIT_BIN/netdiag" stats --json 2>/dev/null |
    python3 -c 'import json,sys; print((json.load(sys.stdin)["ipsec"] or {}).get(sys.argv[1], -1))' "$1"
}
VETH=$(on ip -o link show type veth | awk -F': ' '{print $2}' | cut -d@ -f1)
bg tcpdump -i "$VETH" -n -U -w "$WORK/veth.pcap" >/dev/null 2>"$WORK/tcpdump.log"
TCPDUMP=$!; IKV_PIDS="$IKV_PIDS $TCPDUMP"
for _ in $(seq 50); do grep -q "listening on" "$WORK/tcpdump.log" && break; sleep 0.1; done

# ---- 1. the first packet negotiates (acquire); wait until strongSwan has installed (QM3)
on ping -c 10 -i 0.3 -W 3 -w 20 -I 192.0.2.1 203.0.113.1 >"$WORK/ping0.log" 2>&1
grep -q "bytes from 203.0.113.1" "$WORK/ping0.log" || fail "no answer through the negotiated tunnel: $(cat "$WORK/ping0.log")"
[ "$(sa_count quick)" = 1 ] || fail "ikeview has no quick-mode SA: $(sa_json)"
for _ in $(seq 200); do ssw --list-sas 2>/dev/null | grep -q "INSTALLED, TUNNEL-in-UDP" && break; sleep 0.1; done
ssw --list-sas | grep -q "INSTALLED, TUNNEL-in-UDP" || fail "strongSwan: $(ssw --list-sas)"
spi=$(qm_field spi_out)
ssw_child_spis | grep -q "^$spi " || fail "strongSwan's inbound SPI is not our spi_out $spi: $(ssw_child_spis)"
echo "ok: acquire -> Main Mode + Quick Mode with strongSwan, TUNNEL-in-UDP, SPI out $spi"

# ---- 2. ping both ways
on ping -c 3 -i 0.2 -W 2 -I 192.0.2.1 203.0.113.1 >"$WORK/ping1.log" 2>&1 || fail "ping us -> strongSwan: $(cat "$WORK/ping1.log")"
ip netns exec "$NP" ping -c 3 -i 0.2 -W 2 -I 203.0.113.1 192.0.2.1 >"$WORK/ping2.log" 2>&1 ||
  fail "ping strongSwan -> us: $(cat "$WORK/ping2.log")"
echo "ok: ping 192.0.2.1 <-> 203.0.113.1 both ways"

# ---- 3. iperf3 both ways (server on our side; -R makes it send)
iperf() {  # iperf NAME [-R]: 3 s; prints the bytes the receiver got
  bg iperf3 -s -1 -B 192.0.2.1 -p 5201 >"$WORK/iperf-s.$1.log" 2>&1
  local srv=$!
  for _ in $(seq 30); do on ss -ltn 2>/dev/null | grep -q "192.0.2.1:5201" && break; sleep 0.1; done
  ip netns exec "$NP" iperf3 -c 192.0.2.1 -B 203.0.113.1 -p 5201 -t 3 -J ${2:-} >"$WORK/iperf.$1.json" 2>&1
  wait $srv
  python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["end"]; print(int(e["sum_received"]["bytes"]), int(e["sum_sent"]["bytes"]), round(e["sum_received"]["bits_per_second"]/1e6))' \
    "$WORK/iperf.$1.json" 2>/dev/null || echo "0 0 0"
}
sent0=$(stat "Confidential Bytes Sent") recv0=$(stat "Confidential Bytes Received")
read -r up_rx up_tx up_mbps < <(iperf up)
[ "$up_rx" -ge 1000000 ] || fail "iperf3 strongSwan -> us moved $up_rx bytes: $(tail -5 "$WORK/iperf.up.json")"
read -r dn_rx dn_tx dn_mbps < <(iperf down -R)
[ "$dn_rx" -ge 1000000 ] || fail "iperf3 us -> strongSwan moved $dn_rx bytes: $(tail -5 "$WORK/iperf.down.json")"
echo "ok: iperf3 strongSwan -> us $up_rx bytes ($up_mbps Mbit/s), us -> strongSwan $dn_rx bytes ($dn_mbps Mbit/s)"

# ---- 4. counters: espd's (stats/espd, netdiag stats) and strongSwan's
for _ in $(seq 100); do
  [ "$(stat "Confidential Bytes Received")" -ge $((recv0 + up_rx)) ] &&
    [ "$(stat "Confidential Bytes Sent")" -ge $((sent0 + dn_tx)) ] && break
  sleep 0.1
done
recv=$(stat "Confidential Bytes Received") sent=$(stat "Confidential Bytes Sent")
[ "$recv" -ge $((recv0 + up_rx)) ] || fail "espd Confidential Bytes Received $recv < $recv0 + $up_rx"
[ "$sent" -ge $((sent0 + dn_tx)) ] || fail "espd Confidential Bytes Sent $sent < $sent0 + $dn_tx"
for c in "Bad SPI Pkts" "Pkts not Decrypted" "Pkts not Authenticated"; do
  [ "$(stat "$c")" = 0 ] || fail "espd $c: $(stat "$c")"
done
ssw --list-sas --raw >"$WORK/ssw-sas.txt" 2>&1
python3 - "$WORK/ssw-sas.txt" "$up_rx" "$dn_rx" <<'EOF' || fail "strongSwan's CHILD_SA counters: $(cat "$WORK/ssw-sas.txt")"
import re, sys
t = open(sys.argv[1]).read()
bin_ = sum(int(x) for x in re.findall(r"bytes-in=(\d+)", t)); bout = sum(int(x) for x in re.findall(r"bytes-out=(\d+)", t))
assert bout >= int(sys.argv[2]) and bin_ >= int(sys.argv[3]), (bin_, bout)
EOF
echo "ok: espd sent $sent and received $recv confidential bytes, no bad SPI/decrypt/auth; strongSwan's counters agree"

# ---- 5. the wire: IKE and ESP-in-UDP only
kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
tcpdump -n -r "$WORK/veth.pcap" 2>/dev/null | grep "198.51.100" >"$WORK/capture.txt"
other=$(grep -v "isakmp\|UDP-encap: ESP\|NONESP-encap" "$WORK/capture.txt" | grep -vc "ARP")
[ "$other" = 0 ] || fail "not only IKE/ESP-in-UDP on the wire: $(grep -v "isakmp\|UDP-encap\|NONESP" "$WORK/capture.txt" | head -3)"
n=$(grep -c "UDP-encap: ESP" "$WORK/capture.txt")
[ "$n" -ge 1000 ] || fail "only $n ESP-in-UDP packets on the wire"
echo "ok: the wire carries IKE and $n ESP-in-UDP packets, nothing in clear"

kill -TERM "$ESPD"; wait "$ESPD" || fail "espd exited $? on SIGTERM"
IKV_PIDS=${IKV_PIDS/ $ESPD/}
ikv_stop_daemon
echo "strongswan_data: 5 passed"
