#!/bin/bash
# A packet storm into `l2tpd serve --no-ipsec` in a network namespace (l2tpd_storm.py, plain
# UDP sockets in the client namespace): random bytes, truncated headers, lying lengths, bogus
# tunnel and session ids, bit-flipped SCCRQs, and 200 SCCRQs from 200 source ports of one
# address that never complete. Then: the daemon is alive, its state is bounded (l2tp/node/<pid>
# counters: half-open tunnels from one address never above the per-source limit of 16, the excess refused), a real
# `l2tpd connect` from another address gets in DURING that flood, a flood from nine more
# addresses stops at the global limit of 128, the half-open tunnels time out and are freed (in
# about 15 s: --retransmits 3; the SCCRPs are never acknowledged)
# (counters back to the client's one tunnel), and a second storm (incl. the real tunnel's id
# from the wrong port) leaves its session established.
set -euo pipefail
. "${IPSECKIT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tools/lib.bash"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (network namespaces, TUN)" >&2; exit 77; fi
PY=/usr/bin/python3
STORM="$(cd "$(dirname "$0")" && pwd)/l2tpd_storm.py"
T0=$SECONDS
start_l2tp_pair tS

umask 077
printf 'alice * "wonder land" *\n' >"$WORK/users"
printf 'wonder land\n' >"$WORK/alice.pw"

start_l2tp_server --tun l2tps0 --log-level diag --retransmits 3

# counters KEY...: the server's l2tp/node/<pid> values, space separated
counters() {
  echo "{\"op\":\"get\",\"key\":\"l2tp/node/$SERVER\"}" | ns "$S" srv socat - "UNIX-CONNECT:$WORK/srv.sock" |
    $PY -c '
import json, sys
r = json.loads(sys.stdin.readline())
v = r.get("value") or r.get("entry", {}).get("value") or r
print(" ".join(str(v[k]) for k in sys.argv[1:]))' "$@"
}
alive() { kill -0 "$SERVER" 2>/dev/null || fail "l2tpd died during the storm"; }

# Flood sources beside the client's own address 198.51.100.2 (the genuine client's source).
ip -n "$C" addr add 198.51.100.9/24 dev "v$C"
FLOOD2=""
for i in $(seq 20 28); do ip -n "$C" addr add "198.51.100.$i/24" dev "v$C"; FLOOD2="$FLOOD2 198.51.100.$i"; done

ns "$C" cli env STORM_SRC=198.51.100.9 $PY "$STORM" 198.51.100.1 1701 junk >"$WORK/storm1.out" || fail "storm sender failed"
ns "$C" cli $PY "$STORM" 198.51.100.1 1701 half-open 200 198.51.100.9 >"$WORK/storm2.out" || fail "half-open sender failed"
echo "ok: storm sent: $(cat "$WORK/storm1.out"); $(cat "$WORK/storm2.out")"
# (the thresholds below allow for datagrams the kernel drops when the socket buffer is full)
sleep 1.5  # counters reach the store within a second
alive
read -r tunnels half malformed refused unknown < <(counters tunnels half_open malformed refused_tunnels unknown_tunnel) ||
  fail "no l2tp/node/$SERVER counters"
echo "   after the storm from one address: tunnels $tunnels, half-open $half, malformed $malformed, refused $refused, unknown $unknown"
# limits (libcore/l2tp/config.h): 16 tunnels being set up per source address, 128 in all,
# 1024 tunnels; the few tunnels beyond the half-open ones are closing (bit-flipped SCCRQs
# answered with StopCCN)
[ "$half" -le 16 ] && [ "$tunnels" -le $((half + 16)) ] ||
  fail "state not bounded: $tunnels tunnels, $half half-open (limit 16 per source)"
[ "$half" -ge 12 ] || fail "the never-completed SCCRQs did not create half-open tunnels ($half)"
[ "$refused" -ge 100 ] || fail "SCCRQs beyond the per-source limit were not refused ($refused)"
[ "$malformed" -ge 100 ] || fail "malformed datagrams not counted ($malformed)"
[ "$unknown" -ge 100 ] || fail "messages for unknown tunnels not counted ($unknown)"
[ "$(ns "$S" srv "$L" sessions --json)" = "[]" ] || fail "sessions listed after a storm without calls"
echo "ok: l2tpd alive, half-open tunnels from one address capped at 16, the rest refused, junk counted"

# A real client from another address gets in while the flood's tunnels are still half-open.
nsbg "$C" cli "$L" connect 198.51.100.1 --no-ipsec --user alice --password-file "$WORK/alice.pw" --tun l2tpc0 \
  2>"$WORK/client.log" &
CLIENT=$!
PIDS="$PIDS $CLIENT"
established() {
  ns "$S" srv "$L" sessions --json 2>/dev/null | $PY -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if len(s) == 1 and s[0]["state"] == "established" and s[0]["user"] == "alice" else 1)'
}
for _ in $(seq 1 200); do
  established && break
  kill -0 "$CLIENT" 2>/dev/null || fail "the client exited"
  sleep 0.05
done
established || fail "no established session during the flood"
sleep 1.1
half=$(counters half_open)
[ "$half" -ge 12 ] || fail "the flood's tunnels were gone before the client connected ($half half-open)"
ns "$C" cli ping -c 2 -i 0.2 -W 2 192.0.2.10 >/dev/null || fail "no ping over PPP during the flood"
echo "ok: a real client from 198.51.100.2 connects during the flood from 198.51.100.9 ($half half-open; MS-CHAPv2, IPCP, ping)"

# A flood from nine addresses hits the global limit.
ns "$C" cli $PY "$STORM" 198.51.100.1 1701 half-open 180 $FLOOD2 >"$WORK/storm3.out" || fail "half-open sender failed"
sleep 1.2
alive
read -r half refused2 < <(counters half_open refused_tunnels)
[ "$half" -le 128 ] && [ "$half" -ge 100 ] || fail "half-open tunnels $half after a flood from 10 addresses (limit 128)"
[ "$refused2" -gt "$refused" ] || fail "SCCRQs beyond the global limit were not refused ($refused2)"
echo "ok: a flood from ten addresses is capped at 128 half-open tunnels in all ($half)"

# Half-open tunnels time out (their SCCRPs are never acknowledged) and are freed.
for _ in $(seq 1 80); do
  [ "$(counters tunnels half_open)" = "1 0" ] && break
  alive
  sleep 0.5
done
[ "$(counters tunnels half_open)" = "1 0" ] || fail "half-open tunnels not freed: $(counters tunnels half_open)"
grep -q "stopped responding\|did not complete within" "$WORK/server.log" || fail "no timeout logged for half-open tunnels"
grep -q "state freed" "$WORK/server.log" || fail "no tunnel state freed in the log"
established || fail "the client's session did not survive the floods"
echo "ok: half-open tunnels timed out and freed after $((SECONDS - T0)) s (tunnels 1, half-open 0)"

# A second storm while the call is up, incl. its tunnel id from the wrong peer.
TID=$(ns "$S" srv "$L" sessions --json | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["tunnel_id"])')
ns "$C" cli $PY "$STORM" 198.51.100.1 1701 junk "$TID" >/dev/null || fail "storm sender failed"
for _ in $(seq 1 50); do  # until the server has read the storm (bounded: 5 s)
  [ "$(counters wrong_peer)" -ge 50 ] && break
  sleep 0.1
done
alive
kill -0 "$CLIENT" 2>/dev/null || fail "the client's call did not survive the second storm"
established || fail "the session is no longer established after the second storm"
read -r wrong sessions < <(counters wrong_peer sessions)
[ "$wrong" -ge 50 ] || fail "messages for the real tunnel from the wrong peer not counted ($wrong)"
[ "$sessions" = 1 ] || fail "sessions counter $sessions, expected 1"
ns "$C" cli ping -c 2 -i 0.2 -W 2 192.0.2.10 >/dev/null || fail "no ping over PPP after the second storm"
echo "ok: the call survives a storm aimed at its tunnel id (wrong_peer $wrong)"

stop_pid client "$CLIENT"
stop_pid server "$SERVER"
echo "ok: both exit 0 on SIGTERM ($((SECONDS - T0)) s)"
echo "7 passed, 0 failed"
