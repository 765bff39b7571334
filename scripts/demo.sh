#!/bin/bash
# The README's demo (needs root, for network namespaces). Builds ipseckit if needed, then:
#  part 1: a private policy agent in a throw-away store; the L2TP/IPsec policy and a
#          gateway-to-gateway tunnel policy written with Windows-syntax ipsecpol, one assigned
#          and shown with netdiag, the other linted and exported;
#  part 2: two hosts in two network namespaces on one veth (198.51.100.1 and .2), each with
#          its own agent, the same Windows-syntax policy assigned on both (ESP in transport
#          mode, pre-shared key), ikeview and espd started on both; a ping negotiates Main Mode
#          and Quick Mode, then ping and a 1 MiB TCP transfer (bytes compared) cross the
#          protected path, and netdiag shows the SAs and the statistics.
# Exits non-zero if traffic does not flow. Nothing outside its namespaces and temporary
# directory is touched; every process and both namespaces are removed on every exit path.
# IPSECKIT_BIN=DIR uses the binaries in DIR (ctest does); else IPSECKIT_BUILD (default build).
# DEMO_PING_WAIT=S: how long the first ping (which includes the negotiation) may wait for its
# replies before the demo gives up (default 15 s).
set -eu
cd "$(dirname "$0")/.."
if [ -z "${IPSECKIT_BIN:-}" ]; then
  BUILD=${IPSECKIT_BUILD:-build}
  for t in ipsecpol netdiag policyagent ikeview espd; do
    [ -x "$BUILD/bin/$t" ] && continue
    cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD" -j "$(nproc)"
    break
  done
  IPSECKIT_BIN=$BUILD/bin
fi
B=$(cd "$IPSECKIT_BIN" && pwd)
if [ "$(id -u)" -ne 0 ]; then echo "demo.sh: needs root (network namespaces); try: sudo $0" >&2; exit 1; fi

T=$(mktemp -d /tmp/ipseckit-demo.XXXXXX)
NA=demo-a-$$ NB=demo-b-$$ VA=dma$$ VB=dmb$$
PIDS=""
cleanup() {
  local p
  for p in $PIDS; do kill "$p" 2>/dev/null || true; done
  for p in $PIDS; do wait "$p" 2>/dev/null || true; done
  ip netns del "$NA" 2>/dev/null || true
  ip netns del "$NB" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
die() {
  echo "demo: FAILED: $*" >&2
  for f in "$T"/*.log; do [ -s "$f" ] && { echo "---- $f" >&2; tail -n 15 "$f" >&2; }; done
  exit 1
}
run() {
  printf '\n$ %s\n' "$*"
  "$@"
}
wait_sock() {
  for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.05; done
  die "no agent socket $1"
}

echo "==== Part 1: policies, the Windows way (a private agent in $T)"
export IPSECKIT_SOCKET="$T/agent.sock" IPSECKIT_STATE_DIR="$T/state"
"$B/policyagent" --foreground 2>"$T/agent.log" &
PIDS="$PIDS $!"
wait_sock "$IPSECKIT_SOCKET"

echo "== 1. The L2TP/IPsec policy (what Windows RAS plumbs for L2TP, here with a pre-shared key)"
run "$B/ipsecpol" -w REG -p "L2TP-IPsec" -r "L2TP" -f 0:1701+*::UDP -n "ESP[3DES,SHA]3600S/250000K" \
    "AH[SHA]+ESP[3DES,SHA]3600S/250000K" -a PRESHARE:"correct-horse-battery-staple" -1s 3DES-SHA-2 -x
run "$B/netdiag" filters
echo
echo "== 2. A gateway-to-gateway tunnel (192.0.2.0/24 here, 203.0.113.0/24 behind 198.51.100.2): lint, export"
run "$B/ipsecpol" -w REG -p "Branch:60" -r "to-branch" \
    -f 192.0.2.0/255.255.255.0=203.0.113.0/255.255.255.0 -t 198.51.100.2 \
    -n "ESP[AES256,SHA256]3600S/250000KPFS14" -a PRESHARE:"tunnel-secret-0123456789" -1s AES256-SHA256-14
run "$B/ipsecpol" check --policy Branch || true
run "$B/ipsecpol" export --policy Branch --format ipsecpol
echo
echo "== 3. A malformed command: the error names the token and its position (exit 2)"
set +e
run "$B/ipsecpol" -w REG -p Branch -r bad -f 192.0.2.0/24=*
echo "exit status: $?"
set -e
unset IPSECKIT_SOCKET IPSECKIT_STATE_DIR

echo
echo "==== Part 2: two hosts, namespaces $NA (198.51.100.1) and $NB (198.51.100.2)"
{ ip netns add "$NA" && ip netns add "$NB"; } || die "cannot create the namespaces"
ip link add "$VA" netns "$NA" type veth peer name "$VB" netns "$NB" || die "cannot create the veth pair"
ip -n "$NA" link set lo up; ip -n "$NB" link set lo up
ip -n "$NA" addr add 198.51.100.1/24 dev "$VA"; ip -n "$NA" link set "$VA" up
ip -n "$NB" addr add 198.51.100.2/24 dev "$VB"; ip -n "$NB" link set "$VB" up

# on A|B CMD...: a command on that host, with its own store; bg A|B LOG CMD...: in the background.
on() {
  local h=$1; shift
  local ns=$NA; [ "$h" = B ] && ns=$NB
  IPSECKIT_SOCKET="$T/$h.sock" IPSECKIT_STATE_DIR="$T/$h.state" IPSECKIT_NO_AUTOSTART=1 ip netns exec "$ns" "$@"
}
bg() {
  local h=$1 log=$2; shift 2
  local ns=$NA; [ "$h" = B ] && ns=$NB
  (export IPSECKIT_SOCKET="$T/$h.sock" IPSECKIT_STATE_DIR="$T/$h.state" IPSECKIT_NO_AUTOSTART=1
   exec ip netns exec "$ns" "$@" >>"$log" 2>&1) &
  PIDS="$PIDS $!"
}
for h in A B; do
  bg $h "$T/$h.agent.log" "$B/policyagent" --foreground --socket "$T/$h.sock" --state-dir "$T/$h.state"
  wait_sock "$T/$h.sock"
done
echo "== 4. The same policy on both hosts: ESP (AES-128, SHA-1) between them, pre-shared key"
for h in A B; do
  echo "[$h]"
  on $h "$B/ipsecpol" -w REG -p Demo -r peer -f 198.51.100.1+198.51.100.2 -n "ESP[AES128,SHA]" \
     -a PRESHARE:"demo-secret-0123456789" -x || die "ipsecpol on $h"
done
echo
echo "== 5. ikeview (IKEv1) and espd (ESP over TUN) on both hosts"
for h in A B; do
  bg $h "$T/$h.ikeview.log" "$B/ikeview" daemon
  bg $h "$T/$h.espd.log" "$B/espd" --tun demo0 --stats-interval 1
done
for h in A B; do
  ok=""
  for _ in $(seq 100); do
    if on $h "$B/ikeview" log 2>/dev/null | grep -q "SPD generation" && on $h ip route show table 220 | grep -q .; then
      ok=1; break
    fi
    sleep 0.1
  done
  [ -n "$ok" ] || die "the daemons on $h did not come up"
done
echo "ikeview and espd are running on both hosts (routing mark 0x2a5, table 220, TUN demo0)"

echo
echo "== 6. Traffic: the first ping makes espd ask ikeview for an SA (Main Mode + Quick Mode)"
run on A ping -c 4 -i 0.3 -W 10 -w "${DEMO_PING_WAIT:-15}" 198.51.100.2 || die "no ping replies through the protected path"
head -c 1048576 /dev/urandom >"$T/send.bin"
bg B "$T/tcp.log" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.51.100.2", 5001)); s.listen(1); s.settimeout(15)
c, _ = s.accept(); c.settimeout(15)
with open(sys.argv[1], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b: break
        f.write(b)
' "$T/recv.bin"
SRV=$!
sleep 0.3
printf '\n$ (TCP) 198.51.100.1 -> 198.51.100.2:5001, 1 MiB\n'
on A python3 -c '
import socket, sys
s = socket.create_connection(("198.51.100.2", 5001), timeout=15)
s.sendall(open(sys.argv[1], "rb").read()); s.close()
' "$T/send.bin" 2>>"$T/tcp.log" || die "TCP transfer"
wait "$SRV" || die "TCP server"
cmp -s "$T/send.bin" "$T/recv.bin" || die "the TCP transfer arrived damaged"
echo "1 MiB arrived intact"
sent_bytes() {
  on A "$B/netdiag" stats --json | python3 -c 'import json,sys; print((json.load(sys.stdin)["ipsec"] or {}).get("Confidential Bytes Sent", 0))'
}
for _ in $(seq 30); do  # the daemons publish their statistics every 1-2 s
  [ "$(sent_bytes)" -gt 1048576 ] && [ -n "$(on A "$B/netdiag" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["ike"] or "")')" ] && break
  sleep 0.1
done

echo
echo "== 7. What an admin sees on 198.51.100.1"
run on A "$B/netdiag" sas
run on A "$B/netdiag" stats
sent=$(sent_bytes)
[ "$sent" -gt 1048576 ] || die "espd encrypted only $sent bytes"
echo
echo "Demo complete: traffic flowed through ESP (everything is torn down now)."
