#!/bin/bash
# espd --workers 2 on both hosts (issue 4: one worker per core, multi-queue TUN): manual
# transport-mode ESP-in-UDP SAs as espd_manual.sh, espd owning UDP 4500 (--natt bind, one
# SO_REUSEPORT socket per worker). Checks: ping; 8 TCP transfers each way at once, on
# different ports so the TUN's steering spreads them over both queues, every byte compared;
# on each host both workers read packets from their TUN queue; the SA counters (summed over
# the workers under their locks) equal the sum of the workers' own TUN counts, and the peer
# received no more than was sent, with no replay or authentication failure (sequence numbers
# unique across the workers); SIGTERM joins the workers (each logs its count) and leaves no
# TUN, rule or route behind.
ESPD_TEST=espd-workers
# shellcheck source=espd_lib.bash
. "$(dirname "$0")/espd_lib.bash"

start_agent A; start_agent B
peer_policy
manual_sas

on A "$IPSECKIT_BIN/espd" --workers 0 2>"$WORK/usage.err"; [ $? = 2 ] || fail "--workers 0 must exit 2"
grep -q "'0'" "$WORK/usage.err" || fail "--workers 0: the error does not name the token: $(cat "$WORK/usage.err")"

ESPD_ARGS="--natt bind --workers 2"
start_espd A; start_espd B
grep -q "2 workers" "$WORK/A.espd.log" || fail "A: espd did not start 2 workers"

on A ping -c 3 -i 0.2 -W 2 198.51.100.2 >"$WORK/ping.log" 2>&1 || fail "ping through ESP: $(cat "$WORK/ping.log")"

# flows HOST PEER BASEPORT: serves 8 ports on PEER, sends 256 KiB of random bytes to each from
# HOST at once; prints "port sha256 length" per flow on each side.
N=8 SIZE=262144
serve() {  # serve HOST ADDR BASEPORT OUT
  spawn "$1" "$4" "$PY" -c '
import hashlib, socket, sys, threading
addr, base, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out, socks = [], []
for i in range(n):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, base + i)); s.listen(1); s.settimeout(30); socks.append(s)
def one(s):
    c, _ = s.accept(); c.settimeout(30); h = hashlib.sha256(); k = 0
    while True:
        b = c.recv(65536)
        if not b: break
        h.update(b); k += len(b)
    out.append("%d %s %d" % (s.getsockname()[1], h.hexdigest(), k))
ts = [threading.Thread(target=one, args=(s,)) for s in socks]
[t.start() for t in ts]; [t.join() for t in ts]
print("\n".join(sorted(out)))' "$2" "$3" $N
}
send() {  # send HOST ADDR BASEPORT OUT
  spawn "$1" "$4" "$PY" -c '
import hashlib, os, socket, sys, threading
addr, base, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
out = []
def one(i):
    d = os.urandom(size)
    s = socket.create_connection((addr, base + i), timeout=30); s.sendall(d); s.close()
    out.append("%d %s %d" % (base + i, hashlib.sha256(d).hexdigest(), len(d)))
ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
[t.start() for t in ts]; [t.join() for t in ts]
print("\n".join(sorted(out)))' "$2" "$3" $N $SIZE
}
serve B 198.51.100.2 5101 "$WORK/srvB.out"; SB=$!
serve A 198.51.100.1 5201 "$WORK/srvA.out"; SA=$!
PIDS="$PIDS $SB $SA"
for _ in $(seq 100); do
  [ "$(on B ss -ltn | grep -c ':51[0-9][0-9] ')" = $N ] && [ "$(on A ss -ltn | grep -c ':52[0-9][0-9] ')" = $N ] && break
  sleep 0.05
done
send A 198.51.100.2 5101 "$WORK/cliA.out"; CA=$!
send B 198.51.100.1 5201 "$WORK/cliB.out"; CB=$!
PIDS="$PIDS $CA $CB"
for p in $CA $CB $SB $SA; do wait "$p" || fail "a TCP transfer failed (pid $p)"; done
for pair in "cliA srvB" "cliB srvA"; do
  set -- $pair
  [ "$(wc -l <"$WORK/$1.out")" = $N ] || fail "$1: $(cat "$WORK/$1.out")"
  cmp -s "$WORK/$1.out" "$WORK/$2.out" || fail "bytes differ: $(diff "$WORK/$1.out" "$WORK/$2.out")"
done

# Counters: stats/espd is written from one snapshot taken with every worker paused, so the
# SA's packets sent equal the packets the workers read from their TUN queues (everything
# routed into the TUN here is for the SA); what a host received its peer sent. Waits (bounded)
# for both hosts' snapshots after the traffic (every second).
check() {
  on A "$IPSECKIT_BIN/ipsecpol" show stats --json >"$WORK/A.stats" 2>/dev/null
  on B "$IPSECKIT_BIN/ipsecpol" show stats --json >"$WORK/B.stats" 2>/dev/null
  "$PY" - "$WORK/A.stats" "$WORK/B.stats" $((N * SIZE)) <<'PYEOF'
import json, sys
try:
    a, b = (json.load(open(f))["stats"]["ipsec"] or {} for f in sys.argv[1:3])
except Exception as e:
    print("no stats:", e); sys.exit()
for name, s, peer in (("A", a, b), ("B", b, a)):
    w = [s.get("Worker %d Pkts from TUN" % i, -1) for i in range(2)]
    if min(w) <= 0: print(name, "workers from TUN:", w); sys.exit()
    if s["Pkts Sent"] != sum(w): print(name, "Pkts Sent", s["Pkts Sent"], "!= workers", w); sys.exit()
    for k in ("Pkts with Replay Detection", "Pkts not Authenticated", "Pkts not Decrypted", "Send Errors"):
        if s[k] != 0: print(name, k, s[k]); sys.exit()
    if not int(sys.argv[3]) // 1500 <= s["Pkts Received"] <= peer["Pkts Sent"]:
        print(name, "received", s["Pkts Received"], "of", peer["Pkts Sent"]); sys.exit()
    if s["Confidential Bytes Received"] < int(sys.argv[3]): print(name, "bytes received", s["Confidential Bytes Received"])
PYEOF
}
why=x
for _ in $(seq 40); do why=$(check); [ -z "$why" ] && break; sleep 0.1; done
[ -z "$why" ] || fail "$why"

stop_espd A; stop_espd B
for h in A B; do
  for i in 0 1; do
    grep -q "worker $i: [1-9][0-9]* packets from the TUN" "$WORK/$h.espd.log" || fail "$h: no exit count of worker $i"
  done
done
no_leftovers A; no_leftovers B
echo "espd_workers: ok"
