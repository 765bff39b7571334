#!/bin/bash
# espd with a Windows-style AH+ESP bundle (AH[SHA]+ESP[3DES,SHA], transport mode, raw AH
# outside ESP) and the acquire path: espd starts with the policy but no SAs; a ping posts
# acquire/<id> (src, dst, protocol, ports, rule, created) and is held; once the SAs are added
# with `espd sa add`, the held packets go out, the acquire is withdrawn, and ping and a TCP
# transfer (bytes compared) work, the capture showing only AH(ESP) between the hosts; a soft
# packet limit produces esp/expire/<spi> and counts a rekey; the hard one deletes the SA.
ESPD_TEST=espd-bundle
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"

start_agent A; start_agent B
for h in A B; do
  on $h "$IPSECKIT_BIN/ipsecpol" -w REG -p bundle -r peer -f 198.51.100.1+198.51.100.2 -n "AH[SHA]+ESP[3DES,SHA]" \
    -a "PRESHARE:unused" -x >>"$WORK/$h.ipsecpol.log" 2>&1 || fail "ipsecpol on $h"
done
start_espd A 0; start_espd B 0

start_capture A "$VA" veth.pcap

# No SA yet: the ping is held and an acquire is posted.
spawn A "$WORK/ping0.log" ping -c 1 -W 8 198.51.100.2
PING0=$!
PIDS="$PIDS $PING0"
acq=""
for _ in $(seq 50); do
  acq=$(store_list A acquire/)
  [ "$acq" != "{}" ] && break
  sleep 0.1
done
echo "$acq" | "$PY" -c '
import json, sys
a = json.load(sys.stdin); assert len(a) == 1, a
k, v = next(iter(a.items()))
assert k.startswith("acquire/"), k
want = {"src": "198.51.100.1", "dst": "198.51.100.2", "protocol": 1, "src_port": 0, "dst_port": 0, "rule": "peer"}
assert {x: v.get(x) for x in want} == want, v
assert isinstance(v["created"], int) and set(v) == set(want) | {"created"}, v' 2>"$WORK/acq.err" ||
  fail "acquire: $acq $(cat "$WORK/acq.err")"

ES=0011223344556677889900112233445566778899aabbccdd
sa() {  # sa HOST SPI AHSPI DIR SRC DST SEED [OPTION...]
  on "$1" "$IPSECKIT_BIN/espd" sa add "${@:8}" --spi "$2" --ah-spi "$3" --dir "$4" --src "$5" --dst "$6" \
    --enc 3DES --auth SHA --enc-key "$ES" --auth-key "${7}0102030405060708090a0b0c0d0e0f10111213" \
    --ah SHA --ah-key "${7}a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3" >>"$WORK/$1.sa.log" 2>&1 ||
    fail "espd sa add $2 on $1: $(cat "$WORK/$1.sa.log")"
}
sa B 0x5001 0x5002 in 198.51.100.1 198.51.100.2 11; sa B 0x6001 0x6002 out 198.51.100.2 198.51.100.1 22
sa A 0x6001 0x6002 in 198.51.100.2 198.51.100.1 22; sa A 0x5001 0x5002 out 198.51.100.1 198.51.100.2 11 --soft-packets 10 --hard-packets 600

wait $PING0 || fail "the held ping got no answer once the SAs existed: $(cat "$WORK/ping0.log")"
for _ in $(seq 30); do [ "$(store_list A acquire/)" = "{}" ] && break; sleep 0.1; done
[ "$(store_list A acquire/)" = "{}" ] || fail "the acquire was not withdrawn: $(store_list A acquire/)"

on A ping -c 3 -i 0.2 -W 2 198.51.100.2 >"$WORK/ping.log" 2>&1 || fail "ping through AH+ESP: $(cat "$WORK/ping.log")"
tcp_transfer 198.51.100.2 262144 "TCP transfer over AH+ESP"

sleep 0.5
kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null
tcpdump -n -r "$WORK/veth.pcap" 2>/dev/null | grep -v "ARP\|ICMP6\|IP6" >"$WORK/capture.txt"
grep -q "ICMP\|\.5001[: ]" "$WORK/capture.txt" && fail "clear traffic on the wire: $(grep "ICMP\|5001" "$WORK/capture.txt" | head -3)"
n_out=$(grep -c "198.51.100.1 > 198.51.100.2: AH(spi=0x00005002,.*ESP(spi=0x00005001" "$WORK/capture.txt")
n_back=$(grep -c "198.51.100.2 > 198.51.100.1: AH(spi=0x00006002,.*ESP(spi=0x00006001" "$WORK/capture.txt")
[ "$n_out" -ge 20 ] && [ "$n_back" -ge 4 ] || fail "too few AH+ESP packets ($n_out out, $n_back back): $(head -3 "$WORK/capture.txt")"

sleep 1.2
[ "$(stat A 'Acquires')" -ge 1 ] || fail "A: Acquires $(stat A 'Acquires')"
[ "$(stat A 'Pkts Held')" -ge 1 ] || fail "A: Pkts Held $(stat A 'Pkts Held')"
# The soft packet limit of A's outbound SA: a rekey event in the store, the SA still in use.
store_list A esp/expire/ | "$PY" -c '
import json, sys
e = json.load(sys.stdin)["esp/expire/00005001"]
assert (e["kind"], e["cause"], e["direction"]) == ("soft", "packets", "out"), e' 2>"$WORK/expire.err" ||
  fail "no soft lifetime event: $(store_list A esp/expire/) $(cat "$WORK/expire.err")"
[ "$(stat A 'ReKeys')" = 1 ] || fail "A: ReKeys $(stat A 'ReKeys')"
[ "$(stat B 'Authenticated Bytes Received')" -ge 262144 ] || fail "B: Authenticated Bytes Received too small"

# The hard packet limit: the SA stops, its records are deleted, espd says why.
on A ping -f -c 500 -W 1 198.51.100.2 >/dev/null 2>&1
for _ in $(seq 30); do [ "$(stat A 'Active Assoc')" = 1 ] && break; sleep 0.1; done
[ "$(stat A 'Active Assoc')" = 1 ] || fail "A: the SA outlived its hard limit ($(stat A 'Active Assoc') SAs)"
[ "$(stat A 'Key Deletes')" = 1 ] || fail "A: Key Deletes $(stat A 'Key Deletes')"
store_list A esp/sa/ | "$PY" -c 'import json,sys; assert list(json.load(sys.stdin)) == ["esp/sa/00006001"]' ||
  fail "A: records after the hard limit: $(store_list A esp/sa/)"
store_list A esp/expire/ | grep -q '"kind": "hard"' || fail "A: no hard lifetime event: $(store_list A esp/expire/)"
grep -q "SA 00005001 (out) reached its hard lifetime in packets" "$WORK/A.espd.log" || fail "A: hard limit not logged"

stop_espd A; stop_espd B
no_leftovers A; no_leftovers B
echo "espd_bundle: ok"
