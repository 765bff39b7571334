#!/bin/bash
# Default mode (no --no-ipsec): l2tpd serve and l2tpd connect each plumb the automatic
# L2TP/IPsec policy (UDP 1701, transport mode) as a dynamic policy in the store while they
# run, and remove it when they exit; --no-ipsec plumbs nothing.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
enter_netns "$@"
cd "$WORK"
L="$IPSECKIT_BIN/l2tpd"
PY=/usr/bin/python3
start_agent a
use_agent a
umask 077
printf 'alice * secret1 *\n' >users
printf 'secret1\n' >pw

store_list() { echo "{\"op\":\"list\",\"prefix\":\"$1\"}" | socat - "UNIX-CONNECT:$WORK/a.sock"; }
# dynamic_l2tp ROLE: the store holds exactly one dynamic policy, the L2TP one for ROLE
dynamic_l2tp() {
  store_list dynamic/ | $PY -c '
import json, sys
role = sys.argv[1]
r = json.load(sys.stdin)
items = r["items"]
assert len(items) == 1, "expected one dynamic policy, got %d" % len(items)
v = items[0]["value"]
pol = v["policies"][0]
assert pol["description"].startswith("L2TP/IPsec (automatic)"), pol
assert [r["name"] for r in pol["rules"]] == ["L2TP"], pol["rules"]
fl = v["filter_lists"][0]
f = fl["filters"][0]
assert f["protocol"] == 17, f
want = "L2TP Server Inbound and Outbound Filter" if role == "server" else "L2TP Client Inbound and Outbound Filter"
assert fl["name"] == want, fl["name"]
if role == "server": assert f["destination_port"] == 1701, f
else: assert f["source_port"] == 1701, f
assert v["filter_actions"][0]["action"] == "negotiate", v["filter_actions"][0]
' "$1"
}
# stop PID WHAT: SIGTERM, exit 0 expected; forgotten by lib.bash's cleanup afterwards
stop() {
  kill -TERM "$1"
  wait "$1" || fail "$2: non-zero exit after SIGTERM"
  AGENTS=${AGENTS/ $1/}
}
no_dynamic() { ! store_list dynamic/ | grep -q '"key"'; }
wait_log() {  # FILE TEXT
  for _ in $(seq 1 100); do grep -q "$2" "$1" && return 0; sleep 0.05; done
  cat "$1" >&2
  fail "\"$2\" not logged in $1"
}

no_dynamic || fail "dynamic policies before l2tpd ran"
"$L" serve --listen 198.51.100.1 --pool 192.0.2.10-192.0.2.20 --users users --tun l2tps0 2>server.log &
SERVER=$!
AGENTS="$AGENTS $SERVER"  # lib.bash cleanup stops it on every exit path
wait_log server.log "LNS listening"
dynamic_l2tp server || fail "serve did not plumb the L2TP/IPsec server policy"
grep -q "plumbed the automatic L2TP/IPsec policy" server.log || fail "no log line about the policy"
# the agent compiled it into the effective SPD (spd/status, spd/current)
spd_has_l2tp() {
  echo '{"op":"get","key":"spd/status"}' | socat - "UNIX-CONNECT:$WORK/a.sock" | $PY -c '
import json, sys
st = json.load(sys.stdin)["value"]
assert st["compiled"] and st["dynamic_sets"] == 1 and st["filters"] >= 1, st' 2>/dev/null &&
    echo '{"op":"get","key":"spd/current"}' | socat - "UNIX-CONNECT:$WORK/a.sock" | grep -q 1701
}
for _ in $(seq 1 100); do spd_has_l2tp && break; sleep 0.05; done
spd_has_l2tp || fail "the compiled SPD has no L2TP (UDP 1701) filter"
echo "ok: serve plumbs the automatic L2TP/IPsec policy (dynamic, UDP 1701, transport) and the SPD has it"
stop "$SERVER" serve
no_dynamic || fail "serve left its dynamic policy behind: $(store_list dynamic/)"
echo "ok: removed on exit"

# A client in default mode plumbs the client policy towards its server (nobody answers at
# 198.51.100.9; the client is stopped with SIGTERM while it still retransmits its SCCRQ).
"$L" connect 198.51.100.9 --user alice --password-file pw --tun l2tpc0 2>client.log &
CLIENT=$!
AGENTS="$AGENTS $CLIENT"
wait_log client.log "plumbed the automatic L2TP/IPsec policy"
dynamic_l2tp client || fail "connect did not plumb the L2TP/IPsec client policy"
store_list dynamic/ | grep -q '198.51.100.9' || fail "the client policy does not name the server"
stop "$CLIENT" connect
no_dynamic || fail "connect left its dynamic policy behind"
echo "ok: connect plumbs the client policy towards its server and removes it on exit"

"$L" serve --no-ipsec --listen 198.51.100.1 --pool 192.0.2.10-192.0.2.20 --users users --tun l2tps0 2>plain.log &
SERVER=$!
AGENTS="$AGENTS $SERVER"  # lib.bash cleanup stops it on every exit path
wait_log plain.log "LNS listening"
no_dynamic || fail "--no-ipsec plumbed a policy"
stop "$SERVER" "serve --no-ipsec"
echo "ok: --no-ipsec plumbs nothing"
echo "3 passed, 0 failed"
