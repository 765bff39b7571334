#!/bin/bash
# Phase-2 rekey in the middle of a TCP transfer (issue 4, part 4): ikeview + espd on two hosts
# (namespaces A, B on one veth), a mirrored transport policy ESP[AES128,SHA1] from ipsecpol.
# Both ikeviews run with the TEST-ONLY IKEVIEW_TEST_QM_LIFETIME=8 (Quick Mode SAs live 8 s;
# the initiator rekeys at 90 %, 7.2 s; see ikeview(8)). A rate-limited transfer of ~22 MB
# (about 2 MB/s, ~11 s) crosses the rekey: the bytes must arrive intact (sha256), the SPIs
# after the transfer must differ from those before on both sides (the old ones gone), the
# rekey must be logged, and espd may count at most a few packets with an unknown SPI.
ESPD_TEST=espd-rekey
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"
[ -x "$IPSECKIT_BIN/ikeview" ] || fail "no ikeview in $IPSECKIT_BIN"
LIFE=8

start_agent A; start_agent B
for h in A B; do
  on $h "$IPSECKIT_BIN/ipsecpol" -w REG -p rk -r peer -f 198.51.100.1+198.51.100.2 -n "ESP[AES128,SHA1]" \
    -a "PRESHARE:rekey-secret" -x >>"$WORK/$h.ipsecpol.log" 2>&1 || fail "ipsecpol on $h"
done
start_ikeview_both env IKEVIEW_TEST_QM_LIFETIME=$LIFE
for h in A B; do
  grep -q "TEST ONLY: Quick Mode lifetime $LIFE s" "$WORK/$h.ikeview.log" || fail "$h: ikeview ignored IKEVIEW_TEST_QM_LIFETIME"
done
start_espd A 0; start_espd B 0

spis() {  # spis A|B [rev]: the established quick-mode SAs' SPIs, "IN OUT" ("OUT IN" with rev), sorted, ";"-joined
  on "$1" "$IPSECKIT_BIN/ikeview" sa --json | "$PY" -c '
import json, sys
q = [x for x in json.load(sys.stdin) if x["phase"] == "quick" and x["state"] == "established"]
k = ("spi_out", "spi_in") if sys.argv[1:] == ["rev"] else ("spi_in", "spi_out")
print(";".join(sorted(" ".join(str(x[f]) for f in k) for x in q)) or "none")' ${2:-}
}
on A ping -c 6 -i 0.3 -W 5 -w 10 198.51.100.2 >"$WORK/ping0.log" 2>&1
grep -q "bytes from 198.51.100.2" "$WORK/ping0.log" || fail "no answer after the negotiation: $(cat "$WORK/ping0.log")"
before_a=$(spis A) before_b=$(spis B)
[ "$before_a" != none ] && [ "$before_b" != none ] || fail "no quick-mode SA: A '$before_a' B '$before_b'"
echo "before: A in/out $before_a, B in/out $before_b"

# ~22 MB at ~2 MB/s: 64 KiB writes, paced against the clock.
head -c 22020096 /dev/urandom >"$WORK/send.bin"
spawn B "$WORK/tcp.log" "$PY" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.51.100.2", 5001)); s.listen(1); s.settimeout(30)
c, _ = s.accept(); c.settimeout(30)
with open(sys.argv[1], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b: break
        f.write(b)
' "$WORK/recv.bin"
SRV=$!
PIDS="$PIDS $SRV"
for _ in $(seq 30); do on B ss -ltn | grep -q "198.51.100.2:5001" && break; sleep 0.1; done
t0=$SECONDS
on A "$PY" -c '
import socket, sys, time
data = open(sys.argv[1], "rb").read()
s = socket.create_connection(("198.51.100.2", 5001), timeout=30)
t0, rate, chunk = time.monotonic(), 2 * 1024 * 1024, 65536
for off in range(0, len(data), chunk):
    s.sendall(data[off:off + chunk])
    ahead = (off + chunk) / rate - (time.monotonic() - t0)
    if ahead > 0: time.sleep(ahead)
s.close()
' "$WORK/send.bin" 2>>"$WORK/tcp.log" || fail "TCP client: $(cat "$WORK/tcp.log")"
wait $SRV || fail "TCP server: $(cat "$WORK/tcp.log")"
secs=$((SECONDS - t0))
[ "$(sha256sum <"$WORK/send.bin")" = "$(sha256sum <"$WORK/recv.bin")" ] ||
  fail "transfer across the rekey: sha256 differs ($(wc -c <"$WORK/recv.bin") of 22020096 bytes arrived)"
echo "ok: 22020096 bytes in $secs s across the rekey, sha256 identical"

grep -q "lifetime nearly over: rekeying" "$WORK/A.ikeview.log" || fail "A (the initiator) logged no rekey"
n_rekeys=$(grep -c "lifetime nearly over: rekeying" "$WORK/A.ikeview.log")
# Once the old SAs are gone (hard lifetime 8 s) both sides hold the same new pair(s), mirrored.
for _ in $(seq 40); do
  after_a=$(spis A) after_b=$(spis B rev)
  [ "$after_a" = "$after_b" ] && ! echo "$after_a" | grep -q "${before_a%% *}" && break
  sleep 0.1
done
echo "after: A in/out $after_a, B out/in $after_b ($n_rekeys rekeys)"
[ "$after_a" = "$after_b" ] || fail "the SPIs do not pair up after the rekey: A $after_a, B (out in) $after_b"
[ "$after_a" != none ] || fail "no quick-mode SA left after the rekey"
for h in A B; do
  for spi in $before_a; do
    on $h "$IPSECKIT_BIN/ikeview" sa --json | grep -q "\"$spi\"" && fail "$h: old SPI $spi still listed by ikeview"
    store_list $h esp/sa/ | grep -q "esp/sa/0*$spi" && fail "$h: old SPI $spi still in espd's table"
  done
  bad=$(stat $h 'Bad SPI Pkts')
  [ "$bad" -le 5 ] || fail "$h: $bad packets with an unknown SPI during the rekey"
  echo "ok: $h: old SPIs gone, $bad Bad SPI Pkts"
done
on A ping -c 2 -i 0.2 -W 2 198.51.100.2 >"$WORK/ping1.log" 2>&1 || fail "ping over the new SAs: $(cat "$WORK/ping1.log")"

stop_espd A; stop_espd B
stop_ikeview A B
no_leftovers A; no_leftovers B
echo "espd_rekey: ok"
