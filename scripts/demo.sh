#!/bin/sh
# The main job, on an embedded default: builds ipseckit if needed, starts a private policy
# agent in a throw-away store, creates with Windows-syntax ipsecpol the L2TP/IPsec policy and
# a gateway-to-gateway tunnel policy, assigns one, and shows it with netdiag. Nothing outside
# the temporary directory is touched; the agent is stopped on every exit path.
set -eu
cd "$(dirname "$0")/.."
BUILD=${IPSECKIT_BUILD:-build}
if [ ! -x "$BUILD/bin/ipsecpol" ] || [ ! -x "$BUILD/bin/netdiag" ] || [ ! -x "$BUILD/bin/policyagent" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" -j "$(nproc)"
fi
B=$(cd "$BUILD/bin" && pwd)
T=$(mktemp -d /tmp/ipseckit-demo.XXXXXX)
export IPSECKIT_SOCKET="$T/agent.sock" IPSECKIT_STATE_DIR="$T/state"
AGENT=""
cleanup() {
  [ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT INT TERM

"$B/policyagent" --foreground 2>"$T/agent.log" &
AGENT=$!
i=0
while [ ! -S "$IPSECKIT_SOCKET" ]; do
  i=$((i + 1)); [ $i -lt 100 ] || { cat "$T/agent.log" >&2; exit 1; }
  sleep 0.05
done

run() {
  printf '\n$ %s\n' "$*"
  "$@"
}

echo "== 1. The L2TP/IPsec policy (what Windows RAS plumbs for L2TP, here with a pre-shared key)"
L2TP_OFFERS="ESP[3DES,MD5]3600S/250000K ESP[3DES,SHA]3600S/250000K AH[SHA]+ESP[3DES,NONE]3600S/250000K
AH[MD5]+ESP[3DES,NONE]3600S/250000K AH[SHA]+ESP[3DES,SHA]3600S/250000K AH[MD5]+ESP[3DES,MD5]3600S/250000K"
# shellcheck disable=SC2086
run "$B/ipsecpol" -w REG -p "L2TP-IPsec" -r "L2TP" -f 0:1701+*::UDP -n $L2TP_OFFERS \
    -a PRESHARE:"correct-horse-battery-staple" -1s 3DES-SHA-2 3DES-MD5-2 -1k 28800S

echo
echo "== 2. A gateway-to-gateway tunnel: 192.0.2.0/24 here, 203.0.113.0/24 behind 198.51.100.2"
run "$B/ipsecpol" -w REG -p "Branch:60" -r "to-branch" \
    -f 192.0.2.0/255.255.255.0=203.0.113.0/255.255.255.0 -t 198.51.100.2 \
    -n ESP[AES256,SHA256]3600S/250000KPFS14 -a PRESHARE:"tunnel-secret-0123456789" -1s AES256-SHA256-14
run "$B/ipsecpol" -w REG -p "Branch:60" -r "from-branch" \
    -f 203.0.113.0/255.255.255.0=192.0.2.0/255.255.255.0 -t 198.51.100.1 \
    -n ESP[AES256,SHA256]3600S/250000KPFS14 -a PRESHARE:"tunnel-secret-0123456789" -1s AES256-SHA256-14

echo
echo "== 3. Assign the L2TP/IPsec policy and look at it the way an admin does"
run "$B/ipsecpol" -w REG -p "L2TP-IPsec" -x
run "$B/netdiag" /test:ipsec /v
run "$B/netdiag" filters

echo
echo "== 4. Lint the tunnel policy and export it as a script that recreates it"
run "$B/ipsecpol" check --policy Branch || true
run "$B/ipsecpol" export --policy Branch --format ipsecpol

echo
echo "== 5. A malformed command: the error names the token and its position (exit 2)"
set +e
run "$B/ipsecpol" -w REG -p Branch -r bad -f 192.0.2.0/24=*
echo "exit status: $?"
set -e
echo
echo "Demo complete (the agent and its store in $T are removed now)."
