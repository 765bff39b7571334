#!/bin/bash
# Our LAC (l2tpd connect --no-ipsec) against xl2tpd (Debian's 1.3.18) as the LNS, with tunnel
# authentication both ways and hidden AVPs. xl2tpd's pppd is tests/interop/l2tp/fake-pppd.py,
# bind-mounted over /usr/sbin/pppd in xl2tpd's private mount namespace only; it requires
# CHAP-MD5 and hands out 192.0.2.10. Checks: established session, ping through xl2tpd to
# the fake pppd, SIGTERM (CDN/StopCCN seen by xl2tpd), and a wrong password.
#   IPSECKIT_BIN  the build's bin directory.  Exit 77 only when xl2tpd cannot be installed.
set -euo pipefail
: "${IPSECKIT_BIN:?set IPSECKIT_BIN to the bin directory of a build}"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root" >&2; exit 77; fi
HERE=$(cd "$(dirname "$0")" && pwd)
FAKE=$HERE/l2tp/fake-pppd.py
"$HERE/lib/install-peer.sh" xl2tpd ppp || exit 77
[ -x /usr/sbin/pppd ] || { echo "SKIP: /usr/sbin/pppd (package ppp) missing: nothing to bind-mount over" >&2; exit 77; }
L="$IPSECKIT_BIN/l2tpd"
PY=/usr/bin/python3
S=l2tS$$ C=l2tY$$
WORK=$(mktemp -d /tmp/xl2tpd-lns.XXXXXX)
chmod 755 "$WORK"
PIDS=""
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null || true; done
  for p in $PIDS; do wait "$p" 2>/dev/null || true; done
  ip netns del "$S" 2>/dev/null || true
  ip netns del "$C" 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
fail() {
  echo "FAIL: $*" >&2
  for f in "$WORK"/*.log; do echo "--- $f" >&2; tail -n 40 "$f" >&2; done
  exit 1
}

ip netns add "$S"
ip netns add "$C"
ip link add "v$S" type veth peer name "v$C"
ip link set "v$S" netns "$S"
ip link set "v$C" netns "$C"
ip -n "$S" addr add 198.51.100.1/24 dev "v$S"
ip -n "$C" addr add 198.51.100.2/24 dev "v$C"
for n in "$S" "$C"; do ip -n "$n" link set lo up; done
ip -n "$S" link set "v$S" up
ip -n "$C" link set "v$C" up

export IPSECKIT_SOCKET="$WORK/cli.sock" IPSECKIT_STATE_DIR="$WORK/cli.state" IPSECKIT_NO_AUTOSTART=1
"$IPSECKIT_BIN/policyagent" --foreground --socket "$IPSECKIT_SOCKET" --state-dir "$IPSECKIT_STATE_DIR" \
  2>"$WORK/agent.log" &
PIDS="$PIDS $!"
for _ in $(seq 1 200); do [ -S "$IPSECKIT_SOCKET" ] && break; sleep 0.05; done

umask 077
printf 'carol pass\n' >"$WORK/carol.pw"
printf 'wrong pass\n' >"$WORK/wrong.pw"
printf 's3cret-tunnel\n' >"$WORK/tunnel.secret"

# xl2tpd LNS on 198.51.100.1 with fake-pppd over /usr/sbin/pppd (in its mount namespace
# only) as the PPP server: CHAP-MD5 required for carol, 192.0.2.1 <-> 192.0.2.10.
d="$WORK/lns"
mkdir -p "$d"
cat >"$d/xl2tpd.conf" <<CONF
[global]
listen-addr = 198.51.100.1
port = 1701
auth file = $d/l2tp-secrets
access control = no
debug avp = yes
debug state = yes
debug tunnel = yes
[lns default]
ip range = 192.0.2.10-192.0.2.50
local ip = 192.0.2.1
require authentication = no
hostname = lns.test
challenge = yes
hidden bit = yes
length bit = yes
pppoptfile = $d/options.ppp
CONF
printf '* * s3cret-tunnel\n' >"$d/l2tp-secrets"
printf 'noauth\nnodefaultroute\n' >"$d/options.ppp"
FAKE_PPPD_LOG="$WORK/pppd.log" FAKE_PPPD_REQUIRE=chap FAKE_PPPD_USER=carol FAKE_PPPD_PASSWORD="carol pass" \
  ip netns exec "$S" unshare -m --propagation private sh -c '
    mount --bind "$1" /usr/sbin/pppd || exit 97
    exec xl2tpd -D -c "$2/xl2tpd.conf" -s "$2/l2tp-secrets" -p "$2/xl2tpd.pid" -C "$2/l2tp-control"
  ' xl2tpd-lns "$FAKE" "$d" >"$WORK/xl2tpd.log" 2>&1 </dev/null &
LNS=$!
PIDS="$PIDS $LNS"
for _ in $(seq 1 100); do grep -q "Listening on IP address" "$WORK/xl2tpd.log" && break; sleep 0.05; done
grep -q "Listening on IP address" "$WORK/xl2tpd.log" || fail "xl2tpd did not start"

# start_lac PWFILE LOG: our LAC in $C (its own agent), sets LAC
start_lac() {
  ip netns exec "$C" "$L" connect 198.51.100.1 --no-ipsec --user carol --password-file "$1" \
    --tunnel-secret-file "$WORK/tunnel.secret" --tun l2tpc0 --log-level diag 2>"$WORK/$2" &
  LAC=$!
  PIDS="$PIDS $LAC"
}
established() {
  "$L" sessions --json 2>/dev/null | $PY -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if len(s) == 1 and s[0]["state"] == "established" else 1)'
}

start_lac "$WORK/carol.pw" lac.log
for _ in $(seq 1 300); do established && break; kill -0 "$LAC" 2>/dev/null || break; sleep 0.05; done
established || fail "our LAC did not establish a session with xl2tpd"
"$L" sessions --json | $PY -c '
import json, sys
r = json.load(sys.stdin)[0]
assert r["user"] == "carol" and r["auth"] == "CHAP-MD5" and r["role"] == "lac", r
assert r["address"] == "192.0.2.10" and r["local_address"] == "192.0.2.1", r' ||
  fail "session fields: $("$L" sessions --json)"
grep -q "chalresp_avp: Challenge reply found" "$WORK/xl2tpd.log" || fail "xl2tpd saw no Challenge Response from us"
grep -q "Invalid authentication" "$WORK/xl2tpd.log" && fail "xl2tpd refused our Challenge Response"
# hidden AVPs (RFC 2661 4.3): our ICRQ carries a Random Vector and a hidden Assigned Session
# ID that xl2tpd unhid to our real session ID
sid=$("$L" sessions --json | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["session_id"])')
grep -A3 "message type 10 (Incoming-Call-Request)" "$WORK/xl2tpd.log" | grep -q "rand_vector_avp" ||
  fail "our ICRQ has no Random Vector (AVPs not hidden)"
grep -q "assigned_call_avp: using peer's call $sid\$" "$WORK/xl2tpd.log" ||
  fail "xl2tpd did not unhide our Assigned Session ID $sid"
grep -q "CHAP server: peer b'carol' accepted" "$WORK/pppd.log" || fail "fake pppd did not accept carol"
ip -n "$C" -4 addr show dev l2tpc0 | grep -q "inet 192.0.2.10/32" || fail "our TUN lacks 192.0.2.10"
echo "ok: our LAC -> xl2tpd LNS: mutual tunnel authentication, hidden AVPs, CHAP-MD5, IPCP 192.0.2.10"

ip netns exec "$C" ping -c 3 -i 0.2 -W 2 192.0.2.1 >"$WORK/ping.log" || fail "ping through xl2tpd to the fake pppd"
echo "ok: ping over the PPP link answered by the fake pppd behind xl2tpd"

kill -TERM "$LAC"
set +e
wait "$LAC"
rc=$?
set -e
[ $rc -eq 0 ] || fail "our LAC after SIGTERM: exit $rc"
ip -n "$C" link show l2tpc0 >/dev/null 2>&1 && fail "TUN left behind"
for _ in $(seq 1 60); do grep -q "l2tpd is shutting down" "$WORK/xl2tpd.log" && break; sleep 0.05; done
grep -q "l2tpd is shutting down" "$WORK/xl2tpd.log" || fail "xl2tpd did not get our CDN/StopCCN"
echo "ok: SIGTERM: CDN/StopCCN reach xl2tpd, exit 0, TUN removed"

start_lac "$WORK/wrong.pw" wrong.log
set +e
for _ in $(seq 1 300); do kill -0 "$LAC" 2>/dev/null || break; sleep 0.05; done
wait "$LAC"
rc=$?
set -e
[ $rc -eq 1 ] || fail "wrong password: exit $rc, expected 1"
grep -q 'authentication failed: CHAP-MD5: the server refused user "carol"' "$WORK/wrong.log" ||
  fail "wrong password: no specific error"
echo "ok: wrong password: \"authentication failed: CHAP-MD5: the server refused user \\\"carol\\\"\", exit 1"
echo "4 passed, 0 failed"
