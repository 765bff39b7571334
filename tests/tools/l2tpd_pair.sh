#!/bin/bash
# l2tpd serve and l2tpd connect (--no-ipsec) in two network namespaces on a veth, each with its
# own policy agent: MS-CHAPv2 login, IPCP address from the pool, ping and a TCP transfer over
# the PPP link (bytes compared), `l2tpd sessions --json` on both sides, `l2tpd disconnect`,
# a wrong password (specific error at the client, the user named in the server's log), and
# SIGTERM leaving no TUN and no store records behind.
set -euo pipefail
. "${IPSECKIT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tools/lib.bash"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (network namespaces, TUN)" >&2; exit 77; fi
PY=/usr/bin/python3
start_l2tp_pair tP

umask 077
printf '# client server secret addresses\nalice * "wonder land" *\nbob * hunter2 192.0.2.77\n' >"$WORK/users"
printf 'wonder land\n' >"$WORK/alice.pw"
printf 'not the password\n' >"$WORK/wrong.pw"
cp "$WORK/users" "$WORK/users.644" && chmod 644 "$WORK/users.644"

# A world-readable users file is refused before anything starts.
set +e
ns "$S" srv "$L" serve --no-ipsec --pool 192.0.2.10-192.0.2.20 --users "$WORK/users.644" 2>"$WORK/refused.err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "a mode-644 users file: exit $rc, expected 1"
grep -q "users.644" "$WORK/refused.err" || fail "the refusal does not name the file: $(cat "$WORK/refused.err")"
echo "ok: a group/world-readable users file is refused"

start_l2tp_server --dns 192.0.2.53 --tun l2tps0 --max-sessions 8

# connect_client NAME PWFILE: starts a client in the background, sets CLIENT
connect_client() {
  nsbg "$C" cli "$L" connect 198.51.100.1 --no-ipsec --user alice --password-file "$2" --tun l2tpc0 \
    --route 192.0.2.0/24 2>"$WORK/$1.log" &
  CLIENT=$!
  PIDS="$PIDS $CLIENT"
}
# established NS WHO: the only session listed is established
established() {
  ns "$1" "$2" "$L" sessions --json 2>/dev/null | $PY -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if len(s) == 1 and s[0]["state"] == "established" else 1)'
}
wait_established() {
  for _ in $(seq 1 200); do
    if established "$C" cli && established "$S" srv; then return 0; fi
    kill -0 "$CLIENT" 2>/dev/null || fail "the client exited before the session was established"
    sleep 0.05
  done
  fail "no established session on both sides after 10 s"
}

connect_client client1 "$WORK/alice.pw"
wait_established
echo "ok: tunnel, call and PPP (MS-CHAPv2, IPCP) established"

ip -n "$C" -4 addr show dev l2tpc0 | grep -q "inet 192.0.2.11/32" || fail "client TUN lacks 192.0.2.11: $(ip -n "$C" addr show dev l2tpc0)"
ip -n "$S" -4 addr show dev l2tps0 | grep -q "inet 192.0.2.10/32" || fail "server TUN lacks 192.0.2.10"
ip -n "$S" route show 192.0.2.11 | grep -q "dev l2tps0" || fail "server has no host route to the client"
ns "$C" cli ping -c 3 -i 0.2 -W 2 192.0.2.10 >"$WORK/ping1" || fail "ping client -> server over PPP: $(cat "$WORK/ping1")"
ns "$S" srv ping -c 3 -i 0.2 -W 2 192.0.2.11 >"$WORK/ping2" || fail "ping server -> client over PPP: $(cat "$WORK/ping2")"
echo "ok: ping both ways over the PPP link"

# TCP: 2 MB from the client to a listener on the server's PPP address, bytes compared.
head -c 2000000 /dev/urandom >"$WORK/send.bin"
nsbg "$S" srv $PY -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.10", 5001)); s.listen(1); s.settimeout(20)
open(sys.argv[1] + ".ready", "w").close()
c, _ = s.accept(); c.settimeout(20)
with open(sys.argv[1], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b: break
        f.write(b)
' "$WORK/recv.bin" &
RX=$!
PIDS="$PIDS $RX"
for _ in $(seq 1 100); do [ -e "$WORK/recv.bin.ready" ] && break; sleep 0.05; done
ns "$C" cli $PY -c '
import socket, sys
c = socket.create_connection(("192.0.2.10", 5001), timeout=20)
c.sendall(open(sys.argv[1], "rb").read()); c.close()
' "$WORK/send.bin" || fail "TCP send over PPP failed"
wait "$RX" || fail "TCP receiver failed"
cmp "$WORK/send.bin" "$WORK/recv.bin" || fail "TCP transfer: bytes differ"
echo "ok: 2 MB over TCP through L2TP/PPP, bytes identical"

# A client may only send from its own address: a spoofed source is dropped by the LNS.
ip -n "$C" addr add 192.0.2.99/32 dev lo
ns "$C" cli ping -c 1 -W 1 -I 192.0.2.99 192.0.2.10 >/dev/null 2>&1 && fail "a packet from a spoofed source got through"
echo "ok: the LNS drops packets whose source is not the client's address"

sleep 1.2  # counters reach the store once a second
check_json() {  # NS WHO ROLE ADDRESS
  ns "$1" "$2" "$L" sessions --json | $PY -c '
import json, sys
role, addr = sys.argv[1], sys.argv[2]
s = json.load(sys.stdin)
assert len(s) == 1, s
r = s[0]
for k in ("tunnel_id", "session_id", "peer", "state", "user", "address", "bytes_in", "bytes_out", "ipsec"):
    assert k in r, "missing key " + k
assert r["state"] == "established", r
assert r["user"] == "alice", r
assert r["address"] == addr, r
assert r["role"] == role, r
assert r["ipsec"] is False, r
assert r["bytes_in"] > 0 and r["bytes_out"] > 0, r
assert (r["bytes_in"] if role == "lns" else r["bytes_out"]) >= 2000000, r
if role == "lns": assert r["dropped"] >= 1, r
print(r["id"])' "$3" "$4"
}
SID=$(check_json "$S" srv lns 192.0.2.11) || fail "server sessions --json"
check_json "$C" cli lac 192.0.2.11 >/dev/null || fail "client sessions --json"
ns "$S" srv "$L" sessions | grep -q "alice" || fail "the text listing lacks the user"
echo "ok: sessions --json on both sides: established, alice, 192.0.2.11, byte counts"

# The server clears the call: the client reports it and exits 1; nothing left behind.
ns "$S" srv "$L" disconnect "$SID" >/dev/null || fail "l2tpd disconnect $SID"
set +e
wait "$CLIENT"
rc=$?
set -e
[ $rc -eq 1 ] || fail "client after disconnect: exit $rc, expected 1"
grep -q "the call was cleared" "$WORK/client1.log" || fail "client does not say the call was cleared"
[ "$(ns "$S" srv "$L" sessions --json)" = "[]" ] || fail "server still lists a session after disconnect"
ip -n "$C" link show l2tpc0 >/dev/null 2>&1 && fail "client TUN left behind after disconnect"
echo "ok: l2tpd disconnect clears the call; the client exits 1 and removes its TUN"

# Wrong password: a clear error and exit 1 at the client, the user named at the server.
connect_client client2 "$WORK/wrong.pw"
for _ in $(seq 1 300); do kill -0 "$CLIENT" 2>/dev/null || break; sleep 0.05; done
set +e
wait "$CLIENT"
rc=$?
set -e
[ $rc -eq 1 ] || fail "wrong password: exit $rc, expected 1"
grep -q "authentication failed: MS-CHAPv2: the server refused user \"alice\": E=691" "$WORK/client2.log" ||
  fail "wrong password: no specific error at the client"
grep -q 'wrong password for user "alice"' "$WORK/server.log" || fail "wrong password: the server log does not name alice"
ip -n "$C" link show l2tpc0 >/dev/null 2>&1 && fail "client TUN left behind after a failed login"
echo "ok: wrong password -> \"authentication failed ... E=691\" at the client, user named in the server log"

# SIGTERM on the client (exit 0, CDN + StopCCN, no TUN), then on the server.
connect_client client3 "$WORK/alice.pw"
wait_established
stop_pid client "$CLIENT"
ip -n "$C" link show l2tpc0 >/dev/null 2>&1 && fail "client TUN left behind after SIGTERM"
for _ in $(seq 1 60); do [ "$(ns "$S" srv "$L" sessions --json)" = "[]" ] && break; sleep 0.05; done
[ "$(ns "$S" srv "$L" sessions --json)" = "[]" ] || fail "server still lists the session after the client's SIGTERM"
grep -q "l2tpd is shutting down" "$WORK/server.log" || fail "the server did not see the client's CDN/StopCCN reason"
echo "ok: client SIGTERM: exit 0, CDN/StopCCN seen by the server, no TUN"

# Closing the whole tunnel from the server (StopCCN): the client says so and exits 1.
connect_client client4 "$WORK/alice.pw"
wait_established
TID=$(ns "$S" srv "$L" sessions --json | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["tunnel_id"])')
ns "$S" srv "$L" disconnect "$TID" >/dev/null || fail "l2tpd disconnect $TID (a tunnel)"
set +e
wait "$CLIENT"
rc=$?
set -e
[ $rc -eq 1 ] || fail "client after the tunnel was closed: exit $rc, expected 1"
grep -q "peer closed the tunnel: result 1 .*disconnected by the administrator" "$WORK/client4.log" ||
  fail "the client does not say the server closed the tunnel"
echo "ok: l2tpd disconnect TUNNEL sends StopCCN; the client reports it and exits 1"

stop_pid server "$SERVER"
ip -n "$S" link show l2tps0 >/dev/null 2>&1 && fail "server TUN left behind after SIGTERM"
ip -n "$S" route show | grep -q 192.0.2 && fail "server routes left behind"
left=$(echo '{"op":"list","prefix":"l2tp/"}' | socat - "UNIX-CONNECT:$WORK/srv.sock")
echo "$left" | grep -q '"key"' && fail "store records left behind: $left"
echo "ok: server SIGTERM: exit 0, no TUN, route or store record left"
echo "9 passed, 0 failed"
