#!/bin/bash
# Full L2TP/IPsec, our LAC <-> our LNS, directly on one veth (198.51.100.1 <-> .2): on each
# host its own agent, ikeview daemon and espd; l2tpd serve/connect WITHOUT --no-ipsec plumb the
# automatic L2TP/IPsec policy with a pre-shared key (--psk-file). The client's SCCRQ makes
# espd post an acquire, ikeview negotiates Main Mode (PSK) + Quick Mode (transport, UDP 1701),
# then L2TP, PPP with MS-CHAPv2 and IPCP run inside ESP. Checked: ikeview sa --json on both
# sides, l2tpd sessions --json (established, ipsec true), ping and a TCP transfer over the PPP
# link (bytes compared), a capture of the veth with IKE and ESP only (no clear UDP 1701), a
# group-readable PSK file refused, and SIGTERM leaving nothing behind.
L2I_TEST=l2tpd-ipsec
# shellcheck source=l2tpd_ipsec_lib.bash
. "$(dirname "$0")/l2tpd_ipsec_lib.bash"

topo_direct

# A PSK file others may read is refused before anything starts.
cp "$WORK/psk" "$WORK/psk.640" && chmod 640 "$WORK/psk.640"
on S "$L" serve --pool "$POOL" --users "$WORK/users" --psk-file "$WORK/psk.640" 2>"$WORK/refused.err"
rc=$?
[ $rc -eq 1 ] || fail "a mode-640 PSK file: exit $rc, expected 1"
grep -q "pre-shared key file .*psk.640.*group or others" "$WORK/refused.err" ||
  fail "the refusal does not name the file: $(cat "$WORK/refused.err")"
on S "$L" serve --no-ipsec --pool "$POOL" --users "$WORK/users" --psk-file "$WORK/psk" 2>"$WORK/usage.err"
[ $? -eq 2 ] || fail "--psk-file with --no-ipsec is not a usage error"
echo "ok: a group-readable PSK file is refused; --psk-file with --no-ipsec is a usage error"

start_stack S; start_stack C1
start_capture
start_server
start_client C1 alice
wait_established C1
echo "ok: IKE, L2TP and PPP up: sessions --json established with ipsec true on both sides"

n=$(check_sas S 198.51.100.2 false) || fail "server SAs: $(on S "$IPSECKIT_BIN/ikeview" sa --json)"
check_sas C1 198.51.100.1 false >/dev/null || fail "client SAs: $(on C1 "$IPSECKIT_BIN/ikeview" sa --json)"
[ "$n" = 1 ] || fail "server has $n Quick Mode SAs, expected 1"
grep -q "pre-shared key" "$WORK/S.l2tpd.log" || fail "server log does not say pre-shared key"
grep -rq "l2tp-ipsec-shared-key" "$WORK"/*.log && fail "the pre-shared key appears in a log"
echo "ok: ikeview sa --json: Main Mode (psk) and Quick Mode (transport, UDP 1701, rule L2TP) on both sides"

on S "$L" sessions --json | "$PY" -c '
import json, sys
r = json.load(sys.stdin)[0]
assert r["auth"] == "MS-CHAPv2" and r["user"] == "alice" and r["role"] == "lns", r
assert r["peer"].startswith("198.51.100.2:"), r' || fail "server session record"
ADDR=$(client_addr C1)
on C1 ping -c 3 -i 0.2 -W 3 "$SRV_PPP" >"$WORK/ping1" || fail "ping client -> server over PPP: $(cat "$WORK/ping1")"
on S ping -c 3 -i 0.2 -W 3 -I "$SRV_PPP" "$ADDR" >"$WORK/ping2" || fail "ping server -> client over PPP: $(cat "$WORK/ping2")"
echo "ok: ping both ways over the PPP link ($ADDR <-> $SRV_PPP)"
tcp_check C1 "$SRV_PPP" 5001
echo "ok: 1 MB over TCP through IPsec/L2TP/PPP, bytes identical"

sleep 0.5
esp=$(check_capture plain) || exit 1
echo "ok: the wire carries IKE and $esp ESP packets, no clear L2TP"

stop "$CLIENT_C1" "l2tpd connect"
for _ in $(seq 50); do [ "$(on S "$L" sessions --json)" = "[]" ] && break; sleep 0.1; done
[ "$(on S "$L" sessions --json)" = "[]" ] || fail "the server still lists the session after the client stopped"
stop "$SERVER" "l2tpd serve"
stop_stack C1; stop_stack S
echo "ok: SIGTERM: every daemon exits 0; no TUN, rule or store record left"
echo "l2tpd_ipsec: 6 passed"
