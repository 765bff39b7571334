#!/bin/bash
# ikeview against a real strongSwan 5.9 charon in IKEv1 Aggressive Mode (RFC 2409 5, PSK;
# charon: aggressive = yes and i_dont_care_about_security_and_use_aggressive_mode_psk),
# tunnel mode, in network namespaces this test creates:
#   ssw-p$$: charon, 198.51.100.1, subnet 203.0.113.0/24 (203.0.113.1 on lo)
#   ssw-d$$: policyagent + ikeview, 198.51.100.2, subnet 192.0.2.0/24 (192.0.2.1 on lo)
# The rules get "aggressive_mode": true through ipsecpol export/import (JSON form only).
# 1. ikeview initiates Aggressive Mode: phase 1 + phase 2 on both sides; ikeview sa --json
#    says "exchange": "aggressive".
# 2. strongSwan deletes, then initiates Aggressive Mode: ikeview answers it (and sees
#    strongSwan's message 3 encrypted; RFC 2409 5.4 draws it in clear).
# 3. The rules lose "aggressive_mode": strongSwan's Aggressive Mode fails, ikeview's log names
#    Aggressive Mode and the rule, and `ikeview sa` holds nothing.
# Exit 77 (skip) only when strongSwan is not installed and cannot be installed.
# Setup from lib/ikeview-ssw.bash.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/ikeview-ssw.bash"
ikv_init am
ikv_setup
ikv_policy "AES128-SHA-14" "ESP[AES128,SHA]"
# The JSON form's rule field (Windows syntax has none): both rules may use Aggressive Mode.
on "$IPSECKIT_BIN/ipsecpol" export --policy gw --secrets -o "$WORK/gw.json" 2>>"$WORK/ipsecpol.log" || fail "export"
python3 - "$WORK/gw.json" <<'PY' || fail "edit JSON"
import json, sys
j = json.load(open(sys.argv[1]))
for p in j["policies"]:
    for r in p["rules"]:
        r["aggressive_mode"] = True
json.dump(j, open(sys.argv[1], "w"), indent=2)
PY
on "$IPSECKIT_BIN/ipsecpol" import "$WORK/gw.json" --replace >>"$WORK/ipsecpol.log" 2>&1 || fail "import: $(tail -3 "$WORK/ipsecpol.log")"
on "$IPSECKIT_BIN/ipsecpol" export --policy gw | grep -q '"aggressive_mode": true' || fail "aggressive_mode not stored"
ikv_daemon
ssw_up --ike aes128-sha1-modp2048 --esp aes128-sha1 --aggressive
exchange() {  # the established phase-1 record's "exchange"
  on "$IPSECKIT_BIN/ikeview" sa --json |
    python3 -c 'import json,sys; print(",".join(x.get("exchange","?") for x in json.load(sys.stdin) if x["phase"]=="main" and x["state"]=="established"))'
}

# ---- 1. ikeview initiates Aggressive Mode
on "$IPSECKIT_BIN/ikeview" initiate --peer 198.51.100.1 --rule out --timeout 15 >"$WORK/init.out" 2>"$WORK/init.err" ||
  fail "initiate: $(cat "$WORK/init.err")"
for _ in $(seq 50); do grep -q "CHILD_SA net{[0-9]*} established" "$CLOG" && break; sleep 0.1; done
grep -q "IKE_SA peer\[[0-9]*\] established between 198.51.100.1" "$CLOG" || fail "strongSwan: no IKE SA"
grep -q "CHILD_SA net{[0-9]*} established" "$CLOG" || fail "strongSwan: no CHILD SA"
grep -q "parsed AGGRESSIVE request 0 \[ SA KE No ID" "$CLOG" || fail "strongSwan did not get Aggressive Mode message 1"
grep -q "parsed AGGRESSIVE request 0 \[ HASH" "$CLOG" || fail "strongSwan did not parse our (encrypted) message 3"
[ "$(sa_count main)" = 1 ] && [ "$(sa_count quick)" = 1 ] || fail "ikeview sa: $(on "$IPSECKIT_BIN/ikeview" sa)"
[ "$(exchange)" = aggressive ] || fail "exchange: $(exchange)"

# ---- 2. strongSwan tears down, then initiates Aggressive Mode
"$PEER" terminate "$NP" >/dev/null 2>&1
for _ in $(seq 50); do [ "$(sa_count main)" = 0 ] && break; sleep 0.1; done
[ "$(sa_count main)" = 0 ] || fail "records left after strongSwan's Delete: $(on "$IPSECKIT_BIN/ikeview" sa)"
"$PEER" initiate "$NP" >"$WORK/ssw-init.log" 2>&1 || fail "strongSwan initiate: $(tail -5 "$WORK/ssw-init.log")"
for _ in $(seq 50); do [ "$(sa_count quick)" = 1 ] && break; sleep 0.1; done
[ "$(sa_count main)" = 1 ] && [ "$(sa_count quick)" = 1 ] || fail "ikeview as responder: $(on "$IPSECKIT_BIN/ikeview" sa)"
[ "$(exchange)" = aggressive ] || fail "exchange (responder): $(exchange)"
grep -q "parsed AGGRESSIVE response 0 \[ SA KE No ID HASH" "$CLOG" || fail "strongSwan did not get our message 2"
on "$IPSECKIT_BIN/ikeview" log 2>/dev/null | grep -q "is initiating Aggressive Mode" || fail "ikeview log: no Aggressive Mode responder line"
# RFC 2409 5.4 draws message 3 in clear; strongSwan sends it encrypted (we accept both).
on "$IPSECKIT_BIN/ikeview" log 2>/dev/null | grep -q "processed Aggressive Mode message 3 (encrypted)" ||
  fail "ikeview log: strongSwan's message 3 not seen encrypted"

# ---- 3. the rule without aggressive_mode: strongSwan's Aggressive Mode is refused, no SA
"$PEER" terminate "$NP" >/dev/null 2>&1
for _ in $(seq 50); do [ "$(sa_count main)" = 0 ] && break; sleep 0.1; done
ikv_stop_daemon
python3 - "$WORK/gw.json" <<'PY' || fail "edit JSON"
import json, sys
j = json.load(open(sys.argv[1]))
for p in j["policies"]:
    for r in p["rules"]:
        r.pop("aggressive_mode", None)
json.dump(j, open(sys.argv[1], "w"), indent=2)
PY
on "$IPSECKIT_BIN/ipsecpol" import "$WORK/gw.json" --replace >>"$WORK/ipsecpol.log" 2>&1 || fail "re-import: $(tail -3 "$WORK/ipsecpol.log")"
ikv_daemon
"$PEER" initiate "$NP" --timeout 10 >"$WORK/ssw-refused.log" 2>&1 && fail "strongSwan's Aggressive Mode was answered: $(tail -3 "$WORK/ssw-refused.log")"
refused=$(on "$IPSECKIT_BIN/ikeview" log 2>/dev/null | grep "started Aggressive Mode; rule '" | head -1)
case $refused in
  *"198.51.100.1:500 started Aggressive Mode; rule '"*"' does not allow it"*) ;;
  *) fail "ikeview log does not name Aggressive Mode and the rule: '$refused'";;
esac
[ "$(sa_json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0 ] ||
  fail "ikeview sa after the refusal: $(on "$IPSECKIT_BIN/ikeview" sa)"
# (charon names IKEv1 notify 7, INVALID-EXCHANGE-TYPE, by its IKEv2 name INVALID_SYNTAX)
grep -q "received INVALID_SYNTAX error notify" "$CLOG" && grep -q "CONNECTING => DESTROYING" "$CLOG" ||
  fail "charon log shows no refusal: $(tail -5 "$CLOG")"

ikv_stop_daemon
echo "strongswan_aggressive: all checks passed"
