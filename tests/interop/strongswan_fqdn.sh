#!/bin/bash
# ikeview against a real strongSwan 5.9 charon with FQDN identities (RFC 2407 4.6.2.1 ID_FQDN;
# the rules' JSON fields "local_id"/"peer_id"), PSK, tunnel mode, in namespaces this test makes:
#   ssw-p$$: charon "ssw.example.com", 198.51.100.1, subnet 203.0.113.0/24
#   ssw-d$$: policyagent + ikeview "dut.example.com", 198.51.100.2, subnet 192.0.2.0/24
# 1. ikeview initiates Main Mode: both sides established; charon names both FQDNs, and
#    ikeview sa --json has local_id/peer_id = the FQDNs (the log's "peer ID" too).
# 2. strongSwan initiates Main Mode: the same, ikeview as responder.
# 3. Our rules name another peer ("other.example.com"; no charon restart): strongSwan's Main
#    Mode as ssw.example.com is refused after the keys with INVALID-ID-INFORMATION (sent on
#    4500, where message 5 came from); ikeview's log names the ID and the rule; no SA.
# 4. Aggressive Mode, picking the rule (and PSK) by ID: a decoy rule for the same peer address
#    comes first, with peer_id road.example.com and another PSK; strongSwan's AM as
#    ssw.example.com is answered with the real rule (in/out), and both sides hold the SA.
# 5. No rule names ssw.example.com any more: strongSwan's AM is refused before any keys, and
#    the log names the ID and the rule the address alone picks (the decoy: so 4 is a real test).
# Exit 77 (skip) only when strongSwan is not installed and cannot be installed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/ikeview-ssw.bash"
ikv_init fq
ikv_setup
ikv_policy "AES128-SHA-14" "ESP[AES128,SHA]"
ikv_edit_policy '
for r in rules:
    r["local_id"], r["peer_id"] = "fqdn:dut.example.com", "fqdn:ssw.example.com"'
ikv_daemon
SSW_ID=(--id @ssw.example.com --peer-id @dut.example.com --ike aes128-sha1-modp2048 --esp aes128-sha1)
ssw_up "${SSW_ID[@]}"
ids_ok() {  # our one established phase-1 SA carries both FQDNs, under rule in or out
  sa_json | python3 -c '
import json,sys
m=[x for x in json.load(sys.stdin) if x["phase"]=="main" and x["state"]=="established"]
assert len(m)==1, m
m=m[0]
assert (m["peer_id"], m["local_id"]) == ("ID_FQDN ssw.example.com", "ID_FQDN dut.example.com"), m
assert m["rule"] in ("in", "out"), m["rule"]'
}
log_line() {  # log_line TEXT: the first line of our event log containing TEXT (waits up to 3 s)
  local l
  for _ in $(seq 30); do
    l=$(on "$IPSECKIT_BIN/ikeview" log 2>/dev/null | grep -F "$1" | head -1)
    [ -n "$l" ] && break; sleep 0.1
  done
  echo "$l"
}
expect_refused() {  # expect_refused TEXT PATTERN WHAT: our log's line with TEXT matches the glob
  # PATTERN (it names the ID and the rule), and ikeview holds no SA after the WHAT
  local refused
  refused=$(log_line "$1")
  # shellcheck disable=SC2254  # PATTERN is a glob on purpose
  case $refused in
    $2) ;;
    *) fail "ikeview log does not name the ID and the rule of the $3: '$refused'";;
  esac
  [ "$(sa_json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0 ] ||
    fail "ikeview sa after the $3: $(on "$IPSECKIT_BIN/ikeview" sa)"
}
ssw_est() {  # charon's line for an IKE SA between the two FQDNs
  grep -c "IKE_SA peer\[[0-9]*\] established between 198.51.100.1\[ssw.example.com\]...198.51.100.2\[dut.example.com\]" "$CLOG"
}

# ---- 1. ikeview initiates Main Mode
on "$IPSECKIT_BIN/ikeview" initiate --peer 198.51.100.1 --rule out --timeout 15 >"$WORK/init.out" 2>"$WORK/init.err" ||
  fail "initiate: $(cat "$WORK/init.err")"
for _ in $(seq 50); do grep -q "CHILD_SA net{[0-9]*} established" "$CLOG" && break; sleep 0.1; done
[ "$(ssw_est)" = 1 ] || fail "strongSwan: no IKE SA between the FQDNs"
grep -q "CHILD_SA net{[0-9]*} established" "$CLOG" || fail "strongSwan: no CHILD SA"
wait_count quick 1 50 || fail "ikeview sa: $(on "$IPSECKIT_BIN/ikeview" sa)"
ids_ok || fail "IDs (initiator): $(sa_json)"
on "$IPSECKIT_BIN/ikeview" log 2>/dev/null | grep -q "initiated with 198.51.100.1.*peer ID .*ssw.example.com" ||
  fail "ikeview log: no established line naming ssw.example.com"

# ---- 2. strongSwan initiates Main Mode
"$PEER" terminate "$NP" >/dev/null 2>&1
wait_count main 0 50 || fail "records left after strongSwan's Delete: $(on "$IPSECKIT_BIN/ikeview" sa)"
"$PEER" initiate "$NP" >"$WORK/ssw-init.log" 2>&1 || fail "strongSwan initiate: $(tail -5 "$WORK/ssw-init.log")"
wait_count quick 1 50 || fail "ikeview as responder: $(on "$IPSECKIT_BIN/ikeview" sa)"
[ "$(ssw_est)" = 2 ] || fail "strongSwan: no second IKE SA between the FQDNs"
ids_ok || fail "IDs (responder): $(sa_json)"
on "$IPSECKIT_BIN/ikeview" log 2>/dev/null | grep -q "responded with 198.51.100.1.*peer ID .*ssw.example.com" ||
  fail "ikeview log: no responder line naming ssw.example.com"

# ---- 3. our rules name another peer: strongSwan's Main Mode is refused after the keys, no SA
"$PEER" terminate "$NP" >/dev/null 2>&1
wait_count main 0 50 || fail "records left after the second Delete: $(on "$IPSECKIT_BIN/ikeview" sa)"
ikv_edit_policy '
for r in rules:
    r["peer_id"] = "fqdn:other.example.com"'
"$PEER" initiate "$NP" --timeout 3 >"$WORK/ssw-refused.log" 2>&1 && fail "strongSwan got an SA the rules refuse"
expect_refused "authenticated as ID_FQDN ssw.example.com, but" \
  "*Main Mode message 5: the peer authenticated as ID_FQDN ssw.example.com, but rule '*' names its peer ID_FQDN other.example.com*" \
  "Main Mode refusal"
for _ in $(seq 30); do grep -q "received INVALID_ID_INFORMATION error notify" "$CLOG" && break; sleep 0.1; done
grep -q "received INVALID_ID_INFORMATION error notify" "$CLOG" || fail "charon did not get INVALID-ID-INFORMATION"
# our notify answers message 5 where it came from: port 4500 after the float (RFC 3947 4)
grep -B3 "parsed INFORMATIONAL_V1 request [0-9]* \[ HASH N(INVAL_ID) \]" "$CLOG" |
  grep -q "received packet: from 198.51.100.2\[4500\] to 198.51.100.1\[4500\]" || fail "INVALID-ID notify not on port 4500"
[ "$(ssw_est)" = 2 ] || fail "charon established an IKE SA the rules refuse"

# ---- 4. Aggressive Mode: the rule and its PSK chosen by strongSwan's ID
on "$IPSECKIT_BIN/ipsecpol" -w REG -p gw -r decoy -f 192.0.2.0/255.255.255.0=203.0.113.77 -t 198.51.100.1 \
  -n "ESP[AES128,SHA]" -a "PRESHARE:decoy-key" -1s AES128-SHA-14 >>"$WORK/ipsecpol.log" 2>&1 || fail "ipsecpol decoy"
ikv_edit_policy '
d = [r for r in rules if r["name"] == "decoy"][0]
rules.remove(d)
rules.insert(0, d)
for r in rules:
    r["aggressive_mode"] = True
    r["peer_id"] = "fqdn:ssw.example.com"
d["peer_id"] = "fqdn:road.example.com"'
ssw_up --aggressive "${SSW_ID[@]}"
"$PEER" initiate "$NP" >"$WORK/ssw-am.log" 2>&1 || fail "strongSwan AM initiate: $(tail -5 "$WORK/ssw-am.log")"
wait_count quick 1 50 || fail "ikeview as AM responder: $(on "$IPSECKIT_BIN/ikeview" sa)"
[ "$(mm_field exchange)" = aggressive ] || fail "exchange: $(mm_field exchange)"
ids_ok || fail "IDs (AM responder): $(sa_json)"
grep -q "parsed AGGRESSIVE response 0 \[ SA KE No ID HASH" "$CLOG" || fail "strongSwan did not get our AM message 2"
[ "$(ssw_est)" = 1 ] || fail "strongSwan: no AM IKE SA between the FQDNs"

# ---- 5. no rule names strongSwan's ID: its Aggressive Mode is refused on message 1
"$PEER" terminate "$NP" >/dev/null 2>&1
wait_count main 0 50 || fail "records left after the AM Delete: $(on "$IPSECKIT_BIN/ikeview" sa)"
ikv_edit_policy '
for r in rules[1:]:
    r["peer_id"] = "fqdn:other.example.com"'
"$PEER" initiate "$NP" --timeout 3 >"$WORK/ssw-am-refused.log" 2>&1 && fail "strongSwan's AM got an SA the rules refuse"
expect_refused "started Aggressive Mode as ID_FQDN ssw.example.com" \
  "*no rule covering it names that identity (rule 'decoy' expects ID_FQDN road.example.com)*" \
  "Aggressive Mode refusal"

ikv_stop_daemon
echo "strongswan_fqdn: all checks passed"
