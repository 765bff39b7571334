#!/bin/bash
# Tunnel mode through a NAT (issue 4, part 4): gateway A (192.0.2.2, subnet 203.0.113.0/25,
# host 203.0.113.1 on lo) sits behind a NAT namespace (192.0.2.1 inside, 198.51.100.3 outside,
# nftables masquerade); gateway B (198.51.100.2, subnet 203.0.113.128/25, host 203.0.113.129
# on lo) is outside. ikeview + espd on both, tunnel rules from Windows-syntax ipsecpol (-t),
# B naming the NAT's outside address as A's tunnel endpoint. A's ping negotiates (acquire):
# NAT detected (RFC 3947), IKE floats to 4500, ESP-in-UDP (RFC 3948) both ways.
# Checks: ping both ways, a TCP transfer each way (bytes compared), ikeview sa shows a
# UDP-encapsulated tunnel on both sides, B's wire shows only IKE and ESP-in-UDP from the NAT's
# address (no clear inner traffic), tshark decrypts that ESP-in-UDP with the keys B's
# `ikeview keys --format wireshark-esp` exports (ICVs good, nothing malformed), espd counters.
ESPD_TEST=espd-nat
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"
[ -x "$IPSECKIT_BIN/ikeview" ] || fail "no ikeview in $IPSECKIT_BIN"
command -v nft >/dev/null || { echo "SKIP: nft missing" >&2; exit 77; }

nat_wire 4  # A <-> NAT <-> B
ip -n "$NA" addr add 203.0.113.1/32 dev lo
ip -n "$NB" addr add 203.0.113.129/32 dev lo
ip -n "$NB" route add 203.0.113.0/25 via 198.51.100.3 || fail "B: route"

start_agent A; start_agent B
NETA=203.0.113.0/255.255.255.128 NETB=203.0.113.128/255.255.255.128
pol() {  # pol HOST RULE FILTER ENDPOINT
  on "$1" "$IPSECKIT_BIN/ipsecpol" -w REG -p nat -r "$2" -f "$3" -t "$4" -n "ESP[AES128,SHA1]" -a "PRESHARE:nat-secret" \
    >>"$WORK/$1.ipsecpol.log" 2>&1 || fail "ipsecpol $2 on $1"
}
pol A a-to-b "$NETA=$NETB" 198.51.100.2; pol A b-to-a "$NETB=$NETA" 192.0.2.2
pol B b-to-a "$NETB=$NETA" 198.51.100.3; pol B a-to-b "$NETA=$NETB" 198.51.100.2
for h in A B; do
  on $h "$IPSECKIT_BIN/ipsecpol" -w REG -p nat -x >>"$WORK/$h.ipsecpol.log" 2>&1 || fail "assign on $h"
done
start_ikeview_both
# --natt raw: the capture and tshark below need one ESP datagram per captured packet, which
# the shared port's UDP_SEGMENT trains are not (that path: espd_natt_shared.sh).
ESPD_ARGS="--natt raw"
start_espd A 0; start_espd B 0

start_capture B "$YB" wire.pcap

on A ping -c 8 -i 0.5 -W 10 -w 15 -I 203.0.113.1 203.0.113.129 >"$WORK/ping0.log" 2>&1
grep -q "bytes from 203.0.113.129" "$WORK/ping0.log" || fail "no answer after the negotiation: $(cat "$WORK/ping0.log")"
expect_encap_tunnel
echo "ok: A's ping negotiates through the NAT: UDP-encapsulated tunnel SAs on both sides"

on A ping -c 3 -i 0.2 -W 2 -I 203.0.113.1 203.0.113.129 >"$WORK/ping1.log" 2>&1 || fail "ping A -> B: $(cat "$WORK/ping1.log")"
on B ping -c 3 -i 0.2 -W 2 -I 203.0.113.129 203.0.113.1 >"$WORK/ping2.log" 2>&1 || fail "ping B -> A: $(cat "$WORK/ping2.log")"
echo "ok: ping 203.0.113.1 <-> 203.0.113.129 both ways"

tcp_transfer 203.0.113.129 1048576 "TCP 203.0.113.1 -> 203.0.113.129" 203.0.113.1 A
tcp_transfer 203.0.113.1 1048576 "TCP 203.0.113.129 -> 203.0.113.1" 203.0.113.129 B
echo "ok: 1 MiB over TCP each way through the NAT (bytes identical)"

sleep 0.5
kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
tcpdump -n -r "$WORK/wire.pcap" 2>/dev/null | grep "IP " >"$WORK/capture.txt"
grep -q "203.0.113" "$WORK/capture.txt" && fail "inner addresses on B's wire: $(grep "203.0.113" "$WORK/capture.txt" | head -3)"
other=$(grep -v "198.51.100.3.[0-9]* > 198.51.100.2.4500: UDP-encap: ESP\|198.51.100.2.4500 > 198.51.100.3.[0-9]*: UDP-encap: ESP\|isakmp\|NONESP-encap\|isakmp-nat-keep-alive" "$WORK/capture.txt" | grep -c .)
[ "$other" = 0 ] || fail "B's wire carries more than IKE and ESP-in-UDP: $(grep -v "UDP-encap\|isakmp\|NONESP" "$WORK/capture.txt" | head -3)"
n_in=$(grep -c "198.51.100.3.[0-9]* > 198.51.100.2.4500: UDP-encap: ESP" "$WORK/capture.txt")
n_out=$(grep -c "198.51.100.2.4500 > 198.51.100.3.[0-9]*: UDP-encap: ESP" "$WORK/capture.txt")
[ "$n_in" -ge 100 ] && [ "$n_out" -ge 100 ] || fail "too few ESP-in-UDP packets ($n_in from the NAT, $n_out to it)"
echo "ok: B's wire: IKE and ESP-in-UDP only ($n_in from the NAT, $n_out to it), no inner addresses"

# tshark decrypts B's capture of ESP-in-UDP (RFC 3948; Wireshark's udpencap dissector on UDP
# 4500) with the keys B's ikeview exports: every ESP packet decrypted to inner ICMP/TCP with a
# good ICV, none readable without the keys, nothing malformed or expert-flagged (TCP's own
# loss analysis and D-SACKs aside).
if command -v tshark >/dev/null 2>&1; then
  on B "$IPSECKIT_BIN/ikeview" keys --format wireshark-esp >"$WORK/esp.keys" || fail "ikeview keys on B"
  [ "$(grep -c '^"IPv4","198.51.100.[23]","198.51.100.[23]","0x[0-9a-f]\{8\}","AES-CBC \[RFC3602\]","0x[0-9a-f]\{32\}","HMAC-SHA-1-96 \[RFC2404\]","0x[0-9a-f]\{40\}"$' "$WORK/esp.keys")" = 2 ] &&
    [ "$(wc -l <"$WORK/esp.keys")" = 2 ] || fail "ikeview keys --format wireshark-esp on B: $(cat "$WORK/esp.keys")"
  TSC="$WORK/wireshark"
  mkdir -p "$TSC" "$WORK/none"
  cp "$WORK/esp.keys" "$TSC/esp_sa"
  printf 'esp.enable_encryption_decode: TRUE\nesp.enable_authentication_check: TRUE\n' >"$TSC/preferences"
  fields() {  # fields CONFDIR: protocol stack and ICV verdicts of each ESP frame
    WIRESHARK_CONFIG_DIR="$1" tshark -r "$WORK/wire.pcap" -Y "esp" -T fields -E occurrence=f \
      -e frame.protocols -e esp.icv_good -e esp.icv_bad 2>>"$WORK/ts.err"
  }
  fields "$TSC" >"$WORK/ts.keys"; fields "$WORK/none" >"$WORK/ts.nokeys"
  "$PY" - "$WORK/ts.keys" "$WORK/ts.nokeys" <<'PYEOF' || fail "tshark with B's keys on ESP-in-UDP (see above)"
import sys
def rows(f):
    return [l.rstrip("\n").split("\t") + ["", ""] for l in open(f) if l.strip()]
keys, nokeys = rows(sys.argv[1]), rows(sys.argv[2])
inner = lambda p: ":ip:udp:udpencap:esp:ip:icmp" in p or ":ip:udp:udpencap:esp:ip:tcp" in p
dec = sum(inner(r[0]) for r in keys)
good = sum(r[1] in ("1", "True") for r in keys)
bad = sum(r[2] in ("1", "True") for r in keys)
clear = sum(inner(r[0]) for r in nokeys)
print(f"ESP-in-UDP: {len(keys)} packets, {dec} decrypted (inner ICMP/TCP), {good} ICVs good, {bad} bad, {clear} readable without keys")
sys.exit(0 if len(keys) >= 200 and dec == len(keys) and good == len(keys) and bad == 0 and clear == 0 else 1)
PYEOF
  # The transfers' payload is random bytes to port 5001: "data" for tshark, or a random
  # ephemeral source port's dissector or a heuristic one can flag it (3 frames once in CI).
  DATA=(-d tcp.port==5001,data)
  bad=$(WIRESHARK_CONFIG_DIR="$TSC" tshark -r "$WORK/wire.pcap" "${DATA[@]}" -Y "_ws.malformed || (_ws.expert.severity >= warning && !tcp.analysis.flags && !tcp.options.sack.dsack)" 2>>"$WORK/ts.err" | wc -l)
  [ "$bad" = 0 ] || fail "tshark: $bad malformed/expert-flagged packets: $(WIRESHARK_CONFIG_DIR="$TSC" tshark -r "$WORK/wire.pcap" "${DATA[@]}" -Y "_ws.malformed || (_ws.expert.severity >= warning && !tcp.analysis.flags && !tcp.options.sack.dsack)" 2>&1 | head -5)"
  echo "ok: tshark decrypts every ESP-in-UDP packet with B's keys (ICVs good), nothing malformed"
else
  echo "tshark not installed: ESP-in-UDP decryption check skipped"
fi

sleep 1.2
for h in A B; do
  [ "$(stat $h 'Confidential Bytes Received')" -ge 1048576 ] || fail "$h: Confidential Bytes Received $(stat $h 'Confidential Bytes Received')"
  [ "$(stat $h 'Bad SPI Pkts')" = 0 ] || fail "$h: Bad SPI Pkts $(stat $h 'Bad SPI Pkts')"
done
stop_espd A; stop_espd B
stop_ikeview A B
no_leftovers A; no_leftovers B
echo "espd_nat: ok"
