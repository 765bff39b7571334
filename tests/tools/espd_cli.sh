#!/bin/bash
# espd sa add|del|list against a private agent (no root needed): each bad option is named with
# exit 2, store failures exit 1, add is all-or-nothing (both records or none), list never shows
# key material, and the records follow esp/sa_record.h.
set -eu
. "$(dirname "$0")/lib.bash"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=$(command -v python3)
start_agent cli
use_agent cli
E="$IPSECKIT_BIN/espd"
K16=000102030405060708090a0b0c0d0e0f K20=101112131415161718191a1b1c1d1e1f20212223
BASE=(--spi 0x1001 --dir out --src 198.51.100.1 --dst 198.51.100.2)

# expect RC PATTERN CMD...: runs CMD; its exit status must be RC and its stderr match PATTERN.
expect() {
  local want=$1 pat=$2; shift 2
  set +e
  "$@" >"$WORK/out" 2>"$WORK/err"
  local rc=$?
  set -e
  [ "$rc" = "$want" ] || fail "$* -> exit $rc (want $want): $(cat "$WORK/err")"
  grep -q -- "$pat" "$WORK/err" || fail "$* -> stderr lacks '$pat': $(cat "$WORK/err")"
}
expect 2 "--dir 'up': in or out" "$E" sa add --spi 1001 --dir up --src 198.51.100.1 --dst 198.51.100.2 --enc null --auth sha1
expect 2 "--spi 'xyz'" "$E" sa add --spi xyz --dir out --src 198.51.100.1 --dst 198.51.100.2 --enc null --auth sha1
expect 2 "--spi '0x10': SPIs 0..255 are reserved" "$E" sa add --spi 0x10 --dir out --src 198.51.100.1 --dst 198.51.100.2 --enc null --auth sha1
expect 2 "--src '198.51.100.300'" "$E" sa add --spi 1001 --dir out --src 198.51.100.300 --dst 198.51.100.2 --enc null --auth sha1
expect 2 "--dst: address family" "$E" sa add "${BASE[@]/198.51.100.2/2001:db8::2}" --enc null --auth sha1
expect 2 "--enc 'rc4': unknown cipher" "$E" sa add "${BASE[@]}" --enc rc4 --auth sha1
expect 2 "--auth 'crc': unknown integrity" "$E" sa add "${BASE[@]}" --enc aes-128-cbc --auth crc
expect 2 "--enc-key: 2 bytes, the algorithm needs 16" "$E" sa add "${BASE[@]}" --enc aes-128-cbc --auth sha1 --enc-key 0001 --auth-key $K20
expect 2 "--auth-key: not hex" "$E" sa add "${BASE[@]}" --enc aes-128-cbc --auth sha1 --enc-key $K16 --auth-key zz
expect 1 "--enc-key: cannot read" "$E" sa add "${BASE[@]}" --enc aes-128-cbc --auth sha1 --enc-key @/nonexistent/key --auth-key $K20
expect 2 "--encap 'tcp'" "$E" sa add "${BASE[@]}" --enc aes-128-cbc --auth sha1 --enc-key $K16 --auth-key $K20 --encap tcp
expect 2 "--encap: UDP encapsulation needs ESP" "$E" sa add "${BASE[@]}" --ah sha1 --ah-key $K20 --encap udp
expect 2 "--ah-spi: missing" "$E" sa add "${BASE[@]}" --enc 3des-cbc --auth sha1 --enc-key ${K16}0011223344556677 --auth-key $K20 --ah sha1 --ah-key $K20
expect 2 "--replay-window 32" "$E" sa add "${BASE[@]}" --enc aes-128-cbc --auth sha1 --enc-key $K16 --auth-key $K20 --replay-window 32
expect 2 "--mode 'beet'" "$E" sa add "${BASE[@]}" --mode beet --enc null --auth sha1
expect 2 "--local-net and --remote-net go together" "$E" sa add "${BASE[@]}" --enc null --auth sha1 --auth-key $K20 --local-net 192.0.2.0/24
expect 2 "name the algorithms" "$E" sa add "${BASE[@]}"
expect 2 "spi is required\|spi" "$E" sa del
expect 2 "--secrets needs --json" "$E" sa list --secrets
# Nothing was written by the failures.
[ "$("$E" sa list)" = "" ] || fail "failed adds left records: $("$E" sa list)"

# A good add: GCM (key || salt), UDP encapsulation with ports, selectors, rule, lifetimes.
"$E" sa add --spi 0xC0FFEE01 --dir in --src 198.51.100.2 --dst 198.51.100.1 --enc aes-128-gcm \
  --enc-key 000102030405060708090a0b0c0d0e0f10111213 --encap udp:4500:31337 --esn --replay-window 1024 \
  --local-net 198.51.100.1/32 --remote-net 198.51.100.0/24 --proto 17 --local-port 1701 --rule l2tp \
  --soft-seconds 2700 --hard-seconds 3600
expect 1 "an SA with this SPI exists" "$E" sa add --spi c0ffee01 --dir in --src 198.51.100.2 --dst 198.51.100.1 \
  --enc aes-128-gcm --enc-key 000102030405060708090a0b0c0d0e0f10111213
"$E" sa list >"$WORK/list.txt"
grep -q '^c0ffee01 in  transport 198.51.100.2 -> 198.51.100.1 esp aes-128-gcm/none udp 4500:31337 sel 198.51.100.1/32<->198.51.100.0/24 rule l2tp (manual)$' \
  "$WORK/list.txt" || fail "list text: $(cat "$WORK/list.txt")"
"$E" sa list --json >"$WORK/list.json"
"$PY" - "$WORK/list.json" <<'PYEOF' || fail "list --json: $(cat "$WORK/list.json")"
import json, sys
l = json.load(open(sys.argv[1]))
assert len(l) == 1
r = l[0]
assert r["key"] == "esp/sa/c0ffee01" and r["spi"] == "c0ffee01" and r["direction"] == "in" and r["origin"] == "manual"
assert r["local"] == "198.51.100.1" and r["peer"] == "198.51.100.2" and r["mode"] == "transport"
assert r["esp"] == {"spi": "c0ffee01", "cipher": "aes-128-gcm", "integrity": "none"}
assert r["udp_encap"] == {"local_port": 4500, "remote_port": 31337}
assert r["esn"] is True and r["replay_window"] == 1024 and r["rule"] == "l2tp"
assert r["selectors"] == {"local": "198.51.100.1/32", "remote": "198.51.100.0/24", "protocol": 17, "local_port": 1701, "remote_port": 0}
assert r["lifetime"]["soft_seconds"] == 2700 and r["lifetime"]["hard_seconds"] == 3600
assert "secret" not in r and "key" not in json.dumps(r).replace('"key"', "")
PYEOF
if [ "$(id -u)" = 0 ]; then
  "$E" sa list --json --secrets | grep -q '"encryption_key": "000102030405060708090a0b0c0d0e0f10111213"' ||
    fail "list --secrets lacks the key"
fi
"$E" sa del C0FFEE01
expect 1 "no SA esp/sa/c0ffee01" "$E" sa del c0ffee01
[ "$("$E" sa list)" = "" ] || fail "sa del left records"
echo "espd_cli: ok"
