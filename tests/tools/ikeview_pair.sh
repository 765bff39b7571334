#!/bin/bash
# Two hosts in two network namespaces on one veth (198.51.100.1 <-> .2), each with its own
# policy agent and `ikeview daemon`; a mirrored PSK transport policy assigned with
# Windows-syntax ipsecpol. Checks: initiate -> Main Mode + Quick Mode established on both
# sides with matching SPIs and algorithms; SIGTERM deletes the daemon's records (and the peer's
# through the Delete payloads); a wrong PSK fails with the reason in `ikeview log`; with tshark
# installed, the capture has no malformed/expert-error flags and decrypts with `ikeview keys`.
set -u
. "${IPSECKIT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tools/lib.bash"

start_pair iv
policy() {  # policy A|B KEY
  on "$1" "$IPSECKIT_BIN/ipsecpol" -w REG -p pair -r peer -f 198.51.100.1+198.51.100.2 \
    -n "ESP[3DES,SHA]" -a "PRESHARE:$2" -x >>"$WORK/$1.ipsecpol.log" 2>&1 || fail "ipsecpol on $1"
}

policy A "secret"; policy B "secret"

CAP=""
if command -v tshark >/dev/null 2>&1; then
  CAP="$WORK/ike.pcap"
  (exec ip netns exec "$NA" tshark -q -i "$IF_A" -w "$CAP" -f "udp port 500 or udp port 4500" >/dev/null 2>"$WORK/tshark.log") &
  TSHARK=$!; PIDS="$PIDS $TSHARK"
  for _ in $(seq 100); do grep -q "Capturing on" "$WORK/tshark.log" && break; sleep 0.1; done
fi

start_ikeview A; start_ikeview B

# `ikeview log --follow --json` on A sees the negotiation as it happens
bg A "$IPSECKIT_BIN/ikeview" log --follow --json >"$WORK/follow.out" 2>"$WORK/follow.err"
FOLLOW=$!; PIDS="$PIDS $FOLLOW"

# ---- 1. A initiates: Main Mode + Quick Mode on both sides
out=$(on A "$IPSECKIT_BIN/ikeview" initiate --peer 198.51.100.2 --timeout 20 2>"$WORK/initiate.err") ||
  fail "initiate failed: $(cat "$WORK/initiate.err")"
echo "$out" | grep -q "established with 198.51.100.2" || fail "initiate printed '$out'"
sa_json A >"$WORK/a.json" || fail "ikeview sa on A"
sa_json B >"$WORK/b.json" || fail "ikeview sa on B"
python3 - "$WORK/a.json" "$WORK/b.json" <<'PY' || fail "SA views do not match"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
keys = {"phase","peer","local","state","encryption","integrity","dh_group","auth","spi_in","spi_out","mode","encap","expires_in"}
def one(sas, phase, who):
    s = [x for x in sas if x["phase"] == phase]
    assert len(s) == 1, f"{who}: {len(s)} {phase} SAs: {sas}"
    assert keys <= set(s[0]), f"{who}: missing keys {keys - set(s[0])}"
    assert s[0]["state"] == "established", s[0]
    return s[0]
am, bm, aq, bq = one(a, "main", "A"), one(b, "main", "B"), one(a, "quick", "A"), one(b, "quick", "B")
assert (am["local"], am["peer"]) == ("198.51.100.1", "198.51.100.2"), am
assert (bm["local"], bm["peer"]) == ("198.51.100.2", "198.51.100.1"), bm
for k in ("encryption", "integrity", "dh_group", "auth"):
    assert am[k] == bm[k], (k, am[k], bm[k])
assert (am["encryption"], am["integrity"], am["dh_group"], am["auth"]) == ("3des-cbc", "sha1", 2, "psk"), am
assert am["cookies"] == bm["cookies"], (am["cookies"], bm["cookies"])
assert aq["spi_in"] == bq["spi_out"] and aq["spi_out"] == bq["spi_in"], (aq, bq)
assert len(aq["spi_in"]) == 8 and aq["spi_in"] != aq["spi_out"]
for q in (aq, bq):
    assert (q["encryption"], q["integrity"], q["mode"], q["encap"]) == ("3des-cbc", "sha1", "transport", False), q
    assert 3000 < q["expires_in"] <= 3600, q
assert 28000 < am["expires_in"] <= 28800, am
PY
# the data plane's records: one per direction, in esp/sa_record.h's format
spi_in=$(python3 -c 'import json,sys; print([x for x in json.load(open(sys.argv[1])) if x["phase"]=="quick"][0]["spi_in"])' "$WORK/a.json")
on A socat - "UNIX-CONNECT:$WORK/A.sock" <<<"{\"id\":1,\"op\":\"get\",\"key\":\"esp/sa/$spi_in\"}" 2>/dev/null |
  grep -q '"direction":"in"' || fail "no esp/sa/$spi_in record on A"
for _ in $(seq 50); do grep -q "QM SA #[0-9]* established" "$WORK/follow.out" && break; sleep 0.1; done
kill "$FOLLOW"
python3 -c '
import json,sys
lines=[json.loads(l) for l in open(sys.argv[1])]
assert any("CONNECTING -> ESTABLISHED" in l["message"] for l in lines), lines
assert any("QM SA" in l["message"] and "established" in l["message"] for l in lines), lines
assert all(l["subsys"] == "ike" and l["seq"] > 0 for l in lines)' "$WORK/follow.out" || fail "log --follow: $(cat "$WORK/follow.out" "$WORK/follow.err")"
on A "$IPSECKIT_BIN/ikeview" log >"$WORK/a.events" || fail "ikeview log on A"
grep -q "established" "$WORK/a.events" || fail "A's log shows no established SA"
on A "$IPSECKIT_BIN/ikeview" log --json | python3 -c 'import json,sys; e=json.load(sys.stdin); assert e and all(x["subsys"]=="ike" for x in e)' ||
  fail "ikeview log --json"

# ---- 2. keys for Wireshark; decode and decrypt the capture
on A "$IPSECKIT_BIN/ikeview" keys --format wireshark-ike >"$WORK/ike.keys" || fail "ikeview keys (ike)"
grep -Eq '^[0-9a-f]{16},[0-9a-f]{48}$' "$WORK/ike.keys" || fail "ike keys: $(cat "$WORK/ike.keys")"
on A "$IPSECKIT_BIN/ikeview" keys --format wireshark-esp >"$WORK/esp.keys" || fail "ikeview keys (esp)"
[ "$(grep -c '"TripleDES-CBC \[RFC2451\]","0x[0-9a-f]\{48\}","HMAC-SHA-1-96 \[RFC2404\]","0x[0-9a-f]\{40\}"' "$WORK/esp.keys")" = 2 ] ||
  fail "esp keys: $(cat "$WORK/esp.keys")"
# both ends derived the same keys: A's outbound SA is B's inbound SA, line for line
on B "$IPSECKIT_BIN/ikeview" keys --format wireshark-esp >"$WORK/esp.keys.b" || fail "ikeview keys (esp) on B"
[ "$(sort "$WORK/esp.keys")" = "$(sort "$WORK/esp.keys.b")" ] || fail "ESP keys differ: $(cat "$WORK/esp.keys" "$WORK/esp.keys.b")"
if [ -n "$CAP" ]; then
  sleep 0.5; kill -INT "$TSHARK"; wait "$TSHARK" 2>/dev/null
  # ts FILTER [OPTS...]: the number of packets that match (a bad filter fails the test)
  ts() {
    local f=$1; shift
    tshark -r "$CAP" "$@" -Y "$f" >"$WORK/ts.out" 2>"$WORK/ts.err" || fail "tshark -Y '$f': $(cat "$WORK/ts.err")"
    wc -l <"$WORK/ts.out"
  }
  n=$(ts isakmp)
  [ "$n" -ge 9 ] || fail "capture holds $n ISAKMP packets, want >= 9 (6 MM + 3 QM)"
  bad=$(ts "_ws.malformed || _ws.expert.severity >= warning")
  [ "$bad" = 0 ] || fail "$bad malformed/expert-flagged packets: $(tshark -r "$CAP" -Y "_ws.malformed || _ws.expert.severity >= warning" -V 2>&1 | grep -i -E "expert|malformed" | head)"
  uat="uat:ikev1_decryption_table:$(head -1 "$WORK/ike.keys")"
  [ "$(ts "isakmp.exchangetype == 2 && isakmp.id.type")" = 0 ] || fail "Main Mode IDs readable without keys?"
  dec=$(ts "isakmp.exchangetype == 2 && isakmp.id.type == 1" -o "$uat")
  [ "$dec" = 2 ] || fail "tshark decrypted $dec Main Mode messages 5/6 with ikeview's keys, want 2"
  qm=$(ts "isakmp.exchangetype == 32 && isakmp.nonce" -o "$uat")
  [ "$qm" = 2 ] || fail "tshark decrypted $qm Quick Mode messages 1/2 with ikeview's keys, want 2"
  while read -r line; do
    tshark -r "$CAP" -o "esp.enable_encryption_decode:TRUE" -o "uat:esp_sa:$line" -c 1 >/dev/null 2>"$WORK/tshark.esp" ||
      fail "tshark refused the esp_sa line '$line': $(cat "$WORK/tshark.esp")"
  done <"$WORK/esp.keys"
  echo "tshark: $n ISAKMP packets, none malformed, MM5/6 and QM decrypted with ikeview keys"
else
  echo "tshark not installed: capture checks skipped"
fi

# ---- 2b. an acquire from the data plane on B (L2TP traffic to A): Quick Mode on the existing
# IKE SA, then the daemon deletes the acquire key
on B socat - "UNIX-CONNECT:$WORK/B.sock" >/dev/null <<<'{"id":1,"op":"put","key":"acquire/t1","value":{"src":"198.51.100.2","dst":"198.51.100.1","protocol":17,"src_port":1701,"dst_port":1701,"rule":"peer","created":0}}'
for _ in $(seq 100); do
  on B socat - "UNIX-CONNECT:$WORK/B.sock" <<<'{"id":1,"op":"get","key":"acquire/t1"}' | grep -q not_found && break; sleep 0.1
done
on B socat - "UNIX-CONNECT:$WORK/B.sock" <<<'{"id":1,"op":"get","key":"acquire/t1"}' | grep -q not_found ||
  fail "acquire/t1 was not consumed"
on B "$IPSECKIT_BIN/ikeview" log | grep -q "acquire acquire/t1: established" || fail "B's log: acquire not established"
[ "$(sa_json B | python3 -c 'import json,sys; s=json.load(sys.stdin); print(len([x for x in s if x["phase"]=="quick"]), len([x for x in s if x["phase"]=="main"]))')" = "2 1" ] ||
  fail "after the acquire B should hold 2 quick SAs on 1 main SA: $(sa_json B)"

# ---- 3. SIGTERM: A deletes its SAs (Delete to B) and every record it wrote
stop_ikeview A
left=$(on A socat - "UNIX-CONNECT:$WORK/A.sock" <<<'{"id":1,"op":"list","prefix":"","keys_only":true}' |
  python3 -c 'import json,sys; r=json.load(sys.stdin); print(" ".join(i["key"] for i in r["items"] if i["key"].startswith(("ike/","esp/sa/","secret/ike/","secret/esp/"))))')
[ -z "$left" ] || fail "records left on A after SIGTERM: $left"
for _ in $(seq 50); do [ "$(sa_json B | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0 ] && break; sleep 0.1; done
[ "$(sa_json B | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0 ] ||
  fail "B still lists SAs after A's Delete: $(sa_json B)"

# ---- 4. wrong PSK: the failure and its reason in the log
policy B "not-the-secret"
for _ in $(seq 50); do
  [ "$(on B "$IPSECKIT_BIN/ikeview" log | grep -c "SPD generation")" -ge 2 ] && break; sleep 0.1
done
start_ikeview A
on A "$IPSECKIT_BIN/ikeview" initiate --peer 198.51.100.2 --timeout 12 >/dev/null 2>"$WORK/initiate2.err" &&
  fail "initiate with a wrong PSK succeeded"
grep -q -E "failed|not complete" "$WORK/initiate2.err" || fail "initiate said: $(cat "$WORK/initiate2.err")"
on B "$IPSECKIT_BIN/ikeview" log >"$WORK/b.events"
on A "$IPSECKIT_BIN/ikeview" log >"$WORK/a.events2"
grep -i -E "pre-shared key|PSK" "$WORK/b.events" "$WORK/a.events2" | grep -q -i -E "fail|mismatch|wrong|differ|not verify" ||
  fail "no PSK failure reason in the logs: $(tail -n 5 "$WORK/b.events" "$WORK/a.events2")"
[ "$(sa_json A | python3 -c 'import json,sys; print(len([x for x in json.load(sys.stdin) if x["state"]=="established"]))')" = 0 ] ||
  fail "an SA came up with the wrong PSK"

stop_ikeview A; stop_ikeview B
echo "ikeview_pair: all checks passed"
