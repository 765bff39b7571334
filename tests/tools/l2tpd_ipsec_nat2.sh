#!/bin/bash
# Two L2TP/IPsec clients behind the same NAT at once (issue 5): C1 192.0.2.2 and C2 192.0.2.3
# behind a NAT namespace (nftables masquerade, outside 198.51.100.3), the LNS at 198.51.100.1;
# each host its own agent, ikeview and espd; l2tpd with the automatic L2TP/IPsec policy (PSK).
# C2 connects while C1 is up. What makes it work: the LNS's ikeview keeps C1's SAs
# when C2 sends INITIAL-CONTACT (same_peer(): behind a NAT the peer is its mapping and its
# ID), and the LNS's espd presents each translated client's L2TP port as its NAT-T port
# (tools/espd/port_map.h), so l2tpd sees two peers and espd picks each one's SA.
# Asserts: both sessions established with ipsec true on all three l2tpd, distinct IPCP
# addresses and distinct peers on the server, one Quick Mode SA per client, pings over each
# PPP link, 1 MB over TCP through both links at the same time with the bytes compared.
L2I_TEST=l2tpd-ipsec-nat2
# shellcheck source=l2tpd_ipsec_lib.bash
. "$(dirname "$0")/l2tpd_ipsec_lib.bash"

topo_nat 2
start_stack S; start_stack C1; start_stack C2
start_server
# C1 first, C2 once C1 is up: C2's INITIAL-CONTACT then arrives while C1's SAs exist.
start_client C1 alice
wait_established C1
start_client C2 bob
wait_established C1 C2
A1=$(client_addr C1)
A2=$(client_addr C2)
[ "$A1" != "$A2" ] || fail "both clients got $A1"
peers=$(on S "$L" sessions --json | "$PY" -c '
import json, sys
s = json.load(sys.stdin)
p = sorted(r["peer"] for r in s)
assert len(s) == 2 and len(set(p)) == 2 and all(x.startswith("198.51.100.3") for x in p), s
assert all(r["state"] == "established" and r["ipsec"] is True for r in s), s
print(" ".join(p))') || fail "server sessions: $(on S "$L" sessions --json)"
echo "ok: two clients behind one NAT: both sessions established with IPsec ($A1, $A2; server peers $peers)"

n=$(check_sas S 198.51.100.3 true) || fail "server SAs: $(on S "$IPSECKIT_BIN/ikeview" sa --json)"
[ "$n" -ge 2 ] || fail "the server has $n Quick Mode SA(s) with the NAT, expected one per client"
check_sas C1 198.51.100.1 true >/dev/null || fail "C1 SAs: $(on C1 "$IPSECKIT_BIN/ikeview" sa --json)"
check_sas C2 198.51.100.1 true >/dev/null || fail "C2 SAs: $(on C2 "$IPSECKIT_BIN/ikeview" sa --json)"
grep -q "arrives through NAT-T port" "$WORK/S.espd.log" || fail "the server's espd translated no port"
grep -q "INITIAL-CONTACT from 198.51.100.3:.*other hosts behind its NAT: kept" "$WORK/S.ikeview.log" ||
  fail "the server's ikeview did not log keeping C1's SAs on C2's INITIAL-CONTACT"
echo "ok: one NAT-T transport-mode Quick Mode SA per client; C2's INITIAL-CONTACT kept C1's SAs; espd translated one client's L2TP port"

for c in C1 C2; do
  on "$c" ping -c 2 -i 0.2 -W 3 "$SRV_PPP" >"$WORK/ping.$c" || fail "ping $c -> server over PPP: $(cat "$WORK/ping.$c")"
done
on S ping -c 2 -i 0.2 -W 3 -I "$SRV_PPP" "$A1" >"$WORK/ping.s1" || fail "ping server -> C1: $(cat "$WORK/ping.s1")"
on S ping -c 2 -i 0.2 -W 3 -I "$SRV_PPP" "$A2" >"$WORK/ping.s2" || fail "ping server -> C2: $(cat "$WORK/ping.s2")"
echo "ok: pings both ways over each client's PPP link"

# 1 MB from each client at the same time, each to its own listener on the server.
RX="" TX=""
for c in C1 C2; do
  head -c 1000000 /dev/urandom >"$WORK/send.$c"
  port=$((5100 + ${c#C}))
  spawn S "$WORK/tcp.$c.log" "$PY" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[2], int(sys.argv[3]))); s.listen(1); s.settimeout(20)
open(sys.argv[1] + ".ready", "w").close()
c, _ = s.accept(); c.settimeout(20)
with open(sys.argv[1], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b: break
        f.write(b)
' "$WORK/recv.$c" "$SRV_PPP" "$port"
  RX="$RX $!"; PIDS="$PIDS $!"
  for _ in $(seq 100); do [ -e "$WORK/recv.$c.ready" ] && break; sleep 0.05; done
done
for c in C1 C2; do
  port=$((5100 + ${c#C}))
  spawn "$c" "$WORK/tcpsend.$c.log" "$PY" -c '
import socket, sys
s = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=20)
s.sendall(open(sys.argv[1], "rb").read()); s.close()
' "$WORK/send.$c" "$SRV_PPP" "$port"
  TX="$TX $!"; PIDS="$PIDS $!"
done
for p in $TX; do wait "$p" || fail "a TCP sender failed: $(cat "$WORK"/tcpsend.*.log)"; done
for p in $RX; do wait "$p" || fail "a TCP receiver failed: $(cat "$WORK"/tcp.*.log)"; done
for c in C1 C2; do cmp -s "$WORK/send.$c" "$WORK/recv.$c" || fail "TCP transfer from $c: bytes differ"; done
echo "ok: 1 MB over TCP from both clients at once, bytes identical"

stop "$CLIENT_C1" "l2tpd connect on C1"
for _ in $(seq 50); do established S 1 && break; sleep 0.1; done
established S 1 || fail "after C1 left the server does not list C2 alone: $(on S "$L" sessions --json)"
on C2 ping -c 1 -W 3 "$SRV_PPP" >/dev/null || fail "C2 lost its link when C1 left"
echo "ok: C1 leaves; C2 stays up"
stop "$CLIENT_C2" "l2tpd connect on C2"
for _ in $(seq 50); do [ "$(on S "$L" sessions --json)" = "[]" ] && break; sleep 0.1; done
[ "$(on S "$L" sessions --json)" = "[]" ] || fail "the server still lists sessions after the clients stopped"
stop "$SERVER" "l2tpd serve"
stop_stack C1; stop_stack C2; stop_stack S
echo "ok: SIGTERM: every daemon exits 0; no TUN, rule or store record left"
echo "l2tpd_ipsec_nat2: 6 passed"
