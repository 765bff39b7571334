#!/bin/bash
# xl2tpd (Debian's 1.3.18) as the LAC against our LNS (l2tpd serve --no-ipsec), with tunnel
# authentication (both sides challenge) and hidden AVPs (our ICRP/CDN are hidden; xl2tpd adds
# a Random Vector). xl2tpd execs /usr/sbin/pppd, which cannot run here (no kernel PPP): in
# xl2tpd's private mount namespace only, tests/interop/l2tp/fake-pppd.py is bind-mounted over
# it, so LCP, CHAP-MD5 and IPCP run against our PPP and the call stays up. Checks: the
# session is established for the fake pppd's user with a pool address, ping from the LNS to
# that address is answered by the fake pppd through xl2tpd, and a StopCCN from xl2tpd
# ("d NAME") clears our side. A wrong tunnel secret fails with a specific error.
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
S=l2tS$$ C=l2tX$$
WORK=$(mktemp -d /tmp/xl2tpd-lac.XXXXXX)
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

export IPSECKIT_SOCKET="$WORK/srv.sock" IPSECKIT_STATE_DIR="$WORK/srv.state" IPSECKIT_NO_AUTOSTART=1
"$IPSECKIT_BIN/policyagent" --foreground --socket "$IPSECKIT_SOCKET" --state-dir "$IPSECKIT_STATE_DIR" \
  2>"$WORK/agent.log" &
PIDS="$PIDS $!"
for _ in $(seq 1 200); do [ -S "$IPSECKIT_SOCKET" ] && break; sleep 0.05; done

umask 077
printf 'carol * "carol pass" *\n' >"$WORK/users"
printf 's3cret-tunnel\n' >"$WORK/tunnel.secret"

# start_lns SECRETFILE LOG
start_lns() {
  ip netns exec "$S" "$L" serve --no-ipsec --listen 198.51.100.1 --pool 192.0.2.10-192.0.2.20 --users "$WORK/users" \
    --tunnel-secret-file "$1" --host-name lns.test --tun l2tps0 --log-level diag 2>"$WORK/$2" &
  LNS=$!
  PIDS="$PIDS $LNS"
  for _ in $(seq 1 100); do grep -q "LNS listening" "$WORK/$2" 2>/dev/null && return 0; sleep 0.05; done
  fail "our LNS did not start"
}
# start_lac SECRET LOG: xl2tpd LAC with fake-pppd over /usr/sbin/pppd in its mount namespace
start_lac() {
  local d="$WORK/lac"
  mkdir -p "$d"
  cat >"$d/xl2tpd.conf" <<CONF
[global]
listen-addr = 198.51.100.2
port = 1701
auth file = $d/l2tp-secrets
access control = no
debug avp = yes
debug state = yes
debug tunnel = yes
[lac ours]
lns = 198.51.100.1
redial = no
autodial = no
hostname = lac.test
challenge = yes
hidden bit = yes
length bit = yes
pppoptfile = $d/options.ppp
CONF
  printf '* * %s\n' "$1" >"$d/l2tp-secrets"
  printf 'noauth\nnodefaultroute\n' >"$d/options.ppp"
  XLOG="$WORK/$2"
  : >"$XLOG"
  FAKE_PPPD_LOG="$WORK/pppd.log" FAKE_PPPD_USER=carol FAKE_PPPD_PASSWORD="carol pass" \
    ip netns exec "$C" unshare -m --propagation private sh -c '
      mount --bind "$1" /usr/sbin/pppd || exit 97
      exec xl2tpd -D -c "$2/xl2tpd.conf" -s "$2/l2tp-secrets" -p "$2/xl2tpd.pid" -C "$2/l2tp-control"
    ' xl2tpd-lac "$FAKE" "$d" >>"$XLOG" 2>&1 </dev/null &
  LAC=$!
  PIDS="$PIDS $LAC"
  for _ in $(seq 1 100); do
    grep -q "Listening on IP address" "$XLOG" && [ -p "$d/l2tp-control" ] && return 0
    kill -0 "$LAC" 2>/dev/null || break
    sleep 0.05
  done
  fail "xl2tpd did not start"
}
ctl() { timeout 5 sh -c 'printf "%s\n" "$1" > "$2"' _ "$1" "$WORK/lac/l2tp-control" || fail "xl2tpd control FIFO"; }
stop_pid() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# the host's /usr/sbin/pppd is untouched (the bind mount is private to xl2tpd)
real_pppd_sum=$(sha256sum /usr/sbin/pppd | cut -d' ' -f1)

start_lns "$WORK/tunnel.secret" lns.log
start_lac s3cret-tunnel xl2tpd.log
[ "$(sha256sum /usr/sbin/pppd | cut -d' ' -f1)" = "$real_pppd_sum" ] || fail "/usr/sbin/pppd changed outside xl2tpd's namespace"
ctl "c ours"
ok=0
for _ in $(seq 1 300); do
  if "$L" sessions --json | $PY -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if len(s) == 1 and s[0]["state"] == "established" else 1)'; then ok=1; break; fi
  sleep 0.05
done
[ $ok = 1 ] || fail "no established session with xl2tpd after 15 s"
"$L" sessions --json | $PY -c '
import json, sys
r = json.load(sys.stdin)[0]
assert r["user"] == "carol", r
assert r["auth"] == "CHAP-MD5", r
assert r["address"] == "192.0.2.11", r
assert r["role"] == "lns", r' || fail "session fields: $("$L" sessions --json)"
grep -q "tunnel .* (\"lac.test\"" "$WORK/lns.log" || fail "tunnel with lac.test not logged"
grep -q "IPCP opened" "$WORK/pppd.log" || fail "fake pppd did not open IPCP"
# tunnel authentication both ways: xl2tpd found our Challenge Response and Challenge in SCCRP
grep -q "chalresp_avp: Challenge reply found" "$WORK/xl2tpd.log" || fail "no Challenge Response from our LNS"
grep -q "Invalid authentication" "$WORK/xl2tpd.log" && fail "xl2tpd refused our Challenge Response"
# hidden AVPs: our ICRP carries a Random Vector and a hidden Assigned Session ID that xl2tpd
# unhid to our real session ID (RFC 2661 4.3)
sid=$("$L" sessions --json | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["session_id"])')
grep -A3 "message type 11 (Incoming-Call-Reply)" "$WORK/xl2tpd.log" | grep -q "rand_vector_avp" ||
  fail "our ICRP has no Random Vector (AVPs not hidden)"
grep -q "assigned_call_avp: using peer's call $sid\$" "$WORK/xl2tpd.log" ||
  fail "xl2tpd did not unhide our Assigned Session ID $sid"
echo "ok: xl2tpd LAC -> our LNS: tunnel authentication both ways, hidden AVPs, CHAP-MD5, IPCP 192.0.2.11"

ip netns exec "$S" ping -c 3 -i 0.2 -W 2 192.0.2.11 >"$WORK/ping.log" || fail "ping over xl2tpd + fake pppd"
sleep 1.2  # counters reach the store once a second
"$L" sessions --json | $PY -c '
import json, sys
r = json.load(sys.stdin)[0]
assert r["packets_in"] >= 3 and r["packets_out"] >= 3, r' || fail "counters did not move"
echo "ok: ping from the LNS answered by the fake pppd through xl2tpd"

ctl "d ours"
for _ in $(seq 1 100); do [ "$("$L" sessions --json)" = "[]" ] && break; sleep 0.05; done
[ "$("$L" sessions --json)" = "[]" ] || fail "our LNS still lists the session after xl2tpd's StopCCN"
grep -q "peer closed the tunnel" "$WORK/lns.log" || fail "the StopCCN was not logged as the peer's"
echo "ok: xl2tpd's StopCCN clears our tunnel and session"
stop_pid "$LAC"

# Wrong tunnel secret: xl2tpd (the initiator) finds our Challenge Response in SCCRP wrong
# first and sends StopCCN 2/6; our LNS logs that specific reason and keeps no tunnel.
start_lac wrong-secret xl2tpd-wrong.log
ctl "c ours"
for _ in $(seq 1 200); do grep -q "Invalid challenge authentication" "$WORK/lns.log" && break; sleep 0.05; done
grep -q "peer closed the tunnel: result 2 .*error 6 .*Invalid challenge authentication" "$WORK/lns.log" ||
  fail "no specific tunnel-authentication error at the LNS"
grep -q "Invalid authentication for host 'lns.test'" "$WORK/xl2tpd-wrong.log" || fail "xl2tpd did not reject our response"
[ "$("$L" sessions --json)" = "[]" ] || fail "a session exists despite the wrong tunnel secret"
echo "ok: a wrong tunnel secret: StopCCN 2/6 \"Invalid challenge authentication\", logged by our LNS, no session"
stop_pid "$LAC"
stop_pid "$LNS"
ip -n "$S" link show l2tps0 >/dev/null 2>&1 && fail "TUN left behind"
echo "4 passed, 0 failed"
