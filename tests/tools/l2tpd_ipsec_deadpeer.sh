#!/bin/bash
# A dead L2TP/IPsec peer: client and server (198.51.100.2 <-> .1, each with agent, ikeview,
# espd and l2tpd with --keepalive 1; the server with --retransmits 3, so that it gives up on an
# unacknowledged control message after about 15 s instead of 31) establish the full stack, then every daemon of the client
# is killed with SIGKILL (no CDN, no StopCCN, no IKE Delete). The server's PPP keepalive
# (LCP echo, RFC 1661 §5.8) fails: a clear log line names the session, the peer and the user,
# the call and then (HELLO unanswered, RFC 2661 §6.5) the tunnel are cleared, and the server's store has no l2tp record left.
# The IKE and ESP SAs with the dead peer go with ikeview's dead peer detection (RFC 3706), which
# takes longer than this test may run (30 s idle, then 5 R-U-THERE 5 s apart; ikeview has no
# option to shorten it), so the test checks that they are still valid only as a precondition.
L2I_TEST=l2tpd-ipsec-deadpeer
# shellcheck source=l2tpd_ipsec_lib.bash
. "$(dirname "$0")/l2tpd_ipsec_lib.bash"

topo_direct
start_stack S; start_stack C1
SERVER_ARGS="--keepalive 1 --retransmits 3" start_server
CLIENT_ARGS="--keepalive 1" start_client C1 alice
wait_established C1
check_sas S 198.51.100.2 false >/dev/null || fail "server SAs: $(on S "$IPSECKIT_BIN/ikeview" sa --json)"
echo "ok: L2TP/IPsec session up"

# The client host dies: SIGKILL to its l2tpd, espd, ikeview and agent (no goodbye of any kind).
for p in "$CLIENT_C1" "$ESPD_C1" "$IKV_C1"; do kill -KILL "$p"; wait "$p" 2>/dev/null; done
t0=$(date +%s)
gone=""
for _ in $(seq 200); do
  if [ "$(on S "$L" sessions --json)" = "[]" ]; then gone=1; break; fi
  sleep 0.1
done
[ -n "$gone" ] || fail "the server still lists the dead client's session after 20 s"
echo "ok: the server cleared the dead client's session after $(($(date +%s) - t0)) s"
grep -q 'PPP down (user "alice"): the peer did not answer [0-9]* LCP Echo-Requests' "$WORK/S.l2tpd.log" ||
  fail "no clear log line about the lost peer: $(grep -i "down\|cleared" "$WORK/S.l2tpd.log" | head -3)"
echo "ok: server log: $(grep 'PPP down (user "alice")' "$WORK/S.l2tpd.log" | head -1 | sed 's/^.*session/session/')"

# The tunnel goes too (its StopCCN/CDN to the dead peer are never acknowledged).
left=""
for _ in $(seq 300); do
  left=$(on S "$PY" -c '
import json, os, socket
s = socket.socket(socket.AF_UNIX); s.connect(os.environ["IPSECKIT_SOCKET"]); f = s.makefile("rw")
f.write(json.dumps({"op": "hello", "version": 1}) + "\n" + json.dumps({"op": "list", "prefix": "l2tp/tunnel/"}) + "\n")
f.flush(); f.readline(); print(" ".join(i["key"] for i in json.loads(f.readline())["items"]))')
  [ -z "$left" ] && break
  sleep 0.1
done
[ -z "$left" ] || fail "the server still records the dead client's tunnel after 30 s: $left"
grep -q "tunnel [0-9]* with 198.51.100.2:1701 closed: peer 198.51.100.2:1701 stopped responding" "$WORK/S.l2tpd.log" ||
  fail "no log line saying the tunnel's peer stopped responding"
echo "ok: the server removed the dead client's tunnel after $(($(date +%s) - t0)) s: $(grep -o "peer 198.51.100.2:1701 stopped responding.*" "$WORK/S.l2tpd.log" | head -1)"

kill -0 "$SERVER" || fail "the server exited"
stop "$SERVER" "l2tpd serve"
stop_stack S
echo "ok: the server's daemons exit 0 on SIGTERM and leave nothing behind"
echo "l2tpd_ipsec_deadpeer: 4 passed"
