#!/bin/bash
# "me" is re-resolved when the host's addresses change: the agent's netlink watcher makes it
# recompile the SPD, and the specific filters follow the new address set.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
enter_netns "$@"
cd "$WORK"
P="$IPSECKIT_BIN/ipsecpol"
N="$IPSECKIT_BIN/netdiag"
start_agent a
use_agent a
"$P" -w REG -p Host -r all-udp -f 0+*::UDP -n ESP[AES128,SHA256] -a PRESHARE:"a-long-enough-secret-123" -x >/dev/null

specific_has() { "$N" filters --specific --json | grep -q "\"$1/32\""; }
wait_for() {  # wait_for present|absent ADDR
  for _ in $(seq 1 100); do
    if specific_has "$2"; then [ "$1" = present ] && return 0; else [ "$1" = absent ] && return 0; fi
    sleep 0.05
  done
  fail "$2 is not $1 in the specific filters after 5 s"
}
wait_for present 198.51.100.1
specific_has 198.51.100.9 && fail "198.51.100.9 listed before it exists"
ip addr add 198.51.100.9/24 dev ikv0
wait_for present 198.51.100.9
echo "ok: an added address appears in the specific filters"
ip addr del 198.51.100.9/24 dev ikv0
wait_for absent 198.51.100.9
wait_for present 198.51.100.1
echo "ok: a removed address disappears from them"
ip -6 addr add 2001:db8::1/64 dev ikv0 nodad
for _ in $(seq 1 100); do "$N" filters --specific --json | grep -q '"2001:db8::1/128"' && break; sleep 0.05; done
"$N" filters --specific --json | grep -q '"2001:db8::1/128"' || fail "an IPv6 address was not picked up"
echo "ok: IPv6 addresses too"
# The agent's own diagnostics reach the event-log ring (log_read), not only stderr.
ring=$(echo '{"op":"log_read","since":0}' | socat - "UNIX-CONNECT:$WORK/a.sock")
echo "$ring" | grep -q '"message":"listening on' || fail "agent diagnostics missing from the log ring: $ring"
echo "ok: the agent's diagnostics are in the event-log ring"
echo "1 passed, 0 failed"
