#!/bin/bash
# IKE from the address a rule names: host A has 198.51.100.1 (primary) and 198.51.100.11
# (secondary) on one veth, and 198.51.100.12/32 on lo; its transport rule protects
# 198.51.100.11 <-> B (198.51.100.2) only. Checks: the agent's "me" holds .11 and the lo address
# .12 (not 127.0.0.1); A initiating (`ikeview initiate --rule`) gets MM + QM with local .11 on A
# and peer .11 on B, and an acquire from .11 one more QM SA; every IKE packet A sends (tcpdump
# on the veth) comes from .11, none from .1 (IP_PKTINFO on send, not the route's source); then
# with B initiating to .11, A answers from .11 too.
set -u
. "${IPSECKIT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tools/lib.bash"
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump not installed" >&2; exit 77; }

start_pair sr
ip -n "$NA" addr add 198.51.100.11/24 dev "$IF_A" || fail "secondary address"
ip -n "$NA" addr add 198.51.100.12/32 dev lo || fail "address on lo"
policy() {  # policy A|B ME PEER
  on "$1" "$IPSECKIT_BIN/ipsecpol" -w REG -p src -r second -f "$2+$3" \
    -n "ESP[3DES,SHA]" -a "PRESHARE:srcaddr-test" -x >>"$WORK/$1.ipsecpol.log" 2>&1 || fail "ipsecpol on $1"
}
policy A 198.51.100.11 198.51.100.2; policy B 198.51.100.2 198.51.100.11
store() { on "$1" socat - "UNIX-CONNECT:$WORK/$1.sock"; }

# "me" on A: both veth addresses and the one on lo, no loopback address
for _ in $(seq 100); do
  store A <<<'{"id":1,"op":"get","key":"spd/current"}' >"$WORK/spd.json"
  grep -q 198.51.100.12 "$WORK/spd.json" && break; sleep 0.1
done
python3 - "$WORK/spd.json" <<'PY' || fail "A's \"me\": $(head -c 600 "$WORK/spd.json")"
import json, sys
a = json.load(open(sys.argv[1]))["value"]["addresses"]
assert {"198.51.100.1", "198.51.100.11", "198.51.100.12"} <= set(a) and "127.0.0.1" not in a, a
PY

# only_from FILE: every IKE packet of A in the capture comes from .11 (and B's go to .11)
only_from() {
  tcpdump -n -r "$1" 2>/dev/null >"$WORK/pkts.txt"
  local n11 n1
  n11=$(grep -c "IP 198.51.100.11.500 > 198.51.100.2.500" "$WORK/pkts.txt")
  n1=$(grep -c -E "198\.51\.100\.1\.500[ :]" "$WORK/pkts.txt")
  [ "$n11" -ge "$2" ] && [ "$n1" = 0 ] || fail "capture: $n11 packets from .11 (want >= $2), $n1 via .1: $(cat "$WORK/pkts.txt")"
  echo "$1: $n11 IKE packets from 198.51.100.11, none via 198.51.100.1"
}
# sas HOST FIELD VALUE QUICK-COUNT: main + quick SAs established with FIELD == VALUE
sas() {
  sa_json "$1" >"$WORK/sa.$1.json" || fail "ikeview sa on $1"
  python3 - "$WORK/sa.$1.json" "$2" "$3" "$4" <<'PY' || fail "$1's SAs: $(cat "$WORK/sa.$1.json")"
import json, sys
s, field, want, nq = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], int(sys.argv[4])
assert [x["phase"] for x in s].count("main") == 1 and [x["phase"] for x in s].count("quick") == nq, s
assert all(x["state"] == "established" and x[field] == want for x in s), s
assert all(x["mode"] == "transport" for x in s if x["phase"] == "quick"), s
PY
}

# ---- 1. A initiates for the rule: from .11
capture A "$WORK/init.pcap"
start_ikeview A; start_ikeview B
on A "$IPSECKIT_BIN/ikeview" initiate --peer 198.51.100.2 --rule second --timeout 20 >/dev/null 2>"$WORK/initiate.err" ||
  fail "initiate: $(cat "$WORK/initiate.err")"
sas A local 198.51.100.11 1; sas B peer 198.51.100.11 1
# an acquire for traffic from .11 (as espd writes it): Quick Mode from .11 on the same IKE SA
store A >/dev/null <<<'{"id":1,"op":"put","key":"acquire/s1","value":{"src":"198.51.100.11","dst":"198.51.100.2","protocol":17,"src_port":1701,"dst_port":1701,"rule":"second","created":0}}'
for _ in $(seq 100); do store A <<<'{"id":1,"op":"get","key":"acquire/s1"}' | grep -q not_found && break; sleep 0.1; done
on A "$IPSECKIT_BIN/ikeview" log | grep -q "acquire acquire/s1: established" || fail "acquire from .11 not established"
sas A local 198.51.100.11 2
kill -INT "$CAPTURE"; wait "$CAPTURE" 2>/dev/null
only_from "$WORK/init.pcap" 7  # MM 1/3/5, QM 1/3 twice

# ---- 2. B initiates to .11: A answers from .11
stop_ikeview A; stop_ikeview B
capture A "$WORK/resp.pcap"
start_ikeview A; start_ikeview B
on B "$IPSECKIT_BIN/ikeview" initiate --peer 198.51.100.11 --timeout 20 >/dev/null 2>"$WORK/initiate2.err" ||
  fail "initiate from B: $(cat "$WORK/initiate2.err")"
sas A local 198.51.100.11 1; sas B peer 198.51.100.11 1
kill -INT "$CAPTURE"; wait "$CAPTURE" 2>/dev/null
only_from "$WORK/resp.pcap" 4  # MM 2/4/6, QM 2
grep -c "198.51.100.2.500 > 198.51.100.11.500" "$WORK/pkts.txt" | grep -qv '^0$' || fail "B's packets not to .11"
stop_ikeview A; stop_ikeview B
echo "ikeview_srcaddr: all checks passed"
