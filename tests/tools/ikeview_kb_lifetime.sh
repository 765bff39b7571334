#!/bin/bash
# Kilobyte lifetimes (RFC 2407 4.5, RFC 4301 4.4.2.1): ikeview + espd on two hosts (two
# namespaces, 198.51.100.1 <-> .2), a PSK transport policy with ESP AES-128/SHA-1 and a
# 20480 KB phase-2 lifetime (ipsecpol's minimum). espd counts the bytes and writes
# esp/expire/<spi> at 90% (soft); ikeview rekeys that Quick Mode SA (a new SPI pair) and
# deletes the record. Checks: after a 22 MiB TCP transfer (bytes compared) A's log shows the
# soft event and the rekey, A has an SA with new SPIs, no esp/expire/ record is left for
# ikeview's SAs, and ping still works over the new SA.
ESPD_TEST=ikeview-kb
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"

start_agent A; start_agent B
for h in A B; do
  on $h "$IPSECKIT_BIN/ipsecpol" -w REG -p kb -r peer -f 198.51.100.1+198.51.100.2 -n "ESP[AES128,SHA]20480K" \
    -a "PRESHARE:kb-secret" -x >>"$WORK/$h.ipsecpol.log" 2>&1 || fail "ipsecpol on $h"
done
start_ikeview_both
start_espd A 0; start_espd B 0
on A ping -c 4 -i 0.3 -W 10 -w 12 198.51.100.2 >"$WORK/ping0.log" 2>&1
grep -q "bytes from 198.51.100.2" "$WORK/ping0.log" || fail "no answer after the negotiation: $(cat "$WORK/ping0.log")"
spis() { on A "$IPSECKIT_BIN/ikeview" sa --json | "$PY" -c '
import json,sys; print(" ".join(sorted(x["spi_in"] + "/" + x["spi_out"] for x in json.load(sys.stdin) if x["phase"] == "quick")))'; }
first=$(spis)
[ -n "$first" ] || fail "no quick SA on A"
on A "$IPSECKIT_BIN/ikeview" sa --json | "$PY" -c '
import json,sys; q=[x for x in json.load(sys.stdin) if x["phase"]=="quick"]; print(q)' >"$WORK/sa0.txt"

# 22 MiB A -> B, more than the 20480 KB lifetime
head -c $((22 * 1024 * 1024)) /dev/urandom >"$WORK/send.bin"
spawn B "$WORK/tcp.log" "$PY" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.51.100.2", 5002)); s.listen(1); s.settimeout(25)
c, _ = s.accept(); c.settimeout(25)
with open(sys.argv[1], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b: break
        f.write(b)
' "$WORK/recv.bin"
SRV=$!; PIDS="$PIDS $SRV"
sleep 0.3
t0=$(date +%s.%N)
on A "$PY" -c '
import socket, sys
s = socket.create_connection(("198.51.100.2", 5002), timeout=25)
s.sendall(open(sys.argv[1], "rb").read()); s.close()
' "$WORK/send.bin" || fail "TCP transfer failed"
wait "$SRV"
t1=$(date +%s.%N)
cmp -s "$WORK/send.bin" "$WORK/recv.bin" || fail "the transfer arrived damaged ($(stat -c %s "$WORK/recv.bin") bytes)"
echo "22 MiB transferred in $("$PY" -c "print(f'{$t1-$t0:.1f}')") s"

for _ in $(seq 50); do
  on A "$IPSECKIT_BIN/ikeview" log | grep -q "rekeyed" && break; sleep 0.1
done
on A "$IPSECKIT_BIN/ikeview" log >"$WORK/a.events"
grep -q "reached its soft lifetime (bytes): rekeying" "$WORK/a.events" || fail "A's ikeview saw no soft kB event: $(tail -n 20 "$WORK/a.events")"
grep -q "rekeyed" "$WORK/a.events" || fail "A did not rekey: $(tail -n 20 "$WORK/a.events")"
now=$(spis)
"$PY" - "$first" "$now" <<'PY' || fail "no new SPIs after the rekey: before '$first', now '$now'"
import sys
before, now = set(sys.argv[1].split()), set(sys.argv[2].split())
assert now - before, (before, now)
PY
for h in A B; do
  left=$(store_list $h esp/expire/ | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')
  [ "$left" = 0 ] || fail "$h: esp/expire/ records left: $(store_list $h esp/expire/)"
done
on A ping -c 3 -i 0.2 -W 2 198.51.100.2 >"$WORK/ping1.log" 2>&1 || fail "ping after the rekey: $(cat "$WORK/ping1.log")"
echo "ikeview_kb_lifetime: all checks passed (SPIs before: $first; after: $now)"
