#!/bin/bash
# Full L2TP/IPsec through a NAT: client C1 at 192.0.2.2 behind a NAT namespace
# (nftables masquerade, outside 198.51.100.3), the LNS at 198.51.100.1; each host its own
# agent, ikeview and espd; l2tpd with the automatic L2TP/IPsec policy and a pre-shared key.
# One client C1 behind the NAT: NAT detected, ESP-in-UDP on 4500 (RFC 3947/3948), PPP up with
# MS-CHAPv2, ping and a TCP transfer compared, the server's capture shows IKE and ESP-in-UDP
# only. Two clients behind the same NAT at once: l2tpd_ipsec_nat2.sh.
L2I_TEST=l2tpd-ipsec-nat
# shellcheck source=l2tpd_ipsec_lib.bash
. "$(dirname "$0")/l2tpd_ipsec_lib.bash"

topo_nat 1
start_stack S; start_stack C1
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

stop "$CLIENT_C1" "l2tpd connect on C1"
for _ in $(seq 50); do [ "$(on S "$L" sessions --json)" = "[]" ] && break; sleep 0.1; done
[ "$(on S "$L" sessions --json)" = "[]" ] || fail "the server still lists the session after the client stopped"
stop "$SERVER" "l2tpd serve"
stop_stack C1; stop_stack S
echo "ok: SIGTERM: every daemon exits 0; no TUN, rule or store record left"
echo "l2tpd_ipsec_nat: 5 passed"
