#!/bin/bash
# Full L2TP/IPsec through a NAT: clients C1, C2 at 192.0.2.2/.3 behind a NAT namespace
# (nftables masquerade, outside 198.51.100.3), the LNS at 198.51.100.1; each host its own
# agent, ikeview and espd; l2tpd with the automatic L2TP/IPsec policy and a pre-shared key.
# First C1 alone: NAT detected, ESP-in-UDP on 4500 (RFC 3947/3948), PPP up with MS-CHAPv2,
# ping and a TCP transfer compared, the server's capture shows IKE and ESP-in-UDP only. Then
# C2 joins behind the same NAT: both sessions up at once, traffic from both compared.
# That second part does NOT work yet and runs only with L2I_TWO_CLIENTS=1: the LNS's ikeview
# takes C2's INITIAL-CONTACT as "198.51.100.3 restarted" and deletes C1's SAs
# (libcore/ike/engine_info.cpp initial_contact() matches by address only, not peer ID), and
# even then both clients' L2TP flows are 198.51.100.1:1701 <-> 198.51.100.3:1701, so espd
# cannot tell which client's SA a packet from the LNS belongs to (the SAref problem).
TWO=${L2I_TWO_CLIENTS:-}
L2I_TEST=l2tpd-ipsec-nat
# shellcheck source=l2tpd_ipsec_lib.bash
. "$(dirname "$0")/l2tpd_ipsec_lib.bash"

if [ "$TWO" = 1 ]; then topo_nat 2; else topo_nat 1; fi
start_stack S; start_stack C1
[ "$TWO" = 1 ] && start_stack C2
start_capture
start_server
start_client C1 alice
wait_established C1
echo "ok: C1 behind the NAT: IKE, L2TP and PPP up (sessions --json established, ipsec true)"

check_sas S 198.51.100.3 true >/dev/null || fail "server SAs: $(on S "$IPSECKIT_BIN/ikeview" sa --json)"
check_sas C1 198.51.100.1 true >/dev/null || fail "C1 SAs: $(on C1 "$IPSECKIT_BIN/ikeview" sa --json)"
echo "ok: ikeview sa --json: NAT detected, transport-mode Quick Mode SA UDP-encapsulated on both sides"

A1=$(client_addr C1)
on C1 ping -c 3 -i 0.2 -W 3 "$SRV_PPP" >"$WORK/ping1" || fail "ping C1 -> server over PPP: $(cat "$WORK/ping1")"
on S ping -c 3 -i 0.2 -W 3 -I "$SRV_PPP" "$A1" >"$WORK/ping2" || fail "ping server -> C1 over PPP: $(cat "$WORK/ping2")"
tcp_check C1 "$SRV_PPP" 5001
echo "ok: ping both ways and 1 MB over TCP (bytes identical) through NAT-T ESP, L2TP and PPP"
sleep 0.5
esp=$(check_capture natt) || exit 1
echo "ok: the server's wire carries IKE and $esp ESP-in-UDP packets, no clear L2TP"

if [ "$TWO" != 1 ]; then
  stop "$CLIENT_C1" "l2tpd connect on C1"
  for _ in $(seq 50); do [ "$(on S "$L" sessions --json)" = "[]" ] && break; sleep 0.1; done
  [ "$(on S "$L" sessions --json)" = "[]" ] || fail "the server still lists the session after the client stopped"
  stop "$SERVER" "l2tpd serve"
  stop_stack C1; stop_stack S
  echo "ok: SIGTERM: every daemon exits 0; no TUN, rule or store record left"
  echo "SKIPPED: two clients behind one NAT (known not to work yet; L2I_TWO_CLIENTS=1 runs it)"
  echo "l2tpd_ipsec_nat: 5 passed"
  exit 0
fi
start_client C2 bob
wait_established C1 C2
A2=$(client_addr C2)
[ "$A1" != "$A2" ] || fail "both clients got $A1"
n=$(check_sas S 198.51.100.3 true) || fail "server SAs: $(on S "$IPSECKIT_BIN/ikeview" sa --json)"
[ "$n" -ge 2 ] || fail "the server has $n Quick Mode SA(s) with the NAT, expected one per client"
check_sas C2 198.51.100.1 true >/dev/null || fail "C2 SAs: $(on C2 "$IPSECKIT_BIN/ikeview" sa --json)"
echo "ok: C2 joins behind the same NAT: two sessions up at once, one Quick Mode SA per client"
for c in C1 C2; do
  on "$c" ping -c 2 -i 0.2 -W 3 "$SRV_PPP" >"$WORK/ping.$c" || fail "ping $c -> server: $(cat "$WORK/ping.$c")"
done
on S ping -c 2 -i 0.2 -W 3 -I "$SRV_PPP" "$A1" >/dev/null || fail "ping server -> C1 with C2 up"
on S ping -c 2 -i 0.2 -W 3 -I "$SRV_PPP" "$A2" >/dev/null || fail "ping server -> C2"
tcp_check C1 "$SRV_PPP" 5002
tcp_check C2 "$SRV_PPP" 5003
echo "ok: both clients ping and transfer 1 MB over TCP (bytes identical) at once"

stop "$CLIENT_C1" "l2tpd connect on C1"; stop "$CLIENT_C2" "l2tpd connect on C2"
for _ in $(seq 50); do [ "$(on S "$L" sessions --json)" = "[]" ] && break; sleep 0.1; done
[ "$(on S "$L" sessions --json)" = "[]" ] || fail "the server still lists sessions after the clients stopped"
stop "$SERVER" "l2tpd serve"
stop_stack C1; stop_stack C2; stop_stack S
echo "ok: SIGTERM: every daemon exits 0; no TUN, rule or store record left"
echo "l2tpd_ipsec_nat: 7 passed"
