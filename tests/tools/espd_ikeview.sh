#!/bin/bash
# End to end: ikeview and espd on both hosts (two namespaces on one veth, 198.51.100.1 <-> .2),
# a mirrored PSK transport policy assigned with Windows-syntax ipsecpol. No SA exists at
# first: A's ping makes A's espd post an acquire, ikeview negotiates Main Mode + Quick Mode,
# both ikeviews write esp/sa/ records, both espds install them and the held ping goes out.
# Then ping and a TCP transfer (bytes compared) work, the capture shows only IKE (UDP 500)
# and ESP between the hosts, `netdiag sas|stats` and `ipsecpol show sas|stats` show the SAs
# and both daemons' counters (never keys), and both daemons exit cleanly. ikeview holds UDP
# 500/4500, so espd (--natt auto) takes ESP-in-UDP through its raw socket; both carry the
# same mark. ESPD_FIRST=1 (espd_ikeview_espd_first.sh) starts espd before ikeview and leaves
# both on their shared default mark.
ESPD_TEST=espd-ikeview
[ -n "${ESPD_FIRST:-}" ] && ESPD_MARK=""
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"
[ -x "$IPSECKIT_BIN/ikeview" ] || fail "no ikeview in $IPSECKIT_BIN"

start_agent A; start_agent B
for h in A B; do
  on $h "$IPSECKIT_BIN/ipsecpol" -w REG -p e2e -r peer -f 198.51.100.1+198.51.100.2 -n "ESP[3DES,SHA]" \
    -a "PRESHARE:e2e-secret" -x >>"$WORK/$h.ipsecpol.log" 2>&1 || fail "ipsecpol on $h"
done
[ -n "${ESPD_FIRST:-}" ] && { start_espd A 0; start_espd B 0; }
start_ikeview_both
if [ -n "${ESPD_FIRST:-}" ]; then
  for h in A B; do
    grep "listening on" "$WORK/$h.ikeview.log" | grep "0.0.0.0:4500" | grep -q "(mark 0x2a5)" || fail "$h: ikeview not on 4500 with the default mark 0x2a5"
    grep -q "mark 0x2a5" "$WORK/$h.espd.log" || fail "$h: espd not on the default mark 0x2a5"
  done
else
  start_espd A 0; start_espd B 0
fi

start_capture A "$VA" veth.pcap

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
tcp_transfer 198.51.100.2 262144 "TCP transfer"

sleep 0.5
kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
tcpdump -n -r "$WORK/veth.pcap" 2>/dev/null | grep -v "ARP\|ICMP6\|IP6" >"$WORK/capture.txt"
grep -q "isakmp" "$WORK/capture.txt" || fail "no IKE on the wire"
other=$(grep -v "isakmp\|: ESP(spi=" "$WORK/capture.txt" | grep -c "198.51.100")
[ "$other" = 0 ] || fail "clear traffic on the wire: $(grep -v "isakmp\|ESP(spi=" "$WORK/capture.txt" | head -3)"
[ "$(grep -c "198.51.100.1 > 198.51.100.2: ESP(spi=" "$WORK/capture.txt")" -ge 50 ] || fail "too few ESP packets"

# netdiag sas / stats and ipsecpol show sas / stats against the running pair.
for _ in $(seq 40); do
  on A "$IPSECKIT_BIN/netdiag" stats --json >"$WORK/stats.json" 2>>"$WORK/netdiag.log"
  "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if j["ike"] and j["ike"]["Quick Modes"] >= 1 and j["ipsec"]["Confidential Bytes Sent"] > 262144 else 1)' \
    "$WORK/stats.json" && break
  sleep 0.1
done
on A "$IPSECKIT_BIN/netdiag" sas --json >"$WORK/sas.json" || fail "netdiag sas --json"
"$PY" - "$WORK/sas.json" "$WORK/stats.json" <<'PYEOF' || fail "netdiag sas/stats JSON"
import json, sys
sas, st = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
mm, qm, dp = sas["main_mode"], sas["quick_mode"], sas["data_plane"]
assert len(mm) == 1 and mm[0]["state"] == "established" and mm[0]["peer"] == "198.51.100.2", mm
assert mm[0]["encryption"] == "3des-cbc" and mm[0]["auth"] == "psk", mm
assert len(qm) == 1 and qm[0]["mode"] == "transport" and qm[0]["encryption"] == "3des-cbc", qm
assert sorted(e["direction"] for e in dp) == ["in", "out"], dp
spis = {e["spi"] for e in dp}
assert spis == {qm[0]["spi_in"], qm[0]["spi_out"]}, (spis, qm)
def names(v):
    if isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from names(x)
    elif isinstance(v, list):
        for x in v:
            yield from names(x)
bad = [n for n in names(sas) if "key" in n.lower() and n != "store_key"]
assert not bad, "netdiag sas shows key fields: %s" % bad
ike, esp = st["ike"], st["ipsec"]
assert ike["Main Modes"] >= 1 and ike["Quick Modes"] >= 1 and ike["Malformed Pkts"] == 0, ike
assert esp["Active Assoc"] == 2 and esp["Confidential Bytes Received"] > 0 and esp["Bad SPI Pkts"] == 0, esp
PYEOF
on A "$IPSECKIT_BIN/netdiag" sas >"$WORK/sas.txt" || fail "netdiag sas"
grep -q "^Main Mode SAs (phase 1, ike/mm/): 1" "$WORK/sas.txt" || fail "netdiag sas text: $(cat "$WORK/sas.txt")"
grep -q "198.51.100.1 <-> 198.51.100.2  established  transport" "$WORK/sas.txt" || fail "netdiag sas text: $(cat "$WORK/sas.txt")"
[ "$(grep -c "^  SPI " "$WORK/sas.txt")" = 2 ] || fail "netdiag sas text: $(cat "$WORK/sas.txt")"
on A "$IPSECKIT_BIN/netdiag" stats >"$WORK/stats.txt" || fail "netdiag stats"
grep -q "^  Main Modes  *1$" "$WORK/stats.txt" || fail "netdiag stats text: $(cat "$WORK/stats.txt")"
grep -q "^  Active Assoc  *2$" "$WORK/stats.txt" || fail "netdiag stats text: $(cat "$WORK/stats.txt")"
on A "$IPSECKIT_BIN/ipsecpol" show stats sas >"$WORK/show.txt" || fail "ipsecpol show stats sas"
grep -q "not available" "$WORK/show.txt" && fail "ipsecpol show stats: $(cat "$WORK/show.txt")"
grep -q "No SAs" "$WORK/show.txt" && fail "ipsecpol show sas: $(cat "$WORK/show.txt")"

stop_espd A; stop_espd B
stop_ikeview A B
no_leftovers A; no_leftovers B
echo "espd_ikeview: ok"
