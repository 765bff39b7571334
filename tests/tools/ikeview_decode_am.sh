#!/bin/bash
# Aggressive Mode (RFC 2409 5) between two ikeview daemons whose rule carries
# "aggressive_mode": true (JSON form, set through ipsecpol export/import), captured with
# tcpdump and decoded by `ikeview decode`:
#   * `ikeview sa --json`: phase "main", exchange "aggressive", on both sides; QM follows;
#   * without keys: AM1 (SA KE NONCE ID), AM2 (SA KE NONCE ID HASH) in clear, AM3 encrypted;
#   * with `ikeview keys`: AM3 decrypts to HASH (+ NAT-D), Quick Mode decrypts.
set -u
. "${IPSECKIT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tools/lib.bash"
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump not installed" >&2; exit 77; }

start_pair am
policy() {
  on "$1" "$IPSECKIT_BIN/ipsecpol" -w REG -p agg -r peer -f 198.51.100.1+198.51.100.2 \
    -n "ESP[AES128,SHA]" -a "PRESHARE:aggressive-test" -1s AES128-SHA-14 -x >>"$WORK/$1.ipsecpol.log" 2>&1 ||
    fail "ipsecpol on $1"
  on "$1" "$IPSECKIT_BIN/ipsecpol" export --policy agg --secrets -o "$WORK/$1.json" 2>>"$WORK/$1.ipsecpol.log" ||
    fail "export on $1"
  python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
for p in j["policies"]:
    for r in p["rules"]:
        r["aggressive_mode"] = True
json.dump(j, open(sys.argv[1], "w"))' "$WORK/$1.json" || fail "edit JSON"
  on "$1" "$IPSECKIT_BIN/ipsecpol" import "$WORK/$1.json" --replace >>"$WORK/$1.ipsecpol.log" 2>&1 || fail "import on $1"
}
policy A; policy B
CAP="$WORK/am.pcap"
capture A "$CAP"; TCPDUMP=$CAPTURE
start_ikeview A; start_ikeview B
on A "$IPSECKIT_BIN/ikeview" initiate --peer 198.51.100.2 --timeout 20 >/dev/null 2>"$WORK/initiate.log" ||
  fail "initiate failed: $(cat "$WORK/initiate.log")"
for h in A B; do
  on "$h" "$IPSECKIT_BIN/ikeview" sa --json >"$WORK/$h.sa.json" || fail "ikeview sa on $h"
  python3 -c '
import json, sys
sas = json.load(open(sys.argv[1]))
mm = [s for s in sas if s["phase"] == "main"]
assert len(mm) == 1 and mm[0]["exchange"] == "aggressive" and mm[0]["state"] == "established", sas
assert len([s for s in sas if s["phase"] == "quick"]) == 1, sas' "$WORK/$h.sa.json" ||
    fail "sa on $h: $(cat "$WORK/$h.sa.json")"
done
on A "$IPSECKIT_BIN/ikeview" keys --format wireshark-ike >"$WORK/am.keys" || fail "ikeview keys"
for _ in $(seq 50); do [ "$(tcpdump -r "$CAP" 2>/dev/null | wc -l)" -ge 6 ] && break; sleep 0.1; done
kill -INT "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null

"$IPSECKIT_BIN/ikeview" decode "$CAP" --json >"$WORK/clear.json" 2>"$WORK/clear.err" || fail "decode: $(cat "$WORK/clear.err")"
"$IPSECKIT_BIN/ikeview" decode "$CAP" --keys "$WORK/am.keys" --json >"$WORK/dec.json" 2>"$WORK/dec.err" ||
  fail "decode --keys: $(cat "$WORK/dec.err")"
python3 - "$WORK/clear.json" "$WORK/dec.json" <<'PY' || fail "decode: $(cat "$WORK/clear.json")"
import json, sys
clear = [json.loads(l) for l in open(sys.argv[1])]
dec = [json.loads(l) for l in open(sys.argv[2])]
types = lambda m: [p["type"] for p in m.get("payloads", [])]
am = [m for m in clear if m["exchange"] == "AGGRESSIVE"]
assert len(am) == 3, [(m["packet"], m["exchange"]) for m in clear]
assert not [m for m in clear if m["exchange"] == "ID_PROT"], "Main Mode seen"
assert {"SA", "KE", "NONCE", "ID"} <= set(types(am[0])) and "HASH" not in types(am[0]), types(am[0])
assert {"SA", "KE", "NONCE", "ID", "HASH"} <= set(types(am[1])), types(am[1])
assert am[2]["encrypted"] and not am[2]["decrypted"], am[2]
am_d = [m for m in dec if m["exchange"] == "AGGRESSIVE"]
assert am_d[2]["decrypted"] and "HASH" in types(am_d[2]), am_d[2]
qm = [m for m in dec if m["exchange"] == "QUICK_MODE"]
assert len(qm) == 3 and all(m["decrypted"] for m in qm), qm
PY
echo "ikeview_decode_am: all checks passed"
