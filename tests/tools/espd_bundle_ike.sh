#!/bin/bash
# End to end, an AH+ESP bundle negotiated by ikeview: both hosts assign the Windows-syntax
# policy AH[SHA]+ESP[3DES,SHA] (transport mode) with ipsecpol and run ikeview + espd. A ping
# makes A's espd post an acquire; Quick Mode agrees on one proposal holding AH and ESP (RFC
# 2408 4.2), each ikeview writes one inbound and one outbound esp/sa/ record carrying both
# protocols, and both espds install them. Then ping and a TCP transfer (bytes compared) work,
# `ikeview sa --json` shows the bundle (AH and ESP, each with its SPI pair, matching the other
# side's), and the capture shows IP|AH|ESP with the negotiated SPIs and no clear traffic.
ESPD_TEST=espd-bundle-ike
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"
[ -x "$IPSECKIT_BIN/ikeview" ] || fail "no ikeview in $IPSECKIT_BIN"

start_agent A; start_agent B
for h in A B; do
  on $h "$IPSECKIT_BIN/ipsecpol" -w REG -p bundle -r peer -f 198.51.100.1+198.51.100.2 -n "AH[SHA]+ESP[3DES,SHA]" \
    -a "PRESHARE:bundle-secret" -x >>"$WORK/$h.ipsecpol.log" 2>&1 || fail "ipsecpol on $h"
done
start_ikeview_both
start_espd A 0; start_espd B 0

start_capture A "$VA" veth.pcap

on A ping -c 8 -i 0.5 -W 10 -w 15 198.51.100.2 >"$WORK/ping0.log" 2>&1
grep -q "bytes from 198.51.100.2" "$WORK/ping0.log" || fail "no answer after the negotiation: $(cat "$WORK/ping0.log")"
for h in A B; do
  [ "$(stat $h 'Active Assoc')" = 2 ] || fail "$h: espd has $(stat $h 'Active Assoc') SAs"
  on $h "$IPSECKIT_BIN/ikeview" sa --json >"$WORK/$h.sa.json" 2>>"$WORK/$h.ikeview.log" || fail "$h: ikeview sa --json"
  store_list $h esp/sa/ >"$WORK/$h.esp.json"
done
grep -q "chose AH SHA-1 + ESP 3DES/SHA-1" "$WORK/B.ikeview.log" || fail "B: no bundle chosen"

# ikeview sa --json: one Quick Mode SA holding AH and ESP, SPIs mirrored between A and B, and
# the esp/sa/ records: one per direction, each with the AH and the ESP SPI of that direction.
"$PY" - "$WORK/A.sa.json" "$WORK/B.sa.json" "$WORK/A.esp.json" "$WORK/B.esp.json" >"$WORK/spis" <<'PYEOF' ||
import json, sys
def bundle(path):
    qm = [s for s in json.load(open(path)) if "protocols" in s]
    assert len(qm) == 1, qm
    ps = {p["protocol"]: p for p in qm[0]["protocols"]}
    assert sorted(ps) == ["ah", "esp"], qm
    spis = [ps[x][d] for x in ("ah", "esp") for d in ("spi_in", "spi_out")]
    assert len(set(spis)) == 4, spis
    return ps
a, b = bundle(sys.argv[1]), bundle(sys.argv[2])
for x in ("ah", "esp"):
    assert a[x]["spi_in"] == b[x]["spi_out"] and a[x]["spi_out"] == b[x]["spi_in"], (x, a, b)
for path, ps in ((sys.argv[3], a), (sys.argv[4], b)):
    recs = json.load(open(path))
    assert len(recs) == 2 and all(v["origin"] == "ike" for v in recs.values()), recs
    for d in ("in", "out"):
        r = [v for v in recs.values() if v["direction"] == d]
        assert len(r) == 1, recs
        assert r[0]["ah"]["spi"] == ps["ah"]["spi_" + d], (r, ps)
        assert r[0]["esp"]["spi"] == ps["esp"]["spi_" + d], (r, ps)
        assert r[0]["mode"] == "transport", r
# What A sends: AH SPI, ESP SPI; what B sends back.
print(a["ah"]["spi_out"], a["esp"]["spi_out"], a["ah"]["spi_in"], a["esp"]["spi_in"])
PYEOF
  fail "ikeview sa / esp/sa/ records: $(cat "$WORK"/*.sa.json "$WORK"/*.esp.json)"
read -r AH_OUT ESP_OUT AH_IN ESP_IN <"$WORK/spis"
on A "$IPSECKIT_BIN/ikeview" sa >"$WORK/A.sa.txt" 2>>"$WORK/A.ikeview.log" || fail "A: ikeview sa"
grep -q "^quick .* spi in $ESP_IN out $ESP_OUT + AH spi in $AH_IN out $AH_OUT rule 'peer'" "$WORK/A.sa.txt" ||
  fail "A: ikeview sa text lacks the bundle: $(cat "$WORK/A.sa.txt")"

on A ping -c 3 -i 0.2 -W 2 198.51.100.2 >"$WORK/ping.log" 2>&1 || fail "ping through AH+ESP: $(cat "$WORK/ping.log")"
tcp_transfer 198.51.100.2 262144 "TCP transfer over AH+ESP"

kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
tcpdump -n -r "$WORK/veth.pcap" 2>/dev/null | grep -v "ARP\|ICMP6\|IP6" >"$WORK/capture.txt"
grep -q "isakmp" "$WORK/capture.txt" || fail "no IKE on the wire"
other=$(grep -v "isakmp\|: AH(spi=" "$WORK/capture.txt" | grep -c "198.51.100")
[ "$other" = 0 ] || fail "traffic other than IKE and AH on the wire: $(grep -v "isakmp\|AH(spi=" "$WORK/capture.txt" | head -3)"
# IP | AH | ESP: tcpdump prints AH(...) then the ESP it carries, with the negotiated SPIs.
n_out=$(grep -c "198.51.100.1 > 198.51.100.2: AH(spi=0x$AH_OUT,.*ESP(spi=0x$ESP_OUT," "$WORK/capture.txt")
n_back=$(grep -c "198.51.100.2 > 198.51.100.1: AH(spi=0x$AH_IN,.*ESP(spi=0x$ESP_IN," "$WORK/capture.txt")
[ "$n_out" -ge 50 ] && [ "$n_back" -ge 10 ] ||
  fail "too few IP|AH|ESP packets with SPIs $AH_OUT/$ESP_OUT and $AH_IN/$ESP_IN ($n_out out, $n_back back): $(head -3 "$WORK/capture.txt")"
[ "$(grep -c ": AH(spi=" "$WORK/capture.txt")" = "$(grep -c ": AH(spi=.*ESP(spi=" "$WORK/capture.txt")" ] ||
  fail "AH without ESP inside: $(grep ": AH(spi=" "$WORK/capture.txt" | grep -v "ESP(spi=" | head -3)"
if command -v tshark >/dev/null 2>&1; then  # the same, as tshark dissects it: IP, then AH, then ESP
  WIRESHARK_CONFIG_DIR="$WORK/none" tshark -r "$WORK/veth.pcap" -Y "ah || esp" -T fields -e frame.protocols \
    2>"$WORK/ts.err" | sort | uniq -c >"$WORK/ts.stacks"
  [ "$(wc -l <"$WORK/ts.stacks")" = 1 ] && grep -q " eth:ethertype:ip:ah:esp$" "$WORK/ts.stacks" ||
    fail "tshark: protocol stacks other than ip:ah:esp: $(cat "$WORK/ts.stacks" "$WORK/ts.err")"
fi

stop_espd A; stop_espd B
stop_ikeview A B
no_leftovers A; no_leftovers B
echo "espd_bundle_ike: ok"
