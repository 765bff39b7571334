#!/bin/bash
# End to end (issue 4, part 4): ikeview + espd on two hosts (namespaces A and B on one veth),
# one Windows-syntax ipsecpol policy with three mirrored host-to-host transport rules, each
# negotiated on demand (acquire -> Main Mode + Quick Mode) between its own address pair:
#   cbc  198.51.100.1 <-> 198.51.100.2   ESP[AES128,SHA1]
#   gcm  192.0.2.1    <-> 203.0.113.1    ESP[AES-GCM128,NONE]   (more addresses on the veth, routed)
#   ah   192.0.2.2    <-> 203.0.113.2    AH[SHA]                (AH only: no confidentiality)
# For each: ping and a TCP transfer (bytes compared); the wire carries ESP (or AH) only.
# Then tshark decrypts the capture with the keys `ikeview keys --format wireshark-esp`
# exports: every ESP packet yields its inner ICMP/TCP, every ICV checks out, and no packet is
# malformed or carries an expert warning (skipped with a note if tshark is missing).
ESPD_TEST=espd-e2e
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"
[ -x "$IPSECKIT_BIN/ikeview" ] || fail "no ikeview in $IPSECKIT_BIN"

# On the veth, not lo: "me" (the specific filters) leaves loopback interfaces out.
for a in 192.0.2.1 192.0.2.2; do ip -n "$NA" addr add $a/32 dev "$VA" || fail "address $a on A"; done
for a in 203.0.113.1 203.0.113.2; do ip -n "$NB" addr add $a/32 dev "$VB" || fail "address $a on B"; done
# The routes name the source: ikeview takes the route's source towards the peer as its IKE
# address (it cannot yet send IKE from another of the host's addresses).
ip -n "$NA" route add 203.0.113.1/32 via 198.51.100.2 src 192.0.2.1 || fail "route A"
ip -n "$NA" route add 203.0.113.2/32 via 198.51.100.2 src 192.0.2.2 || fail "route A"
ip -n "$NB" route add 192.0.2.1/32 via 198.51.100.1 src 203.0.113.1 || fail "route B"
ip -n "$NB" route add 192.0.2.2/32 via 198.51.100.1 src 203.0.113.2 || fail "route B"

start_agent A; start_agent B
for h in A B; do
  pol() {  # pol RULE FILTER NEGPOL [-x]
    on $h "$IPSECKIT_BIN/ipsecpol" -w REG -p e2e -r "$1" -f "$2" -n "$3" -a "PRESHARE:e2e-secret" ${4:-} \
      >>"$WORK/$h.ipsecpol.log" 2>&1 || fail "ipsecpol rule $1 on $h: $(cat "$WORK/$h.ipsecpol.log")"
  }
  pol cbc 198.51.100.1+198.51.100.2 "ESP[AES128,SHA1]"
  pol gcm 192.0.2.1+203.0.113.1 "ESP[AES-GCM128,NONE]"
  pol ah 192.0.2.2+203.0.113.2 "AH[SHA]" -x
done
start_ikeview_both
start_espd A 0; start_espd B 0

start_capture A "$VA" veth.pcap

for pair in "cbc 198.51.100.1 198.51.100.2" "gcm 192.0.2.1 203.0.113.1" "ah 192.0.2.2 203.0.113.2"; do
  set -- $pair
  on A ping -c 2 -i 0.3 -W 10 -w 15 -I "$2" "$3" >"$WORK/ping0.$1.log" 2>&1
  grep -q "bytes from $3" "$WORK/ping0.$1.log" || fail "$1: no answer after the negotiation: $(cat "$WORK/ping0.$1.log")"
  on A ping -c 2 -i 0.2 -W 2 -I "$2" "$3" >"$WORK/ping.$1.log" 2>&1 || fail "$1: ping: $(cat "$WORK/ping.$1.log")"
  tcp_transfer "$3" 262144 "$1: TCP $2 -> $3" "$2"
  echo "ok: $1: acquire, negotiation, ping and 256 KiB over TCP (bytes identical) $2 -> $3"
done
for _ in $(seq 40); do [ "$(stat A 'Active Assoc')" = 6 ] && break; sleep 0.1; done  # stats/espd: every 2 s
[ "$(stat A 'Active Assoc')" = 6 ] || fail "A: espd has $(stat A 'Active Assoc') SAs, want 6"
on A "$IPSECKIT_BIN/ikeview" sa --json | "$PY" -c '
import json, sys
q = {x["rule"]: x for x in json.load(sys.stdin) if x["phase"] == "quick"}
assert sorted(q) == ["ah", "cbc", "gcm"], q
assert (q["cbc"]["encryption"], q["cbc"]["integrity"]) == ("aes-128-cbc", "sha1"), q["cbc"]
assert q["gcm"]["encryption"] == "aes-128-gcm", q["gcm"]
assert q["ah"]["encryption"] in (None, "", "none") and q["ah"]["integrity"] == "sha1", q["ah"]
assert all(x["mode"] == "transport" for x in q.values()), q' 2>"$WORK/sa.err" ||
  fail "ikeview sa: $(cat "$WORK/sa.err")"

sleep 0.5
kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
tcpdump -n -r "$WORK/veth.pcap" 2>/dev/null | grep -v "ARP\|ICMP6\|IP6" >"$WORK/capture.txt"
other=$(grep -v "isakmp\|: ESP(spi=\|: AH(spi=" "$WORK/capture.txt" | grep -c "ICMP\|Flags")
[ "$other" = 0 ] || fail "clear traffic on the wire: $(grep -v "isakmp\|ESP(spi=\|AH(spi=" "$WORK/capture.txt" | head -3)"
n_ah=$(grep -c "192.0.2.2 > 203.0.113.2: AH(spi=" "$WORK/capture.txt")
[ "$n_ah" -ge 20 ] || fail "only $n_ah AH packets 192.0.2.2 -> 203.0.113.2"
grep "AH(spi=" "$WORK/capture.txt" | grep -q "ESP" && fail "AH-only rule produced ESP: $(grep "AH(spi=" "$WORK/capture.txt" | grep ESP | head -2)"
echo "ok: the wire carries IKE, ESP for cbc/gcm and AH ($n_ah packets out) for ah, no clear ICMP/TCP"

if command -v tshark >/dev/null 2>&1; then
  on A "$IPSECKIT_BIN/ikeview" keys --format wireshark-esp >"$WORK/esp.keys" || fail "ikeview keys"
  [ "$(grep -c '"AES-CBC \[RFC3602\]","0x[0-9a-f]\{32\}","HMAC-SHA-1-96 \[RFC2404\]","0x[0-9a-f]\{40\}"$' "$WORK/esp.keys")" = 2 ] &&
    [ "$(grep -c '"AES-GCM with 16 octet ICV \[RFC4106\]","0x[0-9a-f]\{40\}","NULL","0x"$' "$WORK/esp.keys")" = 2 ] &&
    [ "$(wc -l <"$WORK/esp.keys")" = 4 ] || fail "ikeview keys --format wireshark-esp: $(cat "$WORK/esp.keys")"
  # A private configuration directory holds the esp_sa table and the ESP preferences.
  TSC="$WORK/wireshark"
  mkdir -p "$TSC"
  cp "$WORK/esp.keys" "$TSC/esp_sa"
  printf 'esp.enable_encryption_decode: TRUE\nesp.enable_authentication_check: TRUE\n' >"$TSC/preferences"
  # The transfers' payload is random bytes to port 5001: "data" for tshark, or a random
  # ephemeral source port can pick a dissector (one that flagged 155 frames once in CI).
  DATA=(-d tcp.port==5001,data)
  ts() {  # ts FILTER [KEYS]: number of frames matching FILTER
    if [ -n "${2:-}" ]; then WIRESHARK_CONFIG_DIR="$TSC" tshark -r "$WORK/veth.pcap" "${DATA[@]}" -Y "$1" 2>"$WORK/ts.err"
    else WIRESHARK_CONFIG_DIR="$WORK/none" tshark -r "$WORK/veth.pcap" "${DATA[@]}" -Y "$1" 2>"$WORK/ts.err"; fi | wc -l
  }
  fields() {  # fields CONFDIR: outer destination, protocol stack and ICV verdicts of each ESP/AH frame
    WIRESHARK_CONFIG_DIR="$1" tshark -r "$WORK/veth.pcap" -Y "esp || ah" -T fields -E occurrence=f \
      -e ip.dst -e frame.protocols -e esp.icv_good -e esp.icv_bad 2>"$WORK/ts.err"
  }
  fields "$TSC" >"$WORK/ts.keys"; fields "$WORK/none" >"$WORK/ts.nokeys"
  "$PY" - "$WORK/ts.keys" "$WORK/ts.nokeys" <<'PYEOF' || fail "tshark with ikeview's keys (see above)"
import sys
def rows(f):
    return [l.rstrip("\n").split("\t") + ["", "", ""] for l in open(f) if l.strip()]
inner = lambda p: ":icmp" in p or ":tcp" in p
keys, nokeys = rows(sys.argv[1]), rows(sys.argv[2])
ok = True
for rule, dst in (("cbc", ("198.51.100.1", "198.51.100.2")), ("gcm", ("192.0.2.1", "203.0.113.1"))):
    mine = [r for r in keys if r[0] in dst and ":esp" in r[1]]
    clear = [r for r in nokeys if r[0] in dst and ":esp" in r[1] and inner(r[1])]
    dec = sum(inner(r[1]) for r in mine)
    good = sum(r[2] in ("1", "True") for r in mine)
    bad = sum(r[3] in ("1", "True") for r in mine)
    print(f"{rule}: {len(mine)} ESP packets, {dec} decrypted (inner ICMP/TCP), {good} ICVs good, {bad} bad, {len(clear)} readable without keys")
    ok &= len(mine) >= 40 and dec == len(mine) and good == len(mine) and bad == 0 and not clear
ah = [r for r in keys if r[0] in ("192.0.2.2", "203.0.113.2")]
print(f"ah: {len(ah)} AH packets, {sum(inner(r[1]) for r in ah)} with inner ICMP/TCP")
ok &= len(ah) >= 20 and all(":ah" in r[1] and ":esp" not in r[1] and inner(r[1]) for r in ah)
sys.exit(0 if ok else 1)
PYEOF
  echo "ok: tshark decrypts every cbc and gcm ESP packet with ikeview's keys, every ICV good; AH carries ICMP/TCP"
  # TCP's own loss analysis aside: its flags, and a D-SACK (the receiver reporting a segment
  # that came twice, after a spurious retransmission on a loaded machine), as in espd_nat.
  flagged="_ws.malformed || (_ws.expert.severity >= warning && !tcp.analysis.flags && !tcp.options.sack.dsack)"
  bad=$(ts "$flagged" keys)
  [ "$bad" = 0 ] || fail "tshark: $bad malformed/expert-flagged packets: $(WIRESHARK_CONFIG_DIR="$TSC" tshark -r "$WORK/veth.pcap" "${DATA[@]}" -Y "$flagged" 2>&1 | head -5)"
  echo "ok: tshark: no malformed packets, no expert warnings (TCP's own loss analysis aside)"
else
  echo "tshark not installed: decryption checks skipped"
fi

stop_espd A; stop_espd B
stop_ikeview A B
no_leftovers A; no_leftovers B
echo "espd_e2e: ok"
